"""Data augmentation on NHWC image batches (lecture 003, "Data augmentation"; lecture 004 §4).

Lecture 003 shows seven ways to make new training images from the ones we have;
lecture 004 §4 calls it noise injection at the input, applied *only* while
training. Each is a function ``transform(x, rng, **params) -> new batch``:

=====================  =========================================================================
``flip_horizontal``    each image mirrored left–right with probability ``p``
``rotate``             rotation by a uniform angle in ±``max_degrees`` (counter-clockwise positive),
                       bilinear, about the image centre; pixels from outside the image are ``fill``
``random_crop``        pad by ``padding`` pixels of ``fill`` on every side, crop back to H × W at a
                       uniformly random offset ("random focus on one part of the image")
``color_shift``        a per-image, per-channel offset uniform in ±``max_shift`` ("nuances of RGB")
``gaussian_noise``     additive N(0, ``std``²) noise on every value ("addition of noise")
``erase``              information loss: with probability ``p``, ``patches`` random rectangles
                       (each side a fraction ``size`` of the image's) set to ``fill``
``contrast``           (x − μ)·f + μ, μ the per-image per-channel mean, f uniform in [low, high]
                       (Keras' RandomContrast, without its clipping)
=====================  =========================================================================

Conventions: ``x`` is (N, H, W, C) float32 or float64 and the result has the
same shape and dtype; the input is never modified (a new array is returned even
when nothing changes). ``rng`` is a ``np.random.Generator`` or an int seed (see
:func:`engine.init.make_rng`; ``None`` draws fresh entropy), and the same seed
gives the same result. Every random parameter is drawn per image, in one numpy
call for the whole batch; the pixel work is a Numba kernel parallel over images
(``engine.backends.cpu.augment``) or one vectorised numpy expression.

:class:`Augmentation` (alias ``Compose``) chains transforms into one callable
``aug(x, rng) -> x`` for a training loop::

    aug = Augmentation(["flip_horizontal", ("rotate", {"max_degrees": 10}),
                        functools.partial(gaussian_noise, std=0.02)])
    x_train_batch = aug(x_batch, rng)
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

from . import validation as check
from .backends import backend_for
from .init import make_rng

__all__ = [
    "TRANSFORMS",
    "Augmentation",
    "Compose",
    "color_shift",
    "contrast",
    "erase",
    "flip_horizontal",
    "gaussian_noise",
    "random_crop",
    "rotate",
]


def _images(x) -> np.ndarray:
    x = check.float_array("x", x, ndim=4)
    check.non_empty_batch("x", x)
    if min(x.shape[1:]) == 0:
        raise ValueError(f"x must be NHWC images with non-empty height, width and channels, got shape {x.shape}")
    return x


def _fill(value) -> float:
    return check.real_number("fill", value)


# Each transform's parameters are checked by one function, used both by the transform and by
# Augmentation when it is built (so a bad parameter fails at construction, not at the first batch).

def _check_flip(p=0.5):
    return {"p": check.real_number("p", p, low=0, high=1)}


def _check_rotate(max_degrees=15.0, fill=0.0):
    if isinstance(max_degrees, (tuple, list)):
        if len(max_degrees) != 2:
            raise TypeError(f"max_degrees must be a number or a (low, high) pair, got {max_degrees!r}")
        low = check.real_number("max_degrees[0]", max_degrees[0], low=-360, high=360)
        high = check.real_number("max_degrees[1]", max_degrees[1], low=-360, high=360)
        if low > high:
            raise ValueError(f"max_degrees as a range (low, high) needs low <= high, got {max_degrees!r}")
    else:
        high = check.real_number("max_degrees", max_degrees, low=0, high=360)
        low = -high
    return {"max_degrees": (low, high), "fill": _fill(fill)}


def _check_crop(padding=2, fill=0.0):
    return {"padding": check.int_pair("padding", padding, minimum=0), "fill": _fill(fill)}


def _check_color(max_shift=0.1):
    return {"max_shift": check.real_number("max_shift", max_shift, low=0)}


def _check_noise(std=0.05):
    return {"std": check.real_number("std", std, low=0)}


def _fraction_range(name, value):
    pair = (value, value) if isinstance(value, numbers.Real) and not isinstance(value, bool) else value
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise TypeError(f"{name} must be a fraction or a (low, high) pair of fractions, got {check.describe(value)}")
    low = check.real_number(f"{name}[0]", pair[0], low=0, high=1, low_open=True)
    high = check.real_number(f"{name}[1]", pair[1], low=0, high=1, low_open=True)
    if low > high:
        raise ValueError(f"{name} must be a range (low, high) with low <= high, got {value!r}")
    return low, high


def _check_erase(p=0.5, size=(0.1, 0.4), patches=1, fill=0.0):
    return {
        "p": check.real_number("p", p, low=0, high=1),
        "size": _fraction_range("size", size),
        "patches": check.positive_int("patches", patches),
        "fill": _fill(fill),
    }


def _check_contrast(low=0.8, high=1.2):
    low = check.real_number("low", low, low=0)
    high = check.real_number("high", high, low=0)
    if low > high:
        raise ValueError(f"low must not exceed high (the factor is uniform in [low, high]), got {low} > {high}")
    return {"low": low, "high": high}


def flip_horizontal(x, rng, p=0.5):
    """Mirror each image left–right (y[n, i, j] = x[n, i, W−1−j]) with probability ``p``, independently:
    image n flips when the n-th value of ``rng.random(N)`` is below ``p``."""
    p = _check_flip(p)["p"]
    x = _images(x)
    flip = make_rng(rng).random(x.shape[0]) < p
    be = backend_for(x)
    y = be.empty(x.shape, x.dtype)
    be.augment.flip_horizontal(x, flip, y)
    return y


def rotate(x, rng, max_degrees=15.0, fill=0.0):
    """Rotate each image by its own angle θ ~ U(−max_degrees, max_degrees) degrees, counter-clockwise
    for θ > 0 (as ``np.rot90``), about the centre ((H−1)/2, (W−1)/2), with bilinear interpolation;
    positions outside the input read ``fill`` (so every output value lies between the image's extremes
    and ``fill``). ``max_degrees`` may also be a (low, high) range, as Keras' RandomRotation factor.
    "Rotation with a slight angle; simulates incorrect horizon calibration" (lecture 003)."""
    params = _check_rotate(max_degrees, fill)
    x = _images(x)
    theta = np.deg2rad(make_rng(rng).uniform(*params["max_degrees"], size=x.shape[0]))
    be = backend_for(x)
    y = be.empty(x.shape, x.dtype)
    be.augment.rotate(x, np.cos(theta), np.sin(theta), x.dtype.type(params["fill"]), y)
    return y


def random_crop(x, rng, padding=2, fill=0.0):
    """Pad each image by ``padding`` pixels of ``fill`` (an int or a (rows, columns) pair) on every side and
    crop an H × W window at a uniform random offset (0..2·padding in each direction): a random shift of at
    most ``padding`` pixels. ``padding`` must be smaller than the image's height and width."""
    params = _check_crop(padding, fill)
    pad_h, pad_w = params["padding"]
    x = _images(x)
    if pad_h >= x.shape[1] or pad_w >= x.shape[2]:
        raise ValueError(
            f"padding must be smaller than the image (height {x.shape[1]}, width {x.shape[2]}), got {padding!r}"
        )
    offsets = make_rng(rng).integers(0, [2 * pad_h + 1, 2 * pad_w + 1], size=(x.shape[0], 2))
    be = backend_for(x)
    y = be.empty(x.shape, x.dtype)
    be.augment.crop(x, offsets[:, 0].copy(), offsets[:, 1].copy(), pad_h, pad_w, x.dtype.type(params["fill"]), y)
    return y


