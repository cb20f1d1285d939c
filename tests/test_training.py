"""Training: minibatches, ``fit`` (History, callbacks, early stop, schedules, argument
checks, reproducibility), learning on a small separable problem, the ``gradcheck``
helper, and (marked slow) the lecture's LeNet on the bundled digits.
"""

from __future__ import annotations

import contextlib

import numba
import numpy as np
import pytest

import engine
import engine.functional as F
from engine import Callback, Dense, History, Sequential, fit
from engine.optimizers import SGD, Adam
from engine.schedules import ExponentialDecay
from engine.training import minibatches

# ---------------------------------------------------------------------------
# minibatches
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n, batch_size", [(100, 32), (96, 16), (7, 10), (1, 1), (50, 1)])
def test_minibatches_cover_every_index_once(seed, n, batch_size):
    batches = list(minibatches(n, batch_size, seed))
    assert np.array_equal(np.sort(np.concatenate(batches)), np.arange(n))
    sizes = [len(b) for b in batches]
    assert len(batches) == -(-n // batch_size)
    assert all(size == batch_size for size in sizes[:-1])
    assert sizes[-1] == (n % batch_size or batch_size), "only the last batch may be smaller"
    assert all(b.dtype.kind == "i" for b in batches)


def test_minibatches_reshuffle_every_epoch_and_are_reproducible(seed):
    rng = np.random.default_rng(seed)
    epoch1 = np.concatenate(list(minibatches(200, 32, rng)))
    epoch2 = np.concatenate(list(minibatches(200, 32, rng)))
    assert not np.array_equal(epoch1, epoch2), "a fresh order every epoch"
    assert not np.array_equal(epoch1, np.arange(200)), "shuffled, not in order"
    again = np.random.default_rng(seed)
    np.testing.assert_array_equal(np.concatenate(list(minibatches(200, 32, again))), epoch1)
    np.testing.assert_array_equal(np.concatenate(list(minibatches(200, 32, again))), epoch2)
    np.testing.assert_array_equal(np.concatenate(list(minibatches(200, 32, seed))), epoch1)
    other = np.concatenate(list(minibatches(200, 32, seed + 1)))
    assert not np.array_equal(other, epoch1)


# ---------------------------------------------------------------------------
# a small learnable problem
# ---------------------------------------------------------------------------


def blobs(rng, n_per_class=100, dtype=np.float32):
    """Two Gaussian clouds in 2-D, centred at (−2, −2) and (2, 2) (Bayes error ≈ 0.2 %)."""
    x = np.concatenate([rng.normal(-2, 1, (n_per_class, 2)), rng.normal(2, 1, (n_per_class, 2))])
    y = np.repeat(np.arange(2), n_per_class)
    order = rng.permutation(len(y))
    return x[order].astype(dtype), y[order]


def softmax_net(seed=0, dtype=np.float32):
    return Sequential([Dense(2, activation="softmax")], input_shape=(2,), seed=seed, dtype=dtype)


def np_cross_entropy(probabilities, labels):
    return float(-np.mean(np.log(probabilities[np.arange(len(labels)), labels])))


def test_training_learns_separable_blobs(rng, seed):
    x, y = blobs(rng)
    x_val, y_val = blobs(rng, 100)
    model = softmax_net(seed)
    before = np_cross_entropy(model.predict(x), y)
    history = fit(
        model,
        x,
        y,
        "cross_entropy",
        SGD(0.5),
        epochs=5,
        batch_size=16,
        validation_data=(x_val, y_val),
        seed=seed,
        verbose=False,
    )
    assert isinstance(history, History)
    assert history["loss"][-1] < history["loss"][0] < before
    assert history["val_accuracy"][-1] > 0.95
    p_val = model.predict(x_val)
    assert np.mean(p_val.argmax(1) == y_val) > 0.95
    # the last validation metrics are those of the trained model (computed here independently)
    assert history["val_loss"][-1] == pytest.approx(np_cross_entropy(p_val, y_val), rel=1e-5)
    assert history["val_accuracy"][-1] == pytest.approx(np.mean(p_val.argmax(1) == y_val))


def test_history_has_every_metric_per_epoch(rng):
    x, y = blobs(rng, 24)
    history = fit(
        softmax_net(),
        x,
        y,
        "cross_entropy",
        SGD(0.1),
        epochs=3,
        batch_size=8,
        validation_data=(x[:10], y[:10]),
        verbose=False,
    )
    assert history.epochs == [1, 2, 3]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "seconds"):
        assert key in history
        assert len(history[key]) == 3
    for key in ("loss", "val_loss"):
        assert all(np.isfinite(v) and v > 0 for v in history[key])
    for key in ("accuracy", "val_accuracy"):
        assert all(0 <= v <= 1 for v in history[key])


