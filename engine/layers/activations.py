"""Activation functions as layers (lecture 004 §1), and ``make_activation`` for
the ``activation="relu"`` argument of Dense and Conv2D."""

from __future__ import annotations

from .. import functional as F
from .base import FromInput, Layer


class _FromOutput(Layer):
    """An activation whose backward is written with its output (σ' = σ(1 − σ) and kin)."""

    def forward(self, x):
        self._y = self._forward(x)
        return self._y

    def backward(self, dy):
        return self._backward(dy, self._saved("_y"))


class ReLU(FromInput):
    kind = "ReLU"
    _forward = staticmethod(F.relu_forward)
    _backward = staticmethod(F.relu_backward)


class LeakyReLU(FromInput):
    """Leaky ReLU with α = 0.01 by default (Keras' LeakyReLU layer uses 0.3)."""

    kind = "LeakyReLU"

    def __init__(self, alpha=0.01, name=None):
        super().__init__(name)
        self.alpha = alpha

    def _forward(self, x):
        return F.leaky_relu_forward(x, self.alpha)

    def _backward(self, dy, x):
        return F.leaky_relu_backward(dy, x, self.alpha)


class ELU(FromInput):
    kind = "ELU"

    def __init__(self, alpha=1.0, name=None):
        super().__init__(name)
        self.alpha = alpha

    def _forward(self, x):
        return F.elu_forward(x, self.alpha)

    def _backward(self, dy, x):
        return F.elu_backward(dy, x, self.alpha)


class Sigmoid(_FromOutput):
    kind = "Sigmoid"
    _forward = staticmethod(F.sigmoid_forward)
    _backward = staticmethod(F.sigmoid_backward)


class Tanh(_FromOutput):
    kind = "Tanh"
    _forward = staticmethod(F.tanh_forward)
    _backward = staticmethod(F.tanh_backward)


class Softmax(_FromOutput):
    kind = "Softmax"
    _backward = staticmethod(F.softmax_backward)

    def _forward(self, x):
        self._x = x  # the logits, for a loss that fuses softmax and cross-entropy
        return F.softmax_forward(x)

    def logits(self):
        return self._saved("_x")


class LogSoftmax(_FromOutput):
    kind = "LogSoftmax"
    _forward = staticmethod(F.log_softmax_forward)
    _backward = staticmethod(F.log_softmax_backward)


ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "softmax": Softmax,
    "log_softmax": LogSoftmax,
}


def make_activation(activation) -> Layer | None:
    """None or "linear" -> no activation; a name -> a new layer; a layer -> itself."""
    if activation is None or activation == "linear":
        return None
    if isinstance(activation, Layer):
        return activation
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, 'linear' or None, got {activation!r}")
    return ACTIVATIONS[activation]()
