"""The GPU's convolutions and poolings (engine.backends.cuda.conv, .pooling) against the CPU's, in float64.

Through the public functional API, on tiny odd-sized, non-square images. The
convolution has two ways to compute each product (one thread per output, and
64 × 64 tiles in shared memory for outputs with both sides of at least
``TILED_FROM``) and sums the weight gradient over runs of pixels: the fixtures
``tiled`` and ``many_runs`` lower those thresholds so that tiny shapes take the
tiled kernels and several runs (with a shared-memory tree over them).
"""

import numpy as np
import pytest
from backends_agree import assert_same, device, host, same_on_both

import engine.functional as F


@pytest.fixture
def tiled(cuda, monkeypatch):
    """Every product of the convolution through the tiled kernels."""
    monkeypatch.setattr(cuda.conv, "TILED_FROM", 1)


@pytest.fixture
def many_runs(cuda, monkeypatch):
    """The weight gradient summed over runs of very few pixels: many partial sums to add."""
    monkeypatch.setattr(cuda.conv, "MIN_SPLIT_PIXELS", 4)
    monkeypatch.setattr(cuda.conv, "MIN_TILED_SPLIT_PIXELS", 30)


def conv_case(rng, x_shape, w_shape, dtype=np.float64):
    """x, W and b with a first filter almost always positive and a last one almost always cut by a ReLU
    (biases of ±4 standard deviations of the sum over the taps), so that the ReLU's mask is never all one value."""
    x = rng.standard_normal(x_shape)
    W = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[3])
    b[0], b[-1] = (4 * np.sqrt(np.prod(w_shape[:3])) * sign for sign in (1, -1))
    return x.astype(dtype), W.astype(dtype), b.astype(dtype)


def check_conv(rng, x, W, b, stride, padding, rtol=1e-10, atol=1e-12, every_variant=True):
    """Forward with ReLU and backward with relu_output, then (``every_variant``) without ReLU and without dx:
    CPU = GPU."""
    rectified, _ = same_on_both(F.conv2d_forward, x, W, b, stride, padding, relu=True, rtol=rtol, atol=atol)
    assert (rectified == 0).any() and (rectified > 0).any()  # the ReLU mask matters
    dy = rng.standard_normal(rectified.shape).astype(x.dtype)
    same_on_both(F.conv2d_backward, dy, x, W, stride, padding, relu_output=rectified, rtol=rtol, atol=atol)
    if every_variant:
        same_on_both(F.conv2d_forward, x, W, b, stride, padding, rtol=rtol, atol=atol)
        same_on_both(F.conv2d_backward, dy, x, W, stride, padding, rtol=rtol, atol=atol)
        same_on_both(F.conv2d_backward, dy, x, W, stride, padding, need_dx=False, relu_output=rectified, rtol=rtol,
                     atol=atol)


# -- convolution ----------------------------------------------------------------------------------
@pytest.mark.parametrize("stride, padding, every_variant", [
    (1, "valid", False), (1, "same", True), (2, "same", False), (1, "full", False), (2, 1, False),
    (3, (1, 2), True), ((2, 1), (0, 1), False), ((1, 3), "same", False),
])
def test_conv_every_padding_and_stride(cuda, rng, stride, padding, every_variant):
    x, W, b = conv_case(rng, (2, 5, 6, 3), (3, 2, 3, 4))
    check_conv(rng, x, W, b, stride, padding, every_variant=every_variant)


def test_conv_stride_larger_than_the_kernel_one_channel_batch_one(cuda, rng):
    x, W, b = conv_case(rng, (1, 7, 5, 1), (2, 1, 1, 3))
    check_conv(rng, x, W, b, 3, "valid")
    check_conv(rng, x, W, b, (3, 4), 1, every_variant=False)


def test_conv_kernel_as_large_as_the_padded_image(cuda, rng):
    x, W, b = conv_case(rng, (2, 3, 4, 2), (4, 5, 2, 3))
    check_conv(rng, x, W, b, 1, (1, 1))


