"""Argument checks shared by every public function of the engine.

The compiled kernels trust their inputs completely: a wrong shape inside an
``@njit`` loop reads past the end of an array instead of raising. So every
public function runs its arguments through these checks first, and each check
raises a ``TypeError`` or ``ValueError`` that names the argument, says what was
expected and shows what came.
"""

from __future__ import annotations

import numbers

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def is_device_array(value) -> bool:
    """Whether ``value`` is a GPU array of the CUDA backend (numba's device arrays, real or simulated)."""
    return hasattr(value, "copy_to_host") and hasattr(value, "is_c_contiguous")


def is_array(value) -> bool:
    """A numpy array or a GPU device array: what the engine's functions take."""
    return isinstance(value, np.ndarray) or is_device_array(value)


def describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if is_device_array(value):
        return f"a GPU array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} {value!r}"


def float_array(name: str, value, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``value`` as a C-contiguous float32/float64 array, or raise.

    Non-contiguous arrays (slices, transposes) are copied into contiguous
    memory, so kernels never mis-index them. Integer, boolean, complex and
    object arrays are refused rather than silently converted: a student who
    passes ``np.arange(6)`` should hear about it.
    """
    if not is_array(value):
        raise TypeError(f"{name} must be a numpy array of float32 or float64, got {describe(value)}")
    if value.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name} must have dtype float32 or float64, got dtype {value.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if value.ndim not in allowed:
            wanted = " or ".join(str(d) for d in allowed)
            raise ValueError(
                f"{name} must have {wanted} dimensions, got {value.ndim} (shape {value.shape})"
            )
    if is_device_array(value):
        if not value.is_c_contiguous():
            raise ValueError(f"{name} must be a C-contiguous GPU array (not a strided view), got shape {value.shape}")
        return value
    # np.ascontiguousarray would turn a 0-d array into shape (1,); copy only when needed.
    return value if value.flags.c_contiguous else value.copy(order="C")


def in_place_target(array) -> bool:
    """Whether ``array`` can be updated in place by a kernel: C-contiguous, and writeable if on the host."""
    if is_device_array(array):
        return array.is_c_contiguous()
    return array.flags.c_contiguous and array.flags.writeable


def non_empty_float_array(name: str, value) -> np.ndarray:
    """``float_array`` that also refuses 0-d and empty arrays (elementwise operations need values)."""
    value = float_array(name, value)
    if value.ndim == 0 or value.size == 0:
        raise ValueError(f"{name} must be a non-empty array with at least one dimension, got shape {value.shape}")
    return value


def same_dtype(**arrays: np.ndarray) -> np.dtype:
    """Check that all the given arrays share one dtype and return it."""
    dtypes = {name: a.dtype for name, a in arrays.items()}
    if len(set(dtypes.values())) > 1:
        listed = ", ".join(f"{name} is {dt}" for name, dt in dtypes.items())
        raise TypeError(f"arrays must share one dtype (no silent casting): {listed}")
    return next(iter(dtypes.values()))


def shape_equal(name: str, array: np.ndarray, expected: tuple[int, ...], why: str = "") -> None:
    if tuple(array.shape) != tuple(expected):
        reason = f" ({why})" if why else ""
        raise ValueError(f"{name} must have shape {tuple(expected)}{reason}, got {array.shape}")


def non_empty_batch(name: str, array: np.ndarray) -> None:
    if array.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch (shape {array.shape}); expected at least one sample")


def positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {describe(value)}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def int_pair(name: str, value, minimum: int = 1) -> tuple[int, int]:
    """Accept an int or a pair of ints (height, width), each at least ``minimum``."""
    pair = (value, value) if isinstance(value, numbers.Integral) and not isinstance(value, bool) else value
    if (
        not isinstance(pair, (tuple, list))
        or len(pair) != 2
        or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in pair)
    ):
        raise TypeError(f"{name} must be an int or a pair of ints, got {describe(value)}")
    if min(pair) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def matching_array(name: str, value, shape: tuple[int, ...], like: np.ndarray, why: str = "") -> np.ndarray:
    """An array argument tied to the input x (``like``): exactly ``shape`` and x's dtype, such as
    an upstream gradient or something the forward pass returned for the backward pass."""
    value = float_array(name, value, ndim=len(shape))
    shape_equal(name, value, shape, why)
    same_dtype(**{name: value, "x": like})
    return value


def relu_output(value, shape: tuple[int, ...], like: np.ndarray) -> np.ndarray:
    """The ``relu_output`` argument of a backward pass: the forward pass's ReLU output,
    of ``shape`` and of the dtype of ``like``."""
    return matching_array("relu_output", value, shape, like, "the shape of the forward output")


def plain_key(value) -> bool:
    """Whether ``value`` is an int, a str or a tuple of ints exactly (not bools, floats or lists):
    safe as a cache key, since no two such values that compare equal are checked differently."""
    kind = type(value)
    return kind is int or kind is str or (kind is tuple and all(type(v) is int for v in value))


def real_number(name: str, value, low=None, high=None, low_open=False, high_open=False) -> float:
    """A finite real scalar within [low, high] (or open ends when asked)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite real number, got {describe(value)}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{name} must be in {left}{lo}, {hi}{right}, got {value}")
    return value
