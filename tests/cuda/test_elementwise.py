"""The GPU's activations, losses, dropout, optimisers and batch norm against the CPU backend, in float64.

Everything goes through the public functional API (``engine.functional``) on host
arrays and on device copies of them; the accuracy counters are checked against
numpy. Shapes are tiny (the simulator runs every GPU thread as a Python thread)
but odd, with rows wider than a warp (37 > 32) so that the threads of a row-wise
block stride along it, and batch-norm reductions are also run with their launch
plan shrunk so that several row ranges and channel chunks meet on a few values.
"""

import numpy as np
import pytest
from backends_agree import assert_same, device, host, same_on_both

import engine.functional as F
from engine.backends import get_backend


@pytest.fixture
def cpu():
    return get_backend("cpu")


def _float32_agrees(on_cpu, on_gpu, rtol=2e-6, atol=1e-6):
    """float32 results: the dtype is kept and values agree to float32 rounding."""
    on_gpu = host(on_gpu)
    if isinstance(on_cpu, (tuple, list)):
        for a, b in zip(on_cpu, on_gpu):
            _float32_agrees(a, b, rtol, atol)
    elif isinstance(on_cpu, np.ndarray):
        assert on_gpu.dtype == on_cpu.dtype
        np.testing.assert_allclose(on_gpu, on_cpu, rtol=rtol, atol=atol)
    else:
        np.testing.assert_allclose(on_gpu, on_cpu, rtol=rtol, atol=atol)


# -- activations --------------------------------------------------------------------------------------
ELEMENTWISE = {  # name: (what the backward takes besides dy: "x" or "y", keyword arguments)
    "sigmoid": ("y", {}),
    "tanh": ("y", {}),
    "relu": ("x", {}),
    "leaky_relu": ("x", {"alpha": 0.07}),
    "elu": ("x", {"alpha": 1.3}),
}


def _activation_input(rng, shape, dtype=np.float64):
    x = rng.normal(scale=3, size=shape)
    flat = x.reshape(-1)
    flat[:6] = [0.0, -0.0, 800.0, -800.0, 1e-12, -1e-12]  # the kink, overflow, expm1's small arguments
    return x.astype(dtype)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_activation_forward_and_backward(cuda, rng, name):
    saved, options = ELEMENTWISE[name]
    x = _activation_input(rng, (3, 5, 7))
    y, _ = same_on_both(getattr(F, f"{name}_forward"), x, **options)
    dy = rng.normal(size=x.shape)
    same_on_both(getattr(F, f"{name}_backward"), dy, x if saved == "x" else y, **options)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape", [(2, 37), (2, 1, 10), (1, 1)])
def test_rowwise_activation_forward_and_backward(cuda, rng, name, shape):
    x = rng.normal(scale=4, size=shape)
    x.reshape(-1, shape[-1])[0, 0] = 1e30  # max z subtracted first: nothing overflows or rounds away
    y, _ = same_on_both(getattr(F, f"{name}_forward"), x)
    assert np.all(np.isfinite(y))
    same_on_both(getattr(F, f"{name}_backward"), rng.normal(size=shape), y)


def test_activations_float32_keep_their_dtype(cuda, rng):
    x = _activation_input(rng, (2, 37), np.float32)
    dy = rng.normal(size=x.shape).astype(np.float32)
    for name, (saved, options) in {**ELEMENTWISE, "softmax": ("y", {}), "log_softmax": ("y", {})}.items():
        forward, backward = getattr(F, f"{name}_forward"), getattr(F, f"{name}_backward")
        y = forward(x, **options)
        _float32_agrees(y, forward(device(x), **options))
        other = x if saved == "x" else y
        _float32_agrees(backward(dy, other, **options), backward(device(dy), device(other), **options))


# -- losses --------------------------------------------------------------------------------------------
def test_mean_squared_error_over_one_and_several_blocks(cuda, rng):
    for shape in [(1,), (3, 4), (300,)]:
        same_on_both(F.mse_loss, rng.normal(size=shape), rng.normal(size=shape))


@pytest.mark.parametrize("classes", [1, 37])
def test_softmax_cross_entropy_integer_and_one_hot_labels(cuda, rng, classes):
    logits = rng.normal(scale=3, size=(2, classes))
    logits[0, 0] = -1e30
    labels = rng.integers(0, classes, size=2)
    expected = F.softmax_cross_entropy(logits, labels)
    assert_same(expected, F.softmax_cross_entropy(device(logits), labels))  # labels are checked on the host
    one_hot = np.eye(classes)[labels]
    assert_same(expected, F.softmax_cross_entropy(device(logits), one_hot))
    soft = rng.dirichlet(np.ones(classes), size=2)
    soft[1] *= 0.5  # rows need not sum to 1: the gradient carries Σ_k t_k
    assert_same(F.softmax_cross_entropy(logits, soft), F.softmax_cross_entropy(device(logits), soft))


