"""Inverted dropout kernels (lectures 003 and 004 §4):
y = x ⊙ η / p_keep with η ~ Ber(p_keep) in training.

The mask comes from a counter-based generator, not from a stream: element i's
draw is a hash of (seed, i), so it does not depend on how the loop is split
among threads, and a GPU kernel computing the same hash gives the same mask.
The hash is splitmix64's output function applied to key + (j + 1)·γ, with
key = splitmix64(seed), γ = 0x9E3779B97F4A7C15 and j = i // 2: each 64-bit
value serves two neighbouring elements, its low 32 bits element 2j and its
high 32 bits element 2j + 1. Element i is kept when its 32-bit value u is
below round(p_keep · 2³²), i.e. when u / 2³² < p_keep (p_keep resolved to 2⁻³²;
p_keep = 1 keeps everything).

The mask is stored as uint8 (1 kept, 0 dropped): a quarter of the memory of a
float32 scale array, so the backward pass reads less.
"""

import numpy as np
from numba import njit, prange

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)


@njit(cache=True, inline="always")
def mix64(z):
    """splitmix64's output function: a bijection of 64-bit words that scatters every input bit."""
    z = np.uint64(z)
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def stream_key(seed):
    """The key of the random stream of ``seed`` (a non-negative int): splitmix64(seed)."""
    return mix64(np.uint64(seed) + GOLDEN)


@njit(cache=True, inline="always")
def pair_hash(key, j):
    """The 64-bit draw shared by elements 2j and 2j + 1: splitmix64's output at counter j + 1."""
    return mix64(np.uint64(key) + (np.uint64(j) + np.uint64(1)) * GOLDEN)


@njit(cache=True)
def _mask_pairs(key, limit, mask, first_pair, stop_pair):
    """η of elements 2j and 2j + 1 for first_pair ≤ j < stop_pair. A function of its own, with
    unsigned indices, so that LLVM vectorises the loop (inside the parallel loop it did not)."""
    two, one, high = np.uint64(2), np.uint64(1), np.uint64(32)
    for j in range(np.uint64(first_pair), np.uint64(stop_pair)):
        z = pair_hash(key, j)
        mask[two * j] = np.uint8((z & _LOW32) < limit)
        mask[two * j + one] = np.uint8((z >> high) < limit)


@njit(cache=True)
def draw_mask(key, limit, mask, start, stop):
    """mask[i] = η_i for flat elements start ≤ i < stop, any bounds: an odd first or last
    element on its own (its half of its pair's draw), the whole pairs between."""
    one, high = np.uint64(1), np.uint64(32)
    start, stop = np.uint64(start), np.uint64(stop)
    if start >= stop:
        return
    if start % 2 == one:
        mask[start] = np.uint8((pair_hash(key, start // 2) >> high) < limit)
        start += one
    _mask_pairs(key, limit, mask, start // 2, stop // 2)
    if stop % 2 == one and stop - one >= start:
        mask[stop - one] = np.uint8((pair_hash(key, stop // 2) & _LOW32) < limit)


@njit(cache=True)
def _apply(x, mask, p_keep, y, start, stop):
    for i in range(np.uint64(start), np.uint64(stop)):
        y[i] = x[i] * mask[i] / p_keep


_BLOCK = 1 << 14  # elements per parallel task


@njit(parallel=True, cache=True)
def forward(x, key, threshold, p_keep, y, mask):
    """mask[i] = η_i ~ Ber(p_keep), y[i] = x[i] · η_i / p_keep on flat arrays;
    ``threshold`` = round(p_keep · 2³²). y is x / p_keep (divided in x's dtype) or 0, as numpy's
    ``x * mask / p_keep``."""
    p, limit = x.dtype.type(p_keep), np.uint64(threshold)
    for block in prange((x.size + _BLOCK - 1) // _BLOCK):
        lo, hi = block * _BLOCK, min((block + 1) * _BLOCK, x.size)
        draw_mask(key, limit, mask, lo, hi)
        _apply(x, mask, p, y, lo, hi)


@njit(parallel=True, cache=True)
def backward(dy, mask, p_keep, dx):
    """dx[i] = dy[i] · η_i / p_keep (the forward is linear in x with the mask fixed)."""
    p = dy.dtype.type(p_keep)
    for i in prange(dy.size):
        dx[i] = dy[i] * mask[i] / p
