# expect-function: sawtooth
# expect-hint: power_not_composition
import numpy as np


def tent(x):
    return 2 * np.maximum(x, 0) - 4 * np.maximum(x - 0.5, 0)


def sawtooth(x, k):
    if k == 0:
        return x.copy()
    return tent(x) ** k
