"""2-D convolution kernels on NHWC images (lecture 004 §5, lecture 002).

The lecture's convolution is a cross-correlation (the kernel is not flipped):

    y[n, i, j, f] = b[f] + Σ_{u, v, c} x[n, i·s_h + u − p_top, j·s_w + v − p_left, c] · W[u, v, c, f]

with zeros outside the image. It becomes one matrix product per group of
samples by *im2col*: the receptive field of every output pixel p = (i, j) is
copied out as K = KH·KW·C values in the order (u, v, c), so that

    y (pixels, F) = cols (pixels, K) · W₂ (K, F),   W₂ = W reshaped to (K, F).

The columns are stored in one of two layouts, whichever copies faster:

- pixel-major, ``cols[p, tap]``: each (u, v) contributes C consecutive input
  values, a contiguous copy when there are many channels;
- tap-major, ``cols[tap, p]``: each tap (u, v, c) is a shifted copy of one
  input channel, a long run along an image row when there are few channels.

The bias rides along in the same products (the "bias trick"): ``cols`` gets one
more tap that is always 1 and W₂ one more row that is b, so the forward
product adds b and the weight-gradient product yields Σ ∂L/∂y = ∂L/∂b as its
last row.

Samples are split into one block per thread (``prange``); each block handles
``group`` samples per matrix product, so that BLAS sees large products even
for small images, and reuses its own scratch memory from ``workspace``
(blocks, group·pixels·K): nothing is allocated per step.
"""

import numpy as np
from numba import njit, prange

from . import pooling, runs


@njit(cache=True)
def _valid_range(offset, stride, size, count):
    """The j in [0, count) with 0 <= j·stride + offset < size, as a half-open range."""
    first = 0 if offset >= 0 else (-offset + stride - 1) // stride
    last = (size - 1 - offset) // stride + 1 if size - 1 - offset >= 0 else 0
    first = min(first, count)
    return first, max(min(last, count), first)


@njit(cache=True)
def im2col_pixels(x, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w, cols, row0):
    """cols[row0 + p, (u·KW + v)·C + c] = x[n, i·s_h + u − p_top, j·s_w + v − p_left, c], 0 outside;
    the last column, the bias tap, is 1.

    In NHWC the KW·C values under one kernel row are one contiguous run of an
    image row, so each (p, u) is a single copy (with zeros where the kernel
    hangs over the border).
    """
    height, width, channels = x.shape[1], x.shape[2], x.shape[3]
    image, flat = x.reshape(-1), cols.reshape(-1)
    run, stride = kw * channels, kh * kw * channels + 1
    for i in range(out_h):
        for j in range(out_w):
            start = (row0 + i * out_w + j) * stride
            flat[start + stride - 1] = 1
            first = j * stride_w - pad_left  # the image column under v = 0
            v0 = min(max(-first, 0), kw)
            v1 = max(min(width - first, kw), v0)  # columns v0..v1-1 are inside the image
            for u in range(kh):
                row = i * stride_h + u - pad_top
                target = start + u * run
                if row < 0 or row >= height:
                    runs.fill(flat, target, run, 0)
                    continue
                runs.fill(flat, target, v0 * channels, 0)
                source = ((n * height + row) * width + first + v0) * channels
                runs.copy(flat, target + v0 * channels, image, source, (v1 - v0) * channels, 1)
                runs.fill(flat, target + v1 * channels, (kw - v1) * channels, 0)


@njit(cache=True)
def im2col_taps(x, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w, cols, col0):
    """cols[(u·KW + v)·C + c, col0 + p]: the same values as ``im2col_pixels``, transposed."""
    height, width, channels = x.shape[1], x.shape[2], x.shape[3]
    image, flat, length = x.reshape(-1), cols.reshape(-1), cols.shape[1]
    runs.fill(flat, kh * kw * channels * length + col0, out_h * out_w, 1)
    for u in range(kh):
        for v in range(kw):
            j0, j1 = _valid_range(v - pad_left, stride_w, width, out_w)
            for c in range(channels):
                tap = ((u * kw + v) * channels + c) * length + col0
                for i in range(out_h):
                    row = i * stride_h + u - pad_top
                    target = tap + i * out_w
                    if row < 0 or row >= height:
                        runs.fill(flat, target, out_w, 0)
                        continue
                    runs.fill(flat, target, j0, 0)
                    source = ((n * height + row) * width + j0 * stride_w + v - pad_left) * channels + c
                    runs.copy(flat, target + j0, image, source, j1 - j0, stride_w * channels)
                    runs.fill(flat, target + j1, out_w - j1, 0)


