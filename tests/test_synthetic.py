"""Synthetic data sets: the tent map and sawtooth (lecture 000), regression data, and the sequence tasks of 004 §6."""

from __future__ import annotations

import numpy as np
import pytest

from engine.synthetic import (
    ABNORMAL,
    NO_BEAT,
    NORMAL,
    REGRESSION_FUNCTIONS,
    adding_problem,
    count_linear_pieces,
    ecg_beats,
    regression_1d,
    sawtooth,
    sawtooth_network,
    sine_classification,
    tent,
)

DTYPES = [np.float32, np.float64]


def seed_of(rng):
    return int(rng.integers(2**31))


# ------------------------------------------------------------------ tent map and sawtooth (lecture 000)


@pytest.mark.parametrize("dtype", DTYPES)
def test_tent_is_its_piecewise_formula(rng, dtype):
    x = rng.uniform(-0.5, 1.5, size=1000).astype(dtype)
    expected = np.where(x < 0, 0.0, np.where(x <= 0.5, 2 * x.astype(np.float64), 2 - 2 * x.astype(np.float64)))
    y = tent(x)
    assert y.dtype == dtype
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-6 if dtype == np.float32 else 1e-15)
    np.testing.assert_array_equal(tent(np.array([0.0, 0.25, 0.5, 0.75, 1.0])), [0.0, 0.5, 1.0, 0.5, 0.0])


@pytest.mark.parametrize("k", range(0, 9))
def test_sawtooth_has_two_to_the_k_pieces(k):
    aligned = np.linspace(0, 1, 2 ** (k + 3) + 1)  # kinks on grid points
    assert count_linear_pieces(aligned, sawtooth(aligned, k)) == 2**k
    unaligned = np.linspace(0, 1, 4099)  # 4098 intervals: kinks between grid points
    assert count_linear_pieces(unaligned, sawtooth(unaligned, k)) == 2**k


