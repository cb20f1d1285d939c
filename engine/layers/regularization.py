"""Regularisation layers (lectures 003 and 004 §4): inverted dropout and batch normalisation.

Both behave differently in training and in evaluation (``self.training``, set by
``Sequential.train()`` / ``eval()``): dropout acts only in training; batch norm
normalises with the batch's statistics in training and with its running
statistics in evaluation.
"""

from __future__ import annotations

import numpy as np

from .. import validation as check
from ..functional import batchnorm as bn
from ..functional.dropout import check_p_keep, check_seed, dropout_backward, dropout_forward
from .base import Layer, Parameter

_SEEDS = 2**63


class Dropout(Layer):
    """Inverted dropout: y = x ⊙ η / p_keep, η ~ Ber(p_keep), in training; the identity in evaluation.

    Every training forward draws a new mask. The masks' seeds come from a
    generator seeded with ``seed``, or, when ``seed`` is None, with a number drawn
    from the model's generator when the layer is built: a model built with the
    same seed repeats the same masks.
    """

    kind = "Dropout"

    def __init__(self, p_keep, seed=None, name=None):
        super().__init__(name)
        self.p_keep = check_p_keep(p_keep)
        self.seed = None if seed is None else check_seed(seed)
        self._seeds = None if seed is None else np.random.default_rng(self.seed)
        self._mask = None

    def build(self, input_shape, rng, dtype):
        shape = super().build(input_shape, rng, dtype)
        if self.seed is None:
            self._seeds = np.random.default_rng(int(rng.integers(_SEEDS)))
        return shape

    def forward(self, x):
        if not self.training:
            self._mask = None
            return x
        if self._seeds is None:
            raise RuntimeError("Dropout without a seed must be built (inside a model) before its first forward")
        y, self._mask = dropout_forward(x, self.p_keep, int(self._seeds.integers(_SEEDS)))
        return y

    def backward(self, dy):
        if self._mask is None and not self.training:  # the forward was the identity
            return dy
        return dropout_backward(dy, self._saved("_mask"), self.p_keep)

    def describe(self):
        return f"Dropout({self.p_keep:g})"


class BatchNormalization(Layer):
    """y = γ·x̂ + β per channel (the last axis), for dense (D,) or NHWC image (H, W, C) inputs.

    Training: x̂ = (x − μ_B)/sqrt(σ²_B + ε) with the batch mean and biased variance, and the
    running statistics move as r ← momentum·r + (1 − momentum)·batch. Evaluation: x̂ uses the
    running statistics. γ starts at 1, β at 0; they are never L2-decayed. The running mean
    (starts at 0) and variance (starts at 1) are in ``self.state`` (saved, not trained).
    """

    kind = "BatchNormalization"

    def __init__(self, momentum=bn.MOMENTUM, eps=bn.EPSILON, name=None):
        super().__init__(name)
        self.momentum = check.real_number("momentum", momentum, low=0, high=1)
        self.eps = check.real_number("eps", eps, low=0, low_open=True)
        self._x = self._batch = None

    def compute_output_shape(self, input_shape):
        if len(input_shape) not in (1, 3):
            shown = ", ".join(map(str, input_shape))
            raise ValueError(f"BatchNormalization expects (N, D) or NHWC images (N, H, W, C), got (N, {shown})")
        return input_shape

    def build(self, input_shape, rng, dtype):
        shape = super().build(input_shape, rng, dtype)
        channels = input_shape[-1]
        self.params = {
            "gamma": Parameter.create("gamma", np.ones(channels, dtype=dtype), decay=False),
            "beta": Parameter.create("beta", np.zeros(channels, dtype=dtype), decay=False),
        }
        self.state = {"moving_mean": np.zeros(channels, dtype=dtype),
                      "moving_variance": np.ones(channels, dtype=dtype)}
        return shape

    def forward(self, x):
        gamma, beta = self.params["gamma"].value, self.params["beta"].value
        self._x = x
        if not self.training:
            self._batch = None
            return bn.batchnorm_inference(x, gamma, beta, self.state["moving_mean"], self.state["moving_variance"],
                                          self.eps)
        y, mean, var, inv_std = bn.batchnorm_forward(x, gamma, beta, self.eps)
        bn.update_moving_statistics(self.state["moving_mean"], self.state["moving_variance"], mean, var,
                                    self.momentum)
        self._batch = (mean, inv_std)
        return y

    def backward(self, dy):
        x, gamma = self._saved("_x"), self.params["gamma"].value
        if self._batch is not None:
            dx, dgamma, dbeta = bn.batchnorm_backward(dy, x, gamma, *self._batch)
        else:
            dx, dgamma, dbeta = bn.batchnorm_inference_backward(
                dy, x, gamma, self.state["moving_mean"], self.state["moving_variance"], self.eps)
        self.params["gamma"].set_grad(dgamma)
        self.params["beta"].set_grad(dbeta)
        return dx

    def describe(self):
        parts = []
        if self.momentum != bn.MOMENTUM:
            parts.append(f"momentum={self.momentum:g}")
        if self.eps != bn.EPSILON:
            parts.append(f"eps={self.eps:g}")
        return f"BatchNormalization({', '.join(parts)})"