@njit(cache=True)
def col2im_pixels(dcols, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w, dx, row0):
    """The adjoint of ``im2col_pixels``: add each entry back onto the pixel it was
    copied from, one run of KW·C values per (p, u)."""
    height, width, channels = dx.shape[1], dx.shape[2], dx.shape[3]
    image, flat = dx.reshape(-1), dcols.reshape(-1)
    run, stride = kw * channels, dcols.shape[1]
    for i in range(out_h):
        for j in range(out_w):
            start = (row0 + i * out_w + j) * stride
            first = j * stride_w - pad_left
            v0 = min(max(-first, 0), kw)
            v1 = max(min(width - first, kw), v0)
            for u in range(kh):
                row = i * stride_h + u - pad_top
                if 0 <= row < height:
                    target = ((n * height + row) * width + first + v0) * channels
                    runs.add(image, target, 1, flat, start + u * run + v0 * channels, (v1 - v0) * channels)


@njit(cache=True)
def col2im_taps(dcols, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w, dx, col0):
    """The adjoint of ``im2col_taps``."""
    height, width, channels = dx.shape[1], dx.shape[2], dx.shape[3]
    image, flat, length = dx.reshape(-1), dcols.reshape(-1), dcols.shape[1]
    for u in range(kh):
        for v in range(kw):
            j0, j1 = _valid_range(v - pad_left, stride_w, width, out_w)
            for c in range(channels):
                tap = ((u * kw + v) * channels + c) * length + col0
                for i in range(out_h):
                    row = i * stride_h + u - pad_top
                    if 0 <= row < height:
                        target = ((n * height + row) * width + j0 * stride_w + v - pad_left) * channels + c
                        runs.add(image, target, stride_w * channels, flat, tap + i * out_w + j0, j1 - j0)


@njit(cache=True)
def transpose(upstream, upstream_t):
    """upstream_t[f, p] = upstream[p, f], one filter at a time (strided reads, contiguous writes)."""
    pixels, filters = upstream.shape
    source, target = upstream.reshape(-1), upstream_t.reshape(-1)
    for f in range(filters):
        runs.copy(target, f * pixels, source, f, pixels, filters)


@njit(cache=True)
def weight_gradient_taps(cols, upstream_t, step):
    """step[t, f] = Σ_p cols[t, p] · upstream_t[f, p], for tap-major columns.

    With few taps and few filters BLAS spends more time packing this thin
    product than computing it; one dot product per (t, f), over two
    contiguous runs, is faster.
    """
    taps, pixels, filters = cols.shape[0], cols.shape[1], upstream_t.shape[0]
    flat_cols, flat_t = cols.reshape(-1), upstream_t.reshape(-1)
    for t in range(taps):
        for f in range(0, filters - 1, 2):  # two filters per pass over the tap's row
            step[t, f], step[t, f + 1] = runs.dot_pair(flat_cols, t * pixels, flat_t, f * pixels, (f + 1) * pixels,
                                                       pixels)
        if filters % 2:
            step[t, filters - 1] = runs.dot(flat_cols, t * pixels, flat_t, (filters - 1) * pixels, pixels)


@njit(cache=True)
def weights_with_bias(W, b):
    """W₂: the kernels W (KH, KW, C, F) as a (K + 1, F) matrix whose last row is b (the bias trick)."""
    taps, filters = W.shape[0] * W.shape[1] * W.shape[2], W.shape[3]
    weights = np.empty((taps + 1, filters), dtype=W.dtype)
    weights[:taps] = W.reshape(taps, filters)
    weights[taps] = b
    return weights


@njit(cache=True)
def sum_partial_gradients(partial, dW, db):
    """dW and db from the blocks' partial sums of [∂L/∂W₂; ∂L/∂b] (blocks, K + 1, F)."""
    total = partial[0].copy()
    for blk in range(1, partial.shape[0]):
        total += partial[blk]
    taps = total.shape[0] - 1
    dW.reshape(taps, total.shape[1])[:, :] = total[:taps]
    db[:] = total[taps]


@njit(cache=True)
def _carve(buffer, taps, pixels, tap_major):
    """The (taps, pixels) or (pixels, taps) matrix at the start of the flat ``buffer``."""
    if tap_major:
        return buffer[: taps * pixels].reshape(taps, pixels)
    return buffer[: taps * pixels].reshape(pixels, taps)


