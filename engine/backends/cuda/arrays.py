"""Array plumbing on the GPU: the same functions as ``engine.backends.cpu.arrays``
(sums, scalings, time steps and feature blocks), as small kernels, so that a layer's
arrays never leave the device.

Launch plan: every kernel but ``squared_norm`` gives one thread to one output element
(``launch.elementwise``). ``squared_norm`` sums in shared memory within each block
(``activations.block_sum``), then the blocks' partial sums the same way, until one
block is left, and the one scalar comes down (it is part of the loss).
"""

from __future__ import annotations

from numba import cuda

from .activations import block_sum
from .launch import THREADS, blocks_for, elementwise
from .memory import work_buffer


def _flat(a):
    return a.reshape(a.size)


# Thread i computes out[i].
@cuda.jit(cache=True)
def _add(a, b, out):
    i = cuda.grid(1)
    if i < out.size:
        out[i] = a[i] + b[i]


# Thread i computes out[i].
@cuda.jit(cache=True)
def _scale(a, factor, out):
    i = cuda.grid(1)
    if i < out.size:
        out[i] = a[i] * factor


# Thread i updates target[i].
@cuda.jit(cache=True)
def _add_scaled(target, source, factor):
    i = cuda.grid(1)
    if i < target.size:
        target[i] += source[i] * factor


def add(a, b, out):
    """out = a + b (same shapes)."""
    _add[elementwise(out.size)](_flat(a), _flat(b), _flat(out))


def scale(a, factor, out):
    """out = factor · a, the factor rounded to a's dtype first."""
    _scale[elementwise(out.size)](_flat(a), a.dtype.type(factor), _flat(out))


def add_scaled(target, source, factor):
    """target += factor · source in place."""
    _add_scaled[elementwise(target.size)](_flat(target), _flat(source), target.dtype.type(factor))


# Thread i takes a[i] (squared with ``squared``); block b sums its threads' values (a tree in shared memory,
# ``block_sum``, in a's dtype) into partial[b]; with a single block this is the whole sum.
@cuda.jit(cache=True)
def _block_sums_of_squares(a, squared, partial):
    cache = cuda.shared.array(THREADS, a.dtype)
    i = cuda.grid(1)
    value = a[i] if i < a.size else 0
    total = block_sum(cache, value * value if squared else value)
    if cuda.threadIdx.x == 0:
        partial[cuda.blockIdx.x] = total


def squared_norm(a) -> float:
    """‖a‖² = Σ a², as a Python float (the one value copied down)."""
    values, squared = _flat(a), True
    while True:
        blocks = blocks_for(values.size)
        partial = work_buffer(f"arrays.squared_norm.{blocks}", (blocks,), a.dtype)
        _block_sums_of_squares[blocks, THREADS](values, squared, partial)
        if blocks == 1:
            return float(partial.copy_to_host()[0])
        values, squared = partial, False


# Thread i computes out[n, t, d] for its flat index i = (n·T + t)·D + d.
@cuda.jit(cache=True)
def _reverse_time(x, out):
    i = cuda.grid(1)
    steps, width = out.shape[1], out.shape[2]
    if i < out.size:
        n, rest = divmod(i, steps * width)
        t, d = divmod(rest, width)
        out[n, t, d] = x[n, steps - 1 - t, d]


def reverse_time(x, out):
    """out[:, t] = x[:, T − 1 − t] for sequences (N, T, D)."""
    _reverse_time[elementwise(out.size)](x, out)


# Thread i handles out[m, j] for i = m·(Da + Db) + j: copied from a or from b, or (split) the reverse.
@cuda.jit(cache=True)
def _join(a, b, out, split):
    i = cuda.grid(1)
    width_a, width = a.shape[1], out.shape[1]
    if i < out.size:
        m, j = divmod(i, width)
        if split:
            if j < width_a:
                a[m, j] = out[m, j]
            else:
                b[m, j - width_a] = out[m, j]
        elif j < width_a:
            out[m, j] = a[m, j]
        else:
            out[m, j] = b[m, j - width_a]


def concat_features(a, b, out):
    """out = [a | b] along the last axis, for rows a (M, Da), b (M, Db), out (M, Da + Db)."""
    _join[elementwise(out.size)](a, b, out, False)


def split_features(x, a, b):
    """The inverse of ``concat_features``: a = x[:, :Da], b = x[:, Da:]."""
    _join[elementwise(x.size)](a, b, x, True)


# Thread i copies one element between step t of states (N, T, H) and a step (N, H): i = n·H + k.
@cuda.jit(cache=True)
def _step(states, t, step, into_states):
    i = cuda.grid(1)
    if i < step.size:
        n, k = divmod(i, step.shape[1])
        if into_states:
            states[n, t, k] = step[n, k]
        else:
            step[n, k] = states[n, t, k]


def take_step(h, t, out):
    """out = h[:, t] for states (N, T, H)."""
    _step[elementwise(out.size)](h, t, out, False)


def put_step(step, t, out):
    """out[:, t] = step for states (N, T, H); the other steps of ``out`` are left as they are."""
    _step[elementwise(step.size)](out, t, step, True)
