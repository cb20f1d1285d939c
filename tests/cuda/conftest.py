"""The GPU backend's tests: every kernel against the CPU backend, in float64, on tiny shapes.

They run where numba.cuda can run: on a real GPU, or in Numba's CUDA simulator,
which must be switched on before numba.cuda is first imported, hence a pytest
process of their own (``make test`` runs
``NUMBA_ENABLE_CUDASIM=1 python -m pytest tests/cuda`` after the main suite).
Elsewhere this folder is skipped. The simulator runs each GPU thread as a
Python thread: shapes stay tiny.

The fixture ``cuda`` is the backend module; ``backends_agree.py`` has the
comparison helpers.
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



# -- what the simulator launched -------------------------------------------------------------------
# The simulator runs kernels as Python, so it never type-checks them the way the GPU compiler does.
# Every launch is recorded here with its argument types; the last test of the run
# (test_kernels_compile.py) compiles each kernel for a real GPU with exactly those types. A numpy
# array handed to a kernel is recorded too: numba would copy it to the device and back at every
# launch, a hidden host–device copy inside a step.
LAUNCHES: set = set()
HOST_ARRAYS_LAUNCHED: set = set()


def _argument_type(value):
    """(kind, dtype, ndim, layout) of a launch argument, in a form that survives JSON."""
    array = getattr(value, "_ary", value)  # the simulator's device arrays wrap a numpy array
    if isinstance(array, np.ndarray):
        layout = "C" if array.flags.c_contiguous else ("F" if array.flags.f_contiguous else "A")
        return ("array", array.dtype.str, array.ndim, layout)
    if isinstance(value, (bool, np.bool_)):
        return ("scalar", "bool", 0, "")
    if isinstance(value, int):
        return ("scalar", "<i8", 0, "")
    if isinstance(value, float):
        return ("scalar", "<f8", 0, "")
    if isinstance(value, np.generic):
        return ("scalar", value.dtype.str, 0, "")
    return ("other", type(value).__name__, 0, "")


def _record_launches():
    from numba.cuda.simulator import kernel as simulator

    launch = simulator.FakeCUDAKernel.__call__
    if getattr(launch, "records_launches", False):
        return

    def recorded(self, *args):
        if not self._device and not simulator._kernel_context:
            name = (self.fn.__module__, self.fn.__qualname__)
            LAUNCHES.add((name, tuple(_argument_type(a) for a in args)))
            if any(isinstance(a, np.ndarray) and a.ndim > 0 for a in args):
                HOST_ARRAYS_LAUNCHED.add(name)
        return launch(self, *args)

    recorded.records_launches = True
    simulator.FakeCUDAKernel.__call__ = recorded


if os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0") and importlib.util.find_spec("numba_cuda"):
    _record_launches()


def pytest_collection_modifyitems(items):
    """The compile check runs last, after every other test has launched its kernels."""
    last = [item for item in items if item.module.__name__.endswith("test_kernels_compile")]
    items[:] = [item for item in items if item not in last] + last
