# expect-function: conv2d_forward
# expect-hint: none
import numpy as np


def as_pair(value):
    if isinstance(value, int):
        return value, value
    return value[0], value[1]


def padding_amounts(padding, x_shape, kernel_shape, stride):
    kh, kw = kernel_shape[0], kernel_shape[1]
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "full":
        return (kh - 1, kh - 1), (kw - 1, kw - 1)
    if padding == "same":
        sides = []
        for size, k, s in zip(x_shape[1:3], (kh, kw), as_pair(stride)):
            out = -(-size // s)
            total = max((out - 1) * s + k - size, 0)
            sides.append((total // 2, total - total // 2))
        return sides[0], sides[1]
    rows, cols = as_pair(padding)
    return (rows, rows), (cols, cols)


def conv2d_forward(x, W, b, stride, padding):
    sh, sw = as_pair(stride)
    (top, bottom), (left, right) = padding_amounts(padding, x.shape, W.shape, stride)
    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    n, h, w, c = x.shape
    kh, kw, _, f = W.shape
    oh = (h - kh) // sh + 1
    ow = (w - kw) // sw + 1
    y = np.zeros((n, oh, ow, f), dtype=np.float32)
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * sh:i * sh + kh, j * sw:j * sw + kw, :]
            y[:, i, j, :] = np.einsum("nuvc,uvcf->nf", patch, W) + b
    return y
