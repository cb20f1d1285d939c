"""Loss kernels on the GPU (lecture 001: the empirical risk (1/N) Σ L(m(x), y)), and accuracy counters.

The same functions as ``engine.backends.cpu.losses``: each loss writes the
gradient of the *averaged* loss into ``grad`` and returns the loss as a Python
float, the one value copied down from the device. Sums are accumulated in
float64 whatever the input dtype, as on the CPU.

- mean squared error: L = (1/M) Σ (p − t)², ∂L/∂p = 2 (p − t) / M;
- softmax cross-entropy: L = −(1/N) Σ_n log softmax(z_n)[y_n] with log softmax taken as
  (z − max z) − log Σ e^(z − max z); ∂L/∂z_n = (softmax(z_n) Σ_k t_nk − t_n) / N
  (softmax − onehot for integer labels or one-hot rows);
- binary cross-entropy: L = −(1/M) Σ [t log p + (1 − t) log(1 − p)], p clipped to [eps, 1 − eps]
  (Keras), ∂L/∂p = (p − t) / (p (1 − p) M); from logits, in the form that never overflows,
  L = (1/M) Σ [max(z, 0) − z t + log(1 + e^(−|z|))], ∂L/∂z = (σ(z) − t) / M.

Launch plan. The flat losses run a grid of at most ``PARTIAL_BLOCKS`` blocks;
thread i takes the elements i, i + (grid size), ... (a grid-stride loop, so
consecutive threads read consecutive addresses), writes their gradient and adds
up their loss terms; each block sums its threads' terms in shared memory into one
partial sum, and one block (``_finish``) adds the partial sums. The softmax
losses give one block to one row of logits (as ``activations.softmax_forward``)
and one partial sum to each row. The binary cross-entropy kernels also reduce
the minimum and maximum of the finite probabilities and targets, so that their
[0, 1] range is checked without copying the arrays down (the functional layer
checks host arrays itself): the values come down with the loss, in one copy.

The accuracy counters give one thread to one row (or element): a row of scores
is short (one per class), so each thread finds its row's argmax by itself; the
hits are counted per block in shared memory, then by one block, and the count
comes down.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda, float64, int64

from .activations import (
    MAX,
    MIN,
    SUM,
    block_max,
    block_min,
    block_reduce,
    block_sum,
    combine,
    reduction_threads,
    row_log_norm,
)
from .launch import THREADS, blocks_for, per_row
from .memory import to_device, work_buffer

PARTIAL_BLOCKS = 1024  # at most this many partial sums for the flat losses


def _grid(size):
    """(blocks, threads) of a grid-stride reduction over ``size`` elements (small arrays: one small block)."""
    threads = reduction_threads(size)
    return min(blocks_for(size, threads), PARTIAL_BLOCKS), threads


# -- combining the partial results ----------------------------------------------------------------
# One block: for each quantity q, thread t combines partial[q, t], partial[q, t + T], ... (their sum,
# minimum or maximum, as kinds[q] is SUM, MIN or MAX), then the block combines its threads' values in
# shared memory; thread 0 writes out[q] = sum / divisor, or the minimum or maximum.
@cuda.jit(cache=True)
def _finish(partial, kinds, divisor, out):
    cache = cuda.shared.array(THREADS, float64)
    t, step = cuda.threadIdx.x, cuda.blockDim.x
    for q in range(partial.shape[0]):
        kind = kinds[q]
        value = 0.0 if kind == SUM else (math.inf if kind == MIN else -math.inf)  # the identity of the kind
        for b in range(t, partial.shape[1], step):
            value = combine(value, partial[q, b], kind)
        value = block_reduce(cache, value, kind)
        if t == 0:
            out[q] = value / divisor if kind == SUM else value


_KINDS = {}


def _kinds(pattern):
    """A device array of the reduction kinds (SUM, MIN, MAX), uploaded once per pattern."""
    if pattern not in _KINDS:
        _KINDS[pattern] = to_device(np.array(pattern, np.int64))
    return _KINDS[pattern]


def _reduce(partial, pattern, divisor):
    """Combine the partial results on the device; copy the few results down (one copy)."""
    out = work_buffer("losses.result", (partial.shape[0],), np.float64)
    _finish[1, reduction_threads(partial.shape[1])](partial, _kinds(pattern), float(divisor), out)
    return out.copy_to_host()


# -- flat losses ------------------------------------------------------------------------------------
# Grid-stride: thread i handles elements i, i + G, i + 2G, ... (G threads in the grid) and writes
# their gradient; block b writes the sum of its threads' loss terms to partial[0, b].
@cuda.jit(cache=True)
def _mean_squared_error(prediction, target, grad, partial):
    cache = cuda.shared.array(THREADS, float64)
    size = prediction.size
    total = 0.0
    for i in range(cuda.grid(1), size, cuda.gridsize(1)):
        diff = prediction[i] - target[i]
        total += diff * diff
        grad[i] = 2 * diff / size
    total = block_sum(cache, total)
    if cuda.threadIdx.x == 0:
        partial[0, cuda.blockIdx.x] = total


def mean_squared_error(prediction, target, grad):
    """L = (1/M) Σ (p − t)² over all M elements; ∂L/∂p = 2 (p − t) / M. Returns L."""
    target = to_device(target)
    blocks, threads = _grid(prediction.size)
    partial = work_buffer("losses.partial", (1, blocks), np.float64)
    _mean_squared_error[blocks, threads](prediction, target, grad, partial)
    return float(_reduce(partial, (SUM,), prediction.size)[0])


# Grid-stride as _mean_squared_error. partial[0, b]: the block's loss terms; partial[1..4, b]: the
# minimum and maximum of its finite probabilities, then of its finite targets (±inf if none).
@cuda.jit(cache=True)
def _binary_cross_entropy(probabilities, targets, eps, grad, partial):
    cache = cuda.shared.array(THREADS, float64)
    size = probabilities.size
    total = 0.0
    p_low, p_high, t_low, t_high = math.inf, -math.inf, math.inf, -math.inf
    for i in range(cuda.grid(1), size, cuda.gridsize(1)):
        p = min(max(probabilities[i], eps), 1 - eps)
        t = targets[i]
        total -= t * math.log(p) + (1 - t) * math.log(1 - p)
        grad[i] = (p - t) / (p * (1 - p) * size)
        if math.isfinite(probabilities[i]):
            p_low, p_high = min(p_low, probabilities[i]), max(p_high, probabilities[i])
        if math.isfinite(t):
            t_low, t_high = min(t_low, t), max(t_high, t)
    total = block_sum(cache, total)
    p_low, p_high = block_min(cache, p_low), block_max(cache, p_high)
    t_low, t_high = block_min(cache, t_low), block_max(cache, t_high)
    if cuda.threadIdx.x == 0:
        b = cuda.blockIdx.x
        partial[0, b], partial[1, b], partial[2, b], partial[3, b], partial[4, b] = (
            total, p_low, p_high, t_low, t_high)


def _check_range(name, low, high, dtype):
    """The functional layer's check of host arrays, on the minimum and maximum of the finite values."""
    if low <= high and (low < 0 or high > 1):
        low, high = dtype.type(low), dtype.type(high)
        raise ValueError(f"{name} must lie in [0, 1], got values from {low} to {high}")


