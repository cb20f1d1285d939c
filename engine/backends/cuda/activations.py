"""Activation kernels on the GPU (lecture 004 §1): the same functions as ``engine.backends.cpu.activations``.

Each forward writes ``y`` and each backward writes ``dx`` given the upstream
gradient ``dy``; the functional layer passes ``x.reshape(-1)`` views, and
``(rows, width)`` views for softmax and log-softmax, which act along the last axis.

- σ(z) = 1 / (1 + e^(−z)) in the overflow-safe form (e^(−|z|) never overflows), σ'(z) = σ(z)(1 − σ(z));
- tanh'(z) = 1 − tanh(z)²;
- ReLU(z) = max(z, 0), ReLU'(z) = [z > 0] (0 at z = 0); leaky ReLU α z for z ≤ 0;
- ELU(z) = z for z > 0, α(e^z − 1) otherwise (expm1 keeps small z exact), ELU'(z) = α e^z for z ≤ 0;
- softmax(z) = e^(z − max z) / Σ e^(z − max z), never overflows; backward dx = y ⊙ (dy − Σ_k dy_k y_k);
- log softmax(z) = (z − max z) − log Σ e^(z − max z); backward dx = dy − e^y Σ_k dy_k.

Launch plan. The elementwise functions give one thread to one element
(``launch.elementwise``): consecutive threads read consecutive addresses. The
row-wise ones give one block to one row: its threads stride along the row, so
that a warp reads 32 consecutive values, then combine their partial maxima and
sums with a tree in shared memory (``block_reduce``; ``row_max`` and ``row_log_norm``
give a row's max z and log Σ e^(z − max z), also to the softmax losses). A block has
``reduction_threads(width)`` threads: a power of two from 32 (one warp, for the ten
classes of a classifier) up to 256, so that short rows do not leave most of a
block idle. Sums are accumulated in float64, as the CPU does.
"""

from __future__ import annotations

import math

from numba import cuda, float64

from .launch import THREADS, elementwise, per_row


def reduction_threads(count: int) -> int:
    """Threads of a block that reduces ``count`` values (a row): the power of two in [32, THREADS]
    nearest above ``count``, so that short rows do not leave most of a block idle."""
    threads = 32
    while threads < count and threads < THREADS:
        threads *= 2
    return threads


# -- block reductions (device functions shared by the row-wise kernels, the losses and arrays) ------
SUM, MIN, MAX = 0, 1, 2  # what a block reduction computes (``block_reduce``, ``combine``)


@cuda.jit(device=True, cache=True)
def combine(a, b, kind):
    """a + b, min(a, b) or max(a, b), as ``kind`` is SUM, MIN or MAX."""
    if kind == SUM:
        return a + b
    if kind == MIN:
        return min(a, b)
    return max(a, b)


@cuda.jit(device=True, cache=True)
def block_reduce(shared, value, kind):
    """The sum, minimum or maximum (``kind`` SUM, MIN or MAX) of ``value`` over the threads of the block;
    every thread gets the result.

    ``shared`` is a shared array with at least blockDim.x entries (any block size);
    it is free for reuse when this returns. Every thread of the block must call it.
    """
    t = cuda.threadIdx.x
    n = cuda.blockDim.x
    shared[t] = value
    cuda.syncthreads()
    half = 1
    while half < n:
        half *= 2
    half //= 2
    while half > 0:  # a tree: thread t combines in the entry `half` places on, halving the live entries
        if t < half and t + half < n:
            shared[t] = combine(shared[t], shared[t + half], kind)
        cuda.syncthreads()
        half //= 2
    result = shared[0]
    cuda.syncthreads()
    return result


@cuda.jit(device=True, cache=True)
def block_sum(shared, value):
    """Σ of ``value`` over the threads of the block; every thread gets the total (``block_reduce``)."""
    return block_reduce(shared, value, SUM)


@cuda.jit(device=True, cache=True)
def block_max(shared, value):
    """max of ``value`` over the threads of the block; every thread gets it (``block_reduce``)."""
    return block_reduce(shared, value, MAX)


@cuda.jit(device=True, cache=True)
def block_min(shared, value):
    """min of ``value`` over the threads of the block; every thread gets it (``block_reduce``)."""
    return block_reduce(shared, value, MIN)


