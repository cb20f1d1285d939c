"""Set 004 §3: the graded references agree with engine.init, whose draws they re-derive from a supply of numbers."""

import numpy as np
import pytest

from autograder import registry
from engine import init


def reference(name):
    spec = registry.graded_function(name)
    return lambda *args: spec.reference(*args)[0]


@pytest.mark.parametrize("shape", [(7,), (6, 4), (3, 3, 2, 5)])
def test_the_truncated_normal_of_a_supply_is_the_engines_with_the_same_generator(shape):
    seed = int(np.random.default_rng().integers(2**31))
    std = float(np.random.default_rng().uniform(0.01, 3.0))
    draws = np.random.default_rng(seed).standard_normal(3 * int(np.prod(shape)) + 50)
    expected = init.truncated_normal(shape, rng=np.random.default_rng(seed), dtype=np.float64, stddev=std)
    got = reference("truncated_normal")(shape, std, draws)
    assert got.shape == shape
    assert np.array_equal(got, expected)
    assert np.all(np.abs(got) <= 2 * std)


def test_the_truncated_normal_redraws_in_place_until_nothing_is_beyond():
    draws = np.array([0.5, 2.5, -0.3, -3.0, 2.2, -0.1, 1.0])   # positions 1 and 3 redrawn: 2.2 (again beyond), -0.1
    assert np.array_equal(reference("truncated_normal")((4,), 1.0, draws), [0.5, 1.0, -0.3, -0.1])


@pytest.mark.parametrize("kind", ["he_normal", "lecun_normal", "glorot_normal", "glorot_uniform"])
@pytest.mark.parametrize("shape", [(400, 300), (5, 5, 16, 120)])
def test_init_scale_is_the_spread_of_the_engines_initialiser(kind, shape):
    weights = getattr(init, kind)(shape, rng=np.random.default_rng(), dtype=np.float64)
    scale = reference("init_scale")(kind, shape)
    if kind.endswith("uniform"):
        assert 0.99 * scale < np.abs(weights).max() <= scale
    else:
        assert weights.std() == pytest.approx(scale, rel=0.02)


@pytest.mark.parametrize("law", ["he", "lecun", "glorot"])
def test_a_uniform_initialiser_has_the_variance_of_its_normal_twin(law):
    shape = tuple(int(s) for s in np.random.default_rng().integers(1, 500, size=2))
    normal, uniform = reference("init_scale")(f"{law}_normal", shape), reference("init_scale")(f"{law}_uniform", shape)
    assert uniform**2 / 3 == pytest.approx(normal**2, rel=1e-12)
