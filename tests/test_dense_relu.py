"""Dense(activation="relu"): the ReLU and its gradient inside the dense kernels
give what the separate ReLU pair gives."""

import numpy as np
import pytest

import engine
import engine.functional as F


@pytest.mark.parametrize("batch", [1, 7])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_inside_dense_equals_relu_after_it(rng, batch, dtype):
    x = rng.standard_normal((batch, 5)).astype(dtype)
    W = rng.standard_normal((5, 4)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype)
    x[0] = 0  # sample 0's pre-activation is exactly b: unit 0 sits exactly at 0, where ReLU'(0) = 0
    b[0] = 0
    z = F.dense_forward(x, W, b)
    y = F.dense_forward(x, W, b, relu=True)
    np.testing.assert_array_equal(y, F.relu_forward(z))
    assert y.dtype == dtype
    dy = rng.standard_normal(y.shape).astype(dtype)
    expected = F.dense_backward(F.relu_backward(dy, z), x, W)
    fused = F.dense_backward(dy, x, W, relu_output=y)
    for name, got, want in zip(("dx", "dW", "db"), fused, expected):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6, err_msg=name)


def test_dense_relu_output_is_checked(rng):
    x, W = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    dy = rng.standard_normal((3, 2))
    with pytest.raises(ValueError, match="relu_output must have shape"):
        F.dense_backward(dy, x, W, relu_output=dy[:2])
    with pytest.raises(TypeError, match="relu_output"):
        F.dense_backward(dy, x, W, relu_output=dy.astype(np.float32))


def test_dense_layer_with_relu_matches_dense_then_relu_layer(rng):
    fused = engine.Sequential([engine.Dense(6, activation="relu"), engine.Dense(3, activation="relu")],
                              input_shape=(5,), dtype=np.float64)
    apart = engine.Sequential([engine.Dense(6), engine.ReLU(), engine.Dense(3), engine.ReLU()],
                              input_shape=(5,), dtype=np.float64)
    for f, a in ((fused.layers[0], apart.layers[0]), (fused.layers[1], apart.layers[2])):
        a.params["W"].value[...] = f.params["W"].value
    x = rng.standard_normal((4, 5))
    np.testing.assert_allclose(fused.forward(x), apart.forward(x), rtol=1e-12)
    dy = rng.standard_normal((4, 3))
    fused.backward(dy)
    apart.backward(dy)
    for f, a in ((fused.layers[0], apart.layers[0]), (fused.layers[1], apart.layers[2])):
        np.testing.assert_allclose(f.params["W"].grad, a.params["W"].grad, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(f.params["b"].grad, a.params["b"].grad, rtol=1e-10, atol=1e-12)
