"""Losses: each returns ``(loss, grad)``, the averaged loss as a Python float and
its gradient with respect to the first argument (lecture 001: the empirical
risk (1/N) Σ L(m(x), y) is what gradient descent minimises).

- ``mse_loss`` averages over all elements.
- ``softmax_cross_entropy`` takes logits and integer labels (N,) or one-hot
  targets (N, K), and averages over the batch.
- ``binary_cross_entropy`` takes probabilities in [0, 1];
  ``binary_cross_entropy_with_logits`` takes logits. Both average over all elements.
"""

import numpy as np

from .. import validation as check
from ..backends import backend_for

BCE_EPSILON = 1e-7  # Keras' clipping of probabilities before the logarithm


def _prediction_and_target(pred_name, prediction, target_name, target):
    prediction = check.float_array(pred_name, prediction)
    target = check.float_array(target_name, target)
    if prediction.ndim == 0 or prediction.size == 0:
        raise ValueError(f"{pred_name} must be a non-empty array, got shape {prediction.shape}")
    check.shape_equal(target_name, target, prediction.shape, f"the shape of {pred_name}")
    check.same_dtype(**{pred_name: prediction, target_name: target})
    return prediction, target


def _flat_loss(kernel_name, prediction, target, *scalars):
    be = backend_for(prediction)
    grad = be.empty(prediction.shape, prediction.dtype)
    loss = getattr(be.losses, kernel_name)(prediction.reshape(-1), target.reshape(-1), *scalars, grad.reshape(-1))
    return float(loss), grad


def mse_loss(prediction, target):
    """L = (1/M) Σ (p − t)² over all M elements; grad = 2 (p − t) / M."""
    prediction, target = _prediction_and_target("prediction", prediction, "target", target)
    return _flat_loss("mean_squared_error", prediction, target)


def check_labels(labels, n, classes):
    """Integer labels (n,) in [0, classes) or one-hot rows (n, classes), checked on the host: on the
    GPU backend they travel up with the batch, after this check."""
    if not isinstance(labels, np.ndarray):
        raise TypeError(f"labels must be a numpy array, got {check.describe(labels)}")
    if labels.dtype.kind in "iu":
        if labels.shape != (n,):
            raise ValueError(f"integer labels must have shape ({n},), one per sample, got {labels.shape}")
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            raise ValueError(
                f"labels must be class indices in [0, {classes - 1}], got values from {labels.min()} to {labels.max()}"
            )
        return np.ascontiguousarray(labels, dtype=np.int64)
    if labels.dtype.kind == "f":
        if labels.shape != (n, classes):
            raise ValueError(
                f"one-hot labels must have shape ({n}, {classes}) like the logits, got {labels.shape}"
            )
        return np.ascontiguousarray(labels)
    raise TypeError(f"labels must be integer class indices or float one-hot rows, got dtype {labels.dtype}")


def softmax_cross_entropy(logits, labels):
    """L = −(1/N) Σ_n log softmax(z_n)[y_n]; grad = (softmax(z) − onehot(y)) / N.

    ``logits`` is (N, K); ``labels`` is (N,) integers in [0, K) or (N, K) one-hot floats.
    """
    logits = check.float_array("logits", logits, ndim=2)
    check.non_empty_batch("logits", logits)
    labels = check_labels(labels, logits.shape[0], logits.shape[1])
    be = backend_for(logits)
    grad = be.empty(logits.shape, logits.dtype)
    if labels.dtype.kind == "f":
        check.same_dtype(logits=logits, labels=labels)
        loss = be.losses.softmax_cross_entropy_targets(logits, labels, grad)
    else:
        loss = be.losses.softmax_cross_entropy_labels(logits, labels, grad)
    return float(loss), grad


def _check_probability_range(name, values):
    """On the host; the GPU backend checks GPU arrays in the loss's own reduction (no copy down)."""
    if not isinstance(values, np.ndarray):
        return
    finite = values[np.isfinite(values)]
    if finite.size and (finite.min() < 0 or finite.max() > 1):
        raise ValueError(f"{name} must lie in [0, 1], got values from {finite.min()} to {finite.max()}")


def binary_cross_entropy(probabilities, targets):
    """L = −(1/M) Σ [t log p + (1 − t) log(1 − p)] from probabilities p (clipped to [1e-7, 1 − 1e-7])."""
    probabilities, targets = _prediction_and_target("probabilities", probabilities, "targets", targets)
    _check_probability_range("probabilities", probabilities)
    _check_probability_range("targets", targets)
    return _flat_loss("binary_cross_entropy", probabilities, targets, BCE_EPSILON)


def binary_cross_entropy_with_logits(logits, targets):
    """The binary cross-entropy of p = σ(z), computed from logits z without overflow; grad = (σ(z) − t) / M."""
    logits, targets = _prediction_and_target("logits", logits, "targets", targets)
    _check_probability_range("targets", targets)
    return _flat_loss("binary_cross_entropy_with_logits", logits, targets)
