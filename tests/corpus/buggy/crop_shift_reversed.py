# expect-function: random_crop
# expect-hint: crop_shift_reversed
import numpy as np


def random_crop(x, padding, top, left):
    # shifts image n by (top[n] - padding, left[n] - padding): the other way round
    n, height, width, _ = x.shape
    x_pad = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    y = np.empty_like(x)
    for k in range(n):
        r, c = 2 * padding - top[k], 2 * padding - left[k]
        y[k] = x_pad[k, r:r + height, c:c + width, :]
    return y
