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