def color_shift(x, rng, max_shift=0.1):
    """Add to every pixel of image n, channel c, one offset s[n, c] ~ U(−max_shift, max_shift)."""
    max_shift = _check_color(max_shift)["max_shift"]
    x = _images(x)
    shift = make_rng(rng).uniform(-max_shift, max_shift, size=(x.shape[0], 1, 1, x.shape[3])).astype(x.dtype)
    return x + shift


def gaussian_noise(x, rng, std=0.05):
    """Add independent N(0, std²) noise to every value (Keras' GaussianNoise(stddev))."""
    std = _check_noise(std)["std"]
    x = _images(x)
    noise = make_rng(rng).standard_normal(x.shape, dtype=x.dtype)
    noise *= x.dtype.type(std)
    noise += x
    return noise


def erase(x, rng, p=0.5, size=(0.1, 0.4), patches=1, fill=0.0):
    """Information loss: with probability ``p`` an image gets ``patches`` rectangles set to ``fill`` in every
    channel. Each rectangle's height is round(a·H) and width round(b·W), a and b drawn independently, uniform
    in ``size`` = (low, high) (fractions in (0, 1]; one number means a fixed fraction), at least one pixel;
    its position is uniform among those that keep it inside the image."""
    params = _check_erase(p, size, patches, fill)
    x = _images(x)
    n, height, width = x.shape[:3]
    low, high = params["size"]
    draws = make_rng(rng).random((n, 5 * params["patches"] + 1))
    active = draws[:, 0] < params["p"]
    u = draws[:, 1:].reshape(n, params["patches"], 5)[..., :4]
    rows = np.clip(np.rint((low + (high - low) * u[..., 0]) * height), 1, height).astype(np.int64)
    cols = np.clip(np.rint((low + (high - low) * u[..., 1]) * width), 1, width).astype(np.int64)
    top = np.minimum((u[..., 2] * (height - rows + 1)).astype(np.int64), height - rows)
    left = np.minimum((u[..., 3] * (width - cols + 1)).astype(np.int64), width - cols)
    rows[~active] = 0
    cols[~active] = 0
    be = backend_for(x)
    y = be.empty(x.shape, x.dtype)
    be.augment.erase(x, top, left, rows, cols, x.dtype.type(params["fill"]), y)
    return y


