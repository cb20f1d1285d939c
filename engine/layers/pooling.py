"""Pooling and reshaping layers (lecture 004 §5): no parameters, only geometry."""

from __future__ import annotations

import math

from .. import functional as F
from .. import validation as check
from ..functional.pooling import pool_geometry
from .base import FromInput, Layer


class _Pool2D(FromInput):
    def __init__(self, size=2, stride=None, name=None):
        super().__init__(name)
        self.size, self.stride = size, stride
        pool_geometry((1, 1_000_000, 1_000_000, 1), size, stride)  # validates size and stride now

    def compute_output_shape(self, input_shape):
        self._require_images(input_shape)
        _, _, (out_h, out_w) = pool_geometry((1,) + tuple(input_shape), self.size, self.stride)
        return (out_h, out_w, input_shape[2])

    def _forward(self, x):
        return self._pool_forward(x, self.size, self.stride)

    def _backward(self, dy, x):
        return self._pool_backward(dy, x, self.size, self.stride)

    def describe(self):
        stride = "" if self.stride is None else f", stride={self.stride}"
        return f"{type(self).__name__}({self.size}{stride})"


class MaxPool2D(_Pool2D):
    kind = "MaxPool2D"
    _pool_forward = staticmethod(F.max_pool2d_forward)
    _pool_backward = staticmethod(F.max_pool2d_backward)


class AveragePooling2D(_Pool2D):
    kind = "AveragePooling2D"
    _pool_forward = staticmethod(F.avg_pool2d_forward)
    _pool_backward = staticmethod(F.avg_pool2d_backward)


class _GlobalPool2D(FromInput):
    def compute_output_shape(self, input_shape):
        self._require_images(input_shape)
        return (input_shape[2],)


class GlobalAveragePooling2D(_GlobalPool2D):
    kind = "GlobalAveragePooling2D"
    _forward = staticmethod(F.global_avg_pool2d_forward)
    _backward = staticmethod(F.global_avg_pool2d_backward)


class GlobalMaxPooling2D(_GlobalPool2D):
    kind = "GlobalMaxPooling2D"
    _forward = staticmethod(F.global_max_pool2d_forward)
    _backward = staticmethod(F.global_max_pool2d_backward)


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1·d2·...)."""

    kind = "Flatten"

    def compute_output_shape(self, input_shape):
        return (math.prod(input_shape),)

    def forward(self, x):
        self._shape = x.shape
        return F.flatten_forward(x)

    def backward(self, dy):
        return F.flatten_backward(dy, self._saved("_shape"))


class Reshape(Layer):
    """(N, d1, d2, ...) -> (N,) + ``target_shape`` with the same number of values per sample
    (Keras' Reshape), e.g. a decoder's Dense(784) back to (28, 28, 1) images."""

    kind = "Reshape"

    def __init__(self, target_shape, name=None):
        super().__init__(name)
        if not isinstance(target_shape, (tuple, list)) or not target_shape:
            raise TypeError(f"target_shape must be a non-empty tuple of positive ints, got {target_shape!r}")
        self.target_shape = tuple(check.positive_int(f"target_shape[{i}]", d) for i, d in enumerate(target_shape))

    def compute_output_shape(self, input_shape):
        if math.prod(input_shape) != math.prod(self.target_shape):
            raise ValueError(
                f"Reshape cannot turn samples of shape {tuple(input_shape)} ({math.prod(input_shape)} values) "
                f"into {self.target_shape} ({math.prod(self.target_shape)} values)"
            )
        return self.target_shape

    def forward(self, x):
        x = check.float_array("x", x)
        check.shape_equal("x", x, (x.shape[0],) + self.input_shape, "the shape the layer was built for")
        return x.reshape((x.shape[0],) + self.target_shape)

    def backward(self, dy):
        dy = check.float_array("dy", dy)
        check.shape_equal("dy", dy, (dy.shape[0],) + self.target_shape, "the layer's output shape")
        return dy.reshape((dy.shape[0],) + self.input_shape)

    def describe(self):
        return f"Reshape({self.target_shape})"
