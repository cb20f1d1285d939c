"""Recurrent kernels: the simple RNN and the LSTM over batch-first sequences (lecture 004 §6).

Shapes: x (N, T, D), states h (N, T, H), initial state h0 (N, H).

- RNN:  h_t = tanh(x_t W_xh + h_{t−1} W_hh + b), W_xh (D, H), W_hh (H, H), b (H,).
- LSTM: [i, f, c̃, o] stacked in Keras' order in the kernel W (D, 4H), the recurrent
  kernel U (H, 4H) and the bias b (4H,):
  i = σ(x_t W_i + h_{t−1} U_i + b_i), f = σ(·_f), c̃ = tanh(·_c), o = σ(·_o),
  c_t = f ⊙ c_{t−1} + i ⊙ c̃,  h_t = o ⊙ tanh(c_t).

Samples of a batch never interact, so each thread takes one block of rows and runs
it through the whole sequence on its own (``prange`` over blocks, the time loop
inside): no synchronisation per time step. In a block, the input projections of
all time steps are one matrix product (rows·T, D)(D, ·) written straight into the
output; each step then adds h_{t−1} U, a product of the block's (rows, H) state with
U, computed by BLAS (``np.dot``) in per-thread contiguous buffers. The backward pass
(backpropagation through time) runs t = T−1 … 0 in the same way, keeps ∂L/∂z_t of
every step, and finishes with three products per block: ∂L/∂x = ∂L/∂Z Wᵀ,
∂L/∂W = Xᵀ ∂L/∂Z and ∂L/∂U = H_prevᵀ ∂L/∂Z (H_prev: the states shifted by one step,
h0 first). Block k > 0 sums its weight gradients into ``partial_*[k]``; the
blocks are added at the end.

Most of the time outside BLAS goes into the gates' σ and tanh, computed by
``engine.backends.cpu.fastmath`` in a form LLVM vectorises.
"""

import numpy as np
from numba import njit, prange

from .fastmath import math_constants as _math_constants
from .fastmath import sigmoid as _sigmoid
from .fastmath import tanh as _tanh


@njit(cache=True, inline="always")
def _rows(n, blocks, blk):
    return blk * n // blocks, (blk + 1) * n // blocks


@njit(cache=True, inline="always")
def _shift_states(h, h0, r0, r1, h_shift):
    """h_shift[n, 0] = h0[n], h_shift[n, t] = h[n, t − 1]: the state each step read."""
    for n in range(r0, r1):
        h_shift[n, 0, :] = h0[n]
        for t in range(1, h.shape[1]):
            h_shift[n, t, :] = h[n, t - 1]


@njit(cache=True, inline="always")
def _block_gradients(dz, x, h_shift, W, U, r0, r1, dx, weight_sum, recurrent_sum, bias_sum):
    """∂L/∂x = ∂L/∂Z Wᵀ and the block's Xᵀ ∂L/∂Z, H_prevᵀ ∂L/∂Z and Σ ∂L/∂Z."""
    rows, steps, width = r1 - r0, x.shape[1], dz.shape[2]
    dz2 = dz[r0:r1].reshape(rows * steps, width)
    x2 = x[r0:r1].reshape(rows * steps, x.shape[2])
    np.dot(dz2, W.T, dx[r0:r1].reshape(rows * steps, x.shape[2]))
    np.dot(x2.T, dz2, weight_sum)
    np.dot(h_shift[r0:r1].reshape(rows * steps, U.shape[0]).T, dz2, recurrent_sum)
    bias_sum[:] = 0
    for k in range(rows * steps):
        for j in range(width):
            bias_sum[j] += dz2[k, j]


@njit(cache=True, inline="always")
def _block_sums(blk, dW, dU, db, partial_dW, partial_dU, partial_db):
    """Where block ``blk`` sums its weight gradients: the results themselves for block 0,
    its own partial sums for the others (added at the end by ``_add_partials``)."""
    if blk == 0:
        return dW, dU, db
    return partial_dW[blk], partial_dU[blk], partial_db[blk]


@njit(cache=True, inline="always")
def _zero_sums(weight_sum, recurrent_sum, bias_sum):
    """A block without rows (more threads than samples) contributes zero."""
    weight_sum[:, :] = 0
    recurrent_sum[:, :] = 0
    bias_sum[:] = 0


@njit(cache=True)
def _add_partials(dW, dU, db, partial_dW, partial_dU, partial_db):
    for blk in range(1, partial_dW.shape[0]):
        dW += partial_dW[blk]
        dU += partial_dU[blk]
        db += partial_db[blk]


