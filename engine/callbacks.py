"""Training callbacks: code ``fit`` runs at fixed points of training.

``EarlyStopping`` is the regulariser of lecture 004 §4 ("¡Pará de entrenar
antes!"): watch a validation metric, stop when it has not improved for
``patience`` epochs, and go back to the weights of the best epoch.
"""

from __future__ import annotations

import numpy as np

from . import validation as check
from .backends import to_host


class Callback:
    """Hooks called by ``fit``. Set ``model.stop_training = True`` to end training early."""

    def on_train_begin(self, model, history): ...
    def on_epoch_begin(self, epoch, model): ...
    def on_batch_end(self, step, logs, model): ...
    def on_epoch_end(self, epoch, logs, model): ...
    def on_train_end(self, model, history): ...


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has stopped improving.

    - ``monitor``: a metric of the epoch logs, "val_loss" by default (needs
      ``validation_data``); any key of ``History`` works ("loss", "val_accuracy").
    - ``mode``: "min" or "max"; "auto" is "max" for accuracies, "min" otherwise.
    - An epoch improves on the best so far when it is better by more than
      ``min_delta``; after ``patience`` epochs in a row without improvement,
      training stops.
    - ``restore_best_weights``: at the end of training, put back the weights (and
      batch-norm statistics) of the best epoch, whether training stopped early or
      ran all its epochs.

    After training: ``best_epoch``, ``best`` (its value) and ``stopped_epoch``
    (the epoch training stopped after; None when it ran all epochs).
    """

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, mode="auto", restore_best_weights=True):
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be the name of a metric such as 'val_loss', got {check.describe(monitor)}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"patience must be a non-negative integer (epochs), got {patience!r}")
        self.monitor = monitor
        self.patience = patience
        self.min_delta = check.real_number("min_delta", min_delta, low=0)
        self.mode = ("max" if "acc" in monitor else "min") if mode == "auto" else mode
        self.restore_best_weights = bool(restore_best_weights)

    def _improves(self, value) -> bool:
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_train_begin(self, model, history):
        self.best = self.best_epoch = self.stopped_epoch = None
        self.wait = 0
        self._best_arrays = None

    def on_epoch_end(self, epoch, logs, model):
        if self.monitor not in logs:
            raise KeyError(
                f"EarlyStopping monitors {self.monitor!r}, which this training does not record; it records "
                f"{sorted(logs)} (val_* metrics need validation_data)"
            )
        value = float(logs[self.monitor])
        if self._improves(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                # copies (on the host: a GPU model's weights come down once per better epoch, not per step)
                self._best_arrays = {key: np.array(to_host(array)) for key, array in model.state_dict().items()}
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            model.stop_training = True

    def on_train_end(self, model, history):
        if self.restore_best_weights and self._best_arrays is not None:
            model.load_state_dict(self._best_arrays, source="the best epoch's weights")
