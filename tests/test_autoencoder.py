"""The autoencoder of lecture 004 §4: reconstruction, the combined cost
β·J_clas + (1 − β)·J_ae, and the two preprocessing options."""

import numpy as np
import pytest

import engine
from engine.autoencoder import Autoencoder
from engine.datasets import load_digits
from engine.gradcheck import check_model_gradients


def _model(beta=0.3, classifier=True, seed=0, dtype=np.float64):
    return Autoencoder(
        encoder=[engine.Dense(5, activation="tanh"), engine.Dense(2)],
        decoder=[engine.Dense(5, activation="tanh"), engine.Dense(6)],
        classifier=[engine.Dense(3, activation="softmax")] if classifier else None,
        beta=beta, input_shape=(6,), seed=seed, dtype=dtype,
    )


def test_combined_cost_is_the_weighted_sum_of_both_costs(rng):
    beta = float(rng.uniform(0.1, 0.9))
    model = _model(beta)
    x, y = rng.standard_normal((7, 6)), rng.integers(0, 3, 7)
    value, prediction = model.loss_and_backward(x, y, "cross_entropy")
    code = model.encoder.forward(x)
    j_clas, _ = engine.CrossEntropy()(model.classifier.forward(code), y)
    j_ae, _ = engine.MeanSquaredError()(model.decoder.forward(code), x)
    np.testing.assert_allclose(value, beta * j_clas + (1 - beta) * j_ae, rtol=1e-12)
    np.testing.assert_allclose(prediction, model.classifier.forward(code), rtol=1e-12)


@pytest.mark.parametrize("beta", [0.0, 0.4, 1.0])
def test_gradients_of_the_combined_cost(rng, beta):
    model = _model(beta, seed=int(rng.integers(1000)))
    x, y = rng.standard_normal((4, 6)), rng.integers(0, 3, 4)
    result = check_model_gradients(model, x, y, "cross_entropy", seed=int(rng.integers(1000)))
    assert result.passed, str(result)
    assert any(name.startswith("classifier.") for name in result.errors)
    grads = {name: p.grad for name, p in model.named_parameters().items()}
    if beta == 1.0:  # J = J_clas: the decoder does not take part
        assert all(not np.any(g) for name, g in grads.items() if name.startswith("decoder."))
    if beta == 0.0:  # J = J_ae: the classifier does not take part
        assert all(not np.any(g) for name, g in grads.items() if name.startswith("classifier."))


def test_plain_autoencoder_gradients_and_denoising_target(rng):
    model = _model(classifier=False, seed=int(rng.integers(1000)))
    clean = rng.standard_normal((5, 6))
    noisy = clean + 0.1 * rng.standard_normal(clean.shape)
    value, reconstruction = model.loss_and_backward(noisy, clean, "mse")
    np.testing.assert_allclose(value, np.mean((reconstruction - clean) ** 2), rtol=1e-12)
    assert check_model_gradients(model, noisy, clean, "mse").passed


def test_training_lowers_the_reconstruction_error_and_gives_both_preprocessings():
    data = load_digits(test=0.2, seed=0)
    x = data.x_train[:600].reshape(600, -1)
    model = Autoencoder([engine.Dense(32, activation="relu"), engine.Dense(8)],
                        [engine.Dense(32, activation="relu"), engine.Dense(784, activation="sigmoid")],
                        input_shape=(784,), seed=1)
    before = model.evaluate(x, x, "mse")[0]
    history = model.fit(x, x, "mse", engine.Adam(3e-3), epochs=5, batch_size=32, verbose=False)
    after = model.evaluate(x, x, "mse")[0]
    assert after < 0.6 * before and history["loss"][-1] < history["loss"][0]
    codes, reconstructions = model.encode(x), model.reconstruct(x)  # options 1 and 2 of the lecture
    assert codes.shape == (600, 8) and reconstructions.shape == x.shape
    np.testing.assert_allclose(np.mean((reconstructions - x) ** 2), after, rtol=1e-5)
    classifier = engine.Sequential([engine.Dense(10, activation="softmax")], input_shape=(8,), seed=2)
    classifier.fit(codes, data.y_train[:600], "cross_entropy", engine.Adam(1e-2), epochs=20, verbose=False)
    assert classifier.evaluate(codes, data.y_train[:600], "cross_entropy")[1] > 0.5


