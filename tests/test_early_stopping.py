"""Early stopping (lecture 004 §4): stop when the monitored metric stops improving, keep the best weights."""

import numpy as np
import pytest

import engine
from engine.callbacks import EarlyStopping
from engine.datasets import load_digits


def _model(seed=0):
    return engine.Sequential([engine.Dense(3)], input_shape=(2,), seed=seed, dtype=np.float64)


def _run(callback, model, values, key="val_loss"):
    """Feed ``values`` as the monitored metric of successive epochs, moving the weights each
    epoch; return the weights seen at each epoch's end."""
    callback.on_train_begin(model, None)
    seen = []
    for epoch, value in enumerate(values, start=1):
        model.layers[0].params["W"].value[...] += 1.0
        seen.append(model.layers[0].params["W"].value.copy())
        callback.on_epoch_end(epoch, {key: value}, model)
        if model.stop_training:
            break
    callback.on_train_end(model, None)
    return seen


def test_stops_after_patience_epochs_without_improvement(rng):
    values = list(rng.uniform(1, 2, 3)) + [0.5] + [0.6, 0.5, 0.55, 0.1]  # best at epoch 4, then 3 without
    model = _model()
    stopper = EarlyStopping(patience=3)
    seen = _run(stopper, model, values)
    assert stopper.best_epoch == 4 and stopper.stopped_epoch == 7
    assert len(seen) == 7 and model.stop_training
    np.testing.assert_array_equal(model.layers[0].params["W"].value, seen[3])  # restored to epoch 4


def test_min_delta_and_no_restore():
    model = _model()
    stopper = EarlyStopping(patience=2, min_delta=0.1, restore_best_weights=False)
    seen = _run(stopper, model, [1.0, 0.95, 0.92, 0.5])  # 0.95 and 0.92 are not better by more than 0.1
    assert stopper.best_epoch == 1 and stopper.stopped_epoch == 3
    np.testing.assert_array_equal(model.layers[0].params["W"].value, seen[-1])


def test_accuracy_is_maximised_and_restores_at_the_end_without_stopping():
    model = _model()
    stopper = EarlyStopping(monitor="val_accuracy", patience=10)
    seen = _run(stopper, model, [0.5, 0.9, 0.8], key="val_accuracy")
    assert stopper.mode == "max" and stopper.best_epoch == 2 and stopper.stopped_epoch is None
    np.testing.assert_array_equal(model.layers[0].params["W"].value, seen[1])


def test_with_fit_the_final_weights_are_the_best_epochs():
    data = load_digits(validation=0.2, test=0.0, seed=0)
    x, y = data.x_train[:300].reshape(300, -1), data.y_train[:300]  # small: it overfits quickly
    x_val, y_val = data.x_val.reshape(len(data.x_val), -1), data.y_val
    model = engine.Sequential([engine.Dense(64, activation="relu"), engine.Dense(10, activation="softmax")],
                              input_shape=(784,), seed=0)
    stopper = EarlyStopping(patience=2)
    history = model.fit(x, y, "cross_entropy", engine.Adam(1e-2), epochs=60, batch_size=32,
                        validation_data=(x_val, y_val), callbacks=[stopper], verbose=False)
    assert stopper.stopped_epoch is not None and len(history.epochs) == stopper.stopped_epoch < 60
    assert history["val_loss"][stopper.best_epoch - 1] == min(history["val_loss"])
    np.testing.assert_allclose(model.evaluate(x_val, y_val, "cross_entropy")[0], min(history["val_loss"]), rtol=1e-5)


def test_bad_arguments_and_missing_metric():
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="lowest")
    with pytest.raises(ValueError, match="min_delta"):
        EarlyStopping(min_delta=-0.1)
    stopper = EarlyStopping()
    stopper.on_train_begin(_model(), None)
    with pytest.raises(KeyError, match="validation_data"):
        stopper.on_epoch_end(1, {"loss": 1.0}, _model())
