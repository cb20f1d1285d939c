"""Batch normalisation kernels on the GPU (lecture 003 "Batch Norm", 004 §4).

The same functions as ``engine.backends.cpu.batchnorm``. Every kernel sees the
activations as a flat array of M rows × C channels: dense activations (N, D)
have M = N, NHWC images (N, H, W, C) have M = N·H·W, and the statistics of a
channel are over its M values:

    μ = (1/M) Σ x,   σ² = (1/M) Σ (x − μ)²   (biased),   y = γ·(x − μ)/sqrt(σ² + ε) + β,
    ∂L/∂β = Σ dy,   ∂L/∂γ = Σ dy·x̂,   ∂L/∂x = k·(dy − (1/M) Σ dy − x̂ (1/M) Σ dy·x̂),  k = γ/sqrt(σ² + ε).

The ``*_dropout`` variants fuse an inverted dropout after the normalisation,
with the mask of ``dropout.forward`` (element index = flat index); the backward
forms dy = dz·η/p_keep on the fly. Sums are in the arrays' dtype, as on the CPU.

Launch plan of the two reductions (``moments``, ``gradient_sums``). The rows are
split into ``row_blocks`` nearly equal ranges, and the channels into chunks of
W = min(C, 256); block (chunk, b) handles the W channels of its chunk over the
rows of range b with W·G threads: thread t takes channel t mod W and, of the
range's rows, every G-th starting at t div W. With W = C (C ≤ 256) a block's
threads read W·G consecutive values: all loads are coalesced. The G partial
values of a channel are combined by a tree in shared memory, and each block
writes one value per channel; a second kernel (one thread per channel) combines
the ranges in order. The variance is two-pass within each range, Σ(x − m)²
around the range's own mean m, and ranges are combined with Chan et al.'s
formula, as the CPU combines its chunks: no sum of squares ever cancels.
The other kernels give one thread to one element (or one channel). The CPU's
``blocks`` argument (its thread count) is accepted and ignored.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from .dropout import kept
from .launch import THREADS, elementwise
from .memory import work_buffer

BLOCK_THREADS = THREADS  # threads of a reduction block, at most (its shared arrays hold THREADS values)
ROWS_PER_THREAD = 16  # rows each thread of a reduction walks, at least, before the ranges multiply
MAX_ROW_BLOCKS = 1024  # at most this many row ranges (partial results per channel)


def reduction_plan(rows: int, channels: int):
    """(W, G, chunks, row_blocks): channels per block, threads per channel, channel chunks, row ranges."""
    width = min(channels, BLOCK_THREADS)
    groups = max(1, min(BLOCK_THREADS // width, rows))
    chunks = -(-channels // width)
    row_blocks = max(1, min(-(-rows // (groups * ROWS_PER_THREAD)), MAX_ROW_BLOCKS, rows))
    return width, groups, chunks, row_blocks


@cuda.jit(device=True, cache=True)
def _group_sum(cache, value, lane, group, width, groups):
    """Σ of ``value`` over the G threads of the block that share ``lane`` (one channel), as a tree in
    shared memory; every thread gets its channel's total. All threads of the block must call it."""
    cache[group * width + lane] = value
    cuda.syncthreads()
    half = 1
    while half < groups:
        half *= 2
    half //= 2
    while half > 0:
        if group < half and group + half < groups:
            cache[group * width + lane] += cache[(group + half) * width + lane]
        cuda.syncthreads()
        half //= 2
    total = cache[lane]
    cuda.syncthreads()
    return total


@cuda.jit(device=True, cache=True)
def _row_range(rows, row_blocks, b):
    """Rows [lo, hi) of range b when ``rows`` rows are split into ``row_blocks`` nearly equal ranges."""
    return b * rows // row_blocks, (b + 1) * rows // row_blocks


