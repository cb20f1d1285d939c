# expect-status: error
# expect-message: no es un array de números
"""Returns an object array (that would need pickle to travel)."""

import numpy as np


def dense_forward(x, W, b):
    y = np.empty((x.shape[0], W.shape[1]), dtype=object)
    y[...] = x @ W + b
    return y
