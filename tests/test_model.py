"""``Sequential``: the lecture's LeNet summary, backpropagation through whole models
against finite differences and PyTorch, the fused softmax + cross-entropy head,
persistence, modes, prediction and input checks.

Gradients: every parameter of small float64 models is perturbed by central
differences of a loss computed *here*, in numpy, from ``model.forward``'s output
(mse, cross-entropy on probabilities, binary cross-entropy on probabilities or
logits); the analytic gradients come from ``model.loss_and_backward``.
"""

from __future__ import annotations

import contextlib
import re

import numba
import numpy as np
import pytest

import engine
from engine import (
    ELU,
    AveragePooling2D,
    BinaryCrossEntropy,
    Conv2D,
    CrossEntropy,
    Dense,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    LeakyReLU,
    LogSoftmax,
    MaxPool2D,
    MeanSquaredError,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)

# ---------------------------------------------------------------------------
# LeNet: the summary of lecture 004 §5
# ---------------------------------------------------------------------------

LECTURE_LENET = [  # (kind, output shape, parameters) as printed by Keras in the lecture
    ("Conv2D", (None, 26, 26, 6), 60),
    ("AveragePooling2D", (None, 13, 13, 6), 0),
    ("Conv2D", (None, 11, 11, 16), 880),
    ("AveragePooling2D", (None, 5, 5, 16), 0),
    ("Flatten", (None, 400), 0),
    ("Dense", (None, 120), 48120),
    ("Dense", (None, 84), 10164),
    ("Dense", (None, 10), 850),
]
ROW = re.compile(r"^(\w+) \((\w+)\)\s+(\(None(?:, \d+)+\))\s+(\d+)$")


def parse_summary(text):
    rows = []
    for line in text.splitlines():
        match = ROW.match(line.strip())
        if match:
            name, kind, shape, count = match.groups()
            dims = tuple(
                None if d.strip() == "None" else int(d) for d in shape.strip("()").split(",")
            )
            rows.append((name, kind, dims, int(count)))
    total = re.search(r"Total params: ([\d,]+)", text)
    return rows, (int(total.group(1).replace(",", "")) if total else None)


def test_lenet_summary_matches_the_lecture(capsys):
    model = engine.lenet()
    returned = model.summary()
    printed = capsys.readouterr().out
    assert returned.strip() == printed.strip()
    rows, total = parse_summary(printed)
    assert [(kind, shape, count) for _, kind, shape, count in rows] == LECTURE_LENET
    assert total == 60074
    assert [name for name, *_ in rows] == [
        "conv2d_1",
        "average_pooling2d_1",
        "conv2d_2",
        "average_pooling2d_2",
        "flatten_1",
        "dense_1",
        "dense_2",
        "dense_3",
    ]
    assert model.parameter_count() == 60074
    assert sum(p.value.size for p in model.parameters()) == 60074


def test_lenet_parameter_shapes_and_output():
    model = engine.lenet(seed=3)
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    assert shapes == {
        "conv2d_1.W": (3, 3, 1, 6),
        "conv2d_1.b": (6,),
        "conv2d_2.W": (3, 3, 6, 16),
        "conv2d_2.b": (16,),
        "dense_1.W": (400, 120),
        "dense_1.b": (120,),
        "dense_2.W": (120, 84),
        "dense_2.b": (84,),
        "dense_3.W": (84, 10),
        "dense_3.b": (10,),
    }
    x = np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)
    y = model.forward(x)
    assert y.shape == (3, 10) and y.dtype == np.float32
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-5)


def test_summary_before_build_raises():
    with pytest.raises(RuntimeError, match="not built"):
        Sequential([Dense(3)]).summary(print_fn=lambda s: None)


def test_layer_names_count_per_kind_and_custom_names_are_kept():
    model = Sequential(
        [Dense(4, name="hidden"), ReLU(), Dense(4), LeakyReLU(), Dense(2), Softmax()],
        input_shape=(3,),
    )
    assert [layer.name for layer in model.layers] == [
        "hidden",
        "re_lu_1",
        "dense_1",
        "leaky_re_lu_1",
        "dense_2",
        "softmax_1",
    ]
    with pytest.raises(ValueError, match="unique"):
        Sequential([Dense(4, name="a"), Dense(4, name="a")], input_shape=(3,))


