"""Bad input to every public operation of ``engine.functional``, and inputs that
are unusual but legal (non-contiguous views, NaN and inf).

Rules pinned here (``engine.validation``): non-arrays, integer/bool dtypes and
mixed float32/float64 arguments are ``TypeError``; wrong ranks, mismatched
shapes, empty batches, impossible geometry and out-of-range values are
``ValueError`` whose message names the argument and shows what was expected
and what came. Non-contiguous arrays are legal and give exactly the result of
their contiguous copies. NaN and inf propagate as numpy would propagate them.
"""

from __future__ import annotations

import numpy as np
import pytest

import engine.functional as F

# ---------------------------------------------------------------------------
# every public operation, with a builder of valid arguments for a batch of n
# ---------------------------------------------------------------------------


class Case:
    def __init__(self, fn, make, floats, kwargs=None):
        self.fn = fn  # the function under test
        self.make = make  # make(rng, n) -> list of positional arguments for a batch of n
        self.floats = floats  # positions of the float array arguments
        self.kwargs = kwargs or {}

    def __call__(self, *args):
        return self.fn(*args, **self.kwargs)


def _n(r, *shape):
    return r.standard_normal(shape)


CONV = {"stride": (1, 2), "padding": "same"}
POOL = {"size": (2, 3), "stride": (1, 2)}

CASES = {
    "dense_forward": Case(
        F.dense_forward, lambda r, n: [_n(r, n, 4), _n(r, 4, 2), _n(r, 2)], [0, 1, 2]
    ),
    "dense_backward": Case(
        F.dense_backward, lambda r, n: [_n(r, n, 2), _n(r, n, 4), _n(r, 4, 2)], [0, 1, 2]
    ),
    "conv2d_forward": Case(
        F.conv2d_forward,
        lambda r, n: [_n(r, n, 5, 6, 3), _n(r, 3, 2, 3, 2), _n(r, 2)],
        [0, 1, 2],
        CONV,
    ),
    "conv2d_backward": Case(
        F.conv2d_backward,
        lambda r, n: [_n(r, n, 5, 3, 2), _n(r, n, 5, 6, 3), _n(r, 3, 2, 3, 2)],
        [0, 1, 2],
        CONV,
    ),
    "max_pool2d_forward": Case(F.max_pool2d_forward, lambda r, n: [_n(r, n, 5, 7, 3)], [0], POOL),
    "max_pool2d_backward": Case(
        F.max_pool2d_backward, lambda r, n: [_n(r, n, 4, 3, 3), _n(r, n, 5, 7, 3)], [0, 1], POOL
    ),
    "avg_pool2d_forward": Case(F.avg_pool2d_forward, lambda r, n: [_n(r, n, 5, 7, 3)], [0], POOL),
    "avg_pool2d_backward": Case(
        F.avg_pool2d_backward, lambda r, n: [_n(r, n, 4, 3, 3), _n(r, n, 5, 7, 3)], [0, 1], POOL
    ),
    "global_avg_pool2d_forward": Case(
        F.global_avg_pool2d_forward, lambda r, n: [_n(r, n, 4, 5, 3)], [0]
    ),
    "global_avg_pool2d_backward": Case(
        F.global_avg_pool2d_backward, lambda r, n: [_n(r, n, 3), _n(r, n, 4, 5, 3)], [0, 1]
    ),
    "global_max_pool2d_forward": Case(
        F.global_max_pool2d_forward, lambda r, n: [_n(r, n, 4, 5, 3)], [0]
    ),
    "global_max_pool2d_backward": Case(
        F.global_max_pool2d_backward, lambda r, n: [_n(r, n, 3), _n(r, n, 4, 5, 3)], [0, 1]
    ),
    "flatten_forward": Case(F.flatten_forward, lambda r, n: [_n(r, n, 3, 4)], [0]),
    "flatten_backward": Case(
        lambda dy: F.flatten_backward(dy, (len(dy), 3, 4)), lambda r, n: [_n(r, n, 12)], [0]
    ),
    "mse_loss": Case(F.mse_loss, lambda r, n: [_n(r, n, 4), _n(r, n, 4)], [0, 1]),
    "binary_cross_entropy": Case(
        F.binary_cross_entropy, lambda r, n: [r.uniform(0.1, 0.9, (n, 4)), r.random((n, 4))], [0, 1]
    ),
    "binary_cross_entropy_with_logits": Case(
        F.binary_cross_entropy_with_logits, lambda r, n: [_n(r, n, 4), r.random((n, 4))], [0, 1]
    ),
    "softmax_cross_entropy[int]": Case(
        F.softmax_cross_entropy, lambda r, n: [_n(r, n, 4), r.integers(0, 4, size=n)], [0]
    ),
    "softmax_cross_entropy[one-hot]": Case(
        F.softmax_cross_entropy,
        lambda r, n: [_n(r, n, 4), np.eye(4)[r.integers(0, 4, size=n)]],
        [0, 1],
    ),
}
for _name in ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softmax", "log_softmax"):
    CASES[f"{_name}_forward"] = Case(
        getattr(F, f"{_name}_forward"), lambda r, n: [_n(r, n, 4)], [0]
    )
    CASES[f"{_name}_backward"] = Case(
        getattr(F, f"{_name}_backward"),
        lambda r, n: [_n(r, n, 4), r.uniform(0.1, 0.9, (n, 4))],
        [0, 1],
    )

