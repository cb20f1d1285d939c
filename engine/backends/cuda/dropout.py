"""Inverted dropout on the GPU (lectures 003 and 004 §4): y = x ⊙ η / p_keep with η ~ Ber(p_keep).

The same functions as ``engine.backends.cpu.dropout``, and the same mask, bit
for bit: element i's draw is the counter-based hash of (seed, i) that the CPU
uses, ``pair_hash(key, i // 2)`` (splitmix64's output function at counter
i // 2 + 1, key = splitmix64(seed)), its low 32 bits for an even i and its high
32 bits for an odd i. Element i is kept when that 32-bit value is below
``threshold`` = round(p_keep · 2³²). All of the hash arithmetic is in uint64
(numba would turn a mix of int64 and uint64 into float64). The mask is uint8
(1 kept, 0 dropped); y is x / p_keep (divided in x's dtype, as the CPU does) or 0.

``stream_key`` (the key of a seed) runs on the host: it is the CPU module's.

Launch plan: one thread per element (``launch.elementwise``); neighbouring
threads 2j and 2j + 1 compute the same 64-bit hash, which costs a few integer
multiplications and saves nothing worth a second code path: the kernel is bound
by memory traffic.
"""

from __future__ import annotations

import numpy as np
from numba import cuda

from ..cpu.dropout import pair_hash, stream_key  # noqa: F401  (stream_key: re-exported, a host function)
from .launch import elementwise

_ONE = np.uint64(1)
_HIGH = np.uint64(32)
_LOW32 = np.uint64(0xFFFFFFFF)


@cuda.jit(device=True, cache=True)
def kept(key, limit, i):
    """η_i as uint8: 1 when element i's 32-bit draw of the stream ``key`` is below ``limit``."""
    index = np.uint64(i)
    z = pair_hash(key, index >> _ONE)
    draw = z >> _HIGH if index & _ONE else z & _LOW32
    return np.uint8(draw < limit)


# Thread i draws mask[i] and computes y[i].
@cuda.jit(cache=True)
def _forward(x, key, limit, p_keep, y, mask):
    i = cuda.grid(1)
    if i < x.size:
        mask[i] = kept(key, limit, i)
        y[i] = x[i] * mask[i] / p_keep


# Thread i computes dx[i].
@cuda.jit(cache=True)
def _backward(dy, mask, p_keep, dx):
    i = cuda.grid(1)
    if i < dy.size:
        dx[i] = dy[i] * mask[i] / p_keep


def forward(x, key, threshold, p_keep, y, mask):
    """mask[i] = η_i ~ Ber(p_keep), y[i] = x[i] · η_i / p_keep on flat arrays, the CPU's mask exactly;
    ``key`` = stream_key(seed), ``threshold`` = round(p_keep · 2³²)."""
    _forward[elementwise(x.size)](x, np.uint64(key), np.uint64(threshold), x.dtype.type(p_keep), y, mask)


def backward(dy, mask, p_keep, dx):
    """dx[i] = dy[i] · η_i / p_keep (the forward is linear in x with the mask fixed)."""
    _backward[elementwise(dy.size)](dy, mask, dy.dtype.type(p_keep), dx)
