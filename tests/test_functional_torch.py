"""Every forward and backward of ``engine.functional`` against PyTorch, in float64.

The engine is NHWC with kernels (KH, KW, C_in, C_out); PyTorch is NCHW with
weights (C_out, C_in, KH, KW). Images are permuted on the way in and out.
PyTorch's symmetric padding cannot express Keras' "same" with an odd total,
so the test computes the Keras split itself (the odd pixel at the bottom /
right) and pads explicitly with ``torch.nn.functional.pad``.

Shapes, strides and paddings are drawn at random each run (the seed is printed
on failure); the whole module is skipped when PyTorch is not installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
TF = torch.nn.functional

import engine.functional as F  # noqa: E402

torch.set_num_threads(1)  # two small pools (Numba's and torch's) on two cores only fight

RTOL = 1e-9
ATOL = 1e-11


def close(actual, expected, what=""):
    if isinstance(expected, torch.Tensor):
        expected = expected.detach().numpy()
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=what)


def leaf(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def torch_grads(output, dy, *leaves):
    """Gradients of Σ output ⊙ dy with respect to ``leaves``."""
    return torch.autograd.grad((output * torch.from_numpy(dy)).sum(), leaves)


def away_from_zero(rng, shape):
    magnitude = rng.uniform(0.1, 3.0, size=shape)
    return np.where(rng.random(shape) < 0.5, -magnitude, magnitude)


def distinct(rng, shape):
    size = int(np.prod(shape))
    return rng.permutation(np.linspace(-3, 3, size) + rng.uniform(0, 1e-3, size)).reshape(shape)


# ---------------------------------------------------------------------------
# dense, flatten
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("trial", range(4))
def test_dense_matches_torch(rng, trial):
    n, d_in, d_out = rng.integers(1, 8, size=3)
    x, W, b = (
        rng.standard_normal((n, d_in)),
        rng.standard_normal((d_in, d_out)),
        rng.standard_normal(d_out),
    )
    tx, tW, tb = leaf(x), leaf(W), leaf(b)
    ty = TF.linear(tx, tW.T, tb)
    y = F.dense_forward(x, W, b)
    close(y, ty, "y")
    dy = rng.standard_normal(y.shape)
    for mine, ref, name in zip(
        F.dense_backward(dy, x, W), torch_grads(ty, dy, tx, tW, tb), "xWb", strict=True
    ):
        close(mine, ref, f"d{name}")


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4, 5), (1, 7), (4, 1, 2)])
def test_flatten_matches_torch(rng, shape):
    x = rng.standard_normal(shape)
    tx = leaf(x)
    ty = torch.flatten(tx, 1)
    y = F.flatten_forward(x)
    close(y, ty)
    dy = rng.standard_normal(y.shape)
    (tdx,) = torch_grads(ty, dy, tx)
    close(F.flatten_backward(dy, x.shape), tdx)


# ---------------------------------------------------------------------------
# activations
# ---------------------------------------------------------------------------

ACT_SHAPES = [(6,), (3, 5), (2, 3, 4)]


@pytest.mark.parametrize("shape", ACT_SHAPES)
@pytest.mark.parametrize(
    "name, reference, backward_takes",
    [
        ("sigmoid", torch.sigmoid, "y"),
        ("tanh", torch.tanh, "y"),
        ("relu", TF.relu, "x"),
        ("softmax", lambda t: TF.softmax(t, dim=-1), "y"),
        ("log_softmax", lambda t: TF.log_softmax(t, dim=-1), "y"),
    ],
)
def test_activation_matches_torch(rng, name, reference, backward_takes, shape):
    x = away_from_zero(rng, shape) * 3
    tx = leaf(x)
    ty = reference(tx)
    y = getattr(F, f"{name}_forward")(x)
    close(y, ty, "forward")
    dy = rng.standard_normal(shape)
    (tdx,) = torch_grads(ty, dy, tx)
    saved = y if backward_takes == "y" else x
    close(getattr(F, f"{name}_backward")(dy, saved), tdx, "backward")


@pytest.mark.parametrize("shape", ACT_SHAPES)
@pytest.mark.parametrize("alpha", [None, 0.3, 0.0, 2.0])
def test_leaky_relu_matches_torch(rng, alpha, shape):
    x = away_from_zero(rng, shape)
    kwargs = {} if alpha is None else {"alpha": alpha}
    slope = 0.01 if alpha is None else alpha  # the convention's default
    tx = leaf(x)
    ty = TF.leaky_relu(tx, negative_slope=slope)
    close(F.leaky_relu_forward(x, **kwargs), ty, "forward")
    dy = rng.standard_normal(shape)
    (tdx,) = torch_grads(ty, dy, tx)
    close(F.leaky_relu_backward(dy, x, **kwargs), tdx, "backward")


@pytest.mark.parametrize("shape", ACT_SHAPES)
@pytest.mark.parametrize("alpha", [None, 0.5, 1.7])
def test_elu_matches_torch(rng, alpha, shape):
    x = away_from_zero(rng, shape)
    kwargs = {} if alpha is None else {"alpha": alpha}
    tx = leaf(x)
    ty = TF.elu(tx, alpha=1.0 if alpha is None else alpha)
    close(F.elu_forward(x, **kwargs), ty, "forward")
    dy = rng.standard_normal(shape)
    (tdx,) = torch_grads(ty, dy, tx)
    close(F.elu_backward(dy, x, **kwargs), tdx, "backward")


# ---------------------------------------------------------------------------
# convolution
# ---------------------------------------------------------------------------


def keras_same(size, kernel, stride):
    """(before, after) padding of Keras' "same": output ceil(size / stride), odd pixel after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def torch_conv(tx, tW, tb, stride, padding):
    """The engine's conv2d on NHWC tensors, written with torch's NCHW conv2d."""
    kh, kw = tW.shape[0], tW.shape[1]
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    x = tx.permute(0, 3, 1, 2).contiguous()
    if padding == "same":
        top, bottom = keras_same(tx.shape[1], kh, sh)
        left, right = keras_same(tx.shape[2], kw, sw)
        x = TF.pad(x, (left, right, top, bottom))
        pad = 0
    elif padding == "valid":
        pad = 0
    elif padding == "full":
        pad = (kh - 1, kw - 1)
    else:
        pad = padding
    y = TF.conv2d(x, tW.permute(3, 2, 0, 1).contiguous(), tb, stride=(sh, sw), padding=pad)
    return y.permute(0, 2, 3, 1)


