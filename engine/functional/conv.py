"""2-D convolution on NHWC images, functional form (lecture 004 §5, lecture 002).

x is (N, H, W, C), the kernel W is (KH, KW, C, F), the bias b is (F,) and the
output is (N, OH, OW, F). The operation is a cross-correlation — the kernel is
*not* flipped:

    y[n, i, j, f] = b[f] + Σ_{u, v, c} x_pad[n, i·s_h + u, j·s_w + v, c] · W[u, v, c, f]

``padding`` is an int, a pair (rows, columns), or a name:

- ``"valid"``: no padding;
- ``"same"``: output size ceil(H / s); total padding max((OH − 1)·s + KH − H, 0),
  split with the odd pixel at the bottom/right (as Keras);
- ``"full"``: KH − 1 rows (KW − 1 columns) on each side.

Output size: OH = floor((H + pad_total − KH) / s) + 1. A kernel larger than
the padded input is an error, never an empty result.
"""

from __future__ import annotations

import functools
import numbers

from .. import validation as check
from ..backends import backend_for
from .scratch import scratch, thread_blocks

PADDING_NAMES = ("valid", "same", "full")
GROUP_ELEMENTS = 1 << 16  # im2col scratch per thread: 256 KiB of float32, a quarter of an L2 cache
TAP_MAJOR_BELOW_CHANNELS = 4  # few channels: copy each input channel along image rows


