"""Learning-rate schedules (lecture 004 §2) and weight initialisers (004 §3, §6).

Schedules are compared with the lecture's formulas written out here for epochs
1..10; the epoch of an update is e_t = 1 + floor(t·B / n_tr). Initialisers are
checked by the statistics of large draws (variance, bounds, kurtosis), by an
independent Gram–Schmidt orthogonalisation of the same Gaussian draws, and for
fans, seeds and dtypes.
"""

from __future__ import annotations

import bisect
import math

import numpy as np
import pytest

from engine import Conv2D, Dense, Flatten, Sequential
from engine import init as I
from engine.schedules import (
    ExponentialDecay,
    InverseSqrtDecay,
    InverseTimeDecay,
    PiecewiseConstant,
    Schedule,
    epoch_at_step,
)

EPOCHS = range(1, 11)

# ---------------------------------------------------------------------------
# schedules
# ---------------------------------------------------------------------------


def test_inverse_time_decay(rng):
    lr0, delta = float(rng.uniform(0.01, 1)), float(rng.uniform(0.05, 2))
    schedule = InverseTimeDecay(lr0, delta)
    assert isinstance(schedule, Schedule)
    for e in EPOCHS:
        assert schedule(e) == pytest.approx(lr0 * (1 + delta) / (1 + delta * e), rel=1e-14)
    assert schedule(1) == pytest.approx(lr0, rel=1e-14), "α₀ in the first epoch"
    rates = [schedule(e) for e in EPOCHS]
    assert all(a > b for a, b in zip(rates, rates[1:], strict=False))


def test_inverse_time_decay_without_decay_is_constant():
    schedule = InverseTimeDecay(0.3, 0.0)
    assert [schedule(e) for e in EPOCHS] == [0.3] * 10


def test_exponential_decay(rng):
    lr0, gamma = float(rng.uniform(0.01, 1)), float(rng.uniform(0.5, 0.99))
    schedule = ExponentialDecay(lr0, gamma)
    for e in EPOCHS:
        assert schedule(e) == pytest.approx(lr0 * gamma ** (e - 1), rel=1e-14)
    assert schedule(1) == lr0
    assert schedule(3) == pytest.approx(lr0 * gamma * gamma, rel=1e-14)


def test_inverse_sqrt_decay(rng):
    lr0 = float(rng.uniform(0.01, 1))
    schedule = InverseSqrtDecay(lr0)
    for e in EPOCHS:
        assert schedule(e) == pytest.approx(lr0 / math.sqrt(e), rel=1e-14)
    assert schedule(4) == pytest.approx(lr0 / 2, rel=1e-14)


def test_piecewise_constant_keras_intervals():
    """values[0] while e <= b[0], values[i] while b[i−1] < e <= b[i], values[-1] after the last."""
    boundaries, values = [2, 5, 8], [0.1, 0.05, 0.01, 0.001]
    schedule = PiecewiseConstant(boundaries, values)
    expected = {
        1: 0.1,
        2: 0.1,
        3: 0.05,
        4: 0.05,
        5: 0.05,
        6: 0.01,
        7: 0.01,
        8: 0.01,
        9: 0.001,
        10: 0.001,
    }
    assert {e: schedule(e) for e in EPOCHS} == expected
    for e in range(1, 30):  # the same rule, written with bisect
        assert schedule(e) == values[bisect.bisect_left(boundaries, e)]


def test_piecewise_constant_random(rng):
    boundaries = sorted(rng.choice(np.arange(1, 20), size=4, replace=False).tolist())
    values = sorted(rng.uniform(0.001, 1, size=5).tolist(), reverse=True)
    schedule = PiecewiseConstant(boundaries, values)
    for e in range(1, 25):
        index = sum(e > b for b in boundaries)
        assert schedule(e) == values[index]


