"""Pooling kernels on NHWC images for the GPU (lecture 004 §5): the functions of ``engine.backends.cpu.pooling``.

Windows of ``size`` move by ``stride``; windows that do not fit are dropped
(Keras' "valid"), so OH = floor((H − size_h) / stride_h) + 1:

    max:      y[n, i, j, c] = max_{u, v} x[n, i·s_h + u, j·s_w + v, c]
    average:  y[n, i, j, c] = (1 / (size_h·size_w)) Σ_{u, v} x[n, i·s_h + u, j·s_w + v, c]
    global:   y[n, c] = max or mean over (h, w) of x[n, h, w, c]

Max pooling sends the gradient to the *first* maximum of its window in
row-major order (a NaN counts as the maximum, as in numpy); average pooling
spreads it evenly. A pixel in several windows (stride < size) adds up what
each window sends it; a pixel in none gets 0.

Launch plan: one thread per element of the array being written, on a 1-D grid
(``launch.elementwise``), channels fastest, so that consecutive threads read and
write consecutive addresses. The backward passes are *gathers*: the thread of
input pixel (n, h, w, c) visits the windows that contain it (``covering``) and
adds up what they send it, so that no two threads write the same element and
no atomics are needed. The global poolings give one thread to each (n, c); for
max pooling's backward that thread finds the first maximum and writes the whole
column dx[n, :, :, c].
"""

from __future__ import annotations

from numba import cuda

from .launch import elementwise


