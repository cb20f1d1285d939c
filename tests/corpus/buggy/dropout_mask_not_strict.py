# expect-function: dropout_forward
# expect-hint: dropout_mask_not_strict
def dropout_forward(x, p_keep, u):
    mask = u <= p_keep
    return x * mask / p_keep, mask
