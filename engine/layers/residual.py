"""The residual block of lecture 000 (He et al. 2016): y = m(x) + x.

``m`` is any stack of layers. When m changes the shape of its input, the
shortcut x cannot be added as it is: a projection P maps it to m's output
shape, y = m(x) + P(x) — a Dense layer for vectors, a 1×1 convolution with the
stride that matches the spatial size for images (as in ResNet). Backward is
the sum rule: ∂L/∂x = m'(x)ᵀ dy + P'(x)ᵀ dy (with P the identity, just dy):
the shortcut hands the gradient to earlier layers undiminished, which is why
deep residual nets still train where plain ones stall.
"""

from __future__ import annotations

from ..backends import backend_for
from .activations import make_activation
from .base import Layer, name_layers
from .fused import stages
from .linear import Conv2D, Dense


def _sum(a, b):
    """a + b as a new array on their backend."""
    be = backend_for(a)
    total = be.empty(a.shape, a.dtype)
    be.arrays.add(a, b, total)
    return total


def _projection_stride(size_in, size_out):
    """The stride s of a 1×1 "valid" convolution taking size_in to size_out = ceil(size_in / s), or None."""
    for stride in range(1, size_in + 1):
        if -(-size_in // stride) == size_out:
            return stride
    return None


def projection_for(input_shape, output_shape):
    """The layer that maps the shortcut x of shape ``input_shape`` onto ``output_shape``
    (shapes without the batch axis), or raise when no projection can."""
    if len(input_shape) == 1 and len(output_shape) == 1:
        return Dense(output_shape[0], name="projection")
    if len(input_shape) == 3 and len(output_shape) == 3:
        strides = [_projection_stride(i, o) for i, o in zip(input_shape[:2], output_shape[:2])]
        if None not in strides:
            return Conv2D(output_shape[2], 1, stride=tuple(strides), name="projection")
    raise ValueError(
        f"Residual cannot add the block's input of shape (N, {', '.join(map(str, input_shape))}) to its output "
        f"of shape (N, {', '.join(map(str, output_shape))}): no dense layer or strided 1x1 convolution maps one "
        "onto the other; change the block's layers or pass projection=<a layer with that output shape>"
    )


class Residual(Layer):
    """y = g(m(x) + P(x)): ``layers`` make m; P is the identity when m keeps the shape.

    - ``projection="auto"`` (default) builds P only when shapes differ (see
      ``projection_for``); ``None`` forbids it (differing shapes are an error);
      a layer is used as P (its output must have m's output shape).
    - ``activation`` g after the sum: None (the lecture's m(x) + x) or, as in
      ResNet, "relu".

    The block's parameters appear in ``params`` as "inner_layer_name.W",
    "projection.W" and so on.
    """

    kind = "Residual"

    def __init__(self, layers, projection="auto", activation=None, name=None):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("Residual needs at least one layer for m(x)")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be an engine layer, got {type(layer).__name__}")
        if not (projection is None or projection == "auto" or isinstance(projection, Layer)):
            raise TypeError(f"projection must be 'auto', None or an engine layer, got {projection!r}")
        self._projection_choice = projection
        self.projection = None
        self.activation = make_activation(activation)
        super().__init__(name)

    def sublayers(self):
        return self.layers + [layer for layer in (self.projection, self.activation) if layer is not None]

    def build(self, input_shape, rng, dtype):
        self.input_shape = tuple(input_shape)
        name_layers(self.layers)
        shape = self.input_shape
        for layer in self.layers:
            shape = layer.build(shape, rng, dtype)
        choice = self._projection_choice
        if choice == "auto":
            self.projection = None if shape == self.input_shape else projection_for(self.input_shape, shape)
        elif choice is None and shape != self.input_shape:
            raise ValueError(
                f"Residual with projection=None needs m(x) to keep the input's shape "
                f"(N, {', '.join(map(str, self.input_shape))}), but its layers output (N, {', '.join(map(str, shape))})"
            )
        else:
            self.projection = choice
        if self.projection is not None:
            self.projection.name = self.projection.name or "projection"
            projected = self.projection.build(self.input_shape, rng, dtype)
            if projected != shape:
                raise ValueError(f"the projection outputs (N, {', '.join(map(str, projected))}) but m(x) outputs "
                                 f"(N, {', '.join(map(str, shape))}); they must match to be added")
        if self.activation is not None:
            self.activation.build(shape, rng, dtype)
        self._stages = stages(self.layers)
        for layer in self.sublayers():
            layer.needs_input_grad = True
            layer.training = self.training
            self.params.update({f"{layer.name}.{key}": p for key, p in layer.params.items()})
            self.state.update({f"{layer.name}.{key}": a for key, a in layer.state.items()})
        self.output_shape = shape
        return shape

    def forward(self, x):
        h = x
        for _, _, stage in self._stages:
            h = stage.forward(h)
        y = _sum(h, x if self.projection is None else self.projection.forward(x))
        return y if self.activation is None else self.activation.forward(y)

    def backward(self, dy):
        if self.activation is not None:
            dy = self.activation.backward(dy)
        d_block = dy
        for _, _, stage in reversed(self._stages):
            d_block = stage.backward(d_block)
        d_shortcut = dy if self.projection is None else self.projection.backward(dy)
        return _sum(d_block, d_shortcut)

    def describe(self):
        inner = ", ".join(layer.describe() for layer in self.layers)
        return f"Residual([{inner}])"
