"""Minibatch training (lecture 004 §2: SGD, minibatches, epochs; lecture 001: the workflow).

Each epoch visits every training sample once, in minibatches drawn from a
fresh permutation of a seeded generator; the last minibatch may be smaller.
After every epoch ``fit`` records the mean training loss and accuracy (as
measured during the epoch, like Keras) and, when validation data is given,
the validation loss and accuracy in evaluation mode.
"""

from __future__ import annotations

import time

import numpy as np
from tqdm.auto import tqdm

from . import validation as check
from .callbacks import Callback  # noqa: F401  (also importable from here)
from .init import make_rng
from .losses import accuracy, get_loss


def minibatches(n: int, batch_size: int, rng):
    """Index arrays covering range(n) in a new random order: one call = one epoch."""
    order = make_rng(rng).permutation(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


class History:
    """Per-epoch metrics: ``history["loss"]``, ``["accuracy"]``, ``["val_loss"]``,
    ``["val_accuracy"]`` and ``["seconds"]``, one entry per epoch."""

    def __init__(self):
        self.metrics: dict[str, list] = {}
        self.epochs: list[int] = []

    def record(self, epoch, logs):
        self.epochs.append(epoch)
        for key, value in logs.items():
            self.metrics.setdefault(key, []).append(value)

    def __getitem__(self, key):
        return self.metrics[key]

    def __contains__(self, key):
        return key in self.metrics

    def __repr__(self):
        return f"History(epochs={len(self.epochs)}, metrics={sorted(self.metrics)})"


def _check_data(model, x, y, what):
    if check.is_device_array(x):
        raise TypeError(f"x{what} must be a numpy array on the host, got {check.describe(x)}: fit sends each "
                        f"minibatch to the model's backend itself")
    x = check.float_array(f"x{what}", x)
    if not isinstance(y, np.ndarray):
        raise TypeError(f"y{what} must be a numpy array, got {type(y).__name__}")
    if len(x) != len(y):
        raise ValueError(f"x{what} and y{what} must hold the same number of samples, got {len(x)} and {len(y)}")
    check.non_empty_batch(f"x{what}", x)
    return x, y


def _augmented(augment, x_batch, rng):
    result = augment(x_batch, rng)
    if not isinstance(result, np.ndarray) or result.shape != x_batch.shape or result.dtype != x_batch.dtype:
        raise ValueError(
            f"augment must return an array of the batch's shape {x_batch.shape} and dtype {x_batch.dtype}, "
            f"got {check.describe(result)}"
        )
    return result


def fit(model, x, y, loss, optimizer, epochs=1, batch_size=32, validation_data=None, seed=0,
        callbacks=(), verbose=True, l2=0.0, augment=None):
    """Train ``model`` on (x, y); return a ``History``.

    ``loss`` is a name ("cross_entropy", "mse", "binary_cross_entropy") or a
    ``Loss``; ``optimizer`` an ``engine.optimizers.Optimizer``. The data stay on
    the host; on a "cuda" model each minibatch goes up to the GPU, and only the
    loss and the count of correct predictions come down. ``seed`` fixes
    the order of the minibatches and the random augmentations. ``verbose=False``
    hides the progress bar. ``callbacks``: ``engine.callbacks`` objects such as
    ``EarlyStopping``.

    Regularisation (lecture 003): ``l2`` = λ adds λ/2 Σ‖W‖² over the weights to
    the loss (the optimiser's ``weight_decay`` is the equivalent decayed update);
    ``augment(x_batch, rng)`` (e.g. an ``engine.augment.Augmentation``) returns a
    transformed copy of every training minibatch; validation data is never
    augmented.
    """
    loss = get_loss(loss)
    x, y = _check_data(model, x, y, "")
    if validation_data is not None:
        x_val, y_val = _check_data(model, *validation_data, "_val")
    epochs = check.positive_int("epochs", epochs)
    l2 = check.real_number("l2", l2, low=0)
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a function augment(x_batch, rng) or None, got {check.describe(augment)}")
    batch_size = check.positive_int("batch_size", batch_size)
    rng = make_rng(seed)
    history = History()
    model.stop_training = False
    for callback in callbacks:
        callback.on_train_begin(model, history)
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        model.train()
        optimizer.epoch = epoch
        for callback in callbacks:
            callback.on_epoch_begin(epoch, model)
        total_loss = total_correct = seen = 0.0
        bar = tqdm(total=len(x), desc=f"epoch {epoch}/{epochs}", unit="img", disable=not verbose, leave=False)
        for step, batch in enumerate(minibatches(len(x), batch_size, rng)):
            x_batch = x[batch] if augment is None else _augmented(augment, x[batch], rng)
            value, output = model.loss_and_backward(x_batch, y[batch], loss, l2=l2)
            optimizer.step(model.parameters())
            acc = accuracy(output, y[batch], loss)
            total_loss += value * len(batch)
            total_correct += (acc or 0.0) * len(batch)
            seen += len(batch)
            bar.update(len(batch))
            bar.set_postfix(loss=f"{total_loss / seen:.4f}")
            for callback in callbacks:
                callback.on_batch_end(step, {"loss": value, "accuracy": acc}, model)
        bar.close()
        logs = {"loss": total_loss / seen}
        if loss.classification:
            logs["accuracy"] = total_correct / seen
        if validation_data is not None:
            val_loss, val_acc = model.evaluate(x_val, y_val, loss, batch_size=max(batch_size, 256))
            logs["val_loss"] = val_loss
            if val_acc is not None:
                logs["val_accuracy"] = val_acc
        logs["seconds"] = time.perf_counter() - started
        history.record(epoch, logs)
        if verbose:
            tqdm.write(f"epoch {epoch}/{epochs}: " + "  ".join(
                f"{k} {v:.4f}" if k != "seconds" else f"{v:.1f}s" for k, v in logs.items()))
        for callback in callbacks:
            callback.on_epoch_end(epoch, logs, model)
        if model.stop_training:
            break
    for callback in callbacks:
        callback.on_train_end(model, history)
    return history
