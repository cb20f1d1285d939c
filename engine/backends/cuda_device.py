"""Is there a GPU to run on? One clear answer instead of a traceback from inside Numba.

``require_cuda()`` checks, in order: numba-cuda installed (``pip install
'deeplearning-engine[cuda]'``; Numba's own deprecated ``numba.cuda`` is not
used), an NVIDIA driver found, at least one GPU visible to it. The first thing
missing becomes a ``CudaUnavailableError`` naming it. Under the simulator
(``NUMBA_ENABLE_CUDASIM=1``) all three hold.
"""

from __future__ import annotations

import functools
import importlib.util
import os


class CudaUnavailableError(RuntimeError):
    """The "cuda" backend was asked for where it cannot run."""


SIMULATOR_VARIABLE = "NUMBA_ENABLE_CUDASIM"


def simulated() -> bool:
    """Whether numba.cuda runs in its CPU simulator (``NUMBA_ENABLE_CUDASIM=1``)."""
    return os.environ.get(SIMULATOR_VARIABLE, "0") not in ("", "0")


def require_numba_cuda() -> None:
    """numba-cuda must be installed: without it ``numba.cuda`` is Numba's deprecated built-in copy."""
    if importlib.util.find_spec("numba_cuda") is None:
        raise CudaUnavailableError(
            "the 'cuda' backend needs the numba-cuda package, which is not installed: "
            "pip install 'numba-cuda[cu12]' (CUDA 12 drivers) or 'numba-cuda[cu13]' (CUDA 13)"
        )


@functools.cache
def require_cuda() -> None:
    """Raise ``CudaUnavailableError`` naming the first of numba-cuda, driver, GPU that is missing."""
    require_numba_cuda()
    from numba import cuda

    if simulated():
        return
    try:
        count = len(cuda.gpus)
    except Exception as error:  # numba raises CudaSupportError (no driver) or CudaDriverError
        text = str(error)
        if "driver library cannot be found" in text or "libcuda" in text:
            raise CudaUnavailableError(
                "the 'cuda' backend needs an NVIDIA driver, and none was found on this machine "
                "(no libcuda); install the driver or use backend='cpu'"
            ) from None
        if "NO_DEVICE" in text or "no CUDA-capable device" in text:
            raise CudaUnavailableError(
                "the NVIDIA driver is installed but sees no GPU (CUDA_ERROR_NO_DEVICE); "
                "check CUDA_VISIBLE_DEVICES, or use backend='cpu'"
            ) from None
        raise CudaUnavailableError(f"the 'cuda' backend cannot start the GPU: {text.strip()}") from None
    if count == 0:
        raise CudaUnavailableError(
            "the NVIDIA driver is installed but sees no GPU; check CUDA_VISIBLE_DEVICES, or use backend='cpu'"
        )
