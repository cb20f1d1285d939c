"""Data-augmentation kernels on NHWC images (lecture 003, "Data augmentation"; 004 §4).

The random parameters (which images flip, each image's angle, crop offset,
erased rectangles) are drawn by the caller with numpy, one call per batch, and
passed in as arrays; these kernels only move pixels, one image per ``prange``
iteration. Each writes every element of the output ``y`` that the caller
allocated, never touches ``x``, and computes in the dtype of ``x``.
"""

import math

from numba import njit, prange


@njit(cache=True, inline="always")
def _copy(dst, d, src, s, count):
    """dst[d : d + count] = src[s : s + count] on flat arrays."""
    for e in range(count):
        dst[d + e] = src[s + e]


@njit(cache=True, inline="always")
def _fill(dst, d, value, count):
    for e in range(count):
        dst[d + e] = value


@njit(parallel=True, cache=True)
def flip_horizontal(x, flip, y):
    """y[n, i, j] = x[n, i, W − 1 − j] where flip[n], else x[n, i, j] (mirror about the vertical axis)."""
    rows, width, channels = x.shape[0] * x.shape[1], x.shape[2], x.shape[3]
    row = width * channels
    src, dst = x.reshape(-1), y.reshape(-1)
    for m in prange(rows):  # image row m belongs to image m // H
        if flip[m // x.shape[1]]:
            for j in range(width):
                _copy(dst, m * row + j * channels, src, m * row + (width - 1 - j) * channels, channels)
        else:
            _copy(dst, m * row, src, m * row, row)


@njit(parallel=True, cache=True)
def rotate(x, cos, sin, fill, y):
    """Rotate image n by the angle θₙ (cos[n], sin[n]) counter-clockwise about its centre, bilinearly.

    Inverse mapping: output pixel (i, j), centred at (cᵢ, cⱼ) = ((H − 1)/2, (W − 1)/2), reads the
    input at  u = cⱼ + cos θ·(j − cⱼ) − sin θ·(i − cᵢ)  (column),  v = cᵢ + sin θ·(j − cⱼ) + cos θ·(i − cᵢ)
    (row), interpolated bilinearly between its four neighbours; neighbours outside the image count
    as ``fill`` (the image is padded with ``fill``), so every output is a convex combination of input
    values and ``fill``.
    """
    height, width, channels = x.shape[1], x.shape[2], x.shape[3]
    ci, cj = (height - 1) / 2.0, (width - 1) / 2.0
    one = x.dtype.type(1)
    for n in prange(x.shape[0]):
        for i in range(height):
            for j in range(width):
                u = cj + cos[n] * (j - cj) - sin[n] * (i - ci)
                v = ci + sin[n] * (j - cj) + cos[n] * (i - ci)
                r0, q0 = math.floor(v), math.floor(u)
                a, b = x.dtype.type(v - r0), x.dtype.type(u - q0)  # weights of the lower/right neighbours
                for c in range(channels):
                    total = x.dtype.type(0)
                    for dr in range(2):
                        for dq in range(2):
                            r, q = r0 + dr, q0 + dq
                            weight = (a if dr else one - a) * (b if dq else one - b)
                            if 0 <= r < height and 0 <= q < width:
                                total += weight * x[n, r, q, c]
                            else:
                                total += weight * fill
                    y[n, i, j, c] = total


@njit(parallel=True, cache=True)
def crop(x, top, left, pad_h, pad_w, fill, y):
    """y[n, i, j] = P[n, top[n] + i, left[n] + j], P = x padded by (pad_h, pad_w) pixels of ``fill`` on every side.

    Row i of image n reads input row r = top[n] + i − pad_h (all ``fill`` if outside), its columns
    j = 0..W−1 reading input columns j + shift, shift = left[n] − pad_w: a run of valid columns
    between two runs of ``fill``."""
    height, width, channels = x.shape[1], x.shape[2], x.shape[3]
    row = width * channels
    src, dst = x.reshape(-1), y.reshape(-1)
    for m in prange(x.shape[0] * height):
        n, i = m // height, m % height
        r, shift = top[n] + i - pad_h, left[n] - pad_w
        if r < 0 or r >= height:
            _fill(dst, m * row, fill, row)
            continue
        first, stop = max(0, -shift), min(width, width - shift)  # valid output columns [first, stop)
        _fill(dst, m * row, fill, first * channels)
        _copy(dst, m * row + first * channels, src, (n * height + r) * row + (first + shift) * channels,
              (stop - first) * channels)
        _fill(dst, m * row + stop * channels, fill, (width - stop) * channels)


@njit(parallel=True, cache=True)
def erase(x, top, left, rows, cols, fill, y):
    """y = x with, in image n, each rectangle k (rows[n, k] × cols[n, k] from (top[n, k], left[n, k]))
    set to ``fill`` in every channel; a rectangle with rows or cols 0 erases nothing."""
    height, width, channels = x.shape[1], x.shape[2], x.shape[3]
    size, row = height * width * channels, width * channels
    src, dst = x.reshape(-1), y.reshape(-1)
    for n in prange(x.shape[0]):
        _copy(dst, n * size, src, n * size, size)
        for k in range(top.shape[1]):
            for i in range(top[n, k], top[n, k] + rows[n, k]):
                _fill(dst, n * size + i * row + left[n, k] * channels, fill, cols[n, k] * channels)
