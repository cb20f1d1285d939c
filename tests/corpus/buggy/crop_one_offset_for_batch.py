# expect-function: random_crop
# expect-hint: crop_one_offset_for_batch
import numpy as np


def random_crop(x, padding, top, left):
    _, height, width, _ = x.shape
    x_pad = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    return x_pad[:, top[0]:top[0] + height, left[0]:left[0] + width, :].copy()