FLOAT_POSITIONS = [(name, pos) for name, case in CASES.items() for pos in case.floats]
ALL_POSITIONS = [
    (name, pos)
    for name, case in CASES.items()
    for pos in range(len(case.make(np.random.default_rng(0), 2)))
]
MULTI_FLOAT = [(name, pos) for name, pos in FLOAT_POSITIONS if len(CASES[name].floats) > 1]


def _ids(pairs):
    return [f"{name}-arg{pos}" for name, pos in pairs]


def assert_same_result(a, b):
    """Two results (arrays, floats or tuples of them) are identical, bit for bit."""
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same_result(x, y)
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


# ---------------------------------------------------------------------------
# types
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.float16, np.complex128])
@pytest.mark.parametrize("name, pos", FLOAT_POSITIONS, ids=_ids(FLOAT_POSITIONS))
def test_non_float_dtype_is_a_type_error(rng, name, pos, dtype):
    case = CASES[name]
    args = case.make(rng, 3)
    args[pos] = np.round(args[pos]).astype(dtype)
    if name == "softmax_cross_entropy[one-hot]" and pos == 1 and np.dtype(dtype).kind == "i":
        # integer labels are legal class indices: an integer (N, K) array is a
        # wrongly shaped label vector
        with pytest.raises(ValueError, match=r"labels must have shape \(3,\)"):
            case(*args)
        return
    with pytest.raises(TypeError, match="dtype|float"):
        case(*args)


@pytest.mark.parametrize("name, pos", ALL_POSITIONS, ids=_ids(ALL_POSITIONS))
def test_python_list_is_a_type_error(rng, name, pos):
    case = CASES[name]
    args = case.make(rng, 3)
    args[pos] = args[pos].tolist()
    with pytest.raises(TypeError):
        case(*args)


@pytest.mark.parametrize("name, pos", MULTI_FLOAT, ids=_ids(MULTI_FLOAT))
def test_mixed_float32_and_float64_is_a_type_error(rng, name, pos):
    case = CASES[name]
    args = case.make(rng, 3)
    args[pos] = args[pos].astype(np.float32)
    with pytest.raises(TypeError, match="float32"):
        case(*args)
    # the same call with everything in float32 is fine
    for p in case.floats:
        args[p] = args[p].astype(np.float32)
    case(*args)


ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softmax", "log_softmax"]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_python_scalar_is_a_type_error(name):
    with pytest.raises(TypeError):
        getattr(F, f"{name}_forward")(1.5)


ZERO_DIM = [
    (f"{a}_forward", lambda a=a: getattr(F, f"{a}_forward")(np.array(1.5))) for a in ACTIVATIONS
] + [
    ("relu_backward", lambda: F.relu_backward(np.array(1.0), np.array(1.5))),
    ("sigmoid_backward", lambda: F.sigmoid_backward(np.array(1.0), np.array(0.5))),
    ("mse_loss", lambda: F.mse_loss(np.array(1.0), np.array(2.0))),
    ("binary_cross_entropy", lambda: F.binary_cross_entropy(np.array(0.5), np.array(1.0))),
    (
        "binary_cross_entropy_with_logits",
        lambda: F.binary_cross_entropy_with_logits(np.array(0.5), np.array(1.0)),
    ),
]


