"""Finite-difference checks of every backward pass in ``engine.functional`` (float64).

For an operation y = f(x, W, b) and a random upstream gradient dy, the scalar
L = Σ f(x, W, b) ⊙ dy has ∂L/∂x = backward(dy, ...)[x] (and likewise for W, b).
The numerical gradient of L by central differences must match every gradient
that the backward returns. Losses return (loss, grad) and are checked directly.

Inputs are fresh random numbers each run (the seed is printed on failure).
Kinks are avoided by construction: ReLU-like inputs stay away from 0 and
max-pooling inputs are distinct, well separated values.
"""

from __future__ import annotations

import numpy as np
import pytest

import engine.functional as F

RTOL = 1e-5
ATOL = 1e-7


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def away_from_zero(rng, shape, low=0.1, high=2.0):
    """Random values with |v| in [low, high] and random sign: no kink of ReLU/leaky/ELU nearby."""
    magnitude = rng.uniform(low, high, size=shape)
    return np.where(rng.random(shape) < 0.5, -magnitude, magnitude)


def distinct(rng, shape, gap=0.1):
    """Values that are all different, at least ~gap apart, in random order (no max-pool ties)."""
    size = int(np.prod(shape))
    values = (np.arange(size) - size / 2) * gap + rng.uniform(0, gap / 10, size=size)
    return rng.permutation(values).reshape(shape)


def check_gradients(numgrad, forward, analytic, inputs, dy):
    """Compare ``analytic`` (name -> gradient) with central differences.

    The scalar differentiated is L = Σ forward(**inputs) ⊙ dy.
    """
    assert set(analytic) == set(inputs), "the backward must return a gradient for every input"

    def loss(_):
        return float(np.sum(forward(**inputs) * dy))

    for name, value in inputs.items():
        grad = analytic[name]
        assert grad.shape == value.shape, f"d{name} has shape {grad.shape}, expected {value.shape}"
        assert grad.dtype == np.float64, f"d{name} has dtype {grad.dtype}"
        numeric = numgrad(loss, value)
        np.testing.assert_allclose(
            grad, numeric, rtol=RTOL, atol=ATOL, err_msg=f"gradient of {name}"
        )