# -- device helpers ----------------------------------------------------------------------------------
@cuda.jit(device=True, cache=True)
def covering(position, size, stride, count):
    """The windows o in [0, count) with o·stride <= position < o·stride + size, as a half-open range (first, end).

    They are o >= ceil((position − size + 1) / stride) and o <= floor(position / stride);
    ``position`` is never negative. The range is empty (first >= end) when no window reaches it.
    """
    first = max((position - size + stride) // stride, 0)
    end = min(position // stride + 1, count)
    return first, end


@cuda.jit(device=True, cache=True)
def wins(value, best):
    """Whether ``value`` replaces ``best`` as the maximum: larger, or a NaN (which then stays, as in numpy)."""
    return not value <= best and best == best


@cuda.jit(device=True, cache=True)
def first_maximum(x, n, top, left, size_h, size_w, c):
    """u·size_w + v of the first maximum, in row-major order, of x[n, top + u, left + v, c] over the window."""
    best, where = x[n, top, left, c], 0
    for u in range(size_h):
        for v in range(size_w):
            value = x[n, top + u, left + v, c]
            if wins(value, best):
                best, where = value, u * size_w + v
    return where


@cuda.jit(device=True, cache=True)
def unflatten(t, rows, columns, channels):
    """(n, r, q, c) of the flat index t of a C-contiguous (N, rows, columns, channels) array."""
    c = t % channels
    rest = t // channels
    q = rest % columns
    rest //= columns
    return rest // rows, rest % rows, q, c


# -- windows ----------------------------------------------------------------------------------------
# Thread t computes y[n, i, j, c] (t its flat index; consecutive threads take consecutive channels).
@cuda.jit(cache=True)
def _max_forward(x, size_h, size_w, stride_h, stride_w, y):
    t = cuda.grid(1)
    if t >= y.size:
        return
    n, i, j, c = unflatten(t, y.shape[1], y.shape[2], y.shape[3])
    top, left = i * stride_h, j * stride_w
    best = x[n, top, left, c]
    for u in range(size_h):
        for v in range(size_w):
            value = x[n, top + u, left + v, c]
            if wins(value, best):
                best = value
    y[n, i, j, c] = best


# Thread t computes dx[n, h, w, c] (t its flat index): the sum of dy over the windows containing (h, w)
# whose first maximum is (h, w), found again from x.
@cuda.jit(cache=True)
def _max_backward(dy, x, size_h, size_w, stride_h, stride_w, dx):
    t = cuda.grid(1)
    if t >= dx.size:
        return
    n, h, w, c = unflatten(t, dx.shape[1], dx.shape[2], dx.shape[3])
    i0, i1 = covering(h, size_h, stride_h, dy.shape[1])
    j0, j1 = covering(w, size_w, stride_w, dy.shape[2])
    total = dx.dtype.type(0)
    for i in range(i0, i1):
        for j in range(j0, j1):
            top, left = i * stride_h, j * stride_w
            if first_maximum(x, n, top, left, size_h, size_w, c) == (h - top) * size_w + (w - left):
                total += dy[n, i, j, c]
    dx[n, h, w, c] = total


# Thread t computes y[n, i, j, c] (t its flat index), adding the window column by column as the CPU does.
@cuda.jit(cache=True)
def _average_forward(x, size_h, size_w, stride_h, stride_w, y):
    t = cuda.grid(1)
    if t >= y.size:
        return
    n, i, j, c = unflatten(t, y.shape[1], y.shape[2], y.shape[3])
    top, left = i * stride_h, j * stride_w
    total = y.dtype.type(0)
    for v in range(size_w):
        column = x[n, top, left + v, c]
        for u in range(1, size_h):
            column += x[n, top + u, left + v, c]
        total += column
    y[n, i, j, c] = total * y.dtype.type(1 / (size_h * size_w))


# Thread t computes dx[n, h, w, c] (t its flat index): its share dy / (size_h·size_w) of every window containing it.
@cuda.jit(cache=True)
def _average_backward(dy, size_h, size_w, stride_h, stride_w, dx):
    t = cuda.grid(1)
    if t >= dx.size:
        return
    n, h, w, c = unflatten(t, dx.shape[1], dx.shape[2], dx.shape[3])
    i0, i1 = covering(h, size_h, stride_h, dy.shape[1])
    j0, j1 = covering(w, size_w, stride_w, dy.shape[2])
    scale = dx.dtype.type(1 / (size_h * size_w))
    total = dx.dtype.type(0)
    for i in range(i0, i1):
        for j in range(j0, j1):
            total += dy[n, i, j, c] * scale
    dx[n, h, w, c] = total


# -- global pooling ---------------------------------------------------------------------------------
# Thread t computes y[n, c], t = n·C + c (consecutive threads: consecutive channels of one pixel).
@cuda.jit(cache=True)
def _global_average_forward(x, y):
    t = cuda.grid(1)
    if t >= y.size:
        return
    n, c = t // y.shape[1], t % y.shape[1]
    total = y.dtype.type(0)
    for h in range(x.shape[1]):
        for w in range(x.shape[2]):
            total += x[n, h, w, c]
    y[n, c] = total * y.dtype.type(1 / (x.shape[1] * x.shape[2]))


# Thread t computes dx[n, h, w, c] (t its flat index).
@cuda.jit(cache=True)
def _global_average_backward(dy, dx):
    t = cuda.grid(1)
    if t >= dx.size:
        return
    n, h, w, c = unflatten(t, dx.shape[1], dx.shape[2], dx.shape[3])
    dx[n, h, w, c] = dy[n, c] * dx.dtype.type(1 / (dx.shape[1] * dx.shape[2]))


# Thread t computes y[n, c], t = n·C + c.
@cuda.jit(cache=True)
def _global_max_forward(x, y):
    t = cuda.grid(1)
    if t >= y.size:
        return
    n, c = t // y.shape[1], t % y.shape[1]
    best = x[n, 0, 0, c]
    for h in range(x.shape[1]):
        for w in range(x.shape[2]):
            if wins(x[n, h, w, c], best):
                best = x[n, h, w, c]
    y[n, c] = best


# Thread t, t = n·C + c, writes the column dx[n, :, :, c]: dy[n, c] at the first maximum, 0 elsewhere.
@cuda.jit(cache=True)
def _global_max_backward(dy, x, dx):
    t = cuda.grid(1)
    if t >= dy.size:
        return
    n, c = t // dy.shape[1], t % dy.shape[1]
    width = x.shape[2]
    best, where = x[n, 0, 0, c], 0
    for h in range(x.shape[1]):
        for w in range(width):
            if wins(x[n, h, w, c], best):
                best, where = x[n, h, w, c], h * width + w
    zero = dx.dtype.type(0)
    for h in range(x.shape[1]):
        for w in range(width):
            dx[n, h, w, c] = dy[n, c] if h * width + w == where else zero


# -- the functions the functional layer calls -------------------------------------------------------
def max_forward(x, size_h, size_w, stride_h, stride_w, y):
    """y = max pooling of x (N, H, W, C) into the preallocated y (N, OH, OW, C)."""
    _max_forward[elementwise(y.size)](x, int(size_h), int(size_w), int(stride_h), int(stride_w), y)


def max_backward(dy, x, size_h, size_w, stride_h, stride_w, dx):
    """dx = ∂L/∂x of the max pooling: each dy goes to the first maximum of its window (recomputed from x)."""
    _max_backward[elementwise(dx.size)](dy, x, int(size_h), int(size_w), int(stride_h), int(stride_w), dx)


def average_forward(x, size_h, size_w, stride_h, stride_w, y):
    """y = average pooling of x into the preallocated y."""
    _average_forward[elementwise(y.size)](x, int(size_h), int(size_w), int(stride_h), int(stride_w), y)


def average_backward(dy, size_h, size_w, stride_h, stride_w, dx):
    """dx = ∂L/∂x of the average pooling: each pixel gets dy / (size_h·size_w) from every window containing it."""
    _average_backward[elementwise(dx.size)](dy, int(size_h), int(size_w), int(stride_h), int(stride_w), dx)


def global_average_forward(x, y):
    """y[n, c] = mean over (h, w) of x[n, h, w, c]."""
    _global_average_forward[elementwise(y.size)](x, y)


def global_average_backward(dy, dx):
    """dx[n, h, w, c] = dy[n, c] / (H·W)."""
    _global_average_backward[elementwise(dx.size)](dy, dx)


def global_max_forward(x, y):
    """y[n, c] = max over (h, w) of x[n, h, w, c]."""
    _global_max_forward[elementwise(y.size)](x, y)


def global_max_backward(dy, x, dx):
    """The whole dy[n, c] goes to the first maximum of channel c of image n in row-major order."""
    _global_max_backward[elementwise(dy.size)](dy, x, dx)
