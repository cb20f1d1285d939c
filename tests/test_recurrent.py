"""Recurrent nets (lecture 004 §6): the RNN and LSTM cells and sequences, their BPTT
backward passes against finite differences (float64), float32, validation, the layers
inside ``Sequential`` and a tiny training run."""

from __future__ import annotations

import numpy as np
import pytest

from engine.functional.recurrent import (
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
)
from engine.gradcheck import check_model_gradients
from engine.layers.linear import Dense
from engine.layers.recurrent import LSTM, Bidirectional, SimpleRNN, TimeDistributedDense
from engine.model import Sequential
from engine.optimizers import Adam


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def reference_rnn(x, W_xh, W_hh, b, h0):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b)
        states.append(h)
    return np.stack(states, axis=1)


def reference_lstm_step(x_t, h, c, kernel, recurrent, bias):
    """The lecture's gates, each with its own slice of the stacked [i, f, c̃, o] weights."""
    H = h.shape[1]

    def gate(k):
        part = slice(k * H, (k + 1) * H)
        return x_t @ kernel[:, part] + h @ recurrent[:, part] + bias[part]

    i, f, candidate, o = sigmoid(gate(0)), sigmoid(gate(1)), np.tanh(gate(2)), sigmoid(gate(3))
    c = f * c + i * candidate
    return o * np.tanh(c), c, np.concatenate([i, f, candidate, o], axis=1)


def reference_lstm(x, kernel, recurrent, bias, h, c):
    hs, cs = [], []
    for t in range(x.shape[1]):
        h, c, _ = reference_lstm_step(x[:, t], h, c, kernel, recurrent, bias)
        hs.append(h)
        cs.append(c)
    return np.stack(hs, axis=1), np.stack(cs, axis=1)


