"""Convolution, ReLU and average pooling in one pass, filter by filter: the
kernels of a network's first block, where the input has few channels.

With a few input channels (a grey or colour image) the im2col matrix of a
sample has few rows, K + 1 = KH·KW·C + 1 (10 for a 3×3 kernel on one channel),
and the matrix product y = colsᵀ·W₂ is too thin for BLAS to run well. Here
each filter's output image is built as a sum of K + 1 rows of cols, each
scaled by one weight (long, vectorised loops), then rectified and pooled while
it is in the cache:

    y[f, p] = ReLU(Σ_t W₂[t, f] · cols[t, p]),   pooled[i, j, f] = mean of y[f] over window (i, j).

The ReLU output is kept filter-major, (N, F, OH, OW), for the backward pass:
there ∂L/∂z[f, p] is formed along the same rows, and the weight gradient is a
dot product per (tap, filter) of two contiguous rows. Pooling windows tile
the image (stride = size); pixels that no window reaches get no gradient.
"""

import numpy as np
from numba import njit, prange

from . import runs
from .conv import col2im_taps, im2col_taps, sum_partial_gradients, weight_gradient_taps, weights_with_bias


@njit(cache=True)
def _filter_image(cols, weights, f, row):
    """row[p] = Σ_t weights[t, f] · cols[t, p]: the pre-activation image of filter f,
    two taps per pass over the row (half the loads and stores of one tap per pass)."""
    taps, pixels = cols.shape
    flat, count = cols.reshape(-1), np.uint64(pixels)
    runs.fill(row, 0, pixels, 0)
    for t in range(0, taps - 1, 2):
        first, second = np.uint64(t * pixels), np.uint64((t + 1) * pixels)
        w1, w2 = weights[t, f], weights[t + 1, f]
        for p in range(count):
            row[p] += w1 * flat[first + p] + w2 * flat[second + p]
    if taps % 2:
        last, weight = np.uint64((taps - 1) * pixels), weights[taps - 1, f]
        for p in range(count):
            row[p] += weight * flat[last + p]


@njit(cache=True)
def _pool_filter_image(image, start, out_w, size_h, size_w, window_row, pooled, n, f):
    """pooled[n, i, j, f] = mean of the single-channel image (rows of out_w values from
    ``start`` in the flat ``image``) over the window (i, j). The window's rows are first
    added as whole rows into ``window_row`` (out_w values)."""
    pooled_h, pooled_w, filters = pooled.shape[1], pooled.shape[2], pooled.shape[3]
    scale = image.dtype.type(1 / (size_h * size_w))
    target = pooled.reshape(-1)
    for i in range(pooled_h):
        first = start + i * size_h * out_w
        runs.copy(window_row, 0, image, first, out_w, 1)
        for u in range(1, size_h):
            runs.add(window_row, 0, 1, image, first + u * out_w, out_w)
        out = (n * pooled_h + i) * pooled_w * filters + f
        for j in range(pooled_w):
            total = window_row[j * size_w]
            for v in range(1, size_w):
                total += window_row[j * size_w + v]
            target[out + j * filters] = total * scale