def binary_cross_entropy(probabilities, targets, eps, grad):
    """L = −(1/M) Σ [t log p + (1 − t) log(1 − p)], p clipped to [eps, 1 − eps]. Returns L.

    Raises ValueError when the finite probabilities or targets leave [0, 1] (checked on the device)."""
    targets = to_device(targets)
    blocks, threads = _grid(probabilities.size)
    partial = work_buffer("losses.partial", (5, blocks), np.float64)
    _binary_cross_entropy[blocks, threads](probabilities, targets, float(eps), grad, partial)
    loss, p_low, p_high, t_low, t_high = _reduce(partial, (SUM, MIN, MAX, MIN, MAX), probabilities.size)
    _check_range("probabilities", p_low, p_high, probabilities.dtype)
    _check_range("targets", t_low, t_high, probabilities.dtype)
    return float(loss)


# Grid-stride as _mean_squared_error. partial[0, b]: the block's loss terms; partial[1, b] and
# partial[2, b]: the minimum and maximum of its finite targets.
@cuda.jit(cache=True)
def _binary_cross_entropy_with_logits(logits, targets, grad, partial):
    cache = cuda.shared.array(THREADS, float64)
    size = logits.size
    total = 0.0
    t_low, t_high = math.inf, -math.inf
    for i in range(cuda.grid(1), size, cuda.gridsize(1)):
        z, t = logits[i], targets[i]
        e = math.exp(-abs(z))
        total += max(z, 0) - z * t + math.log1p(e)
        sigma = 1 / (1 + e) if z >= 0 else e / (1 + e)
        grad[i] = (sigma - t) / size
        if math.isfinite(t):
            t_low, t_high = min(t_low, t), max(t_high, t)
    total = block_sum(cache, total)
    t_low, t_high = block_min(cache, t_low), block_max(cache, t_high)
    if cuda.threadIdx.x == 0:
        b = cuda.blockIdx.x
        partial[0, b], partial[1, b], partial[2, b] = total, t_low, t_high