def test_conv_weight_gradient_over_many_runs(cuda, many_runs, rng):
    x, W, b = conv_case(rng, (3, 6, 5, 2), (2, 3, 2, 5))  # 90 pixels: 22 runs, added by 4 threads each
    check_conv(rng, x, W, b, 1, "same", every_variant=False)


@pytest.mark.parametrize("stride, padding", [(1, "full"), ((2, 3), (2, 1))])
def test_conv_tiled_kernels(cuda, tiled, rng, stride, padding):
    x, W, b = conv_case(rng, (1, 5, 4, 3), (3, 2, 3, 4))  # 18 taps and 24 dx entries: two stages of 16
    check_conv(rng, x, W, b, stride, padding)


def test_conv_tiled_kernels_over_two_tiles_and_many_runs(cuda, tiled, many_runs, rng):
    x, W, b = conv_case(rng, (3, 5, 6, 1), (1, 2, 1, 2))  # 90 output and input pixels: 2 tiles of 64; 3 runs
    check_conv(rng, x, W, b, 1, (0, 1), every_variant=False)


def test_conv_kept_columns_are_ignored_on_the_gpu(cuda, rng):
    x, W, b = conv_case(rng, (2, 4, 5, 3), (2, 2, 3, 2))
    y, columns = F.conv2d_forward(device(x), device(W), device(b), 1, "same", keep_columns=True)
    assert_same(F.conv2d_forward(x, W, b, 1, "same"), y)
    dy = rng.standard_normal(y.shape)
    expected = F.conv2d_backward(dy, x, W, 1, "same")
    assert_same(expected, F.conv2d_backward(device(dy), device(x), device(W), 1, "same", columns=columns))


def test_conv_float32_is_kept(cuda, rng):
    x, W, b = conv_case(rng, (2, 5, 4, 3), (2, 3, 3, 2), np.float32)
    check_conv(rng, x, W, b, 2, "same", rtol=1e-5, atol=1e-5)


# -- convolution, ReLU and average pooling in one pass ----------------------------------------------
def check_conv_relu_pool(rng, x, W, b, stride, padding, pool_size, pool_stride, rtol=1e-10, atol=1e-12):
    """The pooled output and the three gradients agree (each backend keeps its own state)."""
    geometry = dict(stride=stride, padding=padding, pool_size=pool_size, pool_stride=pool_stride)
    pooled, state = F.conv2d_relu_avg_pool_forward(x, W, b, **geometry)
    pooled_gpu, state_gpu = F.conv2d_relu_avg_pool_forward(device(x), device(W), device(b), **geometry)
    assert_same(pooled, pooled_gpu, rtol, atol)
    dy = rng.standard_normal(pooled.shape).astype(x.dtype)
    for need_dx in (True, False):
        expected = F.conv2d_relu_avg_pool_backward(dy, x, W, state, need_dx=need_dx, **geometry)
        got = F.conv2d_relu_avg_pool_backward(device(dy), device(x), device(W), state_gpu, need_dx=need_dx,
                                              **geometry)
        assert_same(expected, got, rtol, atol)
    assert (host(state_gpu.relu_output) == 0).any()  # the ReLU mask matters


@pytest.mark.parametrize("stride, padding, pool_size, pool_stride", [
    (1, "valid", 2, None),  # 3 × 4 → windows that do not cover the last row
    (1, "same", 2, 1),  # overlapping windows
    (2, 1, (2, 3), (1, 2)),
    (1, "full", 3, 2),
])
def test_conv_relu_avg_pool(cuda, rng, stride, padding, pool_size, pool_stride):
    x, W, b = conv_case(rng, (2, 5, 6, 1), (3, 3, 1, 3))
    check_conv_relu_pool(rng, x, W, b, stride, padding, pool_size, pool_stride)


