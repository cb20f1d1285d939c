"""Pooling kernels on NHWC images (lecture 004 §5).

Windows of ``size`` move by ``stride``; windows that do not fit are dropped
(Keras' "valid"). Max pooling sends the gradient to the *first* maximum of its
window in row-major order; average pooling spreads it evenly.
"""

import numpy as np
from numba import njit, prange

from . import runs


@njit(cache=True)
def _wins(value, best):
    """Whether ``value`` replaces ``best`` as the maximum: larger, or a NaN (which then stays, as in numpy)."""
    return not value <= best and best == best


@njit(parallel=True, cache=True)
def max_forward(x, size_h, size_w, stride_h, stride_w, y):
    channels = x.shape[3]
    for n in prange(x.shape[0]):
        for i in range(y.shape[1]):
            for j in range(y.shape[2]):
                for c in range(channels):
                    y[n, i, j, c] = x[n, i * stride_h, j * stride_w, c]
                for u in range(size_h):
                    for v in range(size_w):
                        r, q = i * stride_h + u, j * stride_w + v
                        for c in range(channels):
                            if _wins(x[n, r, q, c], y[n, i, j, c]):
                                y[n, i, j, c] = x[n, r, q, c]


@njit(parallel=True, cache=True)
def max_backward(dy, x, size_h, size_w, stride_h, stride_w, dx):
    """Route each ∂L/∂y to the first maximum of its window (recomputed from x), row-major order."""
    channels = x.shape[3]
    for n in prange(x.shape[0]):
        dx[n] = 0
        best = np.empty(channels, dtype=x.dtype)
        where = np.empty(channels, dtype=np.int64)  # u · size_w + v of the maximum, per channel
        for i in range(dy.shape[1]):
            for j in range(dy.shape[2]):
                for c in range(channels):
                    best[c] = x[n, i * stride_h, j * stride_w, c]
                    where[c] = 0
                for u in range(size_h):
                    for v in range(size_w):
                        r, q = i * stride_h + u, j * stride_w + v
                        for c in range(channels):
                            if _wins(x[n, r, q, c], best[c]):
                                best[c] = x[n, r, q, c]
                                where[c] = u * size_w + v
                for c in range(channels):
                    r, q = i * stride_h + where[c] // size_w, j * stride_w + where[c] % size_w
                    dx[n, r, q, c] += dy[n, i, j, c]


@njit(cache=True)
def average_pool_image(x, n_x, y, n_y, size_h, size_w, stride_h, stride_w, window_rows):
    """y[n_y, i, j, c] = (1 / (size_h·size_w)) Σ_{u, v} x[n_x, i·s_h + u, j·s_w + v, c], one image.

    Per output row: first the window's size_h image rows are added as whole
    rows (long vectorised runs) into ``window_rows`` (scratch of W·C values),
    then each output value sums its size_w columns of that total.
    """
    height, width, channels = x.shape[1], x.shape[2], x.shape[3]
    out_h, out_w = y.shape[1], y.shape[2]
    row_length, out_length = width * channels, out_w * channels
    image, pooled = x.reshape(-1), y.reshape(-1)
    scale = x.dtype.type(1 / (size_h * size_w))
    c_u, step_u = np.uint64(channels), np.uint64(stride_w * channels)
    for i in range(out_h):
        first = (n_x * height + i * stride_h) * row_length
        runs.copy(window_rows, 0, image, first, row_length, 1)
        for u in range(1, size_h):
            runs.add(window_rows, 0, 1, image, first + u * row_length, row_length)
        out = np.uint64((n_y * out_h + i) * out_length)
        for j in range(np.uint64(out_w)):
            for c in range(c_u):
                total = window_rows[j * step_u + c]
                for v in range(np.uint64(1), np.uint64(size_w)):
                    total += window_rows[j * step_u + v * c_u + c]
                pooled[out + j * c_u + c] = total * scale


@njit(cache=True)
def average_unpool_image(dy, n_dy, dx, n_dx, size_h, size_w, stride_h, stride_w):
    """dx[n_dx] = ∂L/∂x of ``average_pool_image`` given dy[n_dy]: each input pixel receives
    ∂L/∂y / (size_h·size_w) from every window it is in, 0 if none."""
    scale = 1 / (size_h * size_w)
    channels = dx.shape[3]
    dx[n_dx] = 0
    for i in range(dy.shape[1]):
        for j in range(dy.shape[2]):
            for u in range(size_h):
                for v in range(size_w):
                    r, q = i * stride_h + u, j * stride_w + v
                    for c in range(channels):
                        dx[n_dx, r, q, c] += dy[n_dy, i, j, c] * scale


