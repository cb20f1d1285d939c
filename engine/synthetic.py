"""Seeded synthetic data sets for the lectures' experiments.

Lecture 000 ("¿Por qué el Deep Learning es más poderoso?"):

* :func:`tent` — the tent map built from two ReLUs, ``2·relu(x) − 4·relu(x − 1/2)``: 0 → 0, 1/2 → 1, 1 → 0.
* :func:`sawtooth` — its k-fold composition (Telgarsky 2016): 2^k linear pieces, 2^(k−1) teeth on [0, 1].
  Each composition is one more layer of two ReLUs and doubles the oscillations ("1 layer adicional =
  2x oscilaciones"), while a shallow net needs about 2^k units for the same function.
  :func:`sawtooth_network` gives the weights of that deep, narrow ReLU net.
* :func:`count_linear_pieces` — how many linear pieces a sampled 1-D function has.
* :func:`regression_1d` — (x, y) samples of a continuous function on [0, 1] for the universal
  approximation experiment (Hornik 1991: every continuous function on [0, 1]^d is approximable
  by a wide enough one-hidden-layer net).

Lecture 004 §6 (recurrent nets), sequences batch-first ``(N, T, D)``:

* :func:`ecg_beats` — an ECG-like signal with a label per time step (no beat / normal / abnormal beat),
  the lecture's example for bidirectional nets ("clasificar cada latido", with the whole signal at hand).
* :func:`adding_problem` — two-channel sequences whose target is the sum of the two marked values
  (Hochreiter & Schmidhuber 1997; Le et al. 2015): a test of long memory.
* :func:`sine_classification` — noisy sines of random phase, labelled by their frequency class.

Every generator takes ``rng`` (a ``np.random.Generator``, an int seed, or ``None`` for fresh
entropy; see :func:`engine.init.make_rng`) and ``dtype`` (float32 by default, or float64);
the same seed gives the same data. Labels are int64.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import validation as check
from .init import make_rng

__all__ = [
    "ABNORMAL",
    "NORMAL",
    "NO_BEAT",
    "REGRESSION_FUNCTIONS",
    "adding_problem",
    "count_linear_pieces",
    "ecg_beats",
    "regression_1d",
    "sawtooth",
    "sawtooth_network",
    "sine_classification",
    "tent",
]


def _dtype(dtype) -> np.dtype:
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in check.FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def _real_array(name, value) -> np.ndarray:
    """A float array from ``value``: float32/float64 arrays keep their dtype, anything else numeric is float64."""
    array = np.asarray(value)
    if array.dtype in check.FLOAT_DTYPES:
        return array
    if array.dtype.kind not in "iub":
        raise TypeError(f"{name} must be real numbers, got {check.describe(value)}")
    return array.astype(np.float64)


# ------------------------------------------------------------------ lecture 000: depth and oscillations


def tent(x):
    """The tent map as a width-2 ReLU layer: t(x) = 2·relu(x) − 4·relu(x − 1/2) (lecture 000, Telgarsky).

    On [0, 1]: t(x) = 2x for x ≤ 1/2 and 2 − 2x for x ≥ 1/2, so it maps [0, 1] onto [0, 1] twice.
    (Outside [0, 1] the same formula gives 0 for x < 0 and 2 − 2x for x > 1.) Float arrays keep their dtype.
    """
    x = _real_array("x", x)
    half, two, four = x.dtype.type(0.5), x.dtype.type(2), x.dtype.type(4)
    return two * np.maximum(x, 0) - four * np.maximum(x - half, 0)


def sawtooth(x, k):
    """The tent map composed k times, t∘t∘…∘t(x) (k ≥ 0; k = 0 is the identity).

    On [0, 1] it has 2^k linear pieces of slope ±2^k, 2^(k−1) teeth reaching 1 at the odd multiples of
    2^−k and 0 at the even ones: each extra layer of two ReLUs doubles the oscillations (lecture 000).
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 0:
        raise ValueError(f"k must be a non-negative integer (the number of compositions), got {k!r}")
    y = _real_array("x", x)
    for _ in range(int(k)):
        y = tent(y)
    return y if k else y.copy()


