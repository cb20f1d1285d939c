"""Recurrent kernels on the GPU: the simple RNN and the LSTM over batch-first sequences (lecture 004 §6).

Shapes: x (N, T, D), states h (N, T, H), initial state h0 (N, H).

- RNN:  h_t = tanh(x_t W_xh + h_{t−1} W_hh + b), W_xh (D, H), W_hh (H, H), b (H,).
- LSTM: [i, f, c̃, o] stacked in Keras' order in the kernel W (D, 4H), the recurrent
  kernel U (H, 4H) and the bias b (4H,):
  i = σ(x_t W_i + h_{t−1} U_i + b_i), f = σ(·_f), c̃ = tanh(·_c), o = σ(·_o),
  c_t = f ⊙ c_{t−1} + i ⊙ c̃,  h_t = o ⊙ tanh(c_t).

Launch plan. Only h_{t−1} U has to wait for the previous step, so the input
projections of all time steps, x_t W + b, are one tiled product (``matmul``) of
the (N·T, D) inputs with W, written straight into the output (h for the RNN, the
gates for the LSTM). Then, for each t, two launches: the product h_{t−1} U into
the work buffer ``z`` (N, ·), and an elementwise kernel, one thread per (sample,
unit), that adds it, applies the activations and updates the states. The matrix
product reads h_{t−1} from the contiguous work buffer ``h_prev``, which that
kernel keeps next to h (a slice h[:, t] of h is not contiguous).

The backward pass (backpropagation through time) runs t = T−1 … 0 the same way:
an elementwise kernel forms ∂L/∂z_t into dz (N, T, ·) and into the contiguous
``step`` (N, ·), then ∂L/∂h_{t−1} = ∂L/∂z_t Uᵀ is one product. It finishes with
three products and a column sum over all N·T rows at once: ∂L/∂x = ∂L/∂Z Wᵀ,
∂L/∂W = Xᵀ ∂L/∂Z, ∂L/∂U = H_prevᵀ ∂L/∂Z (H_prev: the states shifted by one step,
h0 first) and ∂L/∂b = Σ ∂L/∂Z. The CPU's ``blocks`` and per-thread ``partial_*``
sums are not used.
"""

import math

from numba import cuda

from .launch import elementwise
from .matmul import column_sums, matmul


# -- shared by both nets ----------------------------------------------------------------------------
@cuda.jit(device=True, cache=True)
def _sigmoid(z, one):
    """σ(z) = 1 / (1 + e^(−z)) = e^z / (1 + e^z), with e = e^(−|z|) ≤ 1 so nothing overflows
    (``one`` is 1 in the arrays' dtype)."""
    e = math.exp(-abs(z))
    return (one if z >= 0 else e) / (one + e)


