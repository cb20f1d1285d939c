"""What every layer has: parameters with their gradients, a forward that
remembers what its backward needs, and a train/eval mode.

A layer is built once for an input shape (without the batch axis); building
creates its parameters from a seeded generator and returns the output shape.
``forward(x)`` returns the output and keeps the inputs it needs;
``backward(dy)`` fills the gradients of its parameters and returns ∂L/∂x.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..backends import backend_for, to_backend


@dataclass(eq=False)
class Parameter:
    """A trainable array, its gradient, and whether L2 weight decay applies to it
    (weights yes; biases never, as the lectures' L2 penalty is over weights only)."""

    name: str
    value: np.ndarray
    grad: np.ndarray
    decay: bool

    @classmethod
    def create(cls, name, value, decay):
        return cls(name, value, np.zeros_like(value), decay)

    def set_grad(self, value):
        """Copy ``value`` into ``grad`` (the same array stays: optimisers keep views of it)."""
        backend_for(self.grad).assign(self.grad, value)

    def to(self, backend):
        """Move value and gradient to ``backend`` ("cpu" or "cuda"); nothing moves if they are there."""
        self.value, self.grad = to_backend(self.value, backend), to_backend(self.grad, backend)


class Layer:
    """Base class. Subclasses set ``kind`` (shown by ``summary()``) and implement
    ``build``, ``forward`` and ``backward``."""

    kind = "Layer"

    def __init__(self, name: str | None = None):
        self.name = name
        self.params: dict[str, Parameter] = {}
        self.state: dict[str, np.ndarray] = {}  # arrays that are saved but not trained (batch norm's statistics)
        self._training = True
        self.needs_input_grad = True  # False for a model's first layer: its input is the data
        self.input_shape: tuple[int, ...] | None = None
        self.output_shape: tuple[int, ...] | None = None

    @property
    def training(self) -> bool:
        """Training mode (True) or evaluation mode; setting it sets every sublayer's too."""
        return self._training

    @training.setter
    def training(self, mode):
        self._training = mode
        for layer in self.sublayers():
            layer.training = mode

    def sublayers(self) -> list[Layer]:
        """The layers this one is made of (a block's or a wrapper's); none for a plain layer."""
        return []

    @property
    def built(self) -> bool:
        return self.output_shape is not None

    def build(self, input_shape, rng, dtype) -> tuple[int, ...]:
        """Create parameters for inputs of shape (N,) + input_shape; return the output shape."""
        self.input_shape = tuple(input_shape)
        self.output_shape = tuple(self.compute_output_shape(self.input_shape))
        return self.output_shape

    def compute_output_shape(self, input_shape):
        return input_shape

    def forward(self, x):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dy):  # pragma: no cover - abstract
        raise NotImplementedError

    def parameter_count(self) -> int:
        return sum(p.value.size for p in self.params.values())

    def describe(self) -> str:
        """The constructor call that builds this layer, for ``summary()``."""
        return f"{type(self).__name__}()"

    def _require_images(self, input_shape):
        """Raise unless the layer's input is NHWC images, i.e. (H, W, C) without the batch axis."""
        if len(input_shape) != 3:
            shown = ", ".join(map(str, input_shape))
            raise ValueError(f"{self.kind} expects NHWC images (N, H, W, C), got (N, {shown})")

    def _saved(self, attribute):
        value = getattr(self, attribute, None)
        if value is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return value


class FromInput(Layer):
    """A layer without parameters around a functional pair whose backward needs the
    forward's input: subclasses define ``_forward(x)`` and ``_backward(dy, x)``."""

    def forward(self, x):
        self._x = x
        return self._forward(x)

    def backward(self, dy):
        return self._backward(dy, self._saved("_x"))


def name_layers(layers) -> None:
    """Give every unnamed layer a name from its kind, numbered in order ("conv2d_1", "dense_2"),
    and check that the names are unique."""
    counters: dict[str, int] = {}
    for layer in layers:
        if layer.name is None:
            base = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", layer.kind).lower()
            counters[base] = counters.get(base, 0) + 1
            layer.name = f"{base}_{counters[base]}"
    names = [layer.name for layer in layers]
    if len(set(names)) != len(names):
        raise ValueError(f"layer names must be unique, got {names}")
