"""Optimiser updates as fused in-place kernels (lecture 004 §2, the lecture's formulas).

Each kernel walks a parameter, its gradient and its state arrays (flat views of
the same size) once, updating everything in place. ``weight_decay`` λ adds the
gradient of the L2 penalty λ/2‖θ‖² to g (for plain SGD this is exactly the
decayed update θ ← (1 − αλ)θ − αg). ``t`` is the step number, counted from 1
at the first update. Scalars arrive as float64; arrays keep their own dtype.
"""

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def sgd(param, grad, lr, weight_decay):
    """θ_t = θ_{t−1} − α g_t."""
    for i in prange(param.size):
        g = grad[i] + weight_decay * param[i]
        param[i] -= lr * g


@njit(parallel=True, cache=True)
def momentum(param, grad, m, lr, beta1, t, bias_correction, weight_decay):
    """m_t = β₁ m_{t−1} + (1 − β₁) g_t;  θ_t = θ_{t−1} − α m_t  (or α m̂_t, m̂_t = m_t / (1 − β₁^t))."""
    correction = 1 - beta1**t if bias_correction else 1.0
    for i in prange(param.size):
        g = grad[i] + weight_decay * param[i]
        m[i] = beta1 * m[i] + (1 - beta1) * g
        param[i] -= lr * m[i] / correction


@njit(parallel=True, cache=True)
def nesterov(param, grad, m, lr, beta1, weight_decay):
    """Look-ahead form of the lecture's Nesterov step:

    m_t = β₁ m_{t−1} + (1 − β₁) g_t;  θ_t = θ_{t−1} − α (β₁ m_t + (1 − β₁) g_t).
    """
    for i in prange(param.size):
        g = grad[i] + weight_decay * param[i]
        m[i] = beta1 * m[i] + (1 - beta1) * g
        param[i] -= lr * (beta1 * m[i] + (1 - beta1) * g)


@njit(parallel=True, cache=True)
def adagrad(param, grad, s, lr, eps, weight_decay):
    """s_t = Σ_τ g_τ²;  θ_t = θ_{t−1} − α g_t / sqrt(s_t + ε)  (ε inside the root)."""
    for i in prange(param.size):
        g = grad[i] + weight_decay * param[i]
        s[i] += g * g
        param[i] -= lr * g / np.sqrt(s[i] + eps)


@njit(parallel=True, cache=True)
def rmsprop(param, grad, v, lr, beta2, eps, t, bias_correction, weight_decay):
    """v_t = β₂ v_{t−1} + (1 − β₂) g_t²;  θ_t = θ_{t−1} − α g_t / sqrt(v̂_t + ε), v̂_t = v_t / (1 − β₂^t) if corrected."""
    correction = 1 - beta2**t if bias_correction else 1.0
    for i in prange(param.size):
        g = grad[i] + weight_decay * param[i]
        v[i] = beta2 * v[i] + (1 - beta2) * g * g
        param[i] -= lr * g / np.sqrt(v[i] / correction + eps)


@njit(parallel=True, cache=True)
def adam(param, grad, m, v, lr, beta1, beta2, eps, t, weight_decay):
    """Momentum and RMSProp, both bias-corrected:  θ_t = θ_{t−1} − α m̂_t / sqrt(v̂_t + ε)."""
    correction1 = 1 - beta1**t
    correction2 = 1 - beta2**t
    for i in prange(param.size):
        g = grad[i] + weight_decay * param[i]
        m[i] = beta1 * m[i] + (1 - beta1) * g
        v[i] = beta2 * v[i] + (1 - beta2) * g * g
        param[i] -= lr * (m[i] / correction1) / np.sqrt(v[i] / correction2 + eps)