def test_conv_same_stride_two_output_shape():
    model = Sequential(
        [Conv2D(3, 3, stride=2, padding="same"), MaxPool2D(2), GlobalAveragePooling2D()],
        input_shape=(7, 7, 2),
    )
    assert [layer.output_shape for layer in model.layers] == [(4, 4, 3), (2, 2, 3), (3,)]


# ---------------------------------------------------------------------------
# the losses, written here
# ---------------------------------------------------------------------------


def np_mse(output, target):
    return float(np.mean((output - target) ** 2))


def np_cross_entropy(probabilities, labels):
    onehot = labels if labels.ndim == 2 else np.eye(probabilities.shape[1])[labels]
    return float(-np.sum(onehot * np.log(probabilities)) / probabilities.shape[0])


def np_bce(probabilities, targets):
    return float(
        -np.mean(targets * np.log(probabilities) + (1 - targets) * np.log1p(-probabilities))
    )


def np_bce_logits(logits, targets):
    # log σ(z) = −log(1 + e^{−z}), log(1 − σ(z)) = −log(1 + e^{z}), both overflow-safe
    return float(
        np.mean(targets * np.logaddexp(0, -logits) + (1 - targets) * np.logaddexp(0, logits))
    )


NP_LOSSES = {
    "mse": np_mse,
    "cross_entropy": np_cross_entropy,
    "binary_cross_entropy": np_bce,
    "bce_logits": np_bce_logits,
}


def engine_loss(name):
    return BinaryCrossEntropy(from_logits=True) if name == "bce_logits" else name


@contextlib.contextmanager
def serial_numba():
    """One Numba thread while finite differences call the model hundreds of times: on a busy
    two-core machine the hand-offs of the thread pool would dominate (tens of ms per call)."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(threads)


def randomise_biases(model, rng):
    """Biases start at zero; a zero bias behind a dead ReLU puts a pre-activation exactly on a
    kink, where central differences average the two slopes. Random biases avoid that."""
    for layer in model.layers:
        if "b" in layer.params:
            layer.params["b"].value[...] = rng.uniform(-0.5, 0.5, layer.params["b"].value.shape)


def check_model_gradients_fd(model, x, target, loss_name, numgrad, rtol=1e-5, atol=1e-8):
    """Every parameter's backpropagated gradient against central differences of the numpy loss."""
    np_loss = NP_LOSSES[loss_name]
    value, output = model.loss_and_backward(x, target, engine_loss(loss_name))
    assert value == pytest.approx(np_loss(model.forward(x), target), rel=1e-10, abs=1e-12)
    analytic = {
        (layer.name, name): p.grad.copy()
        for layer in model.layers
        for name, p in layer.params.items()
    }
    assert analytic, "the model has parameters"
    for layer in model.layers:
        for name, p in layer.params.items():
            with serial_numba():
                numeric = numgrad(lambda _: np_loss(model.forward(x), target), p.value)
            grad = analytic[(layer.name, name)]
            assert grad.shape == p.value.shape and grad.dtype == np.float64
            np.testing.assert_allclose(
                grad, numeric, rtol=rtol, atol=atol, err_msg=f"{layer.name}.{name}"
            )


def labels_for(rng, n, k):
    return rng.integers(0, k, size=n)


def images(rng, shape):
    return rng.standard_normal(shape)


