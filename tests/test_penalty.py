"""L2 penalty (lectures 003, 004 §4): λ/2 Σ‖W‖² over weights only, gradient λW,
one SGD step on loss + penalty = the decayed update w ← (1 − lr·λ)·w − lr·dw."""

import numpy as np
import pytest

from engine.functional.penalty import add_l2_penalty, decayed, l2_penalty
from engine.layers.linear import Conv2D, Dense
from engine.layers.regularization import BatchNormalization
from engine.optimizers import SGD


def test_value_and_gradient(rng, numgrad):
    weights = [rng.standard_normal((3, 4)), rng.standard_normal((2, 2, 3, 5))]
    lam = float(rng.uniform(0.01, 1))
    value, grads = l2_penalty(weights, lam)
    assert value == pytest.approx(lam / 2 * sum(float((w**2).sum()) for w in weights), rel=1e-12)
    for k, w in enumerate(weights):
        expected = numgrad(lambda _, k=k: l2_penalty(weights, lam)[0], weights[k])
        np.testing.assert_allclose(grads[k], expected, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(grads[k], lam * w, rtol=1e-15)


def test_keeps_dtype(rng):
    w = rng.standard_normal((3, 3)).astype(np.float32)
    value, (grad,) = l2_penalty([w], 0.1)
    assert grad.dtype == np.float32 and isinstance(value, float)
    assert value == pytest.approx(0.05 * float((w.astype(np.float64) ** 2).sum()), rel=1e-5)


def _model_parameters(rng):
    layers = [Conv2D(3, 3), BatchNormalization(), Dense(4)]
    layers[0].build((6, 6, 2), rng, np.float64)
    layers[1].build((4, 4, 3), rng, np.float64)
    layers[2].build((5,), rng, np.float64)
    for layer in layers:
        for p in layer.params.values():
            p.value[...] = rng.standard_normal(p.value.shape)
            p.grad[...] = rng.standard_normal(p.value.shape)
    return [p for layer in layers for p in layer.params.values()]


def test_only_weights_are_penalised(rng):
    params = _model_parameters(rng)
    assert [p.name for p in decayed(params)] == ["W", "W"]  # not b, gamma, beta
    before = [p.grad.copy() for p in params]
    lam = 0.3
    value = add_l2_penalty(params, lam)
    weights = [p.value for p in params if p.name == "W"]
    assert value == pytest.approx(lam / 2 * sum(float((w**2).sum()) for w in weights), rel=1e-12)
    for p, old in zip(params, before):
        np.testing.assert_allclose(p.grad, old + lam * p.value if p.decay else old, rtol=1e-14)


def test_sgd_on_penalised_loss_is_weight_decay(rng):
    lr, lam = 0.05, 0.2
    penalised = _model_parameters(rng)
    decayed_params = [type(p)(p.name, p.value.copy(), p.grad.copy(), p.decay) for p in penalised]
    expected = [(1 - lr * lam) * p.value - lr * p.grad if p.decay else p.value - lr * p.grad for p in penalised]
    add_l2_penalty(penalised, lam)
    SGD(lr).step(penalised)
    SGD(lr, weight_decay=lam).step(decayed_params)
    for a, b, e in zip(penalised, decayed_params, expected):
        np.testing.assert_allclose(a.value, b.value, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(a.value, e, rtol=1e-12, atol=1e-14)


def test_errors():
    with pytest.raises(ValueError, match="lam"):
        l2_penalty([np.ones(2)], -1)
    with pytest.raises(TypeError, match="weights must be a list"):
        l2_penalty(np.ones(2), 0.1)
    with pytest.raises(TypeError, match=r"weights\[1\]"):
        l2_penalty([np.ones(2), np.arange(2)], 0.1)
    assert add_l2_penalty([], 0.1) == 0.0
