"""Filling, copying and adding runs of a flat array: the inner loops of im2col,
col2im and pooling.

A run is ``count`` elements from ``start``, one after the other (or
``step`` apart). The loops index with *unsigned* integers on purpose: with a
signed index Numba must allow for Python's negative indices (``a[-1]``) and
adds a check to every access, which keeps LLVM from turning the loop into SIMD
instructions. An unsigned index cannot be negative, so these loops are
vectorised — about 4× faster than the signed form on a run of 26 floats.

The helpers are inlined into their callers (``inline="always"``): a function
call per run of a few values would cost as much as the run. ``dot`` is the
exception, compiled on its own so that its ``fastmath`` flags (which a caller
compiled without them would drop) let LLVM vectorise the sum.
"""

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def fill(a, start, count, value):
    """a[start : start + count] = value."""
    if count <= 0:
        return
    start, count = np.uint64(start), np.uint64(count)
    for k in range(count):
        a[start + k] = value


@njit(cache=True, inline="always")
def copy(dst, dst_start, src, src_start, count, src_step):
    """dst[dst_start + k] = src[src_start + k·src_step] for k < count."""
    if count <= 0:
        return
    d, s, count = np.uint64(dst_start), np.uint64(src_start), np.uint64(count)
    if src_step == 1:
        for k in range(count):
            dst[d + k] = src[s + k]
    else:
        step = np.uint64(src_step)
        for k in range(count):
            dst[d + k] = src[s + k * step]


@njit(cache=True, inline="always")
def add(dst, dst_start, dst_step, src, src_start, count):
    """dst[dst_start + k·dst_step] += src[src_start + k] for k < count."""
    if count <= 0:
        return
    d, s, count = np.uint64(dst_start), np.uint64(src_start), np.uint64(count)
    if dst_step == 1:
        for k in range(count):
            dst[d + k] += src[s + k]
    else:
        step = np.uint64(dst_step)
        for k in range(count):
            dst[d + k * step] += src[s + k]


@njit(cache=True, fastmath={"reassoc", "nsz", "contract"})
def dot(a, a_start, b, b_start, count):
    """Σ_k a[a_start + k] · b[b_start + k], summed in whatever order is fastest
    (``fastmath`` lets LLVM split the sum over SIMD lanes)."""
    total = a.dtype.type(0)  # summed in the arrays' own precision
    a0, b0 = np.uint64(a_start), np.uint64(b_start)
    for k in range(np.uint64(max(count, 0))):
        total += a[a0 + k] * b[b0 + k]
    return total


@njit(cache=True, fastmath={"reassoc", "nsz", "contract"})
def dot_pair(a, a_start, b, b_start, c_start, count):
    """(``dot(a, a_start, b, b_start, count)``, ``dot(a, a_start, b, c_start, count)``) in one
    pass: each value of a is loaded once for both, about 1.4× faster than two dots."""
    first = second = a.dtype.type(0)
    a0, b0, c0 = np.uint64(a_start), np.uint64(b_start), np.uint64(c_start)
    for k in range(np.uint64(max(count, 0))):
        value = a[a0 + k]
        first += value * b[b0 + k]
        second += value * b[c0 + k]
    return first, second


@njit(cache=True, inline="always")
def relu(dst, dst_start, src, count):
    """dst[dst_start + k] = max(src[k], 0) for k < count (NaN stays NaN, as ``relu_forward``).

    Out of place on purpose: in place, LLVM turns the loop into "store 0 where
    the value is negative", a conditional store it does not vectorise (4× slower).
    """
    if count <= 0:
        return
    d, zero = np.uint64(dst_start), src.dtype.type(0)
    for k in range(np.uint64(count)):
        value = src[k]
        dst[d + k] = zero if value <= zero else value


@njit(cache=True, inline="always")
def relu_gradient(dz, dy, y):
    """dz = dy · [y > 0] over whole flat arrays, y the output of ReLU (y > 0 exactly where z > 0)."""
    for k in range(np.uint64(dz.size)):
        dz[k] = dy[k] * (y[k] > 0)


@njit(cache=True, inline="always")
def scaled_mask(dst, dst_start, src, mask, mask_start, count, scale):
    """dst[dst_start + k] = src[k] · scale · [mask[mask_start + k] > 0] for k < count."""
    if count <= 0:
        return
    d, m = np.uint64(dst_start), np.uint64(mask_start)
    factor = src.dtype.type(scale)  # in the arrays' own precision
    for k in range(np.uint64(count)):
        dst[d + k] = src[k] * factor * (mask[m + k] > 0)

