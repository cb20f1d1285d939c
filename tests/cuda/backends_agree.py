"""Helpers of the GPU tests: run an operation on the host and on the device, compare.

- ``device(array)`` / ``host(array)``: copies up and down;
- ``assert_same(cpu_result, gpu_result)``: same structure, shapes, dtypes, and
  values to float64 rounding;
- ``same_on_both(function, *args)``: runs ``function`` on host arrays and on
  device copies of them and checks the results agree.
"""

from __future__ import annotations

import numpy as np


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
