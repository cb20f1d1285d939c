"""Pooling kernels on NHWC images (lecture 004 §5).

Windows of ``size`` move by ``stride``; windows that do not fit are dropped
(Keras' "valid"). Max pooling sends the gradient to the *first* maximum of its
window in row-major order; average pooling spreads it evenly.
"""

from numba import njit, prange


@njit(parallel=True, cache=True)
def max_forward(x, size_h, size_w, stride_h, stride_w, y):
    for n in prange(x.shape[0]):
        for i in range(y.shape[1]):
            for j in range(y.shape[2]):
                r0, c0 = i * stride_h, j * stride_w
                for c in range(x.shape[3]):
                    best = x[n, r0, c0, c]
                    for u in range(size_h):
                        for v in range(size_w):
                            value = x[n, r0 + u, c0 + v, c]
                            # "not value <= best" is also true for a NaN, which then wins, as in numpy.
                            if not value <= best and best == best:
                                best = value
                    y[n, i, j, c] = best


@njit(parallel=True, cache=True)
def max_backward(dy, x, size_h, size_w, stride_h, stride_w, dx):
    """Route each ∂L/∂y to the first maximum of its window (recomputed from x)."""
    for n in prange(x.shape[0]):
        dx[n] = 0
        for i in range(dy.shape[1]):
            for j in range(dy.shape[2]):
                r0, c0 = i * stride_h, j * stride_w
                for c in range(x.shape[3]):
                    best, best_u, best_v = x[n, r0, c0, c], 0, 0
                    for u in range(size_h):
                        for v in range(size_w):
                            value = x[n, r0 + u, c0 + v, c]
                            if not value <= best and best == best:
                                best, best_u, best_v = value, u, v
                    dx[n, r0 + best_u, c0 + best_v, c] += dy[n, i, j, c]


@njit(parallel=True, cache=True)
def average_forward(x, size_h, size_w, stride_h, stride_w, y):
    scale = 1.0 / (size_h * size_w)
    for n in prange(x.shape[0]):
        for i in range(y.shape[1]):
            for j in range(y.shape[2]):
                r0, c0 = i * stride_h, j * stride_w
                for c in range(x.shape[3]):
                    y[n, i, j, c] = 0
                for u in range(size_h):
                    for v in range(size_w):
                        for c in range(x.shape[3]):
                            y[n, i, j, c] += x[n, r0 + u, c0 + v, c]
                for c in range(x.shape[3]):
                    y[n, i, j, c] *= scale


@njit(parallel=True, cache=True)
def average_backward(dy, size_h, size_w, stride_h, stride_w, dx):
    """Each input pixel receives ∂L/∂y / (size_h · size_w) from every window it is in."""
    scale = 1.0 / (size_h * size_w)
    for n in prange(dx.shape[0]):
        dx[n] = 0
        for i in range(dy.shape[1]):
            for j in range(dy.shape[2]):
                r0, c0 = i * stride_h, j * stride_w
                for u in range(size_h):
                    for v in range(size_w):
                        for c in range(dx.shape[3]):
                            dx[n, r0 + u, c0 + v, c] += dy[n, i, j, c] * scale


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
                    if not x[n, h, w, c] <= y[n, c] and y[n, c] == y[n, c]:
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
                    if not x[n, h, w, c] <= best and best == best:
                        best, best_h, best_w = x[n, h, w, c], h, w
            dx[n, best_h, best_w, c] = dy[n, c]
