"""Backends: where the arithmetic of an operation actually runs.

The functional layer (``engine.functional``) validates arguments and then asks
:func:`backend_for` which backend owns the arrays it was given. A backend is a
namespace with one module per kernel family (``dense``, ``activations``,
``losses``, ``conv``, ``conv_block``, ``pooling``, ``optim``, ``dropout``,
``batchnorm``, ``recurrent``, ``augment``) plus ``empty``/``zeros`` to
allocate results on the same device. Every backend exposes the same function
names with the same arguments, so the functional layer never branches on the
device, and arrays produced by one layer feed the next one without a copy.

Today there is one backend, ``cpu`` (Numba ``@njit(parallel=True)``). The GPU
backend (``numba.cuda`` kernels over device arrays) registers itself under
``"cuda"``; arrays exposing ``__cuda_array_interface__`` are routed to it.
"""

from __future__ import annotations

import functools
import importlib
from types import ModuleType

_REGISTRY: dict[str, str] = {
    "cpu": "engine.backends.cpu",
    "cuda": "engine.backends.cuda",
}


@functools.cache
def get_backend(name: str) -> ModuleType:
    """Return the backend called ``name`` (``"cpu"`` or ``"cuda"``)."""
    if name not in _REGISTRY:
        raise ValueError(f"backend must be one of {sorted(_REGISTRY)}, got {name!r}")
    try:
        return importlib.import_module(_REGISTRY[name])
    except ModuleNotFoundError as error:
        if error.name == _REGISTRY[name]:
            raise NotImplementedError(f"the {name!r} backend is not available in this version") from None
        raise


def backend_for(array) -> ModuleType:
    """The backend that owns ``array``: device arrays go to CUDA, the rest to the CPU."""
    if hasattr(array, "__cuda_array_interface__"):
        return get_backend("cuda")
    return get_backend("cpu")
