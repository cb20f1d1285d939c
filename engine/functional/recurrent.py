"""Recurrent nets, functional form: the simple RNN and the LSTM (lecture 004 §6).

Sequences are batch-first: x (N, T, D); states h (N, T, H); initial states
h0, c0 (N, H), zero when not given. Both nets come as a single-step *cell*
pair and a whole-*sequence* pair; the sequence backward is full
backpropagation through time, given ∂L/∂h_t for every t (put zeros where a
state does not reach the loss, e.g. all but the last for a many-to-one net).

Simple RNN (the lecture's h_t = σ(W_xh x_t + W_hh h_{t−1} + b_h) with σ = tanh,
written for row vectors):

    h_t = tanh(x_t W_xh + h_{t−1} W_hh + b),  W_xh (D, H), W_hh (H, H), b (H,).

LSTM (the lecture's gates; stacked in one matrix in Keras' order [i, f, c̃, o]):

    i_t = σ(x_t W_i + h_{t−1} U_i + b_i)        (input gate)
    f_t = σ(x_t W_f + h_{t−1} U_f + b_f)        (forget gate)
    c̃_t = tanh(x_t W_c + h_{t−1} U_c + b_c)     (candidate cell state)
    o_t = σ(x_t W_o + h_{t−1} U_o + b_o)        (output gate)
    c_t = f_t ⊙ c_{t−1} + i_t ⊙ c̃_t,  h_t = o_t ⊙ tanh(c_t),

    kernel = [W_i | W_f | W_c | W_o] (D, 4H), recurrent_kernel = [U_i | … | U_o] (H, 4H),
    bias = [b_i | b_f | b_c | b_o] (4H,).

PyTorch's ``nn.LSTM`` stores the same gates as [i, f, g, o] in weight_ih (4H, D),
weight_hh (4H, H) and two biases: kernel = weight_ihᵀ, recurrent_kernel =
weight_hhᵀ, bias = bias_ih + bias_hh.
"""

from __future__ import annotations

from .. import validation as check
from ..backends import backend_for
from .scratch import scratch, thread_blocks


# -- checks --------------------------------------------------------------------------------------
def _sequence(name, x):
    x = check.float_array(name, x, ndim=3)
    if x.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch (shape {x.shape}); expected at least one sequence")
    if x.shape[1] == 0:
        raise ValueError(f"{name} has no time steps (shape {x.shape}); expected T ≥ 1 in (N, T, D)")
    return x


def _step_input(name, x_t):
    x_t = check.float_array(name, x_t, ndim=2)
    check.non_empty_batch(name, x_t)
    return x_t


def _weights(x, kernel, recurrent, bias, names, gates):
    """kernel (D, gates·H), recurrent (H, gates·H), bias (gates·H,) for x (N, T, D)."""
    kernel = check.float_array(names[0], kernel, ndim=2)
    recurrent = check.float_array(names[1], recurrent, ndim=2)
    units = recurrent.shape[0]
    if units == 0 or recurrent.shape[1] != gates * units:
        stacked = "H" if gates == 1 else f"{gates}H"
        raise ValueError(f"{names[1]} must have shape (H, {stacked}) with H ≥ 1, got {recurrent.shape}")
    if kernel.shape != (x.shape[-1], gates * units):
        raise ValueError(
            f"{names[0]} must have shape ({x.shape[-1]}, {gates * units}): D = {x.shape[-1]} features of x "
            f"(shape {x.shape}) by {gates * units} = {'' if gates == 1 else f'{gates}·'}H units of "
            f"{names[1]} (shape {recurrent.shape}), got {kernel.shape}"
        )
    arrays = {"x": x, names[0]: kernel, names[1]: recurrent}
    if bias is not None:
        bias = check.float_array(names[2], bias, ndim=1)
        check.shape_equal(names[2], bias, (gates * units,), "one bias per row of the stacked units")
        arrays[names[2]] = bias
    check.same_dtype(**arrays)
    return kernel, recurrent, bias, units


def _state(name, value, n, units, x):
    """An initial state (N, H): zeros when ``value`` is None."""
    if value is None:
        return backend_for(x).zeros((n, units), x.dtype)
    return check.matching_array(name, value, (n, units), x, "(N, H): one state per sequence of the batch")


def _partials(purpose, blocks, shapes, dtype, be):
    return [scratch(f"recurrent.{purpose}.partial{k}", (blocks,) + tuple(s), dtype, be) for k, s in enumerate(shapes)]


# -- simple RNN ------------------------------------------------------------------------------------
def _rnn_forward(x, W_xh, W_hh, b, h0):
    be = backend_for(x)
    n, units = x.shape[0], W_hh.shape[0]
    h = be.empty((n, x.shape[1], units), x.dtype)
    h_prev = scratch("recurrent.rnn.h_prev", (n, units), x.dtype, be)
    z = scratch("recurrent.rnn.z", (n, units), x.dtype, be)
    be.recurrent.rnn_forward(x, W_xh, W_hh, b, h0, h, h_prev, z, thread_blocks(n))
    return h


