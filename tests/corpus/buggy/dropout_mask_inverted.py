# expect-function: dropout_forward
# expect-hint: dropout_mask_inverted
def dropout_forward(x, p_keep, u):
    dropped = u < p_keep
    mask = ~dropped
    return x * mask / p_keep, mask
