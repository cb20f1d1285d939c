"""Pooling on NHWC images, functional form (lecture 004 §5).

``size`` and ``stride`` are ints or (rows, columns) pairs; ``stride`` defaults
to ``size``. Windows that do not fit are dropped: OH = floor((H − size) / stride) + 1.
Max pooling sends the gradient to the first maximum of each window in
row-major order; average pooling spreads it evenly over the window. Global
pooling reduces (N, H, W, C) to (N, C).
"""

import functools

from .. import validation as check
from ..backends import backend_for
from .conv import output_size


def _images(name, x):
    x = check.float_array(name, x, ndim=4)
    check.non_empty_batch(name, x)
    if min(x.shape[1:]) == 0:
        raise ValueError(f"{name} must have non-empty height, width and channels, got shape {x.shape}")
    return x


def pool_geometry(x_shape, size, stride):
    """Window (rows, columns), stride (rows, columns) and output (OH, OW) of a pooling;
    remembered for plain arguments, as ``conv2d_geometry``."""
    if check.plain_key(size) and (stride is None or check.plain_key(stride)):
        return _remembered_geometry(tuple(x_shape), size, stride)
    return _geometry(x_shape, size, stride)


@functools.lru_cache(maxsize=256)
def _remembered_geometry(x_shape, size, stride):
    return _geometry(x_shape, size, stride)


def _geometry(x_shape, size, stride):
    size_hw = check.int_pair("size", size)
    stride_hw = size_hw if stride is None else check.int_pair("stride", stride)
    out_h = output_size(x_shape[1], size_hw[0], stride_hw[0], 0, 0, "input height")
    out_w = output_size(x_shape[2], size_hw[1], stride_hw[1], 0, 0, "input width")
    return size_hw, stride_hw, (out_h, out_w)


def _upstream(dy, x, out_shape):
    dy = check.float_array("dy", dy, ndim=len(out_shape))
    check.shape_equal("dy", dy, out_shape, "the shape of the forward output")
    check.same_dtype(dy=dy, x=x)
    return dy


def _pool_forward(kernel_name, x, size, stride):
    x = _images("x", x)
    size_hw, stride_hw, (out_h, out_w) = pool_geometry(x.shape, size, stride)
    be = backend_for(x)
    y = be.empty((x.shape[0], out_h, out_w, x.shape[3]), x.dtype)
    getattr(be.pooling, kernel_name)(x, *size_hw, *stride_hw, y)
    return y


def max_pool2d_forward(x, size=2, stride=None):
    """y[n, i, j, c] = max of x[n] over the window at (i·s_h, j·s_w) of channel c."""
    return _pool_forward("max_forward", x, size, stride)


def max_pool2d_backward(dy, x, size=2, stride=None):
    """∂L/∂x: each dy goes to the first maximum of its window (ties: row-major order)."""
    x = _images("x", x)
    size_hw, stride_hw, (out_h, out_w) = pool_geometry(x.shape, size, stride)
    dy = _upstream(dy, x, (x.shape[0], out_h, out_w, x.shape[3]))
    be = backend_for(x)
    dx = be.empty(x.shape, x.dtype)
    be.pooling.max_backward(dy, x, *size_hw, *stride_hw, dx)
    return dx


def avg_pool2d_forward(x, size=2, stride=None):
    """y[n, i, j, c] = mean of x[n] over the window at (i·s_h, j·s_w) of channel c."""
    return _pool_forward("average_forward", x, size, stride)


def avg_pool2d_backward(dy, x, size=2, stride=None):
    """∂L/∂x: each dy is shared equally by the size_h·size_w pixels of its window."""
    x = _images("x", x)
    size_hw, stride_hw, (out_h, out_w) = pool_geometry(x.shape, size, stride)
    dy = _upstream(dy, x, (x.shape[0], out_h, out_w, x.shape[3]))
    be = backend_for(x)
    dx = be.empty(x.shape, x.dtype)
    be.pooling.average_backward(dy, *size_hw, *stride_hw, dx)
    return dx


def global_avg_pool2d_forward(x):
    """y[n, c] = mean over (h, w) of x[n, h, w, c]."""
    x = _images("x", x)
    be = backend_for(x)
    y = be.empty((x.shape[0], x.shape[3]), x.dtype)
    be.pooling.global_average_forward(x, y)
    return y


def global_avg_pool2d_backward(dy, x):
    x = _images("x", x)
    dy = _upstream(dy, x, (x.shape[0], x.shape[3]))
    be = backend_for(x)
    dx = be.empty(x.shape, x.dtype)
    be.pooling.global_average_backward(dy, dx)
    return dx


def global_max_pool2d_forward(x):
    """y[n, c] = max over (h, w) of x[n, h, w, c]."""
    x = _images("x", x)
    be = backend_for(x)
    y = be.empty((x.shape[0], x.shape[3]), x.dtype)
    be.pooling.global_max_forward(x, y)
    return y


def global_max_pool2d_backward(dy, x):
    x = _images("x", x)
    dy = _upstream(dy, x, (x.shape[0], x.shape[3]))
    be = backend_for(x)
    dx = be.empty(x.shape, x.dtype)
    be.pooling.global_max_backward(dy, x, dx)
    return dx
