"""Dense (fully connected) kernels on the GPU: y = x W + b (lecture 004 §5).

x is (N, D_in), W is (D_in, D_out), b is (D_out,). Both passes can include a ReLU
after the layer (``Dense(..., activation="relu")``): the forward pass applies it as
the matrix product writes y, the backward pass masks ∂L/∂y with [y > 0] first.

Launch plan: the products go to the tiled shared-memory product of ``matmul``
(one 16×16 block per 16×16 tile of the result), the bias and the ReLU being added
by the same kernel as it writes y. The backward pass is the gate (one thread per
element, only with a ReLU), two products (∂L/∂z Wᵀ and xᵀ ∂L/∂z, with transposed
reads instead of transposed copies) and a column sum for ∂L/∂b.
"""

from numba import cuda

from .launch import elementwise
from .matmul import column_sums, matmul


def forward(x, W, b, y, blocks, relu):
    """y = x W + b (then max(y, 0) with ``relu``) in one tiled product; ``blocks`` (CPU threads) is ignored."""
    matmul(x, W, y, bias=b, relu=relu)


# Thread i computes gated[i] (the arrays seen flat).
@cuda.jit(cache=True)
def _relu_gate(dy, relu_output, gated):
    i = cuda.grid(1)
    if i < gated.size:
        gated[i] = dy[i] if relu_output[i] > 0 else dy.dtype.type(0)


def backward(dy, x, W, relu_output, dx, dW, db, partial_dW, partial_db, gated):
    """The three gradients:

    ∂L/∂x = ∂L/∂z Wᵀ,  ∂L/∂W = xᵀ ∂L/∂z,  ∂L/∂b = Σ_n ∂L/∂z_n,

    with ∂L/∂z = dy, or dy · [y > 0] when ``relu_output`` (y) is not empty; that
    product is formed in ``gated`` (N, D_out). The CPU's per-thread partial sums
    ``partial_dW`` and ``partial_db`` are not used: each element of dW and db is
    summed by one thread (dW) or one block (db).
    """
    upstream = dy
    if relu_output.size > 0:
        size = dy.size
        _relu_gate[elementwise(size)](dy.reshape(size), relu_output.reshape(size), gated.reshape(size))
        upstream = gated
    matmul(upstream, W, dx, transpose_b=True)
    matmul(x, upstream, dW, transpose_a=True)
    column_sums(upstream, db)