def sawtooth_network(k, dtype=np.float32):
    """Weights [(W₁, b₁), …, (W_{k+1}, b_{k+1})] of a ReLU net of k hidden layers of width 2 that computes
    ``sawtooth(x, k)``: h₁ = relu(x W₁ + b₁), h_{l+1} = relu(h_l W_{l+1} + b_{l+1}), output h_k W_{k+1} + b_{k+1}
    (no ReLU on the output). Each hidden layer holds the two ReLUs of one tent map: 2k + 1 weights per
    layer for 2^k pieces, where one hidden layer would need about 2^k units (lecture 000, Telgarsky).
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"k must be a positive integer (the number of hidden layers), got {k!r}")
    dtype = _dtype(dtype)
    relu_pair_bias = np.array([0.0, -0.5], dtype=dtype)
    first = (np.array([[1.0, 1.0]], dtype=dtype), relu_pair_bias.copy())
    # tent(h) = 2·relu(h) − 4·relu(h − 1/2) feeds both ReLUs of the next layer
    middle = [(np.array([[2.0, 2.0], [-4.0, -4.0]], dtype=dtype), relu_pair_bias.copy()) for _ in range(int(k) - 1)]
    last = (np.array([[2.0], [-4.0]], dtype=dtype), np.zeros(1, dtype=dtype))
    return [first, *middle, last]


def count_linear_pieces(x, y, tol=1e-6):
    """The number of linear pieces of a piecewise-linear function sampled at increasing points x.

    Slopes s_i of consecutive samples are compared; a new piece starts where a slope differs from the
    previous one by more than ``tol``·max|s| (relative; at least ``tol`` absolute). A kink strictly
    between two samples leaves one interval whose slope lies between its neighbours' slopes: that
    interval is counted as the kink, not as a piece. So the count is exact when every piece spans at
    least two sampling intervals (use a grid several times finer than the shortest piece) — for
    ``sawtooth(x, k)`` on a uniform grid of [0, 1], more than 2^(k+1) intervals.
    """
    x = _real_array("x", x).astype(np.float64, copy=False)
    y = _real_array("y", y).astype(np.float64, copy=False)
    if x.ndim != 1 or y.shape != x.shape:
        raise ValueError(f"x and y must be 1-D arrays of one length, got shapes {x.shape} and {y.shape}")
    if x.size < 2:
        raise ValueError(f"at least two samples are needed, got {x.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must be finite")
    if np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing")
    tol = check.real_number("tol", tol, low=0, low_open=True)
    slopes = np.diff(y) / np.diff(x)
    threshold = tol * max(1.0, float(np.abs(slopes).max()))
    change = np.abs(np.diff(slopes)) > threshold  # change[i]: slope i+1 differs from slope i
    kinks = int(change.sum())
    if slopes.size >= 3:
        # interval i (1 ≤ i ≤ len − 2) differs from both neighbours and lies between them: one kink inside it
        before, inner, after = slopes[:-2], slopes[1:-1], slopes[2:]
        between = (np.minimum(before, after) < inner) & (inner < np.maximum(before, after))
        kinks -= int((change[:-1] & change[1:] & between).sum())
    return kinks + 1


def _sine(x):
    return np.sin(2 * np.pi * x)


def _abs(x):
    return np.abs(2 * x - 1)


def _gaussian_bump(x):
    return np.exp(-((x - 0.5) ** 2) / (2 * 0.1**2))


def _polynomial(x):
    u = 2 * x - 1
    return 4 * u**3 - 3 * u  # the Chebyshev polynomial T₃ on [−1, 1]


def _chirp(x):
    return np.sin(2 * np.pi * 3 * x**2)


def _sawtooth3(x):
    return sawtooth(x, 3)


# continuous functions on [0, 1] for the universal-approximation experiment (lecture 000, Hornik 1991)
REGRESSION_FUNCTIONS = {
    "sine": _sine,  # sin(2πx)
    "abs": _abs,  # |2x − 1|: one kink
    "gaussian": _gaussian_bump,  # exp(−(x − 1/2)² / (2·0.1²))
    "polynomial": _polynomial,  # 4u³ − 3u, u = 2x − 1
    "chirp": _chirp,  # sin(2π·3x²): frequency growing with x
    "sawtooth": _sawtooth3,  # the tent map composed 3 times: 8 pieces
}


def regression_1d(n, function="sine", noise=0.0, rng=None, dtype=np.float32):
    """Samples for 1-D regression (lecture 000, universal approximation): x ~ U(0, 1), y = f(x) + noise·ε,
    ε ~ N(0, 1). ``function`` is a name from ``REGRESSION_FUNCTIONS`` (sine, abs, gaussian, polynomial,
    chirp, sawtooth) or a callable acting elementwise on a float64 array. Returns x (n, 1) and y (n, 1)."""
    n = check.positive_int("n", n)
    if isinstance(function, str):
        if function not in REGRESSION_FUNCTIONS:
            known = ", ".join(REGRESSION_FUNCTIONS)
            raise ValueError(f"function must be one of {known} or a callable, got {function!r}")
        f = REGRESSION_FUNCTIONS[function]
    elif callable(function):
        f = function
    else:
        raise TypeError(f"function must be a name or a callable, got {check.describe(function)}")
    noise = check.real_number("noise", noise, low=0)
    dtype = _dtype(dtype)
    rng = make_rng(rng)
    x = rng.random((n, 1))
    y = np.asarray(f(x), dtype=np.float64)
    if y.shape != x.shape:
        raise ValueError(f"function must act elementwise: it returned shape {y.shape} for x of shape {x.shape}")
    y = y + noise * rng.standard_normal((n, 1))
    return x.astype(dtype), y.astype(dtype)


# ------------------------------------------------------------------ lecture 004 §6: sequences

NO_BEAT, NORMAL, ABNORMAL = 0, 1, 2

# waves of a beat as (centre, width σ) in units of beat_width from the R peak, and amplitude
_NORMAL_WAVES = ((-0.28, 0.05, 0.15), (-0.05, 0.02, -0.15), (0.0, 0.025, 1.0), (0.05, 0.02, -0.25), (0.32, 0.07, 0.3))
_ABNORMAL_WAVES = ((0.0, 0.06, -1.0), (0.32, 0.08, 0.35))  # no P wave; wide inverted QRS
_BEFORE_R = 0.4  # the labelled window of a beat starts 0.4·beat_width before its R peak


def _beat_template(waves, offsets, width):
    return sum(a * np.exp(-0.5 * ((offsets - c * width) / (s * width)) ** 2) for c, s, a in waves)


def ecg_beats(n, length=400, rng=None, *, beat_width=24, mean_rr=50, p_abnormal=0.2, prematurity=0.65,
              rr_jitter=0.05, noise=0.02, wander=0.1, dtype=np.float32):
    """ECG-like sequences with a label per step, for classifying beats with a bidirectional RNN (lecture 004 §6).

    Each sequence is a train of beats on a baseline: x (n, length, 1) and labels (n, length) int64 with
    ``NO_BEAT`` (0), ``NORMAL`` (1) or ``ABNORMAL`` (2). A beat occupies ``beat_width`` steps, from
    round(0.4·beat_width) steps before its R peak; every step of that window carries the beat's label.

    * a normal beat is a P wave, a sharp QRS complex (R = +1) and a T wave;
    * an abnormal beat (probability ``p_abnormal``, like a premature ventricular beat) has no P wave, a
      wide inverted QRS (−1) and comes early: its R–R interval is ``prematurity`` times the normal one,
      and the next interval is lengthened by the time it took (a compensatory pause).

    Beat amplitudes vary by ±10 %, normal R–R intervals by ±``rr_jitter`` around ``mean_rr``; the baseline
    wanders (a slow sine of amplitude ``wander``, 0.5 to 2 cycles per sequence) and N(0, noise²) is added.
    Beats whose window would not fit entirely in the sequence are left out, so windows never overlap.

    Why bidirectional: the first steps of an abnormal beat's window are flat (it has no P wave), the same
    as "no beat" — only what comes *after* (its QRS) tells them apart; the T wave's steps are labelled by the
    QRS *before* them. A causal net must label a step before seeing the beat's QRS; an anti-causal one
    after, so neither alone can label all steps, while a bidirectional net sees both sides.
    """
    n = check.positive_int("n", n)
    length = check.positive_int("length", length)
    beat_width = check.positive_int("beat_width", beat_width)
    if beat_width < 5:
        raise ValueError(f"beat_width must be at least 5 steps (P, QRS and T need room), got {beat_width}")
    mean_rr = check.real_number("mean_rr", mean_rr, low=0, low_open=True)
    p_abnormal = check.real_number("p_abnormal", p_abnormal, low=0, high=1)
    prematurity = check.real_number("prematurity", prematurity, low=0, high=1, low_open=True)
    rr_jitter = check.real_number("rr_jitter", rr_jitter, low=0, high=1, high_open=True)
    noise = check.real_number("noise", noise, low=0)
    wander = check.real_number("wander", wander, low=0)
    dtype = _dtype(dtype)
    shortest = prematurity * (1 - rr_jitter) * mean_rr
    if shortest < beat_width + 1:
        raise ValueError(
            f"beats would overlap: the shortest R-R interval, prematurity·(1 − rr_jitter)·mean_rr = {shortest:.3g}, "
            f"must be at least beat_width + 1 = {beat_width + 1} steps"
        )
    if length < beat_width:
        raise ValueError(f"length must hold at least one beat (beat_width = {beat_width}), got {length}")

    rng = make_rng(rng)
    before = int(round(_BEFORE_R * beat_width))
    count = int(math.ceil(length / shortest)) + 1  # more beats than can fit
    abnormal = rng.random((n, count)) < p_abnormal
    rr = mean_rr * (1 + rr_jitter * rng.uniform(-1, 1, size=(n, count)))
    pause = np.zeros((n, count))
    pause[:, 1:] = (1 - prematurity) * mean_rr * abnormal[:, :-1]  # compensatory pause after an early beat
    rr = (rr + pause) * np.where(abnormal, prematurity, 1.0)
    first = before + rng.uniform(0, mean_rr, size=(n, 1))
    peaks = np.rint(first + np.cumsum(rr, axis=1) - rr[:, :1]).astype(np.int64)  # first beat at `first`
    fits = peaks - before + beat_width <= length
    amplitude = rng.uniform(0.9, 1.1, size=(n, count))
    cycles, phase = rng.uniform(0.5, 2.0, size=(n, 1)), rng.uniform(0, 2 * np.pi, size=(n, 1))
    steps = np.arange(length)
    signal = wander * np.sin(2 * np.pi * cycles * steps / length + phase) + noise * rng.standard_normal((n, length))

    offsets = np.arange(beat_width) - before
    templates = np.stack([_beat_template(_NORMAL_WAVES, offsets, beat_width),
                          _beat_template(_ABNORMAL_WAVES, offsets, beat_width)])
    rows, beats = np.nonzero(fits)
    where = rows[:, None] * length + peaks[rows, beats][:, None] + offsets  # flat indices, windows disjoint
    kind = abnormal[rows, beats].astype(np.int64)
    signal.reshape(-1)[where] += amplitude[rows, beats][:, None] * templates[kind]
    labels = np.full((n, length), NO_BEAT, dtype=np.int64)
    labels.reshape(-1)[where] = np.where(kind, ABNORMAL, NORMAL)[:, None]
    return signal[:, :, None].astype(dtype), labels


def adding_problem(n, length=50, rng=None, dtype=np.float32):
    """The adding problem (lecture 004 §6, a long-memory test): x (n, length, 2) with values U(0, 1) in channel 0
    and a marker channel 1 that is 1 at exactly two steps — one in the first half, [0, length//2), one in the
    second, [length//2, length) — and 0 elsewhere; the target y (n, 1) is the sum of the two marked values."""
    n = check.positive_int("n", n)
    length = check.positive_int("length", length)
    if length < 2:
        raise ValueError(f"length must be at least 2 (two marked steps), got {length}")
    dtype = _dtype(dtype)
    rng = make_rng(rng)
    values = rng.random((n, length))
    half = length // 2
    marks = np.stack([rng.integers(0, half, size=n), rng.integers(half, length, size=n)], axis=1)
    markers = np.zeros((n, length))
    np.put_along_axis(markers, marks, 1.0, axis=1)
    x = np.stack([values, markers], axis=2).astype(dtype)
    y = np.take_along_axis(x[:, :, 0], marks, axis=1).sum(axis=1, keepdims=True, dtype=np.float64)
    return x, y.astype(dtype)


def sine_classification(n, length=64, rng=None, *, frequencies=(2, 5), noise=0.1, amplitude=(0.5, 1.5),
                        dtype=np.float32):
    """Sequences to classify by frequency (lecture 004 §6): x[i, t, 0] = A·sin(2π·f_c·t/length + φ) + noise·ε.

    The class c of each sequence is uniform over ``frequencies`` (in cycles per sequence; two or more,
    distinct, positive, below length/2); the phase φ ~ U(0, 2π), the amplitude A ~ U(``amplitude``) and
    ε ~ N(0, 1) are drawn per sequence. Returns x (n, length, 1) and labels (n,) int64, the index of the
    frequency. With integer frequencies the dominant FFT bin of a sequence is its class's frequency.
    """
    n = check.positive_int("n", n)
    length = check.positive_int("length", length)
    if not isinstance(frequencies, (tuple, list)) or len(frequencies) < 2:
        raise TypeError(f"frequencies must be a tuple or list of two or more numbers, got {frequencies!r}")
    freqs = [check.real_number(f"frequencies[{i}]", f, low=0, high=length / 2, low_open=True, high_open=True)
             for i, f in enumerate(frequencies)]
    if len(set(freqs)) != len(freqs):
        raise ValueError(f"frequencies must be distinct, got {frequencies!r}")
    noise = check.real_number("noise", noise, low=0)
    if not isinstance(amplitude, (tuple, list)) or len(amplitude) != 2:
        raise TypeError(f"amplitude must be a (low, high) pair, got {amplitude!r}")
    low = check.real_number("amplitude[0]", amplitude[0], low=0, low_open=True)
    high = check.real_number("amplitude[1]", amplitude[1], low=0, low_open=True)
    if low > high:
        raise ValueError(f"amplitude must be a range (low, high) with low <= high, got {amplitude!r}")
    dtype = _dtype(dtype)
    rng = make_rng(rng)
    labels = rng.integers(0, len(freqs), size=n)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    amp = rng.uniform(low, high, size=(n, 1))
    t = np.arange(length) / length
    x = amp * np.sin(2 * np.pi * np.asarray(freqs)[labels][:, None] * t + phase)
    x += noise * rng.standard_normal((n, length))
    return x[:, :, None].astype(dtype), labels.astype(np.int64)