def check_conv(rng, x_shape, k_shape, stride, padding):
    kh, kw, f = k_shape
    x = rng.standard_normal(x_shape)
    W = rng.standard_normal((kh, kw, x_shape[3], f))
    b = rng.standard_normal(f)
    tx, tW, tb = leaf(x), leaf(W), leaf(b)
    ty = torch_conv(tx, tW, tb, stride, padding)
    y = F.conv2d_forward(x, W, b, stride=stride, padding=padding)
    assert y.shape == tuple(ty.shape)
    close(y, ty, "y")
    dy = rng.standard_normal(y.shape)
    mine = F.conv2d_backward(dy, x, W, stride=stride, padding=padding)
    for m, ref, name in zip(mine, torch_grads(ty, dy, tx, tW, tb), "xWb", strict=True):
        close(m, ref, f"d{name}")


CONV_GRID = [
    ((2, 5, 6, 3), (1, 1, 2), 1, 0),
    ((2, 7, 7, 2), (2, 2, 3), 3, 0),
    ((1, 7, 5, 3), (3, 3, 2), 1, 0),
    ((2, 7, 8, 2), (2, 3, 2), (2, 1), 0),
    ((2, 5, 6, 2), (3, 3, 2), 1, (1, 2)),
    ((2, 5, 5, 2), (3, 3, 2), 1, 2),
    ((2, 5, 6, 2), (2, 4, 2), 1, "same"),
    ((2, 6, 7, 2), (3, 3, 2), 2, "same"),
    ((1, 7, 6, 2), (4, 2, 3), 2, "same"),
    ((1, 8, 9, 1), (3, 5, 2), (3, 2), "same"),
    ((2, 4, 5, 2), (3, 2, 2), 1, "full"),
    ((1, 5, 4, 2), (3, 3, 2), (2, 1), "full"),
    ((2, 6, 5, 2), (3, 3, 2), 2, "valid"),
]


