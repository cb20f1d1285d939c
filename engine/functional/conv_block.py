"""Convolution, ReLU and average pooling in one pass: the block a CNN repeats
(``Conv2D(..., activation="relu")`` followed by ``AveragePooling2D``, as in the
lecture's LeNet), functional form.

    y = ReLU(conv(x, W) + b),   pooled = avg_pool(y)

gives the same values as ``conv2d_forward``, ``relu_forward`` and
``avg_pool2d_forward`` one after the other, but each block of y is rectified
and pooled while it is still in the cache, and the backward pass spreads the
pooled gradient and applies ReLU'(z) = [y > 0] block by block too: no pass
over the whole of y, and no full-size gradient array, in either direction.
``Sequential`` runs such layer pairs this way.
"""

from __future__ import annotations

from .. import validation as check
from .conv import _check, check_relu_output, conv2d_geometry, run_backward, run_forward
from .pooling import pool_geometry


class BlockState:
    """What the forward pass keeps for the backward: the ReLU output y (its mask
    [y > 0]) and, if asked for, the im2col columns."""

    def __init__(self, relu_output, columns):
        self.relu_output, self.columns = relu_output, columns


def _pool(x_shape, w_shape, stride, padding, pool_size, pool_stride):
    _, _, (out_h, out_w) = conv2d_geometry(x_shape, w_shape, stride, padding)
    size_hw, stride_hw, pooled_hw = pool_geometry((x_shape[0], out_h, out_w, w_shape[3]), pool_size, pool_stride)
    return (size_hw, stride_hw), (x_shape[0],) + pooled_hw + (w_shape[3],)


def conv2d_relu_avg_pool_forward(x, W, b, stride=1, padding=0, pool_size=2, pool_stride=None, keep_columns=False):
    """avg_pool(ReLU(conv(x, W) + b)) and the state its backward needs: ``(pooled, state)``.

    ``stride`` and ``padding`` are the convolution's (see ``engine.functional.conv``);
    ``pool_size`` and ``pool_stride`` the pooling's (see ``engine.functional.pooling``).
    """
    x, W, b = _check(x, W, b)
    pool, _ = _pool(x.shape, W.shape, stride, padding, pool_size, pool_stride)
    y, pooled, columns = run_forward(x, W, b, stride, padding, keep_columns, relu=True, pool=pool)
    return pooled, BlockState(y, columns)


def conv2d_relu_avg_pool_backward(dy, x, W, state, stride=1, padding=0, pool_size=2, pool_stride=None,
                                  need_dx=True):
    """Gradients (dx, dW, db) of ``conv2d_relu_avg_pool_forward`` given dy = ∂L/∂pooled
    and the ``state`` that forward pass returned (``need_dx`` as in ``conv2d_backward``)."""
    x, W, _ = _check(x, W)
    pool, pooled_shape = _pool(x.shape, W.shape, stride, padding, pool_size, pool_stride)
    dy = check.float_array("dy", dy, ndim=4)
    check.shape_equal("dy", dy, pooled_shape, "the shape of the pooled output")
    check.same_dtype(dy=dy, x=x)
    if not isinstance(state, BlockState):
        raise TypeError(f"state must be what conv2d_relu_avg_pool_forward returned, got {check.describe(state)}")
    _, _, (out_h, out_w) = conv2d_geometry(x.shape, W.shape, stride, padding)
    relu_output = check_relu_output(state.relu_output, (x.shape[0], out_h, out_w, W.shape[3]), x)
    return run_backward(dy, x, W, stride, padding, need_dx, state.columns, relu_output, pool)