def test_history_without_validation_and_for_regression(rng):
    x = rng.standard_normal((40, 3))
    y = x @ rng.standard_normal((3, 1))
    model = Sequential([Dense(1)], input_shape=(3,), dtype=np.float64)
    history = fit(model, x, y, "mse", SGD(0.1), epochs=4, batch_size=8, verbose=False)
    assert "val_loss" not in history and "val_accuracy" not in history
    assert "accuracy" not in history, "no accuracy for a regression loss"
    assert history["loss"][-1] < history["loss"][0]


def test_epoch_loss_is_the_mean_of_batch_losses(rng):
    x, y = blobs(rng, 48)  # 96 samples, 6 equal batches
    batch_losses = []

    class Recorder(Callback):
        def on_batch_end(self, step, logs, model):
            batch_losses.append(logs["loss"])

    history = fit(
        softmax_net(),
        x,
        y,
        "cross_entropy",
        SGD(0.2),
        epochs=1,
        batch_size=16,
        callbacks=[Recorder()],
        verbose=False,
    )
    assert len(batch_losses) == 6
    assert history["loss"][0] == pytest.approx(np.mean(batch_losses), rel=1e-12)


def test_same_seed_gives_identical_history(rng):
    x, y = blobs(rng, 40)
    runs = []
    for fit_seed in (3, 3, 4):
        model = softmax_net(seed=1)
        h = fit(
            model,
            x,
            y,
            "cross_entropy",
            Adam(0.05),
            epochs=3,
            batch_size=16,
            validation_data=(x[:20], y[:20]),
            seed=fit_seed,
            verbose=False,
        )
        runs.append((h, model.state_dict()))
    (h1, w1), (h2, w2), (h3, _) = runs
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert h1[key] == h2[key], key
    for key in w1:
        np.testing.assert_array_equal(w1[key], w2[key])
    assert h1["loss"] != h3["loss"], "another seed, another order of the minibatches"


# ---------------------------------------------------------------------------
# callbacks, early stop, optimizer.epoch, verbosity
# ---------------------------------------------------------------------------


class Log(Callback):
    def __init__(self, stop_at=None, stop_at_batch=None, optimizer=None):
        self.calls = []
        self.stop_at, self.stop_at_batch, self.optimizer = stop_at, stop_at_batch, optimizer
        self.epochs_seen_by_optimizer = []
        self.lrs = []

    def on_train_begin(self, model, history):
        assert isinstance(history, History)
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, model):
        self.calls.append(("epoch_begin", epoch))
        if self.optimizer is not None:
            self.epochs_seen_by_optimizer.append(self.optimizer.epoch)

    def on_batch_end(self, step, logs, model):
        assert set(logs) >= {"loss", "accuracy"}
        self.calls.append(("batch", step))
        if self.optimizer is not None:
            self.lrs.append(self.optimizer.current_lr())
        if self.stop_at_batch is not None and step == self.stop_at_batch:
            model.stop_training = True

    def on_epoch_end(self, epoch, logs, model):
        assert "loss" in logs
        self.calls.append(("epoch_end", epoch))
        if self.stop_at is not None and epoch == self.stop_at:
            model.stop_training = True

    def on_train_end(self, model, history):
        self.calls.append("train_end")