@pytest.mark.parametrize("x_shape, k_shape, stride, padding", CONV_GRID)
def test_conv2d_grid_matches_torch(rng, x_shape, k_shape, stride, padding):
    check_conv(rng, x_shape, k_shape, stride, padding)


@pytest.mark.parametrize("trial", range(6))
@pytest.mark.parametrize("mode", ["int", "pair", "valid", "same", "full"])
def test_conv2d_random_geometry_matches_torch(rng, mode, trial):
    n, c, f = rng.integers(1, 4), rng.integers(1, 4), rng.integers(1, 4)
    kh, kw = (int(k) for k in rng.integers(1, 5, size=2))
    sh, sw = (int(s) for s in rng.integers(1, 4, size=2))
    stride = sh if rng.random() < 0.5 and sh == sw else (sh, sw)
    if mode == "int":
        padding = int(rng.integers(0, 3))
        pads = (2 * padding, 2 * padding)
    elif mode == "pair":
        padding = tuple(int(p) for p in rng.integers(0, 3, size=2))
        pads = (2 * padding[0], 2 * padding[1])
    elif mode == "full":
        padding, pads = "full", (2 * (kh - 1), 2 * (kw - 1))
    else:
        padding, pads = mode, (0, 0)  # "same" never needs more than the input: start at the kernel
    h = int(rng.integers(max(kh - pads[0], 1), kh + 6))
    w = int(rng.integers(max(kw - pads[1], 1), kw + 6))
    check_conv(rng, (int(n), h, w, int(c)), (kh, kw, int(f)), stride, padding)


# ---------------------------------------------------------------------------
# pooling
# ---------------------------------------------------------------------------


def random_pool_geometry(rng):
    kh, kw = (int(k) for k in rng.integers(1, 4, size=2))
    size = kh if kh == kw and rng.random() < 0.5 else (kh, kw)
    choice = rng.integers(0, 3)
    if choice == 0:
        stride, (sh, sw) = None, (kh, kw)
    else:
        sh, sw = (int(s) for s in rng.integers(1, 5, size=2))
        stride = (sh, sw)
    shape = (
        int(rng.integers(1, 4)),
        kh + int(rng.integers(0, 6)),
        kw + int(rng.integers(0, 6)),
        int(rng.integers(1, 4)),
    )
    return shape, size, stride, (kh, kw), (sh, sw)


POOL_GRID = [
    ((2, 4, 6, 2), 2, None),
    ((2, 5, 7, 2), 2, None),
    ((2, 5, 5, 2), 3, 1),
    ((1, 6, 5, 3), 3, 2),
    ((2, 7, 7, 2), 2, 3),
    ((2, 6, 7, 2), (2, 3), (1, 2)),
    ((1, 5, 8, 1), (3, 2), None),
]


def grid_geometry(size, stride):
    kh, kw = (size, size) if isinstance(size, int) else size
    if stride is None:
        return (kh, kw), (kh, kw)
    return (kh, kw), ((stride, stride) if isinstance(stride, int) else stride)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", [*POOL_GRID, *(f"random-{i}" for i in range(8))], ids=str)
