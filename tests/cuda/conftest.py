"""The GPU backend's tests: every kernel against the CPU backend, in float64, on tiny shapes.

They run where numba.cuda can run: on a real GPU, or in Numba's CUDA simulator,
which must be switched on before numba.cuda is first imported, hence a pytest
process of their own (``make test`` runs
``NUMBA_ENABLE_CUDASIM=1 python -m pytest tests/cuda`` after the main suite).
Elsewhere this folder is skipped. The simulator runs each GPU thread as a
Python thread: shapes stay tiny.

Helpers:
- ``cuda``: the backend module (``engine.backends.cuda``);
- ``device(array)`` / ``host(array)``: copies up and down;
- ``same_on_both(function, *args)``: runs ``function`` on host arrays and on
  device copies of them, and checks every result (arrays, floats, tuples)
  agrees to float64 rounding, with the same shapes and dtypes.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest


def _cuda_can_run() -> bool:
    if importlib.util.find_spec("numba_cuda") is None:
        return False
    if os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0"):
        return True
    from numba import cuda

    return cuda.is_available()


if not _cuda_can_run():
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def cuda():
    from engine.backends import get_backend

    return get_backend("cuda")


def device(array):
    """A device copy of a host array (non-arrays pass through)."""
    from engine.backends.cuda import to_device

    return to_device(array) if isinstance(array, np.ndarray) else array


def host(value):
    """Host copies of device arrays, recursively through tuples and lists."""
    if isinstance(value, (tuple, list)):
        return type(value)(host(v) for v in value)
    if hasattr(value, "copy_to_host"):
        return value.copy_to_host()
    return value


def assert_same(on_cpu, on_gpu, rtol=1e-10, atol=1e-12, where="result"):
    """CPU and GPU results agree: same structure, shapes, dtypes, and values to float64 rounding."""
    on_gpu = host(on_gpu)
    if isinstance(on_cpu, (tuple, list)):
        assert isinstance(on_gpu, (tuple, list)) and len(on_gpu) == len(on_cpu), where
        for k, (a, b) in enumerate(zip(on_cpu, on_gpu)):
            assert_same(a, b, rtol, atol, f"{where}[{k}]")
    elif isinstance(on_cpu, np.ndarray):
        assert isinstance(on_gpu, np.ndarray), f"{where}: expected an array, got {type(on_gpu).__name__}"
        assert on_gpu.shape == on_cpu.shape, f"{where}: shape {on_gpu.shape} != {on_cpu.shape}"
        assert on_gpu.dtype == on_cpu.dtype, f"{where}: dtype {on_gpu.dtype} != {on_cpu.dtype}"
        np.testing.assert_allclose(on_gpu, on_cpu, rtol=rtol, atol=atol, err_msg=where)
    elif isinstance(on_cpu, float):
        assert isinstance(on_gpu, float), f"{where}: expected a float, got {type(on_gpu).__name__}"
        np.testing.assert_allclose(on_gpu, on_cpu, rtol=rtol, atol=atol, err_msg=where)
    else:
        assert on_gpu == on_cpu, where


def same_on_both(function, *args, rtol=1e-10, atol=1e-12, **kwargs):
    """function(*args) on the host and on device copies of the array arguments agree; returns both results."""
    on_cpu = function(*args, **kwargs)
    on_gpu = function(*(device(a) for a in args), **{k: device(v) for k, v in kwargs.items()})
    assert_same(on_cpu, on_gpu, rtol, atol)
    return on_cpu, host(on_gpu)
