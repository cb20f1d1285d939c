# expect-status: timeout
# expect-message: time-out
"""Never returns, inside compiled code: only the grader's kill stops it."""

import numba
import numpy as np


@numba.njit(cache=True)
def _spin(steps):
    i = 0
    while steps != 0:
        i = (i + 1) % 7
    return i


def compile_spin(x):
    """Compiles the loop without entering it (the tests call this first)."""
    return np.asarray([float(_spin(0))])


def dense_forward(x, W, b):
    return np.zeros((x.shape[0], W.shape[1])) + _spin(1)