MODELS = {
    # name: (layers factory, input shape, loss)
    "dense_activation_strings_mse": (
        lambda: [
            Dense(5, activation="relu"),
            Dense(5, activation="leaky_relu"),
            Dense(5, activation="elu"),
            Dense(4, activation="tanh"),
            Dense(4, activation="sigmoid"),
            Dense(3),
        ],
        (4,),
        "mse",
    ),
    "activation_layers_mse": (
        lambda: [
            Dense(5),
            ReLU(),
            Dense(5),
            LeakyReLU(alpha=0.2),
            Dense(5),
            ELU(alpha=0.7),
            Dense(4),
            Tanh(),
            Dense(4),
            Sigmoid(),
            Dense(4),
            Softmax(),
            Dense(4),
            LogSoftmax(),
            Dense(2),
        ],
        (3,),
        "mse",
    ),
    "conv_same_stride2_maxpool_softmax_ce": (
        lambda: [
            Conv2D(3, 3, stride=2, padding="same", activation="tanh"),
            MaxPool2D(2),
            Flatten(),
            Dense(3, activation="softmax"),
        ],
        (7, 7, 2),
        "cross_entropy",
    ),
    "conv_relu_avgpool_same_gap_softmax_layer_ce": (
        lambda: [
            Conv2D(4, 3, activation="relu"),
            AveragePooling2D(2),
            Conv2D(3, 2, padding="same"),
            GlobalAveragePooling2D(),
            Dense(3),
            Softmax(),
        ],
        (6, 6, 2),
        "cross_entropy",
    ),
    "conv_pad_gmp_sigmoid_bce": (
        lambda: [
            Conv2D(4, (3, 2), padding=1, activation="leaky_relu"),
            GlobalMaxPooling2D(),
            Dense(2, activation="sigmoid"),
        ],
        (5, 4, 2),
        "binary_cross_entropy",
    ),
    "conv_stride_elu_gmp_logits_bce": (
        lambda: [
            Conv2D(3, 2, stride=(2, 1), activation="elu"),
            MaxPool2D(2, stride=1),
            GlobalMaxPooling2D(),
            Dense(2),
        ],
        (6, 5, 1),
        "bce_logits",
    ),
    # CrossEntropy on a non-softmax output: not a sensible model, but the unfused code path
    "dense_sigmoid_unfused_ce": (
        lambda: [Dense(4, activation="tanh"), Dense(3, activation="sigmoid")],
        (3,),
        "cross_entropy",
    ),
    "flatten_dense_log_softmax_mse": (
        lambda: [Flatten(), Dense(4, activation="log_softmax")],
        (2, 3, 1),
        "mse",
    ),
}


def make_target(rng, loss_name, output_shape, n):
    if loss_name == "cross_entropy":
        return labels_for(rng, n, output_shape[-1])
    if loss_name in ("binary_cross_entropy", "bce_logits"):
        return rng.integers(0, 2, size=(n,) + output_shape).astype(np.float64)
    return rng.standard_normal((n,) + output_shape)


@pytest.mark.parametrize("name", list(MODELS))
def test_model_gradients_against_finite_differences(rng, seed, numgrad, name):
    layers, input_shape, loss_name = MODELS[name]
    model = Sequential(layers(), input_shape=input_shape, seed=seed, dtype=np.float64)
    randomise_biases(model, rng)
    n = 4
    x = images(rng, (n,) + input_shape)
    target = make_target(rng, loss_name, model.output_shape, n)
    check_model_gradients_fd(model, x, target, loss_name, numgrad)


def test_cross_entropy_with_one_hot_targets_gradients(rng, seed, numgrad):
    model = Sequential(
        [Dense(4, activation="tanh"), Dense(3, activation="softmax")],
        input_shape=(5,),
        seed=seed,
        dtype=np.float64,
    )
    randomise_biases(model, rng)
    x = rng.standard_normal((6, 5))
    onehot = np.eye(3)[rng.integers(0, 3, 6)]
    check_model_gradients_fd(model, x, onehot, "cross_entropy", numgrad)


def test_engine_check_model_gradients_passes_on_a_correct_model(rng, seed):
    """A linear net with mse: the loss is quadratic in every single parameter, so central
    differences are exact for any ε, and ε = 1e-2 leaves no excuse for a mismatch. Every
    parameter's analytic gradient must be the one at the unperturbed point."""
    model = Sequential([Dense(3), Dense(2)], input_shape=(4,), seed=seed, dtype=np.float64)
    x, target = rng.standard_normal((5, 4)), rng.standard_normal((5, 2))
    with serial_numba():
        result = engine.check_model_gradients(model, x, target, "mse", eps=1e-2)
    assert set(result.errors) == {"dense_1.W", "dense_1.b", "dense_2.W", "dense_2.b"}
    assert result.passed, str(result)


# ---------------------------------------------------------------------------
# the fused softmax + cross-entropy head
# ---------------------------------------------------------------------------


def grads_of(model):
    return {
        f"{layer.name}.{name}": p.grad.copy()
        for layer in model.layers
        for name, p in layer.params.items()
    }


