"""Loss objects for training: ``loss(output, target) -> (value, ∂L/∂output)``.

They wrap ``engine.functional``'s losses and add what training needs: a name,
and whether accuracy makes sense. ``CrossEntropy`` takes the model's softmax
*probabilities*; when the model's last step is a softmax, ``Sequential`` fuses
the two and computes the loss from the logits instead (overflow-safe, and the
gradient reaching the logits is exactly (softmax − onehot) / N).
"""

from __future__ import annotations

import numpy as np

from . import functional as F
from . import validation as check
from .backends import backend_for, get_backend
from .functional.losses import check_labels


class Loss:
    name = "loss"
    classification = False

    def __call__(self, output, target):  # pragma: no cover - abstract
        raise NotImplementedError


class MeanSquaredError(Loss):
    """(1/M) Σ (p − t)² over all elements."""

    name = "mse"

    def __call__(self, output, target):
        return F.mse_loss(output, target)


def _per_step(function, scores, labels):
    """Apply a loss over (N, K) scores to per-step scores (N, T, K) with labels (N, T) or
    (N, T, K): every step is a sample, the mean runs over all N·T of them (Keras' per-step
    classification, e.g. lecture 004 §6's ECG beats); the gradient comes back as (N, T, K)."""
    if not check.is_array(scores) or scores.ndim != 3:
        return function(scores, labels)
    n, steps, classes = scores.shape
    if not isinstance(labels, np.ndarray) or labels.shape[:2] != (n, steps) or labels.ndim not in (2, 3):
        raise ValueError(
            f"labels for per-step scores of shape {scores.shape} must have shape ({n}, {steps}) (integers) or "
            f"({n}, {steps}, {classes}) (one-hot), got {labels.shape if isinstance(labels, np.ndarray) else labels!r}"
        )
    value, grad = function(scores.reshape(n * steps, classes), labels.reshape((n * steps,) + labels.shape[2:]))
    return value, grad.reshape(scores.shape)


class CrossEntropy(Loss):
    """−(1/N) Σ_n log p_n[y_n] from probabilities p (N, K) and integer or one-hot labels.

    Per-step probabilities (N, T, K) with labels (N, T) average over all N·T steps.
    """

    name = "cross_entropy"
    classification = True

    def __call__(self, probabilities, labels):
        return _per_step(self._batch, probabilities, labels)

    @staticmethod
    def _batch(probabilities, labels):
        """From probabilities: a rare path (a model ending in a softmax computes the loss from the
        logits instead), written with numpy; GPU probabilities come down and the gradient goes back up."""
        if check.is_device_array(probabilities):
            value, grad = CrossEntropy._batch(probabilities.copy_to_host(), labels)
            return value, get_backend("cuda").to_device(grad)
        probabilities = np.asarray(probabilities)
        labels = check_labels(labels, probabilities.shape[0], probabilities.shape[1])
        classes = probabilities.shape[1]
        onehot = labels if labels.dtype.kind == "f" else np.eye(classes, dtype=probabilities.dtype)[labels]
        tiny = np.finfo(probabilities.dtype).tiny
        safe = np.maximum(probabilities, tiny)
        n = probabilities.shape[0]
        value = -float(np.sum(onehot * np.log(safe))) / n
        return value, (-onehot / (safe * n)).astype(probabilities.dtype)

    @staticmethod
    def from_logits(logits, labels):
        return _per_step(F.softmax_cross_entropy, logits, labels)


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy averaged over all elements, from probabilities or (``from_logits=True``) logits."""

    name = "binary_cross_entropy"
    classification = True

    def __init__(self, from_logits: bool = False):
        self.from_logits = bool(from_logits)

    def __call__(self, output, target):
        if self.from_logits:
            return F.binary_cross_entropy_with_logits(output, target)
        return F.binary_cross_entropy(output, target)


LOSSES = {
    "mse": MeanSquaredError,
    "cross_entropy": CrossEntropy,
    "binary_cross_entropy": BinaryCrossEntropy,
}


def get_loss(loss) -> Loss:
    if isinstance(loss, Loss):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)} or a Loss object, got {loss!r}")
    return LOSSES[loss]()


def accuracy(output, target, loss: Loss) -> float | None:
    """Fraction of correct predictions for classification losses, None otherwise."""
    if not loss.classification:
        return None
    counters = backend_for(output).losses  # on the GPU the outputs stay there: only the count comes down
    if isinstance(loss, BinaryCrossEntropy):
        threshold = 0.0 if loss.from_logits else 0.5
        return counters.correct_binary(output.reshape(-1), target.reshape(-1), threshold) / output.size
    rows = output.reshape(-1, output.shape[-1])
    if target.ndim == output.ndim:  # one-hot
        return counters.correct_one_hot(rows, target.reshape(rows.shape)) / rows.shape[0]
    return counters.correct_labels(rows, target.reshape(-1)) / rows.shape[0]
