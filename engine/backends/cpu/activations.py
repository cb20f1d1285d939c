"""Activation kernels (lecture 004 §1). Elementwise ones work on flat 1-D views.

Each forward writes ``y`` and each backward writes ``dx`` given the upstream
gradient ``dy``; the functional layer passes ``x.reshape(-1)`` views. Branches
are written as arithmetic selects (``v * (v > 0)``) where possible: the CPU then
runs the loop without unpredictable jumps. NaN propagates as in numpy.
"""

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def sigmoid_forward(x, y):
    """σ(z) = 1 / (1 + e^(−z)), in the overflow-safe form: e^(−|z|) never overflows."""
    for i in prange(x.size):
        e = np.exp(-abs(x[i]))
        y[i] = 1 / (1 + e) if x[i] >= 0 else e / (1 + e)


@njit(parallel=True, cache=True)
def sigmoid_backward(dy, y, dx):
    """σ'(z) = σ(z)(1 − σ(z)), written with the forward output y = σ(z)."""
    for i in prange(y.size):
        dx[i] = dy[i] * y[i] * (1 - y[i])


@njit(parallel=True, cache=True)
def tanh_forward(x, y):
    for i in prange(x.size):
        y[i] = np.tanh(x[i])


@njit(parallel=True, cache=True)
def tanh_backward(dy, y, dx):
    """tanh'(z) = 1 − tanh(z)², written with the forward output y."""
    for i in prange(y.size):
        dx[i] = dy[i] * (1 - y[i] * y[i])


@njit(parallel=True, cache=True)
def relu_forward(x, y):
    """ReLU(z) = max(z, 0); NaN stays NaN because ``NaN <= 0`` is false."""
    for i in prange(x.size):
        y[i] = x[i] if not x[i] <= 0 else 0


@njit(parallel=True, cache=True)
def relu_backward(dy, x, dx):
    """ReLU'(z) = 1 for z > 0 and 0 otherwise, including at z = 0 (the convention)."""
    for i in prange(x.size):
        dx[i] = dy[i] * (x[i] > 0)


@njit(parallel=True, cache=True)
def leaky_relu_forward(x, alpha, y):
    for i in prange(x.size):
        y[i] = x[i] if x[i] > 0 else alpha * x[i]


@njit(parallel=True, cache=True)
def leaky_relu_backward(dy, x, alpha, dx):
    for i in prange(x.size):
        dx[i] = dy[i] if x[i] > 0 else alpha * dy[i]


@njit(parallel=True, cache=True)
def elu_forward(x, alpha, y):
    """ELU(z) = z for z > 0, α(e^z − 1) otherwise (expm1 keeps small z exact)."""
    for i in prange(x.size):
        y[i] = x[i] if x[i] > 0 else alpha * np.expm1(x[i])


@njit(parallel=True, cache=True)
def elu_backward(dy, x, alpha, dx):
    """ELU'(z) = 1 for z > 0, α e^z otherwise."""
    for i in prange(x.size):
        dx[i] = dy[i] if x[i] > 0 else dy[i] * alpha * np.exp(x[i])


@njit(parallel=True, cache=True)
def softmax_forward(x, y):
    """Row-wise softmax of a 2-D array: e^(z − max z) / Σ e^(z − max z), never overflows."""
    for r in prange(x.shape[0]):
        top = x[r, 0]
        for k in range(1, x.shape[1]):
            top = max(top, x[r, k])
        total = 0.0
        for k in range(x.shape[1]):
            y[r, k] = np.exp(x[r, k] - top)
            total += y[r, k]
        for k in range(x.shape[1]):
            y[r, k] = y[r, k] / total


@njit(parallel=True, cache=True)
def softmax_backward(dy, y, dx):
    """dx = y ⊙ (dy − Σ_k dy_k y_k), the softmax Jacobian applied row by row."""
    for r in prange(y.shape[0]):
        inner = 0.0
        for k in range(y.shape[1]):
            inner += dy[r, k] * y[r, k]
        for k in range(y.shape[1]):
            dx[r, k] = y[r, k] * (dy[r, k] - inner)


@njit(parallel=True, cache=True)
def log_softmax_forward(x, y):
    """log softmax(z) = (z − max z) − log Σ e^(z − max z).

    The parentheses matter: with |max z| ≈ 1e30, z − (max z + log Σ) would lose log Σ to rounding.
    """
    for r in prange(x.shape[0]):
        top = x[r, 0]
        for k in range(1, x.shape[1]):
            top = max(top, x[r, k])
        total = 0.0
        for k in range(x.shape[1]):
            total += np.exp(x[r, k] - top)
        log_total = np.log(total)
        for k in range(x.shape[1]):
            y[r, k] = (x[r, k] - top) - log_total


@njit(parallel=True, cache=True)
def log_softmax_backward(dy, y, dx):
    """dx = dy − softmax(z) Σ_k dy_k, with softmax(z) = e^y from the forward output y."""
    for r in prange(y.shape[0]):
        total = 0.0
        for k in range(y.shape[1]):
            total += dy[r, k]
        for k in range(y.shape[1]):
            dx[r, k] = dy[r, k] - np.exp(y[r, k]) * total
