"""The Conv2D layer's shortcut: im2col kept from the forward pass and reused by the backward pass."""

import numpy as np
import pytest

import engine
import engine.functional as F


@pytest.mark.parametrize("channels", [1, 3, 8])  # tap-major below 4 channels, pixel-major above
@pytest.mark.parametrize("stride, padding", [(1, 0), (2, "same"), ((1, 2), "full")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kept_columns_give_the_same_gradients(rng, channels, stride, padding, dtype):
    x = rng.standard_normal((5, 9, 8, channels)).astype(dtype)
    W = rng.standard_normal((3, 2, channels, 4)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype)
    y_plain = F.conv2d_forward(x, W, b, stride, padding)
    y_kept, columns = F.conv2d_forward(x, W, b, stride, padding, keep_columns=True)
    np.testing.assert_array_equal(y_kept, y_plain)
    dy = rng.standard_normal(y_plain.shape).astype(dtype)
    for plain, kept in zip(F.conv2d_backward(dy, x, W, stride, padding),
                           F.conv2d_backward(dy, x, W, stride, padding, columns=columns)):
        np.testing.assert_allclose(kept, plain, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5)


def test_columns_from_another_convolution_are_refused(rng):
    x = rng.standard_normal((4, 6, 6, 2))
    W = rng.standard_normal((3, 3, 2, 3))
    _, columns = F.conv2d_forward(x, W, np.zeros(3), keep_columns=True)
    other = rng.standard_normal((4, 8, 8, 2))
    dy = rng.standard_normal((4, 6, 6, 3))
    with pytest.raises(ValueError, match="columns"):
        F.conv2d_backward(dy, other, W, columns=columns)


def test_first_layer_skips_the_input_gradient(rng):
    x = rng.standard_normal((3, 7, 7, 1))
    W = rng.standard_normal((3, 3, 1, 2))
    dy = rng.standard_normal((3, 5, 5, 2))
    dx, dW, db = F.conv2d_backward(dy, x, W, need_dx=False)
    full = F.conv2d_backward(dy, x, W)
    assert dx is None
    np.testing.assert_allclose(dW, full[1], rtol=1e-12)
    np.testing.assert_allclose(db, full[2], rtol=1e-12)
    model = engine.Sequential([engine.Conv2D(2, 3), engine.Flatten(), engine.Dense(2)], input_shape=(7, 7, 1))
    assert [layer.needs_input_grad for layer in model.layers] == [False, True, True]


def test_layer_keeps_columns_only_while_training(rng):
    model = engine.Sequential([engine.Conv2D(2, 3), engine.Flatten()], input_shape=(6, 6, 1), dtype=np.float64)
    x = rng.standard_normal((2, 6, 6, 1))
    model.forward(x)
    assert model.layers[0]._columns is not None
    model.eval().forward(x)
    assert model.layers[0]._columns is None


@pytest.mark.parametrize("channels", [1, 5])
@pytest.mark.parametrize("stride, padding", [(1, 0), (2, "same")])
@pytest.mark.parametrize("keep", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_inside_the_convolution_equals_relu_after_it(rng, channels, stride, padding, keep, dtype):
    """conv2d_forward(relu=True) and conv2d_backward(relu_output=y) give what the separate
    ReLU pair gives, including ReLU'(0) = 0 where a whole output is exactly 0."""
    x = rng.standard_normal((6, 7, 9, channels)).astype(dtype)
    W = rng.standard_normal((3, 3, channels, 4)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype)
    x[0] = 0  # sample 0's pre-activation is exactly b; filter 0 then sits exactly at 0
    b[0] = 0
    z = F.conv2d_forward(x, W, b, stride, padding)
    expected_y = F.relu_forward(z)
    if keep:
        y, columns = F.conv2d_forward(x, W, b, stride, padding, keep_columns=True, relu=True)
    else:
        y, columns = F.conv2d_forward(x, W, b, stride, padding, relu=True), None
    np.testing.assert_array_equal(y, expected_y)
    assert y.dtype == dtype
    dy = rng.standard_normal(y.shape).astype(dtype)
    expected = F.conv2d_backward(F.relu_backward(dy, z), x, W, stride, padding)
    fused = F.conv2d_backward(dy, x, W, stride, padding, columns=columns, relu_output=y)
    for name, got, want in zip(("dx", "dW", "db"), fused, expected):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5, err_msg=name)


def test_relu_output_must_match_the_forward_output(rng):
    x = rng.standard_normal((2, 5, 5, 1))
    W = rng.standard_normal((3, 3, 1, 2))
    dy = rng.standard_normal((2, 3, 3, 2))
    with pytest.raises(ValueError, match="relu_output must have shape"):
        F.conv2d_backward(dy, x, W, relu_output=dy[:, :2])
    with pytest.raises(TypeError, match="relu_output"):
        F.conv2d_backward(dy, x, W, relu_output=dy.astype(np.float32))


def test_conv2d_layer_with_relu_matches_conv2d_then_relu_layer(rng):
    """The fused Conv2D(relu) layer against Conv2D followed by a ReLU layer, same weights."""
    fused = engine.Sequential([engine.Conv2D(3, 3, activation="relu"), engine.Conv2D(2, 3, activation="relu"),
                               engine.Flatten()], input_shape=(8, 8, 2), dtype=np.float64)
    apart = engine.Sequential([engine.Conv2D(3, 3), engine.ReLU(), engine.Conv2D(2, 3), engine.ReLU(),
                               engine.Flatten()], input_shape=(8, 8, 2), dtype=np.float64)
    apart.layers[0].params["W"].value[...] = fused.layers[0].params["W"].value
    apart.layers[2].params["W"].value[...] = fused.layers[1].params["W"].value
    x = rng.standard_normal((4, 8, 8, 2))
    np.testing.assert_allclose(fused.forward(x), apart.forward(x), rtol=1e-12)
    dy = rng.standard_normal((4, 32))
    fused.backward(dy)
    apart.backward(dy)
    for f, a in ((fused.layers[0], apart.layers[0]), (fused.layers[1], apart.layers[2])):
        np.testing.assert_allclose(f.params["W"].grad, a.params["W"].grad, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(f.params["b"].grad, a.params["b"].grad, rtol=1e-10, atol=1e-12)
