"""Array plumbing the layers need besides the kernels: sums, scalings, and moving time
steps and feature blocks around (a residual block's y = m(x) + x, a bidirectional net's
reversed sequence and concatenated states, the L2 penalty's λ·W).

On the CPU these are numpy one-liners; the GPU backend has the same functions as
kernels (``engine.backends.cuda.arrays``), so that layers never hold a host array
for a device one. Arrays are C-contiguous; ``out`` arrays are allocated by the caller.
"""

import numpy as np


def add(a, b, out):
    """out = a + b (same shapes)."""
    np.add(a, b, out=out)


def scale(a, factor, out):
    """out = factor · a, the factor rounded to a's dtype first."""
    np.multiply(a, a.dtype.type(factor), out=out)


def add_scaled(target, source, factor):
    """target += factor · source in place (the L2 penalty's gradient λ·W added to ∂L/∂W)."""
    target += source * target.dtype.type(factor)


def squared_norm(a) -> float:
    """‖a‖² = Σ a², summed in a's dtype, as a Python float."""
    flat = a.reshape(-1)
    return float(np.dot(flat, flat))


def reverse_time(x, out):
    """out[:, t] = x[:, T − 1 − t] for sequences (N, T, D)."""
    out[...] = x[:, ::-1]


def concat_features(a, b, out):
    """out = [a | b] along the last axis, for rows a (M, Da), b (M, Db), out (M, Da + Db)."""
    out[:, : a.shape[1]] = a
    out[:, a.shape[1] :] = b


def split_features(x, a, b):
    """The inverse of ``concat_features``: a = x[:, :Da], b = x[:, Da:]."""
    a[...] = x[:, : a.shape[1]]
    b[...] = x[:, a.shape[1] :]


def take_step(h, t, out):
    """out = h[:, t] for states (N, T, H)."""
    out[...] = h[:, t]


def put_step(step, t, out):
    """out[:, t] = step for states (N, T, H); the other steps of ``out`` are left as they are."""
    out[:, t] = step
