# expect-function: adjust_contrast
# expect-hint: contrast_clipped
import numpy as np


def adjust_contrast(x, factor):
    mean = x.mean(axis=(1, 2), keepdims=True)
    return np.clip((x - mean) * factor[:, None, None, None] + mean, 0.0, 1.0)
