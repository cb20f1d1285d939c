# expect-function: dropout_backward
# expect-hint: dropout_backward_not_rescaled
def dropout_backward(dy, mask, p_keep):
    return dy * mask
