"""Autoencoders (lecture 004 §1 and §4): x → encoder → u (the code) → decoder → x̂.

Trained alone, an autoencoder minimises the reconstruction error
J_ae = mean ‖x − x̂‖² (the engine's MSE: averaged over every element). As a
regulariser for a classifier, lecture 004 §4 gives three options:

1. train the autoencoder, then train a classifier on the codes u
   (``autoencoder.encode(x)``);
2. train the autoencoder, then train a classifier on the reconstructions x̂
   (``autoencoder.reconstruct(x)``);
3. train both at once on the combined cost
   J(θ) = β·J_clas(θ) + (1 − β)·J_ae(θ), with a classifier head on the code:
   ``Autoencoder(encoder, decoder, classifier, beta=β)``.

An ``Autoencoder`` trains with ``fit`` like a ``Sequential``. Without a
classifier the target of ``fit`` is what x̂ must reproduce (x itself, or a clean
x for a denoising autoencoder fed noisy inputs); with one, the target is the
class labels and x̂ is compared with the input.
"""

from __future__ import annotations

import numpy as np

from . import validation as check
from .backends import backend_for
from .functional.penalty import add_l2_penalty
from .init import make_rng
from .losses import MeanSquaredError, accuracy, get_loss
from .model import Sequential, check_state, load_state, save_state