@pytest.mark.parametrize("head", ["dense_softmax", "softmax_layer"])
@pytest.mark.parametrize("one_hot", [False, True])
def test_fused_head_equals_unfused_computation(rng, seed, head, one_hot):
    tail = [Dense(4, activation="softmax")] if head == "dense_softmax" else [Dense(4), Softmax()]
    model = Sequential(
        [Dense(6, activation="tanh")] + tail, input_shape=(5,), seed=seed, dtype=np.float64
    )
    x = rng.standard_normal((7, 5))
    labels = rng.integers(0, 4, 7)
    target = np.eye(4)[labels] if one_hot else labels

    fused_value, output = model.loss_and_backward(x, target, "cross_entropy")
    fused = grads_of(model)

    probabilities = model.forward(x)
    unfused_value, dprob = CrossEntropy()(
        probabilities, target
    )  # −onehot / (p N), through softmax'
    model.backward(dprob)
    unfused = grads_of(model)

    np.testing.assert_allclose(output, probabilities, rtol=1e-14)
    assert fused_value == pytest.approx(unfused_value, rel=1e-12)
    assert fused_value == pytest.approx(np_cross_entropy(probabilities, labels), rel=1e-12)
    for key in fused:
        np.testing.assert_allclose(fused[key], unfused[key], rtol=1e-9, atol=1e-12, err_msg=key)


def test_cross_entropy_loss_object_gradient(rng, numgrad):
    p = rng.uniform(0.05, 1.0, (5, 4))
    p /= p.sum(axis=1, keepdims=True)
    labels = rng.integers(0, 4, 5)
    value, grad = CrossEntropy()(p, labels)
    assert value == pytest.approx(np_cross_entropy(p, labels), rel=1e-12)
    np.testing.assert_allclose(
        grad, numgrad(lambda q: np_cross_entropy(q, labels), p), rtol=1e-6, atol=1e-9
    )


def torch_mlp(torch, model, x, head):
    """The same MLP in PyTorch (Linear's weight is Wᵀ): logits for F.cross_entropy."""
    h = torch.tensor(x)
    leaves = {}
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    for i, layer in enumerate(dense):
        W = torch.tensor(layer.params["W"].value.copy(), requires_grad=True)
        b = torch.tensor(layer.params["b"].value.copy(), requires_grad=True)
        leaves[f"{layer.name}.W"], leaves[f"{layer.name}.b"] = W, b
        h = h @ W + b
        if i < len(dense) - 1:
            h = torch.tanh(h) if layer.activation.kind == "Tanh" else torch.relu(h)
    return h, leaves


@pytest.mark.parametrize("head", ["dense_softmax", "softmax_layer"])
def test_fused_cross_entropy_matches_torch(torch, rng, seed, head):
    tail = [Dense(3, activation="softmax")] if head == "dense_softmax" else [Dense(3), Softmax()]
    model = Sequential(
        [Dense(6, activation="tanh"), Dense(5, activation="relu")] + tail,
        input_shape=(4,),
        seed=seed,
        dtype=np.float64,
    )
    x = rng.standard_normal((8, 4))
    labels = rng.integers(0, 3, 8)
    value, probabilities = model.loss_and_backward(x, labels, "cross_entropy")
    logits, leaves = torch_mlp(torch, model, x, head)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
    loss.backward()
    assert value == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(probabilities, torch.softmax(logits, 1).detach().numpy(), rtol=1e-12)
    ours = grads_of(model)
    assert set(ours) == set(leaves)
    for key, leaf in leaves.items():
        np.testing.assert_allclose(
            ours[key], leaf.grad.numpy(), rtol=1e-10, atol=1e-13, err_msg=key
        )


def test_fused_cross_entropy_is_exact_for_huge_logits(torch, rng, seed):
    """Logits of order 1e3: softmax underflows to 0, yet the fused loss is PyTorch's, finite."""
    model = Sequential(
        [Dense(3, activation="softmax")], input_shape=(4,), seed=seed, dtype=np.float64
    )
    model.layers[0].params["W"].value[...] *= 1000
    x = rng.standard_normal((6, 4))
    labels = rng.integers(0, 3, 6)
    value, _ = model.loss_and_backward(x, labels, "cross_entropy")
    W = torch.tensor(model.layers[0].params["W"].value.copy(), requires_grad=True)
    loss = torch.nn.functional.cross_entropy(torch.tensor(x) @ W, torch.tensor(labels))
    loss.backward()
    assert np.isfinite(value)
    assert value == pytest.approx(loss.item(), rel=1e-10)
    np.testing.assert_allclose(
        model.layers[0].params["W"].grad, W.grad.numpy(), rtol=1e-9, atol=1e-12
    )


