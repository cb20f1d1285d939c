"""Whole models on the GPU backend: the same numbers as on the CPU, step by step and through
``fit``; weights moving between backends; only the batch going up and the loss coming down.

Float64 models on tiny inputs (the simulator runs every GPU thread as a Python thread).
"""

import numpy as np
import pytest
from backends_agree import assert_same, host

import engine
from engine.backends import backend_name

RTOL = 1e-9  # a training step chains many kernels whose sums run in other orders than the CPU's


def _image_net():
    return [engine.Conv2D(3, 3, activation="relu"), engine.AveragePooling2D(),  # run as one fused pass
            engine.Conv2D(4, 2, padding="same"), engine.ReLU(), engine.MaxPool2D(2, stride=1),
            engine.Flatten(), engine.Dense(5, activation="softmax")]


def _regularised_net():
    return [engine.Dense(6), engine.BatchNormalization(), engine.Dropout(0.7, seed=3),  # fused pair
            engine.Dense(6, activation="tanh"), engine.Residual([engine.Dense(6, activation="relu"), engine.Dense(6)]),
            engine.Dense(4, activation="softmax")]


def _sequence_net():
    return [engine.Bidirectional(engine.LSTM(3, return_sequences=True)), engine.SimpleRNN(4, return_sequences=True),
            engine.TimeDistributedDense(2, activation="sigmoid")]


def _many_to_one_net():
    return [engine.LSTM(4), engine.Dense(3, activation="softmax")]


NETS = {
    "convolutional": (_image_net, (7, 6, 1), "cross_entropy", 5),
    "batchnorm-dropout-residual": (_regularised_net, (5,), "cross_entropy", 4),
    "bidirectional-lstm-rnn": (_sequence_net, (3, 2), "binary_cross_entropy", None),
    "many-to-one-lstm": (_many_to_one_net, (3, 2), "cross_entropy", 3),
}


def _data(rng, input_shape, loss, classes, n=3):
    x = rng.normal(size=(n,) + input_shape)
    if loss == "binary_cross_entropy":
        return x, (rng.random(size=(n, input_shape[0], 2)) > 0.5).astype(np.float64)
    return x, rng.integers(0, classes, size=n)


def _twins(layers, input_shape, seed=5):
    cpu = engine.Sequential(layers(), input_shape=input_shape, seed=seed, dtype=np.float64)
    gpu = engine.Sequential(layers(), input_shape=input_shape, seed=seed, dtype=np.float64, backend="cuda")
    return cpu, gpu


def _assert_same_weights(cpu, gpu):
    expected, got = cpu.state_dict(), gpu.state_dict()
    assert set(expected) == set(got)
    for key in expected:
        assert backend_name(got[key]) == "cuda", key
        assert_same(expected[key], got[key], rtol=RTOL, atol=1e-12, where=key)


@pytest.mark.parametrize("net", ["convolutional", "batchnorm-dropout-residual", "bidirectional-lstm-rnn"])
def test_a_training_step_gives_the_cpu_numbers(cuda, rng, net):  # the many-to-one LSTM: the tests below
    layers, input_shape, loss, classes = NETS[net]
    cpu, gpu = _twins(layers, input_shape)
    _assert_same_weights(cpu, gpu)  # the same draws from the seed, then moved up
    x, y = _data(rng, input_shape, loss, classes)
    value_cpu, out_cpu = cpu.loss_and_backward(x, y, loss, l2=0.01)
    value_gpu, out_gpu = gpu.loss_and_backward(x, y, loss, l2=0.01)
    assert isinstance(value_gpu, float) and backend_name(out_gpu) == "cuda"
    assert_same(value_cpu, value_gpu, rtol=RTOL)
    assert_same(out_cpu, out_gpu, rtol=RTOL, atol=1e-12)
    for (name, p), q in zip(cpu.named_parameters().items(), gpu.parameters()):
        assert_same(p.grad, q.grad, rtol=1e-8, atol=1e-11, where=f"{name}.grad")
    engine.Adam(lr=0.01).step(cpu.parameters())
    engine.Adam(lr=0.01).step(gpu.parameters())
    _assert_same_weights(cpu, gpu)  # (several steps of every optimiser: test_elementwise.py)