def test_pool2d_matches_torch(rng, kind, case):
    if isinstance(case, str):
        shape, size, stride, kernel, strides = random_pool_geometry(rng)
    else:
        shape, size, stride = case
        kernel, strides = grid_geometry(size, stride)
    x = distinct(rng, shape)
    tx = leaf(x)
    pool = TF.max_pool2d if kind == "max" else TF.avg_pool2d
    ty = pool(tx.permute(0, 3, 1, 2), kernel_size=kernel, stride=strides).permute(0, 2, 3, 1)
    forward = getattr(F, f"{kind}_pool2d_forward")
    backward = getattr(F, f"{kind}_pool2d_backward")
    y = forward(x, size, stride)
    assert y.shape == tuple(ty.shape)
    close(y, ty, "forward")
    dy = rng.standard_normal(y.shape)
    (tdx,) = torch_grads(ty, dy, tx)
    close(backward(dy, x, size, stride), tdx, "backward")


@pytest.mark.parametrize("shape", [(2, 3, 4, 3), (1, 1, 1, 2), (3, 5, 2, 1)])
@pytest.mark.parametrize("kind", ["avg", "max"])
def test_global_pool2d_matches_torch(rng, kind, shape):
    x = distinct(rng, shape)
    tx = leaf(x)
    ty = tx.mean(dim=(1, 2)) if kind == "avg" else tx.amax(dim=(1, 2))
    y = getattr(F, f"global_{kind}_pool2d_forward")(x)
    close(y, ty, "forward")
    dy = rng.standard_normal(y.shape)
    (tdx,) = torch_grads(ty, dy, tx)
    close(getattr(F, f"global_{kind}_pool2d_backward")(dy, x), tdx, "backward")


# ---------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------


def check_loss(mine, reference, prediction, *torch_args):
    tp = leaf(prediction)
    tloss = reference(tp, *torch_args)
    (tgrad,) = torch.autograd.grad(tloss, (tp,))
    loss, grad = mine
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, tloss.item(), rtol=RTOL, atol=ATOL)
    close(grad, tgrad, "grad")


@pytest.mark.parametrize("n, k", [(5, 4), (1, 3), (8, 10), (3, 1)])
def test_softmax_cross_entropy_integer_labels_matches_torch(rng, n, k):
    logits = 3 * rng.standard_normal((n, k))
    labels = rng.integers(0, k, size=n)
    check_loss(
        F.softmax_cross_entropy(logits, labels), TF.cross_entropy, logits, torch.from_numpy(labels)
    )


@pytest.mark.parametrize("n, k", [(5, 4), (1, 3), (8, 10)])
def test_softmax_cross_entropy_one_hot_matches_torch(rng, n, k):
    logits = 3 * rng.standard_normal((n, k))
    one_hot = np.eye(k)[rng.integers(0, k, size=n)]
    check_loss(
        F.softmax_cross_entropy(logits, one_hot),
        TF.cross_entropy,
        logits,
        torch.from_numpy(one_hot),
    )


def test_softmax_cross_entropy_probability_targets_match_torch(rng):
    logits = 3 * rng.standard_normal((6, 5))
    targets = rng.dirichlet(np.ones(5), size=6)
    check_loss(
        F.softmax_cross_entropy(logits, targets),
        TF.cross_entropy,
        logits,
        torch.from_numpy(targets),
    )


@pytest.mark.parametrize("shape", [(4, 3), (7,), (2, 3, 4)])
def test_mse_loss_matches_torch(rng, shape):
    prediction, target = rng.standard_normal(shape), rng.standard_normal(shape)
    check_loss(F.mse_loss(prediction, target), TF.mse_loss, prediction, torch.from_numpy(target))


@pytest.mark.parametrize("shape", [(4, 3), (7,), (2, 3, 4)])
@pytest.mark.parametrize("hard_targets", [True, False])
def test_binary_cross_entropy_matches_torch(rng, shape, hard_targets):
    probabilities = rng.uniform(0.01, 0.99, size=shape)
    targets = (rng.random(shape) < 0.5).astype(np.float64) if hard_targets else rng.random(shape)
    check_loss(
        F.binary_cross_entropy(probabilities, targets),
        TF.binary_cross_entropy,
        probabilities,
        torch.from_numpy(targets),
    )


