"""The recurrent nets against PyTorch in float64: outputs and every gradient.

PyTorch's ``nn.RNN``/``nn.LSTM`` keep weight_ih (G·H, D) and weight_hh (G·H, H) —
the transposes of the engine's kernels — and two biases whose sum is the engine's
one bias. PyTorch's LSTM gate order [i, f, g, o] is Keras' [i, f, c̃, o], so the
stacked blocks line up after the transposes. A bidirectional PyTorch net keeps the
reverse direction's weights in ``*_reverse`` and, like the engine, puts the reverse
states back in time order and concatenates forward first.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from engine.functional.recurrent import lstm_backward, lstm_forward, rnn_backward, rnn_forward  # noqa: E402
from engine.layers.recurrent import LSTM, Bidirectional, SimpleRNN  # noqa: E402
from engine.model import Sequential  # noqa: E402

torch.set_num_threads(1)


def close(actual, expected, what=""):
    actual, expected = (a.detach().numpy() if isinstance(a, torch.Tensor) else a for a in (actual, expected))
    np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-11, err_msg=what)


def leaf(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def torch_net(cls, D, H, kernel, recurrent, bias, rng, bidirectional=False, weights_reverse=None):
    """A PyTorch RNN/LSTM holding the engine's weights (bias split at random between its two biases)."""
    net = cls(D, H, batch_first=True, bidirectional=bidirectional, dtype=torch.float64)
    if cls is torch.nn.RNN:
        assert net.nonlinearity == "tanh"
    directions = [("", (kernel, recurrent, bias))]
    if bidirectional:
        directions.append(("_reverse", weights_reverse))
    with torch.no_grad():
        for suffix, (W, U, b) in directions:
            share = rng.standard_normal(b.shape)
            getattr(net, f"weight_ih_l0{suffix}").copy_(torch.tensor(W.T))
            getattr(net, f"weight_hh_l0{suffix}").copy_(torch.tensor(U.T))
            getattr(net, f"bias_ih_l0{suffix}").copy_(torch.tensor(share))
            getattr(net, f"bias_hh_l0{suffix}").copy_(torch.tensor(b - share))
    return net


def torch_grads(net, suffix=""):
    p = {name: getattr(net, f"{name}_l0{suffix}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    return p["weight_ih"].grad.T, p["weight_hh"].grad.T, p["bias_ih"].grad, p["bias_hh"].grad


def draw(rng, N, T, D, H, gates):
    return (rng.standard_normal((N, T, D)), rng.standard_normal((D, gates * H)) * 0.5,
            rng.standard_normal((H, gates * H)) * 0.5, rng.standard_normal(gates * H) * 0.3)


def sizes(rng):
    return int(rng.integers(1, 5)), int(rng.integers(1, 7)), int(rng.integers(1, 5)), int(rng.integers(1, 6))


def test_rnn_matches_torch(rng):
    N, T, D, H = sizes(rng)
    x, W_xh, W_hh, b = draw(rng, N, T, D, H, 1)
    h0 = rng.standard_normal((N, H))
    h = rnn_forward(x, W_xh, W_hh, b, h0)
    dh = rng.standard_normal(h.shape)
    dx, dW_xh, dW_hh, db, dh0 = rnn_backward(dh, x, h, W_xh, W_hh, h0)

    net = torch_net(torch.nn.RNN, D, H, W_xh, W_hh, b, rng)
    xt, h0t = leaf(x), leaf(h0[None])
    out, last = net(xt, h0t)
    out.backward(torch.tensor(dh))
    close(h, out, "states")
    close(h[:, -1], last[0], "last state")
    gW, gU, gb_ih, gb_hh = torch_grads(net)
    close(dx, xt.grad, "dx")
    close(dW_xh, gW, "dW_xh")
    close(dW_hh, gU, "dW_hh")
    close(db, gb_ih, "db")
    close(db, gb_hh, "db")
    close(dh0, h0t.grad[0], "dh0")


def test_lstm_matches_torch(rng):
    N, T, D, H = sizes(rng)
    x, kernel, recurrent, bias = draw(rng, N, T, D, H, 4)
    h0, c0 = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    h, c, gates = lstm_forward(x, kernel, recurrent, bias, h0, c0)
    dh, dc_last = rng.standard_normal(h.shape), rng.standard_normal((N, H))
    dx, dW, dU, db, dh0, dc0 = lstm_backward(dh, x, h, c, gates, kernel, recurrent, h0, c0, dc_last=dc_last)

    net = torch_net(torch.nn.LSTM, D, H, kernel, recurrent, bias, rng)
    xt, h0t, c0t = leaf(x), leaf(h0[None]), leaf(c0[None])
    out, (last_h, last_c) = net(xt, (h0t, c0t))
    torch.autograd.backward([out, last_c], [torch.tensor(dh), torch.tensor(dc_last[None])])
    close(h, out, "states")
    close(c[:, -1], last_c[0], "last cell state")
    gW, gU, gb_ih, gb_hh = torch_grads(net)
    for name, ours, theirs in [("dx", dx, xt.grad), ("dkernel", dW, gW), ("drecurrent_kernel", dU, gU),
                               ("dbias", db, gb_ih), ("dbias", db, gb_hh), ("dh0", dh0, h0t.grad[0]),
                               ("dc0", dc0, c0t.grad[0])]:
        close(ours, theirs, name)


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_bidirectional_layer_matches_torch(rng, kind, return_sequences):
    N, T, D, H = sizes(rng)
    inner = SimpleRNN(H, return_sequences=return_sequences) if kind == "rnn" else LSTM(H, return_sequences)
    layer = Bidirectional(inner)
    model = Sequential([layer], input_shape=(T, D), dtype=np.float64, seed=int(rng.integers(1 << 30)))
    names = inner.names
    fwd = tuple(layer.params[f"forward.{n}"].value for n in names)
    bwd = tuple(layer.params[f"backward.{n}"].value for n in names)
    net = torch_net(torch.nn.RNN if kind == "rnn" else torch.nn.LSTM, D, H, *fwd, rng, bidirectional=True,
                    weights_reverse=bwd)

    x = rng.standard_normal((N, T, D))
    y = model.forward(x)
    dy = rng.standard_normal(y.shape)
    dx = model.backward(dy)

    xt = leaf(x)
    out, state = net(xt)
    last_h = state if kind == "rnn" else state[0]
    if return_sequences:
        theirs = out
    else:  # Keras' "last" states: the forward's after x_{T−1}, the reverse's after x_0
        theirs = torch.cat([last_h[0], last_h[1]], dim=-1)
        close(theirs[:, :H], out[:, -1, :H])
        close(theirs[:, H:], out[:, 0, H:])
    close(y, theirs, "output")
    theirs.backward(torch.tensor(dy))
    close(dx, xt.grad, "dx")
    for direction, suffix in (("forward", ""), ("backward", "_reverse")):
        gW, gU, gb_ih, gb_hh = torch_grads(net, suffix)
        close(layer.params[f"{direction}.{names[0]}"].grad, gW, f"{direction} kernel")
        close(layer.params[f"{direction}.{names[1]}"].grad, gU, f"{direction} recurrent kernel")
        close(layer.params[f"{direction}.{names[2]}"].grad, gb_ih, f"{direction} bias")
        close(layer.params[f"{direction}.{names[2]}"].grad, gb_hh, f"{direction} bias")
