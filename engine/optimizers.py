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
from .backends import backend_for, backend_name, get_backend, to_backend
from .functional import optim as update
from .schedules import Schedule


def _kernels(arrays):
    """The update kernels of the backend the arrays live on."""
    return backend_for(arrays[0]).optim


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
        self._checked: dict[int, tuple] = {}

    def current_lr(self) -> float:
        lr = self.lr(self.epoch) if isinstance(self.lr, Schedule) else self.lr
        return check.real_number("lr", lr, low=0)

    def step(self, parameters):
        self.t += 1
        lr = self.current_lr()
        for p in parameters:
            decay = self.weight_decay if p.decay else 0.0
            self.update(self._flat_arrays(p), lr, decay)

    def _flat_arrays(self, p):
        """[θ, g, *state] of parameter p as flat views for the update kernel.

        They are checked (``engine.functional.optim.flat_arrays``) when p is first
        seen, or after its value or gradient array was replaced; each later step
        calls the kernel directly: checking ten small arrays again at every step
        took longer than updating them.
        """
        checked = self._checked.get(id(p))
        if checked is not None and checked[0] is p.value and checked[1] is p.grad:
            return checked[2]
        where = backend_name(p.value)
        state = self.state.get(id(p))
        if state is None:
            zeros = get_backend(where).zeros
            state = self.state[id(p)] = {name: zeros(p.value.shape, p.value.dtype) for name in self.state_names}
        else:  # the model moved to another backend: the state follows its parameter
            state.update({name: to_backend(value, where) for name, value in state.items()})
        arrays = update.flat_arrays(p.value, p.grad, **state)
        if check.in_place_target(p.grad):  # otherwise arrays[1] is a copy, to be made again at every step
            self._checked[id(p)] = (p.value, p.grad, arrays)
        return arrays

    state_names: tuple[str, ...] = ()

    def update(self, arrays, lr, weight_decay):  # pragma: no cover - abstract
        """One step of the rule on ``arrays`` = [θ, g, *state] (flat views), through its fused kernel."""
        raise NotImplementedError


class SGD(Optimizer):
    """θ_t = θ_{t−1} − α g_t."""

    def update(self, arrays, lr, weight_decay):
        _kernels(arrays).sgd(*arrays, lr, weight_decay)


class Momentum(Optimizer):
    """Exponentially weighted average of gradients; optional bias correction m̂_t = m_t / (1 − β₁^t)."""

    state_names = ("m",)

    def __init__(self, lr, beta1=0.9, bias_correction=False, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta1, self.bias_correction = _beta("beta1", beta1), bool(bias_correction)

    def update(self, arrays, lr, weight_decay):
        _kernels(arrays).momentum(*arrays, lr, self.beta1, self.t, self.bias_correction, weight_decay)


class Nesterov(Optimizer):
    """Momentum with the look-ahead gradient, θ_t = θ_{t−1} − α (β₁ m_t + (1 − β₁) g_t)."""

    state_names = ("m",)

    def __init__(self, lr, beta1=0.9, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta1 = _beta("beta1", beta1)

    def update(self, arrays, lr, weight_decay):
        _kernels(arrays).nesterov(*arrays, lr, self.beta1, weight_decay)


class Adagrad(Optimizer):
    """Scale each component by the root of its summed squared gradients."""

    state_names = ("s",)

    def __init__(self, lr=0.01, eps=1e-8, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.eps = _eps(eps)

    def update(self, arrays, lr, weight_decay):
        _kernels(arrays).adagrad(*arrays, lr, self.eps, weight_decay)


class RMSProp(Optimizer):
    """Scale by the root of an exponentially weighted average of squared gradients (β₂ = 0.9 as Keras' rho)."""

    state_names = ("v",)

    def __init__(self, lr=0.001, beta2=0.9, eps=1e-8, bias_correction=False, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta2, self.eps, self.bias_correction = _beta("beta2", beta2), _eps(eps), bool(bias_correction)

    def update(self, arrays, lr, weight_decay):
        _kernels(arrays).rmsprop(*arrays, lr, self.beta2, self.eps, self.t, self.bias_correction, weight_decay)


class Adam(Optimizer):
    """Momentum and RMSProp, both bias-corrected: θ_t = θ_{t−1} − α m̂_t / sqrt(v̂_t + ε)."""

    state_names = ("m", "v")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta1, self.beta2, self.eps = _beta("beta1", beta1), _beta("beta2", beta2), _eps(eps)

    def update(self, arrays, lr, weight_decay):
        _kernels(arrays).adam(*arrays, lr, self.beta1, self.beta2, self.eps, self.t, weight_decay)
