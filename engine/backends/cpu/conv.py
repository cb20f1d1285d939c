"""2-D convolution kernels on NHWC images (lecture 004 §5, lecture 002).

The lecture's convolution is a cross-correlation (the kernel is not flipped):

    y[n, i, j, f] = b[f] + Σ_{u, v, c} x[n, i·s_h + u − p_top, j·s_w + v − p_left, c] · W[u, v, c, f]

with zeros outside the image. Each sample is unrolled into a matrix whose
row p = (i, j) holds the receptive field of output pixel p in the order
(u, v, c) — *im2col* — so that the whole convolution of that sample is one
matrix product with W reshaped to (KH·KW·C, F). Samples are split into one
block per thread; each block reuses one im2col buffer from ``workspace``
(blocks, OH·OW, KH·KW·C) for all its samples, so no memory is allocated per
step and BLAS sees large, cache-friendly products.
"""

import numpy as np
from numba import njit, prange


@njit(cache=True)
def im2col(x, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_w, col):
    """Fill col[p, (u·KW + v)·C + c] with the receptive field of output pixel p of sample n."""
    height, width, channels = x.shape[1], x.shape[2], x.shape[3]
    for p in range(col.shape[0]):
        i, j = p // out_w, p % out_w
        for u in range(kh):
            row = i * stride_h + u - pad_top
            for v in range(kw):
                column = j * stride_w + v - pad_left
                base = (u * kw + v) * channels
                inside = 0 <= row < height and 0 <= column < width
                for c in range(channels):
                    col[p, base + c] = x[n, row, column, c] if inside else 0


@njit(cache=True)
def col2im_add(dcol, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_w, dx):
    """The adjoint of im2col: add each entry of dcol back to the pixel it was copied from."""
    height, width, channels = dx.shape[1], dx.shape[2], dx.shape[3]
    for p in range(dcol.shape[0]):
        i, j = p // out_w, p % out_w
        for u in range(kh):
            row = i * stride_h + u - pad_top
            if 0 <= row < height:
                for v in range(kw):
                    column = j * stride_w + v - pad_left
                    if 0 <= column < width:
                        base = (u * kw + v) * channels
                        for c in range(channels):
                            dx[n, row, column, c] += dcol[p, base + c]


@njit(parallel=True, cache=True)
def forward(x, W, b, stride_h, stride_w, pad_top, pad_left, y, workspace):
    """y = conv(x, W) + b for a batch; y is (N, OH, OW, F), preallocated."""
    n_samples, out_w, filters = x.shape[0], y.shape[2], W.shape[3]
    kh, kw = W.shape[0], W.shape[1]
    weights = W.reshape(kh * kw * W.shape[2], filters)
    blocks = workspace.shape[0]
    for blk in prange(blocks):
        col = workspace[blk]
        for n in range(blk * n_samples // blocks, (blk + 1) * n_samples // blocks):
            im2col(x, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_w, col)
            out = y[n].reshape(col.shape[0], filters)
            np.dot(col, weights, out)
            for p in range(out.shape[0]):
                for f in range(filters):
                    out[p, f] += b[f]


@njit(parallel=True, cache=True)
def backward(x, W, dy, stride_h, stride_w, pad_top, pad_left, dx, dW, db, workspace, partial_dW, partial_db):
    """Gradients of the convolution for a batch, all three in one pass over the samples.

    ∂L/∂W = Σ_n col_nᵀ ∂L/∂y_n,  ∂L/∂b = Σ_{n,i,j} ∂L/∂y,  ∂L/∂x_n = col2im(∂L/∂y_n Wᵀ).
    Each thread block accumulates its own partial ∂L/∂W and ∂L/∂b; they are
    added at the end. ``workspace`` is (blocks, 2, OH·OW, KH·KW·C): one im2col
    buffer and one buffer for ∂L/∂col per block.
    """
    n_samples, out_w, filters = x.shape[0], dy.shape[2], W.shape[3]
    kh, kw = W.shape[0], W.shape[1]
    weights = W.reshape(kh * kw * W.shape[2], filters)
    blocks = workspace.shape[0]
    dx[:] = 0
    for blk in prange(blocks):
        col, dcol = workspace[blk, 0], workspace[blk, 1]
        grad_w, grad_b = partial_dW[blk], partial_db[blk]
        grad_w[:, :] = 0
        grad_b[:] = 0
        step = np.empty_like(grad_w)
        for n in range(blk * n_samples // blocks, (blk + 1) * n_samples // blocks):
            upstream = dy[n].reshape(col.shape[0], filters)
            im2col(x, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_w, col)
            np.dot(col.T, upstream, step)
            grad_w += step
            for p in range(upstream.shape[0]):
                for f in range(filters):
                    grad_b[f] += upstream[p, f]
            np.dot(upstream, weights.T, dcol)
            col2im_add(dcol, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_w, dx)
    dW4 = dW.reshape(weights.shape)
    dW4[:, :] = partial_dW[0]
    db[:] = partial_db[0]
    for blk in range(1, blocks):
        dW4 += partial_dW[blk]
        db += partial_db[blk]
