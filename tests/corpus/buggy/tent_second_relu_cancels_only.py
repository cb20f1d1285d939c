# expect-function: tent
# expect-hint: second_relu_cancels_only
import numpy as np


def tent(x):
    return 2 * np.maximum(x, 0) - 2 * np.maximum(x - 0.5, 0)
