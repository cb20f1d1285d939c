"""Layer pairs that ``Sequential`` runs as one pass.

A ``Conv2D`` with ``activation="relu"`` followed by an ``AveragePooling2D`` is
the block CNNs repeat (the lecture's LeNet has two). Run as one pass
(``engine.functional.conv_block``), each block of the convolution's output is
rectified and pooled while it is still in the cache, and the backward pass
works block by block too. The values are the same as running the two layers
one after the other; each layer still works on its own (``layer.forward``),
which is what feature-map plots use.
"""

from __future__ import annotations

from .. import functional as F
from .activations import ReLU
from .linear import Conv2D
from .pooling import AveragePooling2D


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


def stages(layers):
    """The layers grouped into what ``Sequential`` runs: [(first index, last index, runner), ...],
    a runner being a layer or a fused pair of layers."""
    grouped, i = [], 0
    while i < len(layers):
        if i + 1 < len(layers) and ConvReluAveragePool.fits(layers[i], layers[i + 1]):
            grouped.append((i, i + 1, ConvReluAveragePool(layers[i], layers[i + 1])))
            i += 2
        else:
            grouped.append((i, i, layers[i]))
            i += 1
    return grouped