def test_binary_cross_entropy_from_probabilities_and_logits(cuda, rng, monkeypatch):
    probabilities = rng.uniform(size=(4, 5))
    probabilities[0, :3] = [0.0, 1.0, 1e-9]  # clipped to [1e-7, 1 − 1e-7]
    targets = rng.uniform(size=(4, 5))
    targets[1, :2] = [0.0, 1.0]
    same_on_both(F.binary_cross_entropy, probabilities, targets)
    logits = rng.normal(scale=5, size=(4, 5))
    logits[0, :2] = [1000.0, -1000.0]
    same_on_both(F.binary_cross_entropy_with_logits, logits, targets)
    monkeypatch.setattr(cuda.losses, "reduction_threads", lambda count: 32)  # 100 values: 4 blocks of a warp
    probabilities, targets = rng.uniform(0.1, 1, size=100), rng.uniform(size=100)
    same_on_both(F.binary_cross_entropy, probabilities, targets)
    same_on_both(F.binary_cross_entropy_with_logits, probabilities, targets)
    probabilities[99], probabilities[40] = 1.25, 0.0  # in the last block, and in another one
    with pytest.raises(ValueError, match="probabilities must lie in \\[0, 1\\], got values from 0.0 to 1.25$"):
        F.binary_cross_entropy(device(probabilities), device(targets))


def test_binary_cross_entropy_checks_the_range_of_device_arrays(cuda, rng):
    good = rng.uniform(size=11)
    bad = good.copy()
    bad[[2, 7]] = [-0.25, 1.5]
    cases = [
        (F.binary_cross_entropy, bad, good),
        (F.binary_cross_entropy, good, bad),
        (F.binary_cross_entropy, bad, bad),  # the probabilities are named first
        (F.binary_cross_entropy_with_logits, bad * 10, bad),
        (F.binary_cross_entropy, good.astype(np.float32), bad.astype(np.float32)),  # float32 values printed
    ]
    for loss, first, second in cases:
        with pytest.raises(ValueError) as on_host:
            loss(first, second)
        with pytest.raises(ValueError) as on_device:
            loss(device(first), device(second))
        assert str(on_device.value) == str(on_host.value)
    unbounded = good.copy()
    unbounded[[0, 1, 2]] = [np.nan, np.inf, -np.inf]  # only finite values are checked
    loss, _ = F.binary_cross_entropy_with_logits(device(good), device(unbounded))
    assert np.isnan(loss)
    F.binary_cross_entropy_with_logits(device(bad * 10), device(good))  # logits may be anything


def test_losses_float32_keep_their_dtype(cuda, rng):
    p, t = rng.uniform(size=(3, 10)).astype(np.float32), rng.uniform(size=(3, 10)).astype(np.float32)
    labels = rng.integers(0, 10, size=3)
    for loss, args in [(F.mse_loss, (p, t)), (F.binary_cross_entropy, (p, t)),
                       (F.binary_cross_entropy_with_logits, (p, t))]:
        _float32_agrees(loss(*args), loss(*(device(a) for a in args)))
    _float32_agrees(F.softmax_cross_entropy(p, labels), F.softmax_cross_entropy(device(p), labels))
    one_hot = np.eye(10, dtype=np.float32)[labels]
    _float32_agrees(F.softmax_cross_entropy(p, one_hot), F.softmax_cross_entropy(device(p), one_hot))
    assert cuda.losses.correct_labels(device(p), labels.astype(np.int32)) == np.count_nonzero(p.argmax(1) == labels)
    assert cuda.losses.correct_one_hot(device(p), device(t)) == np.count_nonzero(p.argmax(1) == t.argmax(1))