@pytest.mark.parametrize("shape", [(4, 3), (7,), (2, 3, 4)])
@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_binary_cross_entropy_with_logits_matches_torch(rng, shape, scale):
    logits = scale * rng.standard_normal(shape)
    targets = rng.random(shape)
    check_loss(
        F.binary_cross_entropy_with_logits(logits, targets),
        TF.binary_cross_entropy_with_logits,
        logits,
        torch.from_numpy(targets),
    )


# ---------------------------------------------------------------------------
# the fused blocks: convolution (or dense) with ReLU inside, and conv → ReLU → average pooling
# ---------------------------------------------------------------------------

BLOCK_GRID = [  # (x shape, (KH, KW, F), stride, padding, pool size, pool stride)
    ((3, 9, 8, 1), (3, 3, 4), 1, 0, 2, None),  # few channels: the filter-major kernels
    ((2, 11, 10, 3), (3, 3, 5), 2, "same", 2, None),
    ((2, 9, 9, 6), (3, 3, 8), 1, 0, 2, None),  # many channels: im2col and BLAS
    ((2, 10, 9, 2), (3, 2, 3), 1, 1, 3, 2),  # overlapping windows
]


@pytest.mark.parametrize("x_shape, k_shape, stride, padding, pool_size, pool_stride", BLOCK_GRID)
def test_conv_relu_avg_pool_block_matches_torch(rng, x_shape, k_shape, stride, padding, pool_size, pool_stride):
    kh, kw, f = k_shape
    x, W, b = rng.standard_normal(x_shape), rng.standard_normal((kh, kw, x_shape[3], f)), rng.standard_normal(f)
    tx, tW, tb = leaf(x), leaf(W), leaf(b)
    conv = TF.relu(torch_conv(tx, tW, tb, stride, padding)).permute(0, 3, 1, 2)
    ty = TF.avg_pool2d(conv, pool_size, pool_stride).permute(0, 2, 3, 1)
    pooled, state = F.conv2d_relu_avg_pool_forward(x, W, b, stride, padding, pool_size, pool_stride)
    close(pooled, ty, "pooled")
    dy = rng.standard_normal(pooled.shape)
    mine = F.conv2d_relu_avg_pool_backward(dy, x, W, state, stride, padding, pool_size, pool_stride)
    for m, ref, name in zip(mine, torch_grads(ty, dy, tx, tW, tb), "xWb", strict=True):
        close(m, ref, f"d{name}")


def test_conv_and_dense_with_relu_inside_match_torch(rng):
    x, W, b = rng.standard_normal((2, 7, 6, 2)), rng.standard_normal((3, 3, 2, 4)), rng.standard_normal(4)
    tx, tW, tb = leaf(x), leaf(W), leaf(b)
    ty = TF.relu(torch_conv(tx, tW, tb, 1, "same"))
    y = F.conv2d_forward(x, W, b, 1, "same", relu=True)
    close(y, ty, "conv y")
    dy = rng.standard_normal(y.shape)
    mine = F.conv2d_backward(dy, x, W, 1, "same", relu_output=y)
    for m, ref, name in zip(mine, torch_grads(ty, dy, tx, tW, tb), "xWb", strict=True):
        close(m, ref, f"conv d{name}")
    x, W, b = rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    tx, tW, tb = leaf(x), leaf(W), leaf(b)
    ty = TF.relu(tx @ tW + tb)
    y = F.dense_forward(x, W, b, relu=True)
    close(y, ty, "dense y")
    dy = rng.standard_normal(y.shape)
    mine = F.dense_backward(dy, x, W, relu_output=y)
    for m, ref, name in zip(mine, torch_grads(ty, dy, tx, tW, tb), "xWb", strict=True):
        close(m, ref, f"dense d{name}")
