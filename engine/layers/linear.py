"""Layers with weights: Dense and Conv2D, each optionally followed by an activation
(``activation="relu"``, as in the lecture's Keras LeNet)."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import validation as check
from ..functional.conv import columns_bytes, conv2d_geometry
from ..init import get_initializer
from .activations import ReLU, make_activation
from .base import Layer, Parameter


class _WithActivation(Layer):
    """A linear map z = f(x; W, b) followed by an optional activation a = g(z)."""

    def __init__(self, activation, kernel_initializer, name):
        super().__init__(name)
        self.activation = make_activation(activation)
        self.kernel_initializer = get_initializer(kernel_initializer)

    def _create_params(self, kernel_shape, bias_size, rng, dtype):
        kernel = self.kernel_initializer(kernel_shape, rng=rng, dtype=dtype)
        self.params = {
            "W": Parameter.create("W", kernel, decay=True),
            "b": Parameter.create("b", np.zeros(bias_size, dtype=dtype), decay=False),
        }

    fuses_relu = False  # whether the linear kernels can apply a ReLU themselves (see _relu_fused)

    @property
    def _relu_fused(self):
        """ReLU computed inside the linear kernels, on blocks of the output still in the cache,
        instead of by a separate pass over the whole output (same values, less memory traffic)."""
        return self.fuses_relu and isinstance(self.activation, ReLU)

    def forward(self, x):
        self._x = x
        if self._relu_fused:
            self._y = self._linear_forward(x, relu=True)
            return self._y
        z = self._linear_forward(x)
        return self.activation.forward(z) if self.activation else z

    def backward(self, dy):
        if self._relu_fused:
            return self._store_gradients(*self._linear_backward(dy, self._saved("_x"), relu_output=self._saved("_y")))
        if self.activation:
            dy = self.activation.backward(dy)
        return self.backward_from_preactivation(dy)

    def backward_from_preactivation(self, dz):
        """Backward pass given ∂L/∂z directly (used when softmax and cross-entropy are fused)."""
        return self._store_gradients(*self._linear_backward(dz, self._saved("_x")))

    def _store_gradients(self, dx, dW, db):
        self.params["W"].set_grad(dW)
        self.params["b"].set_grad(db)
        return dx

    def _activation_text(self):
        return f", activation={self.activation.kind.lower()!r}" if self.activation else ""


class Dense(_WithActivation):
    """y = g(x W + b) for x of shape (N, D_in); W is (D_in, units)."""

    kind = "Dense"

    def __init__(self, units, activation=None, kernel_initializer="glorot_uniform", name=None):
        super().__init__(activation, kernel_initializer, name)
        self.units = check.positive_int("units", units)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 1:
            raise ValueError(
                f"Dense expects inputs of shape (N, D), got (N, {', '.join(map(str, input_shape))}); "
                "put a Flatten layer before it"
            )
        return (self.units,)

    def build(self, input_shape, rng, dtype):
        shape = super().build(input_shape, rng, dtype)
        self._create_params((input_shape[0], self.units), self.units, rng, dtype)
        return shape

    fuses_relu = True

    def _linear_forward(self, x, relu=False):
        return F.dense_forward(x, self.params["W"].value, self.params["b"].value, relu=relu)

    def _linear_backward(self, dz, x, relu_output=None):
        return F.dense_backward(dz, x, self.params["W"].value, relu_output=relu_output)

    def describe(self):
        return f"Dense({self.units}{self._activation_text()})"


KEEP_COLUMNS_BYTES = 64 << 20  # a training step keeps a layer's im2col for its backward up to this size


class Conv2D(_WithActivation):
    """y = g(conv(x, W) + b) on NHWC images; W is (KH, KW, C_in, filters).

    ``padding`` is an int, a pair, "valid", "same" or "full" (see ``engine.functional.conv``).
    """

    kind = "Conv2D"

    def __init__(self, filters, kernel_size, stride=1, padding="valid", activation=None,
                 kernel_initializer="glorot_uniform", name=None):
        super().__init__(activation, kernel_initializer, name)
        self.filters = check.positive_int("filters", filters)
        self.kernel_size = check.int_pair("kernel_size", kernel_size)
        self.stride = check.int_pair("stride", stride)
        self.padding = padding
        self._columns = None

    def compute_output_shape(self, input_shape):
        self._require_images(input_shape)
        kernel_shape = self.kernel_size + (input_shape[2], self.filters)
        _, _, (out_h, out_w) = conv2d_geometry((1,) + tuple(input_shape), kernel_shape, self.stride, self.padding)
        return (out_h, out_w, self.filters)

    def build(self, input_shape, rng, dtype):
        shape = super().build(input_shape, rng, dtype)
        self._create_params(self.kernel_size + (input_shape[2], self.filters), self.filters, rng, dtype)
        return shape

    fuses_relu = True

    def _linear_forward(self, x, relu=False):
        W, b = self.params["W"].value, self.params["b"].value
        self._columns = None
        if self.training and self._columns_fit(x, W):
            y, self._columns = F.conv2d_forward(x, W, b, self.stride, self.padding, keep_columns=True, relu=relu)
            return y
        return F.conv2d_forward(x, W, b, self.stride, self.padding, relu=relu)

    def _columns_fit(self, x, W):
        """Whether to keep this batch's im2col for the backward pass (saves unrolling x twice)."""
        if not isinstance(x, np.ndarray) or x.ndim != 4:
            return False  # the functional call reports what is wrong with x
        needed = columns_bytes(x.shape, W.shape, self.stride, self.padding, x.itemsize)
        return needed <= KEEP_COLUMNS_BYTES

    def _linear_backward(self, dz, x, relu_output=None):
        return F.conv2d_backward(dz, x, self.params["W"].value, self.stride, self.padding,
                                 need_dx=self.needs_input_grad, columns=self._columns, relu_output=relu_output)

    def describe(self):
        k = self.kernel_size[0] if self.kernel_size[0] == self.kernel_size[1] else self.kernel_size
        return f"Conv2D({self.filters}, {k}{self._activation_text()})"