# -- accuracy counters ---------------------------------------------------------------------------------
def test_counters_agree_with_numpy(cuda, rng):
    scores = rng.integers(0, 3, size=(9, 4)).astype(np.float64)  # many ties: the first maximum counts
    scores[4, 2] = np.nan  # np.argmax picks the first NaN
    labels = np.argmax(scores, axis=-1)
    labels[::3] = rng.integers(0, 4, size=3)
    expected = int(np.count_nonzero(np.argmax(scores, axis=-1) == labels))
    assert cuda.losses.correct_labels(device(scores), labels) == expected
    assert cuda.losses.correct_labels(device(scores), device(labels)) == expected
    one_hot = rng.integers(0, 2, size=scores.shape).astype(np.float64)
    expected = int(np.count_nonzero(np.argmax(scores, axis=-1) == np.argmax(one_hot, axis=-1)))
    assert cuda.losses.correct_one_hot(device(scores), one_hot) == expected
    assert cuda.losses.correct_one_hot(device(scores), device(one_hot)) == expected
    for dtype, threshold in [(np.float64, 0.5), (np.float32, 0.1)]:
        output = rng.uniform(size=40).astype(dtype)
        output[:3] = dtype(threshold)  # on the threshold: compared in the output's dtype, as numpy does
        targets = (rng.uniform(size=40) > 0.5).astype(dtype)
        expected = int(np.count_nonzero((output > threshold) == (targets > 0.5)))
        assert cuda.losses.correct_binary(device(output), device(targets), threshold) == expected


def test_counters_match_the_cpu_counters(cuda, cpu, rng):
    scores = rng.normal(size=(37, 3))
    labels = rng.integers(0, 3, size=37)
    assert cuda.losses.correct_labels(device(scores), labels) == cpu.losses.correct_labels(scores, labels)
    targets = np.eye(3)[rng.integers(0, 3, size=37)]
    assert cuda.losses.correct_one_hot(device(scores), targets) == cpu.losses.correct_one_hot(scores, targets)
    flat, truth = scores.reshape(-1), targets.reshape(-1)
    assert cuda.losses.correct_binary(device(flat), device(truth), 0.0) == cpu.losses.correct_binary(flat, truth, 0.0)


# -- dropout -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(1,), (7,), (2, 5), (3, 7, 5)])
@pytest.mark.parametrize("p_keep", [1.0, 0.5, 0.05])
def test_dropout_mask_and_values_are_the_cpu_ones_exactly(cuda, rng, shape, p_keep):
    x = rng.normal(size=shape)
    dy = rng.normal(size=shape)
    for seed in (0, 1, 2**64 - 1, int(rng.integers(2**63))):
        y, mask = F.dropout_forward(x, p_keep, seed)
        y_gpu, mask_gpu = F.dropout_forward(device(x), p_keep, seed)
        np.testing.assert_array_equal(host(mask_gpu), mask)
        np.testing.assert_array_equal(host(y_gpu), y)
        dx = F.dropout_backward(device(dy), mask_gpu, p_keep)
        np.testing.assert_array_equal(host(dx), F.dropout_backward(dy, mask, p_keep))
    if p_keep == 1.0:
        assert mask.all()


def test_dropout_float32_is_exact(cuda, rng):
    x = rng.normal(size=(5, 9)).astype(np.float32)
    y, mask = F.dropout_forward(x, 0.3, 42)
    y_gpu, mask_gpu = F.dropout_forward(device(x), 0.3, 42)
    assert host(y_gpu).dtype == np.float32 and 0 < mask.sum() < mask.size
    np.testing.assert_array_equal(host(mask_gpu), mask)
    np.testing.assert_array_equal(host(y_gpu), y)
    np.testing.assert_array_equal(host(F.dropout_backward(device(x), mask_gpu, 0.3)), F.dropout_backward(x, mask, 0.3))


# -- optimisers ----------------------------------------------------------------------------------------
OPTIMISERS = [  # (update, state names, keyword arguments), plain then with weight decay; t passed where taken
    (F.sgd_update, (), {"lr": 0.1}),
    (F.sgd_update, (), {"lr": 0.1, "weight_decay": 0.3}),
    (F.momentum_update, ("m",), {"lr": 0.1, "beta1": 0.8}),
    (F.momentum_update, ("m",), {"lr": 0.1, "beta1": 0.8, "bias_correction": True, "weight_decay": 0.2}),
    (F.nesterov_update, ("m",), {"lr": 0.1, "beta1": 0.7}),
    (F.nesterov_update, ("m",), {"lr": 0.1, "beta1": 0.7, "weight_decay": 0.2}),
    (F.adagrad_update, ("s",), {"lr": 0.1}),
    (F.adagrad_update, ("s",), {"lr": 0.1, "eps": 1e-6, "weight_decay": 0.2}),
    (F.rmsprop_update, ("v",), {"lr": 0.01, "beta2": 0.9}),
    (F.rmsprop_update, ("v",), {"lr": 0.01, "beta2": 0.9, "bias_correction": True, "weight_decay": 0.1}),
    (F.adam_update, ("m", "v"), {"lr": 0.01}),
    (F.adam_update, ("m", "v"), {"lr": 0.01, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6, "weight_decay": 0.1}),
]
TIMED = {F.momentum_update, F.rmsprop_update, F.adam_update}