@pytest.mark.parametrize("call", [c[1] for c in ZERO_DIM], ids=[c[0] for c in ZERO_DIM])
def test_zero_dimensional_array_is_a_value_error(call):
    """The activations and losses document "a non-empty array with at least one dimension":
    a 0-d array must be refused, not silently turned into shape (1,)."""
    with pytest.raises(ValueError, match="dimension|non-empty"):
        call()


# ---------------------------------------------------------------------------
# non-contiguous inputs
# ---------------------------------------------------------------------------


def strided(a):
    """The same values as ``a`` in a non-contiguous view (every other element of a bigger array)."""
    big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype)
    big[..., ::2] = a
    view = big[..., ::2]
    assert not view.flags.c_contiguous
    return view


def transposed(a):
    """The same values as ``a`` stored in Fortran order (a transposed copy, transposed back)."""
    view = np.ascontiguousarray(a.T).T
    assert a.ndim < 2 or not view.flags.c_contiguous
    return view


def reversed_view(a):
    """The same values as ``a`` through a negative-stride view."""
    view = np.ascontiguousarray(a[::-1])[::-1]
    assert a.shape[0] < 2 or not view.flags.c_contiguous
    return view


@pytest.mark.parametrize("layout", [strided, transposed, reversed_view], ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", sorted(CASES))
def test_non_contiguous_inputs_give_the_result_of_their_contiguous_copies(rng, name, layout):
    case = CASES[name]
    args = case.make(rng, 3)
    originals = [a.copy() for a in args]
    expected = case(*[a.copy() for a in args])
    views = [layout(a) for a in args]
    result = case(*views)
    assert_same_result(result, expected)
    for view, original in zip(views, originals, strict=True):
        np.testing.assert_array_equal(view, original)  # inputs are not written to


# ---------------------------------------------------------------------------
# empty batches and ranks
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_empty_batch_is_a_value_error(rng, name):
    case = CASES[name]
    args = case.make(rng, 0)
    with pytest.raises(ValueError, match="empty|non-empty|at least one"):
        case(*args)


def _x4(r):
    return _n(r, 2, 5, 6, 3)


WRONG_RANK = [
    ("dense_forward x 1-D", lambda r: F.dense_forward(_n(r, 4), _n(r, 4, 2), _n(r, 2)), "x"),
    ("dense_forward x 3-D", lambda r: F.dense_forward(_n(r, 3, 4, 1), _n(r, 4, 2), _n(r, 2)), "x"),
    ("dense_forward W 1-D", lambda r: F.dense_forward(_n(r, 3, 4), _n(r, 4), _n(r, 2)), "W"),
    ("dense_forward b 2-D", lambda r: F.dense_forward(_n(r, 3, 4), _n(r, 4, 2), _n(r, 1, 2)), "b"),
    ("dense_backward dy 1-D", lambda r: F.dense_backward(_n(r, 2), _n(r, 3, 4), _n(r, 4, 2)), "dy"),
    (
        "conv2d_forward x 3-D",
        lambda r: F.conv2d_forward(_n(r, 5, 6, 3), _n(r, 3, 3, 3, 2), _n(r, 2)),
        "x",
    ),
    (
        "conv2d_forward x 5-D",
        lambda r: F.conv2d_forward(_n(r, 1, 2, 5, 6, 3), _n(r, 3, 3, 3, 2), _n(r, 2)),
        "x",
    ),
    ("conv2d_forward W 3-D", lambda r: F.conv2d_forward(_x4(r), _n(r, 3, 3, 3), _n(r, 2)), "W"),
    (
        "conv2d_forward b 2-D",
        lambda r: F.conv2d_forward(_x4(r), _n(r, 3, 3, 3, 2), _n(r, 2, 1)),
        "b",
    ),
    (
        "conv2d_backward dy 3-D",
        lambda r: F.conv2d_backward(_n(r, 2, 3, 4), _x4(r), _n(r, 3, 3, 3, 2)),
        "dy",
    ),
    ("max_pool2d_forward x 3-D", lambda r: F.max_pool2d_forward(_n(r, 5, 6, 3)), "x"),
    ("avg_pool2d_forward x 2-D", lambda r: F.avg_pool2d_forward(_n(r, 5, 6)), "x"),
    ("max_pool2d_backward dy 3-D", lambda r: F.max_pool2d_backward(_n(r, 2, 2, 9), _x4(r)), "dy"),
    ("avg_pool2d_backward dy 2-D", lambda r: F.avg_pool2d_backward(_n(r, 2, 18), _x4(r)), "dy"),
    ("global_avg_pool2d_forward x 3-D", lambda r: F.global_avg_pool2d_forward(_n(r, 5, 6, 3)), "x"),
    ("global_max_pool2d_forward x 2-D", lambda r: F.global_max_pool2d_forward(_n(r, 5, 6)), "x"),
    (
        "global_avg_pool2d_backward dy 1-D",
        lambda r: F.global_avg_pool2d_backward(_n(r, 6), _x4(r)),
        "dy",
    ),
    (
        "global_max_pool2d_backward dy 4-D",
        lambda r: F.global_max_pool2d_backward(_n(r, 2, 1, 1, 3), _x4(r)),
        "dy",
    ),
    ("flatten_forward x 1-D", lambda r: F.flatten_forward(_n(r, 6)), "x"),
    ("flatten_backward dy 3-D", lambda r: F.flatten_backward(_n(r, 2, 3, 4), (2, 3, 4)), "dy"),
    (
        "softmax_cross_entropy logits 1-D",
        lambda r: F.softmax_cross_entropy(_n(r, 4), np.array([1])),
        "logits",
    ),
    (
        "softmax_cross_entropy logits 3-D",
        lambda r: F.softmax_cross_entropy(_n(r, 2, 3, 4), np.array([1, 2])),
        "logits",
    ),
]


@pytest.mark.parametrize(
    "call, argument", [c[1:] for c in WRONG_RANK], ids=[c[0] for c in WRONG_RANK]
)
def test_wrong_number_of_dimensions_is_a_value_error_naming_the_argument(rng, call, argument):
    with pytest.raises(ValueError) as info:
        call(rng)
    assert str(info.value).startswith(argument) or f" {argument} " in str(info.value), str(
        info.value
    )


# ---------------------------------------------------------------------------
# mismatched shapes: the message names the argument and both shapes
# ---------------------------------------------------------------------------

MISMATCH = [
    (
        "dense_forward W rows",
        lambda r: F.dense_forward(_n(r, 3, 4), _n(r, 5, 2), _n(r, 2)),
        "W",
        "(4, ",
        "(5, 2)",
    ),
    (
        "dense_forward b",
        lambda r: F.dense_forward(_n(r, 3, 4), _n(r, 4, 2), _n(r, 3)),
        "b",
        "(2,)",
        "(3,)",
    ),
    (
        "dense_backward dy",
        lambda r: F.dense_backward(_n(r, 3, 3), _n(r, 3, 4), _n(r, 4, 2)),
        "dy",
        "(3, 2)",
        "(3, 3)",
    ),
    (
        "dense_backward W",
        lambda r: F.dense_backward(_n(r, 3, 2), _n(r, 3, 4), _n(r, 2, 2)),
        "W",
        "(4, ",
        "(2, 2)",
    ),
    (
        "conv2d_forward W channels",
        lambda r: F.conv2d_forward(_x4(r), _n(r, 3, 2, 4, 2), _n(r, 2)),
        "W",
        "(KH, KW, 3, F)",
        "(3, 2, 4, 2)",
    ),
    (
        "conv2d_forward b",
        lambda r: F.conv2d_forward(_x4(r), _n(r, 3, 2, 3, 2), _n(r, 3)),
        "b",
        "(2,)",
        "(3,)",
    ),
    (
        "conv2d_backward dy",
        lambda r: F.conv2d_backward(_n(r, 2, 4, 3, 2), _x4(r), _n(r, 3, 3, 3, 2)),
        "dy",
        "(2, 3, 4, 2)",
        "(2, 4, 3, 2)",
    ),
    (
        "conv2d_backward dy filters",
        lambda r: F.conv2d_backward(_n(r, 2, 3, 4, 3), _x4(r), _n(r, 3, 3, 3, 2)),
        "dy",
        "(2, 3, 4, 2)",
        "(2, 3, 4, 3)",
    ),
    (
        "max_pool2d_backward dy",
        lambda r: F.max_pool2d_backward(_n(r, 2, 2, 2, 3), _x4(r), 2),
        "dy",
        "(2, 2, 3, 3)",
        "(2, 2, 2, 3)",
    ),
    (
        "avg_pool2d_backward dy",
        lambda r: F.avg_pool2d_backward(_n(r, 2, 2, 3, 3), _x4(r), 2, 1),
        "dy",
        "(2, 4, 5, 3)",
        "(2, 2, 3, 3)",
    ),
    (
        "global_avg_pool2d_backward dy",
        lambda r: F.global_avg_pool2d_backward(_n(r, 2, 4), _x4(r)),
        "dy",
        "(2, 3)",
        "(2, 4)",
    ),
    (
        "global_max_pool2d_backward dy",
        lambda r: F.global_max_pool2d_backward(_n(r, 1, 3), _x4(r)),
        "dy",
        "(2, 3)",
        "(1, 3)",
    ),
    (
        "flatten_backward dy",
        lambda r: F.flatten_backward(_n(r, 2, 11), (2, 3, 4)),
        "dy",
        "(2, 12)",
        "(2, 11)",
    ),
    (
        "relu_backward dy",
        lambda r: F.relu_backward(_n(r, 3, 5), _n(r, 3, 4)),
        "dy",
        "(3, 4)",
        "(3, 5)",
    ),
    (
        "sigmoid_backward dy",
        lambda r: F.sigmoid_backward(_n(r, 4, 3), _n(r, 3, 4)),
        "dy",
        "(3, 4)",
        "(4, 3)",
    ),
    (
        "softmax_backward dy",
        lambda r: F.softmax_backward(_n(r, 3), _n(r, 3, 4)),
        "dy",
        "(3, 4)",
        "(3,)",
    ),
    (
        "elu_backward dy",
        lambda r: F.elu_backward(_n(r, 2, 3, 4), _n(r, 3, 4)),
        "dy",
        "(3, 4)",
        "(2, 3, 4)",
    ),
    (
        "mse_loss target",
        lambda r: F.mse_loss(_n(r, 3, 4), _n(r, 3, 5)),
        "target",
        "(3, 4)",
        "(3, 5)",
    ),
    (
        "binary_cross_entropy targets",
        lambda r: F.binary_cross_entropy(r.random((3, 4)), r.random((4, 3))),
        "targets",
        "(3, 4)",
        "(4, 3)",
    ),
    (
        "binary_cross_entropy_with_logits targets",
        lambda r: F.binary_cross_entropy_with_logits(_n(r, 3, 4), r.random((12,))),
        "targets",
        "(3, 4)",
        "(12,)",
    ),
    (
        "softmax_cross_entropy labels (N, 1)",
        lambda r: F.softmax_cross_entropy(_n(r, 3, 4), np.zeros((3, 1), dtype=np.int64)),
        "labels",
        "(3,)",
        "(3, 1)",
    ),
    (
        "softmax_cross_entropy labels too many",
        lambda r: F.softmax_cross_entropy(_n(r, 3, 4), np.zeros(4, dtype=np.int64)),
        "labels",
        "(3,)",
        "(4,)",
    ),
    (
        "softmax_cross_entropy one-hot",
        lambda r: F.softmax_cross_entropy(_n(r, 3, 4), np.eye(5)[:3]),
        "labels",
        "(3, 4)",
        "(3, 5)",
    ),
]


@pytest.mark.parametrize(
    "call, argument, expected, received", [m[1:] for m in MISMATCH], ids=[m[0] for m in MISMATCH]
)
def test_mismatched_shape_message_names_argument_expected_and_received(
    rng, call, argument, expected, received
):
    with pytest.raises(ValueError) as info:
        call(rng)
    message = str(info.value)
    assert message.startswith(argument + " ") or f" {argument} " in message, message
    assert expected in message, message
    assert received in message, message


# ---------------------------------------------------------------------------
# geometry: kernel, stride, padding
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x_shape, k_shape, padding",
    [
        ((1, 2, 5, 1), (3, 3), 0),
        ((1, 5, 2, 1), (3, 3), "valid"),
        ((1, 1, 1, 1), (4, 4), 1),
        ((1, 4, 4, 1), (2, 7), (0, 1)),
    ],
)
def test_conv_kernel_larger_than_padded_input_is_a_value_error(rng, x_shape, k_shape, padding):
    x = rng.standard_normal(x_shape)
    W = rng.standard_normal((*k_shape, 1, 1))
    with pytest.raises(ValueError, match="kernel size"):
        F.conv2d_forward(x, W, np.zeros(1), padding=padding)
    with pytest.raises(ValueError, match="kernel size"):
        F.conv2d_backward(np.zeros((1, 1, 1, 1)), x, W, padding=padding)


