# expect-function: max_pool2d_backward
# expect-hint: gradient_to_last_max
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
    for s in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    best, where = -np.inf, None
                    for u in range(kh):
                        for v in range(kw):
                            if x[s, i * sh + u, j * sw + v, ch] >= best:
                                best, where = x[s, i * sh + u, j * sw + v, ch], (i * sh + u, j * sw + v)
                    dx[s, where[0], where[1], ch] += dy[s, i, j, ch]
    return dx
