# expect-function: max_pooling_2x2
# expect-hint: overlapping_windows
import numpy as np


def max_pooling_2x2(a):
    out = np.zeros((a.shape[0] - 1, a.shape[1] - 1))
    for i in range(a.shape[0] - 1):  # the window slides one pixel, as the convolution
        for j in range(a.shape[1] - 1):
            out[i, j] = a[i:i + 2, j:j + 2].max()
    return out
