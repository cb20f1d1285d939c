# expect-function: tent
# expect-hint: piecewise_not_relu
import numpy as np


def tent(x):
    return np.where(x <= 0.5, 2 * x, 2 - 2 * x)