@pytest.mark.parametrize("size", [4, (1, 6), (4, 1)])
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_window_larger_than_input_is_a_value_error(rng, kind, size):
    x = rng.standard_normal((1, 3, 5, 2))
    with pytest.raises(ValueError):
        getattr(F, f"{kind}_pool2d_forward")(x, size)
    with pytest.raises(ValueError):
        getattr(F, f"{kind}_pool2d_backward")(np.zeros((1, 1, 1, 2)), x, size)


BAD_STRIDES = [0, -1, (1, 0), (-2, 1), (0, 0)]


@pytest.mark.parametrize("stride", BAD_STRIDES, ids=str)
def test_conv_stride_zero_or_negative_is_a_value_error(rng, stride):
    x, W, b = _x4(rng), rng.standard_normal((2, 2, 3, 2)), rng.standard_normal(2)
    with pytest.raises(ValueError, match="stride"):
        F.conv2d_forward(x, W, b, stride=stride)
    with pytest.raises(ValueError, match="stride"):
        F.conv2d_backward(np.zeros((2, 4, 5, 2)), x, W, stride=stride)


@pytest.mark.parametrize("stride", BAD_STRIDES, ids=str)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_stride_zero_or_negative_is_a_value_error(rng, kind, stride):
    x = _x4(rng)
    with pytest.raises(ValueError, match="stride"):
        getattr(F, f"{kind}_pool2d_forward")(x, 2, stride)
    with pytest.raises(ValueError, match="stride"):
        getattr(F, f"{kind}_pool2d_backward")(np.zeros((2, 2, 3, 3)), x, 2, stride)


