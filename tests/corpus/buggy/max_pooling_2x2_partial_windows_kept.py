# expect-function: max_pooling_2x2
# expect-hint: partial_windows_kept
import numpy as np


def max_pooling_2x2(a):
    rows, cols = (a.shape[0] + 1) // 2, (a.shape[1] + 1) // 2
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = a[2 * i:2 * i + 2, 2 * j:2 * j + 2].max()
    return out
