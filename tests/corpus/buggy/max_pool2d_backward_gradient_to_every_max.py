# expect-function: max_pool2d_backward
# expect-hint: gradient_to_every_max
import numpy as np


def as_pair(value):
    if isinstance(value, int):
        return value, value
    return value[0], value[1]


def max_pool2d_backward(dy, x, size, stride):
    kh, kw = as_pair(size)
    sh, sw = as_pair(stride)
    n, oh, ow, c = dy.shape
    dx = np.zeros_like(x)
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * sh, i * sh + kh)
            cols = slice(j * sw, j * sw + kw)
            window = x[:, rows, cols, :]
            mask = window == window.max(axis=(1, 2), keepdims=True)
            dx[:, rows, cols, :] += mask * dy[:, i:i + 1, j:j + 1, :]
    return dx