def binary_cross_entropy_with_logits(logits, targets, grad):
    """The binary cross-entropy of p = σ(z) from logits z, never overflowing; ∂L/∂z = (σ(z) − t) / M.

    Raises ValueError when the finite targets leave [0, 1] (checked on the device)."""
    targets = to_device(targets)
    blocks, threads = _grid(logits.size)
    partial = work_buffer("losses.partial", (3, blocks), np.float64)
    _binary_cross_entropy_with_logits[blocks, threads](logits, targets, grad, partial)
    loss, t_low, t_high = _reduce(partial, (SUM, MIN, MAX), logits.size)
    _check_range("targets", t_low, t_high, logits.dtype)
    return float(loss)


# -- softmax cross-entropy: block r handles row r ---------------------------------------------------
# Block r computes grad[r, :] and partial[0, r], the row's loss −log softmax(z_r)[y_r]; its thread t
# takes the columns k = t, t + T, ... (T threads).
@cuda.jit(cache=True)
def _softmax_cross_entropy_labels(logits, labels, grad, partial):
    r, t, step = cuda.blockIdx.x, cuda.threadIdx.x, cuda.blockDim.x
    top_cache = cuda.shared.array(THREADS, logits.dtype)
    sum_cache = cuda.shared.array(THREADS, float64)
    n, k = logits.shape
    top, log_norm = row_log_norm(logits, r, t, step, top_cache, sum_cache)
    label = labels[r]
    for j in range(t, k, step):
        g = math.exp((logits[r, j] - top) - log_norm) / n
        grad[r, j] = g
        if j == label:
            grad[r, j] -= 1 / n
    if t == 0:
        partial[0, r] = log_norm - (logits[r, label] - top)


def softmax_cross_entropy_labels(logits, labels, grad):
    """L = −(1/N) Σ_n log softmax(z_n)[y_n] for logits (N, K) and integer labels (N,) (host arrays
    are uploaded: the functional layer checks them on the host); ∂L/∂z_n = (softmax(z_n) − onehot(y_n)) / N."""
    labels = to_device(labels)
    rows, width = logits.shape
    partial = work_buffer("losses.partial", (1, rows), np.float64)
    _softmax_cross_entropy_labels[per_row(rows, reduction_threads(width))](logits, labels, grad, partial)
    return float(_reduce(partial, (SUM,), rows)[0])


# Block r computes grad[r, :] and partial[0, r], the row's loss −Σ_k t_rk log softmax(z_r)_k; its thread
# t takes the columns k = t, t + T, ... (T threads).
@cuda.jit(cache=True)
def _softmax_cross_entropy_targets(logits, targets, grad, partial):
    r, t, step = cuda.blockIdx.x, cuda.threadIdx.x, cuda.blockDim.x
    top_cache = cuda.shared.array(THREADS, logits.dtype)
    sum_cache = cuda.shared.array(THREADS, float64)
    n, k = logits.shape
    top, log_norm = row_log_norm(logits, r, t, step, top_cache, sum_cache)
    mass = 0.0
    for j in range(t, k, step):
        mass += targets[r, j]
    mass = block_sum(sum_cache, mass)
    row = 0.0
    for j in range(t, k, step):
        if targets[r, j] != 0:
            row += targets[r, j] * (log_norm - (logits[r, j] - top))
        grad[r, j] = (math.exp((logits[r, j] - top) - log_norm) * mass - targets[r, j]) / n
    row = block_sum(sum_cache, row)
    if t == 0:
        partial[0, r] = row


