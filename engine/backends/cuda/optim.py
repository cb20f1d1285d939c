"""Optimiser updates on the GPU as fused in-place kernels (lecture 004 §2, the lecture's formulas).

The same functions as ``engine.backends.cpu.optim``, with the same arithmetic:

- SGD:       θ_t = θ_{t−1} − α g_t
- momentum:  m_t = β₁ m_{t−1} + (1 − β₁) g_t,  θ_t = θ_{t−1} − α m_t  (or α m̂_t, m̂_t = m_t / (1 − β₁^t))
- Nesterov:  m_t as momentum,  θ_t = θ_{t−1} − α (β₁ m_t + (1 − β₁) g_t)
- Adagrad:   s_t = s_{t−1} + g_t²,  θ_t = θ_{t−1} − α g_t / sqrt(s_t + ε)
- RMSProp:   v_t = β₂ v_{t−1} + (1 − β₂) g_t²,  θ_t = θ_{t−1} − α g_t / sqrt(v_t + ε)  (or v̂_t)
- Adam:      θ_t = θ_{t−1} − α m̂_t / sqrt(v̂_t + ε)

``weight_decay`` λ adds λθ to g (the gradient of the L2 penalty λ/2‖θ‖²); ``t``
counts from 1 at the first update. Scalars arrive as float64; arrays keep their
own dtype. The bias corrections 1 − β^t are computed once per call on the host,
by the same compiled expression as in the CPU kernel, and handed to the kernel.

Launch plan: one thread per parameter element (``launch.elementwise``), which
reads θ, g and the state once and writes θ and the state back.
"""

from __future__ import annotations

import math

from numba import cuda, njit

from .launch import elementwise


@njit(cache=True)
def bias_correction(beta, t, corrected):
    """1 − β^t when ``corrected``, else 1 (host side; the CPU kernels' own expression)."""
    return 1 - beta**t if corrected else 1.0


# Thread i updates param[i].
@cuda.jit(cache=True)
def _sgd(param, grad, lr, weight_decay):
    i = cuda.grid(1)
    if i < param.size:
        g = grad[i] + weight_decay * param[i]
        param[i] -= lr * g


# Thread i updates param[i] and m[i].
@cuda.jit(cache=True)
def _momentum(param, grad, m, lr, beta1, correction, weight_decay):
    i = cuda.grid(1)
    if i < param.size:
        g = grad[i] + weight_decay * param[i]
        m[i] = beta1 * m[i] + (1 - beta1) * g
        param[i] -= lr * m[i] / correction


# Thread i updates param[i] and m[i].
@cuda.jit(cache=True)
def _nesterov(param, grad, m, lr, beta1, weight_decay):
    i = cuda.grid(1)
    if i < param.size:
        g = grad[i] + weight_decay * param[i]
        m[i] = beta1 * m[i] + (1 - beta1) * g
        param[i] -= lr * (beta1 * m[i] + (1 - beta1) * g)


# Thread i updates param[i] and s[i].
@cuda.jit(cache=True)
def _adagrad(param, grad, s, lr, eps, weight_decay):
    i = cuda.grid(1)
    if i < param.size:
        g = grad[i] + weight_decay * param[i]
        s[i] += g * g
        param[i] -= lr * g / math.sqrt(s[i] + eps)


# Thread i updates param[i] and v[i].
@cuda.jit(cache=True)
def _rmsprop(param, grad, v, lr, beta2, eps, correction, weight_decay):
    i = cuda.grid(1)
    if i < param.size:
        g = grad[i] + weight_decay * param[i]
        v[i] = beta2 * v[i] + (1 - beta2) * g * g
        param[i] -= lr * g / math.sqrt(v[i] / correction + eps)


# Thread i updates param[i], m[i] and v[i].
@cuda.jit(cache=True)
def _adam(param, grad, m, v, lr, beta1, beta2, eps, correction1, correction2, weight_decay):
    i = cuda.grid(1)
    if i < param.size:
        g = grad[i] + weight_decay * param[i]
        m[i] = beta1 * m[i] + (1 - beta1) * g
        v[i] = beta2 * v[i] + (1 - beta2) * g * g
        param[i] -= lr * (m[i] / correction1) / math.sqrt(v[i] / correction2 + eps)


def sgd(param, grad, lr, weight_decay):
    """θ_t = θ_{t−1} − α g_t."""
    _sgd[elementwise(param.size)](param, grad, float(lr), float(weight_decay))


def momentum(param, grad, m, lr, beta1, t, bias_correction_on, weight_decay):
    """m_t = β₁ m_{t−1} + (1 − β₁) g_t;  θ_t = θ_{t−1} − α m_t  (or α m̂_t, m̂_t = m_t / (1 − β₁^t))."""
    correction = bias_correction(float(beta1), int(t), bool(bias_correction_on))
    _momentum[elementwise(param.size)](param, grad, m, float(lr), float(beta1), correction, float(weight_decay))


def nesterov(param, grad, m, lr, beta1, weight_decay):
    """m_t = β₁ m_{t−1} + (1 − β₁) g_t;  θ_t = θ_{t−1} − α (β₁ m_t + (1 − β₁) g_t)."""
    _nesterov[elementwise(param.size)](param, grad, m, float(lr), float(beta1), float(weight_decay))


def adagrad(param, grad, s, lr, eps, weight_decay):
    """s_t = Σ_τ g_τ²;  θ_t = θ_{t−1} − α g_t / sqrt(s_t + ε)  (ε inside the root)."""
    _adagrad[elementwise(param.size)](param, grad, s, float(lr), float(eps), float(weight_decay))


def rmsprop(param, grad, v, lr, beta2, eps, t, bias_correction_on, weight_decay):
    """v_t = β₂ v_{t−1} + (1 − β₂) g_t²;  θ_t = θ_{t−1} − α g_t / sqrt(v̂_t + ε), v̂_t = v_t / (1 − β₂^t) if corrected."""
    correction = bias_correction(float(beta2), int(t), bool(bias_correction_on))
    _rmsprop[elementwise(param.size)](param, grad, v, float(lr), float(beta2), float(eps), correction,
                                      float(weight_decay))


def adam(param, grad, m, v, lr, beta1, beta2, eps, t, weight_decay):
    """Momentum and RMSProp, both bias-corrected:  θ_t = θ_{t−1} − α m̂_t / sqrt(v̂_t + ε)."""
    correction1 = bias_correction(float(beta1), int(t), True)
    correction2 = bias_correction(float(beta2), int(t), True)
    _adam[elementwise(param.size)](param, grad, m, v, float(lr), float(beta1), float(beta2), float(eps),
                                   correction1, correction2, float(weight_decay))
