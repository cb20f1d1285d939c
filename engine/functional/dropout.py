"""Inverted dropout, functional form (lectures 003 and 004 §4).

In training, y = x ⊙ η / p_keep with η ~ Ber(p_keep) drawn independently for
every element: each unit is kept with probability p_keep and the kept ones are
scaled by 1/p_keep, so that E[y] = x and evaluation needs no rescaling (in
evaluation dropout is the identity: the layer simply does not call these).

The mask is a pure function of (seed, shape): element i (row-major) is kept
when a hash of (seed, i) is below p_keep (see ``engine.backends.cpu.dropout``).
So it is reproducible, the same on any number of threads, and the GPU backend
computes the same mask with the same hash.

The mask is returned as a uint8 array of x's shape (1 kept, 0 dropped): a
quarter of the memory of a float32 scale array, so the backward pass reads less.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import validation as check
from ..backends import backend_for

SEED_LIMIT = 2**64


def check_p_keep(p_keep) -> float:
    """p_keep, the probability of keeping a unit, must be in (0, 1]; p_keep = 1 is the identity."""
    return check.real_number("p_keep", p_keep, low=0, high=1, low_open=True)


def check_seed(seed) -> int:
    """A seed is an int in [0, 2⁶⁴)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a non-negative integer, got {check.describe(seed)}")
    if not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"seed must be in [0, 2**64), got {seed}")
    return int(seed)


def dropout_key_and_threshold(be, p_keep, seed):
    """(key of seed's stream, round(p_keep·2³²)): element i is kept when its 32-bit draw is below the threshold."""
    key = np.uint64(be.dropout.stream_key(np.uint64(seed)))  # uint64 throughout: keys fill all 64 bits
    return key, min(round(p_keep * 2**32), 2**32)


def check_mask(mask, shape):
    """A dropout mask: the uint8 array of ``shape`` returned by ``dropout_forward``."""
    if not check.is_array(mask) or mask.dtype != np.uint8:
        raise TypeError(f"mask must be the uint8 array returned by dropout_forward, got {check.describe(mask)}")
    check.shape_equal("mask", mask, shape, "the shape of dy")
    if check.is_device_array(mask):
        if not mask.is_c_contiguous():
            raise ValueError(f"mask must be a C-contiguous GPU array, got shape {mask.shape}")
        return mask
    return np.ascontiguousarray(mask)


def dropout_forward(x, p_keep, seed):
    """Inverted dropout in training: (y, mask) with y = x ⊙ η / p_keep, η ~ Ber(p_keep).

    ``mask`` is η as uint8 (x's shape). Each y is exactly x / p_keep (divided in x's dtype,
    as numpy's ``x * mask / x.dtype.type(p_keep)``) or 0. The same (seed, shape) gives the
    same mask on any thread count.
    """
    x = check.non_empty_float_array("x", x)
    p_keep, seed = check_p_keep(p_keep), check_seed(seed)
    be = backend_for(x)
    y = be.empty(x.shape, x.dtype)
    mask = be.empty(x.shape, np.uint8)
    key, threshold = dropout_key_and_threshold(be, p_keep, seed)
    be.dropout.forward(x.reshape(-1), key, threshold, p_keep,
                       y.reshape(-1), mask.reshape(-1))
    return y, mask


def dropout_backward(dy, mask, p_keep):
    """∂L/∂x = dy ⊙ η / p_keep, with η the forward pass's ``mask``."""
    dy = check.non_empty_float_array("dy", dy)
    p_keep = check_p_keep(p_keep)
    mask = check_mask(mask, dy.shape)
    be = backend_for(dy)
    dx = be.empty(dy.shape, dy.dtype)
    be.dropout.backward(dy.reshape(-1), mask.reshape(-1), p_keep, dx.reshape(-1))
    return dx
