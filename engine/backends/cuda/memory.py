"""Device memory: allocation, the two copies between host and device, and work buffers.

A training step moves exactly two things across the bus: the batch goes up
(``to_device``) and the loss comes down (a scalar). Everything else, parameters,
activations, gradients and optimiser state, is allocated here and stays on the GPU.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from numba import cuda

from .launch import elementwise


def empty(shape, dtype):
    """An uninitialised device array."""
    return cuda.device_array(shape, dtype=np.dtype(dtype))


def zeros(shape, dtype):
    """A device array of zeros (filled by a kernel, not copied from the host)."""
    array = cuda.device_array(shape, dtype=np.dtype(dtype))
    if array.size:
        flat = array.reshape(array.size)
        _fill[elementwise(flat.size)](flat, 0)
    return array


def to_device(array):
    """A device copy of a host array (made C-contiguous first); device arrays pass through."""
    if hasattr(array, "copy_to_host"):
        return array
    return cuda.to_device(np.ascontiguousarray(array))


def to_host(array):
    """A host copy (numpy) of a device array; host arrays pass through."""
    if hasattr(array, "copy_to_host"):
        return array.copy_to_host()
    return array


def assign(target, source):
    """target[...] = source for a device ``target``, ``source`` on the host or the device (same shape)."""
    if tuple(np.shape(source)) != tuple(target.shape):
        raise ValueError(f"cannot assign an array of shape {np.shape(source)} to one of shape {target.shape}")
    if hasattr(source, "copy_to_host"):
        target.copy_to_device(source)
    else:
        target.copy_to_device(np.ascontiguousarray(source, dtype=target.dtype))


_BUFFERS: OrderedDict = OrderedDict()
_MAX_BUFFERS = 32


def work_buffer(purpose: str, shape, dtype):
    """A device work array of ``shape`` and ``dtype``, reused across calls (contents are garbage)."""
    key = (purpose, tuple(shape), np.dtype(dtype).str)
    buffer = _BUFFERS.get(key)
    if buffer is None:
        buffer = _BUFFERS[key] = empty(shape, dtype)
        if len(_BUFFERS) > _MAX_BUFFERS:
            _BUFFERS.popitem(last=False)
    else:
        _BUFFERS.move_to_end(key)
    return buffer


# Thread i writes element i.
@cuda.jit(cache=True)
def _fill(out, value):
    i = cuda.grid(1)
    if i < out.size:
        out[i] = value
