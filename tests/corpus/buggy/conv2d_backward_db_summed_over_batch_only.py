# expect-function: conv2d_backward
# expect-hint: db_summed_over_batch_only
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


def conv2d_backward(dy, x, W, stride, padding):
    sh, sw = as_pair(stride)
    (top, bottom), (left, right) = padding_amounts(padding, x.shape, W.shape, stride)
    x_pad = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    n, oh, ow, f = dy.shape
    kh, kw, c, _ = W.shape
    dx_pad = np.zeros_like(x_pad)
    dW = np.zeros_like(W)
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * sh, i * sh + kh)
            cols = slice(j * sw, j * sw + kw)
            dW += np.einsum("nuvc,nf->uvcf", x_pad[:, rows, cols, :], dy[:, i, j, :])
            dx_pad[:, rows, cols, :] += np.einsum("nf,uvcf->nuvc", dy[:, i, j, :], W)
    return dx_pad[:, top:top + x.shape[1], left:left + x.shape[2], :], dW, dy.sum(axis=0)
