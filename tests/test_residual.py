"""The residual block y = m(x) + x of lecture 000, with a projection when m changes the shape."""

import numpy as np
import pytest

import engine
from engine.gradcheck import check_model_gradients
from engine.layers.residual import Residual


def _dense_block(width):
    return Residual([engine.Dense(width, activation="tanh"), engine.Dense(width)])


def test_identity_shortcut_adds_the_input(rng):
    block = _dense_block(5)
    model = engine.Sequential([block], input_shape=(5,), dtype=np.float64)
    x = rng.standard_normal((4, 5))
    inner = engine.Sequential(block.layers, input_shape=(5,), dtype=np.float64)
    inner.load_state_dict({k.split(".", 1)[1]: v for k, v in model.state_dict().items()})
    np.testing.assert_allclose(model.forward(x), inner.forward(x) + x, rtol=1e-12, atol=1e-12)
    assert block.projection is None
    assert set(block.params) == {"dense_1.W", "dense_1.b", "dense_2.W", "dense_2.b"}


def test_input_gradient_is_block_gradient_plus_upstream(rng, numgrad):
    block = _dense_block(3)
    model = engine.Sequential([block], input_shape=(3,), dtype=np.float64, input_grad=True)
    x, dy = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    model.forward(x)
    dx = model.backward(dy)
    expected = numgrad(lambda v: np.sum(model.forward(v) * dy), x.copy())
    np.testing.assert_allclose(dx, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("make_block, input_shape", [
    (lambda: _dense_block(4), (4,)),
    (lambda: Residual([engine.Dense(6, activation="relu"), engine.Dense(3)]), (4,)),  # dense projection
    (lambda: Residual([engine.Conv2D(3, 3, padding="same", activation="relu"), engine.Conv2D(3, 3, padding="same")],
                      activation="relu"), (5, 5, 3)),
    (lambda: Residual([engine.Conv2D(4, 3, stride=2, padding="same", activation="relu")]), (5, 6, 2)),  # 1x1 stride 2
])
def test_parameter_gradients_match_finite_differences(rng, make_block, input_shape):
    model = engine.Sequential([make_block(), engine.Flatten(), engine.Dense(3, activation="softmax")],
                              input_shape=input_shape, dtype=np.float64, seed=int(rng.integers(1000)))
    x, y = rng.standard_normal((3,) + input_shape), rng.integers(0, 3, 3)
    result = check_model_gradients(model, x, y, "cross_entropy", seed=int(rng.integers(1000)))
    assert result.passed, str(result)


def test_projection_shapes():
    block = Residual([engine.Conv2D(8, 3, stride=2, padding="same")])
    engine.Sequential([block], input_shape=(7, 7, 2))
    assert isinstance(block.projection, engine.Conv2D)
    assert block.projection.stride == (2, 2) and block.projection.kernel_size == (1, 1)
    assert block.output_shape == (4, 4, 8)
    assert "projection.W" in block.params and block.params["projection.W"].value.shape == (1, 1, 2, 8)


def test_shapes_that_cannot_match_are_refused():
    with pytest.raises(ValueError, match="Residual cannot add"):
        engine.Sequential([Residual([engine.Flatten()])], input_shape=(4, 4, 1))
    with pytest.raises(ValueError, match="projection=None"):
        engine.Sequential([Residual([engine.Dense(3)], projection=None)], input_shape=(4,))
    with pytest.raises(ValueError, match="must match"):
        engine.Sequential([Residual([engine.Dense(3)], projection=engine.Dense(2))], input_shape=(4,))
    with pytest.raises(ValueError, match="at least one layer"):
        Residual([])
    with pytest.raises(TypeError, match="layers\\[0\\]"):
        Residual(["dense"])


def test_mode_reaches_the_inner_layers():
    block = _dense_block(3)
    model = engine.Sequential([block], input_shape=(3,))
    model.eval()
    assert not any(layer.training for layer in block.layers)
    model.train()
    assert all(layer.training for layer in block.layers)


def test_residual_model_saves_and_loads(tmp_path, rng):
    def make(seed):
        return engine.Sequential([Residual([engine.Dense(3, activation="relu")]), engine.Dense(2)],
                                 input_shape=(4,), seed=seed, dtype=np.float64)

    model, other = make(1), make(2)
    x = rng.standard_normal((5, 4))
    other.load(model.save(tmp_path / "weights"))
    np.testing.assert_array_equal(other.forward(x), model.forward(x))


def test_summary_counts_the_block_parameters():
    model = engine.Sequential([Residual([engine.Dense(6), engine.Dense(3)])], input_shape=(4,))
    # m: 4*6+6 + 6*3+3 = 51; projection 4*3+3 = 15
    assert model.parameter_count() == 66
    assert "Residual" in model.summary(print_fn=lambda _: None)