def _rnn_backward(dh, x, h, W_xh, W_hh, h0):
    be = backend_for(x)
    (n, steps, _), units, dtype = x.shape, W_hh.shape[0], x.dtype
    blocks = thread_blocks(n)
    dx, dW_xh, dW_hh = be.empty(x.shape, dtype), be.empty(W_xh.shape, dtype), be.empty(W_hh.shape, dtype)
    db, dh0 = be.empty((units,), dtype), be.empty((n, units), dtype)
    dz = scratch("recurrent.rnn.dz", (n, steps, units), dtype, be)
    h_shift = scratch("recurrent.rnn.h_shift", (n, steps, units), dtype, be)
    dh_next = scratch("recurrent.rnn.dh_next", (n, units), dtype, be)
    step = scratch("recurrent.rnn.step", (n, units), dtype, be)
    partials = _partials("rnn", blocks, [W_xh.shape, W_hh.shape, (units,)], dtype, be)
    be.recurrent.rnn_backward(dh, x, h, h0, W_xh, W_hh, dx, dW_xh, dW_hh, db, dh0, dz, h_shift, dh_next, step,
                              *partials)
    return dx, dW_xh, dW_hh, db, dh0


_RNN_NAMES = ("W_xh", "W_hh", "b")


def rnn_forward(x, W_xh, W_hh, b, h0=None):
    """Every state of a simple RNN over x (N, T, D): h_t = tanh(x_t W_xh + h_{t−1} W_hh + b).

    W_xh (D, H), W_hh (H, H), b (H,); h0 (N, H) or None for zeros. Returns h (N, T, H),
    h[:, t] being h_t (the state after reading x_0 … x_t); the last state is h[:, -1].
    """
    x = _sequence("x", x)
    W_xh, W_hh, b, units = _weights(x, W_xh, W_hh, b, _RNN_NAMES, 1)
    h0 = _state("h0", h0, x.shape[0], units, x)
    return _rnn_forward(x, W_xh, W_hh, b, h0)


def rnn_backward(dh, x, h, W_xh, W_hh, h0=None):
    """Backpropagation through time of ``rnn_forward``, given dh = ∂L/∂h_t for every t (N, T, H).

    With δ_t = (dh_t + δ_{t+1} W_hhᵀ) ⊙ (1 − h_t²) (δ_T = 0), returns (dx, dW_xh, dW_hh, db, dh0):
    dx_t = δ_t W_xhᵀ, dW_xh = Σ_t x_tᵀ δ_t, dW_hh = Σ_t h_{t−1}ᵀ δ_t, db = Σ_{n,t} δ_t, dh0 = δ_0 W_hhᵀ.
    ``h`` is the forward's output and ``h0`` the initial state it used (None: zeros); dh0 is
    returned either way.
    """
    x = _sequence("x", x)
    W_xh, W_hh, _, units = _weights(x, W_xh, W_hh, None, _RNN_NAMES, 1)
    shape = (x.shape[0], x.shape[1], units)
    h = check.matching_array("h", h, shape, x, "(N, T, H): the states rnn_forward returned")
    dh = check.matching_array("dh", dh, shape, x, "(N, T, H): the gradient with respect to every state")
    h0 = _state("h0", h0, x.shape[0], units, x)
    return _rnn_backward(dh, x, h, W_xh, W_hh, h0)


def rnn_cell_forward(x_t, h_prev, W_xh, W_hh, b):
    """One step of the simple RNN: h_t = tanh(x_t W_xh + h_{t−1} W_hh + b).

    x_t (N, D), h_prev (N, H) (None: zeros), W_xh (D, H), W_hh (H, H), b (H,); returns h_t (N, H).
    """
    x_t = _step_input("x_t", x_t)
    W_xh, W_hh, b, units = _weights(x_t, W_xh, W_hh, b, _RNN_NAMES, 1)
    h_prev = _state("h_prev", h_prev, x_t.shape[0], units, x_t)
    n, d = x_t.shape
    return _rnn_forward(x_t.reshape(n, 1, d), W_xh, W_hh, b, h_prev).reshape(n, units)


