# expect-status: error
# expect-message: MemoryError
"""Asks for 50 GiB."""

import numpy as np


def dense_forward(x, W, b):
    return np.ones(50 * 2**30 // 8)