def softmax_cross_entropy_targets(logits, targets, grad):
    """L = −(1/N) Σ_n Σ_k t_nk log softmax(z_n)_k for one-hot (or any probability) targets (N, K),
    host arrays uploaded; ∂L/∂z_n = (softmax(z_n) Σ_k t_nk − t_n) / N."""
    targets = to_device(targets)
    rows, width = logits.shape
    partial = work_buffer("losses.partial", (1, rows), np.float64)
    _softmax_cross_entropy_targets[per_row(rows, reduction_threads(width))](logits, targets, grad, partial)
    return float(_reduce(partial, (SUM,), rows)[0])


# -- accuracy counters ------------------------------------------------------------------------------
@cuda.jit(device=True, cache=True)
def _argmax(scores, m):
    """The column of row m's largest score, the first one on ties; the first NaN if any (as np.argmax)."""
    best, where = scores[m, 0], 0
    if math.isnan(best):
        return 0
    for k in range(1, scores.shape[1]):
        value = scores[m, k]
        if math.isnan(value):
            return k
        if value > best:
            best, where = value, k
    return where


@cuda.jit(device=True, cache=True)
def _count_hits(cache, hit, counts):
    """Block b writes the number of its threads with ``hit`` to counts[0, b]."""
    hits = block_sum(cache, 1 if hit else 0)
    if cuda.threadIdx.x == 0:
        counts[0, cuda.blockIdx.x] = hits


# Thread m checks row m: argmax(scores[m]) == labels[m]; block b counts its hits into counts[0, b].
@cuda.jit(cache=True)
def _correct_labels(scores, labels, counts):
    cache = cuda.shared.array(THREADS, int64)
    m = cuda.grid(1)
    hit = m < scores.shape[0] and _argmax(scores, m) == labels[m]
    _count_hits(cache, hit, counts)


# Thread m checks row m: argmax(scores[m]) == argmax(targets[m]); block b counts its hits into counts[0, b].
@cuda.jit(cache=True)
def _correct_one_hot(scores, targets, counts):
    cache = cuda.shared.array(THREADS, int64)
    m = cuda.grid(1)
    hit = m < scores.shape[0] and _argmax(scores, m) == _argmax(targets, m)
    _count_hits(cache, hit, counts)


# Thread i checks element i: (output[i] > threshold) == (targets[i] > 0.5); block b counts its hits.
@cuda.jit(cache=True)
def _correct_binary(output, targets, threshold, counts):
    cache = cuda.shared.array(THREADS, int64)
    i = cuda.grid(1)
    hit = i < output.size and (output[i] > threshold) == (targets[i] > 0.5)
    _count_hits(cache, hit, counts)


def _count(kernel, size, *arguments):
    """Launch a counter over ``size`` rows or elements; the total count, the one value copied down."""
    threads = reduction_threads(size)
    blocks = blocks_for(size, threads)
    counts = work_buffer("losses.counts", (1, blocks), np.float64)
    kernel[blocks, threads](*arguments, counts)
    return int(_reduce(counts, (SUM,), 1)[0])


def correct_labels(scores, labels) -> int:
    """How many rows of scores (M, K) have their largest score (the first, on ties) at labels (M,)
    (int64, on the host or the device)."""
    return _count(_correct_labels, scores.shape[0], scores, to_device(labels))


def correct_one_hot(scores, targets) -> int:
    """How many rows of scores (M, K) have their largest score where the one-hot targets (M, K) have theirs."""
    return _count(_correct_one_hot, scores.shape[0], scores, to_device(targets))


def correct_binary(output, targets, threshold) -> int:
    """How many elements of the flat arrays have (output > threshold) == (targets > 0.5).

    The threshold is rounded to output's dtype first, as numpy compares an array with a Python float."""
    threshold = float(output.dtype.type(threshold))
    return _count(_correct_binary, output.size, output, to_device(targets), threshold)