def rnn_cell_backward(dh, x_t, h_prev, h, W_xh, W_hh):
    """Gradients of one RNN step h = tanh(x_t W_xh + h_prev W_hh + b) given dh = ∂L/∂h (N, H).

    With δ = dh ⊙ (1 − h²), returns (dx_t, dh_prev, dW_xh, dW_hh, db) =
    (δ W_xhᵀ, δ W_hhᵀ, x_tᵀ δ, h_prevᵀ δ, Σ_n δ). ``h`` is the step's output.
    """
    x_t = _step_input("x_t", x_t)
    W_xh, W_hh, _, units = _weights(x_t, W_xh, W_hh, None, _RNN_NAMES, 1)
    n, d = x_t.shape
    h_prev = _state("h_prev", h_prev, n, units, x_t)
    h = check.matching_array("h", h, (n, units), x_t, "(N, H): the output of rnn_cell_forward")
    dh = check.matching_array("dh", dh, (n, units), x_t, "(N, H): the gradient with respect to the step's output")
    dx, dW_xh, dW_hh, db, dh_prev = _rnn_backward(
        dh.reshape(n, 1, units), x_t.reshape(n, 1, d), h.reshape(n, 1, units), W_xh, W_hh, h_prev)
    return dx.reshape(n, d), dh_prev, dW_xh, dW_hh, db


# -- LSTM -------------------------------------------------------------------------------------------
_LSTM_NAMES = ("kernel", "recurrent_kernel", "bias")


def _lstm_forward(x, kernel, recurrent, bias, h0, c0):
    be = backend_for(x)
    (n, steps, _), units, dtype = x.shape, recurrent.shape[0], x.dtype
    h, c = be.empty((n, steps, units), dtype), be.empty((n, steps, units), dtype)
    gates = be.empty((n, steps, 4 * units), dtype)
    h_prev = scratch("recurrent.lstm.h_prev", (n, units), dtype, be)
    c_prev = scratch("recurrent.lstm.c_prev", (n, units), dtype, be)
    z = scratch("recurrent.lstm.z", (n, 4 * units), dtype, be)
    be.recurrent.lstm_forward(x, kernel, recurrent, bias, h0, c0, h, c, gates, h_prev, c_prev, z, thread_blocks(n))
    return h, c, gates


def _lstm_backward(dh, dc_last, x, h, c, gates, kernel, recurrent, h0, c0):
    be = backend_for(x)
    (n, steps, _), units, dtype = x.shape, recurrent.shape[0], x.dtype
    blocks = thread_blocks(n)
    dx, dW, dU = be.empty(x.shape, dtype), be.empty(kernel.shape, dtype), be.empty(recurrent.shape, dtype)
    db, dh0, dc0 = be.empty((4 * units,), dtype), be.empty((n, units), dtype), be.empty((n, units), dtype)
    dz = scratch("recurrent.lstm.dz", (n, steps, 4 * units), dtype, be)
    h_shift = scratch("recurrent.lstm.h_shift", (n, steps, units), dtype, be)
    dh_next = scratch("recurrent.lstm.dh_next", (n, units), dtype, be)
    dc_next = scratch("recurrent.lstm.dc_next", (n, units), dtype, be)
    step = scratch("recurrent.lstm.step", (n, 4 * units), dtype, be)
    partials = _partials("lstm", blocks, [kernel.shape, recurrent.shape, (4 * units,)], dtype, be)
    be.recurrent.lstm_backward(dh, dc_last, x, h, c, gates, h0, c0, kernel, recurrent, dx, dW, dU, db, dh0, dc0,
                               dz, h_shift, dh_next, dc_next, step, *partials)
    return dx, dW, dU, db, dh0, dc0


def lstm_forward(x, kernel, recurrent_kernel, bias, h0=None, c0=None):
    """The LSTM over x (N, T, D) (formulas in the module docstring).

    kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,), gates stacked [i, f, c̃, o];
    h0, c0 (N, H) or None for zeros. Returns (h, c, gates): the hidden states h (N, T, H)
    (h[:, -1] is the last), the cell states c (N, T, H) and the gate activations
    gates (N, T, 4H) = [i | f | c̃ | o] after their sigmoid / tanh: what ``lstm_backward`` needs.
    """
    x = _sequence("x", x)
    kernel, recurrent_kernel, bias, units = _weights(x, kernel, recurrent_kernel, bias, _LSTM_NAMES, 4)
    h0 = _state("h0", h0, x.shape[0], units, x)
    c0 = _state("c0", c0, x.shape[0], units, x)
    return _lstm_forward(x, kernel, recurrent_kernel, bias, h0, c0)