@njit(parallel=True, cache=True)
def forward(x, W, b, stride_h, stride_w, pad_top, pad_left, relu_output, pooled, size_h, size_w, workspace, kept):
    """pooled = avg_pool(ReLU(conv(x, W) + b)); relu_output (N, F, OH, OW) receives the ReLU output.

    ``workspace`` (blocks, (K + 2)·OH·OW + OW) holds a sample's columns, one
    filter image and one row; a non-empty ``kept`` (N·(K + 1)·OH·OW) keeps every sample's
    columns for the backward pass instead.
    """
    n_samples, filters, out_h, out_w = x.shape[0], W.shape[3], relu_output.shape[2], relu_output.shape[3]
    kh, kw, taps, pixels = W.shape[0], W.shape[1], W.shape[0] * W.shape[1] * W.shape[2], out_h * out_w
    weights = weights_with_bias(W, b)
    outputs, blocks = relu_output.reshape(-1), workspace.shape[0]
    for blk in prange(blocks):
        row = workspace[blk, (taps + 1) * pixels : (taps + 2) * pixels]
        window_row = workspace[blk, (taps + 2) * pixels :]
        for n in range(blk * n_samples // blocks, (blk + 1) * n_samples // blocks):
            source = kept[n * (taps + 1) * pixels :] if kept.size > 0 else workspace[blk]
            cols = source[: (taps + 1) * pixels].reshape(taps + 1, pixels)
            im2col_taps(x, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w, cols, 0)
            for f in range(filters):
                _filter_image(cols, weights, f, row)
                start = (n * filters + f) * pixels
                runs.relu(outputs, start, row, pixels)
                _pool_filter_image(outputs, start, out_w, size_h, size_w, window_row, pooled, n, f)


@njit(cache=True)
def _filter_gradient(dy, n, f, relu_output, size_h, size_w, spread_row, target):
    """target[p] = ∂L/∂z[n, f, p]: dy[n, i, j, f] / (size_h·size_w) over window (i, j),
    times [y > 0]; 0 where no window reaches. Each pooled row is spread over one
    image row (``spread_row``, OW values) that then serves its size_h rows."""
    pooled_h, pooled_w, filters = dy.shape[1], dy.shape[2], dy.shape[3]
    out_h, out_w = relu_output.shape[2], relu_output.shape[3]
    upstream, mask = dy.reshape(-1), relu_output.reshape(-1)
    start, covered = (n * filters + f) * out_h * out_w, pooled_w * size_w
    runs.fill(spread_row, covered, out_w - covered, 0)
    for i in range(pooled_h):
        source = (n * pooled_h + i) * pooled_w * filters + f
        for j in range(pooled_w):
            runs.fill(spread_row, j * size_w, size_w, upstream[source + j * filters])
        for u in range(size_h):
            row = (i * size_h + u) * out_w
            runs.scaled_mask(target, row, spread_row, mask, start + row, out_w, 1 / (size_h * size_w))
    runs.fill(target, pooled_h * size_h * out_w, (out_h - pooled_h * size_h) * out_w, 0)


@njit(parallel=True, cache=True)
def backward(dy, x, W, relu_output, stride_h, stride_w, pad_top, pad_left, size_h, size_w, dx, dW, db, workspace,
             partial, need_dx, kept):
    """Gradients (dx, dW, db) of ``forward`` given dy = ∂L/∂pooled (N, PH, PW, F).

    ``workspace`` (blocks, (K + 1 + F + K)·OH·OW) holds a sample's columns, its
    ∂L/∂z (F, OH·OW) and the columns' gradient; ``partial`` (blocks, K + 1, F)
    the sums of each block, added at the end.
    """
    n_samples, filters, out_h, out_w = x.shape[0], W.shape[3], relu_output.shape[2], relu_output.shape[3]
    kh, kw, taps, pixels = W.shape[0], W.shape[1], W.shape[0] * W.shape[1] * W.shape[2], out_h * out_w
    weights, blocks = W.reshape(taps, filters), workspace.shape[0]
    for blk in prange(blocks):
        grad = partial[blk]
        grad[:, :] = 0
        step = np.empty_like(grad)
        spread_row = np.empty(out_w, dy.dtype)
        scratch = workspace[blk]
        upstream_t = scratch[(taps + 1) * pixels : (taps + 1 + filters) * pixels].reshape(filters, pixels)
        for n in range(blk * n_samples // blocks, (blk + 1) * n_samples // blocks):
            if kept.size > 0:
                cols = kept[n * (taps + 1) * pixels : (n + 1) * (taps + 1) * pixels].reshape(taps + 1, pixels)
            else:
                cols = scratch[: (taps + 1) * pixels].reshape(taps + 1, pixels)
                im2col_taps(x, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w, cols, 0)
            for f in range(filters):
                _filter_gradient(dy, n, f, relu_output, size_h, size_w, spread_row, upstream_t[f])
            weight_gradient_taps(cols, upstream_t, step)
            grad += step
            if need_dx:
                dcols = scratch[(taps + 1 + filters) * pixels : (2 * taps + 1 + filters) * pixels].reshape(taps,
                                                                                                          pixels)
                np.dot(weights, upstream_t, dcols)
                dx[n] = 0
                col2im_taps(dcols, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w, dx, 0)
    sum_partial_gradients(partial, dW, db)