# Block (chunk, b): channels c = chunk·W + (t mod W) over the rows of range b; thread t walks the rows
# lo + t div W, then every G-th. Writes the range's mean and Σ(x − mean)² per channel (two passes).
@cuda.jit(cache=True)
def _range_moments(x, channels, row_blocks, width, groups, part_mean, part_m2):
    cache = cuda.shared.array(THREADS, x.dtype)
    t, b = cuda.threadIdx.x, cuda.blockIdx.y
    lane, group = t % width, t // width
    c = cuda.blockIdx.x * width + lane
    active = c < channels and group < groups
    lo, hi = _row_range(x.size // channels, row_blocks, b)
    total = x.dtype.type(0)
    if active:
        for r in range(lo + group, hi, groups):
            total += x[r * channels + c]
    mean = _group_sum(cache, total, lane, group, width, groups) * x.dtype.type(1 / (hi - lo))
    squares = x.dtype.type(0)
    if active:
        for r in range(lo + group, hi, groups):
            centred = x[r * channels + c] - mean
            squares += centred * centred
    m2 = _group_sum(cache, squares, lane, group, width, groups)
    if active and group == 0:
        part_mean[b, c], part_m2[b, c] = mean, m2


# Thread c combines channel c's ranges, in order, with Chan et al.'s formula.
@cuda.jit(cache=True)
def _combine_moments(part_mean, part_m2, rows, mean, var):
    c = cuda.grid(1)
    if c < mean.size:
        row_blocks = part_mean.shape[0]
        seen, mu, m2 = 0, mean.dtype.type(0), mean.dtype.type(0)
        for b in range(row_blocks):
            lo, hi = _row_range(rows, row_blocks, b)
            count = hi - lo
            total = seen + count
            delta = part_mean[b, c] - mu
            mu += delta * mean.dtype.type(count / total)
            m2 += part_m2[b, c] + delta * delta * mean.dtype.type(seen * count / total)
            seen = total
        mean[c], var[c] = mu, m2 / mean.dtype.type(rows)


def _launch_plan(x, channels):
    rows = x.size // channels
    width, groups, chunks, row_blocks = reduction_plan(rows, channels)
    return rows, width, groups, (chunks, row_blocks), width * groups


def moments(x, channels, blocks, mean, var):
    """Per channel over the M rows of flat x: μ = (1/M) Σ x and the biased σ² = (1/M) Σ (x − μ)²."""
    rows, width, groups, grid, threads = _launch_plan(x, channels)
    part_mean = work_buffer("batchnorm.part_a", (grid[1], channels), x.dtype)
    part_m2 = work_buffer("batchnorm.part_b", (grid[1], channels), x.dtype)
    _range_moments[grid, threads](x, channels, grid[1], width, groups, part_mean, part_m2)
    _combine_moments[elementwise(channels)](part_mean, part_m2, rows, mean, var)


# Thread i computes y[i], channel c = i mod C.
@cuda.jit(cache=True)
def _affine(x, channels, centre, scale, shift, y):
    i = cuda.grid(1)
    if i < x.size:
        c = i % channels
        y[i] = (x[i] - centre[c]) * scale[c] + shift[c]


def affine(x, channels, blocks, centre, scale, shift, y):
    """y = (x − centre[c])·scale[c] + shift[c] per channel: y = γ·x̂ + β with centre = μ,
    scale = γ/sqrt(σ² + ε), shift = β."""
    _affine[elementwise(x.size)](x, channels, centre, scale, shift, y)


# Thread i draws mask[i] and computes y[i], channel c = i mod C.
@cuda.jit(cache=True)
def _affine_dropout(x, channels, centre, scale, shift, key, limit, p_keep, y, mask):
    i = cuda.grid(1)
    if i < x.size:
        c = i % channels
        mask[i] = kept(key, limit, i)
        y[i] = ((x[i] - centre[c]) * scale[c] + shift[c]) * mask[i] / p_keep


def affine_dropout(x, channels, blocks, centre, scale, shift, key, threshold, p_keep, y, mask):
    """``affine`` followed by inverted dropout: y = ((x − centre)·scale + shift)·η/p_keep, η the mask
    of ``dropout.forward`` for the flat index (the CPU's mask exactly)."""
    _affine_dropout[elementwise(x.size)](x, channels, centre, scale, shift, np.uint64(key), np.uint64(threshold),
                                         x.dtype.type(p_keep), y, mask)


# Block (chunk, b) as _range_moments: writes Σ g and Σ g·(x − centre) per channel over range b,
# with g = dy, or dy·η/p_keep when ``dropped``.
@cuda.jit(cache=True)
def _range_gradient_sums(dy, x, channels, row_blocks, width, groups, centre, dropped, mask, p_keep,
                         part_dy, part_xc):
    cache = cuda.shared.array(THREADS, x.dtype)
    t, b = cuda.threadIdx.x, cuda.blockIdx.y
    lane, group = t % width, t // width
    c = cuda.blockIdx.x * width + lane
    active = c < channels and group < groups
    lo, hi = _row_range(x.size // channels, row_blocks, b)
    sum_dy, sum_xc = x.dtype.type(0), x.dtype.type(0)
    if active:
        for r in range(lo + group, hi, groups):
            i = r * channels + c
            g = dy[i] * mask[i] / p_keep if dropped else dy[i]
            sum_dy += g
            sum_xc += g * (x[i] - centre[c])
    sum_dy = _group_sum(cache, sum_dy, lane, group, width, groups)
    sum_xc = _group_sum(cache, sum_xc, lane, group, width, groups)
    if active and group == 0:
        part_dy[b, c], part_xc[b, c] = sum_dy, sum_xc


# Thread c adds channel c's ranges, in order.
@cuda.jit(cache=True)
def _combine_sums(part_dy, part_xc, sum_dy, sum_dy_xc):
    c = cuda.grid(1)
    if c < sum_dy.size:
        total_dy, total_xc = sum_dy.dtype.type(0), sum_dy.dtype.type(0)
        for b in range(part_dy.shape[0]):
            total_dy += part_dy[b, c]
            total_xc += part_xc[b, c]
        sum_dy[c], sum_dy_xc[c] = total_dy, total_xc


def gradient_sums(dy, x, channels, blocks, centre, sum_dy, sum_dy_xc, dropped, mask, p_keep):
    """Per channel: Σ dy (= ∂L/∂β) and Σ dy·(x − centre) (= ∂L/∂γ · sqrt(σ² + ε)); with ``dropped``,
    dy·η/p_keep in place of dy (``mask`` is then η; without a dropout, any uint8 device array)."""
    _, width, groups, grid, threads = _launch_plan(x, channels)
    part_dy = work_buffer("batchnorm.part_a", (grid[1], channels), x.dtype)
    part_xc = work_buffer("batchnorm.part_b", (grid[1], channels), x.dtype)
    _range_gradient_sums[grid, threads](dy, x, channels, grid[1], width, groups, centre, bool(dropped), mask,
                                        x.dtype.type(p_keep), part_dy, part_xc)
    _combine_sums[elementwise(channels)](part_dy, part_xc, sum_dy, sum_dy_xc)


# Thread i computes dx[i], channel c = i mod C.
@cuda.jit(cache=True)
def _input_gradient(dy, x, channels, centre, a, b, d, dx, dropped, mask, p_keep):
    i = cuda.grid(1)
    if i < x.size:
        c = i % channels
        g = dy[i] * mask[i] / p_keep if dropped else dy[i]
        dx[i] = a[c] * g + b[c] * (x[i] - centre[c]) + d[c]


def input_gradient(dy, x, channels, blocks, centre, a, b, d, dx, dropped, mask, p_keep):
    """dx = a[c]·g + b[c]·(x − centre[c]) + d[c] per channel, g = dy (or dy·η/p_keep when ``dropped``).
    In training a = k, b = −k·∂L/∂γ/(M·sqrt(σ² + ε)), d = −k·∂L/∂β/M; in evaluation a = k, b = d = 0."""
    _input_gradient[elementwise(x.size)](dy, x, channels, centre, a, b, d, dx, bool(dropped), mask,
                                         x.dtype.type(p_keep))


# -- per channel: thread c computes channel c ------------------------------------------------------
# Thread c updates moving[c].
@cuda.jit(cache=True)
def _update_moving(moving, batch, momentum):
    c = cuda.grid(1)
    if c < moving.size:
        keep = moving.dtype.type(momentum)
        new = moving.dtype.type(1 - momentum)
        moving[c] = keep * moving[c] + new * batch[c]


def update_moving(moving, batch, momentum):
    """r ← momentum·r + (1 − momentum)·batch, in place (Keras' running statistics)."""
    _update_moving[elementwise(moving.size)](moving, batch, float(momentum))


# Thread c computes out[c].
@cuda.jit(cache=True)
def _inverse_std(var, eps, out):
    c = cuda.grid(1)
    if c < var.size:
        out[c] = var.dtype.type(1) / math.sqrt(var[c] + eps)


def inverse_std(var, eps, out):
    """out = 1/sqrt(σ² + ε) per channel (ε rounded to the dtype)."""
    _inverse_std[elementwise(var.size)](var, var.dtype.type(eps), out)


# Thread c computes out[c].
@cuda.jit(cache=True)
def _multiply(a, b, out):
    c = cuda.grid(1)
    if c < out.size:
        out[c] = a[c] * b[c]


def multiply(a, b, out):
    """out = a·b per channel (γ·1/sqrt(σ² + ε), the scale of the affine map)."""
    _multiply[elementwise(out.size)](a, b, out)


# Thread c computes dgamma[c], scale[c], slope[c] and offset[c].
@cuda.jit(cache=True)
def _backward_coefficients(gamma, inv_std, sum_dy_xc, dbeta, m, dgamma, scale, slope, offset):
    c = cuda.grid(1)
    if c < gamma.size:
        dgamma[c] = sum_dy_xc[c] * inv_std[c]
        scale[c] = gamma[c] * inv_std[c]
        slope[c] = -scale[c] * inv_std[c] * dgamma[c] / m
        offset[c] = -scale[c] * dbeta[c] / m


def backward_coefficients(gamma, inv_std, sum_dy_xc, dbeta, rows, dgamma, scale, slope, offset):
    """From the sums Σ dy·(x − μ) and Σ dy per channel, the input gradient's coefficients:
    ∂L/∂γ = inv_std·Σ dy·(x − μ),  scale = γ·inv_std,  slope = −scale·inv_std·∂L/∂γ / M,
    offset = −scale·∂L/∂β / M, so that ∂L/∂x = scale·dy + slope·(x − μ) + offset (``input_gradient``)."""
    _backward_coefficients[elementwise(gamma.size)](gamma, inv_std, sum_dy_xc, dbeta, gamma.dtype.type(rows),
                                                    dgamma, scale, slope, offset)
