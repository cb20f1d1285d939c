"""Conv2D(relu) followed by AveragePooling2D, run as one pass (engine.functional.conv_block,
engine.layers.fused): the same values as the three operations one after the other."""

import numpy as np
import pytest

import engine
import engine.functional as F

GEOMETRIES = [  # (N, H, W, C, F, stride, padding, pool_size, pool_stride)
    (5, 9, 8, 1, 4, 1, 0, 2, None),  # tap-major columns, odd width: the last column is dropped by the pool
    (4, 11, 11, 6, 16, 1, 0, 2, None),  # the LeNet's second block
    (3, 10, 9, 3, 5, 2, "same", 3, 2),  # overlapping pooling windows
    (2, 12, 12, 2, 3, 1, 1, (2, 3), (1, 2)),  # non-square pooling
    (1, 4, 4, 5, 2, 1, "full", 6, None),  # one window over the whole output
    (2, 9, 9, 2, 3, 1, 0, 2, 3),  # gaps between the windows: pixels that no window reaches
    # few channels and windows that tile the image: the filter-major kernels
    (3, 11, 10, 3, 5, 2, "same", 2, None),  # strided convolution, odd output: a dropped row
    (2, 8, 9, 1, 3, 1, "full", (2, 3), None),  # non-square windows
    (2, 7, 7, 2, 7, 1, 1, 3, None),  # windows of 3: the last two rows and columns are dropped
    (1, 5, 5, 1, 1, 1, 0, 1, None),  # one filter, windows of one pixel
]


def unfused(x, W, b, stride, padding, pool_size, pool_stride, dy):
    z = F.conv2d_forward(x, W, b, stride, padding)
    y = F.relu_forward(z)
    pooled = F.avg_pool2d_forward(y, pool_size, pool_stride)
    dz = F.relu_backward(F.avg_pool2d_backward(dy, y, pool_size, pool_stride), z)
    return pooled, F.conv2d_backward(dz, x, W, stride, padding)


