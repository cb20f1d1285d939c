"""Backends: where the arithmetic of an operation actually runs.

The functional layer (``engine.functional``) validates arguments and then asks
:func:`backend_for` which backend owns the arrays it was given. A backend is a
namespace with one module per kernel family (``dense``, ``activations``,
``losses``, ``conv``, ``conv_block``, ``pooling``, ``optim``, ``dropout``,
``batchnorm``, ``recurrent``, ``augment``) plus ``empty``/``zeros`` to
allocate results on the same device. Every backend exposes the same function
names with the same arguments, so the functional layer never branches on the
device, and arrays produced by one layer feed the next one without a copy.

Two backends: ``cpu`` (Numba ``@njit(parallel=True)``) and ``cuda``
(``numba.cuda`` kernels over device arrays, on NVIDIA GPUs). Arrays with a
``copy_to_host`` method (numba's device arrays, real or simulated) are routed to
``cuda``. Asking for ``cuda`` where it cannot run raises ``CudaUnavailableError``
saying what is missing (numba-cuda, the driver or a GPU).
"""

from __future__ import annotations

import functools
import importlib
from types import ModuleType

from .cuda_device import CudaUnavailableError as CudaUnavailableError  # noqa: F401  (raised by get_backend)
from .cuda_device import require_cuda

_REGISTRY: dict[str, str] = {
    "cpu": "engine.backends.cpu",
    "cuda": "engine.backends.cuda",
}


@functools.cache
def get_backend(name: str) -> ModuleType:
    """Return the backend called ``name`` (``"cpu"`` or ``"cuda"``)."""
    if name not in _REGISTRY:
        raise ValueError(f"backend must be one of {sorted(_REGISTRY)}, got {name!r}")
    if name == "cuda":
        require_cuda()  # before the import: a missing numba-cuda, driver or GPU is one clear error
    return importlib.import_module(_REGISTRY[name])


def backend_name(array) -> str:
    """"cuda" for a device array, "cpu" for anything else."""
    return "cuda" if hasattr(array, "copy_to_host") else "cpu"


def to_backend(array, name: str):
    """``array`` on backend ``name``: a copy up or down when it lives elsewhere, itself otherwise."""
    backend = get_backend(name)
    if backend_name(array) == name:
        return array
    return backend.to_device(array) if name == "cuda" else array.copy_to_host()


def to_host(array):
    """A numpy array with ``array``'s values: a copy down from the GPU, or ``array`` itself."""
    return array.copy_to_host() if hasattr(array, "copy_to_host") else array


def backend_for(array) -> ModuleType:
    """The backend that owns ``array``: device arrays go to CUDA, the rest to the CPU."""
    if hasattr(array, "copy_to_host"):
        return get_backend("cuda")
    return get_backend("cpu")
