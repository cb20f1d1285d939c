"""The GPU's matrix product, dense layer and recurrent nets against numpy and the CPU backend, in float64.

Sizes are odd and mostly smaller than a 16×16 tile, with inner dimensions of 17 and 33
(one and two tiles plus a remainder) and outputs over two tiles wide, so that every
guard of the tiled product is crossed.
"""

import importlib

import numpy as np
import pytest
from backends_agree import assert_same, device, host, same_on_both

import engine.functional as F


@pytest.fixture(scope="module", autouse=True)
def simulator_arrays_like_real_ones():
    """The simulator's device arrays lack ``__cuda_array_interface__`` (how the engine recognises a
    device array) and their ``shape`` refuses negative indices, unlike numba's real device arrays:
    make them behave like the real ones while these tests run (nothing to do on a GPU)."""
    try:
        from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray
    except ImportError:  # pragma: no cover - not the simulator
        yield
        return
    saved = {name: FakeCUDAArray.__dict__.get(name) for name in ("__cuda_array_interface__", "shape")}
    if saved["__cuda_array_interface__"] is None:
        FakeCUDAArray.__cuda_array_interface__ = property(lambda self: {
            "shape": self._ary.shape, "typestr": self._ary.dtype.str, "data": (self._ary.ctypes.data, False),
            "strides": None if self._ary.flags.c_contiguous else self._ary.strides, "version": 3})
    FakeCUDAArray.shape = property(lambda self: tuple(self._ary.shape))
    yield
    for name, value in saved.items():
        if value is None:
            delattr(FakeCUDAArray, name)
        else:
            setattr(FakeCUDAArray, name, value)


# -- the tiled matrix product --------------------------------------------------------------------
@pytest.fixture
def products(cuda):
    """The GPU's matrix product module (internal: not one of the backend's families)."""
    return importlib.import_module("engine.backends.cuda.matmul")


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul_every_transpose_with_accumulate(cuda, products, rng, transpose_a, transpose_b):
    m, k, n = 3, 33, 5
    a = rng.standard_normal((k, m) if transpose_a else (m, k))
    b = rng.standard_normal((n, k) if transpose_b else (k, n))
    expected = (a.T if transpose_a else a) @ (b.T if transpose_b else b)
    out = device(np.full((m, n), np.nan))
    products.matmul(device(a), device(b), out, transpose_a=transpose_a, transpose_b=transpose_b)
    np.testing.assert_allclose(host(out), expected, rtol=1e-10, atol=1e-12)
    earlier = rng.standard_normal((m, n))
    out = device(earlier)
    products.matmul(device(a), device(b), out, transpose_a=transpose_a, transpose_b=transpose_b, accumulate=True)
    np.testing.assert_allclose(host(out), earlier + expected, rtol=1e-10, atol=1e-12)


def test_matmul_over_several_tiles_with_bias_and_relu(cuda, products, rng):
    m, k, n = 17, 17, 18  # 2 × 2 blocks, the last row and column of blocks partly outside
    a, b, bias = rng.standard_normal((m, k)), rng.standard_normal((k, n)), rng.standard_normal(n)
    out = cuda.empty((m, n), np.float64)
    products.matmul(device(a), device(b), out, bias=device(bias), relu=True)
    expected = np.maximum(a @ b + bias, 0)
    assert (expected == 0).any() and (expected > 0).any()
    np.testing.assert_allclose(host(out), expected, rtol=1e-10, atol=1e-12)