def test_fit_gives_the_cpu_history_and_weights(cuda, rng):
    layers, input_shape, loss, classes = NETS["convolutional"]
    cpu, gpu = _twins(layers, input_shape)
    x, y = _data(rng, input_shape, loss, classes, n=5)
    x_val, y_val = _data(rng, input_shape, loss, classes, n=2)
    options = dict(epochs=2, batch_size=5, validation_data=(x_val, y_val), verbose=False, seed=1)
    history_cpu = cpu.fit(x, y, loss, engine.Momentum(lr=0.05), **options)
    history_gpu = gpu.fit(x, y, loss, engine.Momentum(lr=0.05), **options)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(history_gpu[key], history_cpu[key], rtol=RTOL, err_msg=key)
    _assert_same_weights(cpu, gpu)
    predicted = gpu.predict(x_val)
    assert isinstance(predicted, np.ndarray)
    np.testing.assert_allclose(predicted, cpu.predict(x_val), rtol=RTOL)


def test_a_model_moves_mid_training_and_its_optimiser_state_follows(cuda, rng):
    layers, input_shape, loss, classes = NETS["batchnorm-dropout-residual"]
    steady = engine.Sequential(layers(), input_shape=input_shape, seed=2, dtype=np.float64)
    moved = engine.Sequential(layers(), input_shape=input_shape, seed=2, dtype=np.float64)
    x, y = _data(rng, input_shape, loss, classes)
    optimisers = engine.Adam(lr=0.01), engine.Adam(lr=0.01)
    for backend in ["cpu", "cuda", "cpu"]:
        moved.to(backend)
        for model, optimiser in zip((steady, moved), optimisers):
            model.loss_and_backward(x, y, loss)
            optimiser.step(model.parameters())
        assert all(backend_name(s) == backend for state in optimisers[1].state.values() for s in state.values())
    for key, value in steady.state_dict().items():
        assert_same(value, moved.state_dict()[key], rtol=RTOL, atol=1e-12, where=key)


def test_weights_saved_on_the_gpu_load_on_the_cpu_and_back(cuda, rng, tmp_path):
    layers, input_shape, loss, classes = NETS["many-to-one-lstm"]
    gpu = engine.Sequential(layers(), input_shape=input_shape, seed=1, dtype=np.float64, backend="cuda")
    x, y = _data(rng, input_shape, loss, classes)
    gpu.loss_and_backward(x, y, loss)
    engine.SGD(lr=0.1).step(gpu.parameters())
    path = gpu.save(tmp_path / "weights")
    cpu = engine.Sequential(layers(), input_shape=input_shape, seed=99, dtype=np.float64).load(path)
    np.testing.assert_allclose(cpu.predict(x), gpu.predict(x), rtol=RTOL)
    again = engine.Sequential(layers(), input_shape=input_shape, seed=7, dtype=np.float64, backend="cuda")
    again.load_state_dict(cpu.state_dict())
    np.testing.assert_allclose(again.predict(x), cpu.predict(x), rtol=RTOL)
    back = again.to("cpu")
    assert all(isinstance(v, np.ndarray) for v in back.state_dict().values())


def test_float32_models_stay_float32_on_the_gpu(cuda, rng):
    layers, input_shape, loss, classes = NETS["convolutional"]
    gpu = engine.Sequential(layers(), input_shape=input_shape, seed=1, backend="cuda")
    x, y = _data(rng, input_shape, loss, classes)
    value, output = gpu.loss_and_backward(x.astype(np.float32), y, loss)
    assert np.isfinite(value) and output.dtype == np.float32
    assert all(p.value.dtype == np.float32 and p.grad.dtype == np.float32 for p in gpu.parameters())


def test_an_autoencoder_with_a_classifier_trains_the_same_on_the_gpu(cuda, rng):
    def parts():
        return dict(encoder=[engine.Dense(3, activation="tanh")], decoder=[engine.Dense(5)],
                    classifier=[engine.Dense(2, activation="softmax")])

    cpu = engine.Autoencoder(**parts(), input_shape=(5,), seed=4, dtype=np.float64)
    gpu = engine.Autoencoder(**parts(), input_shape=(5,), seed=4, dtype=np.float64, backend="cuda")
    x, y = rng.normal(size=(4, 5)), rng.integers(0, 2, size=4)
    for model in (cpu, gpu):
        model.fit(x, y, "cross_entropy", engine.SGD(lr=0.1), epochs=1, batch_size=2, verbose=False)
    for key, value in cpu.state_dict().items():
        assert_same(value, gpu.state_dict()[key], rtol=RTOL, atol=1e-12, where=key)


