"""Allocation on the CPU backend (the GPU backend allocates device arrays).

Every operation returns a fresh array, and a training step allocates and
frees the same large arrays again and again. By default glibc hands each
array of more than a few hundred kilobytes straight back to the kernel when it
is freed, so the next step's array of the same size costs one page fault per
4 KiB page: thousands per LeNet step. Raising glibc's thresholds keeps freed
memory in the process for reuse (the same reason deep-learning frameworks
cache their allocations). It is tuned once, at import, where glibc exists.
"""

import ctypes
import ctypes.util
import sys

import numpy as np

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory(mmap_threshold=32 << 20, trim_threshold=1 << 30) -> bool:
    """Serve arrays up to ``mmap_threshold`` bytes from the heap and keep up to
    ``trim_threshold`` bytes of freed memory for reuse. Returns False where
    this is not glibc (nothing changes there)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and bool(mallopt(_M_TRIM_THRESHOLD, trim_threshold))


def empty(shape, dtype) -> np.ndarray:
    return np.empty(shape, dtype=dtype)


def zeros(shape, dtype) -> np.ndarray:
    return np.zeros(shape, dtype=dtype)


def assign(target, source) -> None:
    """target[...] = source, ``source`` a numpy array or a GPU array (copied down)."""
    target[...] = source.copy_to_host() if hasattr(source, "copy_to_host") else source


def to_device(array):
    """The CPU's "device" is the host: a GPU array comes down, a numpy array stays itself."""
    return array.copy_to_host() if hasattr(array, "copy_to_host") else array


to_host = to_device