def resolve_padding(padding, input_hw, kernel_hw, stride_hw):
    """Turn ``padding`` into ((top, bottom), (left, right)) pixel counts."""
    if isinstance(padding, str):
        if padding not in PADDING_NAMES:
            raise ValueError(f"padding must be an int, a pair or one of {PADDING_NAMES}, got {padding!r}")
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "full":
            return (kernel_hw[0] - 1,) * 2, (kernel_hw[1] - 1,) * 2
        sides = []
        for size, k, s in zip(input_hw, kernel_hw, stride_hw):
            out = -(-size // s)
            total = max((out - 1) * s + k - size, 0)
            sides.append((total // 2, total - total // 2))
        return tuple(sides)
    if isinstance(padding, bool) or not (
        isinstance(padding, numbers.Integral)
        or (isinstance(padding, (tuple, list)) and len(padding) == 2)
    ):
        raise TypeError(f"padding must be an int, a pair of ints or one of {PADDING_NAMES}, got {padding!r}")
    rows, cols = check.int_pair("padding", padding, minimum=0)
    return (rows, rows), (cols, cols)


def output_size(size, kernel, stride, pad_before, pad_after, what="input"):
    padded = size + pad_before + pad_after
    if kernel > padded:
        raise ValueError(
            f"kernel size {kernel} is larger than the padded {what} size {padded} "
            f"({size} + padding {pad_before}+{pad_after})"
        )
    return (padded - kernel) // stride + 1


def conv2d_geometry(x_shape, w_shape, stride, padding):
    """Stride pair, padding (top, left) and output (OH, OW) of a convolution.

    Remembered for plain arguments (ints, tuples of ints, names): a training
    step asks for the same few geometries again and again.
    """
    if check.plain_key(stride) and check.plain_key(padding):
        return _remembered_geometry(tuple(x_shape), tuple(w_shape), stride, padding)
    return _geometry(x_shape, w_shape, stride, padding)


@functools.lru_cache(maxsize=256)
def _remembered_geometry(x_shape, w_shape, stride, padding):
    return _geometry(x_shape, w_shape, stride, padding)


def _geometry(x_shape, w_shape, stride, padding):
    stride_hw = check.int_pair("stride", stride)
    (top, bottom), (left, right) = resolve_padding(padding, x_shape[1:3], w_shape[:2], stride_hw)
    out_h = output_size(x_shape[1], w_shape[0], stride_hw[0], top, bottom, "input height")
    out_w = output_size(x_shape[2], w_shape[1], stride_hw[1], left, right, "input width")
    return stride_hw, (top, left), (out_h, out_w)


def _check(x, W, b=None):
    x = check.float_array("x", x, ndim=4)
    W = check.float_array("W", W, ndim=4)
    check.non_empty_batch("x", x)
    if W.shape[2] != x.shape[3]:
        raise ValueError(
            f"W must have shape (KH, KW, {x.shape[3]}, F): its third axis must match the "
            f"{x.shape[3]} channels of x {x.shape}, got {W.shape}"
        )
    if min(W.shape) == 0 or min(x.shape[1:]) == 0:
        raise ValueError(f"x {x.shape} and W {W.shape} must have no empty axis")
    if b is None:
        check.same_dtype(x=x, W=W)
        return x, W, None
    b = check.float_array("b", b, ndim=1)
    check.shape_equal("b", b, (W.shape[3],), "one bias per filter")
    check.same_dtype(x=x, W=W, b=b)
    return x, W, b


def _columns_per_sample(w_shape, out_hw):
    """Values in one sample's im2col: a row of KH·KW·C taps plus the bias tap per output pixel."""
    return out_hw[0] * out_hw[1] * (w_shape[0] * w_shape[1] * w_shape[2] + 1)


def _im2col_plan(x_shape, w_shape, out_hw):
    """(blocks, samples per matrix product, tap-major layout?, scratch elements per block)."""
    blocks = thread_blocks(x_shape[0])
    per_sample = _columns_per_sample(w_shape, out_hw)
    samples_per_block = -(-x_shape[0] // blocks)
    group = max(1, min(GROUP_ELEMENTS // per_sample, samples_per_block))
    return blocks, group, x_shape[3] < TAP_MAJOR_BELOW_CHANNELS, group * per_sample


class Columns:
    """The im2col matrices of a forward pass, kept for its backward pass (see ``keep_columns``)."""

    def __init__(self, values, plan):
        self.values, self.plan = values, plan


NO_POOL = (0, 0, 0, 0)  # the kernels' "no pooling epilogue"


def conv2d_forward(x, W, b, stride=1, padding=0, keep_columns=False, relu=False):
    """The convolution of a batch x (N, H, W, C) with kernels W (KH, KW, C, F) plus b (F,).

    With ``relu=True`` it returns ReLU(conv(x, W) + b), the ReLU applied to each
    block of the output while that is still in the cache; the matching backward
    is ``conv2d_backward(..., relu_output=y)``. The Conv2D layer with
    ``activation="relu"`` works this way.

    With ``keep_columns=True`` it returns ``(y, columns)``: the unrolled input
    (N·OH·OW·(KH·KW·C + 1) values), which ``conv2d_backward(..., columns=columns)``
    then reuses instead of unrolling x again. The Conv2D layer does this when
    the columns are small enough.
    """
    x, W, b = _check(x, W, b)
    y, _, columns = run_forward(x, W, b, stride, padding, keep_columns, relu, pool=None)
    return (y, columns) if keep_columns else y


def run_forward(x, W, b, stride, padding, keep_columns, relu, pool):
    """The forward kernel on checked arrays: (y, pooled or None, columns or None).

    ``pool`` is None or ((size_h, size_w), (stride_h, stride_w)) of an average
    pooling applied to y block by block (``engine.functional.conv_block``).
    """
    (sh, sw), (top, left), (out_h, out_w) = conv2d_geometry(x.shape, W.shape, stride, padding)
    be = backend_for(x)
    plan = _im2col_plan(x.shape, W.shape, (out_h, out_w))
    blocks, group, tap_major, elements = plan
    y = be.empty((x.shape[0], out_h, out_w, W.shape[3]), x.dtype)
    pooled = y[:0] if pool is None else be.empty(_pooled_shape(y.shape, pool), x.dtype)
    workspace = scratch("conv.columns", (blocks, elements), x.dtype, be)
    staged = scratch("conv.staged_output", (blocks, group * out_h * out_w * W.shape[3] if relu else 0), x.dtype, be)
    kept = be.empty(x.shape[0] * _columns_per_sample(W.shape, (out_h, out_w)) if keep_columns else 0, x.dtype)
    be.conv.forward(x, W, b, sh, sw, top, left, y, workspace, staged, group, tap_major, kept, bool(relu),
                    NO_POOL if pool is None else pool[0] + pool[1], pooled)
    return y, (None if pool is None else pooled), (Columns(kept, plan) if keep_columns else None)


def _pooled_shape(shape, pool):
    (size_h, size_w), (stride_h, stride_w) = pool
    return (shape[0], (shape[1] - size_h) // stride_h + 1, (shape[2] - size_w) // stride_w + 1, shape[3])


def columns_bytes(x_shape, w_shape, stride=1, padding=0, itemsize=4):
    """How much memory ``keep_columns=True`` would keep for a batch of this shape."""
    _, _, out_hw = conv2d_geometry(x_shape, w_shape, stride, padding)
    return x_shape[0] * _columns_per_sample(w_shape, out_hw) * itemsize


def conv2d_backward(dy, x, W, stride=1, padding=0, need_dx=True, columns=None, relu_output=None):
    """Gradients (dx, dW, db) of the convolution, given dy = ∂L/∂y of shape (N, OH, OW, F).

    With ``need_dx=False`` the input gradient is skipped and returned as None
    (a network's first layer needs none: its input is the data). ``columns``
    are those kept by ``conv2d_forward(..., keep_columns=True)`` on the same x and W.
    ``relu_output`` is the y of ``conv2d_forward(..., relu=True)``: dy is then
    the gradient with respect to that ReLU's output, and the gradients are
    those of y = ReLU(conv(x, W) + b) (ReLU'(0) = 0).
    """
    x, W, _ = _check(x, W)
    _, _, (out_h, out_w) = conv2d_geometry(x.shape, W.shape, stride, padding)
    dy = check.float_array("dy", dy, ndim=4)
    check.shape_equal("dy", dy, (x.shape[0], out_h, out_w, W.shape[3]), "the shape of the forward output")
    check.same_dtype(dy=dy, x=x)
    if relu_output is not None:
        relu_output = check.relu_output(relu_output, dy.shape, x)
    return run_backward(dy, x, W, stride, padding, need_dx, columns, relu_output, pool=None)


def run_backward(dy, x, W, stride, padding, need_dx, columns, relu_output, pool):
    """The backward kernel on checked arrays (``pool`` as in ``run_forward``; with a pool,
    dy is the pooled output's gradient and ``relu_output`` is required)."""
    (sh, sw), (top, left), (out_h, out_w) = conv2d_geometry(x.shape, W.shape, stride, padding)
    if relu_output is None:
        relu_output = dy[:0]  # empty: no ReLU to undo
    be = backend_for(x)
    plan = _im2col_plan(x.shape, W.shape, (out_h, out_w))
    blocks, group, tap_major, elements = plan
    if columns is None:
        kept = be.empty(0, x.dtype)
    elif not isinstance(columns, Columns) or columns.plan != plan or columns.values.dtype != x.dtype:
        raise ValueError("columns must come from conv2d_forward(..., keep_columns=True) on the same x and W")
    else:
        kept = columns.values
    taps, filters = W.shape[0] * W.shape[1] * W.shape[2], W.shape[3]
    dx = be.empty(x.shape if need_dx else (1, 1, 1, 1), x.dtype)
    dW = be.empty(W.shape, x.dtype)
    db = be.empty((filters,), x.dtype)
    work = scratch("conv.columns_and_gradient", (blocks, 2, elements), x.dtype, be)
    partial = scratch("conv.partial_gradients", (blocks, taps + 1, filters), x.dtype, be)
    transposed = scratch("conv.transposed_upstream", (blocks, filters * group * out_h * out_w if tap_major else 0),
                         x.dtype, be)
    gated = relu_output.size > 0 or pool is not None
    masked = scratch("conv.masked_upstream", (blocks, group * out_h * out_w * filters if gated else 0), x.dtype, be)
    be.conv.backward(x, W, dy, sh, sw, top, left, dx, dW, db, work, partial, transposed, masked, group, tap_major,
                     bool(need_dx), kept, relu_output, NO_POOL if pool is None else pool[0] + pool[1])
    return (dx if need_dx else None), dW, db