def expected_calls(epochs, batches):
    calls = ["train_begin"]
    for epoch in range(1, epochs + 1):
        calls.append(("epoch_begin", epoch))
        calls += [("batch", step) for step in range(batches)]
        calls.append(("epoch_end", epoch))
    return calls + ["train_end"]


def test_callbacks_are_called_in_order(rng):
    x, y = blobs(rng, 25)  # 50 samples, batches of 16: 16, 16, 16, 2
    first, second = Log(), Log()
    fit(
        softmax_net(),
        x,
        y,
        "cross_entropy",
        SGD(0.1),
        epochs=3,
        batch_size=16,
        callbacks=[first, second],
        verbose=False,
    )
    assert first.calls == expected_calls(3, 4)
    assert second.calls == first.calls


def test_stop_training_in_a_callback_stops_after_that_epoch(rng):
    x, y = blobs(rng, 16)
    model = softmax_net()
    log = Log(stop_at=2)
    history = fit(
        model,
        x,
        y,
        "cross_entropy",
        SGD(0.1),
        epochs=10,
        batch_size=8,
        callbacks=[log],
        verbose=False,
    )
    assert history.epochs == [1, 2] and len(history["loss"]) == 2
    assert log.calls == expected_calls(2, 4)

    log = Log(stop_at_batch=0)
    history = fit(
        model,
        x,
        y,
        "cross_entropy",
        SGD(0.1),
        epochs=10,
        batch_size=8,
        callbacks=[log],
        verbose=False,
    )
    assert history.epochs == [1], "a new fit starts again, and the epoch in progress is finished"
    assert log.calls == expected_calls(1, 4)


def test_fit_sets_optimizer_epoch_and_schedules_follow_it(rng):
    x, y = blobs(rng, 16)
    schedule = ExponentialDecay(0.4, 0.5)
    optimizer = SGD(schedule)
    log = Log(optimizer=optimizer)
    fit(
        softmax_net(),
        x,
        y,
        "cross_entropy",
        optimizer,
        epochs=3,
        batch_size=16,
        callbacks=[log],
        verbose=False,
    )
    assert log.epochs_seen_by_optimizer == [1, 2, 3]
    assert log.lrs == [0.4, 0.4, 0.2, 0.2, 0.1, 0.1]
    assert optimizer.t == 6, "one optimiser step per minibatch"


def test_scheduled_fit_equals_manual_updates(rng):
    """One sample per epoch and SGD: the trained weights follow w ← w − α(e) ∇L by hand."""
    x = rng.standard_normal((1, 3))
    y = rng.standard_normal((1, 2))
    model = Sequential([Dense(2)], input_shape=(3,), seed=0, dtype=np.float64)
    W = model.layers[0].params["W"].value.copy()
    b = model.layers[0].params["b"].value.copy()
    schedule = ExponentialDecay(0.3, 0.5)
    fit(model, x, y, "mse", SGD(schedule), epochs=3, batch_size=1, verbose=False)
    for epoch in (1, 2, 3):
        residual = x @ W + b - y  # L = mean((xW + b − y)²) over 2 elements
        dz = 2 * residual / residual.size
        W, b = W - schedule(epoch) * x.T @ dz, b - schedule(epoch) * dz.sum(0)
    np.testing.assert_allclose(model.layers[0].params["W"].value, W, rtol=1e-12)
    np.testing.assert_allclose(model.layers[0].params["b"].value, b, rtol=1e-12, atol=1e-15)


def test_fit_leaves_the_model_in_training_mode(rng):
    x, y = blobs(rng, 10)
    model = softmax_net()
    fit(
        model,
        x,
        y,
        "cross_entropy",
        SGD(0.1),
        epochs=1,
        batch_size=8,
        validation_data=(x, y),
        verbose=False,
    )
    assert all(layer.training for layer in model.layers)


