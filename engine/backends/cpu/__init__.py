"""The CPU backend: Numba kernels compiled with ``@njit(parallel=True, cache=True)``.

One module per family of operations. Every kernel is a plain loop over typed
arrays, ``prange`` on the outer loop, and writes into output arrays that the
caller allocated (so buffers can be reused between training steps). Kernels
assume validated, C-contiguous float32 or float64 arrays; checking is the
functional layer's job.

Threads: the convolution kernels call BLAS (``np.dot``) once per group of
samples from inside Numba's parallel loop. If BLAS also started its own threads, two pools
would fight over the two cores of a small machine and make a convolution tens
of times slower than its parts. So importing this backend limits the BLAS
libraries of this process to one thread; Numba's threads are the only pool.
It also lets the process keep freed memory for reuse (see ``memory``).

Each family's module is imported the first time it is used
(``backend.recurrent``), so a program pays only for the families it runs: a
LeNet training step never loads the recurrent kernels.
"""

import importlib

import scipy.linalg.cython_blas  # noqa: F401  (loads the BLAS that np.dot inside @njit calls)
from threadpoolctl import threadpool_limits

from .memory import assign, empty, keep_freed_memory, to_device, to_host, zeros

FAMILIES = ("activations", "arrays", "augment", "batchnorm", "conv", "conv_block", "dense", "dropout", "losses",
            "optim", "pooling", "recurrent")


def __getattr__(name):
    """Import a family's module on first use (PEP 562); importing sets it as an attribute of
    this package, so later uses do not come here."""
    if name in FAMILIES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# threadpoolctl only sees libraries already loaded, hence the import above.
threadpool_limits(limits=1, user_api="blas")
keep_freed_memory()

__all__ = [*FAMILIES, "assign", "empty", "to_device", "to_host", "zeros"]