def check_loss_gradient(numgrad, loss_fn, prediction, target):
    """``loss_fn(prediction, target)`` returns (loss, grad): grad must be ∂loss/∂prediction."""
    loss, grad = loss_fn(prediction, target)
    assert isinstance(loss, float)
    assert grad.shape == prediction.shape and grad.dtype == np.float64
    numeric = numgrad(lambda p: loss_fn(p, target)[0], prediction)
    np.testing.assert_allclose(grad, numeric, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------------------
# dense
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n, d_in, d_out", [(1, 3, 2), (4, 5, 3), (3, 1, 1), (7, 2, 4)])
def test_dense_gradients(rng, numgrad, n, d_in, d_out):
    inputs = {
        "x": rng.standard_normal((n, d_in)),
        "W": rng.standard_normal((d_in, d_out)),
        "b": rng.standard_normal(d_out),
    }
    dy = rng.standard_normal((n, d_out))
    dx, dW, db = F.dense_backward(dy, inputs["x"], inputs["W"])
    check_gradients(numgrad, F.dense_forward, {"x": dx, "W": dW, "b": db}, inputs, dy)


# ---------------------------------------------------------------------------
# activations
# ---------------------------------------------------------------------------

SHAPES = [(7,), (3, 4), (2, 3, 2)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_output_based_activation_gradients(rng, numgrad, name, shape):
    forward = getattr(F, f"{name}_forward")
    backward = getattr(F, f"{name}_backward")
    x = 2 * rng.standard_normal(shape)
    dy = rng.standard_normal(shape)
    dx = backward(dy, forward(x))
    check_gradients(numgrad, forward, {"x": dx}, {"x": x}, dy)


@pytest.mark.parametrize("shape", SHAPES)
def test_relu_gradient(rng, numgrad, shape):
    x = away_from_zero(rng, shape)
    dy = rng.standard_normal(shape)
    dx = F.relu_backward(dy, x)
    check_gradients(numgrad, F.relu_forward, {"x": dx}, {"x": x}, dy)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("alpha", [None, 0.2, 0.0, 1.5])
@pytest.mark.parametrize("name", ["leaky_relu", "elu"])
def test_parametrised_activation_gradients(rng, numgrad, name, alpha, shape):
    forward = getattr(F, f"{name}_forward")
    backward = getattr(F, f"{name}_backward")
    kwargs = {} if alpha is None else {"alpha": alpha}
    x = away_from_zero(rng, shape)
    dy = rng.standard_normal(shape)
    dx = backward(dy, x, **kwargs)
    check_gradients(numgrad, lambda x: forward(x, **kwargs), {"x": dx}, {"x": x}, dy)


@pytest.mark.parametrize("shape", [(5,), (1, 1), (3, 4), (2, 3, 5), (4, 2)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_rowwise_activation_gradients(rng, numgrad, name, shape):
    forward = getattr(F, f"{name}_forward")
    backward = getattr(F, f"{name}_backward")
    x = 2 * rng.standard_normal(shape)
    dy = rng.standard_normal(shape)
    dx = backward(dy, forward(x))
    check_gradients(numgrad, forward, {"x": dx}, {"x": x}, dy)


# ---------------------------------------------------------------------------
# convolution
# ---------------------------------------------------------------------------

# (N, H, W, C), (KH, KW, F), stride, padding
CONV_CASES = [
    pytest.param((2, 4, 5, 3), (1, 1, 2), 1, 0, id="1x1"),
    pytest.param((1, 5, 5, 2), (1, 1, 3), 2, "valid", id="1x1-stride2"),
    pytest.param((2, 7, 7, 2), (2, 2, 2), 3, 0, id="stride-gt-kernel"),
    pytest.param((1, 8, 7, 1), (1, 2, 2), (3, 4), 0, id="stride-gt-kernel-nonsquare"),
    pytest.param((2, 7, 5, 3), (3, 3, 2), 1, 0, id="odd-sizes"),
    pytest.param((1, 5, 6, 1), (3, 2, 2), 1, 1, id="batch1-nonsquare-kernel"),
    pytest.param((2, 7, 8, 2), (2, 3, 2), (2, 1), 0, id="nonsquare-stride"),
    pytest.param((2, 5, 5, 2), (3, 3, 2), 1, 1, id="pad-int"),
    pytest.param((2, 5, 6, 2), (3, 3, 2), 1, (1, 2), id="pad-pair"),
    pytest.param((1, 6, 7, 2), (3, 2, 2), (2, 3), (2, 1), id="pad-pair-stride-pair"),
    pytest.param((2, 6, 5, 2), (3, 3, 2), 2, "valid", id="valid-stride2"),
    pytest.param((2, 5, 5, 2), (3, 3, 2), 1, "same", id="same-s1-odd-kernel"),
    pytest.param((2, 5, 6, 2), (2, 4, 2), 1, "same", id="same-s1-even-kernel"),
    pytest.param((2, 6, 7, 2), (3, 3, 2), 2, "same", id="same-s2"),
    pytest.param((1, 7, 6, 2), (4, 2, 2), 2, "same", id="same-s2-even-kernel"),
    pytest.param((1, 7, 7, 1), (3, 2, 2), (2, 3), "same", id="same-nonsquare-stride"),
    pytest.param((2, 4, 5, 2), (3, 2, 2), 1, "full", id="full"),
    pytest.param((1, 4, 4, 2), (3, 3, 2), 2, "full", id="full-stride2"),
    pytest.param((2, 3, 3, 2), (3, 3, 2), 1, 0, id="kernel-equals-input"),
    pytest.param((3, 2, 2, 1), (3, 3, 1), 1, 1, id="kernel-larger-than-input-but-padded"),
]


@pytest.mark.parametrize("x_shape, k_shape, stride, padding", CONV_CASES)
def test_conv2d_gradients(rng, numgrad, x_shape, k_shape, stride, padding):
    kh, kw, f = k_shape
    inputs = {
        "x": rng.standard_normal(x_shape),
        "W": rng.standard_normal((kh, kw, x_shape[3], f)),
        "b": rng.standard_normal(f),
    }

    def forward(x, W, b):
        return F.conv2d_forward(x, W, b, stride=stride, padding=padding)

    y = forward(**inputs)
    dy = rng.standard_normal(y.shape)
    dx, dW, db = F.conv2d_backward(dy, inputs["x"], inputs["W"], stride=stride, padding=padding)
    check_gradients(numgrad, forward, {"x": dx, "W": dW, "b": db}, inputs, dy)


# ---------------------------------------------------------------------------
# pooling
# ---------------------------------------------------------------------------

# x shape, size, stride
POOL_CASES = [
    pytest.param((2, 4, 6, 2), 2, None, id="default-stride"),
    pytest.param((2, 5, 7, 2), 2, None, id="dropped-windows"),
    pytest.param((2, 5, 5, 2), 3, 1, id="overlap-s1"),
    pytest.param((1, 6, 5, 3), 3, 2, id="overlap-s2"),
    pytest.param((2, 7, 7, 2), 2, 3, id="stride-gt-size"),
    pytest.param((2, 6, 7, 2), (2, 3), (1, 2), id="nonsquare-overlap"),
    pytest.param((1, 5, 8, 1), (3, 2), None, id="nonsquare-default-stride"),
    pytest.param((1, 7, 8, 2), (2, 1), (3, 2), id="nonsquare-stride-gt-size"),
    pytest.param((1, 3, 4, 2), 1, None, id="size1"),
    pytest.param((2, 3, 4, 1), (3, 4), None, id="window-is-image"),
]


@pytest.mark.parametrize("shape, size, stride", POOL_CASES)
def test_max_pool2d_gradient(rng, numgrad, shape, size, stride):
    x = distinct(rng, shape)

    def forward(x):
        return F.max_pool2d_forward(x, size, stride)

    dy = rng.standard_normal(forward(x).shape)
    dx = F.max_pool2d_backward(dy, x, size, stride)
    check_gradients(numgrad, forward, {"x": dx}, {"x": x}, dy)


@pytest.mark.parametrize("shape, size, stride", POOL_CASES)
def test_avg_pool2d_gradient(rng, numgrad, shape, size, stride):
    x = rng.standard_normal(shape)

    def forward(x):
        return F.avg_pool2d_forward(x, size, stride)

    dy = rng.standard_normal(forward(x).shape)
    dx = F.avg_pool2d_backward(dy, x, size, stride)
    check_gradients(numgrad, forward, {"x": dx}, {"x": x}, dy)


GLOBAL_SHAPES = [(2, 3, 4, 3), (1, 1, 1, 2), (1, 5, 2, 1), (3, 2, 2, 2)]


@pytest.mark.parametrize("shape", GLOBAL_SHAPES)
def test_global_avg_pool2d_gradient(rng, numgrad, shape):
    x = rng.standard_normal(shape)
    dy = rng.standard_normal((shape[0], shape[3]))
    dx = F.global_avg_pool2d_backward(dy, x)
    check_gradients(numgrad, F.global_avg_pool2d_forward, {"x": dx}, {"x": x}, dy)


@pytest.mark.parametrize("shape", GLOBAL_SHAPES)
def test_global_max_pool2d_gradient(rng, numgrad, shape):
    x = distinct(rng, shape)
    dy = rng.standard_normal((shape[0], shape[3]))
    dx = F.global_max_pool2d_backward(dy, x)
    check_gradients(numgrad, F.global_max_pool2d_forward, {"x": dx}, {"x": x}, dy)


# ---------------------------------------------------------------------------
# flatten
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4, 2), (1, 2, 1, 3), (3, 5, 2)])
def test_flatten_gradient(rng, numgrad, shape):
    x = rng.standard_normal(shape)
    dy = rng.standard_normal((shape[0], int(np.prod(shape[1:]))))
    dx = F.flatten_backward(dy, x.shape)
    check_gradients(numgrad, F.flatten_forward, {"x": dx}, {"x": x}, dy)


# ---------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2), (5,), (1, 1)])
def test_mse_loss_gradient(rng, numgrad, shape):
    prediction = rng.standard_normal(shape)
    target = rng.standard_normal(shape)
    check_loss_gradient(numgrad, F.mse_loss, prediction, target)


@pytest.mark.parametrize("n, k", [(5, 4), (1, 3), (3, 1), (6, 2)])
def test_softmax_cross_entropy_integer_labels_gradient(rng, numgrad, n, k):
    logits = 2 * rng.standard_normal((n, k))
    labels = rng.integers(0, k, size=n)
    check_loss_gradient(numgrad, F.softmax_cross_entropy, logits, labels)


@pytest.mark.parametrize("n, k", [(5, 4), (1, 3), (6, 2)])
def test_softmax_cross_entropy_one_hot_labels_gradient(rng, numgrad, n, k):
    logits = 2 * rng.standard_normal((n, k))
    one_hot = np.eye(k)[rng.integers(0, k, size=n)]
    check_loss_gradient(numgrad, F.softmax_cross_entropy, logits, one_hot)


def test_softmax_cross_entropy_probability_targets_gradient(rng, numgrad):
    logits = 2 * rng.standard_normal((4, 5))
    targets = rng.dirichlet(np.ones(5), size=4)
    check_loss_gradient(numgrad, F.softmax_cross_entropy, logits, targets)


@pytest.mark.parametrize("shape", [(4, 3), (6,), (2, 2, 3)])
@pytest.mark.parametrize("hard_targets", [True, False])
def test_binary_cross_entropy_gradient(rng, numgrad, shape, hard_targets):
    probabilities = rng.uniform(0.05, 0.95, size=shape)
    targets = (rng.random(shape) < 0.5).astype(np.float64) if hard_targets else rng.random(shape)
    check_loss_gradient(numgrad, F.binary_cross_entropy, probabilities, targets)


@pytest.mark.parametrize("shape", [(4, 3), (6,), (2, 2, 3)])
@pytest.mark.parametrize("hard_targets", [True, False])
def test_binary_cross_entropy_with_logits_gradient(rng, numgrad, shape, hard_targets):
    logits = 3 * rng.standard_normal(shape)
    targets = (rng.random(shape) < 0.5).astype(np.float64) if hard_targets else rng.random(shape)
    check_loss_gradient(numgrad, F.binary_cross_entropy_with_logits, logits, targets)
