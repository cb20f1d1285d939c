# expect-function: conv2d_forward
# expect-hint: same_ignores_stride
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
        # the lecture: Padding = (dim(Filtro) - 1) / 2 on each side
        return ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)
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
    y = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * sh:i * sh + kh, j * sw:j * sw + kw, :]
            y[:, i, j, :] = np.einsum("nuvc,uvcf->nf", patch, W) + b
    return y
