# expect-function: flip_horizontal
# expect-hint: flip_batch
import numpy as np


def flip_horizontal(x):
    return np.flipud(x)