def test_fit_with_the_combined_cost_records_accuracy(rng):
    model = _model(0.5, dtype=np.float32)
    x = rng.standard_normal((128, 6)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0)
    history = model.fit(x, y, "cross_entropy", engine.Adam(2e-2), epochs=30, batch_size=16, verbose=False,
                        validation_data=(x, y))
    assert history["val_accuracy"][-1] > 0.85
    value, acc = model.evaluate(x, y, "cross_entropy")
    np.testing.assert_allclose(value, history["val_loss"][-1], rtol=1e-5)


def test_save_and_load(tmp_path, rng):
    model, other = _model(seed=1), _model(seed=2)
    x = rng.standard_normal((3, 6))
    other.load(model.save(tmp_path / "ae"))
    np.testing.assert_array_equal(other.predict(x), model.predict(x))
    np.testing.assert_array_equal(other.reconstruct(x), model.reconstruct(x))
    assert set(model.state_dict()) == {f"{part}.{name}" for part, names in
                                       [("encoder", ["dense_1.W", "dense_1.b", "dense_2.W", "dense_2.b"]),
                                        ("decoder", ["dense_1.W", "dense_1.b", "dense_2.W", "dense_2.b"]),
                                        ("classifier", ["dense_1.W", "dense_1.b"])] for name in names}


def test_bad_arguments():
    with pytest.raises(ValueError, match="decoder must give back the input's shape"):
        Autoencoder([engine.Dense(2)], [engine.Dense(5)], input_shape=(6,))
    with pytest.raises(ValueError, match="beta must be in"):
        Autoencoder([engine.Dense(2)], [engine.Dense(6)], beta=1.5)


def test_convolutional_autoencoder_with_reshape(rng):
    model = Autoencoder(
        encoder=[engine.Conv2D(2, 3, padding="same", activation="tanh"), engine.Flatten(), engine.Dense(4)],
        decoder=[engine.Dense(5 * 5 * 2, activation="tanh"), engine.Reshape((5, 5, 2)),
                 engine.Conv2D(1, 3, padding="same")],
        classifier=[engine.Dense(3, activation="softmax")],
        beta=0.5, input_shape=(5, 5, 1), seed=int(rng.integers(1000)), dtype=np.float64)
    assert model.code_shape == (4,) and model.decoder.output_shape == (5, 5, 1)
    x, y = rng.standard_normal((3, 5, 5, 1)), rng.integers(0, 3, 3)
    result = check_model_gradients(model, x, y, "cross_entropy", seed=int(rng.integers(1000)))
    assert result.passed, str(result)


def test_reshape_checks_its_sizes(rng):
    layer = engine.Reshape((2, 3))
    model = engine.Sequential([layer], input_shape=(6,), dtype=np.float64, input_grad=True)
    x = rng.standard_normal((4, 6))
    np.testing.assert_array_equal(model.forward(x), x.reshape(4, 2, 3))
    dy = rng.standard_normal((4, 2, 3))
    np.testing.assert_array_equal(model.backward(dy), dy.reshape(4, 6))
    with pytest.raises(ValueError, match="cannot turn samples of shape"):
        engine.Sequential([engine.Reshape((4, 2))], input_shape=(6,))
    with pytest.raises(ValueError, match=r"x must have shape \(4, 6\)"):
        layer.forward(rng.standard_normal((4, 5)))
    with pytest.raises(ValueError, match="target_shape"):
        engine.Reshape((2, 0))
    with pytest.raises(TypeError, match="target_shape"):
        engine.Reshape(6)
