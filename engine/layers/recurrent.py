"""Recurrent layers (lecture 004 §6): SimpleRNN, LSTM, Bidirectional and TimeDistributedDense.

Inputs are batch-first sequences (N, T, D). A recurrent layer returns every
state (N, T, H) with ``return_sequences=True`` (for a per-step output, e.g.
``TimeDistributedDense`` after it), or only the last state h_{T−1} (N, H).
Initial states are zero. Initialisation as in Keras: the input kernel
Glorot-uniform, the recurrent kernel orthogonal (the lecture: an orthogonal
W_hh preserves the norm of the state it multiplies, ‖h W_hh‖ = ‖h‖), biases zero.
"""

from __future__ import annotations

import copy

import numpy as np

from .. import validation as check
from ..backends import backend_for
from ..functional.dense import dense_backward, dense_forward
from ..functional.recurrent import lstm_backward, lstm_forward, rnn_backward, rnn_forward
from ..init import get_initializer
from .base import Layer, Parameter
from .linear import _WithActivation


def _require_sequences(kind, input_shape):
    if len(input_shape) != 2:
        shown = ", ".join(map(str, input_shape))
        raise ValueError(f"{kind} expects batch-first sequences (N, T, D), got (N, {shown})")


class _Recurrent(Layer):
    """What SimpleRNN and LSTM share: the parameters (kernel, recurrent kernel, bias), the
    choice between every state and the last one, and the backward pass of that choice."""

    gates = 1
    names = ("kernel", "recurrent_kernel", "bias")

    def __init__(self, units, return_sequences=False, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", name=None):
        super().__init__(name)
        self.units = check.positive_int("units", units)
        if not isinstance(return_sequences, (bool, np.bool_)):
            raise TypeError(f"return_sequences must be True or False, got {check.describe(return_sequences)}")
        self.return_sequences = bool(return_sequences)
        self.kernel_initializer = get_initializer(kernel_initializer)
        self.recurrent_initializer = get_initializer(recurrent_initializer)

    def compute_output_shape(self, input_shape):
        _require_sequences(self.kind, input_shape)
        return (input_shape[0], self.units) if self.return_sequences else (self.units,)

    def build(self, input_shape, rng, dtype):
        shape = super().build(input_shape, rng, dtype)
        width = self.gates * self.units
        kernel, recurrent, bias = self.names
        kernel_value = self.kernel_initializer((input_shape[1], width), rng=rng, dtype=dtype)
        recurrent_value = self.recurrent_initializer((self.units, width), rng=rng, dtype=dtype)
        self.params = {
            kernel: Parameter.create(kernel, kernel_value, decay=True),
            recurrent: Parameter.create(recurrent, recurrent_value, decay=True),
            bias: Parameter.create(bias, self._initial_bias(width, dtype), decay=False),
        }
        return shape

    def _initial_bias(self, width, dtype):
        return np.zeros(width, dtype=dtype)

    def _weights(self):
        return tuple(self.params[name].value for name in self.names)

    def _output(self, h):
        if self.return_sequences:
            return h
        be = backend_for(h)
        last = be.empty((h.shape[0], h.shape[2]), h.dtype)
        be.arrays.take_step(h, h.shape[1] - 1, last)
        return last

    def _state_gradient(self, dy):
        """∂L/∂h_t for every t: dy itself, or zeros but at the last step."""
        if self.return_sequences:
            return dy
        h = self._saved("_h")
        dy = check.float_array("dy", dy, ndim=2)
        check.shape_equal("dy", dy, (h.shape[0], self.units), "(N, H): the shape of the layer's output")
        be = backend_for(h)
        dh = be.zeros(h.shape, h.dtype)
        be.arrays.put_step(dy, h.shape[1] - 1, dh)
        return dh

    def _store_gradients(self, gradients):
        for name, grad in zip(self.names, gradients):
            self.params[name].set_grad(grad)

    def describe(self):
        sequences = ", return_sequences=True" if self.return_sequences else ""
        return f"{type(self).__name__}({self.units}{sequences})"


class SimpleRNN(_Recurrent):
    """h_t = tanh(x_t W_xh + h_{t−1} W_hh + b), h_{−1} = 0; parameters "W_xh" (D, H), "W_hh" (H, H), "b" (H,)."""

    kind = "SimpleRNN"
    names = ("W_xh", "W_hh", "b")

    def forward(self, x):
        W_xh, W_hh, b = self._weights()
        self._x = x
        self._h = rnn_forward(x, W_xh, W_hh, b)
        return self._output(self._h)

    def backward(self, dy):
        x, h = self._saved("_x"), self._saved("_h")
        W_xh, W_hh, _ = self._weights()
        dx, dW_xh, dW_hh, db, _ = rnn_backward(self._state_gradient(dy), x, h, W_xh, W_hh)
        self._store_gradients((dW_xh, dW_hh, db))
        return dx


class LSTM(_Recurrent):
    """The lecture's LSTM (gates f, i, c̃, o; see ``engine.functional.recurrent``), zero initial states.

    Parameters "kernel" (D, 4H), "recurrent_kernel" (H, 4H), "bias" (4H,), gates stacked in Keras'
    order [i, f, c̃, o]. Biases start at zero (the engine's convention); ``unit_forget_bias=True``
    starts the forget gate's bias at 1 instead, as Keras does by default (it keeps the cell's
    memory open at the start of training).
    """

    kind = "LSTM"
    gates = 4

    def __init__(self, units, return_sequences=False, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", unit_forget_bias=False, name=None):
        super().__init__(units, return_sequences, kernel_initializer, recurrent_initializer, name)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _initial_bias(self, width, dtype):
        bias = np.zeros(width, dtype=dtype)
        if self.unit_forget_bias:
            bias[self.units : 2 * self.units] = 1
        return bias

    def forward(self, x):
        kernel, recurrent, bias = self._weights()
        self._x = x
        self._h, self._c, self._gates = lstm_forward(x, kernel, recurrent, bias)
        return self._output(self._h)

    def backward(self, dy):
        x, h = self._saved("_x"), self._saved("_h")
        kernel, recurrent, _ = self._weights()
        dx, dW, dU, db, _, _ = lstm_backward(self._state_gradient(dy), x, h, self._c, self._gates, kernel, recurrent)
        self._store_gradients((dW, dU, db))
        return dx


def _reversed_in_time(be, x):
    """x[:, ::-1] for sequences (N, T, D), as a new contiguous array on x's backend."""
    out = be.empty(x.shape, x.dtype)
    be.arrays.reverse_time(x, out)
    return out


class Bidirectional(Layer):
    """A causal and an anti-causal copy of a recurrent layer over the same input, outputs
    concatenated on the feature axis, forward direction first (lecture 004 §6).

    The backward copy reads x_{T−1}, …, x_0 and has its own weights (drawn after the forward
    copy's). With ``return_sequences=True`` its states are put back in time order, so the
    output at t is [h→_t, h←_t] (N, T, 2H); otherwise the output is [h→_{T−1}, h←_0] (N, 2H),
    h←_0 being the backward copy's state after reading the whole reversed sequence (as Keras).
    Parameters are exposed as "forward.<name>" and "backward.<name>".
    """

    kind = "Bidirectional"

    def __init__(self, layer, name=None):
        super().__init__(name)
        if not isinstance(layer, _Recurrent):
            raise TypeError(f"Bidirectional wraps a SimpleRNN or an LSTM, got {type(layer).__name__}")
        if layer.built:
            raise ValueError("Bidirectional needs a layer that is not built yet (it builds both directions)")
        self.forward_layer = layer
        self.backward_layer = copy.deepcopy(layer)
        self.forward_layer.name, self.backward_layer.name = "forward", "backward"

    def sublayers(self):
        return [self.forward_layer, self.backward_layer]

    @property
    def return_sequences(self):
        return self.forward_layer.return_sequences

    def compute_output_shape(self, input_shape):
        inner = self.forward_layer.compute_output_shape(input_shape)
        return inner[:-1] + (2 * inner[-1],)

    def build(self, input_shape, rng, dtype):
        shape = super().build(input_shape, rng, dtype)
        self.params = {}
        for layer in (self.forward_layer, self.backward_layer):
            layer.build(input_shape, rng, dtype)
            for name, p in layer.params.items():
                p.name = f"{layer.name}.{name}"
                self.params[p.name] = p
        return shape

    def forward(self, x):
        x = check.float_array("x", x, ndim=3)
        be = backend_for(x)
        ahead = self.forward_layer.forward(x)
        behind = self.backward_layer.forward(_reversed_in_time(be, x))
        if self.return_sequences:
            behind = _reversed_in_time(be, behind)
        joined = be.empty(ahead.shape[:-1] + (2 * ahead.shape[-1],), x.dtype)
        be.arrays.concat_features(ahead.reshape(-1, ahead.shape[-1]), behind.reshape(-1, behind.shape[-1]),
                                  joined.reshape(-1, joined.shape[-1]))
        return joined

    def backward(self, dy):
        units = self.forward_layer.units
        dy = check.float_array("dy", dy)
        if dy.shape[-1] != 2 * units:
            raise ValueError(f"dy must end with {2 * units} features (the output's), got shape {dy.shape}")
        be = backend_for(dy)
        d_ahead, d_behind = be.empty(dy.shape[:-1] + (units,), dy.dtype), be.empty(dy.shape[:-1] + (units,), dy.dtype)
        be.arrays.split_features(dy.reshape(-1, 2 * units), d_ahead.reshape(-1, units), d_behind.reshape(-1, units))
        if self.return_sequences:
            d_behind = _reversed_in_time(be, d_behind)
        dx = self.forward_layer.backward(d_ahead)
        dx_behind = _reversed_in_time(be, self.backward_layer.backward(d_behind))
        total = be.empty(dx.shape, dx.dtype)
        be.arrays.add(dx, dx_behind, total)
        return total

    def describe(self):
        return f"Bidirectional({self.forward_layer.describe()})"


class TimeDistributedDense(_WithActivation):
    """y_t = g(h_t W_hy + b_y) at every time step (the lecture's y_t = W_hy h_t + b_y), for
    inputs (N, T, H): one dense layer on the (N·T, H) rows, W_hy (H, units), b_y (units,).
    ``activation="softmax"`` acts along the last axis, a distribution per time step."""

    kind = "TimeDistributedDense"
    fuses_relu = True

    def __init__(self, units, activation=None, kernel_initializer="glorot_uniform", name=None):
        super().__init__(activation, kernel_initializer, name)
        self.units = check.positive_int("units", units)

    def compute_output_shape(self, input_shape):
        _require_sequences(self.kind, input_shape)
        return (input_shape[0], self.units)

    def build(self, input_shape, rng, dtype):
        shape = super().build(input_shape, rng, dtype)
        self._create_params((input_shape[1], self.units), self.units, rng, dtype)
        return shape

    def _linear_forward(self, x, relu=False):
        x = check.float_array("x", x, ndim=3)
        n, steps, width = x.shape
        y = dense_forward(x.reshape(n * steps, width), self.params["W"].value, self.params["b"].value, relu=relu)
        return y.reshape(n, steps, self.units)

    def _linear_backward(self, dz, x, relu_output=None):
        n, steps, width = x.shape
        dz = check.float_array("dz", dz, ndim=3)
        check.shape_equal("dz", dz, (n, steps, self.units), "(N, T, units): the shape of the layer's output")
        if relu_output is not None:
            relu_output = relu_output.reshape(n * steps, self.units)
        dx, dW, db = dense_backward(dz.reshape(n * steps, self.units), x.reshape(n * steps, width),
                                    self.params["W"].value, relu_output=relu_output)
        return dx.reshape(n, steps, width), dW, db

    def describe(self):
        return f"TimeDistributedDense({self.units}{self._activation_text()})"
