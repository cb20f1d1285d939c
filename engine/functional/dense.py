"""Dense layer, functional form: y = x W + b (lecture 004 §5).

Shapes: x (N, D_in), W (D_in, D_out), b (D_out,), y (N, D_out).
"""

from .. import validation as check
from ..backends import backend_for
from .scratch import scratch, thread_blocks


def _check(x, W, b=None):
    x = check.float_array("x", x, ndim=2)
    W = check.float_array("W", W, ndim=2)
    check.non_empty_batch("x", x)
    if W.shape[0] != x.shape[1]:
        raise ValueError(
            f"W must have shape ({x.shape[1]}, D_out) to multiply x of shape {x.shape}, got {W.shape}"
        )
    if b is None:
        check.same_dtype(x=x, W=W)
        return x, W, None
    b = check.float_array("b", b, ndim=1)
    check.shape_equal("b", b, (W.shape[1],), "one bias per output unit")
    check.same_dtype(x=x, W=W, b=b)
    return x, W, b


def dense_forward(x, W, b, relu=False):
    """y = x W + b for a batch x of shape (N, D_in).

    With ``relu=True`` it returns ReLU(x W + b), the ReLU applied to each block
    of rows inside the kernel; the matching backward is
    ``dense_backward(..., relu_output=y)``. The Dense layer with
    ``activation="relu"`` works this way.
    """
    x, W, b = _check(x, W, b)
    be = backend_for(x)
    y = be.empty((x.shape[0], W.shape[1]), x.dtype)
    be.dense.forward(x, W, b, y, thread_blocks(x.shape[0]), bool(relu))
    return y


def dense_backward(dy, x, W, relu_output=None):
    """Gradients of y = x W + b given dy = ∂L/∂y.

    Returns (dx, dW, db) = (dy Wᵀ, xᵀ dy, Σ_n dy_n), shapes of x, W and b.
    ``relu_output`` is the y of ``dense_forward(..., relu=True)``: dy is then
    the gradient with respect to that ReLU's output, and the gradients are
    those of y = ReLU(x W + b) (ReLU'(0) = 0).
    """
    x, W, _ = _check(x, W)
    dy = check.float_array("dy", dy, ndim=2)
    check.shape_equal("dy", dy, (x.shape[0], W.shape[1]), "the shape of the forward output")
    check.same_dtype(dy=dy, x=x)
    if relu_output is None:
        relu_output = dy[:0]  # empty: no ReLU to undo
    else:
        relu_output = check.relu_output(relu_output, dy.shape, x)
    be = backend_for(x)
    blocks = thread_blocks(x.shape[0])
    dx = be.empty(x.shape, x.dtype)
    dW = be.empty(W.shape, x.dtype)
    db = be.empty((W.shape[1],), x.dtype)
    partial_dW = scratch("dense.partial_dW", (blocks,) + W.shape, x.dtype, be)
    partial_db = scratch("dense.partial_db", (blocks, W.shape[1]), x.dtype, be)
    gated = scratch("dense.gated_upstream", dy.shape if relu_output.size else (0, dy.shape[1]), x.dtype, be)
    be.dense.backward(dy, x, W, relu_output, dx, dW, db, partial_dW, partial_db, gated)
    return dx, dW, db