@pytest.mark.parametrize(
    "t, batch_size, n_train, expected",
    [
        (0, 32, 100, 1),  # before the first update
        (1, 32, 100, 1),
        (3, 32, 100, 1),  # 96 samples seen
        (4, 32, 100, 2),  # 128 samples seen
        (24, 4, 100, 1),  # 96 seen
        (25, 4, 100, 2),  # exactly one epoch seen: the boundary belongs to the next epoch
        (49, 4, 100, 2),
        (50, 4, 100, 3),
        (1, 100, 100, 2),
        (1, 200, 100, 3),  # a batch larger than the data set
        (7, 1, 1, 8),
        (10**6, 64, 60000, 1 + (10**6 * 64) // 60000),
    ],
)
def test_epoch_at_step(t, batch_size, n_train, expected):
    assert epoch_at_step(t, batch_size, n_train) == expected


def test_epoch_at_step_random(rng):
    for _ in range(50):
        n = int(rng.integers(1, 1000))
        b = int(rng.integers(1, 128))
        t = int(rng.integers(0, 10_000))
        assert epoch_at_step(t, b, n) == 1 + math.floor(t * b / n)


def test_epoch_at_step_feeds_a_schedule():
    schedule = ExponentialDecay(1.0, 0.5)
    rates = [schedule(epoch_at_step(t, 25, 100)) for t in range(12)]
    assert rates == [1.0] * 4 + [0.5] * 4 + [0.25] * 4


@pytest.mark.parametrize(
    "args, exc, name",
    [
        ((-1, 32, 100), ValueError, r"\bt\b"),
        ((1.5, 32, 100), ValueError, r"\bt\b"),
        ((True, 32, 100), ValueError, r"\bt\b"),
        ((1, 0, 100), ValueError, "batch_size"),
        ((1, -4, 100), ValueError, "batch_size"),
        ((1, 2.0, 100), TypeError, "batch_size"),
        ((1, 32, 0), ValueError, "n_train"),
        ((1, 32, None), TypeError, "n_train"),
    ],
)
def test_epoch_at_step_rejects_bad_arguments(args, exc, name):
    with pytest.raises(exc, match=name):
        epoch_at_step(*args)


@pytest.mark.parametrize(
    "factory, exc, name",
    [
        (lambda: InverseTimeDecay(0.0, 0.5), ValueError, "lr0"),
        (lambda: InverseTimeDecay(-0.1, 0.5), ValueError, "lr0"),
        (lambda: InverseTimeDecay(0.1, -0.5), ValueError, "delta"),
        (lambda: InverseTimeDecay("0.1", 0.5), TypeError, "lr0"),
        (lambda: ExponentialDecay(0.1, 0.0), ValueError, "gamma"),
        (lambda: ExponentialDecay(0.1, 1.5), ValueError, "gamma"),
        (lambda: ExponentialDecay(0.1, float("nan")), TypeError, "gamma"),
        (lambda: InverseSqrtDecay(0.0), ValueError, "lr0"),
        (lambda: InverseSqrtDecay(True), TypeError, "lr0"),
        (lambda: PiecewiseConstant([2, 5], [0.1, 0.01]), ValueError, "values"),
        (lambda: PiecewiseConstant([5, 2], [0.1, 0.01, 0.001]), ValueError, "boundaries"),
        (lambda: PiecewiseConstant([2, 2], [0.1, 0.01, 0.001]), ValueError, "boundaries"),
        (lambda: PiecewiseConstant([0, 2], [0.1, 0.01, 0.001]), ValueError, "boundaries"),
        (lambda: PiecewiseConstant([2], [0.1, -0.01]), ValueError, "values"),
    ],
)
def test_schedules_reject_bad_arguments(factory, exc, name):
    with pytest.raises(exc, match=name):
        factory()


@pytest.mark.parametrize(
    "epoch, exc", [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)]
)
@pytest.mark.parametrize(
    "schedule",
    [
        InverseTimeDecay(0.1, 0.5),
        ExponentialDecay(0.1, 0.9),
        InverseSqrtDecay(0.1),
        PiecewiseConstant([2], [1, 2]),
    ],
)
def test_schedules_reject_bad_epochs(schedule, epoch, exc):
    with pytest.raises(exc, match="epoch"):
        schedule(epoch)


