# expect-function: max_pool2d_forward
# expect-hint: max_starts_at_zero
import numpy as np


def as_pair(value):
    if isinstance(value, int):
        return value, value
    return value[0], value[1]


def max_pool2d_forward(x, size, stride):
    kh, kw = as_pair(size)
    sh, sw = as_pair(stride)
    n, h, w, c = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    y = np.zeros((n, oh, ow, c))
    for s in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    best = 0.0
                    for u in range(kh):
                        for v in range(kw):
                            if x[s, i * sh + u, j * sw + v, ch] > best:
                                best = x[s, i * sh + u, j * sw + v, ch]
                    y[s, i, j, ch] = best
    return y