@njit(parallel=True, cache=True)
def rnn_forward(x, W_xh, W_hh, b, h0, h, h_prev, z, blocks):
    """h_t = tanh(x_t W_xh + h_{t−1} W_hh + b) for t = 0 … T−1, written into h (N, T, H).

    ``h_prev`` and ``z`` (N, H) are work buffers (each thread uses its own rows).
    """
    n, steps, units = x.shape[0], x.shape[1], W_hh.shape[0]
    k_, u = _math_constants(x), np.uint64(units)
    for blk in prange(blocks):
        r0, r1 = _rows(n, blocks, blk)
        if r1 <= r0:
            continue
        np.dot(x[r0:r1].reshape((r1 - r0) * steps, x.shape[2]), W_xh, h[r0:r1].reshape((r1 - r0) * steps, units))
        state, recurrent = h_prev[r0:r1], z[r0:r1]
        state[:, :] = h0[r0:r1]
        for t in range(steps):
            np.dot(state, W_hh, recurrent)
            for r in range(r1 - r0):
                out, rec, st = h[r0 + r, t], recurrent[r], state[r]
                for j in range(u):
                    value = _tanh(out[j] + rec[j] + b[j], k_)
                    out[j] = value
                    st[j] = value


@njit(parallel=True, cache=True)
def rnn_backward(dh, x, h, h0, W_xh, W_hh, dx, dW_xh, dW_hh, db, dh0,
                 dz, h_shift, dh_next, step, partial_dW_xh, partial_dW_hh, partial_db):
    """Backpropagation through time of the RNN, given dh = ∂L/∂h_t for every t:

    ∂L/∂z_t = (dh_t + ∂L/∂z_{t+1} W_hhᵀ) ⊙ (1 − h_t²),  ∂L/∂h0 = ∂L/∂z_0 W_hhᵀ,
    ∂L/∂x_t = ∂L/∂z_t W_xhᵀ, ∂L/∂W_xh = Σ_t x_tᵀ ∂L/∂z_t, ∂L/∂W_hh = Σ_t h_{t−1}ᵀ ∂L/∂z_t,
    ∂L/∂b = Σ_{n,t} ∂L/∂z_t. Work buffers: dz, h_shift (N, T, H); dh_next, step (N, H).
    """
    n, steps, units, blocks = x.shape[0], x.shape[1], W_hh.shape[0], partial_dW_xh.shape[0]
    one, u = x.dtype.type(1), np.uint64(units)
    for blk in prange(blocks):
        r0, r1 = _rows(n, blocks, blk)
        weight_sum, recurrent_sum, bias_sum = _block_sums(blk, dW_xh, dW_hh, db, partial_dW_xh, partial_dW_hh,
                                                          partial_db)
        if r1 <= r0:
            _zero_sums(weight_sum, recurrent_sum, bias_sum)
            continue
        upstream, local = dh_next[r0:r1], step[r0:r1]
        upstream[:, :] = 0
        for t in range(steps - 1, -1, -1):
            for r in range(r1 - r0):
                state, grad, up, lr = h[r0 + r, t], dh[r0 + r, t], upstream[r], local[r]
                for j in range(u):
                    lr[j] = (grad[j] + up[j]) * (one - state[j] * state[j])
                dz[r0 + r, t, :] = lr
            np.dot(local, W_hh.T, upstream)
        dh0[r0:r1] = upstream
        _shift_states(h, h0, r0, r1, h_shift)
        _block_gradients(dz, x, h_shift, W_xh, W_hh, r0, r1, dx, weight_sum, recurrent_sum, bias_sum)
    _add_partials(dW_xh, dW_hh, db, partial_dW_xh, partial_dW_hh, partial_db)


@njit(parallel=True, cache=True)
def lstm_forward(x, W, U, b, h0, c0, h, c, gates, h_prev, c_prev, z, blocks):
    """The LSTM over the whole sequence; gates (N, T, 4H) keeps [i, f, c̃, o] after their activations:

    [i, f, c̃, o] = [σ, σ, tanh, σ](x_t W + h_{t−1} U + b),
    c_t = f ⊙ c_{t−1} + i ⊙ c̃,  h_t = o ⊙ tanh(c_t).

    ``h_prev``, ``c_prev`` (N, H) and ``z`` (N, 4H) are work buffers.
    """
    n, steps, units = x.shape[0], x.shape[1], U.shape[0]
    k_, u = _math_constants(x), np.uint64(units)
    for blk in prange(blocks):
        r0, r1 = _rows(n, blocks, blk)
        if r1 <= r0:
            continue
        rows = r1 - r0
        np.dot(x[r0:r1].reshape(rows * steps, x.shape[2]), W, gates[r0:r1].reshape(rows * steps, 4 * units))
        state, cell, recurrent = h_prev[r0:r1], c_prev[r0:r1], z[r0:r1]
        state[:, :] = h0[r0:r1]
        cell[:, :] = c0[r0:r1]
        for t in range(steps):
            np.dot(state, U, recurrent)
            for r in range(rows):
                g, zr = gates[r0 + r, t], recurrent[r]
                for j in range(u + u):  # i and f
                    g[j] = _sigmoid(g[j] + zr[j] + b[j], k_)
                for j in range(u + u, u + u + u):  # c̃
                    g[j] = _tanh(g[j] + zr[j] + b[j], k_)
                for j in range(u + u + u, u + u + u + u):  # o
                    g[j] = _sigmoid(g[j] + zr[j] + b[j], k_)
                cells, states, cp, st = c[r0 + r, t], h[r0 + r, t], cell[r], state[r]
                for j in range(u):  # (short loops over few arrays: LLVM vectorises each)
                    new_cell = g[u + j] * cp[j] + g[j] * g[u + u + j]
                    cells[j] = new_cell
                    cp[j] = new_cell
                for j in range(u):
                    states[j] = _tanh(cells[j], k_)
                for j in range(u):
                    value = g[u + u + u + j] * states[j]
                    states[j] = value
                    st[j] = value