# ---------------------------------------------------------------------------
# initialisers: fans
# ---------------------------------------------------------------------------


def test_fans_of_dense_and_conv_kernels():
    assert I.fans((7, 3)) == (7, 3)
    assert I.fans((3, 3, 4, 8)) == (36, 72)
    assert I.fans((5, 2, 3, 1)) == (30, 10)
    assert I.fans([4, 6]) == (4, 6)


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4), (1, 2, 3, 4, 5)])
def test_fans_reject_other_shapes(shape):
    with pytest.raises(ValueError, match="shape"):
        I.fans(shape)


# ---------------------------------------------------------------------------
# initialisers: statistics of large draws
# ---------------------------------------------------------------------------


def kurtosis(a):
    a = a.ravel() - a.mean()
    return float(np.mean(a**4) / np.mean(a**2) ** 2)


NORMALS = [
    ("he_normal", lambda fi, fo: 2.0 / fi),
    ("lecun_normal", lambda fi, fo: 1.0 / fi),
    ("glorot_normal", lambda fi, fo: 2.0 / (fi + fo)),
]


@pytest.mark.parametrize(
    "shape, fan_in, fan_out", [((400, 300), 400, 300), ((5, 5, 32, 64), 800, 1600)]
)
@pytest.mark.parametrize("name, variance", NORMALS)
def test_normal_initialisers_variance(seed, name, variance, shape, fan_in, fan_out):
    w = getattr(I, name)(shape, rng=seed, dtype=np.float64)
    assert w.shape == shape and w.dtype == np.float64
    n, var = w.size, variance(fan_in, fan_out)
    # the sample variance has relative sd sqrt(2/n) (≈ 0.4 % and 0.6 % here): 5 % is > 8 sd
    assert w.var() == pytest.approx(var, rel=0.05)
    assert abs(w.mean()) < 6 * math.sqrt(var / n)
    assert kurtosis(w) == pytest.approx(3.0, abs=0.15), "a normal draw (a uniform has kurtosis 1.8)"


@pytest.mark.parametrize(
    "shape, fan_in, fan_out", [((400, 300), 400, 300), ((5, 5, 32, 64), 800, 1600)]
)
def test_glorot_uniform_bounds_and_variance(seed, shape, fan_in, fan_out):
    w = I.glorot_uniform(shape, rng=seed, dtype=np.float64)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    assert np.all(np.abs(w) <= limit)
    assert np.max(w) > 0.99 * limit and np.min(w) < -0.99 * limit
    assert w.var() == pytest.approx(limit**2 / 3, rel=0.03)  # = 2 / (fan_in + fan_out)
    assert w.var() == pytest.approx(2.0 / (fan_in + fan_out), rel=0.03)
    assert np.mean(np.abs(w) < limit / 2) == pytest.approx(0.5, abs=0.02)
    assert kurtosis(w) == pytest.approx(1.8, abs=0.05)