@pytest.mark.parametrize("size", [0, -2, (2, 0)], ids=str)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_size_zero_or_negative_is_a_value_error(rng, kind, size):
    with pytest.raises(ValueError, match="size"):
        getattr(F, f"{kind}_pool2d_forward")(_x4(rng), size)


@pytest.mark.parametrize("value", [1.5, "2", (1, 2, 3), (1.0, 2), True, None], ids=repr)
def test_non_integer_stride_or_size_is_a_type_error(rng, value):
    x, W, b = _x4(rng), rng.standard_normal((2, 2, 3, 2)), rng.standard_normal(2)
    with pytest.raises(TypeError):
        F.conv2d_forward(x, W, b, stride=value)
    if value is not None:  # stride=None means "the size" for pooling
        with pytest.raises(TypeError):
            F.max_pool2d_forward(x, 2, value)
    with pytest.raises(TypeError):
        F.avg_pool2d_forward(x, value)


@pytest.mark.parametrize("padding", [-1, (-1, 0), (0, -2)], ids=str)
def test_negative_padding_is_a_value_error(rng, padding):
    x, W, b = _x4(rng), rng.standard_normal((2, 2, 3, 2)), rng.standard_normal(2)
    with pytest.raises(ValueError, match="padding"):
        F.conv2d_forward(x, W, b, padding=padding)
    with pytest.raises(ValueError, match="padding"):
        F.conv2d_backward(np.zeros((2, 4, 5, 2)), x, W, padding=padding)


