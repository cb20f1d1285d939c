"""Batch normalisation kernels (lecture 003 "Batch Norm", 004 §4).

Every kernel sees the activations as a flat array of M rows × C channels: dense
activations (N, D) have M = N, NHWC images (N, H, W, C) have M = N·H·W, and the
statistics of a channel are over its M values. The rows are split into one
block per parallel task; each block keeps per-channel partial sums, combined
at the end in a fixed order (so results do not depend on timing). Within a
block the rows are walked in chunks small enough to stay in the L1 cache: the
variance is the two-pass Σ(x − m)² of each chunk around its own mean, chunks
combined with Chan's formula, so no sum of squares ever cancels. Sums are in
the arrays' dtype. Loops over channels use unsigned indices so LLVM
vectorises them (see ``runs``).

The ``*_dropout`` kernels fuse an inverted dropout after the normalisation
(``engine.backends.cpu.dropout``, same mask and values as running the two
one after the other): the forward drops each chunk while it is in the cache,
the backward forms dy = dz·η/p_keep on the fly, so the dropout's input and
gradient are never written to memory.
"""

import numpy as np
from numba import njit, prange

from .dropout import draw_mask


@njit(cache=True)
def chunk_rows(channels):
    """Rows per chunk: about 4096 values, a chunk of float64 fits in 32 KiB."""
    return max(1, 4096 // channels)


@njit(cache=True)
def block_bounds(rows, blocks, b):
    """Rows [lo, hi) of block b when ``rows`` rows are split into ``blocks`` nearly equal blocks."""
    return b * rows // blocks, (b + 1) * rows // blocks


@njit(cache=True)
def _block_moments(x, channels, lo, hi, mean, m2):
    """mean[c], m2[c] = mean and Σ (x − mean)² of channel c over rows [lo, hi) (Chan et al.'s
    combination of the chunks' two-pass moments)."""
    C = np.uint64(channels)
    chunk_mean, chunk_m2 = np.zeros(channels, x.dtype), np.zeros(channels, x.dtype)
    mean[:] = 0
    m2[:] = 0
    seen = 0
    step = chunk_rows(channels)
    for r0 in range(lo, hi, step):
        r1 = min(r0 + step, hi)
        count = r1 - r0
        chunk_mean[:] = 0
        chunk_m2[:] = 0
        for r in range(np.uint64(r0), np.uint64(r1)):
            for c in range(C):
                chunk_mean[c] += x[r * C + c]
        chunk_mean *= x.dtype.type(1 / count)
        for r in range(np.uint64(r0), np.uint64(r1)):
            for c in range(C):
                centred = x[r * C + c] - chunk_mean[c]
                chunk_m2[c] += centred * centred
        total = seen + count
        weight, cross = x.dtype.type(count / total), x.dtype.type(seen * count / total)
        for c in range(C):
            delta = chunk_mean[c] - mean[c]
            mean[c] += delta * weight
            m2[c] += chunk_m2[c] + delta * delta * cross
        seen = total


@njit(parallel=True, cache=True)
def moments(x, channels, blocks, mean, var):
    """Per channel over the M rows of flat x: μ = (1/M) Σ x and the biased σ² = (1/M) Σ (x − μ)²."""
    rows = x.size // channels
    block_mean, block_m2 = np.empty((blocks, channels), x.dtype), np.empty((blocks, channels), x.dtype)
    for b in prange(blocks):
        lo, hi = block_bounds(rows, blocks, b)
        _block_moments(x, channels, lo, hi, block_mean[b], block_m2[b])
    for c in range(channels):  # combine the blocks (Chan et al.), in block order
        seen, mu, m2 = 0, x.dtype.type(0), x.dtype.type(0)
        for b in range(blocks):
            lo, hi = block_bounds(rows, blocks, b)
            count = hi - lo
            if count > 0:
                total = seen + count
                delta = block_mean[b, c] - mu
                mu += delta * x.dtype.type(count / total)
                m2 += block_m2[b, c] + delta * delta * x.dtype.type(seen * count / total)
                seen = total
        mean[c], var[c] = mu, m2 / x.dtype.type(rows)


@njit(cache=True)
def _block_affine(x, channels, lo, hi, centre, scale, shift, y):
    C = np.uint64(channels)
    for r in range(np.uint64(lo), np.uint64(hi)):
        for c in range(C):
            y[r * C + c] = (x[r * C + c] - centre[c]) * scale[c] + shift[c]


@njit(cache=True)
def _block_affine_dropout(x, channels, lo, hi, centre, scale, shift, mask, p_keep, y):
    C = np.uint64(channels)
    for r in range(np.uint64(lo), np.uint64(hi)):
        for c in range(C):
            y[r * C + c] = ((x[r * C + c] - centre[c]) * scale[c] + shift[c]) * mask[r * C + c] / p_keep


@njit(parallel=True, cache=True)
def affine_dropout(x, channels, blocks, centre, scale, shift, key, threshold, p_keep, y, mask):
    """``affine`` followed by inverted dropout: y = ((x − centre)·scale + shift)·η/p_keep, η the
    mask of ``dropout.forward`` (drawn chunk by chunk, then applied while in the cache)."""
    rows, step = x.size // channels, chunk_rows(channels)
    p, limit = x.dtype.type(p_keep), np.uint64(threshold)
    for b in prange(blocks):
        lo, hi = block_bounds(rows, blocks, b)
        for r0 in range(lo, hi, step):
            r1 = min(r0 + step, hi)
            draw_mask(key, limit, mask, r0 * channels, r1 * channels)
            _block_affine_dropout(x, channels, r0, r1, centre, scale, shift, mask, p, y)


@njit(parallel=True, cache=True)
def affine(x, channels, blocks, centre, scale, shift, y):
    """y = (x − centre[c])·scale[c] + shift[c] per channel: the normalisation y = γ·x̂ + β with
    x̂ = (x − μ)/sqrt(σ² + ε), given centre = μ, scale = γ/sqrt(σ² + ε), shift = β."""
    rows = x.size // channels
    for b in prange(blocks):
        lo, hi = block_bounds(rows, blocks, b)
        _block_affine(x, channels, lo, hi, centre, scale, shift, y)


@njit(cache=True)
def _block_gradient_sums(dy, x, channels, lo, hi, centre, sum_dy, sum_dy_xc, dropped, mask, p_keep):
    """Σ dy and Σ dy·(x − centre) per channel over rows [lo, hi), chunk by chunk; if ``dropped``,
    dy is the upstream gradient of a dropout, taken through it: dy·η/p_keep."""
    C = np.uint64(channels)
    part_dy, part_xc = np.zeros(channels, dy.dtype), np.zeros(channels, dy.dtype)
    sum_dy[:] = 0
    sum_dy_xc[:] = 0
    step = chunk_rows(channels)
    for r0 in range(lo, hi, step):
        part_dy[:] = 0
        part_xc[:] = 0
        for r in range(np.uint64(r0), np.uint64(min(r0 + step, hi))):
            for c in range(C):
                g = dy[r * C + c] * mask[r * C + c] / p_keep if dropped else dy[r * C + c]
                part_dy[c] += g
                part_xc[c] += g * (x[r * C + c] - centre[c])
        sum_dy += part_dy
        sum_dy_xc += part_xc


@njit(parallel=True, cache=True)
def gradient_sums(dy, x, channels, blocks, centre, sum_dy, sum_dy_xc, dropped, mask, p_keep):
    """Per channel: Σ dy (= ∂L/∂β) and Σ dy·(x − centre) (= ∂L/∂γ · sqrt(σ² + ε)); with ``dropped``,
    dy·η/p_keep in place of dy (the gradient through a dropout of mask η)."""
    p = x.dtype.type(p_keep)
    rows = x.size // channels
    part_dy, part_xc = np.empty((blocks, channels), x.dtype), np.empty((blocks, channels), x.dtype)
    for b in prange(blocks):
        lo, hi = block_bounds(rows, blocks, b)
        _block_gradient_sums(dy, x, channels, lo, hi, centre, part_dy[b], part_xc[b], dropped, mask, p)
    sum_dy[:] = 0
    sum_dy_xc[:] = 0
    for b in range(blocks):
        sum_dy += part_dy[b]
        sum_dy_xc += part_xc[b]


@njit(cache=True)
def _block_input_gradient(dy, x, channels, lo, hi, centre, a, b, d, dx, dropped, mask, p_keep):
    C = np.uint64(channels)
    for r in range(np.uint64(lo), np.uint64(hi)):
        for c in range(C):
            g = dy[r * C + c] * mask[r * C + c] / p_keep if dropped else dy[r * C + c]
            dx[r * C + c] = a[c] * g + b[c] * (x[r * C + c] - centre[c]) + d[c]


@njit(parallel=True, cache=True)
def input_gradient(dy, x, channels, blocks, centre, a, b, d, dx, dropped, mask, p_keep):
    """dx = a[c]·dy + b[c]·(x − centre[c]) + d[c] per channel. In training, with k = γ/sqrt(σ² + ε):
    ∂L/∂x = k·(dy − (1/M) Σ dy − x̂ (1/M) Σ dy·x̂), i.e. a = k, b = −k·∂L/∂γ/(M·sqrt(σ² + ε)),
    d = −k·∂L/∂β/M; in evaluation a = k, b = d = 0. ``dropped``: as ``gradient_sums``."""
    rows = x.size // channels
    p = x.dtype.type(p_keep)
    for block in prange(blocks):
        lo, hi = block_bounds(rows, blocks, block)
        _block_input_gradient(dy, x, channels, lo, hi, centre, a, b, d, dx, dropped, mask, p)


@njit(cache=True)
def update_moving(moving, batch, momentum):
    """r ← momentum·r + (1 − momentum)·batch, in place (Keras' running statistics)."""
    keep = moving.dtype.type(momentum)
    new = moving.dtype.type(1 - momentum)
    for c in range(moving.size):
        moving[c] = keep * moving[c] + new * batch[c]


# -- per-channel coefficients: C values, numpy is enough (the GPU backend has kernels) ------------
def inverse_std(var, eps, out):
    """out = 1/sqrt(σ² + ε) per channel (ε rounded to the dtype)."""
    np.divide(1, np.sqrt(var + var.dtype.type(eps)), out=out)


def multiply(a, b, out):
    """out = a·b per channel (γ·1/sqrt(σ² + ε), the scale of the affine map)."""
    np.multiply(a, b, out=out)


def backward_coefficients(gamma, inv_std, sum_dy_xc, dbeta, rows, dgamma, scale, slope, offset):
    """From the sums Σ dy·(x − μ) and Σ dy per channel, the input gradient's coefficients:
    ∂L/∂γ = Σ dy·x̂ = inv_std·Σ dy·(x − μ),  scale = γ·inv_std,
    slope = −scale·inv_std·∂L/∂γ / M,  offset = −scale·∂L/∂β / M,
    so that ∂L/∂x = scale·dy + slope·(x − μ) + offset (``input_gradient``)."""
    m = gamma.dtype.type(rows)
    np.multiply(sum_dy_xc, inv_std, out=dgamma)
    np.multiply(gamma, inv_std, out=scale)
    slope[...] = -scale * inv_std * dgamma / m
    offset[...] = -scale * dbeta / m