def test_conv_relu_avg_pool_three_channels_batch_one(cuda, rng):
    x, W, b = conv_case(rng, (1, 6, 5, 3), (2, 3, 3, 4))
    check_conv_relu_pool(rng, x, W, b, 1, "valid", 2, None)


def test_conv_relu_avg_pool_tiled(cuda, tiled, rng):
    x, W, b = conv_case(rng, (1, 5, 6, 2), (3, 3, 2, 3))
    check_conv_relu_pool(rng, x, W, b, 1, "same", 2, 1)


def test_conv_relu_avg_pool_float32_is_kept(cuda, rng):
    x, W, b = conv_case(rng, (2, 5, 6, 1), (3, 3, 1, 3), np.float32)
    check_conv_relu_pool(rng, x, W, b, 1, "same", 2, None, rtol=1e-5, atol=1e-5)


# -- pooling --------------------------------------------------------------------------------------
WINDOWS = [
    (2, None),  # 5 × 7: the last row and column are in no window
    (3, 2),  # overlapping windows
    (2, 3),  # stride larger than the window: gaps
    ((2, 3), (1, 2)),
    ((1, 4), None),
]


def with_ties(rng, shape):
    """Values from a set of three: most windows hold several maxima."""
    return rng.integers(-1, 2, size=shape).astype(np.float64) + rng.choice([0.0, 0.5], size=shape[-1:])


@pytest.mark.parametrize("size, stride", WINDOWS)
def test_max_pool_first_maximum_takes_the_gradient(cuda, rng, size, stride):
    x = with_ties(rng, (2, 5, 7, 3))
    y, _ = same_on_both(F.max_pool2d_forward, x, size, stride)
    dy = rng.standard_normal(y.shape)
    dx, _ = same_on_both(F.max_pool2d_backward, dy, x, size, stride)
    assert np.count_nonzero(dx) < x.size  # ties: not every pixel of a window gets dy


def test_max_pool_distinct_values(cuda, rng):
    x = rng.standard_normal((1, 6, 5, 2))
    y, _ = same_on_both(F.max_pool2d_forward, x, 3, 1)
    same_on_both(F.max_pool2d_backward, rng.standard_normal(y.shape), x, 3, 1)


@pytest.mark.parametrize("size, stride", WINDOWS)
def test_average_pool(cuda, rng, size, stride):
    x = rng.standard_normal((2, 5, 7, 3))
    y, _ = same_on_both(F.avg_pool2d_forward, x, size, stride)
    same_on_both(F.avg_pool2d_backward, rng.standard_normal(y.shape), x, size, stride)


def test_global_pooling_with_ties(cuda, rng):
    for x in (with_ties(rng, (3, 4, 5, 2)), rng.standard_normal((1, 3, 1, 3))):
        for forward, backward in ((F.global_avg_pool2d_forward, F.global_avg_pool2d_backward),
                                  (F.global_max_pool2d_forward, F.global_max_pool2d_backward)):
            y, _ = same_on_both(forward, x)
            same_on_both(backward, rng.standard_normal(y.shape), x)


def test_pooling_float32_is_kept(cuda, rng):
    x = rng.standard_normal((2, 5, 6, 3)).astype(np.float32)
    for forward, backward, args in ((F.max_pool2d_forward, F.max_pool2d_backward, (3, 2)),
                                    (F.avg_pool2d_forward, F.avg_pool2d_backward, (2, 1)),
                                    (F.global_avg_pool2d_forward, F.global_avg_pool2d_backward, ()),
                                    (F.global_max_pool2d_forward, F.global_max_pool2d_backward, ())):
        y, _ = same_on_both(forward, x, *args, rtol=1e-6, atol=1e-6)
        dy = rng.standard_normal(y.shape).astype(np.float32)
        dx, _ = same_on_both(backward, dy, x, *args, rtol=1e-6, atol=1e-6)
        assert y.dtype == dx.dtype == np.float32
