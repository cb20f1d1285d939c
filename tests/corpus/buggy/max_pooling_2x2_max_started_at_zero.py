# expect-function: max_pooling_2x2
# expect-hint: max_started_at_zero
import numpy as np


def max_pooling_2x2(a):
    rows, cols = a.shape[0] // 2, a.shape[1] // 2
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            for u in range(2):
                for v in range(2):
                    out[i, j] = max(out[i, j], a[2 * i + u, 2 * j + v])
    return out