def lstm_backward(dh, x, h, c, gates, kernel, recurrent_kernel, h0=None, c0=None, dc_last=None):
    """Backpropagation through time of ``lstm_forward`` given dh = ∂L/∂h_t for every t (N, T, H).

    ``dc_last`` (N, H) is an optional gradient with respect to the last cell state c_{T−1}
    (when the cell state itself is passed on; None: zero). Going back in time, with
    δh_t = dh_t + δz_{t+1} Uᵀ and δc_t = δc_{t+1} ⊙ f_{t+1} + δh_t ⊙ o_t ⊙ (1 − tanh² c_t):

        δz_i = δc_t ⊙ c̃_t ⊙ i_t(1 − i_t),   δz_f = δc_t ⊙ c_{t−1} ⊙ f_t(1 − f_t),
        δz_c̃ = δc_t ⊙ i_t ⊙ (1 − c̃_t²),      δz_o = δh_t ⊙ tanh(c_t) ⊙ o_t(1 − o_t),

    and returns (dx, dkernel, drecurrent_kernel, dbias, dh0, dc0) = (δz_t Wᵀ, Σ_t x_tᵀ δz_t,
    Σ_t h_{t−1}ᵀ δz_t, Σ_{n,t} δz_t, δz_0 Uᵀ, δc_0 ⊙ f_0). h, c and gates are what
    ``lstm_forward`` returned; h0, c0 the initial states it used (None: zeros).
    """
    x = _sequence("x", x)
    kernel, recurrent_kernel, _, units = _weights(x, kernel, recurrent_kernel, None, _LSTM_NAMES, 4)
    n, steps = x.shape[0], x.shape[1]
    states = (n, steps, units)
    h = check.matching_array("h", h, states, x, "(N, T, H): the hidden states lstm_forward returned")
    c = check.matching_array("c", c, states, x, "(N, T, H): the cell states lstm_forward returned")
    gates = check.matching_array("gates", gates, (n, steps, 4 * units), x,
                                 "(N, T, 4H): the gates lstm_forward returned")
    dh = check.matching_array("dh", dh, states, x, "(N, T, H): the gradient with respect to every hidden state")
    h0 = _state("h0", h0, n, units, x)
    c0 = _state("c0", c0, n, units, x)
    dc_last = _state("dc_last", dc_last, n, units, x)
    return _lstm_backward(dh, dc_last, x, h, c, gates, kernel, recurrent_kernel, h0, c0)


def lstm_cell_forward(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """One LSTM step (formulas in the module docstring): x_t (N, D), h_prev and c_prev (N, H) (None: zeros).

    Returns (h_t, c_t, gates): h_t = o ⊙ tanh(c_t), c_t = f ⊙ c_prev + i ⊙ c̃ (both (N, H)),
    and the gate activations gates (N, 4H) = [i | f | c̃ | o] that ``lstm_cell_backward`` needs.
    """
    x_t = _step_input("x_t", x_t)
    kernel, recurrent_kernel, bias, units = _weights(x_t, kernel, recurrent_kernel, bias, _LSTM_NAMES, 4)
    n, d = x_t.shape
    h_prev = _state("h_prev", h_prev, n, units, x_t)
    c_prev = _state("c_prev", c_prev, n, units, x_t)
    h, c, gates = _lstm_forward(x_t.reshape(n, 1, d), kernel, recurrent_kernel, bias, h_prev, c_prev)
    return h.reshape(n, units), c.reshape(n, units), gates.reshape(n, 4 * units)


def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, c, gates, kernel, recurrent_kernel):
    """Gradients of one LSTM step given dh = ∂L/∂h_t and dc = ∂L/∂c_t from the next step (None: 0).

    With δc = dc + dh ⊙ o ⊙ (1 − tanh² c_t) and δz as in ``lstm_backward`` (t = 0, c_{t−1} = c_prev),
    returns (dx_t, dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias) =
    (δz Wᵀ, δz Uᵀ, δc ⊙ f, x_tᵀ δz, h_prevᵀ δz, Σ_n δz). ``c`` and ``gates`` are the step's outputs.
    """
    x_t = _step_input("x_t", x_t)
    kernel, recurrent_kernel, _, units = _weights(x_t, kernel, recurrent_kernel, None, _LSTM_NAMES, 4)
    n, d = x_t.shape
    h_prev = _state("h_prev", h_prev, n, units, x_t)
    c_prev = _state("c_prev", c_prev, n, units, x_t)
    c = check.matching_array("c", c, (n, units), x_t, "(N, H): the cell state lstm_cell_forward returned")
    gates = check.matching_array("gates", gates, (n, 4 * units), x_t, "(N, 4H): the gates lstm_cell_forward returned")
    dh = check.matching_array("dh", dh, (n, units), x_t, "(N, H): the gradient with respect to h_t")
    dc = _state("dc", dc, n, units, x_t)
    dx, dW, dU, db, dh_prev, dc_prev = _lstm_backward(
        dh.reshape(n, 1, units), dc, x_t.reshape(n, 1, d), h_prev.reshape(n, 1, units), c.reshape(n, 1, units),
        gates.reshape(n, 1, 4 * units), kernel, recurrent_kernel, h_prev, c_prev)
    return dx.reshape(n, d), dh_prev, dc_prev, dW, dU, db


__all__ = [
    "rnn_forward", "rnn_backward", "rnn_cell_forward", "rnn_cell_backward",
    "lstm_forward", "lstm_backward", "lstm_cell_forward", "lstm_cell_backward",
]
