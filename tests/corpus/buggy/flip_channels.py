# expect-function: flip_horizontal
# expect-hint: flip_channels
import numpy as np


def flip_horizontal(x):
    # reverses the last axis, as if the images were (N, C, H, W)
    return np.flip(x, axis=-1)