# -- row reductions (the row-wise kernels here and the softmax losses) -----------------------------
@cuda.jit(device=True, cache=True)
def row_max(x, r, t, step, top_cache):
    """max_k x[r, k] for block r, whose thread t takes the columns k = t, t + step, ...; every thread
    gets it. ``top_cache`` is a shared array of x's dtype (as in ``block_reduce``)."""
    top = x[r, 0]
    for k in range(t, x.shape[1], step):
        top = max(top, x[r, k])
    return block_max(top_cache, top)


@cuda.jit(device=True, cache=True)
def row_log_norm(x, r, t, step, top_cache, sum_cache):
    """(max z, log Σ e^(z − max z)) of the row z = x[r, :], shared out as in ``row_max``; the sum is
    accumulated in float64 (``sum_cache``: a float64 shared array). Every thread gets both."""
    top = row_max(x, r, t, step, top_cache)
    total = 0.0
    for k in range(t, x.shape[1], step):
        total += math.exp(x[r, k] - top)
    return top, math.log(block_sum(sum_cache, total))


# -- elementwise: thread i computes y[i] (or dx[i]) ------------------------------------------------
# Thread i computes y[i].
@cuda.jit(cache=True)
def _sigmoid_forward(x, y):
    i = cuda.grid(1)
    if i < x.size:
        e = math.exp(-abs(x[i]))
        y[i] = 1 / (1 + e) if x[i] >= 0 else e / (1 + e)


# Thread i computes dx[i].
@cuda.jit(cache=True)
def _sigmoid_backward(dy, y, dx):
    i = cuda.grid(1)
    if i < y.size:
        dx[i] = dy[i] * y[i] * (1 - y[i])


# Thread i computes y[i].
@cuda.jit(cache=True)
def _tanh_forward(x, y):
    i = cuda.grid(1)
    if i < x.size:
        y[i] = math.tanh(x[i])


# Thread i computes dx[i].
@cuda.jit(cache=True)
def _tanh_backward(dy, y, dx):
    i = cuda.grid(1)
    if i < y.size:
        dx[i] = dy[i] * (1 - y[i] * y[i])


# Thread i computes y[i]. NaN stays NaN because ``NaN <= 0`` is false.
@cuda.jit(cache=True)
def _relu_forward(x, y):
    i = cuda.grid(1)
    if i < x.size:
        y[i] = x[i] if not x[i] <= 0 else 0


# Thread i computes dx[i].
@cuda.jit(cache=True)
def _relu_backward(dy, x, dx):
    i = cuda.grid(1)
    if i < x.size:
        dx[i] = dy[i] * (x[i] > 0)


# Thread i computes y[i].
@cuda.jit(cache=True)
def _leaky_relu_forward(x, alpha, y):
    i = cuda.grid(1)
    if i < x.size:
        y[i] = x[i] if x[i] > 0 else alpha * x[i]


# Thread i computes dx[i].
@cuda.jit(cache=True)
def _leaky_relu_backward(dy, x, alpha, dx):
    i = cuda.grid(1)
    if i < x.size:
        dx[i] = dy[i] if x[i] > 0 else alpha * dy[i]


# Thread i computes y[i].
@cuda.jit(cache=True)
def _elu_forward(x, alpha, y):
    i = cuda.grid(1)
    if i < x.size:
        y[i] = x[i] if x[i] > 0 else alpha * math.expm1(x[i])


# Thread i computes dx[i].
@cuda.jit(cache=True)
def _elu_backward(dy, x, alpha, dx):
    i = cuda.grid(1)
    if i < x.size:
        dx[i] = dy[i] if x[i] > 0 else dy[i] * alpha * math.exp(x[i])


def sigmoid_forward(x, y):
    """σ(z) = 1 / (1 + e^(−z)), in the overflow-safe form."""
    _sigmoid_forward[elementwise(x.size)](x, y)


def sigmoid_backward(dy, y, dx):
    """dx = dy · y (1 − y), with y = σ(z) the forward output."""
    _sigmoid_backward[elementwise(y.size)](dy, y, dx)


def tanh_forward(x, y):
    _tanh_forward[elementwise(x.size)](x, y)


def tanh_backward(dy, y, dx):
    """dx = dy · (1 − y²), with y = tanh(z) the forward output."""
    _tanh_backward[elementwise(y.size)](dy, y, dx)


def relu_forward(x, y):
    """ReLU(z) = max(z, 0); NaN stays NaN."""
    _relu_forward[elementwise(x.size)](x, y)