@pytest.mark.parametrize("padding", ["SAME", "Valid", "causal", "", "full "])
def test_unknown_padding_name_is_a_value_error(rng, padding):
    x, W, b = _x4(rng), rng.standard_normal((2, 2, 3, 2)), rng.standard_normal(2)
    with pytest.raises(ValueError, match="padding") as info:
        F.conv2d_forward(x, W, b, padding=padding)
    assert repr(padding) in str(info.value)
    with pytest.raises(ValueError, match="padding"):
        F.conv2d_backward(np.zeros((2, 4, 5, 2)), x, W, padding=padding)


@pytest.mark.parametrize("padding", [1.5, (1, 2, 3), (1,), None, True, (1.0, 1)], ids=repr)
def test_padding_of_the_wrong_type_is_a_type_error(rng, padding):
    x, W, b = _x4(rng), rng.standard_normal((2, 2, 3, 2)), rng.standard_normal(2)
    with pytest.raises(TypeError, match="padding"):
        F.conv2d_forward(x, W, b, padding=padding)


@pytest.mark.parametrize("name", ["leaky_relu", "elu"])
def test_negative_or_non_finite_alpha_is_refused(rng, name):
    x = rng.standard_normal((2, 3))
    with pytest.raises(ValueError, match="alpha"):
        getattr(F, f"{name}_forward")(x, alpha=-0.1)
    with pytest.raises(ValueError, match="alpha"):
        getattr(F, f"{name}_backward")(x, x, alpha=-1)
    with pytest.raises(TypeError, match="alpha"):
        getattr(F, f"{name}_forward")(x, alpha=float("nan"))