class Autoencoder:
    """``encoder`` and ``decoder`` (and the optional ``classifier``) are lists of layers.

    The decoder must give back the input's shape; the classifier reads the code.
    ``beta`` weighs the classification cost against the reconstruction cost.
    ``backend`` ("cpu" or "cuda") is every part's, as in ``Sequential``.
    """

    def __init__(self, encoder, decoder, classifier=None, beta=0.5, input_shape=None, seed=0, dtype=np.float32,
                 name="autoencoder", backend="cpu"):
        rng = make_rng(seed)  # one stream: the parts draw their weights one after the other
        self.encoder = Sequential(encoder, seed=rng, dtype=dtype, name="encoder", backend=backend)
        self.decoder = Sequential(decoder, seed=rng, dtype=dtype, name="decoder", input_grad=True, backend=backend)
        self.classifier = None
        if classifier is not None:
            self.classifier = Sequential(classifier, seed=rng, dtype=dtype, name="classifier", input_grad=True,
                                         backend=backend)
        self.beta = check.real_number("beta", beta, low=0, high=1)
        self.dtype = self.encoder.dtype
        self.name = name
        self.input_shape = None
        self.stop_training = False
        self.reconstruction_loss = MeanSquaredError()
        if input_shape is not None:
            self.build(input_shape)

    @property
    def parts(self):
        """{"encoder": ..., "decoder": ..., "classifier": ...} (the classifier only when there is one)."""
        parts = {"encoder": self.encoder, "decoder": self.decoder}
        if self.classifier is not None:
            parts["classifier"] = self.classifier
        return parts

    def build(self, input_shape):
        input_shape = tuple(int(d) for d in input_shape)
        code_shape = self.encoder.build(input_shape)
        output_shape = self.decoder.build(code_shape)
        if tuple(output_shape) != input_shape:
            raise ValueError(
                f"the decoder must give back the input's shape (N, {', '.join(map(str, input_shape))}), "
                f"but it outputs (N, {', '.join(map(str, output_shape))}) from codes of shape "
                f"(N, {', '.join(map(str, code_shape))})"
            )
        if self.classifier is not None:
            self.classifier.build(code_shape)
        self.input_shape = input_shape
        return self.output_shape

    @property
    def code_shape(self):
        return self.encoder.output_shape

    @property
    def output_shape(self):
        return (self.classifier or self.decoder).output_shape

    def parameters(self):
        return [p for part in self.parts.values() for p in part.parameters()]

    def named_parameters(self):
        """{"part.layer.param": Parameter} for every trainable parameter."""
        return {f"{part_name}.{key}": p for part_name, part in self.parts.items()
                for key, p in part.named_parameters().items()}

    def parameter_count(self) -> int:
        return sum(part.parameter_count() for part in self.parts.values())

    @property
    def backend(self):
        return self.encoder.backend

    def to(self, backend):
        """Move every part to ``backend`` ("cpu" or "cuda"); returns the autoencoder."""
        for part in self.parts.values():
            part.to(backend)
        return self

    def train(self):
        for part in self.parts.values():
            part.train()
        return self

    def eval(self):
        for part in self.parts.values():
            part.eval()
        return self

    # -- forward and training ---------------------------------------------------------------------------
    def forward(self, x):
        """The prediction: the classifier's output when there is a classifier, else x̂."""
        code = self.encoder.forward(x)
        return (self.classifier or self.decoder).forward(code)

    __call__ = forward

    def loss_and_backward(self, x, target, loss, l2=0.0):
        """One forward and backward pass; returns (J, prediction).

        With a classifier J = β·loss(ŷ, target) + (1 − β)·MSE(x̂, x); without one
        J = loss(x̂, target). ``l2`` adds λ/2 Σ‖W‖² over every part's weights.
        """
        code = self.encoder.forward(x)
        if self.classifier is None:
            value, prediction, d_code = self.decoder.loss_and_backward_input(code, target, loss)
        else:
            value, prediction, d_code = self.classifier.loss_and_backward_input(code, target, loss, self.beta)
            reconstruction, _, d_code_ae = self.decoder.loss_and_backward_input(
                code, x, self.reconstruction_loss, 1 - self.beta)
            be = backend_for(d_code)
            total = be.empty(d_code.shape, d_code.dtype)
            be.arrays.add(d_code, d_code_ae, total)
            value, d_code = value + reconstruction, total
        self.encoder.backward(d_code)
        if l2:
            value += add_l2_penalty(self.parameters(), l2)
        return value, prediction

    def fit(self, x, y, loss, optimizer, **options):
        """Train with minibatches; see ``engine.training.fit`` for the options."""
        from .training import fit

        return fit(self, x, y, loss, optimizer, **options)

    # -- inference ------------------------------------------------------------------------------------------
    def encode(self, x, batch_size=256):
        """The codes u of x in evaluation mode (preprocessing option 1)."""
        return self.encoder.predict(x, batch_size)

    def reconstruct(self, x, batch_size=256):
        """The reconstructions x̂ of x in evaluation mode (preprocessing option 2)."""
        return self.decoder.predict(self.encode(x, batch_size), batch_size)

    def predict(self, x, batch_size=256):
        """The prediction (class scores, or x̂ without a classifier) in evaluation mode."""
        code = self.encode(x, batch_size)
        return (self.classifier or self.decoder).predict(code, batch_size)

    def evaluate(self, x, target, loss, batch_size=256):
        """(J, accuracy) in evaluation mode, J the cost ``loss_and_backward`` trains on."""
        loss = get_loss(loss)
        code = self.encode(x, batch_size)
        if self.classifier is None:
            output = self.decoder.predict(code, batch_size)
            value, _ = loss(output, target)
            return value, accuracy(output, target, loss)
        output = self.classifier.predict(code, batch_size)
        value, _ = loss(output, target)
        reconstruction, _ = self.reconstruction_loss(self.decoder.predict(code, batch_size), x)
        return self.beta * value + (1 - self.beta) * reconstruction, accuracy(output, target, loss)

    # -- persistence ---------------------------------------------------------------------------------------
    def state_dict(self):
        return {f"{part_name}.{key}": value for part_name, part in self.parts.items()
                for key, value in part.state_dict().items()}

    def load_state_dict(self, arrays, source="the state dict"):
        check_state(self.state_dict(), arrays, source)  # everything checked before anything changes
        for part_name, part in self.parts.items():
            prefix = f"{part_name}."
            part.load_state_dict({k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}, source)
        return self

    def save(self, path):
        """Write every part's parameters to one ``.npz`` file, keyed "part.layer.param"."""
        return save_state(self, path)

    def load(self, path):
        return load_state(self, path)

    def summary(self, print_fn=print) -> str:
        text = "\n\n".join(part.summary(print_fn=lambda _: None) for part in self.parts.values())
        print_fn(text)
        return text
