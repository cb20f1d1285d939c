# expect-function: flip_horizontal
# expect-hint: flip_upside_down
import numpy as np


def flip_horizontal(x):
    return np.fliplr(x)  # np.fliplr reverses axis 1: the rows in NHWC