def truncated_std(sigma, k=2.0):
    """Standard deviation of N(0, σ²) truncated to [−kσ, kσ]."""
    pdf = math.exp(-k * k / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(k / math.sqrt(2))
    return sigma * math.sqrt(1 - 2 * k * pdf / mass)


@pytest.mark.parametrize("stddev", [0.05, 1.3])
def test_truncated_normal(seed, stddev):
    w = I.truncated_normal((300, 400), rng=seed, dtype=np.float64, stddev=stddev)
    assert np.all(np.abs(w) <= 2 * stddev), "no draw beyond 2σ"
    assert np.max(np.abs(w)) > 1.98 * stddev, "the tails up to 2σ are kept"
    assert np.sum(np.abs(w) >= 2 * stddev * (1 - 1e-12)) < 5, (
        "values are redrawn, not clipped to 2σ"
    )
    assert truncated_std(1.0) == pytest.approx(0.8796, abs=1e-4)
    assert w.std() == pytest.approx(truncated_std(stddev), rel=0.01)
    assert abs(w.mean()) < 6 * stddev / math.sqrt(w.size)


def test_truncated_normal_default_stddev(seed):
    w = I.truncated_normal((200, 200), rng=seed, dtype=np.float64)
    assert np.all(np.abs(w) <= 0.1)
    assert w.std() == pytest.approx(truncated_std(0.05), rel=0.02)


def test_truncated_normal_rejects_bad_stddev():
    with pytest.raises(ValueError, match="stddev"):
        I.truncated_normal((3, 3), rng=0, stddev=0.0)


# ---------------------------------------------------------------------------
# orthogonal
# ---------------------------------------------------------------------------


def gram_schmidt(a):
    """Q with orthonormal columns and R upper triangular with a positive diagonal (A = QR)."""
    q = np.zeros_like(a)
    for j in range(a.shape[1]):
        v = a[:, j].copy()
        for _ in range(2):  # re-orthogonalise once for accuracy
            v -= q[:, :j] @ (q[:, :j].T @ v)
        q[:, j] = v / np.linalg.norm(v)
    return q


def my_orthogonal(shape, seed):
    """QR of a Gaussian (max, min) matrix, signs fixed so that R's diagonal is positive,
    transposed for wide shapes (Keras' Orthogonal does the same)."""
    rows, cols = shape
    gaussian = np.random.default_rng(seed).normal(size=(max(rows, cols), min(rows, cols)))
    q = gram_schmidt(gaussian)
    return q.T if rows < cols else q


@pytest.mark.parametrize("shape", [(6, 6), (9, 4), (4, 9), (1, 5), (5, 1)])
def test_orthogonal_is_orthonormal_and_matches_positive_r_qr(seed, shape):
    q = I.orthogonal(shape, rng=seed, dtype=np.float64)
    assert q.shape == shape and q.dtype == np.float64
    assert q.flags.c_contiguous  # kernels and gradient checks read it as flat C-ordered memory
    rows, cols = shape
    if rows >= cols:
        np.testing.assert_allclose(q.T @ q, np.eye(cols), atol=1e-12)
    else:
        np.testing.assert_allclose(q @ q.T, np.eye(rows), atol=1e-12)
    np.testing.assert_allclose(q, my_orthogonal(shape, seed), atol=1e-10)


def test_orthogonal_sign_convention(seed):
    """The columns of Q are the Gaussian's columns orthogonalised in order: R = QᵀG has a
    positive diagonal."""
    q = I.orthogonal((7, 5), rng=seed, dtype=np.float64)
    gaussian = np.random.default_rng(seed).normal(size=(7, 5))
    r = q.T @ gaussian
    np.testing.assert_allclose(np.tril(r, -1), 0, atol=1e-10)
    assert np.all(np.diag(r) > 0)


def test_orthogonal_gain_and_determinism(seed):
    a = I.orthogonal((5, 5), rng=seed, dtype=np.float64, gain=2.5)
    b = I.orthogonal((5, 5), rng=seed, dtype=np.float64, gain=2.5)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a.T @ a, 6.25 * np.eye(5), atol=1e-11)
    c = I.orthogonal((5, 5), rng=seed + 1, dtype=np.float64)
    assert not np.allclose(a / 2.5, c)


def test_orthogonal_rejects_non_matrices():
    with pytest.raises(ValueError, match="2-D"):
        I.orthogonal((3, 3, 2, 2), rng=0)


# ---------------------------------------------------------------------------
# seeds, dtypes, registry
# ---------------------------------------------------------------------------

ALL = [
    "he_normal",
    "lecun_normal",
    "glorot_normal",
    "glorot_uniform",
    "truncated_normal",
    "orthogonal",
]


@pytest.mark.parametrize("name", ALL)
def test_seeded_reproducibility(seed, name):
    f = getattr(I, name)
    a = f((8, 6), rng=seed)
    b = f((8, 6), rng=seed)
    c = f((8, 6), rng=seed + 1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # a Generator is used (and advanced) as is
    gen = np.random.default_rng(seed)
    first, second = f((8, 6), rng=gen), f((8, 6), rng=gen)
    np.testing.assert_array_equal(first, a)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, "float32", "float64"])
