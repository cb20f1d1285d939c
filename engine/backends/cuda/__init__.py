"""The GPU backend: ``numba.cuda`` kernels over device arrays (NVIDIA GPUs, numba-cuda).

The same families and function names as the CPU backend (``engine.backends.cpu``),
called with the same arguments, so that the functional layer runs unchanged on
either. Arguments a CPU kernel needs for its threads' work buffers (``blocks``,
im2col workspaces, per-thread partial sums) are accepted and ignored here: a GPU
kernel plans its own threads.

How a kernel maps its threads is said in a comment above each one. Most launch
one thread per output element on a 1-D grid (``launch.elementwise``); reductions
give each output a block of threads that sum in shared memory; the matrix product
(``matmul``) gives each 16×16 tile of the output a block that walks the inner
dimension tile by tile through shared memory.

``engine.backends.get_backend("cuda")`` first calls ``require_cuda()``
(``engine.backends.cuda_device``), which checks, in this order, that numba-cuda
is installed, that an NVIDIA driver is present and that it sees a GPU, and
raises ``CudaUnavailableError`` saying which is missing.
(The kernel modules themselves import without a GPU, so that their PTX can be
compiled anywhere.) With ``NUMBA_ENABLE_CUDASIM=1``
(set before anything imports numba.cuda) the kernels run in Numba's simulator
on the CPU: slow, but exact, which is how the tests check them without a GPU.
"""

import importlib
import sys

from ..cuda_device import CudaUnavailableError, require_cuda, require_numba_cuda, simulated

require_numba_cuda()  # numba.cuda below must be numba-cuda's, not Numba's deprecated copy


def _host_shapes_like_real_ones():
    """On the host, a real device array's shape is a plain tuple; the simulator's refuses negative
    indices (as a shape inside a kernel does), and the functional layer reads x.shape[-1]."""
    from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray

    FakeCUDAArray.shape = property(lambda self: tuple(self._ary.shape))


if simulated():
    _host_shapes_like_real_ones()
    # The simulator runs a block's threads as Python threads that wait for each other at every
    # cuda.syncthreads(); with Python's default 5 ms GIL switch interval a block with barriers takes
    # about six times as long as with 0.5 ms. (Much shorter intervals, with 256-thread blocks, made
    # the simulator's own barrier let a thread through early now and then.)
    sys.setswitchinterval(5e-4)

from .memory import assign, empty, to_device, to_host, zeros  # noqa: E402

FAMILIES = ("activations", "arrays", "batchnorm", "conv", "dense", "dropout", "losses", "optim", "pooling",
            "recurrent")


def __getattr__(name):
    """Import a family's module on first use (PEP 562), as the CPU backend does."""
    if name in FAMILIES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [*FAMILIES, "CudaUnavailableError", "assign", "empty", "require_cuda", "to_device", "to_host", "zeros"]
