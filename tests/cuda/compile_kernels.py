"""Compile GPU kernels to PTX for a real GPU, without one: ``python compile_kernels.py LAUNCHES.json CC``.

LAUNCHES.json lists [[module, qualname], [[kind, dtype, ndim, layout], ...]] as recorded by the
simulator run (tests/cuda/conftest.py). Prints one line per failure and exits 1 if any failed.
Needs NVIDIA's NVVM and NVRTC libraries (``make oracle`` installs their wheels), not a driver.
"""

from __future__ import annotations

import importlib
import json
import sys
from types import SimpleNamespace

import numpy as np
from numba import cuda, from_dtype, types
from numba.cuda import dispatcher


def numba_type(kind, dtype, ndim, layout):
    if kind == "array":
        return types.Array(from_dtype(np.dtype(dtype)), ndim, layout)
    if dtype == "bool":
        return types.boolean
    return from_dtype(np.dtype(dtype))


def main(path, compute_capability):
    cc = tuple(int(part) for part in compute_capability.split("."))
    # A kernel's device functions are compiled for "the current device", which needs a driver;
    # without one, that device is the GPU we compile for.
    dispatcher.get_current_device = lambda: SimpleNamespace(compute_capability=cc)
    failures = 0
    for (module, qualname), arguments in json.load(open(path)):
        kernel = importlib.import_module(module)
        for part in qualname.split("."):
            kernel = getattr(kernel, part)
        signature = tuple(numba_type(*argument) for argument in arguments)
        try:
            cuda.compile_ptx(kernel.py_func, signature, cc=cc)
        except Exception as error:  # report every kernel, not just the first
            failures += 1
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            print(f"{module}.{qualname}{signature}: {type(error).__name__}: {first_line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
