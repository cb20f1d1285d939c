"""Layer pairs that ``Sequential`` runs as one pass.

- A ``Conv2D`` with ``activation="relu"`` followed by an ``AveragePooling2D`` is
  the block CNNs repeat (the lecture's LeNet has two). Run as one pass
  (``engine.functional.conv_block``), each block of the convolution's output is
  rectified and pooled while it is still in the cache, and the backward pass
  works block by block too.
- A ``BatchNormalization`` followed by a ``Dropout`` (lecture 003's pair):
  the dropout is applied to each chunk of the normalised output while it is in
  the cache (``engine.functional.batchnorm.batchnorm_dropout_forward``).

The values are the same as running the two layers one after the other; each
layer still works on its own (``layer.forward``), which is what feature-map
plots use.
"""

from __future__ import annotations

from .. import functional as F
from ..functional import batchnorm as bn
from .activations import ReLU
from .linear import Conv2D
from .pooling import AveragePooling2D
from .regularization import _SEEDS, BatchNormalization, Dropout


class ConvReluAveragePool:
    """``conv`` (a Conv2D with a ReLU) then ``pool`` (an AveragePooling2D), as one pass."""

    def __init__(self, conv: Conv2D, pool: AveragePooling2D):
        self.conv, self.pool = conv, pool
        self._state = None

    @staticmethod
    def fits(layer, following) -> bool:
        return (isinstance(layer, Conv2D) and isinstance(layer.activation, ReLU)
                and isinstance(following, AveragePooling2D))

    def forward(self, x):
        conv, W, b = self.conv, self.conv.params["W"].value, self.conv.params["b"].value
        conv._x = x
        keep = conv.training and conv._columns_fit(x, W)
        pooled, self._state = F.conv2d_relu_avg_pool_forward(
            x, W, b, conv.stride, conv.padding, self.pool.size, self.pool.stride, keep_columns=keep)
        return pooled

    def backward(self, dy):
        conv = self.conv
        if self._state is None:
            raise RuntimeError("ConvReluAveragePool.backward called before forward")
        gradients = F.conv2d_relu_avg_pool_backward(
            dy, conv._saved("_x"), conv.params["W"].value, self._state, conv.stride, conv.padding,
            self.pool.size, self.pool.stride, need_dx=conv.needs_input_grad)
        return conv._store_gradients(*gradients)


class BatchNormDropout:
    """``norm`` (a BatchNormalization) then ``drop`` (a Dropout) run as one pass.

    In training the dropout is applied to each chunk of the normalised output while it
    is in the cache, and the backward pass takes the dropout's gradient on the fly
    (``batchnorm_dropout_forward`` / ``_backward``): the same values, masks and running
    statistics as the two layers one after the other, with two fewer passes over memory.
    Outside training it simply runs the two layers.
    """

    def __init__(self, norm: BatchNormalization, drop: Dropout):
        self.norm, self.drop = norm, drop
        self._fused = False

    @staticmethod
    def fits(layer, following) -> bool:
        return isinstance(layer, BatchNormalization) and isinstance(following, Dropout)

    def forward(self, x):
        norm, drop = self.norm, self.drop
        self._fused = norm.training and drop.training and drop._seeds is not None
        if not self._fused:
            return drop.forward(norm.forward(x))
        gamma, beta = norm.params["gamma"].value, norm.params["beta"].value
        z, mean, var, inv_std, mask = bn.batchnorm_dropout_forward(
            x, gamma, beta, drop.p_keep, int(drop._seeds.integers(_SEEDS)), norm.eps)
        bn.update_moving_statistics(norm.state["moving_mean"], norm.state["moving_variance"], mean, var,
                                    norm.momentum)
        norm._x, norm._batch, drop._mask = x, (mean, inv_std), mask
        return z

    def backward(self, dz):
        norm, drop = self.norm, self.drop
        if not self._fused:
            return norm.backward(drop.backward(dz))
        dx, dgamma, dbeta = bn.batchnorm_dropout_backward(dz, norm._saved("_x"), norm.params["gamma"].value,
                                                          *norm._saved("_batch"), drop._saved("_mask"), drop.p_keep)
        norm.params["gamma"].set_grad(dgamma)
        norm.params["beta"].set_grad(dbeta)
        return dx


PAIRS = (ConvReluAveragePool, BatchNormDropout)


def stages(layers):
    """The layers grouped into what ``Sequential`` runs: [(first index, last index, runner), ...],
    a runner being a layer or a fused pair of layers."""
    grouped, i = [], 0
    while i < len(layers):
        pair = next((p for p in PAIRS if i + 1 < len(layers) and p.fits(layers[i], layers[i + 1])), None)
        if pair is not None:
            grouped.append((i, i + 1, pair(layers[i], layers[i + 1])))
            i += 2
        else:
            grouped.append((i, i, layers[i]))
            i += 1
    return grouped
