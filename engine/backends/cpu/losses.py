"""Loss kernels (lecture 001: the empirical risk (1/N) Σ L(m(x), y)).

Each kernel writes the gradient of the *averaged* loss into ``grad`` and
returns the loss. Sums are accumulated in float64 whatever the input dtype.
"""

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def mean_squared_error(prediction, target, grad):
    """L = (1/M) Σ (p − t)² over all M elements; ∂L/∂p = 2 (p − t) / M."""
    size = prediction.size
    total = 0.0
    for i in prange(size):
        diff = prediction[i] - target[i]
        total += diff * diff
        grad[i] = 2 * diff / size
    return total / size


@njit(parallel=True, cache=True)
def softmax_cross_entropy_labels(logits, labels, grad):
    """L = −(1/N) Σ_n log softmax(z_n)[y_n] from logits and integer labels.

    log softmax is taken as (z − max z) − log Σ e^(z − max z), so no logit of
    any finite size overflows or loses the log-sum to rounding. ∂L/∂z_n = (softmax(z_n) − onehot(y_n)) / N.
    """
    n, k = logits.shape
    total = 0.0
    for r in prange(n):
        top = logits[r, 0]
        for j in range(1, k):
            top = max(top, logits[r, j])
        norm = 0.0
        for j in range(k):
            norm += np.exp(logits[r, j] - top)
        log_norm = np.log(norm)
        total += log_norm - (logits[r, labels[r]] - top)
        for j in range(k):
            grad[r, j] = np.exp((logits[r, j] - top) - log_norm) / n
        grad[r, labels[r]] -= 1 / n
    return total / n


@njit(parallel=True, cache=True)
def softmax_cross_entropy_targets(logits, targets, grad):
    """L = −(1/N) Σ_n Σ_k t_nk log softmax(z_n)_k for one-hot (or any probability) targets.

    ∂L/∂z_n = (softmax(z_n) Σ_k t_nk − t_n) / N, which is softmax − onehot for one-hot rows.
    """
    n, k = logits.shape
    total = 0.0
    for r in prange(n):
        top = logits[r, 0]
        for j in range(1, k):
            top = max(top, logits[r, j])
        norm = 0.0
        mass = 0.0
        for j in range(k):
            norm += np.exp(logits[r, j] - top)
            mass += targets[r, j]
        log_norm = np.log(norm)
        row = 0.0
        for j in range(k):
            if targets[r, j] != 0:
                row += targets[r, j] * (log_norm - (logits[r, j] - top))
            grad[r, j] = (np.exp((logits[r, j] - top) - log_norm) * mass - targets[r, j]) / n
        total += row
    return total / n


@njit(parallel=True, cache=True)
def binary_cross_entropy(probabilities, targets, eps, grad):
    """L = −(1/M) Σ [t log p + (1 − t) log(1 − p)], p clipped to [eps, 1 − eps] as Keras does.

    ∂L/∂p = (p − t) / (p (1 − p) M), evaluated at the clipped p.
    """
    size = probabilities.size
    total = 0.0
    for i in prange(size):
        p = min(max(probabilities[i], eps), 1 - eps)
        t = targets[i]
        total -= t * np.log(p) + (1 - t) * np.log(1 - p)
        grad[i] = (p - t) / (p * (1 - p) * size)
    return total / size


@njit(parallel=True, cache=True)
def binary_cross_entropy_with_logits(logits, targets, grad):
    """The same loss computed from logits z, p = σ(z), in the form that never overflows:

    L = (1/M) Σ [max(z, 0) − z t + log(1 + e^(−|z|))],  ∂L/∂z = (σ(z) − t) / M.
    """
    size = logits.size
    total = 0.0
    for i in prange(size):
        z, t = logits[i], targets[i]
        e = np.exp(-abs(z))
        total += max(z, 0) - z * t + np.log1p(e)
        sigma = 1 / (1 + e) if z >= 0 else e / (1 + e)
        grad[i] = (sigma - t) / size
    return total / size


# -- accuracy counters: numpy is enough on the CPU (the GPU backend counts with a kernel) ---------
def correct_labels(scores, labels) -> int:
    """How many rows of scores (M, K) have their largest score (the first, on ties) at labels (M,)."""
    return int(np.count_nonzero(np.argmax(scores, axis=-1) == labels))


def correct_one_hot(scores, targets) -> int:
    """How many rows of scores (M, K) have their largest score where the one-hot targets (M, K) have theirs."""
    return int(np.count_nonzero(np.argmax(scores, axis=-1) == np.argmax(targets, axis=-1)))


def correct_binary(output, targets, threshold) -> int:
    """How many elements have (output > threshold) == (targets > 0.5)."""
    return int(np.count_nonzero((output > threshold) == (targets > 0.5)))