def test_verbose_false_prints_nothing(rng, capsys):
    x, y = blobs(rng, 10)
    fit(
        softmax_net(),
        x,
        y,
        "cross_entropy",
        SGD(0.1),
        epochs=2,
        batch_size=8,
        validation_data=(x, y),
        verbose=False,
    )
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_true_reports_every_epoch(rng, capsys):
    x, y = blobs(rng, 10)
    fit(softmax_net(), x, y, "cross_entropy", SGD(0.1), epochs=2, batch_size=8, verbose=True)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "epoch 1/2" in text and "epoch 2/2" in text


def test_model_fit_method_is_training_fit(rng):
    x, y = blobs(rng, 20)
    a, b = softmax_net(seed=2), softmax_net(seed=2)
    h1 = a.fit(x, y, "cross_entropy", SGD(0.1), epochs=2, batch_size=8, seed=5, verbose=False)
    h2 = fit(b, x, y, "cross_entropy", SGD(0.1), epochs=2, batch_size=8, seed=5, verbose=False)
    assert h1["loss"] == h2["loss"]


# ---------------------------------------------------------------------------
# argument checks
# ---------------------------------------------------------------------------


def test_fit_validates_arguments(rng):
    x, y = blobs(rng, 10)
    model = softmax_net()
    opt = SGD(0.1)
    with pytest.raises(ValueError, match=r"\bx\b.*\by\b"):
        fit(model, x, y[:-1], "cross_entropy", opt, verbose=False)
    with pytest.raises(ValueError, match=r"\bx\b.*empty"):
        fit(model, x[:0], y[:0], "cross_entropy", opt, verbose=False)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, x, y, "cross_entropy", opt, epochs=0, verbose=False)
    with pytest.raises(ValueError, match="batch_size"):
        fit(model, x, y, "cross_entropy", opt, batch_size=0, verbose=False)
    with pytest.raises(TypeError, match="epochs"):
        fit(model, x, y, "cross_entropy", opt, epochs=2.5, verbose=False)
    with pytest.raises(TypeError, match=r"\bx\b"):
        fit(model, x.astype(np.int64), y, "cross_entropy", opt, verbose=False)
    with pytest.raises(TypeError, match=r"\by\b"):
        fit(model, x, list(y), "cross_entropy", opt, verbose=False)
    with pytest.raises(ValueError, match="x_val"):
        fit(model, x, y, "cross_entropy", opt, validation_data=(x, y[:-2]), verbose=False)
    with pytest.raises(ValueError, match="loss"):
        fit(model, x, y, "hinge", opt, verbose=False)
    assert opt.t == 0, "nothing was trained by a rejected call"


# ---------------------------------------------------------------------------
# the gradcheck helper
# ---------------------------------------------------------------------------


def dense_forward(x, W, b):
    return x @ W + b


def dense_backward(dy, x, W, b):
    return dy @ W.T, x.T @ dy, dy.sum(axis=0)


def test_gradcheck_passes_a_correct_backward(rng, seed):
    inputs = {
        "x": rng.standard_normal((5, 4)),
        "W": rng.standard_normal((4, 4)),
        "b": rng.standard_normal(4),
    }
    result = engine.gradcheck(dense_forward, dense_backward, inputs, seed=seed + 1)
    assert result.passed, str(result)
    assert set(result.errors) == {"x", "W", "b"}
    assert all(err < 1e-6 for err in result.errors.values())


def test_gradcheck_passes_the_engine_dense_backward(rng, seed):
    inputs = {
        "x": rng.standard_normal((5, 3)),
        "W": rng.standard_normal((3, 4)),
        "b": rng.standard_normal(4),
    }

    def backward(dy, x, W, b):
        return F.dense_backward(dy, x, W)

    assert engine.gradcheck(F.dense_forward, backward, inputs, seed=seed + 1).passed