@njit(parallel=True, cache=True)
def lstm_backward(dh, dc_last, x, h, c, gates, h0, c0, W, U, dx, dW, dU, db, dh0, dc0,
                  dz, h_shift, dh_next, dc_next, step, partial_dW, partial_dU, partial_db):
    """Backpropagation through time of the LSTM, given dh = ∂L/∂h_t for every t and
    dc_last = ∂L/∂c_{T−1} from outside. Going back in time, with δh_t = dh_t + ∂L/∂z_{t+1} Uᵀ:

    δc_t = δc_{t+1} ⊙ f_{t+1} + δh_t ⊙ o ⊙ (1 − tanh²c_t),
    ∂L/∂z_i = δc_t ⊙ c̃ ⊙ i(1 − i),  ∂L/∂z_f = δc_t ⊙ c_{t−1} ⊙ f(1 − f),
    ∂L/∂z_c̃ = δc_t ⊙ i ⊙ (1 − c̃²),  ∂L/∂z_o = δh_t ⊙ tanh(c_t) ⊙ o(1 − o);

    then ∂L/∂x, ∂L/∂W, ∂L/∂U, ∂L/∂b as for the RNN, ∂L/∂h0 = ∂L/∂z_0 Uᵀ, ∂L/∂c0 = δc_0 ⊙ f_0.
    Work buffers: dz (N, T, 4H), h_shift (N, T, H), dh_next, dc_next (N, H), step (N, 4H).
    """
    n, steps, units, blocks = x.shape[0], x.shape[1], U.shape[0], partial_dW.shape[0]
    k_, u = _math_constants(x), np.uint64(units)
    one = k_[16]
    for blk in prange(blocks):
        r0, r1 = _rows(n, blocks, blk)
        weight_sum, recurrent_sum, bias_sum = _block_sums(blk, dW, dU, db, partial_dW, partial_dU, partial_db)
        if r1 <= r0:
            _zero_sums(weight_sum, recurrent_sum, bias_sum)
            continue
        upstream, cell_grad, local = dh_next[r0:r1], dc_next[r0:r1], step[r0:r1]
        upstream[:, :] = 0
        cell_grad[:, :] = dc_last[r0:r1]
        for t in range(steps - 1, -1, -1):
            for r in range(r1 - r0):
                m = r0 + r
                g, lr, cells, grad, up, cg = gates[m, t], local[r], c[m, t], dh[m, t], upstream[r], cell_grad[r]
                previous = c[m, t - 1] if t > 0 else c0[m]
                for j in range(u):  # tanh(c_t) first, in a loop of its own that LLVM vectorises
                    lr[u + u + u + j] = _tanh(cells[j], k_)
                for j in range(u):
                    i, f, candidate, o = g[j], g[u + j], g[u + u + j], g[u + u + u + j]
                    squashed = lr[u + u + u + j]
                    dh_t = grad[j] + up[j]
                    dc_t = cg[j] + dh_t * o * (one - squashed * squashed)
                    lr[j] = dc_t * candidate * i * (one - i)
                    lr[u + j] = dc_t * previous[j] * f * (one - f)
                    lr[u + u + j] = dc_t * i * (one - candidate * candidate)
                    lr[u + u + u + j] = dh_t * squashed * o * (one - o)
                    cg[j] = dc_t * f
                dz[m, t, :] = lr
            np.dot(local, U.T, upstream)
        dh0[r0:r1] = upstream
        dc0[r0:r1] = cell_grad
        _shift_states(h, h0, r0, r1, h_shift)
        _block_gradients(dz, x, h_shift, W, U, r0, r1, dx, weight_sum, recurrent_sum, bias_sum)
    _add_partials(dW, dU, db, partial_dW, partial_dU, partial_db)
