"""The lectures' experiments (engine.experiments) show what the lectures say they show."""

import numpy as np
import pytest

from engine import experiments, plots
from engine.datasets import load_digits
from engine.layers.residual import Residual


@pytest.fixture(scope="module")
def digits():
    data = load_digits(test=0.2, seed=0)
    return data.x_train[:256].reshape(256, -1), data.y_train[:256]


def test_deep_net_structure():
    plain = experiments.deep_net(4, width=8, input_shape=(5,), classes=3)
    residual = experiments.deep_net(4, width=8, input_shape=(5,), classes=3, residual=True)
    assert len(plain.layers) == len(residual.layers) == 6
    assert sum(isinstance(layer, Residual) for layer in residual.layers) == 4
    assert plain.parameter_count() == residual.parameter_count() == 5 * 8 + 8 + 4 * (8 * 8 + 8) + 8 * 3 + 3
    with pytest.raises(ValueError, match="depth"):
        experiments.deep_net(0)


def test_sigmoid_gradients_vanish_towards_the_input_and_relu_ones_do_not(digits):
    x, y = digits
    norms = experiments.compare_gradient_norms(x, y, depth=8, width=32, seed=1)
    sigmoid, relu = list(norms["sigmoid"].values()), list(norms["relu"].values())
    assert len(sigmoid) == len(relu) == 10
    assert sigmoid[1] < 1e-3 * sigmoid[-1]  # the first hidden layer gets a thousandth of the last one's
    assert relu[1] > 1e-2 * relu[-1]


def test_residual_net_trains_where_the_plain_one_stalls(digits):
    x, y = digits
    histories = experiments.plain_versus_residual(x, y, depth=20, epochs=4, seed=2)
    plain, residual = histories["plain"]["loss"], histories["residual"]["loss"]
    assert plain[-1] > 2.2  # log(10) ≈ 2.30: the plain net has learnt nothing
    assert residual[-1] < 0.75 * residual[0] and residual[-1] < plain[-1] - 0.5
    assert plots.plot_histories(histories) is not None


def test_noise_ball_grows_with_the_learning_rate_and_shrinks_with_the_batch(tmp_path):
    result = experiments.sgd_noise_ball(learning_rates=(0.01, 0.1), batch_sizes=(1, 16), steps=300, seed=3)
    spread = result.spread
    assert spread[1, 0] > 3 * spread[0, 0] and spread[1, 1] > 3 * spread[0, 1]  # ∝ lr
    assert spread[0, 0] > 3 * spread[0, 1] and spread[1, 0] > 3 * spread[1, 1]  # ∝ 1 / B
    assert result.paths[(0.1, 1)].shape == (301, 2)
    np.testing.assert_allclose(result.paths[(0.1, 1)][0], result.optimum)  # SGD starts at θ*
    plots.plot_noise_ball(result, path=tmp_path / "ball.png")
    assert (tmp_path / "ball.png").stat().st_size > 0


@pytest.mark.slow
def test_overfit_then_regularise_closes_the_gap():
    histories = experiments.overfit_then_regularise(train_size=200, epochs=15, settings=("baseline", "augmentation"))

    def gap(history):
        return history["accuracy"][-1] - history["val_accuracy"][-1]

    assert histories["baseline"]["accuracy"][-1] > 0.97 and gap(histories["baseline"]) > 0.07
    assert gap(histories["augmentation"]) < gap(histories["baseline"]) - 0.05
    with pytest.raises(ValueError, match="settings"):
        experiments.overfit_then_regularise(settings=("mixup",))
