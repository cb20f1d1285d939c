"""One test per numerical convention of the course's ``conventions.md`` (lectures folder)
that applies to the functional operations (layout, convolution, pooling,
activations, losses, dtypes). Each docstring quotes the convention it pins.

Expected values come from straightforward numpy written here (explicit
padding and loops), never from the engine's own output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import engine.functional as F

# ---------------------------------------------------------------------------
# independent reference implementations
# ---------------------------------------------------------------------------


def naive_conv(x, W, b, stride, pads):
    """Cross-correlation of NHWC x with (KH, KW, C, F) W.

    Zero padding is explicit: ``pads`` is ((top, bottom), (left, right)).
    """
    sh, sw = stride
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    kh, kw, _, f = W.shape
    oh = (xp.shape[1] - kh) // sh + 1
    ow = (xp.shape[2] - kw) // sw + 1
    y = np.zeros((x.shape[0], oh, ow, f))
    for n in range(x.shape[0]):
        for i in range(oh):
            for j in range(ow):
                for o in range(f):
                    total = b[o]
                    for u in range(kh):
                        for v in range(kw):
                            for c in range(x.shape[3]):
                                total += xp[n, i * sh + u, j * sw + v, c] * W[u, v, c, o]
                    y[n, i, j, o] = total
    return y


def naive_pool(x, size, stride, reduce):
    kh, kw = size
    sh, sw = stride
    oh = (x.shape[1] - kh) // sh + 1
    ow = (x.shape[2] - kw) // sw + 1
    y = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for i in range(oh):
        for j in range(ow):
            y[:, i, j, :] = reduce(x[:, i * sh : i * sh + kh, j * sw : j * sw + kw, :], axis=(1, 2))
    return y


# ---------------------------------------------------------------------------
# Layout and types
# ---------------------------------------------------------------------------


def test_images_are_nhwc_and_conv_kernels_are_kh_kw_cin_cout(rng):
    """Images are NHWC: `(N, H, W, C)` ...

    Conv kernels are `(KH, KW, C_in, C_out)`, conv bias `(C_out,)`.
    """
    x = rng.standard_normal((2, 5, 6, 3))  # every axis a different size
    W = rng.standard_normal((3, 2, 3, 4))
    b = rng.standard_normal(4)
    y = F.conv2d_forward(x, W, b)
    assert y.shape == (2, 3, 5, 4)
    np.testing.assert_allclose(
        y, naive_conv(x, W, b, (1, 1), ((0, 0), (0, 0))), rtol=1e-12, atol=1e-12
    )


def test_dense_is_x_at_W_plus_b(rng):
    """Dense: `y = x @ W + b`, `x (N, D_in)`, `W (D_in, D_out)`, `b (D_out,)`."""
    x, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)
    y = F.dense_forward(x, W, b)
    assert y.shape == (4, 5)
    expected = np.array(
        [[sum(x[n, i] * W[i, o] for i in range(3)) + b[o] for o in range(5)] for n in range(4)]
    )
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------


def test_convolution_is_cross_correlation_not_flipped(rng):
    """Convolution is cross-correlation: the kernel is not flipped ("la operación no espeja").

    y[i, j] = Σ_{u,v} x[i + u, j + v] W[u, v]. Three views of the same fact:
    an image the size of the kernel gives Σ x ⊙ W (not Σ x ⊙ flip(W)); a delta
    kernel at (u0, v0) reads x[i + u0, j + v0] (a shift, not a mirrored shift);
    and the response to a delta image is the kernel rotated by 180° (a true,
    flipping convolution would reproduce the kernel itself).
    """
    W = rng.standard_normal((2, 3, 1, 1))  # asymmetric in both directions
    zero = np.zeros(1)

    # 1. a one-hot image the size of the kernel picks W at the same position
    for u in range(2):
        for v in range(3):
            x = np.zeros((1, 2, 3, 1))
            x[0, u, v, 0] = 1.0
            assert F.conv2d_forward(x, W, zero)[0, 0, 0, 0] == W[u, v, 0, 0]

    # 2. a delta kernel shifts the image forward, unmirrored
    x = rng.standard_normal((1, 5, 6, 1))
    delta = np.zeros((3, 3, 1, 1))
    delta[0, 2, 0, 0] = 1.0
    y = F.conv2d_forward(x, delta, zero)
    np.testing.assert_array_equal(y[0, :, :, 0], x[0, 0:3, 2:6, 0])

    # 3. a delta image returns the kernel rotated by 180 degrees
    image = np.zeros((1, 5, 6, 1))
    image[0, 2, 3, 0] = 1.0
    y = F.conv2d_forward(image, W, zero)  # valid: (4, 4)
    patch = y[0, 2 - 1 : 3, 3 - 2 : 4, 0]  # output pixels (i, j) whose window covers (2, 3)
    np.testing.assert_array_equal(patch, W[::-1, ::-1, 0, 0])
    assert not np.array_equal(patch, W[:, :, 0, 0])


def keras_same(size, kernel, stride):
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


@pytest.mark.parametrize(
    "hw, kernel, stride",
    [
        ((5, 6), (2, 2), (1, 1)),  # odd total (1): all of it after
        ((5, 5), (3, 3), (1, 1)),  # even total: split
        ((5, 6), (4, 2), (1, 1)),  # total 3 rows: 1 before, 2 after
        ((6, 7), (3, 3), (2, 2)),  # stride 2
        ((7, 6), (4, 1), (2, 3)),
        ((1, 2), (3, 3), (1, 1)),  # input smaller than the kernel: "same" pads it up
    ],
)
def test_same_padding_output_is_ceil_input_over_stride_with_odd_pixel_after(
    rng, hw, kernel, stride
):
    """ "same" (output size = ceil(input / stride); total padding k − 1 at stride 1,
    the odd pixel after, as Keras)."""
    x = rng.standard_normal((2, *hw, 2))
    W = rng.standard_normal((*kernel, 2, 3))
    b = rng.standard_normal(3)
    y = F.conv2d_forward(x, W, b, stride=stride, padding="same")
    assert y.shape[1:3] == (math.ceil(hw[0] / stride[0]), math.ceil(hw[1] / stride[1]))
    pads = (keras_same(hw[0], kernel[0], stride[0]), keras_same(hw[1], kernel[1], stride[1]))
    if stride == (1, 1):
        assert pads[0][0] + pads[0][1] == kernel[0] - 1 and pads[1][0] + pads[1][1] == kernel[1] - 1
    np.testing.assert_allclose(y, naive_conv(x, W, b, stride, pads), rtol=1e-12, atol=1e-12)


def test_same_padding_puts_the_odd_pixel_after_visibly():
    """ "same" ... the odd pixel after, as Keras.

    With a 2x2 kernel the single padded row/column is at the bottom/right.
    """
    x = np.arange(1.0, 13.0).reshape(1, 3, 4, 1)
    W = np.zeros((2, 2, 1, 1))
    W[1, 1, 0, 0] = 1.0  # reads the pixel one down and one right of the window's corner
    y = F.conv2d_forward(x, W, np.zeros(1), padding="same")[0, :, :, 0]
    # odd pixel after: y[i, j] = x[i + 1, j + 1], zero where that falls in the bottom/right padding
    expected = np.zeros((3, 4))
    expected[:2, :3] = x[0, 1:, 1:, 0]
    np.testing.assert_array_equal(y, expected)
    # (had the odd pixel gone before, y would equal x itself)
    assert not np.array_equal(y, x[0, :, :, 0])


@pytest.mark.parametrize("kernel, stride", [((3, 2), (1, 1)), ((2, 4), (2, 1)), ((1, 1), (1, 1))])
def test_full_padding_is_k_minus_1_each_side(rng, kernel, stride):
    """ "full" (k − 1 each side)."""
    x = rng.standard_normal((2, 4, 5, 2))
    W = rng.standard_normal((*kernel, 2, 2))
    b = rng.standard_normal(2)
    pads = ((kernel[0] - 1,) * 2, (kernel[1] - 1,) * 2)
    y = F.conv2d_forward(x, W, b, stride=stride, padding="full")
    np.testing.assert_allclose(y, naive_conv(x, W, b, stride, pads), rtol=1e-12, atol=1e-12)
    if stride == (1, 1):
        assert y.shape[1:3] == (4 + kernel[0] - 1, 5 + kernel[1] - 1)


@pytest.mark.parametrize("trial", range(5))
def test_output_size_is_floor_of_padded_minus_kernel_over_stride_plus_one(rng, trial):
    """Output size `floor((H + pad_total − KH) / stride) + 1`;
    `padding` is an int, a pair, or "valid" (0)."""
    for _ in range(8):
        kh, kw = (int(k) for k in rng.integers(1, 5, size=2))
        sh, sw = (int(s) for s in rng.integers(1, 4, size=2))
        ph, pw = (int(p) for p in rng.integers(0, 3, size=2))
        h = kh - 2 * ph + int(rng.integers(max(0, 2 * ph - kh + 1), 7))
        w = kw - 2 * pw + int(rng.integers(max(0, 2 * pw - kw + 1), 7))
        x = rng.standard_normal((1, h, w, 1))
        W = rng.standard_normal((kh, kw, 1, 2))
        b = rng.standard_normal(2)
        expected_hw = ((h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1)
        padding = ph if ph == pw and trial % 2 else (ph, pw)
        y = F.conv2d_forward(x, W, b, stride=(sh, sw), padding=padding)
        assert y.shape == (1, *expected_hw, 2), (h, w, kh, kw, sh, sw, ph, pw)
        np.testing.assert_allclose(
            y, naive_conv(x, W, b, (sh, sw), ((ph, ph), (pw, pw))), rtol=1e-12, atol=1e-12
        )
    x = rng.standard_normal((1, 6, 5, 1))
    assert F.conv2d_forward(
        x, rng.standard_normal((3, 2, 1, 1)), np.zeros(1), padding="valid"
    ).shape == (1, 4, 4, 1)


@pytest.mark.parametrize(
    "hw, kernel, padding",
    [((2, 5), (3, 3), 0), ((5, 2), (3, 3), "valid"), ((1, 1), (4, 1), 1), ((3, 3), (3, 6), (0, 1))],
)
def test_input_smaller_than_kernel_after_padding_is_an_error(rng, hw, kernel, padding):
    """An input smaller than the kernel after padding is an error, not an empty array."""
    x = rng.standard_normal((1, *hw, 1))
    W = rng.standard_normal((*kernel, 1, 1))
    with pytest.raises(ValueError, match="kernel"):
        F.conv2d_forward(x, W, np.zeros(1), padding=padding)
    with pytest.raises(ValueError):
        F.conv2d_backward(np.zeros((1, 1, 1, 1)), x, W, padding=padding)
    # exactly the kernel's size after padding is fine: one output pixel
    ph = max(kernel[0] - hw[0], 0)
    pw = max(kernel[1] - hw[1], 0)
    xp = rng.standard_normal((1, hw[0] + ph, hw[1] + pw, 1))
    assert F.conv2d_forward(xp, W, np.zeros(1), padding=0).shape[0] == 1


def test_pool_window_larger_than_input_is_an_error(rng):
    """An input smaller than the kernel ... is an error, not an empty array (pooling too)."""
    x = rng.standard_normal((1, 2, 5, 1))
    for op in (F.max_pool2d_forward, F.avg_pool2d_forward):
        with pytest.raises(ValueError):
            op(x, 3)
        with pytest.raises(ValueError):
            op(x, (1, 6))


# ---------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_stride_defaults_to_size_and_windows_that_do_not_fit_are_dropped(rng, kind):
    """Pooling: `size`, `stride` defaulting to `size`,
    windows that do not fit are dropped (Keras "valid")."""
    forward = getattr(F, f"{kind}_pool2d_forward")
    reduce = np.max if kind == "max" else np.mean
    x = rng.standard_normal((2, 5, 7, 3))
    y = forward(x, 2)
    assert y.shape == (2, 2, 3, 3)  # the last row and column are dropped
    np.testing.assert_allclose(y, naive_pool(x, (2, 2), (2, 2), reduce), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(y, forward(x, 2, 2))
    y = forward(x, (2, 3))
    assert y.shape == (2, 2, 2, 3)
    np.testing.assert_allclose(y, naive_pool(x, (2, 3), (2, 3), reduce), rtol=1e-12, atol=1e-12)
    # changing the dropped pixels changes nothing
    x2 = x.copy()
    x2[:, 4, :, :] = 100.0
    x2[:, :, 6, :] = 100.0
    np.testing.assert_array_equal(forward(x2, (2, 3)), y)


def test_max_pool_gradient_goes_to_the_first_maximum_in_row_major_order():
    """Max pooling sends the gradient to the first maximum of its window in row-major order."""
    # window [[0, 5], [5, 1]]: row-major first max is (0, 1); column-major would be (1, 0)
    x = np.array([[0.0, 5.0], [5.0, 1.0]]).reshape(1, 2, 2, 1)
    dx = F.max_pool2d_backward(np.full((1, 1, 1, 1), 3.0), x, 2)
    np.testing.assert_array_equal(dx[0, :, :, 0], [[0.0, 3.0], [0.0, 0.0]])
    # all equal: everything to the top-left pixel
    x = np.full((1, 3, 3, 2), 7.0)
    dx = F.max_pool2d_backward(np.ones((1, 1, 1, 2)), x, 3)
    expected = np.zeros((1, 3, 3, 2))
    expected[0, 0, 0, :] = 1.0
    np.testing.assert_array_equal(dx, expected)
    # ties in a 2x3 window, tied max at (0, 2) and (1, 0) and (1, 2): first is (0, 2)
    x = np.array([[1.0, 2.0, 9.0], [9.0, 0.0, 9.0]]).reshape(1, 2, 3, 1)
    dx = F.max_pool2d_backward(np.full((1, 1, 1, 1), 2.0), x, (2, 3))
    np.testing.assert_array_equal(dx[0, :, :, 0], [[0, 0, 2.0], [0, 0, 0]])
    # global max pooling follows the same rule
    x = np.array([[4.0, 1.0], [4.0, 4.0]]).reshape(1, 2, 2, 1)
    dx = F.global_max_pool2d_backward(np.full((1, 1), 5.0), x)
    np.testing.assert_array_equal(dx[0, :, :, 0], [[5.0, 0.0], [0.0, 0.0]])


def test_max_pool_ties_with_overlapping_windows_accumulate_at_each_first_maximum(rng):
    """Max pooling sends the gradient to the first maximum of its window in row-major order
    (every window, when windows overlap)."""
    x = rng.integers(0, 3, size=(2, 5, 6, 2)).astype(np.float64)  # many ties
    size, stride = (3, 2), (1, 2)
    y = F.max_pool2d_forward(x, size, stride)
    dy = rng.standard_normal(y.shape)
    expected = np.zeros_like(x)
    for n in range(2):
        for i in range(y.shape[1]):
            for j in range(y.shape[2]):
                for c in range(2):
                    window = x[n, i : i + 3, 2 * j : 2 * j + 2, c]
                    u, v = np.unravel_index(np.argmax(window), window.shape)  # first max, row-major
                    expected[n, i + u, 2 * j + v, c] += dy[n, i, j, c]
    np.testing.assert_allclose(
        F.max_pool2d_backward(dy, x, size, stride), expected, rtol=1e-12, atol=1e-15
    )


def test_average_pooling_spreads_the_gradient_evenly(rng):
    """Average pooling spreads it evenly."""
    x = rng.standard_normal((2, 5, 7, 2))
    size, stride = (2, 3), (1, 2)  # overlapping rows, dropped columns
    y = F.avg_pool2d_forward(x, size, stride)
    dy = rng.standard_normal(y.shape)
    expected = np.zeros_like(x)
    for i in range(y.shape[1]):
        for j in range(y.shape[2]):
            expected[:, i : i + 2, 2 * j : 2 * j + 3, :] += dy[:, i : i + 1, j : j + 1, :] / 6
    np.testing.assert_allclose(
        F.avg_pool2d_backward(dy, x, size, stride), expected, rtol=1e-12, atol=1e-15
    )
    dy = rng.standard_normal((2, 2))
    dx = F.global_avg_pool2d_backward(dy, x)
    np.testing.assert_allclose(dx, np.broadcast_to(dy[:, None, None, :] / 35, x.shape), rtol=1e-12)


def test_global_pooling_reduces_over_h_and_w(rng):
    """Global pooling averages (or takes the max) over H and W."""
    x = rng.standard_normal((3, 4, 5, 2))
    avg = F.global_avg_pool2d_forward(x)
    mx = F.global_max_pool2d_forward(x)
    assert avg.shape == mx.shape == (3, 2)
    for n in range(3):
        for c in range(2):
            assert avg[n, c] == pytest.approx(
                sum(x[n, h, w, c] for h in range(4) for w in range(5)) / 20, rel=1e-12
            )
            assert mx[n, c] == max(x[n, h, w, c] for h in range(4) for w in range(5))


# ---------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------


def test_relu_derivative_at_zero_is_zero(rng):
    """ReLU′(0) = 0."""
    x = np.array([0.0, -0.0, 1e-300, -1e-300, 2.0, -2.0])
    dy = rng.uniform(1, 2, size=x.shape)
    dx = F.relu_backward(dy, x)
    np.testing.assert_array_equal(dx, [0.0, 0.0, dy[2], 0.0, dy[4], 0.0])
    np.testing.assert_array_equal(F.relu_forward(x), [0.0, 0.0, 1e-300, 0.0, 2.0, 0.0])


def test_leaky_relu_default_alpha_is_0_01(rng):
    """Leaky ReLU α = 0.01 by default (Keras' LeakyReLU uses 0.3: say so in the docs)."""
    x = -rng.uniform(0.5, 3, size=7)
    np.testing.assert_allclose(F.leaky_relu_forward(x), 0.01 * x, rtol=1e-15)
    dy = rng.standard_normal(7)
    np.testing.assert_allclose(F.leaky_relu_backward(dy, x), 0.01 * dy, rtol=1e-15)
    pos = -x
    np.testing.assert_array_equal(F.leaky_relu_forward(pos), pos)
    np.testing.assert_array_equal(F.leaky_relu_backward(dy, pos), dy)


def test_elu_default_alpha_is_1(rng):
    """ELU α = 1."""
    x = -rng.uniform(0.1, 3, size=7)
    np.testing.assert_allclose(F.elu_forward(x), np.exp(x) - 1, rtol=1e-12)
    dy = rng.standard_normal(7)
    np.testing.assert_allclose(F.elu_backward(dy, x), dy * np.exp(x), rtol=1e-12)
    np.testing.assert_array_equal(F.elu_forward(-x), -x)


HUGE = [1e4, 1e30]


def reference_log_softmax(z):
    z = z.astype(np.float64)
    top = z.max(axis=-1, keepdims=True)
    return z - top - np.log(np.exp(z - top).sum(axis=-1, keepdims=True))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("magnitude", HUGE)
def test_sigmoid_softmax_log_softmax_are_overflow_safe(dtype, magnitude):
    """Sigmoid, softmax and log-softmax are computed in the overflow-safe form;
    no NaN or inf for finite inputs of any magnitude."""
    m = magnitude
    z = np.array(
        [[m, -m, 0.0, 1.0], [-m, -m, -m, -m], [m, m, -m, 0.0], [1.0, -m, m, 0.0]], dtype=dtype
    )
    s = F.sigmoid_forward(z)
    p = F.softmax_forward(z)
    lp = F.log_softmax_forward(z)
    for out in (s, p, lp):
        assert out.dtype == dtype and np.all(np.isfinite(out)), out
    dy = np.ones_like(z)
    for grad in (
        F.sigmoid_backward(dy, s),
        F.softmax_backward(dy, p),
        F.log_softmax_backward(dy, lp),
    ):
        assert np.all(np.isfinite(grad))
    # values: sigmoid saturates cleanly, softmax is exact, log-softmax (rows with one top value)
    np.testing.assert_array_equal(s[0, :2], [1.0, 0.0])
    np.testing.assert_allclose(p, np.exp(reference_log_softmax(z)), rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-6)
    single_top = [0, 3]
    np.testing.assert_allclose(lp[single_top], reference_log_softmax(z[single_top]), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("magnitude", HUGE)
def test_cross_entropies_are_overflow_safe(dtype, magnitude):
    """... overflow-safe form; no NaN or inf for finite inputs of any magnitude
    (softmax cross-entropy and binary cross-entropy from logits)."""
    m = magnitude
    logits = np.array([[m, -m, 0.0], [-m, m, m], [0.0, -m, -m], [-m, -m, -m]], dtype=dtype)
    labels = np.array([1, 2, 0, 1])
    for target in (labels, np.eye(3, dtype=dtype)[labels]):
        loss, grad = F.softmax_cross_entropy(logits, target)
        assert np.isfinite(loss) and np.all(np.isfinite(grad)) and grad.dtype == dtype
    # value check on rows whose top logit is unique (huge loss terms dominate)
    rows = [0, 2]
    loss, grad = F.softmax_cross_entropy(logits[rows], labels[rows])
    assert loss == pytest.approx(
        -np.mean(reference_log_softmax(logits[rows])[[0, 1], labels[rows]]), rel=1e-6
    )

    z = np.array([m, -m, m, -m], dtype=dtype)
    t = np.array([1.0, 0.0, 0.0, 1.0], dtype=dtype)
    loss, grad = F.binary_cross_entropy_with_logits(z, t)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert loss == pytest.approx(2 * float(dtype(m)) / 4, rel=1e-6)  # terms 0, 0, m, m
    np.testing.assert_allclose(grad, [0.0, 0.0, 0.25, -0.25], atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("magnitude", HUGE)
def test_log_softmax_stays_exact_when_huge_logits_tie(dtype, magnitude):
    """Softmax and log-softmax are computed in the overflow-safe form:
    (z − max z) − log Σ e^(z − max z).

    Rows whose largest logits tie are where the form matters: log softmax([m, m, −m]) is
    −log 2 for the two tied entries whatever m is, and the cross-entropy of such a row
    is log 2 with gradient softmax − onehot = [−1/2, 1/2, 0] (next test). Writing it as
    z − (max z + log Σ) loses the log Σ term once |m| is large (it is absorbed by
    rounding at |m| ≈ 1e16 and beyond), giving log-probabilities that do not normalise.
    """
    m = magnitude
    z = np.array([[m, m, -m], [-m, -m, -m]], dtype=dtype)
    lp = F.log_softmax_forward(z)
    np.testing.assert_allclose(lp[0, :2], [-math.log(2)] * 2, rtol=1e-6)
    np.testing.assert_allclose(lp[1], [-math.log(3)] * 3, rtol=1e-6)
    np.testing.assert_allclose(np.log(np.exp(lp.astype(np.float64)).sum(axis=-1)), 0.0, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("magnitude", HUGE)
def test_softmax_cross_entropy_stays_exact_when_huge_logits_tie(dtype, magnitude):
    """... overflow-safe form; softmax cross-entropy (integer labels, one-hot accepted).

    A row [m, m, −m] with label 0 has loss log 2 and gradient softmax − onehot =
    [−1/2, 1/2, 0] for every finite m.
    """
    m = magnitude
    logits = np.array([[m, m, -m]], dtype=dtype)
    for target in (np.array([0]), np.array([[1.0, 0.0, 0.0]], dtype=dtype)):
        loss, grad = F.softmax_cross_entropy(logits, target)
        assert loss == pytest.approx(math.log(2), rel=1e-6)
        np.testing.assert_allclose(grad, [[-0.5, 0.5, 0.0]], atol=1e-6)


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------


def test_softmax_cross_entropy_averages_over_the_batch(rng):
    """Softmax cross-entropy takes integer labels (one-hot accepted) and averages over the batch."""
    logits = rng.standard_normal((5, 4))
    labels = rng.integers(0, 4, size=5)
    loss, grad = F.softmax_cross_entropy(logits, labels)
    rows = [-(logits[n, labels[n]] - np.log(np.sum(np.exp(logits[n])))) for n in range(5)]
    assert loss == pytest.approx(sum(rows) / 5, rel=1e-12)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(grad, (probs - np.eye(4)[labels]) / 5, rtol=1e-10, atol=1e-15)
    # doubling the batch keeps the loss and halves each row's gradient
    loss2, grad2 = F.softmax_cross_entropy(
        np.concatenate([logits, logits]), np.concatenate([labels, labels])
    )
    assert loss2 == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(grad2[:5], grad / 2, rtol=1e-12)
    # one-hot rows give the same loss and gradient
    loss_oh, grad_oh = F.softmax_cross_entropy(logits, np.eye(4)[labels])
    assert loss_oh == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(grad_oh, grad, rtol=1e-12, atol=1e-15)


def test_mse_averages_over_all_elements(rng):
    """MSE averages over all elements."""
    p, t = rng.standard_normal((3, 4, 2)), rng.standard_normal((3, 4, 2))
    loss, grad = F.mse_loss(p, t)
    assert loss == pytest.approx(sum(float(d) ** 2 for d in (p - t).ravel()) / 24, rel=1e-12)
    np.testing.assert_allclose(grad, 2 * (p - t) / 24, rtol=1e-12)


def test_binary_cross_entropy_averages_over_all_elements_from_probabilities_or_logits(rng):
    """Binary cross-entropy averages over all elements and takes probabilities or logits
    (say which by name)."""
    z = rng.standard_normal((3, 4, 2))
    t = rng.random((3, 4, 2))
    p = 1 / (1 + np.exp(-z))
    terms = [
        -(ti * math.log(pi) + (1 - ti) * math.log(1 - pi))
        for pi, ti in zip(p.ravel(), t.ravel(), strict=True)
    ]
    loss_p, grad_p = F.binary_cross_entropy(p, t)
    loss_z, grad_z = F.binary_cross_entropy_with_logits(z, t)
    assert loss_p == pytest.approx(sum(terms) / 24, rel=1e-10)
    assert loss_z == pytest.approx(sum(terms) / 24, rel=1e-10)
    np.testing.assert_allclose(grad_p, (p - t) / (p * (1 - p)) / 24, rtol=1e-9)
    np.testing.assert_allclose(grad_z, (p - t) / 24, rtol=1e-9, atol=1e-15)


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------


def _images(rng):
    return rng.standard_normal((2, 5, 6, 3))


DTYPE_CASES = {
    "dense_forward": lambda r: (
        F.dense_forward,
        [r.standard_normal((3, 4)), r.standard_normal((4, 2)), r.standard_normal(2)],
    ),
    "dense_backward": lambda r: (
        F.dense_backward,
        [r.standard_normal((3, 2)), r.standard_normal((3, 4)), r.standard_normal((4, 2))],
    ),
    "conv2d_forward": lambda r: (
        F.conv2d_forward,
        [_images(r), r.standard_normal((3, 2, 3, 2)), r.standard_normal(2)],
    ),
    "conv2d_backward": lambda r: (
        F.conv2d_backward,
        [r.standard_normal((2, 3, 5, 2)), _images(r), r.standard_normal((3, 2, 3, 2))],
    ),
    "max_pool2d_forward": lambda r: (F.max_pool2d_forward, [_images(r)]),
    "max_pool2d_backward": lambda r: (
        F.max_pool2d_backward,
        [r.standard_normal((2, 2, 3, 3)), _images(r)],
    ),
    "avg_pool2d_forward": lambda r: (F.avg_pool2d_forward, [_images(r)]),
    "avg_pool2d_backward": lambda r: (
        F.avg_pool2d_backward,
        [r.standard_normal((2, 2, 3, 3)), _images(r)],
    ),
    "global_avg_pool2d_forward": lambda r: (F.global_avg_pool2d_forward, [_images(r)]),
    "global_avg_pool2d_backward": lambda r: (
        F.global_avg_pool2d_backward,
        [r.standard_normal((2, 3)), _images(r)],
    ),
    "global_max_pool2d_forward": lambda r: (F.global_max_pool2d_forward, [_images(r)]),
    "global_max_pool2d_backward": lambda r: (
        F.global_max_pool2d_backward,
        [r.standard_normal((2, 3)), _images(r)],
    ),
    "flatten_forward": lambda r: (F.flatten_forward, [_images(r)]),
    "flatten_backward": lambda r: (
        lambda dy: F.flatten_backward(dy, (2, 5, 6, 3)),
        [r.standard_normal((2, 90))],
    ),
    "mse_loss": lambda r: (F.mse_loss, [r.standard_normal((3, 4)), r.standard_normal((3, 4))]),
    "softmax_cross_entropy": lambda r: (
        lambda z: F.softmax_cross_entropy(z, np.array([0, 2, 1])),
        [r.standard_normal((3, 4))],
    ),
    "softmax_cross_entropy_one_hot": lambda r: (
        F.softmax_cross_entropy,
        [r.standard_normal((3, 4)), np.eye(4)[[0, 2, 1]]],
    ),
    "binary_cross_entropy": lambda r: (
        F.binary_cross_entropy,
        [r.uniform(0.1, 0.9, (3, 4)), r.random((3, 4))],
    ),
    "binary_cross_entropy_with_logits": lambda r: (
        F.binary_cross_entropy_with_logits,
        [r.standard_normal((3, 4)), r.random((3, 4))],
    ),
}
for _name in ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softmax", "log_softmax"):
    DTYPE_CASES[f"{_name}_forward"] = lambda r, n=_name: (
        getattr(F, f"{n}_forward"),
        [r.standard_normal((3, 4))],
    )
    DTYPE_CASES[f"{_name}_backward"] = lambda r, n=_name: (
        getattr(F, f"{n}_backward"),
        [
            r.standard_normal((3, 4)),
            r.uniform(0.1, 0.9, (3, 4)) if n in ("sigmoid", "tanh") else r.standard_normal((3, 4)),
        ],
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op", sorted(DTYPE_CASES))
def test_every_op_preserves_the_dtype_it_was_given(rng, op, dtype):
    """float32 for training, float64 for gradient checks and grading; every kernel works
    in both and never silently changes the dtype it was given."""
    fn, args = DTYPE_CASES[op](rng)
    out = fn(*[a.astype(dtype) for a in args])
    reference = fn(*args)  # float64
    outs = out if isinstance(out, tuple) else (out,)
    refs = reference if isinstance(reference, tuple) else (reference,)
    arrays = 0
    for o, r in zip(outs, refs, strict=True):
        if isinstance(o, np.ndarray):
            arrays += 1
            assert o.dtype == dtype, f"{op} returned {o.dtype} for {np.dtype(dtype)} input"
            np.testing.assert_allclose(o, r, rtol=1e-4, atol=1e-5)
        else:
            assert isinstance(o, float)  # a loss value
            assert o == pytest.approx(r, rel=1e-4, abs=1e-6)
    assert arrays >= 1
