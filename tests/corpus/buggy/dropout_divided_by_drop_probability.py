# expect-function: dropout_forward
# expect-hint: dropout_divided_by_drop_probability
def dropout_forward(x, p_keep, u):
    mask = (u < p_keep).astype(float)
    y = x * mask / (1 - p_keep)
    return y, mask