def _three_steps(update, states, options, rng, dtype):
    """Three consecutive updates on the host and on the device; (host arrays, device arrays)."""
    param = rng.normal(size=(3, 7)).astype(dtype)
    state = {name: np.zeros_like(param) for name in states}
    on_gpu = {"param": device(param), **{name: device(value) for name, value in state.items()}}
    for t in (1, 2, 3):
        grad = rng.normal(size=param.shape).astype(dtype)
        step = {"t": t} if update in TIMED else {}
        update(param, grad, **state, **step, **options)
        update(on_gpu["param"], device(grad), **{n: on_gpu[n] for n in states}, **step, **options)
    return [param, *state.values()], list(on_gpu.values())


@pytest.mark.parametrize("case", range(len(OPTIMISERS)))
def test_optimiser_three_steps_in_place(cuda, rng, case):
    on_cpu, on_gpu = _three_steps(*OPTIMISERS[case], rng, np.float64)
    assert_same(on_cpu, on_gpu)


def test_optimisers_float32_keep_their_dtype(cuda, rng):
    for update, states, options in OPTIMISERS[1::2]:  # every update once, with weight decay
        on_cpu, on_gpu = _three_steps(update, states, options, rng, np.float32)
        _float32_agrees(on_cpu, on_gpu, rtol=1e-5)


# -- batch normalisation -------------------------------------------------------------------------------
BATCHNORM_SHAPES = [(5, 7), (2, 3, 3, 4), (1, 6), (1, 2, 2, 3)]  # dense, NHWC, and a batch of one


def _per_channel(rng, shape):
    c = shape[-1]
    return rng.normal(size=c) + 1.5, rng.normal(size=c)


@pytest.mark.parametrize("shape", BATCHNORM_SHAPES)
def test_batchnorm_training_forward_and_backward(cuda, rng, shape):
    x = rng.normal(loc=3, scale=2, size=shape)
    gamma, beta = _per_channel(rng, shape)
    (_, mean, var, inv_std), _ = same_on_both(F.batchnorm_forward, x, gamma, beta)
    dy = rng.normal(size=shape)
    same_on_both(F.batchnorm_backward, dy, x, gamma, mean, inv_std)
    moving_mean, moving_variance = rng.normal(size=shape[-1]), rng.uniform(0.5, 2, size=shape[-1])
    gpu_moving = device(moving_mean), device(moving_variance)
    F.update_moving_statistics(moving_mean, moving_variance, mean, var, momentum=0.9)
    F.update_moving_statistics(*gpu_moving, device(mean), device(var), momentum=0.9)
    assert_same((moving_mean, moving_variance), gpu_moving)


@pytest.mark.parametrize("shape", BATCHNORM_SHAPES[:2])
def test_batchnorm_dropout_forward_and_backward(cuda, rng, shape):
    x = rng.normal(size=shape)
    gamma, beta = _per_channel(rng, shape)
    (z, mean, _, inv_std, mask), (_, _, _, _, mask_gpu) = same_on_both(F.batchnorm_dropout_forward, x, gamma, beta,
                                                                       0.6, 7)
    np.testing.assert_array_equal(mask_gpu, mask)
    np.testing.assert_array_equal(mask, F.dropout_forward(x, 0.6, 7)[1])  # the dropout's own mask
    same_on_both(F.batchnorm_dropout_backward, rng.normal(size=shape), x, gamma, mean, inv_std, mask, 0.6)


@pytest.mark.parametrize("shape", BATCHNORM_SHAPES[:3])
def test_batchnorm_inference_forward_and_backward(cuda, rng, shape):
    x = rng.normal(size=shape)
    gamma, beta = _per_channel(rng, shape)
    moving_mean, moving_variance = rng.normal(size=shape[-1]), rng.uniform(0.5, 2, size=shape[-1])
    same_on_both(F.batchnorm_inference, x, gamma, beta, moving_mean, moving_variance, eps=0.01)
    same_on_both(F.batchnorm_inference_backward, rng.normal(size=shape), x, gamma, moving_mean, moving_variance)