# ---------------------------------------------------------------------------
# labels and probabilities
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [-1, 4, 100])
def test_labels_out_of_range_are_a_value_error(rng, bad):
    labels = np.array([0, bad, 2])
    with pytest.raises(ValueError, match="labels") as info:
        F.softmax_cross_entropy(rng.standard_normal((3, 4)), labels)
    assert "[0, 3]" in str(info.value)


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, 1, 2]).astype(np.bool_),
        np.array(["a", "b", "c"]),
        np.array([0, 1, 2], dtype=np.complex128),
    ],
    ids=["bool", "str", "complex"],
)
def test_labels_of_the_wrong_kind_are_a_type_error(rng, labels):
    with pytest.raises(TypeError, match="labels"):
        F.softmax_cross_entropy(rng.standard_normal((3, 4)), labels)


def test_labels_as_a_list_are_a_type_error(rng):
    with pytest.raises(TypeError, match="labels"):
        F.softmax_cross_entropy(rng.standard_normal((3, 4)), [0, 1, 2])


@pytest.mark.parametrize("bad", [1.2, -0.1, 1 + 1e-9, -1e-300])
@pytest.mark.parametrize("where", ["probabilities", "targets"])
def test_binary_cross_entropy_values_outside_unit_interval_are_a_value_error(rng, where, bad):
    p, t = rng.uniform(0.1, 0.9, (3, 4)), rng.random((3, 4))
    (p if where == "probabilities" else t)[1, 2] = bad
    with pytest.raises(ValueError, match=where):
        F.binary_cross_entropy(p, t)


@pytest.mark.parametrize("bad", [1.5, -0.5])
def test_binary_cross_entropy_with_logits_targets_outside_unit_interval_are_a_value_error(rng, bad):
    t = rng.random((3, 4))
    t[0, 0] = bad
    with pytest.raises(ValueError, match="targets"):
        F.binary_cross_entropy_with_logits(rng.standard_normal((3, 4)) * 100, t)


def test_binary_cross_entropy_accepts_the_ends_of_the_unit_interval(rng):
    p = np.array([0.0, 1.0, 0.0, 1.0])
    t = np.array([0.0, 1.0, 1.0, 0.0])
    loss, grad = F.binary_cross_entropy(p, t)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))


# ---------------------------------------------------------------------------
# NaN and inf propagate as in numpy
# ---------------------------------------------------------------------------

SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -2.0, 3.0])


def test_elementwise_activations_propagate_nan_and_inf_as_numpy():
    x = SPECIAL
    with np.errstate(all="ignore"):
        expected = {
            "relu": np.maximum(x, 0.0),  # nan -> nan, -inf -> 0, inf -> inf
            "leaky_relu": np.where(x > 0, x, 0.01 * x),
            "elu": np.where(x > 0, x, np.expm1(x)),
            "sigmoid": np.array(
                [np.nan, 1.0, 0.0, 0.5, 1 / (1 + np.exp(2.0)), 1 / (1 + np.exp(-3.0))]
            ),
            "tanh": np.tanh(x),
        }
    for name, want in expected.items():
        got = getattr(F, f"{name}_forward")(x.copy())
        np.testing.assert_allclose(
            got, want, rtol=1e-12, err_msg=name
        )  # assert_allclose matches NaN to NaN
    dy = np.ones_like(x)
    np.testing.assert_array_equal(F.relu_backward(dy, x.copy()), dy * (x > 0))


