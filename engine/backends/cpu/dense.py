"""Dense (fully connected) kernels: y = x W + b (lecture 004 §5).

x is (N, D_in), W is (D_in, D_out), b is (D_out,). The matrix products go to
BLAS through ``np.dot``; the batch is split into one block of rows per thread.
"""

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def forward(x, W, b, y, blocks):
    """y = x W + b, one block of rows of x per thread."""
    n = x.shape[0]
    for blk in prange(blocks):
        r0, r1 = blk * n // blocks, (blk + 1) * n // blocks
        if r1 > r0:
            np.dot(x[r0:r1], W, y[r0:r1])
            for r in range(r0, r1):
                for j in range(W.shape[1]):
                    y[r, j] += b[j]


@njit(parallel=True, cache=True)
def backward_input(dy, W, dx, blocks):
    """∂L/∂x = ∂L/∂y Wᵀ."""
    n = dy.shape[0]
    for blk in prange(blocks):
        r0, r1 = blk * n // blocks, (blk + 1) * n // blocks
        if r1 > r0:
            np.dot(dy[r0:r1], W.T, dx[r0:r1])


@njit(parallel=True, cache=True)
def backward_params(x, dy, dW, db, partial_dW):
    """∂L/∂W = xᵀ ∂L/∂y and ∂L/∂b = Σ_n ∂L/∂y_n, one partial sum per thread block.

    ``partial_dW`` is a (blocks, D_in, D_out) scratch array: each block sums its
    own rows, and the blocks are added at the end (no two threads write the
    same memory).
    """
    n, blocks = x.shape[0], partial_dW.shape[0]
    for blk in prange(blocks):
        r0, r1 = blk * n // blocks, (blk + 1) * n // blocks
        if r1 > r0:
            np.dot(x[r0:r1].T, dy[r0:r1], partial_dW[blk])
        else:
            partial_dW[blk, :, :] = 0
    dW[:, :] = partial_dW[0]
    for blk in range(1, blocks):
        dW += partial_dW[blk]
    for j in prange(dy.shape[1]):
        total = 0.0
        for r in range(n):
            total += dy[r, j]
        db[j] = total
