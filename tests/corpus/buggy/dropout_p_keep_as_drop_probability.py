# expect-function: dropout_forward
# expect-hint: dropout_p_keep_as_drop_probability
import numpy as np


def dropout_forward(x, p_keep, u):
    # each neuron is switched off with probability p, so it stays with probability 1 - p
    mask = np.where(u < 1 - p_keep, 1.0, 0.0)
    y = x * mask / p_keep
    return y, mask
