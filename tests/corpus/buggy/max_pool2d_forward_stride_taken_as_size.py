# expect-function: max_pool2d_forward
# expect-hint: stride_taken_as_size
import numpy as np


def as_pair(value):
    if isinstance(value, int):
        return value, value
    return value[0], value[1]


def max_pool2d_forward(x, size, stride):
    kh, kw = as_pair(size)
    n, h, w, c = x.shape
    oh, ow = h // kh, w // kw
    y = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            y[:, i, j, :] = x[:, i * kh:(i + 1) * kh, j * kw:(j + 1) * kw, :].max(axis=(1, 2))
    return y
