"""Reusable scratch memory for kernels that need work buffers (im2col, partial sums).

Allocating fresh multi-megabyte buffers at every training step costs page
faults that can nearly double the time of a small convolution, so buffers are
kept per (purpose, shape, dtype) and handed out again. Their contents are
garbage: kernels overwrite them before reading. Results returned to the
caller are never scratch memory.
"""

from __future__ import annotations

from collections import OrderedDict

import numba
import numpy as np

_BUFFERS: OrderedDict = OrderedDict()
_MAX_BUFFERS = 32


def scratch(purpose: str, shape: tuple[int, ...], dtype, backend) -> np.ndarray:
    """A work array of ``shape`` and ``dtype`` owned by the engine, reused across calls."""
    key = (purpose, tuple(shape), np.dtype(dtype).str, backend.__name__)
    buffer = _BUFFERS.get(key)
    if buffer is None:
        buffer = backend.empty(shape, dtype)
        _BUFFERS[key] = buffer
        if len(_BUFFERS) > _MAX_BUFFERS:
            _BUFFERS.popitem(last=False)
    else:
        _BUFFERS.move_to_end(key)
    return buffer


def thread_blocks(batch: int) -> int:
    """How many blocks to split a batch into: one per Numba thread, never more than samples."""
    return max(1, min(numba.get_num_threads(), batch))
