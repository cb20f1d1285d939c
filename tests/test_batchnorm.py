"""Batch normalisation (lectures 003, 004 §4): batch mean and biased variance, eps = 1e-3,
running statistics r ← 0.99·r + 0.01·batch (Keras), evaluation with the running statistics."""

import numpy as np
import pytest

from engine.functional.batchnorm import (
    batchnorm_backward,
    batchnorm_dropout_backward,
    batchnorm_dropout_forward,
    batchnorm_forward,
    batchnorm_inference,
    batchnorm_inference_backward,
    update_moving_statistics,
)
from engine.functional.dropout import dropout_backward, dropout_forward
from engine.layers.fused import BatchNormDropout
from engine.layers.regularization import BatchNormalization, Dropout

SHAPES = [(6, 4), (3, 4, 5, 3)]  # dense (N, D) and NHWC (N, H, W, C)


def _axes(x):
    return tuple(range(x.ndim - 1))


def _inputs(rng, shape, dtype=np.float64):
    x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
    gamma = rng.uniform(0.5, 1.5, shape[-1]).astype(dtype)
    beta = rng.standard_normal(shape[-1]).astype(dtype)
    return x, gamma, beta


@pytest.mark.parametrize("shape", SHAPES)
def test_forward_matches_the_formula(rng, shape):
    x, gamma, beta = _inputs(rng, shape)
    y, mean, var, inv_std = batchnorm_forward(x, gamma, beta)
    mu, sigma2 = x.mean(_axes(x)), ((x - x.mean(_axes(x))) ** 2).mean(_axes(x))
    np.testing.assert_allclose(mean, mu, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(var, sigma2, rtol=1e-12)
    np.testing.assert_allclose(inv_std, 1 / np.sqrt(sigma2 + 1e-3), rtol=1e-12)
    np.testing.assert_allclose(y, gamma * (x - mu) / np.sqrt(sigma2 + 1e-3) + beta, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_training_gradients_match_finite_differences(rng, numgrad, shape):
    x, gamma, beta = _inputs(rng, shape)
    w = rng.standard_normal(shape)
    _, mean, _, inv_std = batchnorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = batchnorm_backward(w, x, gamma, mean, inv_std)

    def loss(_):
        return np.sum(w * batchnorm_forward(x, gamma, beta)[0])

    np.testing.assert_allclose(dx, numgrad(loss, x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dgamma, numgrad(loss, gamma), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dbeta, numgrad(loss, beta), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("shape", SHAPES)
def test_inference_and_its_gradients(rng, numgrad, shape):
    x, gamma, beta = _inputs(rng, shape)
    moving_mean, moving_var = rng.standard_normal(shape[-1]), rng.uniform(0.5, 2, shape[-1])
    y = batchnorm_inference(x, gamma, beta, moving_mean, moving_var)
    np.testing.assert_allclose(y, gamma * (x - moving_mean) / np.sqrt(moving_var + 1e-3) + beta, rtol=1e-12,
                               atol=1e-12)
    w = rng.standard_normal(shape)
    dx, dgamma, dbeta = batchnorm_inference_backward(w, x, gamma, moving_mean, moving_var)

    def loss(_):
        return np.sum(w * batchnorm_inference(x, gamma, beta, moving_mean, moving_var))

    np.testing.assert_allclose(dx, numgrad(loss, x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dgamma, numgrad(loss, gamma), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dbeta, numgrad(loss, beta), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("shape", [(16, 5), (4, 3, 6, 5)])
def test_training_mode_against_pytorch(rng, torch, shape):
    x, gamma, beta = _inputs(rng, shape)
    dy = rng.standard_normal(shape)
    channels = shape[-1]
    images = len(shape) == 4
    module = (torch.nn.BatchNorm2d if images else torch.nn.BatchNorm1d)(channels, eps=1e-3, momentum=0.01).double()
    with torch.no_grad():
        module.weight.copy_(torch.tensor(gamma))
        module.bias.copy_(torch.tensor(beta))
    to_torch = (lambda a: a.transpose(0, 3, 1, 2)) if images else (lambda a: a)
    from_torch = (lambda a: a.transpose(0, 2, 3, 1)) if images else (lambda a: a)
    tx = torch.tensor(to_torch(x).copy(), requires_grad=True)
    ty = module.train()(tx)
    ty.backward(torch.tensor(to_torch(dy).copy()))

    y, mean, var, inv_std = batchnorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = batchnorm_backward(dy, x, gamma, mean, inv_std)
    np.testing.assert_allclose(y, from_torch(ty.detach().numpy()), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, from_torch(tx.grad.numpy()), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(dgamma, module.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dbeta, module.bias.grad.numpy(), rtol=1e-10, atol=1e-12)

    # running statistics: ours follow the conventions' formula with the biased variance ...
    moving_mean, moving_var = np.zeros(channels), np.ones(channels)
    update_moving_statistics(moving_mean, moving_var, mean, var)
    m = x.size // channels
    batch_mean = x.reshape(-1, channels).mean(axis=0)
    biased = ((x.reshape(-1, channels) - batch_mean) ** 2).sum(axis=0) / m
    np.testing.assert_allclose(moving_mean, 0.99 * 0 + 0.01 * batch_mean, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(moving_var, 0.99 * 1 + 0.01 * biased, rtol=1e-12)
    # ... torch's mean agrees (its momentum 0.01 is our 1 − 0.99); its variance is the unbiased one
    np.testing.assert_allclose(moving_mean, module.running_mean.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(module.running_var.numpy(), 0.99 + 0.01 * biased * m / (m - 1), rtol=1e-12)


def test_running_statistics_after_two_steps(rng):
    layer = BatchNormalization()
    layer.build((3, 3, 2), rng, np.float64)
    np.testing.assert_array_equal(layer.state["moving_mean"], 0)
    np.testing.assert_array_equal(layer.state["moving_variance"], 1)
    batches = [rng.standard_normal((4, 3, 3, 2)) * s + s for s in (1, 3)]
    for x in batches:
        layer.forward(x)
    (m1, v1), (m2, v2) = [(b.reshape(-1, 2).mean(0), b.reshape(-1, 2).var(0)) for b in batches]
    np.testing.assert_allclose(layer.state["moving_mean"], 0.99 * (0.99 * 0 + 0.01 * m1) + 0.01 * m2, rtol=1e-12)
    np.testing.assert_allclose(layer.state["moving_variance"], 0.99 * (0.99 * 1 + 0.01 * v1) + 0.01 * v2,
                               rtol=1e-12)


def test_layer_evaluation_uses_running_statistics(rng, numgrad):
    layer = BatchNormalization(momentum=0.5)
    layer.build((4,), rng, np.float64)
    layer.params["gamma"].value[:] = rng.uniform(0.5, 1.5, 4)
    layer.params["beta"].value[:] = rng.standard_normal(4)
    train = rng.standard_normal((10, 4)) * 3 + 2
    layer.forward(train)
    state = {k: v.copy() for k, v in layer.state.items()}
    layer.training = False
    x = rng.standard_normal((5, 4))
    gamma, beta = layer.params["gamma"].value, layer.params["beta"].value
    y = layer.forward(x)
    np.testing.assert_allclose(y, gamma * (x - state["moving_mean"]) / np.sqrt(state["moving_variance"] + 1e-3) + beta,
                               rtol=1e-12)
    for key, value in layer.state.items():
        np.testing.assert_array_equal(value, state[key])  # evaluation leaves the statistics alone
    dy = rng.standard_normal(x.shape)
    dx = layer.backward(dy)
    np.testing.assert_allclose(dx, dy * gamma / np.sqrt(state["moving_variance"] + 1e-3), rtol=1e-12)
    np.testing.assert_allclose(layer.params["beta"].grad, dy.sum(0), rtol=1e-12)


def test_layer_parameters_and_state(rng):
    layer = BatchNormalization()
    assert layer.build((5, 5, 3), rng, np.float32) == (5, 5, 3)
    assert set(layer.params) == {"gamma", "beta"} and not any(p.decay for p in layer.params.values())
    np.testing.assert_array_equal(layer.params["gamma"].value, 1)
    np.testing.assert_array_equal(layer.params["beta"].value, 0)
    assert set(layer.state) == {"moving_mean", "moving_variance"}
    assert all(v.dtype == np.float32 and v.shape == (3,) for v in layer.state.values())
    x = rng.standard_normal((2, 5, 5, 3)).astype(np.float32)
    y = layer.forward(x)
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == layer.params["gamma"].grad.dtype == np.float32
    assert layer.describe() == "BatchNormalization()"
    with pytest.raises(ValueError, match="BatchNormalization expects"):
        BatchNormalization().build((4, 3), rng, np.float32)


@pytest.mark.parametrize("shape", SHAPES)
def test_float32_keeps_dtype_and_agrees_with_float64(rng, shape):
    x, gamma, beta = _inputs(rng, shape)
    dy = rng.standard_normal(shape)
    results64 = batchnorm_forward(x, gamma, beta)
    results32 = batchnorm_forward(*(a.astype(np.float32) for a in (x, gamma, beta)))
    for ours, reference in zip(results32, results64):
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, reference, rtol=1e-4, atol=1e-5)
    grads64 = batchnorm_backward(dy, x, gamma, results64[1], results64[3])
    grads32 = batchnorm_backward(dy.astype(np.float32), x.astype(np.float32), gamma.astype(np.float32),
                                 results32[1], results32[3])
    for ours, reference in zip(grads32, grads64):
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, reference, rtol=1e-4, atol=1e-4)


def test_float32_variance_survives_a_large_mean(rng):
    """A naive E[x²] − E[x]² in float32 loses everything for mean 1000, std 1; ours does not."""
    x = (rng.standard_normal((64, 8, 8, 4)) + 1000).astype(np.float32)
    _, mean, var, _ = batchnorm_forward(x, np.ones(4, np.float32), np.zeros(4, np.float32))
    exact = x.astype(np.float64).reshape(-1, 4).var(axis=0)
    np.testing.assert_allclose(var, exact, rtol=1e-3)
    np.testing.assert_allclose(mean, x.astype(np.float64).reshape(-1, 4).mean(axis=0), rtol=1e-6)


def test_errors(rng):
    x, gamma, beta = _inputs(rng, (4, 3))
    with pytest.raises(ValueError, match="x must be a batch"):
        batchnorm_forward(np.ones(3), np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="gamma must have shape"):
        batchnorm_forward(x, np.ones(4), beta)
    with pytest.raises(TypeError, match="beta must have x's dtype"):
        batchnorm_forward(x, gamma, beta.astype(np.float32))
    with pytest.raises(ValueError, match="eps"):
        batchnorm_forward(x, gamma, beta, eps=0)
    with pytest.raises(ValueError, match="empty batch"):
        batchnorm_forward(np.ones((0, 3)), gamma, beta)
    _, mean, var, inv_std = batchnorm_forward(x, gamma, beta)
    with pytest.raises(ValueError, match="dy must have shape"):
        batchnorm_backward(np.ones((3, 3)), x, gamma, mean, inv_std)
    with pytest.raises(ValueError, match="moving_variance must be non-negative"):
        batchnorm_inference(x, gamma, beta, mean, -np.ones(3))
    with pytest.raises(ValueError, match="momentum"):
        update_moving_statistics(np.zeros(3), np.ones(3), mean, var, momentum=1.5)
    with pytest.raises(ValueError, match="var must have shape"):
        update_moving_statistics(np.zeros(3), np.ones(3), mean, np.ones(2))
    with pytest.raises(TypeError, match="moving_mean must be a 1-D"):
        update_moving_statistics([0.0, 0.0, 0.0], np.ones(3), mean, var)
    with pytest.raises(ValueError, match="momentum"):
        BatchNormalization(momentum=-0.1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(9, 5), (3, 4, 5, 7), (2, 3, 3, 64)])
def test_fused_dropout_equals_the_two_steps(rng, dtype, shape):
    """batch norm then dropout in one pass: the same values, mask and gradients, bit for bit
    (odd channel counts put pairs of the mask across rows)."""
    x, gamma, beta = (a.astype(dtype) for a in _inputs(rng, shape))
    dz = rng.standard_normal(shape).astype(dtype)
    p_keep, seed = 0.7, int(rng.integers(2**63))
    z, mean, var, inv_std, mask = batchnorm_dropout_forward(x, gamma, beta, p_keep, seed)
    y, mean2, var2, inv_std2 = batchnorm_forward(x, gamma, beta)
    z2, mask2 = dropout_forward(y, p_keep, seed)
    for ours, reference in [(z, z2), (mask, mask2), (mean, mean2), (var, var2), (inv_std, inv_std2)]:
        assert ours.dtype == reference.dtype
        np.testing.assert_array_equal(ours, reference)
    fused = batchnorm_dropout_backward(dz, x, gamma, mean, inv_std, mask, p_keep)
    separate = batchnorm_backward(dropout_backward(dz, mask, p_keep), x, gamma, mean, inv_std)
    for ours, reference in zip(fused, separate):
        assert ours.dtype == dtype
        np.testing.assert_array_equal(ours, reference)


def test_fused_dropout_gradients_match_finite_differences(rng, numgrad):
    x, gamma, beta = _inputs(rng, (3, 2, 3, 4))
    w = rng.standard_normal(x.shape)
    seed = int(rng.integers(2**63))
    _, mean, _, inv_std, mask = batchnorm_dropout_forward(x, gamma, beta, 0.6, seed)
    dx, dgamma, dbeta = batchnorm_dropout_backward(w, x, gamma, mean, inv_std, mask, 0.6)

    def loss(_):
        return np.sum(w * batchnorm_dropout_forward(x, gamma, beta, 0.6, seed)[0])

    np.testing.assert_allclose(dx, numgrad(loss, x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dgamma, numgrad(loss, gamma), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dbeta, numgrad(loss, beta), rtol=1e-5, atol=1e-7)


def test_fused_runner_equals_the_two_layers(rng):
    pairs = []
    for _ in range(2):
        norm, drop = BatchNormalization(), Dropout(0.5)
        generator = np.random.default_rng(7)
        norm.build((4, 4, 6), generator, np.float64)
        drop.build((4, 4, 6), generator, np.float64)
        pairs.append((norm, drop))
    assert BatchNormDropout.fits(*pairs[0]) and not BatchNormDropout.fits(pairs[0][1], pairs[0][0])
    runner = BatchNormDropout(*pairs[1])
    (norm, drop), (fused_norm, _) = pairs
    for training in (True, True, False):
        for layer in (*pairs[0], *pairs[1]):
            layer.training = training
        x, dz = rng.standard_normal((5, 4, 4, 6)), rng.standard_normal((5, 4, 4, 6))
        np.testing.assert_array_equal(runner.forward(x), drop.forward(norm.forward(x)))
        np.testing.assert_array_equal(runner.backward(dz), norm.backward(drop.backward(dz)))
        for key in ("gamma", "beta"):
            np.testing.assert_array_equal(fused_norm.params[key].grad, norm.params[key].grad)
        for key in norm.state:
            np.testing.assert_array_equal(fused_norm.state[key], norm.state[key])


def test_fused_dropout_errors(rng):
    x, gamma, beta = _inputs(rng, (4, 3))
    with pytest.raises(ValueError, match="p_keep"):
        batchnorm_dropout_forward(x, gamma, beta, 0.0, 1)
    with pytest.raises(ValueError, match="seed"):
        batchnorm_dropout_forward(x, gamma, beta, 0.5, -1)
    _, mean, _, inv_std, mask = batchnorm_dropout_forward(x, gamma, beta, 0.5, 1)
    with pytest.raises(TypeError, match="mask must be the uint8"):
        batchnorm_dropout_backward(x, x, gamma, mean, inv_std, mask.astype(bool), 0.5)
    with pytest.raises(ValueError, match="mask must have shape"):
        batchnorm_dropout_backward(x, x, gamma, mean, inv_std, mask[:2], 0.5)
