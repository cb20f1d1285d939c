"""Weight initialisers (lecture 004 §3 and §6), each drawn from a seeded generator.

fan_in is D_in for a dense kernel (D_in, D_out) and KH·KW·C_in for a conv
kernel (KH, KW, C_in, C_out); fan_out is D_out or KH·KW·C_out.

- He normal       N(0, 2 / fan_in)            (for ReLU nets)
- LeCun normal    N(0, 1 / fan_in)
- Glorot normal   N(0, 2 / (fan_in + fan_out))
- Glorot uniform  U(−a, a), a = sqrt(6 / (fan_in + fan_out))   (Keras' default)
- truncated normal N(0, σ²), draws beyond 2σ redrawn
- orthogonal      Q of the QR decomposition of a Gaussian matrix, signs fixed
                  by R's diagonal (for recurrent matrices)

Biases start at zero. ``rng`` may be a ``np.random.Generator`` or a seed.
"""

from __future__ import annotations

import math

import numpy as np

from . import validation as check


def make_rng(rng=None) -> np.random.Generator:
    """A ``np.random.Generator`` from a seed, a generator (returned as is) or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a seed (int), a numpy Generator or None, got {type(rng).__name__}")


def fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a dense kernel (D_in, D_out) or a conv kernel (KH, KW, C_in, C_out)."""
    shape = tuple(shape)
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) == 4:
        receptive = shape[0] * shape[1]
        return receptive * shape[2], receptive * shape[3]
    raise ValueError(f"shape must be a dense kernel (D_in, D_out) or a conv kernel (KH, KW, C_in, C_out), got {shape}")


def _dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in check.FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def _normal(shape, variance, rng, dtype):
    return make_rng(rng).normal(0.0, math.sqrt(variance), size=shape).astype(_dtype(dtype))


def he_normal(shape, rng=None, dtype=np.float32):
    fan_in, _ = fans(shape)
    return _normal(shape, 2.0 / fan_in, rng, dtype)


def lecun_normal(shape, rng=None, dtype=np.float32):
    fan_in, _ = fans(shape)
    return _normal(shape, 1.0 / fan_in, rng, dtype)


def glorot_normal(shape, rng=None, dtype=np.float32):
    fan_in, fan_out = fans(shape)
    return _normal(shape, 2.0 / (fan_in + fan_out), rng, dtype)


def glorot_uniform(shape, rng=None, dtype=np.float32):
    fan_in, fan_out = fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return make_rng(rng).uniform(-limit, limit, size=shape).astype(_dtype(dtype))


def truncated_normal(shape, rng=None, dtype=np.float32, stddev=0.05):
    """N(0, stddev²) with every draw beyond 2·stddev redrawn until none is left."""
    stddev = check.real_number("stddev", stddev, low=0, low_open=True)
    rng = make_rng(rng)
    values = rng.normal(0.0, stddev, size=shape)
    outside = np.abs(values) > 2 * stddev
    while outside.any():
        values[outside] = rng.normal(0.0, stddev, size=int(outside.sum()))
        outside = np.abs(values) > 2 * stddev
    return values.astype(_dtype(dtype))


def orthogonal(shape, rng=None, dtype=np.float32, gain=1.0):
    """A matrix with orthonormal rows or columns (whichever are fewer), times ``gain``."""
    shape = tuple(shape)
    if len(shape) != 2:
        raise ValueError(f"orthogonal initialisation needs a 2-D shape, got {shape}")
    rows, cols = shape
    gaussian = make_rng(rng).normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(gaussian)
    q *= np.sign(np.diag(r))  # makes the decomposition unique, so Q is uniformly distributed
    if rows < cols:
        q = q.T
    return np.ascontiguousarray(gain * q, dtype=_dtype(dtype))  # q.T would be Fortran-ordered


def zeros(shape, rng=None, dtype=np.float32):
    return np.zeros(shape, dtype=_dtype(dtype))


INITIALIZERS = {
    "he_normal": he_normal,
    "lecun_normal": lecun_normal,
    "glorot_normal": glorot_normal,
    "glorot_uniform": glorot_uniform,
    "truncated_normal": truncated_normal,
    "orthogonal": orthogonal,
    "zeros": zeros,
}


def get_initializer(name_or_function):
    """Look an initialiser up by name, or accept any callable ``f(shape, rng, dtype)``."""
    if callable(name_or_function):
        return name_or_function
    if name_or_function not in INITIALIZERS:
        raise ValueError(f"initializer must be one of {sorted(INITIALIZERS)} or a callable, got {name_or_function!r}")
    return INITIALIZERS[name_or_function]
