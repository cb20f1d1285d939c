"""Learning-rate schedules (lecture 004 §2, "learning rate decay").

The lecture writes the epoch of iteration t, with batch size B and n_tr
training samples, as e_t = 1 + floor(t·B / n_tr), and lists four decays of the
learning rate α as a function of e_t. Here each schedule is a callable
``schedule(epoch) -> lr`` with epochs counted from 1; :func:`epoch_at_step`
gives e_t for an update count t (t = 0 before the first update).
"""

from __future__ import annotations

import math
import numbers

from . import validation as check


def epoch_at_step(t: int, batch_size: int, n_train: int) -> int:
    """e_t = 1 + floor(t·B / n_tr): the epoch that update t (counted from 0) belongs to."""
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 0:
        raise ValueError(f"t must be a number of updates >= 0, got {t!r}")
    batch_size = check.positive_int("batch_size", batch_size)
    n_train = check.positive_int("n_train", n_train)
    return 1 + (int(t) * batch_size) // n_train


class Schedule:
    """Base class: a learning rate as a function of the epoch (1, 2, ...)."""

    def __call__(self, epoch: int) -> float:
        epoch = check.positive_int("epoch", epoch)
        return self.rate(epoch)

    def rate(self, epoch: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


class InverseTimeDecay(Schedule):
    """α = α₀ (1 + δ) / (1 + δ e_t): α₀ in the first epoch, then decreasing like 1/e."""

    def __init__(self, lr0: float, delta: float):
        self.lr0 = check.real_number("lr0", lr0, low=0, low_open=True)
        self.delta = check.real_number("delta", delta, low=0)

    def rate(self, epoch):
        return self.lr0 * (1 + self.delta) / (1 + self.delta * epoch)


class ExponentialDecay(Schedule):
    """α = α₀ γ^(e_t − 1)."""

    def __init__(self, lr0: float, gamma: float):
        self.lr0 = check.real_number("lr0", lr0, low=0, low_open=True)
        self.gamma = check.real_number("gamma", gamma, low=0, high=1, low_open=True)

    def rate(self, epoch):
        return self.lr0 * self.gamma ** (epoch - 1)


class InverseSqrtDecay(Schedule):
    """α = α₀ / sqrt(e_t)."""

    def __init__(self, lr0: float):
        self.lr0 = check.real_number("lr0", lr0, low=0, low_open=True)

    def rate(self, epoch):
        return self.lr0 / math.sqrt(epoch)


class PiecewiseConstant(Schedule):
    """α constant on intervals of e_t: ``values[0]`` while e_t <= boundaries[0],
    ``values[i]`` while boundaries[i−1] < e_t <= boundaries[i], ``values[-1]`` after the last.
    """

    def __init__(self, boundaries, values):
        boundaries = [check.positive_int("boundaries", b) for b in boundaries]
        values = [check.real_number("values", v, low=0) for v in values]
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"values must have one more entry than boundaries ({len(boundaries) + 1}), got {len(values)}"
            )
        if any(b1 <= b0 for b0, b1 in zip(boundaries, boundaries[1:])):
            raise ValueError(f"boundaries must be strictly increasing, got {boundaries}")
        self.boundaries, self.values = boundaries, values

    def rate(self, epoch):
        for boundary, value in zip(self.boundaries, self.values):
            if epoch <= boundary:
                return value
        return self.values[-1]