class _Transfers:
    """Counts the bytes that cross the bus, as the simulator's copies see them."""

    def __init__(self, monkeypatch):
        from numba import cuda
        from numba.cuda.simulator.cudadrv import devicearray

        self.up, self.down = [], []
        to_device, copy_to_host = cuda.to_device, devicearray.FakeCUDAArray.copy_to_host
        copy_to_device = devicearray.FakeCUDAArray.copy_to_device

        def counted_to_device(array, *args, **kwargs):
            self.up.append(np.asarray(array).nbytes)
            return to_device(array, *args, **kwargs)

        def counted_copy_to_device(target, source, *args, **kwargs):
            if isinstance(source, np.ndarray):
                self.up.append(source.nbytes)
            return copy_to_device(target, source, *args, **kwargs)

        def counted_copy_to_host(source, *args, **kwargs):
            result = copy_to_host(source, *args, **kwargs)
            self.down.append(result.nbytes)
            return result

        monkeypatch.setattr(cuda, "to_device", counted_to_device)
        monkeypatch.setattr(devicearray.FakeCUDAArray, "copy_to_device", counted_copy_to_device)
        monkeypatch.setattr(devicearray.FakeCUDAArray, "copy_to_host", counted_copy_to_host)


def test_a_training_step_moves_only_the_batch_up_and_scalars_down(cuda, rng, monkeypatch):
    layers, input_shape, loss, classes = NETS["convolutional"]
    gpu = engine.Sequential(layers(), input_shape=input_shape, seed=1, dtype=np.float64, backend="cuda")
    optimiser = engine.Adam(lr=0.01)
    x, y = _data(rng, input_shape, loss, classes)
    y = y.astype(np.int64)
    gpu.loss_and_backward(x, y, loss)
    optimiser.step(gpu.parameters())  # the first step creates the optimiser's state on the device
    transfers = _Transfers(monkeypatch)
    value, output = gpu.loss_and_backward(x, y, loss)
    optimiser.step(gpu.parameters())
    engine.losses.accuracy(output, y, engine.losses.get_loss(loss))
    assert sorted(transfers.up) == sorted([x.nbytes, y.nbytes, y.nbytes])  # the batch (labels for loss and count)
    assert transfers.down and all(size <= 16 for size in transfers.down), transfers.down  # the loss, the count
    assert len(transfers.down) <= 3


def test_predict_and_forward_on_the_gpu(cuda, rng):
    gpu = engine.Sequential(_many_to_one_net(), input_shape=(3, 2), dtype=np.float64, backend="cuda")
    x = rng.normal(size=(3, 3, 2))
    out = gpu(x)
    assert backend_name(out) == "cuda" and out.shape == (3, 3)
    np.testing.assert_allclose(gpu.predict(x, batch_size=2), host(out), rtol=1e-12)


def test_early_stopping_restores_the_best_epoch_on_the_gpu(cuda, rng):
    def layers():
        return [engine.Dense(3, activation="softmax")]

    x, y = rng.normal(size=(3, 2)), rng.integers(0, 3, size=3)
    histories, models = [], []
    for backend in ("cpu", "cuda"):
        model = engine.Sequential(layers(), input_shape=(2,), seed=0, dtype=np.float64, backend=backend)
        stop = engine.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
        histories.append(model.fit(x, y, "cross_entropy", engine.SGD(lr=5.0), epochs=2, batch_size=3,
                                   validation_data=(x, y), callbacks=[stop], verbose=False))
        models.append((model, stop.best_epoch))
    (cpu, best_cpu), (gpu, best_gpu) = models
    assert best_cpu == best_gpu
    np.testing.assert_allclose(histories[1]["val_loss"], histories[0]["val_loss"], rtol=RTOL)
    for key, value in cpu.state_dict().items():
        assert backend_name(gpu.state_dict()[key]) == "cuda"
        assert_same(value, gpu.state_dict()[key], rtol=RTOL, atol=1e-12, where=key)


def test_finite_differences_check_a_gpu_model(cuda, rng):
    model = engine.Sequential([engine.Dense(3, activation="softmax")], input_shape=(2,), seed=0, dtype=np.float64,
                              backend="cuda")
    result = engine.check_model_gradients(model, rng.normal(size=(2, 2)), rng.integers(0, 3, size=2),
                                          "cross_entropy", max_entries=1)
    assert result.passed, result
    assert all(backend_name(p.value) == "cuda" for p in model.parameters())