@njit(cache=True)
def spread_masked_gradient(dy, n_dy, mask, n_mask, size_h, size_w, spread_row, target, start):
    """∂L/∂z for one image of z → y = ReLU(z) → non-overlapping average pooling (stride = size),
    given dy[n_dy] = ∂L/∂pooled and the ReLU output mask[n_mask] = y (N, H, W, C):

        ∂L/∂z[r, q, c] = dy[r // size_h, q // size_w, c] / (size_h·size_w) · [y[r, q, c] > 0],

    0 where no window reaches (the rows and columns the pooling drops), written as
    H·W·C values into the flat ``target`` from ``start``. Each pooled row is first
    spread over one image row (``spread_row``, W·C values), which then serves its
    size_h image rows.
    """
    height, width, channels = mask.shape[1], mask.shape[2], mask.shape[3]
    pooled_h, pooled_w = dy.shape[1], dy.shape[2]
    row_length, covered = width * channels, pooled_w * size_w * channels
    upstream, relu_output = dy.reshape(-1), mask.reshape(-1)
    scale = 1 / (size_h * size_w)
    runs.fill(spread_row, covered, row_length - covered, 0)
    for i in range(pooled_h):
        source = (n_dy * pooled_h + i) * pooled_w * channels
        for j in range(pooled_w):
            for v in range(size_w):
                runs.copy(spread_row, (j * size_w + v) * channels, upstream, source + j * channels, channels, 1)
        for u in range(size_h):
            row = i * size_h + u
            runs.scaled_mask(target, start + row * row_length, spread_row, relu_output,
                             (n_mask * height + row) * row_length, row_length, scale)
    runs.fill(target, start + pooled_h * size_h * row_length, (height - pooled_h * size_h) * row_length, 0)


@njit(parallel=True, cache=True)
def average_forward(x, size_h, size_w, stride_h, stride_w, y):
    """y = average pooling of every image of x (see ``average_pool_image``)."""
    for n in prange(x.shape[0]):
        window_rows = np.empty(x.shape[2] * x.shape[3], x.dtype)
        average_pool_image(x, n, y, n, size_h, size_w, stride_h, stride_w, window_rows)


@njit(parallel=True, cache=True)
def average_backward(dy, size_h, size_w, stride_h, stride_w, dx):
    """dx = ∂L/∂x of the average pooling of every image (see ``average_unpool_image``)."""
    for n in prange(dx.shape[0]):
        average_unpool_image(dy, n, dx, n, size_h, size_w, stride_h, stride_w)


@njit(parallel=True, cache=True)
def global_average_forward(x, y):
    """y[n, c] = mean over (h, w) of x[n, h, w, c]."""
    scale = 1.0 / (x.shape[1] * x.shape[2])
    for n in prange(x.shape[0]):
        y[n] = 0
        for h in range(x.shape[1]):
            for w in range(x.shape[2]):
                for c in range(x.shape[3]):
                    y[n, c] += x[n, h, w, c]
        for c in range(x.shape[3]):
            y[n, c] *= scale


@njit(parallel=True, cache=True)
def global_average_backward(dy, dx):
    scale = 1.0 / (dx.shape[1] * dx.shape[2])
    for n in prange(dx.shape[0]):
        for h in range(dx.shape[1]):
            for w in range(dx.shape[2]):
                for c in range(dx.shape[3]):
                    dx[n, h, w, c] = dy[n, c] * scale


@njit(parallel=True, cache=True)
def global_max_forward(x, y):
    for n in prange(x.shape[0]):
        for c in range(x.shape[3]):
            y[n, c] = x[n, 0, 0, c]
        for h in range(x.shape[1]):
            for w in range(x.shape[2]):
                for c in range(x.shape[3]):
                    if _wins(x[n, h, w, c], y[n, c]):
                        y[n, c] = x[n, h, w, c]


@njit(parallel=True, cache=True)
def global_max_backward(dy, x, dx):
    """The whole ∂L/∂y[n, c] goes to the first maximum of channel c in row-major order."""
    for n in prange(x.shape[0]):
        dx[n] = 0
        for c in range(x.shape[3]):
            best, best_h, best_w = x[n, 0, 0, c], 0, 0
            for h in range(x.shape[1]):
                for w in range(x.shape[2]):
                    if _wins(x[n, h, w, c], best):
                        best, best_h, best_w = x[n, h, w, c], h, w
            dx[n, best_h, best_w, c] = dy[n, c]