@pytest.mark.parametrize("threads, rows_per_thread, shape", [
    (12, 1, (11, 4)),  # 3 threads per channel (a tree over a non-power of two), 4 unequal row ranges
    (4, 2, (2, 3, 5)),  # 5 channels in chunks of 4 (the last one short), 3 row ranges
])
def test_batchnorm_reductions_over_several_ranges_and_chunks(cuda, rng, monkeypatch, threads, rows_per_thread,
                                                             shape):
    monkeypatch.setattr(cuda.batchnorm, "BLOCK_THREADS", threads)
    monkeypatch.setattr(cuda.batchnorm, "ROWS_PER_THREAD", rows_per_thread)
    rows = int(np.prod(shape[:-1]))
    _, _, chunks, row_blocks = cuda.batchnorm.reduction_plan(rows, shape[-1])
    assert row_blocks >= 3 and (chunks > 1 or threads // shape[-1] == 3)
    x = rng.normal(loc=50, size=shape)  # the mean far from 0: a one-pass Σx² would lose digits
    gamma, beta = _per_channel(rng, shape)
    (_, mean, var, inv_std), _ = same_on_both(F.batchnorm_forward, x, gamma, beta)
    np.testing.assert_allclose(var, x.reshape(-1, shape[-1]).var(axis=0), rtol=1e-10)
    dy = rng.normal(size=shape)
    same_on_both(F.batchnorm_backward, dy, x, gamma, mean, inv_std)
    z, mean, _, inv_std, mask = F.batchnorm_dropout_forward(x, gamma, beta, 0.5, 3)
    same_on_both(F.batchnorm_dropout_backward, dy, x, gamma, mean, inv_std, mask, 0.5)


def test_batchnorm_float32_keeps_its_dtype(cuda, rng):
    x = rng.normal(loc=100, size=(6, 5)).astype(np.float32)
    gamma, beta = (a.astype(np.float32) for a in _per_channel(rng, x.shape))
    on_cpu = F.batchnorm_forward(x, gamma, beta)
    on_gpu = F.batchnorm_forward(device(x), device(gamma), device(beta))
    _float32_agrees(on_cpu, on_gpu, rtol=1e-4, atol=1e-4)
    dy = rng.normal(size=x.shape).astype(np.float32)
    _, mean, _, inv_std = on_cpu
    _float32_agrees(F.batchnorm_backward(dy, x, gamma, mean, inv_std),
                    F.batchnorm_backward(*(device(a) for a in (dy, x, gamma, mean, inv_std))), rtol=1e-4, atol=1e-4)
    variance = np.abs(gamma)
    _float32_agrees(F.batchnorm_inference(x, gamma, beta, beta, variance),
                    F.batchnorm_inference(*(device(a) for a in (x, gamma, beta, beta, variance))), rtol=1e-5, atol=1e-4)
    z, _, _, _, mask = F.batchnorm_dropout_forward(x, gamma, beta, 0.5, 11)
    z_gpu, _, _, _, mask_gpu = F.batchnorm_dropout_forward(device(x), device(gamma), device(beta), 0.5, 11)
    np.testing.assert_array_equal(host(mask_gpu), mask)
    _float32_agrees(z, z_gpu, rtol=1e-4, atol=1e-4)
    moving, moving_gpu = beta.copy(), device(beta)
    F.update_moving_statistics(moving, variance, gamma, beta)
    F.update_moving_statistics(moving_gpu, device(variance), device(gamma), device(beta))
    _float32_agrees(moving, moving_gpu)


def test_batchnorm_per_channel_helpers(cuda, cpu, rng):
    c = 9
    gamma, inv_std, sum_dy_xc, dbeta, var = (rng.normal(size=c) for _ in range(5))
    var = np.abs(var)
    expected, got = np.empty(c), cuda.empty((c,), np.float64)
    cpu.batchnorm.inverse_std(var, 1e-3, expected)
    cuda.batchnorm.inverse_std(device(var), 1e-3, got)
    assert_same(expected, got)
    cpu.batchnorm.multiply(gamma, inv_std, expected)
    cuda.batchnorm.multiply(device(gamma), device(inv_std), got)
    assert_same(expected, got)
    expected = [np.empty(c) for _ in range(4)]
    got = [cuda.empty((c,), np.float64) for _ in range(4)]
    cpu.batchnorm.backward_coefficients(gamma, inv_std, sum_dy_xc, dbeta, 17, *expected)
    cuda.batchnorm.backward_coefficients(*(device(a) for a in (gamma, inv_std, sum_dy_xc, dbeta)), 17, *got)
    assert_same(expected, got)