def test_sawtooth_teeth_and_slopes(rng):
    k = int(rng.integers(1, 7))
    grid = np.arange(2**k + 1) / 2**k
    np.testing.assert_array_equal(sawtooth(grid, k), np.arange(2**k + 1) % 2)  # 2^(k-1) teeth reaching 1
    x = np.sort(rng.random(500))
    slopes = np.diff(sawtooth(x, k)) / np.diff(x)
    same_piece = np.floor(x[1:] * 2**k) == np.floor(x[:-1] * 2**k)
    np.testing.assert_allclose(np.abs(slopes[same_piece]), 2.0**k, rtol=1e-6)
    np.testing.assert_allclose(sawtooth(x, k), sawtooth(tent(x), k - 1), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(sawtooth(x, 0), x)


@pytest.mark.parametrize("k", [1, 2, 5])
@pytest.mark.parametrize("dtype", DTYPES)
def test_sawtooth_network_computes_the_sawtooth(rng, k, dtype):
    layers = sawtooth_network(k, dtype=dtype)
    assert len(layers) == k + 1 and all(w.dtype == dtype and b.dtype == dtype for w, b in layers)
    assert [w.shape for w, _ in layers] == [(1, 2)] + [(2, 2)] * (k - 1) + [(2, 1)]
    x = rng.random((200, 1)).astype(dtype)
    h = x
    for w, b in layers[:-1]:
        h = np.maximum(h @ w + b, 0)
    out = h @ layers[-1][0] + layers[-1][1]
    np.testing.assert_allclose(out, sawtooth(x, k), rtol=0, atol=1e-4 if dtype == np.float32 else 1e-12)


def test_count_linear_pieces_of_random_piecewise_linear_functions(rng):
    pieces = int(rng.integers(1, 12))
    knots = np.concatenate([[0.0], np.sort(rng.uniform(0.05, 0.95, pieces - 1)), [1.0]])
    while np.min(np.diff(knots)) < 0.02:  # keep every piece several grid steps long
        knots = np.concatenate([[0.0], np.sort(rng.uniform(0.05, 0.95, pieces - 1)), [1.0]])
    slopes = rng.uniform(0.5, 3.0, pieces) * rng.choice([-1, 1], pieces)
    slopes[1:] += np.where(np.abs(np.diff(slopes)) < 0.3, 1.0, 0.0)  # neighbouring slopes clearly differ
    values = np.concatenate([[0.0], np.cumsum(slopes * np.diff(knots))])
    x = np.sort(rng.random(2000))
    x[0], x[-1] = 0.0, 1.0
    x = np.unique(x)
    assert count_linear_pieces(x, np.interp(x, knots, values)) == pieces
    assert count_linear_pieces(x, 3 * x - 1) == 1


def test_count_linear_pieces_errors():
    with pytest.raises(ValueError, match="strictly increasing"):
        count_linear_pieces([0.0, 0.5, 0.5, 1.0], [0.0, 1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="one length"):
        count_linear_pieces(np.linspace(0, 1, 5), np.zeros(4))
    with pytest.raises(ValueError, match="two samples"):
        count_linear_pieces([0.0], [1.0])
    with pytest.raises(TypeError, match="real numbers"):
        count_linear_pieces(["a", "b"], [1.0, 2.0])
    with pytest.raises(ValueError, match="non-negative integer"):
        sawtooth(np.zeros(3), -1)
    with pytest.raises(ValueError, match="positive integer"):
        sawtooth_network(0)


# ------------------------------------------------------------------ regression data (lecture 000)


@pytest.mark.parametrize("name", list(REGRESSION_FUNCTIONS))
def test_regression_data_follows_its_function(rng, name):
    x, y = regression_1d(300, function=name, rng=seed_of(rng), dtype=np.float64)
    assert x.shape == (300, 1) and y.shape == (300, 1) and x.dtype == y.dtype == np.float64
    assert x.min() >= 0 and x.max() < 1
    np.testing.assert_allclose(y, REGRESSION_FUNCTIONS[name](x), rtol=0, atol=1e-12)


def test_regression_noise_seed_and_dtype(rng):
    seed = seed_of(rng)
    x, y = regression_1d(5000, function="gaussian", noise=0.1, rng=seed)
    assert x.dtype == y.dtype == np.float32
    residual = y.astype(np.float64) - REGRESSION_FUNCTIONS["gaussian"](x.astype(np.float64))
    assert residual.std() == pytest.approx(0.1, rel=0.05) and abs(residual.mean()) < 0.01
    x2, y2 = regression_1d(5000, function="gaussian", noise=0.1, rng=seed)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(regression_1d(5000, "gaussian", 0.1, rng=seed + 1)[0], x)
    xc, yc = regression_1d(50, function=lambda v: v**2, rng=seed, dtype=np.float64)
    np.testing.assert_allclose(yc, xc**2)


def test_regression_errors():
    with pytest.raises(ValueError, match="function must be one of"):
        regression_1d(10, function="wiggle")
    with pytest.raises(TypeError, match="function must be a name or a callable"):
        regression_1d(10, function=3)
    with pytest.raises(ValueError, match="elementwise"):
        regression_1d(10, function=lambda v: v.sum())
    with pytest.raises(ValueError, match="noise"):
        regression_1d(10, noise=-1.0)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        regression_1d(0)
    with pytest.raises(TypeError, match="dtype"):
        regression_1d(10, dtype=np.int32)


# ------------------------------------------------------------------ ECG beats (lecture 004 §6)


def beat_runs(labels_row):
    """(start, stop, label) of each maximal run of equal non-zero labels."""
    runs, start = [], None
    for t, value in enumerate(np.append(labels_row, NO_BEAT)):
        if start is not None and value != labels_row[start]:
            runs.append((start, t, int(labels_row[start])))
            start = None
        if start is None and value != NO_BEAT and t < labels_row.size:
            start = t
    return runs


def test_ecg_labels_match_the_beats_drawn(rng):
    width = 24
    before = round(0.4 * width)
    x, labels = ecg_beats(40, 500, seed_of(rng), beat_width=width, noise=0.0, wander=0.0, p_abnormal=0.3)
    assert x.shape == (40, 500, 1) and x.dtype == np.float32 and labels.shape == (40, 500)
    assert labels.dtype == np.int64 and set(np.unique(labels)) <= {NO_BEAT, NORMAL, ABNORMAL}
    signal = x[:, :, 0]
    np.testing.assert_array_equal(signal[labels == NO_BEAT], 0.0)  # no beat, no signal (flat baseline)
    kinds = []
    for n in range(40):
        runs = beat_runs(labels[n])
        assert len(runs) >= 5
        peaks = []
        for start, stop, kind in runs:
            assert stop - start == width, "every beat's window is beat_width steps"
            window, r = signal[n, start:stop], start + before
            peaks.append((r, kind))
            if kind == NORMAL:
                assert signal[n, r] > 0.8 and np.argmax(window) == before  # sharp upright R
                assert signal[n, r - round(0.28 * width)] > 0.1  # P wave
                assert np.sum(np.abs(window) > 0.5) == 1  # narrow QRS: the R peak alone above half height
            else:
                assert signal[n, r] < -0.8 and np.argmin(window) == before  # inverted QRS
                assert np.all(np.abs(window[: before - 5]) < 1e-3)  # no P wave: flat like "no beat"
                assert np.sum(np.abs(window) > 0.5) >= 3  # wide QRS: three or more steps above half height
        # premature abnormal beats: their R-R interval is shorter than any normal beat's
        rr = [(peaks[i][0] - peaks[i - 1][0], peaks[i][1]) for i in range(1, len(peaks))]
        early = [d for d, kind in rr if kind == ABNORMAL]
        normal = [d for d, kind in rr if kind == NORMAL]
        if early and normal:
            assert max(early) < min(normal)
        kinds += [kind for _, kind in peaks]
    share = np.mean(np.array(kinds) == ABNORMAL)
    assert 0.15 < share < 0.45


@pytest.mark.parametrize("dtype", DTYPES)
def test_ecg_with_noise_seeded_and_dtype(rng, dtype):
    seed = seed_of(rng)
    x, labels = ecg_beats(8, 300, seed, dtype=dtype)
    assert x.dtype == dtype
    x2, labels2 = ecg_beats(8, 300, np.random.default_rng(seed), dtype=dtype)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(labels, labels2)
    x3, labels3 = ecg_beats(8, 300, seed + 1, dtype=dtype)
    assert not np.array_equal(labels, labels3) and not np.array_equal(x, x3)
    before = round(0.4 * 24)
    for n in range(8):
        for start, _, kind in beat_runs(labels[n]):
            peak = x[n, start + before, 0]
            assert peak > 0.5 if kind == NORMAL else peak < -0.5
    assert abs(float(x[labels == NO_BEAT].mean())) < 0.1


def test_ecg_errors():
    with pytest.raises(ValueError, match="beats would overlap"):
        ecg_beats(2, 400, 0, beat_width=40, mean_rr=50)
    with pytest.raises(ValueError, match="length must hold"):
        ecg_beats(2, 10, 0)
    with pytest.raises(ValueError, match="p_abnormal"):
        ecg_beats(2, 400, 0, p_abnormal=1.5)
    with pytest.raises(ValueError, match="noise"):
        ecg_beats(2, 400, 0, noise=-0.1)
    with pytest.raises(TypeError, match="dtype"):
        ecg_beats(2, 400, 0, dtype="int64")
    with pytest.raises(TypeError, match="rng"):
        ecg_beats(2, 400, "seed")


# ------------------------------------------------------------------ adding problem


@pytest.mark.parametrize("dtype", DTYPES)
def test_adding_problem_targets_are_the_marked_sums(rng, dtype):
    length = int(rng.integers(2, 40))
    x, y = adding_problem(64, length, seed_of(rng), dtype=dtype)
    assert x.shape == (64, length, 2) and y.shape == (64, 1) and x.dtype == y.dtype == dtype
    markers = x[:, :, 1]
    assert set(np.unique(markers)) <= {0.0, 1.0}
    np.testing.assert_array_equal(markers.sum(axis=1), 2)  # exactly two markers
    half = length // 2
    np.testing.assert_array_equal(markers[:, :half].sum(axis=1), 1)  # one in each half
    expected = (x[:, :, 0].astype(np.float64) * markers).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(y, expected, rtol=1e-6 if dtype == np.float32 else 1e-15)
    assert x[:, :, 0].min() >= 0 and x[:, :, 0].max() < 1


def test_adding_problem_seeded_and_errors(rng):
    seed = seed_of(rng)
    a, b = adding_problem(10, 20, seed), adding_problem(10, 20, seed)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(adding_problem(10, 20, seed + 1)[0], a[0])
    with pytest.raises(ValueError, match="at least 2"):
        adding_problem(10, 1, 0)
    with pytest.raises(TypeError, match="positive integer"):
        adding_problem(2.5, 10, 0)


# ------------------------------------------------------------------ sine classification


@pytest.mark.parametrize("frequencies", [(2, 5), (1, 3, 7)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_sine_classes_have_their_dominant_frequency(rng, frequencies, dtype):
    x, labels = sine_classification(200, 64, seed_of(rng), frequencies=frequencies, noise=0.2, dtype=dtype)
    assert x.shape == (200, 64, 1) and x.dtype == dtype and labels.shape == (200,) and labels.dtype == np.int64
    assert set(np.unique(labels)) == set(range(len(frequencies)))  # every class present
    dominant = np.abs(np.fft.rfft(x[:, :, 0].astype(np.float64), axis=1))[:, 1:].argmax(axis=1) + 1
    np.testing.assert_array_equal(dominant, np.asarray(frequencies)[labels])


def test_sine_classification_is_random_phase_and_seeded(rng):
    seed = seed_of(rng)
    x, labels = sine_classification(50, 32, seed, noise=0.0)
    x2, labels2 = sine_classification(50, 32, seed, noise=0.0)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(labels, labels2)
    same_class = x[labels == labels[0], 0, 0]
    assert np.ptp(same_class) > 0.1  # the phase (hence the first value) varies within a class
    assert not np.array_equal(sine_classification(50, 32, seed + 1)[0], x)


def test_sine_classification_errors():
    with pytest.raises(TypeError, match="two or more"):
        sine_classification(10, 32, 0, frequencies=(3,))
    with pytest.raises(ValueError, match="distinct"):
        sine_classification(10, 32, 0, frequencies=(3, 3))
    with pytest.raises(ValueError, match="frequencies\\[1\\]"):
        sine_classification(10, 32, 0, frequencies=(3, 16))
    with pytest.raises(ValueError, match="amplitude"):
        sine_classification(10, 32, 0, amplitude=(2.0, 1.0))
    with pytest.raises(TypeError, match="dtype"):
        sine_classification(10, 32, 0, dtype=np.float16)
