# expect-function: random_crop
# expect-hint: crop_rows_and_columns_swapped
import numpy as np


def random_crop(x, padding, top, left):
    n, height, width, _ = x.shape
    x_pad = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    y = np.empty_like(x)
    for k in range(n):
        y[k] = x_pad[k, left[k]:left[k] + height, top[k]:top[k] + width, :]
    return y
