# expect-function: sawtooth
# expect-hint: one_composition_short
import numpy as np


def tent(x):
    return 2 * np.maximum(x, 0) - 4 * np.maximum(x - 0.5, 0)


def sawtooth(x, k):
    y = tent(x) if k > 0 else x.copy()
    for _ in range(1, k - 1):
        y = tent(y)
    return y
