# expect-function: dropout_backward
# expect-hint: dropout_backward_divided_by_drop_probability
def dropout_backward(dy, mask, p_keep):
    p_drop = 1 - p_keep
    return dy * mask / p_drop