def test_gradcheck_fails_a_transposed_weight_gradient(rng, seed):
    inputs = {
        "x": rng.standard_normal((5, 4)),
        "W": rng.standard_normal((4, 4)),
        "b": rng.standard_normal(4),
    }

    def wrong(dy, x, W, b):
        return dy @ W.T, (x.T @ dy).T, dy.sum(axis=0)

    result = engine.gradcheck(dense_forward, wrong, inputs, seed=seed + 1)
    assert not result.passed
    assert result.errors["W"] > 1e-3
    assert result.errors["x"] < 1e-6 and result.errors["b"] < 1e-6
    assert "W" in str(result) and "FAILED" in str(result)


def wrong_shape_check(backward, inputs, name, seed):
    """A gradient of the wrong shape must be reported: passed False, or a ValueError that names
    the input, never a bare numpy broadcasting error, and above all never a pass."""
    try:
        result = engine.gradcheck(dense_forward, backward, inputs, seed=seed)
    except ValueError as error:
        assert name in str(error), f"the error does not name the input {name!r}: {error}"
    else:
        assert not result.passed, f"a gradient of the wrong shape for {name!r} passed the check"


def test_gradcheck_reports_a_transposed_non_square_weight_gradient(rng, seed):
    inputs = {
        "x": rng.standard_normal((5, 3)),
        "W": rng.standard_normal((3, 4)),
        "b": rng.standard_normal(4),
    }

    def transposed(dy, x, W, b):
        return dy @ W.T, (x.T @ dy).T, dy.sum(axis=0)  # dW of shape (4, 3) for W (3, 4)

    wrong_shape_check(transposed, inputs, "W", seed + 1)


def test_gradcheck_does_not_pass_a_broadcastable_wrong_shape(rng, seed):
    inputs = {
        "x": rng.standard_normal((5, 3)),
        "W": rng.standard_normal((3, 4)),
        "b": rng.standard_normal(4),
    }

    def keepdims(dy, x, W, b):
        return dy @ W.T, x.T @ dy, dy.sum(axis=0, keepdims=True)  # db of shape (1, 4) for b (4,)

    wrong_shape_check(keepdims, inputs, "b", seed + 1)


def test_gradcheck_needs_float64(rng):
    inputs = {"x": rng.standard_normal((2, 3)).astype(np.float32)}
    with pytest.raises(TypeError, match="float64"):
        engine.gradcheck(lambda x: x * 2, lambda dy, x: 2 * dy, inputs)


def test_check_model_gradients_detects_a_wrong_layer_backward(rng, seed):
    model = Sequential(
        [Dense(3, activation="tanh"), Dense(2)], input_shape=(3,), seed=seed, dtype=np.float64
    )
    x, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer = model.layers[0]
    original = layer._linear_backward

    def wrong_backward(dz, x):
        dx, dW, db = original(dz, x)
        return dx, dW.T, db  # the transposed weight gradient (W is square)

    layer._linear_backward = wrong_backward
    with serial_numba():
        result = engine.check_model_gradients(model, x, target, "mse")
    assert not result.passed
    assert result.errors["dense_1.W"] > 1e-3


def test_check_model_gradients_needs_float64():
    with pytest.raises(TypeError, match="float64"):
        engine.check_model_gradients(
            softmax_net(), np.zeros((1, 2), np.float32), np.zeros(1, int), "cross_entropy"
        )


@contextlib.contextmanager
def serial_numba():
    """One Numba thread for loops of many tiny model calls (thread hand-offs dominate them)."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(threads)


# ---------------------------------------------------------------------------
# the lecture's LeNet on real digits
# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_lenet_learns_digits_in_one_epoch():
    from engine.datasets import load_digits

    data = load_digits(test=0.2, seed=0)  # 4000 training and 1000 test digits, stratified
    model = engine.lenet(seed=0)
    history = model.fit(
        data.x_train,
        data.y_train,
        "cross_entropy",
        Adam(1e-3),
        epochs=1,
        batch_size=16,
        seed=0,
        verbose=False,
    )
    _, test_accuracy = model.evaluate(data.x_test, data.y_test, "cross_entropy")
    assert history["accuracy"][0] > 0.5
    assert test_accuracy > 0.80
