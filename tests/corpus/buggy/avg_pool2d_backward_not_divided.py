# expect-function: avg_pool2d_backward
# expect-hint: average_not_divided
import numpy as np


def as_pair(value):
    if isinstance(value, int):
        return value, value
    return value[0], value[1]


def avg_pool2d_backward(dy, x, size, stride):
    kh, kw = as_pair(size)
    sh, sw = as_pair(stride)
    n, oh, ow, c = dy.shape
    dx = np.zeros_like(x)
    for i in range(oh):
        for j in range(ow):
            dx[:, i * sh:i * sh + kh, j * sw:j * sw + kw, :] += dy[:, i:i + 1, j:j + 1, :]
    return dx
