"""``fit``'s regularisation options: the L2 penalty in the loss and augmented minibatches."""

import numpy as np
import pytest

import engine


def _model(seed):
    return engine.Sequential([engine.Dense(4, activation="tanh"), engine.Dense(3, activation="softmax")],
                              input_shape=(5,), seed=seed, dtype=np.float64)


def test_l2_in_the_loss_trains_like_the_decayed_update(rng):
    """SGD on J + λ/2 Σ‖W‖² and SGD with weight_decay=λ take the same steps (lecture 003)."""
    x, y = rng.standard_normal((40, 5)), rng.integers(0, 3, 40)
    lam, seed = float(rng.uniform(0.01, 0.2)), int(rng.integers(1000))
    penalised, decayed = _model(seed), _model(seed)
    h1 = penalised.fit(x, y, "cross_entropy", engine.SGD(0.1), epochs=3, batch_size=8, l2=lam, verbose=False)
    h2 = decayed.fit(x, y, "cross_entropy", engine.SGD(0.1, weight_decay=lam), epochs=3, batch_size=8,
                     verbose=False)
    for key, value in penalised.state_dict().items():
        np.testing.assert_allclose(value, decayed.state_dict()[key], rtol=1e-12, atol=1e-14, err_msg=key)
    assert np.all(np.array(h1["loss"]) > np.array(h2["loss"]))  # the recorded loss includes the penalty


def test_l2_penalty_value_and_gradient_cover_weights_only(rng):
    model = _model(int(rng.integers(1000)))
    x, y = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    plain, _ = model.loss_and_backward(x, y, "cross_entropy")
    grads = {k: p.grad.copy() for k, p in model.named_parameters().items()}
    lam = 0.3
    value, _ = model.loss_and_backward(x, y, "cross_entropy", l2=lam)
    weights = [p.value for k, p in model.named_parameters().items() if k.endswith(".W")]
    np.testing.assert_allclose(value - plain, lam / 2 * sum(np.sum(w * w) for w in weights), rtol=1e-12)
    for key, p in model.named_parameters().items():
        extra = lam * p.value if key.endswith(".W") else 0.0
        np.testing.assert_allclose(p.grad, grads[key] + extra, rtol=1e-12, atol=1e-15, err_msg=key)


def test_augment_transforms_every_training_batch_and_not_validation(rng):
    x, y = rng.standard_normal((12, 5)), rng.integers(0, 3, 12)
    seen = []

    def augment(batch, generator):
        assert isinstance(generator, np.random.Generator)
        seen.append(batch.copy())
        return batch + 1.0

    model = _model(0)
    model.fit(x, y, "cross_entropy", engine.SGD(0.1), epochs=2, batch_size=5, augment=augment, verbose=False,
              validation_data=(x, y))
    assert sum(len(b) for b in seen) == 24  # every training sample once per epoch, validation never
    reference = _model(0)
    reference.fit(x + 1.0, y, "cross_entropy", engine.SGD(0.1), epochs=2, batch_size=5, verbose=False)
    for key, value in model.state_dict().items():
        np.testing.assert_allclose(value, reference.state_dict()[key], rtol=1e-12, err_msg=key)


def test_bad_regularisation_arguments(rng):
    x, y = rng.standard_normal((4, 5)), rng.integers(0, 3, 4)
    with pytest.raises(ValueError, match="l2 must be in"):
        _model(0).fit(x, y, "cross_entropy", engine.SGD(0.1), l2=-1.0, verbose=False)
    with pytest.raises(TypeError, match="augment must be a function"):
        _model(0).fit(x, y, "cross_entropy", engine.SGD(0.1), augment="flip", verbose=False)
    with pytest.raises(ValueError, match="augment must return an array of the batch's shape"):
        _model(0).fit(x, y, "cross_entropy", engine.SGD(0.1), augment=lambda b, r: b[:1], verbose=False)