def test_bce_from_logits_equals_sigmoid_then_bce(rng, seed):
    logits_model = Sequential(
        [Dense(3, activation="tanh"), Dense(2)], input_shape=(4,), seed=seed, dtype=np.float64
    )
    prob_model = Sequential(
        [Dense(3, activation="tanh"), Dense(2, activation="sigmoid")],
        input_shape=(4,),
        seed=seed,
        dtype=np.float64,
    )
    x = rng.standard_normal((5, 4))
    t = rng.integers(0, 2, (5, 2)).astype(np.float64)
    v1, _ = logits_model.loss_and_backward(x, t, BinaryCrossEntropy(from_logits=True))
    v2, _ = prob_model.loss_and_backward(x, t, "binary_cross_entropy")
    assert v1 == pytest.approx(v2, rel=1e-9)
    g1, g2 = grads_of(logits_model), grads_of(prob_model)
    for key in g1:
        np.testing.assert_allclose(g1[key], g2[key], rtol=1e-7, atol=1e-12, err_msg=key)


def test_loss_objects_and_names():
    assert isinstance(engine.losses.get_loss("mse"), MeanSquaredError)
    assert isinstance(engine.losses.get_loss("cross_entropy"), CrossEntropy)
    assert isinstance(engine.losses.get_loss("binary_cross_entropy"), BinaryCrossEntropy)
    with pytest.raises(ValueError, match="loss"):
        engine.losses.get_loss("hinge")


# ---------------------------------------------------------------------------
# persistence
# ---------------------------------------------------------------------------


def small_cnn(seed, dtype=np.float32, units=5):
    return Sequential(
        [
            Conv2D(3, 3, activation="relu"),
            MaxPool2D(2),
            Flatten(),
            Dense(units, activation="softmax"),
        ],
        input_shape=(8, 8, 2),
        seed=seed,
        dtype=dtype,
    )


def test_save_load_round_trip(tmp_path, rng):
    a, b = small_cnn(seed=1), small_cnn(seed=2)
    x = rng.random((4, 8, 8, 2), dtype=np.float32)
    assert not np.allclose(a.forward(x), b.forward(x))
    path = a.save(tmp_path / "weights.npz")
    assert path.exists()
    with np.load(path) as stored:
        assert set(stored.files) == {"conv2d_1.W", "conv2d_1.b", "dense_1.W", "dense_1.b"}
        np.testing.assert_array_equal(stored["dense_1.W"], a.layers[3].params["W"].value)
    assert b.load(path) is b
    np.testing.assert_array_equal(b.forward(x), a.forward(x))
    for key, value in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[key], value)
        assert b.state_dict()[key].dtype == np.float32


def test_save_adds_the_npz_suffix(tmp_path):
    a = small_cnn(seed=1)
    path = a.save(tmp_path / "weights")
    assert path.suffix == ".npz" and path.exists()
    small_cnn(seed=3).load(path)


def test_load_into_mismatching_model_names_the_key(tmp_path):
    path = small_cnn(seed=1).save(tmp_path / "w.npz")
    with pytest.raises(ValueError, match=r"dense_1\.W"):
        small_cnn(seed=1, units=6).load(path)  # dense_1.W has another shape
    bigger = Sequential(
        [Conv2D(3, 3, activation="relu"), MaxPool2D(2), Flatten(), Dense(5), Dense(2)],
        input_shape=(8, 8, 2),
    )
    with pytest.raises(ValueError, match=r"dense_2\.(W|b)"):
        bigger.load(path)  # dense_2.* are missing from the file
    smaller = Sequential([Flatten(), Dense(5)], input_shape=(8, 8, 2))
    with pytest.raises(ValueError, match=r"conv2d_1\.(W|b)"):
        smaller.load(path)  # conv2d_1.* are unexpected


def test_failed_load_leaves_weights_untouched(tmp_path):
    """A load that raises must not leave a half-loaded model behind: every key and shape is
    checked before anything is written (as Keras' load_weights does)."""
    path = small_cnn(seed=1).save(tmp_path / "w.npz")
    target = small_cnn(seed=2, units=6)
    before = {k: v.copy() for k, v in target.state_dict().items()}
    with pytest.raises(ValueError):
        target.load(path)
    for key, value in before.items():
        np.testing.assert_array_equal(target.state_dict()[key], value, err_msg=key)


def test_load_into_unbuilt_model_raises(tmp_path):
    path = small_cnn(seed=1).save(tmp_path / "w.npz")
    with pytest.raises(RuntimeError, match="build"):
        Sequential([Conv2D(3, 3)]).load(path)


