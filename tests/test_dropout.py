"""Inverted dropout (lectures 003, 004 §4): y = x ⊙ η / p_keep, η ~ Ber(p_keep), identity in evaluation."""

import numba
import numpy as np
import pytest

from engine.functional.dropout import dropout_backward, dropout_forward
from engine.layers.base import Layer
from engine.layers.regularization import Dropout


def _splitmix_mask(seed, size, p_keep):
    """The documented mask, recomputed with numpy: element i is kept when its 32-bit half of
    splitmix64(key + (i//2 + 1)·γ) is below round(p_keep·2³²), key = splitmix64(seed)."""
    gamma, m1, m2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)

    def mix(z):
        z = (z ^ (z >> np.uint64(30))) * m1
        z = (z ^ (z >> np.uint64(27))) * m2
        return z ^ (z >> np.uint64(31))

    with np.errstate(over="ignore"):
        key = mix(np.array([seed], np.uint64) + gamma)
        counters = np.arange(1, (size + 1) // 2 + 1, dtype=np.uint64)
        z = mix(key + counters * gamma)
    halves = np.stack([z & np.uint64(0xFFFFFFFF), z >> np.uint64(32)], axis=1).reshape(-1)[:size]
    return (halves < np.uint64(min(round(p_keep * 2**32), 2**32))).astype(np.uint8)


@pytest.mark.parametrize("p_keep", [0.2, 0.5, 0.9])
def test_fraction_kept_is_binomial(rng, p_keep):
    x = np.ones((200, 500))
    _, mask = dropout_forward(x, p_keep, int(rng.integers(2**63)))
    n = mask.size
    assert abs(int(mask.sum()) - n * p_keep) <= 5 * np.sqrt(n * p_keep * (1 - p_keep))
    # neighbours share a 64-bit draw: their halves must still be independent
    both = int((mask.reshape(-1)[0::2] & mask.reshape(-1)[1::2]).sum())
    pairs = n // 2
    assert abs(both - pairs * p_keep**2) <= 5 * np.sqrt(pairs * p_keep**2 * (1 - p_keep**2))


def test_expectation_is_the_input(rng):
    """E[y] = x: averaged over many independent masks, each element approaches its x."""
    p_keep, draws = 0.6, 400
    x = rng.standard_normal((4, 5)) + 2
    total = np.zeros_like(x)
    for _ in range(draws):
        total += dropout_forward(x, p_keep, int(rng.integers(2**63)))[0]
    std = np.abs(x) * np.sqrt((1 - p_keep) / p_keep / draws)
    assert np.all(np.abs(total / draws - x) <= 5 * std + 1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3, 7), (2, 5, 5, 3), (7,)])
def test_values_are_pinned(rng, dtype, shape):
    """Each y is exactly x / p_keep (divided in x's dtype) or 0; the mask is the documented hash."""
    x = (rng.standard_normal(shape) + 0.1).astype(dtype)
    p_keep, seed = float(rng.uniform(0.1, 0.95)), int(rng.integers(2**63))
    y, mask = dropout_forward(x, p_keep, seed)
    assert y.dtype == dtype and y.shape == x.shape and mask.dtype == np.uint8 and mask.shape == x.shape
    np.testing.assert_array_equal(mask.reshape(-1), _splitmix_mask(seed, x.size, p_keep))
    np.testing.assert_array_equal(y, np.where(mask == 1, x / dtype(p_keep), dtype(0)))


def test_reproducible_and_thread_independent(rng):
    x = rng.standard_normal((64, 9, 9, 8)).astype(np.float32)
    seed = int(rng.integers(2**63))
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        y1, m1 = dropout_forward(x, 0.5, seed)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        y2, m2 = dropout_forward(x, 0.5, seed)
    finally:
        numba.set_num_threads(threads)
    np.testing.assert_array_equal(m1, m2)
    np.testing.assert_array_equal(y1, y2)
    # the mask depends on (seed, number of elements) only, not on the shape's split
    np.testing.assert_array_equal(dropout_forward(x.reshape(64, -1), 0.5, seed)[1].reshape(-1), m1.reshape(-1))
    assert not np.array_equal(dropout_forward(x, 0.5, seed + 1)[1], m1)


