"""Data-augmentation kernels on NHWC images (lecture 003, "Data augmentation"; 004 §4).

The random parameters (which images flip, each image's angle, crop offset,
erased rectangles) are drawn by the caller with numpy, one call per batch, and
passed in as arrays; these kernels only move pixels, one image per ``prange``
iteration. Each writes every element of the output ``y`` that the caller
allocated, never touches ``x``, and computes in the dtype of ``x``.
"""

import math

from numba import njit, prange


@njit(parallel=True, cache=True)
def flip_horizontal(x, flip, y):
    """y[n, i, j] = x[n, i, W − 1 − j] where flip[n], else x[n, i, j] (mirror about the vertical axis)."""
    width = x.shape[2]
    for n in prange(x.shape[0]):
        if flip[n]:
            for i in range(x.shape[1]):
                for j in range(width):
                    y[n, i, j, :] = x[n, i, width - 1 - j, :]
        else:
            y[n] = x[n]


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
    """y[n, i, j] = P[n, top[n] + i, left[n] + j], P = x padded by (pad_h, pad_w) pixels of ``fill`` on every side."""
    height, width = x.shape[1], x.shape[2]
    for n in prange(x.shape[0]):
        for i in range(height):
            r = top[n] + i - pad_h
            for j in range(width):
                q = left[n] + j - pad_w
                if 0 <= r < height and 0 <= q < width:
                    y[n, i, j, :] = x[n, r, q, :]
                else:
                    y[n, i, j, :] = fill


@njit(parallel=True, cache=True)
def erase(x, top, left, rows, cols, fill, y):
    """y = x with, in image n, each rectangle k (rows[n, k] × cols[n, k] from (top[n, k], left[n, k]))
    set to ``fill`` in every channel; a rectangle with rows or cols 0 erases nothing."""
    for n in prange(x.shape[0]):
        y[n] = x[n]
        for k in range(top.shape[1]):
            for i in range(top[n, k], top[n, k] + rows[n, k]):
                for j in range(left[n, k], left[n, k] + cols[n, k]):
                    y[n, i, j, :] = fill