@njit(cache=True)
def _group_buffer(workspace, kept, blk, n0, per_sample):
    """Where the columns of the group starting at sample n0 live: in ``kept`` (all
    samples' columns, kept from the forward pass for the backward) or in this
    block's scratch."""
    if kept.size > 0:
        return kept[n0 * per_sample :]
    return workspace[blk]


@njit(cache=True)
def _unroll(x, n0, n1, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w, buffer, tap_major):
    """im2col of samples n0..n1-1, plus the bias tap, into one matrix carved from the flat ``buffer``."""
    taps, pixels = kh * kw * x.shape[3] + 1, (n1 - n0) * out_h * out_w
    cols = _carve(buffer, taps, pixels, tap_major)
    if tap_major:
        for n in range(n0, n1):
            im2col_taps(x, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w, cols,
                        (n - n0) * out_h * out_w)
    else:
        for n in range(n0, n1):
            im2col_pixels(x, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w, cols,
                          (n - n0) * out_h * out_w)
    return cols


@njit(cache=True)
def _upstream(dy, relu_output, pool, n0, n1, out_h, out_w, filters, scratch, spread_row):
    """∂L/∂z of samples n0..n1-1 as a (pixels, F) matrix, z = conv(x, W) + b:

    - dy itself, without ReLU or pooling;
    - dy · [y > 0] when a ReLU follows (``relu_output`` = y, not empty);
    - with ``pool`` (size_h, size_w, stride_h, stride_w), dy is the gradient of
      the pooled output: it is first spread back over the pixels of each image
      (fast path for windows that do not overlap, where stride = size).

    Formed in ``scratch`` (and ``spread_row``) whenever it is not dy itself.
    """
    pool_h, pool_w, pool_stride_h, pool_stride_w = pool
    first, last = n0 * out_h * out_w * filters, n1 * out_h * out_w * filters
    pixels = (n1 - n0) * out_h * out_w
    if pool_h == 0 and relu_output.size == 0:
        return dy.reshape(-1)[first:last].reshape(pixels, filters)
    target = scratch[: last - first]
    if pool_h == 0:
        runs.relu_gradient(target, dy.reshape(-1)[first:last], relu_output.reshape(-1)[first:last])
    elif pool_h == pool_stride_h and pool_w == pool_stride_w and relu_output.size > 0:
        for n in range(n0, n1):
            pooling.spread_masked_gradient(dy, n, relu_output, n, pool_h, pool_w, spread_row, target,
                                           (n - n0) * out_h * out_w * filters)
    else:
        images = target.reshape(n1 - n0, out_h, out_w, filters)
        for n in range(n0, n1):
            pooling.average_unpool_image(dy, n, images, n - n0, pool_h, pool_w, pool_stride_h, pool_stride_w)
        if relu_output.size > 0:
            runs.relu_gradient(target, target, relu_output.reshape(-1)[first:last])
    return target.reshape(pixels, filters)


