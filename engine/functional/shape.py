"""Flatten: (N, d1, d2, ...) -> (N, d1·d2·...), keeping the batch axis (lecture 004 §5).

No arithmetic happens, so there is no kernel: the backward pass reshapes the
gradient back to the input's shape.
"""

import math

import numpy as np

from .. import validation as check


def flatten_forward(x):
    x = check.float_array("x", x)
    if x.ndim < 2:
        raise ValueError(f"x must have a batch axis and at least one more, got shape {x.shape}")
    check.non_empty_batch("x", x)
    return x.reshape(x.shape[0], -1)


def flatten_backward(dy, x_shape):
    """Reshape ∂L/∂y (N, D) back to the input's shape ``x_shape`` (N, d1, d2, ...)."""
    if not isinstance(x_shape, (tuple, list)) or len(x_shape) < 2 or not all(
        isinstance(d, (int, np.integer)) and d >= 0 for d in x_shape
    ):
        raise ValueError(f"x_shape must be the input's shape (N, d1, ...) as a tuple of ints, got {x_shape!r}")
    x_shape = tuple(int(d) for d in x_shape)
    dy = check.float_array("dy", dy, ndim=2)
    check.non_empty_batch("dy", dy)
    expected = (x_shape[0], math.prod(x_shape[1:]))
    check.shape_equal("dy", dy, expected, f"the flattened shape of x {x_shape}")
    return dy.reshape(x_shape)