# Thread k computes h_shift.flat[k] = h0[n, j] for t = 0, h[n, t − 1, j] otherwise (k = (n·T + t)·H + j).
@cuda.jit(cache=True)
def _shift_states(h, h0, h_shift):
    steps, units = h.shape[1], h.shape[2]
    k = cuda.grid(1)
    if k < h_shift.size:
        j = k % units
        t = (k // units) % steps
        n = k // (units * steps)
        h_shift[n, t, j] = h0[n, j] if t == 0 else h[n, t - 1, j]


def _flat(array):
    """An (N, T, F) array seen as (N·T, F): the rows of all samples and time steps."""
    return array.reshape(array.shape[0] * array.shape[1], array.shape[2])


def _weight_gradients(dz, x, h, h0, h_shift, W, dx, dW, dU, db):
    """∂L/∂x = ∂L/∂Z Wᵀ, ∂L/∂W = Xᵀ ∂L/∂Z, ∂L/∂U = H_prevᵀ ∂L/∂Z, ∂L/∂b = Σ ∂L/∂Z over all N·T rows."""
    _shift_states[elementwise(h_shift.size)](h, h0, h_shift)
    dz2 = _flat(dz)
    matmul(dz2, W, _flat(dx), transpose_b=True)
    matmul(_flat(x), dz2, dW, transpose_a=True)
    matmul(_flat(h_shift), dz2, dU, transpose_a=True)
    column_sums(dz2, db)


# -- simple RNN ---------------------------------------------------------------------------------------
# Thread k = n·H + j computes h[n, t, j] (and its copy h_prev[n, j]); h[n, t, j] holds x_t W_xh + b on entry.
@cuda.jit(cache=True)
def _rnn_step(h, z, h_prev, t):
    units = h.shape[2]
    k = cuda.grid(1)
    if k < h_prev.size:
        n, j = k // units, k % units
        value = math.tanh(h[n, t, j] + z[n, j])
        h[n, t, j] = value
        h_prev[n, j] = value


def rnn_forward(x, W_xh, W_hh, b, h0, h, h_prev, z, blocks):
    """h_t = tanh(x_t W_xh + h_{t−1} W_hh + b) for t = 0 … T−1, written into h (N, T, H).

    ``h_prev`` and ``z`` (N, H) are work buffers (the state h_{t−1} and h_{t−1} W_hh);
    ``blocks`` (CPU threads) is ignored.
    """
    steps = x.shape[1]
    matmul(_flat(x), W_xh, _flat(h), bias=b)
    launch = elementwise(h_prev.size)
    for t in range(steps):
        matmul(h0 if t == 0 else h_prev, W_hh, z)
        _rnn_step[launch](h, z, h_prev, t)


# Thread k = n·H + j computes dz[n, t, j] and its copy step[n, j];
# dh_next[n, j] is ∂L/∂z_{t+1} W_hhᵀ, or unused at the last step (``last``).
@cuda.jit(cache=True)
def _rnn_step_backward(dh, h, dh_next, dz, step, t, last):
    units = h.shape[2]
    k = cuda.grid(1)
    if k < step.size:
        n, j = k // units, k % units
        state = h[n, t, j]
        upstream = dh[n, t, j] if last else dh[n, t, j] + dh_next[n, j]
        value = upstream * (h.dtype.type(1) - state * state)
        dz[n, t, j] = value
        step[n, j] = value


def rnn_backward(dh, x, h, h0, W_xh, W_hh, dx, dW_xh, dW_hh, db, dh0,
                 dz, h_shift, dh_next, step, partial_dW_xh, partial_dW_hh, partial_db):
    """Backpropagation through time of the RNN, given dh = ∂L/∂h_t for every t:

    ∂L/∂z_t = (dh_t + ∂L/∂z_{t+1} W_hhᵀ) ⊙ (1 − h_t²),  ∂L/∂h0 = ∂L/∂z_0 W_hhᵀ,
    ∂L/∂x_t = ∂L/∂z_t W_xhᵀ, ∂L/∂W_xh = Σ_t x_tᵀ ∂L/∂z_t, ∂L/∂W_hh = Σ_t h_{t−1}ᵀ ∂L/∂z_t,
    ∂L/∂b = Σ_{n,t} ∂L/∂z_t. Work buffers: dz, h_shift (N, T, H); dh_next, step (N, H).
    The CPU's ``partial_*`` sums are ignored.
    """
    steps = x.shape[1]
    launch = elementwise(step.size)
    for t in range(steps - 1, -1, -1):
        _rnn_step_backward[launch](dh, h, dh_next, dz, step, t, t == steps - 1)
        matmul(step, W_hh, dh0 if t == 0 else dh_next, transpose_b=True)
    _weight_gradients(dz, x, h, h0, h_shift, W_xh, dx, dW_xh, dW_hh, db)


# -- LSTM -----------------------------------------------------------------------------------------------
# Thread k = n·H + j computes unit j of sample n at step t: its four gates gates[n, t, j + {0, H, 2H, 3H}]
# (x_t W + b on entry), c[n, t, j], h[n, t, j] and its copy h_prev[n, j].
@cuda.jit(cache=True)
def _lstm_step(gates, z, c0, c, h, h_prev, t):
    units = h.shape[2]
    k = cuda.grid(1)
    if k < h_prev.size:
        n, j = k // units, k % units
        one = h.dtype.type(1)
        i = _sigmoid(gates[n, t, j] + z[n, j], one)
        f = _sigmoid(gates[n, t, units + j] + z[n, units + j], one)
        candidate = math.tanh(gates[n, t, 2 * units + j] + z[n, 2 * units + j])
        o = _sigmoid(gates[n, t, 3 * units + j] + z[n, 3 * units + j], one)
        gates[n, t, j] = i
        gates[n, t, units + j] = f
        gates[n, t, 2 * units + j] = candidate
        gates[n, t, 3 * units + j] = o
        previous = c0[n, j] if t == 0 else c[n, t - 1, j]
        cell = f * previous + i * candidate
        c[n, t, j] = cell
        state = o * math.tanh(cell)
        h[n, t, j] = state
        h_prev[n, j] = state


def lstm_forward(x, W, U, b, h0, c0, h, c, gates, h_prev, c_prev, z, blocks):
    """The LSTM over the whole sequence; gates (N, T, 4H) keeps [i, f, c̃, o] after their activations:

    [i, f, c̃, o] = [σ, σ, tanh, σ](x_t W + h_{t−1} U + b),
    c_t = f ⊙ c_{t−1} + i ⊙ c̃,  h_t = o ⊙ tanh(c_t).

    ``h_prev`` (N, H) and ``z`` (N, 4H) are work buffers (h_{t−1} and h_{t−1} U); ``c_prev`` is not
    needed (the step kernel reads c_{t−1} from c) and ``blocks`` (CPU threads) is ignored.
    """
    steps = x.shape[1]
    matmul(_flat(x), W, _flat(gates), bias=b)
    launch = elementwise(h_prev.size)
    for t in range(steps):
        matmul(h0 if t == 0 else h_prev, U, z)
        _lstm_step[launch](gates, z, c0, c, h, h_prev, t)


# Thread k = n·H + j computes the four ∂L/∂z of unit j of sample n at step t into dz[n, t, ·] and step[n, ·],
# and δc_t ⊙ f_t into cell_out[n, j]. dh_next, dc_next hold what step t + 1 passed back; at the last
# step (``last``) there is nothing from the right but dc_last.
@cuda.jit(cache=True)
def _lstm_step_backward(dh, dc_last, c, gates, c0, dh_next, dc_next, dz, step, cell_out, t, last):
    units = c.shape[2]
    k = cuda.grid(1)
    if k < dh_next.size:
        n, j = k // units, k % units
        one = c.dtype.type(1)
        i, f = gates[n, t, j], gates[n, t, units + j]
        candidate, o = gates[n, t, 2 * units + j], gates[n, t, 3 * units + j]
        squashed = math.tanh(c[n, t, j])
        previous = c0[n, j] if t == 0 else c[n, t - 1, j]
        dh_t = dh[n, t, j] if last else dh[n, t, j] + dh_next[n, j]
        dc_t = (dc_last[n, j] if last else dc_next[n, j]) + dh_t * o * (one - squashed * squashed)
        dz_i = dc_t * candidate * i * (one - i)
        dz_f = dc_t * previous * f * (one - f)
        dz_c = dc_t * i * (one - candidate * candidate)
        dz_o = dh_t * squashed * o * (one - o)
        dz[n, t, j], step[n, j] = dz_i, dz_i
        dz[n, t, units + j], step[n, units + j] = dz_f, dz_f
        dz[n, t, 2 * units + j], step[n, 2 * units + j] = dz_c, dz_c
        dz[n, t, 3 * units + j], step[n, 3 * units + j] = dz_o, dz_o
        cell_out[n, j] = dc_t * f


def lstm_backward(dh, dc_last, x, h, c, gates, h0, c0, W, U, dx, dW, dU, db, dh0, dc0,
                  dz, h_shift, dh_next, dc_next, step, partial_dW, partial_dU, partial_db):
    """Backpropagation through time of the LSTM, given dh = ∂L/∂h_t for every t and
    dc_last = ∂L/∂c_{T−1} from outside. Going back in time, with δh_t = dh_t + ∂L/∂z_{t+1} Uᵀ:

    δc_t = δc_{t+1} ⊙ f_{t+1} + δh_t ⊙ o ⊙ (1 − tanh²c_t),
    ∂L/∂z_i = δc_t ⊙ c̃ ⊙ i(1 − i),  ∂L/∂z_f = δc_t ⊙ c_{t−1} ⊙ f(1 − f),
    ∂L/∂z_c̃ = δc_t ⊙ i ⊙ (1 − c̃²),  ∂L/∂z_o = δh_t ⊙ tanh(c_t) ⊙ o(1 − o);

    then ∂L/∂x, ∂L/∂W, ∂L/∂U, ∂L/∂b as for the RNN, ∂L/∂h0 = ∂L/∂z_0 Uᵀ, ∂L/∂c0 = δc_0 ⊙ f_0.
    Work buffers: dz (N, T, 4H), h_shift (N, T, H), dh_next, dc_next (N, H), step (N, 4H).
    The CPU's ``partial_*`` sums are ignored.
    """
    steps = x.shape[1]
    launch = elementwise(dh_next.size)
    for t in range(steps - 1, -1, -1):
        _lstm_step_backward[launch](dh, dc_last, c, gates, c0, dh_next, dc_next, dz, step,
                                    dc0 if t == 0 else dc_next, t, t == steps - 1)
        matmul(step, U, dh0 if t == 0 else dh_next, transpose_b=True)
    _weight_gradients(dz, x, h, h0, h_shift, W, dx, dW, dU, db)
