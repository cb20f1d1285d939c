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
from ..backends import backend_for
from .conv import _check, conv2d_geometry, run_backward, run_forward
from .pooling import pool_geometry
from .scratch import scratch, thread_blocks

FILTER_MAJOR_BELOW_CHANNELS = 4  # few input channels: build each filter's image on its own


class BlockState:
    """What the forward pass keeps for the backward: the ReLU output y (its mask
    [y > 0]) and, if asked for, the im2col columns. ``filter_major``: y is
    (N, F, OH, OW) and the columns are per sample (``engine.backends.cpu.conv_block``),
    else y is NHWC and the columns are a ``Columns``."""

    def __init__(self, relu_output, columns, filter_major=False):
        self.relu_output, self.columns, self.filter_major = relu_output, columns, filter_major


def _pool(x_shape, w_shape, stride, padding, pool_size, pool_stride):
    _, _, (out_h, out_w) = conv2d_geometry(x_shape, w_shape, stride, padding)
    size_hw, stride_hw, pooled_hw = pool_geometry((x_shape[0], out_h, out_w, w_shape[3]), pool_size, pool_stride)
    return (size_hw, stride_hw), (x_shape[0],) + pooled_hw + (w_shape[3],)


def _filter_major(x, pool):
    """Few input channels and pooling windows that tile the image (stride = size)."""
    (size_hw, stride_hw) = pool
    return x.shape[3] < FILTER_MAJOR_BELOW_CHANNELS and size_hw == stride_hw and hasattr(backend_for(x), "conv_block")


def conv2d_relu_avg_pool_forward(x, W, b, stride=1, padding=0, pool_size=2, pool_stride=None, keep_columns=False):
    """avg_pool(ReLU(conv(x, W) + b)) and the state its backward needs: ``(pooled, state)``.

    ``stride`` and ``padding`` are the convolution's (see ``engine.functional.conv``);
    ``pool_size`` and ``pool_stride`` the pooling's (see ``engine.functional.pooling``).
    """
    x, W, b = _check(x, W, b)
    pool, pooled_shape = _pool(x.shape, W.shape, stride, padding, pool_size, pool_stride)
    if not _filter_major(x, pool):
        y, pooled, columns = run_forward(x, W, b, stride, padding, keep_columns, relu=True, pool=pool)
        return pooled, BlockState(y, columns)
    (sh, sw), (top, left), (out_h, out_w) = conv2d_geometry(x.shape, W.shape, stride, padding)
    be = backend_for(x)
    pixels, taps = out_h * out_w, W.shape[0] * W.shape[1] * W.shape[2]
    y = be.empty((x.shape[0], W.shape[3], out_h, out_w), x.dtype)
    pooled = be.empty(pooled_shape, x.dtype)
    workspace = scratch("conv_block.forward", (thread_blocks(x.shape[0]), (taps + 2) * pixels + out_w), x.dtype, be)
    kept = be.empty(x.shape[0] * (taps + 1) * pixels if keep_columns else 0, x.dtype)
    be.conv_block.forward(x, W, b, sh, sw, top, left, y, pooled, *pool[0], workspace, kept)
    return pooled, BlockState(y, kept if keep_columns else None, filter_major=True)


def conv2d_relu_avg_pool_backward(dy, x, W, state, stride=1, padding=0, pool_size=2, pool_stride=None,
                                  need_dx=True):
    """Gradients (dx, dW, db) of ``conv2d_relu_avg_pool_forward`` given dy = ∂L/∂pooled
    and the ``state`` that forward pass returned (``need_dx`` as in ``conv2d_backward``)."""
    x, W, _ = _check(x, W)
    pool, pooled_shape = _pool(x.shape, W.shape, stride, padding, pool_size, pool_stride)
    dy = check.float_array("dy", dy, ndim=4)
    check.shape_equal("dy", dy, pooled_shape, "the shape of the pooled output")
    check.same_dtype(dy=dy, x=x)
    if not isinstance(state, BlockState) or state.filter_major != _filter_major(x, pool):
        raise TypeError(f"state must be what conv2d_relu_avg_pool_forward returned for these arguments, "
                        f"got {check.describe(state)}")
    (sh, sw), (top, left), (out_h, out_w) = conv2d_geometry(x.shape, W.shape, stride, padding)
    if not state.filter_major:
        relu_output = check.relu_output(state.relu_output, (x.shape[0], out_h, out_w, W.shape[3]), x)
        return run_backward(dy, x, W, stride, padding, need_dx, state.columns, relu_output, pool)
    relu_output = check.relu_output(state.relu_output, (x.shape[0], W.shape[3], out_h, out_w), x)
    be = backend_for(x)
    pixels, taps, filters = out_h * out_w, W.shape[0] * W.shape[1] * W.shape[2], W.shape[3]
    kept = be.empty(0, x.dtype) if state.columns is None else state.columns
    if kept.size not in (0, x.shape[0] * (taps + 1) * pixels):
        raise ValueError("the state's columns do not match x and W")
    dx = be.empty(x.shape if need_dx else (1, 1, 1, 1), x.dtype)
    dW, db = be.empty(W.shape, x.dtype), be.empty((filters,), x.dtype)
    blocks = thread_blocks(x.shape[0])
    workspace = scratch("conv_block.backward", (blocks, (2 * taps + 1 + filters) * pixels), x.dtype, be)
    partial = scratch("conv.partial_gradients", (blocks, taps + 1, filters), x.dtype, be)
    be.conv_block.backward(dy, x, W, relu_output, sh, sw, top, left, *pool[0], dx, dW, db, workspace, partial,
                           bool(need_dx), kept)
    return (dx if need_dx else None), dW, db
