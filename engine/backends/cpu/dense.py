"""Dense (fully connected) kernels: y = x W + b (lecture 004 §5).

x is (N, D_in), W is (D_in, D_out), b is (D_out,). The matrix products go to
BLAS through ``np.dot``; the batch is split into one block of rows per thread.
Both kernels can include a ReLU after the layer (``Dense(..., activation="relu")``):
the forward pass applies it to each block of y, the backward pass masks ∂L/∂y with
[y > 0] block by block.
"""

import numpy as np
from numba import njit, prange

from . import runs


@njit(parallel=True, cache=True)
def forward(x, W, b, y, blocks, relu):
    """y = x W + b (then max(y, 0) with ``relu``), one block of rows of x per thread."""
    n = x.shape[0]
    for blk in prange(blocks):
        r0, r1 = blk * n // blocks, (blk + 1) * n // blocks
        if r1 > r0:
            np.dot(x[r0:r1], W, y[r0:r1])
            for r in range(r0, r1):
                for j in range(W.shape[1]):
                    y[r, j] += b[j]
            if relu:  # (in place: not vectorised, but y is small)
                rows = y[r0:r1].reshape(-1)
                runs.relu(rows, 0, rows, rows.size)


@njit(parallel=True, cache=True)
def backward(dy, x, W, relu_output, dx, dW, db, partial_dW, partial_db, gated):
    """All three gradients in one pass over blocks of rows:

    ∂L/∂x = ∂L/∂z Wᵀ,  ∂L/∂W = xᵀ ∂L/∂z,  ∂L/∂b = Σ_n ∂L/∂z_n,

    with ∂L/∂z = dy, or dy · [y > 0] when ``relu_output`` (y) is not empty; that
    product is formed in ``gated`` (N, D_out). Each block sums its own rows of
    ∂L/∂W and ∂L/∂b: the first block into dW and db, block k into
    ``partial_dW[k]`` (D_in, D_out) and ``partial_db[k]`` (D_out,); the blocks
    are added at the end (no two threads write the same memory).
    """
    n, blocks, units = x.shape[0], partial_dW.shape[0], W.shape[1]
    for blk in prange(blocks):
        r0, r1 = blk * n // blocks, (blk + 1) * n // blocks
        weight_sum = dW if blk == 0 else partial_dW[blk]
        bias_sum = db if blk == 0 else partial_db[blk]
        bias_sum[:] = 0
        if r1 <= r0:
            weight_sum[:, :] = 0
            continue
        upstream = dy[r0:r1]
        if relu_output.size > 0:
            runs.relu_gradient(gated[r0:r1].reshape(-1), dy[r0:r1].reshape(-1), relu_output[r0:r1].reshape(-1))
            upstream = gated[r0:r1]
        np.dot(upstream, W.T, dx[r0:r1])
        np.dot(x[r0:r1].T, upstream, weight_sum)
        for r in range(r1 - r0):
            for j in range(units):
                bias_sum[j] += upstream[r, j]
    for blk in range(1, blocks):
        dW += partial_dW[blk]
        db += partial_db[blk]