def test_p_keep_one_is_the_identity(rng):
    x = rng.standard_normal((5, 6))
    y, mask = dropout_forward(x, 1.0, 3)
    np.testing.assert_array_equal(y, x)
    assert mask.all()
    np.testing.assert_array_equal(dropout_backward(x, mask, 1.0), x)


def test_gradient_matches_finite_differences(rng, numgrad):
    x, w = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    p_keep, seed = 0.7, int(rng.integers(2**63))
    _, mask = dropout_forward(x, p_keep, seed)
    expected = numgrad(lambda v: np.sum(w * dropout_forward(v, p_keep, seed)[0]), x)
    np.testing.assert_allclose(dropout_backward(w, mask, p_keep), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backward_keeps_dtype_and_pins_values(rng, dtype):
    dy = rng.standard_normal((3, 4)).astype(dtype)
    _, mask = dropout_forward(dy, 0.3, 11)
    dx = dropout_backward(dy, mask, 0.3)
    assert dx.dtype == dtype
    np.testing.assert_array_equal(dx, np.where(mask == 1, dy / dtype(0.3), dtype(0)))


@pytest.mark.parametrize("p_keep", [0, -0.1, 1.5, float("nan")])
def test_bad_p_keep(p_keep):
    with pytest.raises(ValueError if p_keep == p_keep else TypeError, match="p_keep"):
        dropout_forward(np.ones(3), p_keep, 0)


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (2**64, ValueError), (1.5, TypeError),
                                         (True, TypeError), (None, TypeError)])
def test_bad_seed(seed, error):
    with pytest.raises(error, match="seed"):
        dropout_forward(np.ones(3), 0.5, seed)


def test_bad_arrays():
    with pytest.raises(TypeError, match="x must have dtype"):
        dropout_forward(np.arange(4), 0.5, 0)
    with pytest.raises(ValueError, match="non-empty"):
        dropout_forward(np.ones((0, 3)), 0.5, 0)
    _, mask = dropout_forward(np.ones((2, 3)), 0.5, 0)
    with pytest.raises(TypeError, match="mask must be the uint8"):
        dropout_backward(np.ones((2, 3)), mask.astype(np.float64), 0.5)
    with pytest.raises(ValueError, match="mask must have shape"):
        dropout_backward(np.ones((3, 2)), mask, 0.5)
    with pytest.raises(ValueError, match="p_keep"):
        Dropout(0.0)


def _built(p_keep, rng_seed, seed=None):
    layer = Dropout(p_keep, seed=seed)
    layer.build((6, 5), np.random.default_rng(rng_seed), np.float64)
    return layer


def test_layer_draws_a_new_reproducible_mask_each_step(rng):
    x = rng.standard_normal((8, 6, 5))
    base = int(rng.integers(2**31))
    first, twin = _built(0.5, base), _built(0.5, base)
    a1, a2 = first.forward(x), first.forward(x)
    assert not np.array_equal(a1, a2)  # a new mask at every training forward
    np.testing.assert_array_equal(twin.forward(x), a1)  # same generator at build: same masks
    np.testing.assert_array_equal(twin.forward(x), a2)
    seeded = [_built(0.5, base + k, seed=42) for k in (0, 1)]  # an explicit seed ignores the model's rng
    np.testing.assert_array_equal(seeded[0].forward(x), seeded[1].forward(x))


def test_layer_backward_uses_its_mask(rng):
    layer = _built(0.4, int(rng.integers(2**31)))
    x, dy = rng.standard_normal((3, 6, 5)), rng.standard_normal((3, 6, 5))
    y = layer.forward(x)
    kept = y != 0
    np.testing.assert_array_equal(layer.backward(dy), np.where(kept, dy / 0.4, 0))


def test_layer_is_the_identity_in_evaluation(rng):
    layer = _built(0.3, 0)
    x = rng.standard_normal((4, 6, 5))
    layer.training = False
    assert layer.forward(x) is x
    dy = rng.standard_normal(x.shape)
    assert layer.backward(dy) is dy
    assert isinstance(layer, Layer) and layer.params == {} and layer.describe() == "Dropout(0.3)"
