# expect-function: tent
# expect-hint: height_one_half
import numpy as np


def tent(x):
    return np.maximum(x, 0) - 2 * np.maximum(x - 0.5, 0)
