# expect-function: dropout_forward
# expect-hint: dropout_not_rescaled
def dropout_forward(x, p_keep, u):
    mask = u < p_keep
    return x * mask, mask
