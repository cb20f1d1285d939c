# expect-function: max_pool2d_backward
# expect-hint: none
import numpy as np


def as_pair(value):
    if isinstance(value, int):
        return value, value
    return value[0], value[1]


def max_pool2d_backward(dy, x, size, stride):
    kh, kw = as_pair(size)
    sh, sw = as_pair(stride)
    n, oh, ow, c = dy.shape
    dx = np.zeros(x.shape, dtype=np.float32)
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * sh, i * sh + kh)
            cols = slice(j * sw, j * sw + kw)
            window = x[:, rows, cols, :]
            first = window.reshape(n, kh * kw, c).argmax(axis=1)
            mask = (np.arange(kh * kw)[None, :, None] == first[:, None, :]).reshape(window.shape)
            dx[:, rows, cols, :] += mask * dy[:, i:i + 1, j:j + 1, :]
    return dx