@pytest.mark.parametrize("geometry", GEOMETRIES)
@pytest.mark.parametrize("keep_columns", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_block_equals_conv_relu_pool(rng, geometry, keep_columns, dtype):
    n, h, w, c, f, stride, padding, pool_size, pool_stride = geometry
    x = rng.standard_normal((n, h, w, c)).astype(dtype)
    W = rng.standard_normal((3, 3, c, f)).astype(dtype)
    b = rng.standard_normal(f).astype(dtype)
    pooled, state = F.conv2d_relu_avg_pool_forward(x, W, b, stride, padding, pool_size, pool_stride, keep_columns)
    dy = rng.standard_normal(pooled.shape).astype(dtype)
    expected_pooled, expected = unfused(x, W, b, stride, padding, pool_size, pool_stride, dy)
    tolerance = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    assert pooled.dtype == dtype and pooled.shape == expected_pooled.shape
    np.testing.assert_allclose(pooled, expected_pooled, **tolerance)
    got = F.conv2d_relu_avg_pool_backward(dy, x, W, state, stride, padding, pool_size, pool_stride)
    for name, g, e in zip(("dx", "dW", "db"), got, expected):
        assert g.dtype == dtype
        np.testing.assert_allclose(g, e, err_msg=name, **tolerance)
    dx, dW, db = F.conv2d_relu_avg_pool_backward(dy, x, W, state, stride, padding, pool_size, pool_stride,
                                                 need_dx=False)
    assert dx is None
    np.testing.assert_allclose(dW, expected[1], **tolerance)


def test_block_gradients_match_finite_differences(rng, numgrad):
    x = rng.standard_normal((2, 7, 6, 2))
    W = rng.standard_normal((3, 3, 2, 3))
    b = rng.standard_normal(3) + 0.5
    dy = rng.standard_normal(F.conv2d_relu_avg_pool_forward(x, W, b)[0].shape)

    def loss(x_, W_, b_):
        return float(np.sum(F.conv2d_relu_avg_pool_forward(x_, W_, b_)[0] * dy))

    _, state = F.conv2d_relu_avg_pool_forward(x, W, b)
    dx, dW, db = F.conv2d_relu_avg_pool_backward(dy, x, W, state)
    np.testing.assert_allclose(dx, numgrad(lambda v: loss(v, W, b), x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dW, numgrad(lambda v: loss(x, v, b), W), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(db, numgrad(lambda v: loss(x, W, v), b), rtol=1e-5, atol=1e-7)


def test_few_channels_use_the_filter_major_kernels(rng):
    x = rng.standard_normal((2, 8, 8, 1))
    W = rng.standard_normal((3, 3, 1, 4))
    _, state = F.conv2d_relu_avg_pool_forward(x, W, np.zeros(4))
    assert state.filter_major and state.relu_output.shape == (2, 4, 6, 6)
    _, state = F.conv2d_relu_avg_pool_forward(rng.standard_normal((2, 8, 8, 5)), rng.standard_normal((3, 3, 5, 4)),
                                              np.zeros(4))
    assert not state.filter_major and state.relu_output.shape == (2, 6, 6, 4)


def test_block_backward_checks_its_arguments(rng):
    x = rng.standard_normal((2, 6, 6, 1))
    W = rng.standard_normal((3, 3, 1, 2))
    pooled, state = F.conv2d_relu_avg_pool_forward(x, W, np.zeros(2))
    with pytest.raises(ValueError, match="dy must have shape"):
        F.conv2d_relu_avg_pool_backward(np.zeros((2, 4, 4, 2)), x, W, state)
    with pytest.raises(TypeError, match="state must be what conv2d_relu_avg_pool_forward returned"):
        F.conv2d_relu_avg_pool_backward(pooled, x, W, {"relu_output": None})
    with pytest.raises(TypeError, match="dy"):
        F.conv2d_relu_avg_pool_backward(pooled.astype(np.float32), x, W, state)
    with pytest.raises(ValueError, match="kernel size 5 is larger"):
        F.conv2d_relu_avg_pool_forward(x, W, np.zeros(2), pool_size=5)


def test_sequential_runs_the_pairs_as_one_pass_with_the_same_results(rng):
    fused = engine.lenet(seed=3, dtype=np.float64)
    plain = engine.lenet(seed=3, dtype=np.float64)
    assert [(first, last) for first, last, _ in fused._stages][:2] == [(0, 1), (2, 3)]
    plain._stages = [(i, i, layer) for i, layer in enumerate(plain.layers)]  # every layer on its own
    x = rng.random((4, 28, 28, 1))
    labels = np.arange(4)
    loss_fused, out_fused = fused.loss_and_backward(x, labels, "cross_entropy")
    loss_plain, out_plain = plain.loss_and_backward(x, labels, "cross_entropy")
    np.testing.assert_allclose(loss_fused, loss_plain, rtol=1e-12)
    np.testing.assert_allclose(out_fused, out_plain, rtol=1e-12)
    for p, q in zip(fused.parameters(), plain.parameters()):
        np.testing.assert_allclose(p.grad, q.grad, rtol=1e-10, atol=1e-13, err_msg=p.name)
    # each layer still works on its own: conv output, then its pooling
    conv, pool = fused.layers[0], fused.layers[1]
    np.testing.assert_allclose(pool.forward(conv.forward(x)), plain.layers[1].forward(plain.layers[0].forward(x)))


def test_backward_cannot_start_inside_a_fused_pair(rng):
    model = engine.Sequential([engine.Conv2D(2, 3, activation="relu"), engine.AveragePooling2D(2), engine.Flatten()],
                              input_shape=(6, 6, 1), dtype=np.float64)
    model.forward(rng.standard_normal((1, 6, 6, 1)))
    with pytest.raises(ValueError, match="layers 0-1 run as one pass"):
        model.backward(rng.standard_normal((1, 2, 2, 2)), start=0)
    with pytest.raises(RuntimeError, match="before forward"):
        engine.Sequential([engine.Dense(2)]).backward(np.zeros((1, 2)))