def contrast(x, rng, low=0.8, high=1.2):
    """Contrast change: y = (x − μ)·f + μ with μ the mean of image n's channel c over H and W and one
    factor f ~ U(low, high) per image (Keras' RandomContrast, factor (1 − low, high − 1), without its
    clipping to a value range). Each image's per-channel means are unchanged."""
    params = _check_contrast(low, high)
    x = _images(x)
    factor = make_rng(rng).uniform(params["low"], params["high"], size=(x.shape[0], 1, 1, 1)).astype(x.dtype)
    mean = x.mean(axis=(1, 2), keepdims=True, dtype=x.dtype)
    return (x - mean) * factor + mean


# name -> (transform, parameter check)
TRANSFORMS = {
    "flip_horizontal": (flip_horizontal, _check_flip),
    "rotate": (rotate, _check_rotate),
    "random_crop": (random_crop, _check_crop),
    "color_shift": (color_shift, _check_color),
    "gaussian_noise": (gaussian_noise, _check_noise),
    "erase": (erase, _check_erase),
    "contrast": (contrast, _check_contrast),
}
_BY_FUNCTION = {fn: (name, checker) for name, (fn, checker) in TRANSFORMS.items()}


def _check_params(name, checker, params):
    try:
        return checker(**params)
    except TypeError as error:
        if "unexpected keyword argument" in str(error):
            allowed = ", ".join(checker.__code__.co_varnames[: checker.__code__.co_argcount])
            raise TypeError(f"{name} got an unknown parameter among {sorted(params)}; it takes: {allowed}") from None
        raise


def _step(spec, index):
    """One step of an Augmentation as (description, callable(x, rng))."""
    if isinstance(spec, str):
        spec = (spec, {})
    if isinstance(spec, tuple):
        if len(spec) != 2 or not isinstance(spec[0], str) or not isinstance(spec[1], dict):
            raise TypeError(f"steps[{index}] must be a name, a (name, params dict) pair or a callable, got {spec!r}")
        name, params = spec
        if name not in TRANSFORMS:
            raise ValueError(f"steps[{index}]: unknown transform {name!r}; known: {', '.join(TRANSFORMS)}")
        fn, checker = TRANSFORMS[name]
        _check_params(name, checker, params)
        args = ", ".join(f"{k}={v!r}" for k, v in params.items())
        return f"{name}({args})", functools.partial(fn, **params)
    if callable(spec):
        if isinstance(spec, functools.partial) and spec.func in _BY_FUNCTION and not spec.args:
            _check_params(*_BY_FUNCTION[spec.func], spec.keywords)
        name = getattr(getattr(spec, "func", spec), "__name__", repr(spec))
        return name, spec
    raise TypeError(
        f"steps[{index}] must be a name, a (name, params dict) pair or a callable, got {check.describe(spec)}"
    )


class Augmentation:
    """A chain of augmentations applied in order: ``Augmentation(steps)(x, rng) -> new batch``.

    Each step is a transform's name (its default parameters), a ``(name, {param: value})`` pair,
    or any callable ``f(x, rng) -> batch`` (e.g. ``functools.partial(rotate, max_degrees=5)``).
    Parameters are checked when the chain is built. One generator, made once per call from ``rng``,
    feeds every step in turn, so a seed fixes the whole chain's result. Use it on training batches
    only: evaluation sees the data as it is (lecture 004 §4).
    """

    def __init__(self, steps):
        if isinstance(steps, (str, tuple)) or callable(steps):
            steps = [steps]
        if not isinstance(steps, list):
            raise TypeError(f"steps must be a list of transforms, got {check.describe(steps)}")
        described = [_step(spec, i) for i, spec in enumerate(steps)]
        self.names = [name for name, _ in described]
        self.steps = [fn for _, fn in described]

    def __call__(self, x, rng=None):
        x = _images(x)
        rng = make_rng(rng)
        out = x
        for name, fn in zip(self.names, self.steps):
            result = fn(out, rng)
            if not isinstance(result, np.ndarray) or result.shape != x.shape or result.dtype != x.dtype:
                raise TypeError(
                    f"augmentation step {name} must return an array of shape {x.shape} and dtype {x.dtype}, "
                    f"got {check.describe(result)}"
                )
            out = result
        return out.copy() if out is x else out

    def __len__(self):
        return len(self.steps)

    def __repr__(self):
        return f"Augmentation([{', '.join(self.names)}])"


Compose = Augmentation
