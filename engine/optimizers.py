"""Optimisers: the state each update rule keeps, around the fused kernels of
``engine.functional.optim`` (lecture 004 §2).

``step(parameters)`` advances the step counter t (t = 1 at the first update)
and updates every parameter in place from its ``grad``. ``lr`` is a number or
a schedule (``engine.schedules``), evaluated at ``self.epoch``, which
``fit`` sets at the start of every epoch. ``weight_decay`` λ is the L2 penalty
λ/2‖W‖² over weights only: biases are never decayed.
"""

from __future__ import annotations

import numpy as np

from . import validation as check
from .functional import optim as update
from .schedules import Schedule


def _beta(name, value):
    return check.real_number(name, value, low=0, high=1, high_open=True)


def _eps(value):
    return check.real_number("eps", value, low=0)


class Optimizer:
    def __init__(self, lr, weight_decay=0.0):
        if not isinstance(lr, Schedule):
            check.real_number("lr", lr, low=0, low_open=True)
        self.lr = lr
        self.weight_decay = check.real_number("weight_decay", weight_decay, low=0)
        self.t = 0
        self.epoch = 1
        self.state: dict[int, dict[str, np.ndarray]] = {}

    def current_lr(self) -> float:
        return self.lr(self.epoch) if isinstance(self.lr, Schedule) else self.lr

    def step(self, parameters):
        self.t += 1
        lr = self.current_lr()
        for p in parameters:
            state = self.state.get(id(p))
            if state is None:
                state = self.state[id(p)] = {name: np.zeros_like(p.value) for name in self.state_names}
            decay = self.weight_decay if p.decay else 0.0
            self.update(p.value, p.grad, state, lr, decay)

    state_names: tuple[str, ...] = ()

    def update(self, value, grad, state, lr, weight_decay):  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """θ_t = θ_{t−1} − α g_t."""

    def update(self, value, grad, state, lr, weight_decay):
        update.sgd_update(value, grad, lr, weight_decay)


class Momentum(Optimizer):
    """Exponentially weighted average of gradients; optional bias correction m̂_t = m_t / (1 − β₁^t)."""

    state_names = ("m",)

    def __init__(self, lr, beta1=0.9, bias_correction=False, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta1, self.bias_correction = _beta("beta1", beta1), bool(bias_correction)

    def update(self, value, grad, state, lr, weight_decay):
        update.momentum_update(value, grad, state["m"], self.t, lr, self.beta1, self.bias_correction, weight_decay)


class Nesterov(Optimizer):
    """Momentum with the look-ahead gradient, θ_t = θ_{t−1} − α (β₁ m_t + (1 − β₁) g_t)."""

    state_names = ("m",)

    def __init__(self, lr, beta1=0.9, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta1 = _beta("beta1", beta1)

    def update(self, value, grad, state, lr, weight_decay):
        update.nesterov_update(value, grad, state["m"], lr, self.beta1, weight_decay)


class Adagrad(Optimizer):
    """Scale each component by the root of its summed squared gradients."""

    state_names = ("s",)

    def __init__(self, lr=0.01, eps=1e-8, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.eps = _eps(eps)

    def update(self, value, grad, state, lr, weight_decay):
        update.adagrad_update(value, grad, state["s"], lr, self.eps, weight_decay)


class RMSProp(Optimizer):
    """Scale by the root of an exponentially weighted average of squared gradients (β₂ = 0.9 as Keras' rho)."""

    state_names = ("v",)

    def __init__(self, lr=0.001, beta2=0.9, eps=1e-8, bias_correction=False, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta2, self.eps, self.bias_correction = _beta("beta2", beta2), _eps(eps), bool(bias_correction)

    def update(self, value, grad, state, lr, weight_decay):
        update.rmsprop_update(value, grad, state["v"], self.t, lr, self.beta2, self.eps, self.bias_correction,
                              weight_decay)


class Adam(Optimizer):
    """Momentum and RMSProp, both bias-corrected: θ_t = θ_{t−1} − α m̂_t / sqrt(v̂_t + ε)."""

    state_names = ("m", "v")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta1, self.beta2, self.eps = _beta("beta1", beta1), _beta("beta2", beta2), _eps(eps)

    def update(self, value, grad, state, lr, weight_decay):
        update.adam_update(value, grad, state["m"], state["v"], self.t, lr, self.beta1, self.beta2, self.eps,
                           weight_decay)