# ---------------------------------------------------------------------------
# modes, predict, inputs
# ---------------------------------------------------------------------------


def test_train_eval_flags_propagate():
    model = small_cnn(seed=0)
    assert all(layer.training for layer in model.layers)
    assert model.eval() is model
    assert not any(layer.training for layer in model.layers)
    assert model.train() is model
    assert all(layer.training for layer in model.layers)


def test_predict_in_batches_equals_forward(rng):
    model = small_cnn(seed=0, dtype=np.float64)
    x = rng.random((11, 8, 8, 2))
    expected = model.forward(x)
    for batch_size in (1, 3, 4, 11, 256):
        np.testing.assert_allclose(
            model.predict(x, batch_size=batch_size), expected, rtol=1e-13, atol=1e-15
        )
    assert all(layer.training for layer in model.layers), "predict restores the training mode"
    model.eval()
    model.predict(x, batch_size=4)
    assert not any(layer.training for layer in model.layers), "and the evaluation mode"
    with pytest.raises((TypeError, ValueError), match="batch_size"):
        model.predict(x, batch_size=0)


def test_evaluate_returns_loss_and_accuracy(rng):
    model = small_cnn(seed=0, dtype=np.float64)
    x = rng.random((9, 8, 8, 2))
    labels = rng.integers(0, 5, 9)
    loss, acc = model.evaluate(x, labels, "cross_entropy", batch_size=4)
    p = model.forward(x)
    assert loss == pytest.approx(np_cross_entropy(p, labels), rel=1e-12)
    assert acc == pytest.approx(np.mean(p.argmax(1) == labels))
    reg = Sequential([Dense(2)], input_shape=(3,), dtype=np.float64)
    xr, tr = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    loss, acc = reg.evaluate(xr, tr, "mse")
    assert acc is None and loss == pytest.approx(np_mse(reg.forward(xr), tr), rel=1e-12)


def test_wrong_input_shape_or_dtype_raises_clearly(rng):
    model = Sequential([Dense(3)], input_shape=(4,), dtype=np.float64)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 4\)"):
        model.forward(rng.standard_normal((2, 5)))
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        model.forward(rng.standard_normal(4))
    with pytest.raises(TypeError, match="dtype"):
        model.forward(rng.standard_normal((2, 4)).astype(np.float32))
    with pytest.raises(TypeError, match="x"):
        model.forward(np.ones((2, 4), dtype=np.int64))
    with pytest.raises(TypeError, match="x"):
        model.forward([[1.0, 2.0, 3.0, 4.0]])
    cnn = engine.lenet()
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\)"):
        cnn.forward(np.zeros((2, 28, 28), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\)"):
        cnn.forward(np.zeros((2, 1, 28, 28), dtype=np.float32))  # NCHW by mistake


def test_non_contiguous_input_works(rng):
    model = small_cnn(seed=0, dtype=np.float64)
    nchw = rng.random((3, 2, 8, 8))
    x = nchw.transpose(0, 2, 3, 1)  # an NHWC view
    assert not x.flags.c_contiguous
    np.testing.assert_array_equal(model.forward(x), model.forward(np.ascontiguousarray(x)))
    dense = Sequential([Dense(3, activation="tanh")], input_shape=(4,), dtype=np.float64)
    wide = rng.standard_normal((5, 8))
    np.testing.assert_array_equal(
        dense.forward(wide[:, ::2]), dense.forward(np.ascontiguousarray(wide[:, ::2]))
    )
    value, _ = dense.loss_and_backward(wide[:, ::2], rng.standard_normal((5, 3)), "mse")
    assert np.isfinite(value)


def test_model_builds_lazily_on_first_forward(rng):
    model = Sequential([Dense(3), Dense(2)], dtype=np.float64)
    assert model.input_shape is None
    y = model.forward(rng.standard_normal((4, 5)))
    assert y.shape == (4, 2) and model.input_shape == (5,)
    assert model.layers[0].params["W"].value.shape == (5, 3)


def test_constructor_rejects_bad_layers_and_dtypes():
    with pytest.raises(TypeError, match=r"layers\[1\]"):
        Sequential([Dense(3), "relu"])
    with pytest.raises(TypeError, match="dtype"):
        Sequential([Dense(3)], dtype=np.int32)
    with pytest.raises(ValueError, match="Flatten"):
        Sequential([Dense(3)], input_shape=(4, 4, 1))
