"""``Sequential``: layers applied one after the other, trained by backpropagation.

forward runs the layers in order; backward runs their backward passes in the
reverse order (the chain rule, lecture 004 §2 "forward–backward propagation").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import validation as check
from .backends import backend_for, get_backend, to_backend, to_host
from .functional.penalty import add_l2_penalty
from .init import make_rng
from .layers import Layer, Softmax, fused
from .layers.base import name_layers
from .layers.linear import _WithActivation
from .losses import CrossEntropy, accuracy, get_loss


def check_state(expected, arrays, source):
    """Raise unless ``arrays`` has exactly the names of ``expected`` and the same shapes."""
    missing, unexpected = set(expected) - set(arrays), set(arrays) - set(expected)
    if missing or unexpected:
        raise ValueError(
            f"{source} does not match this model: missing {sorted(missing)}, unexpected {sorted(unexpected)}"
        )
    for key, value in arrays.items():
        if np.shape(value) != expected[key].shape:
            raise ValueError(f"{source}: {key} has shape {np.shape(value)}, the model expects {expected[key].shape}")


def save_state(model, path):
    """Write ``model.state_dict()`` to a plain ``.npz`` file; return the file's path.
    GPU arrays are copied down first: the file is the same whichever backend wrote it."""
    path = Path(path)
    np.savez(path, **{key: to_host(value) for key, value in model.state_dict().items()})
    return path if path.suffix == ".npz" else path.with_suffix(path.suffix + ".npz")


def load_state(model, path):
    """Read a file written by ``save_state`` into the (already built) ``model``."""
    if model.input_shape is None:
        raise RuntimeError("build the model (give input_shape) before loading weights into it")
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    return model.load_state_dict(arrays, source=str(path))


def _scaled(grad, weight):
    """weight · grad (a new array), or grad itself when the weight is 1."""
    if weight == 1:
        return grad
    be = backend_for(grad)
    out = be.empty(grad.shape, grad.dtype)
    be.arrays.scale(grad, weight, out)
    return out


class Sequential:
    """A stack of layers. ``input_shape`` excludes the batch axis, e.g. (28, 28, 1).

    Parameters are created from ``seed`` in ``dtype`` (float32 for training,
    float64 for gradient checks) when the input shape is known: at once if
    ``input_shape`` is given, else at the first forward pass.

    ``input_grad``: whether ``backward`` computes ∂L/∂x for the model's input.
    A model fed with data does not need it (its first layer skips that work);
    a model fed by another one does, like an autoencoder's decoder.

    ``backend``: "cpu" (Numba kernels) or "cuda" (an NVIDIA GPU). On "cuda" the
    parameters, their gradients, the layers' state and every activation live on
    the GPU; ``forward`` takes a batch from the host (it goes up) and returns a GPU
    array; ``predict`` returns numpy. The weights are drawn on the host from ``seed``
    either way, so both backends start from the same model. ``to(backend)`` moves it.
    """

    def __init__(self, layers, input_shape=None, seed=0, dtype=np.float32, name="sequential", input_grad=False,
                 backend="cpu"):
        self.layers = list(layers)
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be an engine layer, got {type(layer).__name__}")
        self.dtype = np.dtype(dtype)
        if self.dtype not in check.FLOAT_DTYPES:
            raise TypeError(f"dtype must be float32 or float64, got {self.dtype}")
        self.name = name
        self.input_grad = bool(input_grad)
        self.rng = make_rng(seed)
        self.input_shape = None
        self.stop_training = False
        self._stages = None
        get_backend(backend)  # an unknown name or a missing GPU is reported now, not at the first batch
        self.backend = backend
        if input_shape is not None:
            self.build(input_shape)

    # -- construction -----------------------------------------------------------------
    def build(self, input_shape):
        shape = tuple(int(d) for d in input_shape)
        self.input_shape = shape
        name_layers(self.layers)
        for layer in self.layers:
            shape = layer.build(shape, self.rng, self.dtype)
            layer.needs_input_grad = self.input_grad or layer is not self.layers[0]
        self._stages = fused.stages(self.layers)
        if self.backend != "cpu":
            self._move_arrays(self.backend)
        return shape

    def to(self, backend):
        """Move the model to ``backend`` ("cpu" or "cuda"): parameters, gradients and the layers'
        state (batch norm's statistics). An optimiser's state follows at its next step. Returns the model."""
        get_backend(backend)
        self.backend = backend
        if self.input_shape is not None:
            self._move_arrays(backend)
        return self

    def _move_arrays(self, backend):
        moved = {}  # id(old array) -> (old, new): blocks share their sublayers' parameters and state

        def move(array):
            if id(array) not in moved:  # the old array is kept in the entry, so its id is not reused meanwhile
                moved[id(array)] = (array, to_backend(array, backend))
            return moved[id(array)][1]

        layers = list(self.layers)
        while layers:
            layer = layers.pop()
            layers.extend(layer.sublayers())
            for p in layer.params.values():
                p.value, p.grad = move(p.value), move(p.grad)
            layer.state = {key: move(value) for key, value in layer.state.items()}

    @property
    def output_shape(self):
        return self.layers[-1].output_shape if self.layers else self.input_shape

    def parameters(self):
        """Every trainable ``Parameter`` of the model, layer by layer."""
        return [p for layer in self.layers for p in layer.params.values()]

    def named_parameters(self):
        """{"layer_name.param": Parameter} for every trainable parameter."""
        return {f"{layer.name}.{name}": p for layer in self.layers for name, p in layer.params.items()}

    def parameter_count(self) -> int:
        return sum(layer.parameter_count() for layer in self.layers)

    # -- modes ----------------------------------------------------------------------------
    def train(self):
        for layer in self.layers:
            layer.training = True
        return self

    def eval(self):
        for layer in self.layers:
            layer.training = False
        return self

    # -- forward and backward ------------------------------------------------------------------
    def _check_input(self, x):
        x = to_backend(check.float_array("x", x), self.backend)  # on "cuda" the batch goes up here
        if self.input_shape is None:
            self.build(x.shape[1:])
        if tuple(x.shape[1:]) != self.input_shape:
            raise ValueError(f"x must have shape (N, {', '.join(map(str, self.input_shape))}), got {x.shape}")
        if x.dtype != self.dtype:
            raise TypeError(
                f"x has dtype {x.dtype} but the model's parameters are {self.dtype}; "
                f"convert with x.astype(np.{self.dtype})"
            )
        return x

    def forward(self, x):
        x = self._check_input(x)
        for _, _, stage in self._stages:  # the layers, some pairs run as one pass (engine.layers.fused)
            x = stage.forward(x)
        return x

    __call__ = forward

    def backward(self, dy, start=None):
        """Backpropagate ∂L/∂output through every layer (or from layer index ``start`` down)."""
        if self._stages is None:
            raise RuntimeError("backward called before forward")
        start = len(self.layers) - 1 if start is None else start
        for first, last, stage in reversed(self._stages):
            if first > start:
                continue
            if last > start:
                raise ValueError(f"backward cannot start at layer {start}: layers {first}-{last} run as one pass")
            dy = stage.backward(dy)
        return dy

    def _softmax_head(self):
        """(softmax layer, backward from its input) when the model ends in a softmax, else None."""
        last = self.layers[-1]
        below = len(self.layers) - 2
        if isinstance(last, Softmax) and len(self.layers) > 1:
            return last, lambda dz: self.backward(dz, start=below)
        if isinstance(last, _WithActivation) and isinstance(last.activation, Softmax):
            return last.activation, lambda dz: self.backward(last.backward_from_preactivation(dz), start=below)
        return None

    def loss_and_backward(self, x, target, loss, l2=0.0):
        """One forward and backward pass: fills every parameter's gradient and
        returns (loss value, model output). Softmax followed by cross-entropy is
        computed from the logits, as one overflow-safe step.

        ``l2`` = λ adds the penalty λ/2 Σ‖W‖² over the weights (never biases or
        batch-norm parameters) to the loss and λW to their gradients (lecture 003).
        """
        value, output, _ = self.loss_and_backward_input(x, target, loss)
        if l2:
            value += add_l2_penalty(self.parameters(), l2)
        return value, output

    def loss_and_backward_input(self, x, target, loss, weight=1.0):
        """``loss_and_backward`` for a model inside another one: the loss is scaled
        by ``weight`` (its gradients too), and ∂(weight·L)/∂x comes back as well
        (only a model built with ``input_grad=True`` is sure to compute it; otherwise
        its first layer may skip it and return None).
        Returns (weight·loss, output, ∂(weight·L)/∂x)."""
        loss = get_loss(loss)
        output = self.forward(x)
        head = self._softmax_head() if isinstance(loss, CrossEntropy) else None
        if head is None:
            value, grad = loss(output, target)
            dx = self.backward(_scaled(grad, weight))
        else:
            softmax, backward_from_logits = head
            value, dz = CrossEntropy.from_logits(softmax.logits(), target)
            dx = backward_from_logits(_scaled(dz, weight))
        return weight * value, output, dx

    # -- inference --------------------------------------------------------------------------
    def predict(self, x, batch_size=256):
        """The model's output in evaluation mode, computed batch by batch, as a numpy array
        (on "cuda" each batch goes up and its output comes down)."""
        batch_size = check.positive_int("batch_size", batch_size)
        was_training = [layer.training for layer in self.layers]
        self.eval()
        try:
            outputs = [to_host(self.forward(x[i : i + batch_size])) for i in range(0, len(x), batch_size)]
        finally:
            for layer, mode in zip(self.layers, was_training):
                layer.training = mode
        return np.concatenate(outputs)

    def evaluate(self, x, target, loss, batch_size=256):
        """(loss, accuracy) on a data set in evaluation mode; accuracy is None for regression."""
        loss = get_loss(loss)
        output = self.predict(x, batch_size)
        value, _ = loss(output, target)
        return value, accuracy(output, target, loss)

    def fit(self, x, y, loss, optimizer, **options):
        """Train with minibatches; see ``engine.training.fit`` for the options."""
        from .training import fit

        return fit(self, x, y, loss, optimizer, **options)

    # -- persistence -------------------------------------------------------------------------
    def state_dict(self):
        """Every array that defines the trained model, keyed "layer_name.name": the
        parameters and the layers' non-trained state (batch norm's running statistics).
        The values are the model's own arrays, not copies (GPU arrays on "cuda")."""
        arrays = {}
        for layer in self.layers:
            arrays.update({f"{layer.name}.{name}": p.value for name, p in layer.params.items()})
            arrays.update({f"{layer.name}.{name}": value for name, value in layer.state.items()})
        return arrays

    def load_state_dict(self, arrays, source="the state dict"):
        """Copy ``arrays`` (as returned by ``state_dict``, from either backend) into the model's
        own arrays, after checking that the names and shapes match exactly."""
        expected = self.state_dict()
        check_state(expected, arrays, source)
        for key, value in arrays.items():
            backend_for(expected[key]).assign(expected[key], value)
        return self

    def save(self, path):
        """Write every parameter to a plain ``.npz`` file, keyed "layer_name.param"."""
        return save_state(self, path)

    def load(self, path):
        """Read parameters saved by ``save`` into this (already built) model."""
        return load_state(self, path)

    # -- description ---------------------------------------------------------------------------
    def summary(self, print_fn=print) -> str:
        """The layer table of Keras' ``model.summary()``: name (type), output shape, parameters."""
        if self.input_shape is None:
            raise RuntimeError("the model is not built yet: give input_shape or run a forward pass")

        def stored(layer):  # Keras counts a layer's non-trained state (batch norm's statistics) as parameters
            return layer.parameter_count() + sum(a.size for a in layer.state.values())

        rows = [(f"{layer.name} ({layer.kind})", str((None,) + layer.output_shape), str(stored(layer)))
                for layer in self.layers]
        header = ("Layer (type)", "Output Shape", "Param #")
        widths = [max(len(r[i]) for r in rows + [header]) + 3 for i in range(3)]
        line = "=" * sum(widths)

        def fmt(row):
            return "".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()

        trainable = self.parameter_count()
        total = sum(stored(layer) for layer in self.layers)
        text = "\n".join(
            [f'Model: "{self.name}"', fmt(header), line, *map(fmt, rows), line,
             f"Total params: {total}", f"Trainable params: {trainable}", f"Non-trainable params: {total - trainable}"]
        )
        print_fn(text)
        return text