@pytest.mark.parametrize("name", ALL + ["zeros"])
def test_dtype_is_honoured(name, dtype):
    w = getattr(I, name)((6, 4), rng=0, dtype=dtype)
    assert w.dtype == np.dtype(dtype)
    assert w.shape == (6, 4)


def test_default_dtype_is_float32():
    assert I.he_normal((3, 3), rng=0).dtype == np.float32


@pytest.mark.parametrize("name", ALL + ["zeros"])
@pytest.mark.parametrize("dtype", [np.int64, np.float16, np.complex128])
def test_bad_dtype_is_rejected(name, dtype):
    with pytest.raises(TypeError, match="dtype"):
        getattr(I, name)((4, 4), rng=0, dtype=dtype)


def test_bad_rng_is_rejected():
    with pytest.raises(TypeError, match="rng"):
        I.he_normal((3, 3), rng="seed")
    with pytest.raises(TypeError, match="rng"):
        I.he_normal((3, 3), rng=1.5)


def test_registry():
    for name in ALL + ["zeros"]:
        assert I.get_initializer(name) is getattr(I, name)
    custom = lambda shape, rng=None, dtype=np.float32: np.full(shape, 0.5, dtype)  # noqa: E731
    assert I.get_initializer(custom) is custom
    with pytest.raises(ValueError, match="initializer"):
        I.get_initializer("he_uniform_typo")


# ---------------------------------------------------------------------------
# built layers
# ---------------------------------------------------------------------------


def test_built_layers_have_zero_biases_and_seeded_kernels():
    model = Sequential(
        [Conv2D(8, 3, activation="relu"), Flatten(), Dense(5)], input_shape=(6, 6, 3), seed=4
    )
    conv, _, dense = model.layers
    assert conv.params["W"].value.shape == (3, 3, 3, 8)
    assert dense.params["W"].value.shape == (4 * 4 * 8, 5)
    for layer in (conv, dense):
        np.testing.assert_array_equal(layer.params["b"].value, 0)
        assert np.count_nonzero(layer.params["W"].value) == layer.params["W"].value.size
        assert layer.params["W"].value.dtype == np.float32
    again = Sequential(
        [Conv2D(8, 3, activation="relu"), Flatten(), Dense(5)], input_shape=(6, 6, 3), seed=4
    )
    other = Sequential(
        [Conv2D(8, 3, activation="relu"), Flatten(), Dense(5)], input_shape=(6, 6, 3), seed=5
    )
    np.testing.assert_array_equal(again.layers[0].params["W"].value, conv.params["W"].value)
    assert not np.array_equal(other.layers[0].params["W"].value, conv.params["W"].value)


def test_default_kernel_initialiser_is_glorot_uniform_with_conv_fans():
    """Keras' default: U(±sqrt(6 / (fan_in + fan_out))), fans KH·KW·C_in and KH·KW·C_out."""
    model = Sequential([Conv2D(64, 5)], input_shape=(5, 5, 32), seed=1, dtype=np.float64)
    w = model.layers[0].params["W"].value
    limit = math.sqrt(6.0 / (25 * 32 + 25 * 64))
    assert np.all(np.abs(w) <= limit) and np.max(np.abs(w)) > 0.99 * limit


def test_layer_kernel_initialiser_uses_the_kernel_fans():
    model = Sequential(
        [
            Conv2D(64, 5, kernel_initializer="he_normal"),
            Flatten(),
            Dense(300, kernel_initializer="lecun_normal"),
        ],
        input_shape=(5, 5, 32),
        seed=2,
        dtype=np.float64,
    )
    conv_w = model.layers[0].params["W"].value
    dense_w = model.layers[2].params["W"].value
    assert conv_w.var() == pytest.approx(2.0 / (5 * 5 * 32), rel=0.05)
    assert dense_w.shape == (64, 300)
    assert dense_w.var() == pytest.approx(1.0 / 64, rel=0.05)
    assert model.layers[0].params["W"].value.dtype == np.float64
