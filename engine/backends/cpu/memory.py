"""Allocation on the CPU backend (the GPU backend allocates device arrays)."""

import numpy as np


def empty(shape, dtype) -> np.ndarray:
    return np.empty(shape, dtype=dtype)


def zeros(shape, dtype) -> np.ndarray:
    return np.zeros(shape, dtype=dtype)