def relu_backward(dy, x, dx):
    """dx = dy · [z > 0] (0 at z = 0)."""
    _relu_backward[elementwise(x.size)](dy, x, dx)


def leaky_relu_forward(x, alpha, y):
    _leaky_relu_forward[elementwise(x.size)](x, float(alpha), y)


def leaky_relu_backward(dy, x, alpha, dx):
    _leaky_relu_backward[elementwise(x.size)](dy, x, float(alpha), dx)


def elu_forward(x, alpha, y):
    """ELU(z) = z for z > 0, α(e^z − 1) otherwise."""
    _elu_forward[elementwise(x.size)](x, float(alpha), y)


def elu_backward(dy, x, alpha, dx):
    """ELU'(z) = 1 for z > 0, α e^z otherwise."""
    _elu_backward[elementwise(x.size)](dy, x, float(alpha), dx)


# -- row-wise: block r computes row r --------------------------------------------------------------
# Block r computes y[r, :]; its thread t takes the columns k = t, t + T, t + 2T, ... (T threads).
@cuda.jit(cache=True)
def _softmax_forward(x, y):
    r, t, step = cuda.blockIdx.x, cuda.threadIdx.x, cuda.blockDim.x
    top_cache = cuda.shared.array(THREADS, x.dtype)
    sum_cache = cuda.shared.array(THREADS, float64)
    width = x.shape[1]
    top = row_max(x, r, t, step, top_cache)
    total = 0.0
    for k in range(t, width, step):
        y[r, k] = math.exp(x[r, k] - top)
        total += y[r, k]
    total = block_sum(sum_cache, total)
    for k in range(t, width, step):
        y[r, k] = y[r, k] / total


# Block r computes dx[r, :], as _softmax_forward.
@cuda.jit(cache=True)
def _softmax_backward(dy, y, dx):
    r, t, step = cuda.blockIdx.x, cuda.threadIdx.x, cuda.blockDim.x
    sum_cache = cuda.shared.array(THREADS, float64)
    width = y.shape[1]
    inner = 0.0
    for k in range(t, width, step):
        inner += dy[r, k] * y[r, k]
    inner = block_sum(sum_cache, inner)
    for k in range(t, width, step):
        dx[r, k] = y[r, k] * (dy[r, k] - inner)


# Block r computes y[r, :], as _softmax_forward.
@cuda.jit(cache=True)
def _log_softmax_forward(x, y):
    r, t, step = cuda.blockIdx.x, cuda.threadIdx.x, cuda.blockDim.x
    top_cache = cuda.shared.array(THREADS, x.dtype)
    sum_cache = cuda.shared.array(THREADS, float64)
    top, log_total = row_log_norm(x, r, t, step, top_cache, sum_cache)
    for k in range(t, x.shape[1], step):
        y[r, k] = (x[r, k] - top) - log_total  # the parentheses keep log Σ when |max z| is huge


# Block r computes dx[r, :], as _softmax_forward.
@cuda.jit(cache=True)
def _log_softmax_backward(dy, y, dx):
    r, t, step = cuda.blockIdx.x, cuda.threadIdx.x, cuda.blockDim.x
    sum_cache = cuda.shared.array(THREADS, float64)
    width = y.shape[1]
    total = 0.0
    for k in range(t, width, step):
        total += dy[r, k]
    total = block_sum(sum_cache, total)
    for k in range(t, width, step):
        dx[r, k] = dy[r, k] - math.exp(y[r, k]) * total


def _rows(kernel, *arrays):
    rows, width = arrays[0].shape
    kernel[per_row(rows, reduction_threads(width))](*arrays)


def softmax_forward(x, y):
    """Row-wise softmax of a 2-D array: e^(z − max z) / Σ e^(z − max z)."""
    _rows(_softmax_forward, x, y)


def softmax_backward(dy, y, dx):
    """dx = y ⊙ (dy − Σ_k dy_k y_k), row by row."""
    _rows(_softmax_backward, dy, y, dx)


def log_softmax_forward(x, y):
    """Row-wise (z − max z) − log Σ e^(z − max z)."""
    _rows(_log_softmax_forward, x, y)


def log_softmax_backward(dy, y, dx):
    """dx = dy − e^y Σ_k dy_k, row by row."""
    _rows(_log_softmax_backward, dy, y, dx)