def test_matmul_keeps_float32(cuda, products, rng):
    a, b = rng.standard_normal((4, 17)), rng.standard_normal((5, 17))
    out = cuda.empty((4, 5), np.float32)
    products.matmul(device(a.astype(np.float32)), device(b.astype(np.float32)), out, transpose_b=True)
    assert out.dtype == np.float32
    np.testing.assert_allclose(host(out), a @ b.T, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("rows, columns", [(1, 1), (19, 35)])
def test_column_sums_with_and_without_accumulate(cuda, products, rng, rows, columns):
    a, earlier = rng.standard_normal((rows, columns)), rng.standard_normal(columns)
    out = device(np.full(columns, np.nan))
    products.column_sums(device(a), out)
    np.testing.assert_allclose(host(out), a.sum(axis=0), rtol=1e-10, atol=1e-12)
    out = device(earlier)
    products.column_sums(device(a), out, accumulate=True)
    np.testing.assert_allclose(host(out), earlier + a.sum(axis=0), rtol=1e-10, atol=1e-12)


# -- dense -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch, inputs, units, relu", [(1, 5, 7, True), (3, 17, 5, False), (3, 17, 5, True)])
def test_dense_forward_and_backward(cuda, rng, batch, inputs, units, relu):
    x, W, b = rng.standard_normal((batch, inputs)), rng.standard_normal((inputs, units)), rng.standard_normal(units)
    y, _ = same_on_both(F.dense_forward, x, W, b, relu=relu)
    dy = rng.standard_normal(y.shape)
    if relu:
        assert (y == 0).any() or batch == 1
        same_on_both(F.dense_backward, dy, x, W, relu_output=y)
    else:
        same_on_both(F.dense_backward, dy, x, W)


def test_dense_keeps_float32(cuda, rng):
    x, W, b = (rng.standard_normal(s).astype(np.float32) for s in ((3, 17), (17, 5), (5,)))
    y = F.dense_forward(device(x), device(W), device(b), relu=True)
    dy = rng.standard_normal((3, 5)).astype(np.float32)
    grads = F.dense_backward(device(dy), device(x), device(W), relu_output=y)
    expected = (F.dense_forward(x, W, b, relu=True),) + F.dense_backward(dy, x, W, relu_output=host(y))
    for got, want in zip((y,) + grads, expected):
        assert got.dtype == np.float32
        np.testing.assert_allclose(host(got), want, rtol=1e-4, atol=1e-5)


# -- simple RNN ------------------------------------------------------------------------------------
def _rnn_weights(rng, inputs, units):
    return rng.standard_normal((inputs, units)), 0.5 * rng.standard_normal((units, units)), rng.standard_normal(units)


@pytest.mark.parametrize("batch, steps, inputs, units, given_h0", [
    (3, 3, 5, 7, True), (1, 2, 1, 1, False),
])
def test_rnn_sequence_forward_and_bptt(cuda, rng, batch, steps, inputs, units, given_h0):
    x = rng.standard_normal((batch, steps, inputs))
    W_xh, W_hh, b = _rnn_weights(rng, inputs, units)
    h0 = rng.standard_normal((batch, units)) if given_h0 else None
    h, _ = same_on_both(F.rnn_forward, x, W_xh, W_hh, b, h0=h0)
    dh = rng.standard_normal(h.shape)
    dx, dW_xh, dW_hh, db, dh0 = same_on_both(F.rnn_backward, dh, x, h, W_xh, W_hh, h0=h0)[0]
    assert np.abs(dh0).max() > 0 and np.abs(dW_hh).max() > 0  # the recurrent paths were exercised


def test_rnn_cell_forward_and_backward(cuda, rng):
    x_t, h_prev = rng.standard_normal((3, 5)), rng.standard_normal((3, 7))
    W_xh, W_hh, b = _rnn_weights(rng, 5, 7)
    h, _ = same_on_both(F.rnn_cell_forward, x_t, h_prev, W_xh, W_hh, b)
    same_on_both(F.rnn_cell_backward, rng.standard_normal(h.shape), x_t, h_prev, h, W_xh, W_hh)


def test_rnn_keeps_float32(cuda, rng):
    x = rng.standard_normal((2, 2, 5)).astype(np.float32)
    W_xh, W_hh, b = (w.astype(np.float32) for w in _rnn_weights(rng, 5, 4))
    h = F.rnn_forward(device(x), device(W_xh), device(W_hh), device(b))
    dh = rng.standard_normal(h.shape).astype(np.float32)
    grads = F.rnn_backward(device(dh), device(x), h, device(W_xh), device(W_hh))
    expected_h = F.rnn_forward(x, W_xh, W_hh, b)
    expected = (expected_h,) + F.rnn_backward(dh, x, expected_h, W_xh, W_hh)
    for got, want in zip((h,) + grads, expected):
        assert got.dtype == np.float32
        np.testing.assert_allclose(host(got), want, rtol=1e-4, atol=1e-5)


# -- LSTM ------------------------------------------------------------------------------------------
def _lstm_weights(rng, inputs, units):
    return (rng.standard_normal((inputs, 4 * units)), 0.5 * rng.standard_normal((units, 4 * units)),
            rng.standard_normal(4 * units))


@pytest.mark.parametrize("batch, steps, inputs, units, given_states", [
    (3, 3, 5, 7, True), (1, 1, 17, 1, False),
])
def test_lstm_sequence_forward_and_bptt(cuda, rng, batch, steps, inputs, units, given_states):
    x = rng.standard_normal((batch, steps, inputs))
    W, U, b = _lstm_weights(rng, inputs, units)
    states = {}
    if given_states:
        states = {name: rng.standard_normal((batch, units)) for name in ("h0", "c0")}
    (h, c, gates), _ = same_on_both(F.lstm_forward, x, W, U, b, **states)
    dh = rng.standard_normal(h.shape)
    if given_states:
        states["dc_last"] = rng.standard_normal((batch, units))
    grads, _ = same_on_both(F.lstm_backward, dh, x, h, c, gates, W, U, **states)
    assert np.abs(grads[4]).max() > 0 and np.abs(grads[5]).max() > 0  # dh0 and dc0 reached


def test_lstm_cell_forward_and_backward(cuda, rng):
    x_t, h_prev, c_prev = rng.standard_normal((3, 5)), rng.standard_normal((3, 7)), rng.standard_normal((3, 7))
    W, U, b = _lstm_weights(rng, 5, 7)
    (h, c, gates), _ = same_on_both(F.lstm_cell_forward, x_t, h_prev, c_prev, W, U, b)
    dh, dc = rng.standard_normal(h.shape), rng.standard_normal(c.shape)
    same_on_both(F.lstm_cell_backward, dh, dc, x_t, h_prev, c_prev, c, gates, W, U)


def test_lstm_keeps_float32(cuda, rng):
    x = rng.standard_normal((2, 2, 5)).astype(np.float32)
    W, U, b = (w.astype(np.float32) for w in _lstm_weights(rng, 5, 4))
    on_gpu = F.lstm_forward(device(x), device(W), device(U), device(b))
    dh = rng.standard_normal(on_gpu[0].shape).astype(np.float32)
    grads = F.lstm_backward(device(dh), device(x), *on_gpu, device(W), device(U))
    on_cpu = F.lstm_forward(x, W, U, b)
    expected = on_cpu + F.lstm_backward(dh, x, *on_cpu, W, U)
    for got, want in zip(on_gpu + grads, expected):
        assert got.dtype == np.float32
        np.testing.assert_allclose(host(got), want, rtol=1e-4, atol=1e-5)


def test_lstm_saturated_gates_stay_finite(cuda, rng):
    """Pre-activations of ±60 saturate every σ and tanh: the GPU's must not overflow where the CPU's don't."""
    x = 60 * np.sign(rng.standard_normal((2, 2, 3)))
    W, U, b = _lstm_weights(rng, 3, 2)
    (h, c, gates), on_gpu = same_on_both(F.lstm_forward, x, W, U, b)
    assert np.isfinite(host(on_gpu[2])).all() and ((gates < 1e-6) | (gates > 1 - 1e-6)).mean() > 0.5
    assert_same((h, c), on_gpu[:2])