def test_softmax_row_with_nan_is_nan_and_other_rows_are_untouched(rng):
    x = rng.standard_normal((3, 4))
    x[1, 2] = np.nan
    for fn in (F.softmax_forward, F.log_softmax_forward):
        y = fn(x)
        assert np.all(np.isnan(y[1])), y
        assert np.all(np.isfinite(y[[0, 2]]))


def naive_max_pool(x, size, stride):
    (kh, kw), (sh, sw) = size, stride
    oh, ow = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
    y = np.empty((x.shape[0], oh, ow, x.shape[3]))
    for i in range(oh):
        for j in range(ow):
            y[:, i, j] = np.max(x[:, i * sh : i * sh + kh, j * sw : j * sw + kw], axis=(1, 2))
    return y


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_max_pool_propagates_nan_and_inf_as_numpy_max(rng, value, position):
    x = rng.standard_normal((2, 4, 6, 2))
    # the (2, 3) window starting at (2, 3): its first, middle, last pixel in row-major order
    r, c = {"first": (2, 3), "middle": (2, 4), "last": (3, 5)}[position]
    x[1, r, c, 1] = value
    x[0, 0, 0, 0] = value  # first pixel of the first window too
    with np.errstate(invalid="ignore"):
        expected = naive_max_pool(x, (2, 3), (2, 3))
    np.testing.assert_array_equal(F.max_pool2d_forward(x, (2, 3)), expected)
    # the gradient goes to the pixel numpy's argmax picks (the first NaN, else the first maximum)
    dy = rng.standard_normal(expected.shape)
    dx = F.max_pool2d_backward(dy, x, (2, 3))
    want = np.zeros_like(x)
    for n in range(2):
        for i in range(2):
            for j in range(2):
                for ch in range(2):
                    window = x[n, 2 * i : 2 * i + 2, 3 * j : 3 * j + 3, ch]
                    u, v = np.unravel_index(np.argmax(window), window.shape)
                    want[n, 2 * i + u, 3 * j + v, ch] += dy[n, i, j, ch]
    np.testing.assert_array_equal(dx, want)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_global_pooling_and_average_pooling_propagate_nan_and_inf(rng, value):
    x = rng.standard_normal((2, 4, 6, 2))
    x[1, 3, 2, 0] = value
    x[0, 0, 0, 1] = value
    np.testing.assert_array_equal(F.global_max_pool2d_forward(x), np.max(x, axis=(1, 2)))
    np.testing.assert_allclose(F.global_avg_pool2d_forward(x), np.mean(x, axis=(1, 2)), rtol=1e-12)
    avg = F.avg_pool2d_forward(x, 2)
    want = x.reshape(2, 2, 2, 3, 2, 2).mean(axis=(2, 4))
    np.testing.assert_allclose(avg, want, rtol=1e-12)
    assert np.isnan(avg).any() == np.isnan(value)


def test_dense_and_conv_propagate_nan_only_where_it_is_used(rng):
    x = rng.standard_normal((3, 4))
    x[1, 2] = np.nan
    y = F.dense_forward(x, rng.standard_normal((4, 2)), rng.standard_normal(2))
    assert np.all(np.isnan(y[1])) and np.all(np.isfinite(y[[0, 2]]))
    images = rng.standard_normal((2, 5, 5, 1))
    images[0, 0, 0, 0] = np.nan
    y = F.conv2d_forward(images, rng.standard_normal((2, 2, 1, 1)), np.zeros(1))
    nan_mask = np.zeros((2, 4, 4, 1), dtype=bool)
    nan_mask[0, 0, 0, 0] = True  # only the window that covers (0, 0)
    np.testing.assert_array_equal(np.isnan(y), nan_mask)


def test_losses_with_nan_are_nan(rng):
    p = rng.standard_normal((3, 4))
    p[0, 1] = np.nan
    loss, grad = F.mse_loss(p, rng.standard_normal((3, 4)))
    assert np.isnan(loss) and np.isnan(grad[0, 1]) and np.isfinite(np.delete(grad.ravel(), 1)).all()
    loss, _ = F.softmax_cross_entropy(p, np.array([0, 1, 2]))
    assert np.isnan(loss)