def close(actual, expected, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def check_gradients(numgrad, loss, arrays, analytic, tol=1e-6):
    """Each analytic gradient against central differences of the scalar ``loss()``."""
    for name, (array, grad) in zip(arrays, zip(arrays.values(), analytic)):
        assert grad.shape == array.shape, name
        numeric = numgrad(lambda _: loss(), array)
        err = np.max(np.abs(numeric - grad)) / max(np.max(np.abs(numeric)), 1e-3)
        assert err < tol, f"{name}: relative error {err:.2e}"


def rnn_problem(rng, N=3, T=4, D=3, H=5, dtype=np.float64):
    return dict(x=rng.standard_normal((N, T, D)).astype(dtype),
                W_xh=(rng.standard_normal((D, H)) * 0.6).astype(dtype),
                W_hh=(rng.standard_normal((H, H)) * 0.5).astype(dtype),
                b=(rng.standard_normal(H) * 0.3).astype(dtype),
                h0=rng.standard_normal((N, H)).astype(dtype))


def lstm_problem(rng, N=3, T=4, D=3, H=4, dtype=np.float64):
    return dict(x=rng.standard_normal((N, T, D)).astype(dtype),
                kernel=(rng.standard_normal((D, 4 * H)) * 0.6).astype(dtype),
                recurrent_kernel=(rng.standard_normal((H, 4 * H)) * 0.5).astype(dtype),
                bias=(rng.standard_normal(4 * H) * 0.3).astype(dtype),
                h0=rng.standard_normal((N, H)).astype(dtype),
                c0=rng.standard_normal((N, H)).astype(dtype))


# -- simple RNN --------------------------------------------------------------------------------------
def test_rnn_cell_forward_and_backward(rng, numgrad):
    p = rnn_problem(rng)
    x_t, h_prev = p["x"][:, 0].copy(), p["h0"]
    h = rnn_cell_forward(x_t, h_prev, p["W_xh"], p["W_hh"], p["b"])
    close(h, np.tanh(x_t @ p["W_xh"] + h_prev @ p["W_hh"] + p["b"]))
    dh = rng.standard_normal(h.shape)
    grads = rnn_cell_backward(dh, x_t, h_prev, h, p["W_xh"], p["W_hh"])
    inputs = {"x_t": x_t, "h_prev": h_prev, "W_xh": p["W_xh"], "W_hh": p["W_hh"], "b": p["b"]}
    check_gradients(numgrad, lambda: np.sum(rnn_cell_forward(*inputs.values()) * dh), inputs, grads)


@pytest.mark.parametrize("given_h0", [True, False])
def test_rnn_sequence_forward_and_bptt(rng, numgrad, given_h0):
    p = rnn_problem(rng)
    h0 = p["h0"] if given_h0 else None
    h = rnn_forward(p["x"], p["W_xh"], p["W_hh"], p["b"], h0)
    close(h, reference_rnn(p["x"], p["W_xh"], p["W_hh"], p["b"], p["h0"] if given_h0 else 0 * p["h0"]))
    dh = rng.standard_normal(h.shape)
    grads = rnn_backward(dh, p["x"], h, p["W_xh"], p["W_hh"], h0)
    inputs = {k: p[k] for k in ("x", "W_xh", "W_hh", "b", "h0")}
    if not given_h0:
        p["h0"][...] = 0  # the gradient at h0 = 0 is still returned

    def loss():
        return np.sum(rnn_forward(p["x"], p["W_xh"], p["W_hh"], p["b"], p["h0"]) * dh)

    check_gradients(numgrad, loss, inputs, grads)


def test_rnn_backward_only_last_state(rng, numgrad):
    """Many-to-one: only h_{T−1} reaches the loss; its gradient flows back through every step."""
    p = rnn_problem(rng, T=5)
    h = rnn_forward(p["x"], p["W_xh"], p["W_hh"], p["b"])
    dlast = rng.standard_normal((h.shape[0], h.shape[2]))
    dh = np.zeros_like(h)
    dh[:, -1] = dlast
    dx, dW_xh, *_ = rnn_backward(dh, p["x"], h, p["W_xh"], p["W_hh"])
    assert np.all(np.abs(dx[:, 0]) > 0)
    numeric = numgrad(lambda _: np.sum(rnn_forward(p["x"], p["W_xh"], p["W_hh"], p["b"])[:, -1] * dlast), p["x"])
    close(dx, numeric, rtol=1e-6, atol=1e-8)


# -- LSTM --------------------------------------------------------------------------------------------
def test_lstm_cell_forward_and_backward(rng, numgrad):
    p = lstm_problem(rng)
    x_t = p["x"][:, 0].copy()
    weights = (p["kernel"], p["recurrent_kernel"], p["bias"])
    h, c, gates = lstm_cell_forward(x_t, p["h0"], p["c0"], *weights)
    h_ref, c_ref, gates_ref = reference_lstm_step(x_t, p["h0"], p["c0"], *weights)
    close(h, h_ref)
    close(c, c_ref)
    close(gates, gates_ref)
    dh, dc = rng.standard_normal(h.shape), rng.standard_normal(c.shape)
    grads = lstm_cell_backward(dh, dc, x_t, p["h0"], p["c0"], c, gates, p["kernel"], p["recurrent_kernel"])
    inputs = {"x_t": x_t, "h_prev": p["h0"], "c_prev": p["c0"], "kernel": p["kernel"],
              "recurrent_kernel": p["recurrent_kernel"], "bias": p["bias"]}

    def loss():
        h_, c_, _ = lstm_cell_forward(*inputs.values())
        return np.sum(h_ * dh) + np.sum(c_ * dc)

    check_gradients(numgrad, loss, inputs, grads)


@pytest.mark.parametrize("given_states", [True, False])
def test_lstm_sequence_forward_and_bptt(rng, numgrad, given_states):
    p = lstm_problem(rng, T=5)
    if not given_states:
        p["h0"][...] = 0
        p["c0"][...] = 0
    h0, c0 = (p["h0"], p["c0"]) if given_states else (None, None)
    weights = (p["kernel"], p["recurrent_kernel"], p["bias"])
    h, c, gates = lstm_forward(p["x"], *weights, h0=h0, c0=c0)
    h_ref, c_ref = reference_lstm(p["x"], *weights, p["h0"], p["c0"])
    close(h, h_ref)
    close(c, c_ref)
    assert gates.shape == (3, 5, 16)
    dh, dc_last = rng.standard_normal(h.shape), rng.standard_normal(h.shape[::2])
    grads = lstm_backward(dh, p["x"], h, c, gates, p["kernel"], p["recurrent_kernel"], h0, c0, dc_last=dc_last)
    inputs = {k: p[k] for k in ("x", "kernel", "recurrent_kernel", "bias", "h0", "c0")}

    def loss():
        h_, c_, _ = lstm_forward(p["x"], p["kernel"], p["recurrent_kernel"], p["bias"], p["h0"], p["c0"])
        return np.sum(h_ * dh) + np.sum(c_[:, -1] * dc_last)

    check_gradients(numgrad, loss, inputs, grads)


def test_lstm_extreme_inputs_stay_finite(rng):
    p = lstm_problem(rng)
    x = p["x"] * 1e4
    h, c, gates = lstm_forward(x, p["kernel"], p["recurrent_kernel"], p["bias"])
    with np.errstate(over="ignore"):
        h_ref, c_ref = reference_lstm(x, p["kernel"], p["recurrent_kernel"], p["bias"], 0 * p["h0"], 0 * p["c0"])
    assert np.all(np.isfinite(h)) and np.all(np.isfinite(gates))
    close(h, h_ref)


def test_tanh_of_small_arguments_is_relatively_exact(rng):
    """The kernels' tanh switches to its Taylor series near 0: tiny states keep full relative precision."""
    p = rnn_problem(rng, H=4)
    x = p["x"] * 1e-9
    h = rnn_forward(x, p["W_xh"], p["W_hh"], 0 * p["b"])
    close(h, reference_rnn(x, p["W_xh"], p["W_hh"], 0 * p["b"], 0 * p["h0"]), rtol=1e-14, atol=0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kernel_nonlinearities_over_a_wide_range(rng, dtype):
    """The kernels compute e^x themselves (vectorised): with one step, W = I and zero recurrence,
    the RNN state is tanh(x) and the LSTM's gates are σ(x), σ(x), tanh(x), σ(x) exactly."""
    values = np.concatenate([rng.standard_normal(200) * 4, rng.standard_normal(50) * 1e-6, np.logspace(-30, 4, 60),
                             -np.logspace(-30, 4, 60), [0.0, 1 / 32, -1 / 32, 88.0, -88.0, 750.0, -750.0, 1e30]])
    x = values.astype(dtype).reshape(1, 1, -1)
    values = x.reshape(-1).astype(np.float64)  # the inputs the kernel sees, exactly
    D = x.shape[2]
    identity, zeros = np.eye(D, dtype=dtype), np.zeros((D, D), dtype)
    h = rnn_forward(x, identity, zeros, np.zeros(D, dtype))
    exact = np.tanh(values.astype(np.float64))
    ulp = np.finfo(dtype).eps
    np.testing.assert_allclose(h[0, 0], exact, rtol=8 * ulp, atol=0)
    e = np.exp(-np.abs(values))
    sig = np.where(values >= 0, 1, e) / (1 + e)
    *_, gates = lstm_forward(x, np.tile(identity, 4), np.zeros((D, 4 * D), dtype), np.zeros(4 * D, dtype))
    tiny = 16 * np.finfo(dtype).tiny  # e^x is raised to about the smallest normal number below it
    for k, expected in enumerate([sig, sig, exact, sig]):
        got = gates[0, 0, k * D : (k + 1) * D]
        np.testing.assert_allclose(got, expected, rtol=8 * ulp, atol=tiny)
    nan = np.full((1, 1, 2), np.nan, dtype)
    assert np.all(np.isnan(rnn_forward(nan, np.eye(2, dtype=dtype), np.zeros((2, 2), dtype), np.zeros(2, dtype))))


# -- float32 -------------------------------------------------------------------------------------
def test_float32_is_preserved_and_close_to_float64(rng):
    p64 = lstm_problem(rng)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    outs = lstm_forward(p32["x"], p32["kernel"], p32["recurrent_kernel"], p32["bias"], p32["h0"], p32["c0"])
    ref = lstm_forward(p64["x"], p64["kernel"], p64["recurrent_kernel"], p64["bias"], p64["h0"], p64["c0"])
    for out, expected in zip(outs, ref):
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    dh = rng.standard_normal(outs[0].shape)
    grads = lstm_backward(dh.astype(np.float32), p32["x"], *outs, p32["kernel"], p32["recurrent_kernel"],
                          p32["h0"], p32["c0"])
    grads64 = lstm_backward(dh, p64["x"], *ref, p64["kernel"], p64["recurrent_kernel"], p64["h0"], p64["c0"])
    for g, expected in zip(grads, grads64):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, expected, rtol=1e-3, atol=1e-4)
    r = {k: v.astype(np.float32) for k, v in rnn_problem(rng).items()}
    h = rnn_forward(r["x"], r["W_xh"], r["W_hh"], r["b"], r["h0"])
    assert h.dtype == np.float32
    assert all(g.dtype == np.float32 for g in rnn_backward(h, r["x"], h, r["W_xh"], r["W_hh"], r["h0"]))


# -- validation --------------------------------------------------------------------------------------
def test_validation_errors(rng):
    p = rnn_problem(rng)
    x, W_xh, W_hh, b = p["x"], p["W_xh"], p["W_hh"], p["b"]
    with pytest.raises(ValueError, match="x must have 3 dimensions"):
        rnn_forward(x[:, 0], W_xh, W_hh, b)
    with pytest.raises(ValueError, match=r"W_xh must have shape \(3, 5\)"):
        rnn_forward(x, W_xh[:2], W_hh, b)
    with pytest.raises(ValueError, match="W_hh must have shape"):
        rnn_forward(x, W_xh, W_hh[:, :4], b)
    with pytest.raises(ValueError, match="h0 must have shape"):
        rnn_forward(x, W_xh, W_hh, b, h0=p["h0"][:, :2])
    with pytest.raises(TypeError, match="share one dtype"):
        rnn_forward(x.astype(np.float32), W_xh, W_hh, b)
    with pytest.raises(ValueError, match="empty batch"):
        rnn_forward(x[:0], W_xh, W_hh, b)
    with pytest.raises(ValueError, match="no time steps"):
        rnn_forward(x[:, :0], W_xh, W_hh, b)
    with pytest.raises(TypeError, match="float32 or float64"):
        rnn_forward(x.astype(int), W_xh, W_hh, b)
    h = rnn_forward(x, W_xh, W_hh, b)
    with pytest.raises(ValueError, match="dh must have shape"):
        rnn_backward(h[:, 1:], x, h, W_xh, W_hh)
    q = lstm_problem(rng)
    with pytest.raises(ValueError, match="kernel must have shape"):
        lstm_forward(q["x"], q["kernel"][:, :8], q["recurrent_kernel"], q["bias"])
    with pytest.raises(ValueError, match="recurrent_kernel must have shape"):
        lstm_forward(q["x"], q["kernel"], q["recurrent_kernel"][:, :8], q["bias"])
    with pytest.raises(ValueError, match="bias must have shape"):
        lstm_forward(q["x"], q["kernel"], q["recurrent_kernel"], q["bias"][:4])
    with pytest.raises(ValueError, match="c0 must have shape"):
        lstm_forward(q["x"], q["kernel"], q["recurrent_kernel"], q["bias"], c0=q["c0"][:1])
    hs, cs, gates = lstm_forward(q["x"], q["kernel"], q["recurrent_kernel"], q["bias"])
    with pytest.raises(ValueError, match="gates must have shape"):
        lstm_backward(hs, q["x"], hs, cs, cs, q["kernel"], q["recurrent_kernel"])
    with pytest.raises(ValueError, match="x_t must have 2 dimensions"):
        lstm_cell_forward(q["x"], None, None, q["kernel"], q["recurrent_kernel"], q["bias"])
    with pytest.raises(ValueError, match="Sequences|sequences"):
        Sequential([LSTM(4)], input_shape=(5,))
    with pytest.raises(TypeError, match="SimpleRNN or an LSTM"):
        Bidirectional(Dense(3))


# -- layers ------------------------------------------------------------------------------------------
LAYERS = {
    "rnn": lambda seq: SimpleRNN(4, return_sequences=seq),
    "lstm": lambda seq: LSTM(3, return_sequences=seq, unit_forget_bias=True),
    "bidirectional rnn": lambda seq: Bidirectional(SimpleRNN(3, return_sequences=seq)),
    "bidirectional lstm": lambda seq: Bidirectional(LSTM(3, return_sequences=seq)),
}


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("kind", list(LAYERS))
def test_layer_gradients_inside_sequential(rng, kind, return_sequences):
    T, D = 4, 3
    layers = [LAYERS[kind](return_sequences)]
    layers.append(TimeDistributedDense(2, activation="tanh") if return_sequences else Dense(2))
    model = Sequential(layers, input_shape=(T, D), seed=int(rng.integers(1 << 30)), dtype=np.float64)
    x = rng.standard_normal((3, T, D))
    target = 3 * rng.standard_normal((3,) + model.output_shape)
    result = check_model_gradients(model, x, target, "mse", max_entries=12)
    assert set(result.errors) == {f"{layer.name}.{name}" for layer in model.layers for name in layer.params}
    assert result.passed, str(result)
    assert model.forward(x).shape == (3,) + model.output_shape


@pytest.mark.parametrize("return_sequences", [True, False])
def test_bidirectional_is_two_directions_concatenated(rng, return_sequences):
    layer = Bidirectional(LSTM(3, return_sequences=return_sequences))
    model = Sequential([layer], input_shape=(5, 2), dtype=np.float64, seed=1)
    assert sorted(model.state_dict()) == sorted(
        f"{layer.name}.{d}.{p}" for d in ("forward", "backward") for p in ("kernel", "recurrent_kernel", "bias"))
    assert len(model.parameters()) == 6
    forward_kernel, backward_kernel = layer.params["forward.kernel"].value, layer.params["backward.kernel"].value
    assert not np.allclose(forward_kernel, backward_kernel)  # independent weights
    x = rng.standard_normal((2, 5, 2))
    y = model.forward(x)
    weights = {d: [layer.params[f"{d}.{p}"].value for p in ("kernel", "recurrent_kernel", "bias")]
               for d in ("forward", "backward")}
    ahead = lstm_forward(x, *weights["forward"])[0]
    behind = lstm_forward(np.ascontiguousarray(x[:, ::-1]), *weights["backward"])[0]
    if return_sequences:
        close(y, np.concatenate([ahead, behind[:, ::-1]], axis=-1))
    else:
        close(y, np.concatenate([ahead[:, -1], behind[:, -1]], axis=-1))


def test_initialisation(rng):
    rnn, lstm, keras_lstm = SimpleRNN(6), LSTM(5), LSTM(5, unit_forget_bias=True)
    for layer in (rnn, lstm, keras_lstm):
        layer.build((4, 3), rng, np.float64)
    h = rng.standard_normal((7, 6))
    W_hh = rnn.params["W_hh"].value
    close(np.linalg.norm(h @ W_hh, axis=1), np.linalg.norm(h, axis=1))  # ‖h W_hh‖ = ‖h‖
    U = lstm.params["recurrent_kernel"].value
    assert U.shape == (5, 20) and U.flags.c_contiguous
    h = rng.standard_normal((7, 5))
    close(np.linalg.norm(h @ U, axis=1), np.linalg.norm(h, axis=1))  # orthonormal rows: U Uᵀ = I
    close(U @ U.T, np.eye(5), atol=1e-12)
    close(W_hh.T @ W_hh, np.eye(6), atol=1e-12)
    assert np.all(rnn.params["b"].value == 0) and np.all(lstm.params["bias"].value == 0)
    bias = keras_lstm.params["bias"].value
    assert np.all(bias[5:10] == 1) and np.all(bias[:5] == 0) and np.all(bias[10:] == 0)
    assert rnn.params["W_hh"].decay and not rnn.params["b"].decay


def test_float32_model_stays_float32(rng):
    model = Sequential([Bidirectional(SimpleRNN(4, return_sequences=True)), TimeDistributedDense(3)],
                       input_shape=(5, 2))
    x = rng.standard_normal((2, 5, 2)).astype(np.float32)
    y = model.forward(x)
    assert y.dtype == np.float32 and y.shape == (2, 5, 3)
    dx = model.backward(np.ones_like(y))
    assert dx.dtype == np.float32 and all(p.grad.dtype == np.float32 for p in model.parameters())


def test_training_learns_the_sign_of_the_sum(rng):
    x = rng.standard_normal((256, 8, 1)).astype(np.float32)
    y = (x.sum(axis=(1, 2)) > 0).astype(np.int64)
    model = Sequential([LSTM(8), Dense(2, activation="softmax")], input_shape=(8, 1), seed=0)
    history = model.fit(x, y, "cross_entropy", Adam(0.02), epochs=12, batch_size=32, verbose=False)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["accuracy"][-1] > 0.9


def test_per_step_softmax_cross_entropy_gradients(rng):
    """A sequence tagger: softmax per step, cross-entropy over (N, T) integer labels."""
    model = Sequential([Bidirectional(LSTM(3, return_sequences=True)), TimeDistributedDense(4, activation="softmax")],
                       input_shape=(5, 2), seed=int(rng.integers(1 << 30)), dtype=np.float64)
    x, labels = rng.standard_normal((3, 5, 2)), rng.integers(0, 4, (3, 5))
    result = check_model_gradients(model, x, labels, "cross_entropy", max_entries=12)
    assert result.passed, str(result)


def test_per_step_classification_trains(rng):
    """Label each step with the sign of the running sum: needs the state (return_sequences + softmax per step)."""
    x = rng.standard_normal((256, 6, 1)).astype(np.float32)
    y = (np.cumsum(x[..., 0], axis=1) > 0).astype(np.int64)
    model = Sequential([SimpleRNN(8, return_sequences=True), TimeDistributedDense(2, activation="softmax")],
                       input_shape=(6, 1), seed=0)
    history = model.fit(x, y, "cross_entropy", Adam(0.02), epochs=10, batch_size=32, verbose=False)
    predicted = np.argmax(model.predict(x), axis=-1)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert np.mean(predicted == y) > 0.85


def test_bidirectional_mode_reaches_both_directions():
    layer = Bidirectional(SimpleRNN(2))
    model = Sequential([layer], input_shape=(3, 1))
    model.eval()
    assert not layer.forward_layer.training and not layer.backward_layer.training
    model.train()
    assert layer.forward_layer.training and layer.backward_layer.training
