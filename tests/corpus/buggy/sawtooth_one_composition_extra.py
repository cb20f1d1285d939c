# expect-function: sawtooth
# expect-hint: one_composition_extra
import numpy as np


def tent(x):
    return 2 * np.maximum(x, 0) - 4 * np.maximum(x - 0.5, 0)


def sawtooth(x, k):
    y = x
    for _ in range(k + 1):
        y = tent(y)
    return y
