"""Choosing a backend: "cpu" or "cuda", and one clear error where the GPU cannot run.

This machine-independent part runs in the main suite (no simulator): it checks the
messages for each missing piece by pretending that piece is missing. The GPU
kernels themselves are tested in tests/cuda.
"""

import importlib.util

import numpy as np
import pytest

import engine
from engine.backends import backend_name, get_backend, to_backend, to_host
from engine.backends import cuda_device as device


@pytest.fixture
def fresh_check():
    """require_cuda remembers a success; forget it around each test."""
    device.require_cuda.cache_clear()
    yield
    device.require_cuda.cache_clear()


def _tiny_model(**options):
    return engine.Sequential([engine.Dense(3)], input_shape=(2,), **options)


def test_an_unknown_backend_is_named_in_the_error():
    with pytest.raises(ValueError, match=r"backend must be one of \['cpu', 'cuda'\], got 'gpu'"):
        _tiny_model(backend="gpu")


def test_without_numba_cuda_the_error_says_to_install_it(monkeypatch, fresh_check):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "numba_cuda" else real_find_spec(name, *a))
    with pytest.raises(device.CudaUnavailableError, match="numba-cuda package, which is not installed"):
        _tiny_model(backend="cuda")


class _NoGpu(Exception):
    pass


@pytest.mark.parametrize("driver_says, expected", [
    ("Error at driver init: CUDA driver library cannot be found.", "needs an NVIDIA driver, and none was found"),
    ("Error at driver init: Call to cuInit results in CUDA_ERROR_NO_DEVICE (100)", "sees no GPU"),
    ("Call to cuInit results in CUDA_ERROR_UNKNOWN (999)", "cannot start the GPU: Call to cuInit"),
])
def test_a_missing_driver_or_device_is_named(monkeypatch, fresh_check, driver_says, expected):
    pytest.importorskip("numba_cuda")
    from numba import cuda

    class Gpus:
        def __len__(self):
            raise _NoGpu(driver_says)

    monkeypatch.delenv(device.SIMULATOR_VARIABLE, raising=False)
    monkeypatch.setattr(cuda, "gpus", Gpus(), raising=False)
    with pytest.raises(device.CudaUnavailableError, match=expected) as raised:
        get_backend("cuda")
    assert raised.value.__cause__ is None and raised.value.__suppress_context__  # no Numba traceback attached


def test_a_driver_with_no_gpu_listed_is_named(monkeypatch, fresh_check):
    pytest.importorskip("numba_cuda")
    from numba import cuda

    monkeypatch.delenv(device.SIMULATOR_VARIABLE, raising=False)
    monkeypatch.setattr(cuda, "gpus", [], raising=False)
    with pytest.raises(device.CudaUnavailableError, match="sees no GPU"):
        _tiny_model(backend="cuda")


def test_on_this_machine_cuda_either_works_or_says_why(fresh_check):
    try:
        model = _tiny_model(backend="cuda")
    except device.CudaUnavailableError as error:
        assert "cuda" in str(error).lower() or "driver" in str(error) or "GPU" in str(error)
    else:
        assert backend_name(model.parameters()[0].value) == "cuda"


def test_cpu_arrays_stay_themselves_on_the_cpu(rng):
    x = rng.normal(size=(2, 3))
    assert to_backend(x, "cpu") is x and to_host(x) is x and backend_name(x) == "cpu"


def test_moving_a_cpu_model_to_the_cpu_changes_nothing(rng):
    model = _tiny_model(dtype=np.float64)
    before = {k: v for k, v in model.state_dict().items()}
    assert model.to("cpu") is model and model.backend == "cpu"
    assert all(model.state_dict()[k] is v for k, v in before.items())