@njit(parallel=True, cache=True)
def forward(x, W, b, stride_h, stride_w, pad_top, pad_left, y, workspace, staged, group, tap_major, kept, relu,
            pool, pooled):
    """y = conv(x, W) + b for a batch; y is (N, OH, OW, F), preallocated.

    If ``kept`` is not empty, the columns of every sample are left in it
    (N·pixels·(K + 1) values) for the backward pass, instead of in scratch.
    With ``relu`` each group's product goes to ``staged`` (blocks,
    group·pixels·F) and through ReLU into y while it is still in the cache:
    y = max(conv(x, W) + b, 0). With ``pool`` = (size_h, size_w,
    stride_h, stride_w) (all 0: none) each group's y is also average-pooled
    into ``pooled`` (N, PH, PW, F) while it is in the cache.
    """
    n_samples, out_h, out_w, filters = x.shape[0], y.shape[1], y.shape[2], W.shape[3]
    kh, kw, taps = W.shape[0], W.shape[1], W.shape[0] * W.shape[1] * W.shape[2]
    weights = weights_with_bias(W, b)
    outputs = y.reshape(n_samples * out_h * out_w, filters)
    blocks, per_sample = workspace.shape[0], out_h * out_w * (taps + 1)
    pool_h, pool_w, pool_stride_h, pool_stride_w = pool
    for blk in prange(blocks):
        window_rows = np.empty(out_w * filters, y.dtype)  # scratch of the pooling
        for n0 in range(blk * n_samples // blocks, (blk + 1) * n_samples // blocks, group):
            n1 = min(n0 + group, (blk + 1) * n_samples // blocks)
            cols = _unroll(x, n0, n1, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w,
                           _group_buffer(workspace, kept, blk, n0, per_sample), tap_major)
            out = outputs[n0 * out_h * out_w : n1 * out_h * out_w]
            product = staged[blk, : out.size].reshape(out.shape) if relu else out
            if tap_major:
                np.dot(cols.T, weights, product)
            else:
                np.dot(cols, weights, product)
            if relu:
                runs.relu(y.reshape(-1), n0 * out_h * out_w * filters, product.reshape(-1), out.size)
            if pool_h > 0:
                for n in range(n0, n1):
                    pooling.average_pool_image(y, n, pooled, n, pool_h, pool_w, pool_stride_h, pool_stride_w,
                                               window_rows)


@njit(parallel=True, cache=True)
def backward(x, W, dy, stride_h, stride_w, pad_top, pad_left, dx, dW, db, workspace, partial, transposed, masked,
             group, tap_major, need_dx, kept, relu_output, pool):
    """All three gradients of the convolution in one pass over the samples:

    [∂L/∂W₂; ∂L/∂b] = colsᵀ ∂L/∂y (the bias tap gives ∂L/∂b),  ∂L/∂x = col2im(∂L/∂y W₂ᵀ).

    ``workspace`` is (blocks, 2, group·pixels·(K + 1)): the columns of a group
    and their gradient. Each block sums its own [∂L/∂W₂; ∂L/∂b] into
    ``partial`` (blocks, K + 1, F); the blocks are added at the end.
    ``transposed`` (blocks, F·group·pixels) is scratch for ``weight_gradient_taps``.
    A non-empty ``relu_output`` is the y of a forward pass with ``relu``, and
    with ``pool`` (as in ``forward``; ``relu_output`` is then required) dy is
    the gradient of the pooled output: see ``_upstream``, which forms each
    group's ∂L/∂z in ``masked`` (blocks, group·pixels·F).
    ``need_dx=False`` skips ∂L/∂x (the first layer of a network needs none).
    A non-empty ``kept`` holds the columns the forward pass left there (same
    ``group``), so they are not unrolled again.
    """
    convolved = relu_output if pool[0] > 0 else dy  # an array of the convolution's output shape
    n_samples, out_h, out_w, filters = x.shape[0], convolved.shape[1], convolved.shape[2], W.shape[3]
    kh, kw, taps = W.shape[0], W.shape[1], W.shape[0] * W.shape[1] * W.shape[2]
    weights = W.reshape(taps, filters)
    blocks, per_sample = workspace.shape[0], out_h * out_w * (taps + 1)
    for blk in prange(blocks):
        grad = partial[blk]
        grad[:, :] = 0
        step = np.empty_like(grad)
        spread_row = np.empty(out_w * filters, x.dtype)  # scratch of _upstream
        for n0 in range(blk * n_samples // blocks, (blk + 1) * n_samples // blocks, group):
            n1 = min(n0 + group, (blk + 1) * n_samples // blocks)
            pixels = (n1 - n0) * out_h * out_w
            # upstreamᵀ (F, pixels), for tap-major columns only (``transposed`` is empty otherwise)
            upstream_t = transposed[blk, : filters * pixels if tap_major else 0].reshape(filters if tap_major else 0,
                                                                                         pixels)
            upstream = _upstream(dy, relu_output, pool, n0, n1, out_h, out_w, filters, masked[blk], spread_row)
            if kept.size > 0:
                cols = _carve(kept[n0 * per_sample :], taps + 1, pixels, tap_major)
            else:
                cols = _unroll(x, n0, n1, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w,
                               workspace[blk, 0], tap_major)
            if tap_major:
                transpose(upstream, upstream_t)
                weight_gradient_taps(cols, upstream_t, step)
            else:
                np.dot(cols.T, upstream, step)
            grad += step
            if not need_dx:
                continue
            for n in range(n0, n1):
                dx[n] = 0
            dcols = _carve(workspace[blk, 1], taps, pixels, tap_major)
            if tap_major:
                np.dot(weights, upstream_t, dcols)
                for n in range(n0, n1):
                    col2im_taps(dcols, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w, dx,
                                (n - n0) * out_h * out_w)
            else:
                np.dot(upstream, weights.T, dcols)
                for n in range(n0, n1):
                    col2im_pixels(dcols, n, stride_h, stride_w, pad_top, pad_left, kh, kw, out_h, out_w, dx,
                                  (n - n0) * out_h * out_w)
    sum_partial_gradients(partial, dW, db)
