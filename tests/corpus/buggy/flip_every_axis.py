# expect-function: flip_horizontal
# expect-hint: flip_every_axis
import numpy as np


def flip_horizontal(x):
    return np.flip(x)
