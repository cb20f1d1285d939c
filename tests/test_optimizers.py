"""Optimisers (lecture 004 §2) against the lecture's formulas, written out by hand here.

Every update rule is run for five consecutive steps, both through the in-place
functional update (``engine.functional.*_update``) and through the optimiser
class (``engine.optimizers``), on a random parameter with a sequence of random
gradients, and compared with ``reference_run`` below: plain numpy written from
``conventions.md`` (never from the engine):

- steps count from t = 1 at the first update;
- momentum is the EWA m_t = β₁ m_{t−1} + (1 − β₁) g_t (not PyTorch's m = βm + g),
  optional bias correction m̂_t = m_t / (1 − β₁^t);
- Nesterov in the look-ahead form θ_t = θ_{t−1} − α (β₁ m_t + (1 − β₁) g_t);
- Adagrad and RMSProp with ε inside the root; RMSProp optional v̂_t;
- Adam with both corrections and ε inside the root;
- weight decay λ adds λθ to the gradient (SGD: θ ← (1 − αλ)θ − αg), weights only.

PyTorch (when installed) is a second, independent reference, with the
parameter changes that make its conventions coincide with the lecture's.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import engine.functional as F
from engine import Conv2D, Dense, Flatten, Sequential
from engine.layers import Parameter
from engine.optimizers import SGD, Adagrad, Adam, Momentum, Nesterov, Optimizer, RMSProp
from engine.schedules import ExponentialDecay, InverseTimeDecay, PiecewiseConstant

RTOL = 1e-12
ATOL = 1e-14
STEPS = 5
SHAPE = (3, 4)

# kind -> (optimiser class, its hyper-parameters). Non-default betas and a large ε,
# so that a misplaced β or ε changes the numbers visibly.
CASES = {
    "sgd": (SGD, {}),
    "momentum": (Momentum, {"beta1": 0.8, "bias_correction": False}),
    "momentum_bc": (Momentum, {"beta1": 0.8, "bias_correction": True}),
    "nesterov": (Nesterov, {"beta1": 0.7}),
    "adagrad": (Adagrad, {"eps": 0.3}),
    "rmsprop": (RMSProp, {"beta2": 0.6, "eps": 0.2, "bias_correction": False}),
    "rmsprop_bc": (RMSProp, {"beta2": 0.6, "eps": 0.2, "bias_correction": True}),
    "adam": (Adam, {"beta1": 0.8, "beta2": 0.6, "eps": 0.2}),
}
STATE = {  # the state each rule keeps
    "sgd": (),
    "momentum": ("m",),
    "momentum_bc": ("m",),
    "nesterov": ("m",),
    "adagrad": ("s",),
    "rmsprop": ("v",),
    "rmsprop_bc": ("v",),
    "adam": ("m", "v"),
}


# ---------------------------------------------------------------------------
# the reference: the lecture's formulas, one step at a time, in plain numpy
# ---------------------------------------------------------------------------


def reference_run(kind, theta0, grads, lr, weight_decay=0.0, **hp):
    """Parameters after each step and the final state, from conventions.md."""
    theta = np.array(theta0, dtype=np.float64)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    s = np.zeros_like(theta)
    trajectory = []
    for t, g in enumerate(grads, start=1):  # t = 1 at the first update
        g = np.asarray(g, dtype=np.float64) + weight_decay * theta  # ∂(λ/2‖θ‖²) = λθ
        if kind == "sgd":
            theta = theta - lr * g
        elif kind in ("momentum", "momentum_bc"):
            b1 = hp["beta1"]
            m = b1 * m + (1 - b1) * g
            step = m / (1 - b1**t) if hp["bias_correction"] else m
            theta = theta - lr * step
        elif kind == "nesterov":
            b1 = hp["beta1"]
            m = b1 * m + (1 - b1) * g
            theta = theta - lr * (b1 * m + (1 - b1) * g)
        elif kind == "adagrad":
            s = s + g**2
            theta = theta - lr * g / np.sqrt(s + hp["eps"])
        elif kind in ("rmsprop", "rmsprop_bc"):
            b2 = hp["beta2"]
            v = b2 * v + (1 - b2) * g**2
            v_hat = v / (1 - b2**t) if hp["bias_correction"] else v
            theta = theta - lr * g / np.sqrt(v_hat + hp["eps"])
        elif kind == "adam":
            b1, b2 = hp["beta1"], hp["beta2"]
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g**2
            m_hat = m / (1 - b1**t)
            v_hat = v / (1 - b2**t)
            theta = theta - lr * m_hat / np.sqrt(v_hat + hp["eps"])
        else:  # pragma: no cover
            raise AssertionError(kind)
        trajectory.append(theta.copy())
    state = {"m": m, "v": v, "s": s}
    return trajectory, {name: state[name] for name in STATE[kind]}


# ---------------------------------------------------------------------------
# the two ways of running the engine
# ---------------------------------------------------------------------------


def functional_step(kind, theta, g, state, t, lr, weight_decay, hp):
    if kind == "sgd":
        F.sgd_update(theta, g, lr, weight_decay=weight_decay)
    elif kind in ("momentum", "momentum_bc"):
        F.momentum_update(
            theta,
            g,
            state["m"],
            t,
            lr,
            beta1=hp["beta1"],
            bias_correction=hp["bias_correction"],
            weight_decay=weight_decay,
        )
    elif kind == "nesterov":
        F.nesterov_update(theta, g, state["m"], lr, beta1=hp["beta1"], weight_decay=weight_decay)
    elif kind == "adagrad":
        F.adagrad_update(theta, g, state["s"], lr, eps=hp["eps"], weight_decay=weight_decay)
    elif kind in ("rmsprop", "rmsprop_bc"):
        F.rmsprop_update(
            theta,
            g,
            state["v"],
            t,
            lr,
            beta2=hp["beta2"],
            eps=hp["eps"],
            bias_correction=hp["bias_correction"],
            weight_decay=weight_decay,
        )
    elif kind == "adam":
        F.adam_update(
            theta,
            g,
            state["m"],
            state["v"],
            t,
            lr,
            beta1=hp["beta1"],
            beta2=hp["beta2"],
            eps=hp["eps"],
            weight_decay=weight_decay,
        )
    else:  # pragma: no cover
        raise AssertionError(kind)


def functional_run(kind, theta0, grads, lr, weight_decay=0.0, dtype=np.float64):
    hp = CASES[kind][1]
    theta = np.array(theta0, dtype=dtype)
    state = {name: np.zeros_like(theta) for name in STATE[kind]}
    trajectory = []
    for t, g in enumerate(grads, start=1):
        out = functional_step(
            kind, theta, np.asarray(g, dtype=dtype), state, t, lr, weight_decay, hp
        )
        assert out is None or out is theta, "the update works in place on the given array"
        trajectory.append(theta.copy())
    return trajectory, state


def make_optimizer(kind, lr, weight_decay=0.0):
    cls, hp = CASES[kind]
    return cls(lr, weight_decay=weight_decay, **hp)


def class_run(kind, theta0, grads, lr, weight_decay=0.0, dtype=np.float64, decay=True):
    p = Parameter.create("W", np.array(theta0, dtype=dtype), decay=decay)
    opt = make_optimizer(kind, lr, weight_decay)
    trajectory = []
    for g in grads:
        p.grad[...] = g
        opt.step([p])
        trajectory.append(p.value.copy())
    return trajectory, opt, p


def random_problem(rng, steps=STEPS, shape=SHAPE):
    theta0 = rng.standard_normal(shape)
    grads = [rng.standard_normal(shape) for _ in range(steps)]
    return theta0, grads


def assert_trajectories(actual, expected, rtol=RTOL, atol=ATOL, what=""):
    assert len(actual) == len(expected)
    for t, (a, e) in enumerate(zip(actual, expected, strict=True), start=1):
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=f"{what} step t={t}")


# ---------------------------------------------------------------------------
# five steps against the hand-written formulas
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("weight_decay", [0.0, 0.15])
@pytest.mark.parametrize("kind", list(CASES))
def test_functional_update_matches_lecture_formula(rng, kind, weight_decay):
    theta0, grads = random_problem(rng)
    lr = float(rng.uniform(0.05, 0.3))
    expected, expected_state = reference_run(
        kind, theta0, grads, lr, weight_decay, **CASES[kind][1]
    )
    actual, state = functional_run(kind, theta0, grads, lr, weight_decay)
    assert_trajectories(actual, expected, what=kind)
    for name, value in expected_state.items():  # the state is m (not m̂), Σg², v (not v̂)
        np.testing.assert_allclose(
            state[name], value, rtol=RTOL, atol=ATOL, err_msg=f"{kind} state {name}"
        )


@pytest.mark.parametrize("weight_decay", [0.0, 0.15])
@pytest.mark.parametrize("kind", list(CASES))
def test_optimizer_class_matches_lecture_formula(rng, kind, weight_decay):
    theta0, grads = random_problem(rng)
    lr = float(rng.uniform(0.05, 0.3))
    expected, expected_state = reference_run(
        kind, theta0, grads, lr, weight_decay, **CASES[kind][1]
    )
    actual, opt, p = class_run(kind, theta0, grads, lr, weight_decay)
    assert_trajectories(actual, expected, what=kind)
    assert opt.t == STEPS, "t counts the updates made (1 after the first)"
    state = opt.state[id(p)]
    assert set(state) == set(expected_state)
    for name, value in expected_state.items():
        np.testing.assert_allclose(
            state[name], value, rtol=RTOL, atol=ATOL, err_msg=f"{kind} state {name}"
        )


@pytest.mark.parametrize("kind", list(CASES))
def test_all_steps_change_the_parameter_as_the_formula_not_sgd(rng, kind):
    """Guard against a reference that coincides with SGD: each rule but SGD differs from it."""
    theta0, grads = random_problem(rng)
    rule, _ = reference_run(kind, theta0, grads, 0.1, **CASES[kind][1])
    sgd, _ = reference_run("sgd", theta0, grads, 0.1)
    if kind == "sgd":
        assert_trajectories(rule, sgd)
    else:
        assert not np.allclose(rule[-1], sgd[-1], rtol=1e-6, atol=0)


# ---------------------------------------------------------------------------
# t counts from 1; closed forms of the first step
# ---------------------------------------------------------------------------


def test_bias_corrected_momentum_first_step_is_plain_sgd(rng):
    """m̂_1 = (1 − β₁) g_1 / (1 − β₁¹) = g_1: only true if the first update uses t = 1."""
    theta0, (g,) = random_problem(rng, steps=1)
    lr, beta1 = 0.2, 0.9
    theta, m = theta0.copy(), np.zeros_like(theta0)
    F.momentum_update(theta, g, m, 1, lr, beta1=beta1, bias_correction=True)
    np.testing.assert_allclose(theta, theta0 - lr * g, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(m, (1 - beta1) * g, rtol=RTOL, atol=ATOL)

    p = Parameter.create("W", theta0.copy(), decay=True)
    p.grad[...] = g
    opt = Momentum(lr, beta1=beta1, bias_correction=True)
    assert opt.t == 0
    opt.step([p])
    assert opt.t == 1
    np.testing.assert_allclose(p.value, theta0 - lr * g, rtol=RTOL, atol=ATOL)


def test_uncorrected_momentum_first_step_is_attenuated(rng):
    """Without correction the first step is α (1 − β₁) g_1 (the lecture's m_1 = 0.1 g_1)."""
    theta0, (g,) = random_problem(rng, steps=1)
    theta, m = theta0.copy(), np.zeros_like(theta0)
    F.momentum_update(theta, g, m, 1, 0.5, beta1=0.9, bias_correction=False)
    np.testing.assert_allclose(theta, theta0 - 0.5 * 0.1 * g, rtol=1e-12, atol=ATOL)


@pytest.mark.parametrize("kind", ["adagrad", "rmsprop_bc", "adam"])
def test_first_step_closed_form_with_eps_inside_the_root(rng, kind):
    """At t = 1, Adagrad's Σg², RMSProp's v̂_1 and Adam's v̂_1 are all g_1², and Adam's m̂_1 = g_1:
    θ_1 = θ_0 − α g / sqrt(g² + ε). Kingma–Ba's θ_0 − α g / (|g| + ε) is visibly different."""
    theta0, (g,) = random_problem(rng, steps=1)
    lr, eps = 0.1, CASES[kind][1]["eps"]
    (theta1,), _ = functional_run(kind, theta0, [g], lr)
    np.testing.assert_allclose(theta1, theta0 - lr * g / np.sqrt(g**2 + eps), rtol=RTOL, atol=ATOL)
    eps_outside = theta0 - lr * g / (np.abs(g) + eps)
    assert np.max(np.abs(theta1 - eps_outside)) > 1e-3


def test_rmsprop_without_correction_first_step(rng):
    theta0, (g,) = random_problem(rng, steps=1)
    beta2, eps, lr = 0.6, 0.2, 0.1
    (theta1,), _ = functional_run("rmsprop", theta0, [g], lr)
    np.testing.assert_allclose(
        theta1, theta0 - lr * g / np.sqrt((1 - beta2) * g**2 + eps), rtol=RTOL
    )


@pytest.mark.parametrize("t", [1, 2, 7])
def test_bias_correction_uses_the_given_step_number(rng, t):
    """Starting from a state m, one step with step number t divides by 1 − β₁^t."""
    theta0, (g,) = random_problem(rng, steps=1)
    m0 = rng.standard_normal(SHAPE)
    beta1, lr = 0.8, 0.1
    theta, m = theta0.copy(), m0.copy()
    F.momentum_update(theta, g, m, t, lr, beta1=beta1, bias_correction=True)
    m_expected = beta1 * m0 + (1 - beta1) * g
    np.testing.assert_allclose(
        theta, theta0 - lr * m_expected / (1 - beta1**t), rtol=RTOL, atol=ATOL
    )

    theta, m, v0 = theta0.copy(), m0.copy(), rng.uniform(0.5, 1.5, SHAPE)
    v = v0.copy()
    F.adam_update(theta, g, m, v, t, lr, beta1=beta1, beta2=0.7, eps=1e-8)
    v_expected = 0.7 * v0 + 0.3 * g**2
    expected = theta0 - lr * (m_expected / (1 - beta1**t)) / np.sqrt(
        v_expected / (1 - 0.7**t) + 1e-8
    )
    np.testing.assert_allclose(theta, expected, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------------------
# Nesterov: the look-ahead form is the lecture's Nesterov, shifted
# ---------------------------------------------------------------------------


def test_nesterov_lookahead_equals_lecture_form_on_a_quadratic(rng):
    """The lecture: m_t = β m_{t−1} + (1 − β) ∇L(θ_{t−1} − αβ m_{t−1}), θ_t = θ_{t−1} − α m_t.

    The engine stores φ = θ − αβ m (the look-ahead point) and evaluates g at φ. Running both
    on L(θ) = ½ θᵀAθ − bᵀθ must give φ_t = θ_t − αβ m_t at every step, with the same m_t.
    """
    n = 4
    q = rng.standard_normal((n, n))
    A = q @ q.T + n * np.eye(n)
    b = rng.standard_normal(n)

    def grad(theta):
        return A @ theta - b

    alpha, beta = 0.05, 0.8
    theta = rng.standard_normal(n)
    m_lecture = np.zeros(n)
    phi = theta.copy()  # m_0 = 0, so φ_0 = θ_0
    m_engine = np.zeros(n)
    for _ in range(8):
        g_lecture = grad(theta - alpha * beta * m_lecture)
        m_lecture = beta * m_lecture + (1 - beta) * g_lecture
        theta = theta - alpha * m_lecture

        F.nesterov_update(phi, grad(phi), m_engine, alpha, beta1=beta)
        np.testing.assert_allclose(m_engine, m_lecture, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(phi, theta - alpha * beta * m_lecture, rtol=1e-10, atol=1e-12)


def test_nesterov_differs_from_classical_momentum(rng):
    theta0, grads = random_problem(rng)
    nesterov, _ = functional_run("nesterov", theta0, grads, 0.1)
    momentum_ref, _ = reference_run(
        "momentum", theta0, grads, 0.1, beta1=0.7, bias_correction=False
    )
    assert not np.allclose(nesterov[-1], momentum_ref[-1], rtol=1e-6, atol=0)


# ---------------------------------------------------------------------------
# weight decay: weights only, never biases
# ---------------------------------------------------------------------------


def test_sgd_weight_decay_is_the_decayed_update(rng):
    theta0, (g,) = random_problem(rng, steps=1)
    lr, lam = 0.1, 0.3
    theta = theta0.copy()
    F.sgd_update(theta, g, lr, weight_decay=lam)
    np.testing.assert_allclose(theta, (1 - lr * lam) * theta0 - lr * g, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("kind", list(CASES))
def test_class_decays_weights_and_never_biases(rng, kind):
    lr, lam = 0.1, 0.2
    W0, W_grads = random_problem(rng)
    b0, b_grads = random_problem(rng, shape=(4,))
    W = Parameter.create("W", W0.copy(), decay=True)
    b = Parameter.create("b", b0.copy(), decay=False)
    opt = make_optimizer(kind, lr, weight_decay=lam)
    for gW, gb in zip(W_grads, b_grads, strict=True):
        W.grad[...] = gW
        b.grad[...] = gb
        opt.step([W, b])
    hp = CASES[kind][1]
    W_expected, _ = reference_run(kind, W0, W_grads, lr, lam, **hp)
    b_expected, _ = reference_run(kind, b0, b_grads, lr, 0.0, **hp)
    np.testing.assert_allclose(
        W.value, W_expected[-1], rtol=RTOL, atol=ATOL, err_msg="weights: decayed"
    )
    np.testing.assert_allclose(
        b.value, b_expected[-1], rtol=RTOL, atol=ATOL, err_msg="bias: never decayed"
    )


def test_model_parameters_flag_weights_for_decay_and_not_biases():
    model = Sequential([Conv2D(2, 3), Flatten(), Dense(3)], input_shape=(5, 5, 1))
    flags = {
        (layer.name, name): p.decay for layer in model.layers for name, p in layer.params.items()
    }
    assert flags == {
        ("conv2d_1", "W"): True,
        ("conv2d_1", "b"): False,
        ("dense_1", "W"): True,
        ("dense_1", "b"): False,
    }


# ---------------------------------------------------------------------------
# learning rate as a schedule, evaluated at optimizer.epoch
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("epoch", [1, 2, 5])
def test_schedule_is_evaluated_at_optimizer_epoch(rng, epoch):
    theta0, (g,) = random_problem(rng, steps=1)
    lr0, gamma = 0.4, 0.5
    p = Parameter.create("W", theta0.copy(), decay=True)
    p.grad[...] = g
    opt = SGD(ExponentialDecay(lr0, gamma))
    assert opt.epoch == 1, "an optimiser starts in epoch 1"
    opt.epoch = epoch
    assert opt.current_lr() == pytest.approx(lr0 * gamma ** (epoch - 1), rel=1e-15)
    opt.step([p])
    np.testing.assert_allclose(
        p.value, theta0 - lr0 * gamma ** (epoch - 1) * g, rtol=RTOL, atol=ATOL
    )


def test_schedule_changes_the_steps_of_an_adaptive_optimizer(rng):
    theta0, grads = random_problem(rng, steps=4)
    sched = PiecewiseConstant([1, 2], [0.3, 0.1, 0.01])
    p = Parameter.create("W", theta0.copy(), decay=True)
    opt = Momentum(sched, beta1=0.8, bias_correction=True)
    theta, m = theta0.copy(), np.zeros_like(theta0)
    for t, g in enumerate(grads, start=1):
        epoch = t  # one step per epoch
        opt.epoch = epoch
        p.grad[...] = g
        opt.step([p])
        m = 0.8 * m + 0.2 * g
        lr = 0.3 if epoch <= 1 else 0.1 if epoch <= 2 else 0.01
        theta = theta - lr * m / (1 - 0.8**t)
        np.testing.assert_allclose(p.value, theta, rtol=RTOL, atol=ATOL)


def test_constant_lr_ignores_epoch(rng):
    theta0, (g,) = random_problem(rng, steps=1)
    p = Parameter.create("W", theta0.copy(), decay=True)
    p.grad[...] = g
    opt = SGD(0.25)
    opt.epoch = 7
    opt.step([p])
    np.testing.assert_allclose(p.value, theta0 - 0.25 * g, rtol=RTOL, atol=ATOL)
    assert InverseTimeDecay(0.25, 1.0)(1) == pytest.approx(0.25)


# ---------------------------------------------------------------------------
# dtypes and state
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(CASES))
def test_float32_stays_float32(rng, kind):
    theta0, grads = random_problem(rng)
    grads32 = [g.astype(np.float32) for g in grads]
    theta32 = theta0.astype(np.float32)
    expected, _ = reference_run(kind, theta32, grads32, 0.1, 0.05, **CASES[kind][1])

    actual, state = functional_run(kind, theta32, grads32, 0.1, 0.05, dtype=np.float32)
    assert all(a.dtype == np.float32 for a in actual)
    assert all(s.dtype == np.float32 for s in state.values())
    assert_trajectories(actual, expected, rtol=1e-5, atol=1e-6, what=f"{kind} float32 functional")

    actual, opt, p = class_run(kind, theta32, grads32, 0.1, 0.05, dtype=np.float32)
    assert p.value.dtype == np.float32
    assert all(s.dtype == np.float32 for s in opt.state[id(p)].values())
    assert_trajectories(actual, expected, rtol=1e-5, atol=1e-6, what=f"{kind} float32 class")


@pytest.mark.parametrize("kind", ["momentum_bc", "adagrad", "rmsprop_bc", "adam"])
def test_state_is_kept_per_parameter(rng, kind):
    """Two parameters of the same shape and one of another: each has its own state."""
    shapes = [(3, 4), (3, 4), (5,)]
    problems = [random_problem(rng, shape=s) for s in shapes]
    params = [
        Parameter.create(f"p{i}", th.copy(), decay=True) for i, (th, _) in enumerate(problems)
    ]
    opt = make_optimizer(kind, 0.1)
    for step in range(STEPS):
        for p, (_, grads) in zip(params, problems, strict=True):
            p.grad[...] = grads[step]
        opt.step(params)
    assert len(opt.state) == 3
    for p, (theta0, grads) in zip(params, problems, strict=True):
        expected, expected_state = reference_run(kind, theta0, grads, 0.1, **CASES[kind][1])
        np.testing.assert_allclose(p.value, expected[-1], rtol=RTOL, atol=ATOL)
        for name, value in expected_state.items():
            assert opt.state[id(p)][name].shape == p.value.shape
            np.testing.assert_allclose(opt.state[id(p)][name], value, rtol=RTOL, atol=ATOL)


def test_non_contiguous_gradient_is_accepted(rng):
    theta0 = rng.standard_normal((3, 4))
    g_big = rng.standard_normal((4, 3))
    g = g_big.T  # a transposed view, shape (3, 4)
    assert not g.flags.c_contiguous
    theta = theta0.copy()
    F.sgd_update(theta, g, 0.1)
    np.testing.assert_allclose(theta, theta0 - 0.1 * g_big.T, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_optimizer_follows_replaced_arrays(rng, kind):
    """The optimiser checks a parameter's arrays once and then reuses them; it must notice
    when the value or the gradient is replaced by another array (a transposed view included)."""
    theta0, grads = random_problem(rng, steps=3)
    p = Parameter.create("W", theta0.copy(), decay=True)
    opt = make_optimizer(kind, 0.1)
    p.grad[...] = grads[0]
    opt.step([p])
    p.value = p.value.copy()  # a new array: the next step must update this one
    p.grad = np.ascontiguousarray(grads[1].T).T  # a non-contiguous view with the values of grads[1]
    opt.step([p])
    p.grad = grads[2].copy()
    opt.step([p])
    expected, _ = reference_run(kind, theta0, grads, 0.1, **CASES[kind][1])
    np.testing.assert_allclose(p.value, expected[-1], rtol=RTOL, atol=ATOL)


def test_optimizer_rejects_a_gradient_of_another_dtype(rng):
    p = Parameter.create("W", rng.standard_normal(SHAPE).astype(np.float32), decay=True)
    opt = Adam()
    opt.step([p])
    p.grad = rng.standard_normal(SHAPE)  # float64 next to a float32 parameter
    with pytest.raises(TypeError, match="grad is float64"):
        opt.step([p])


def test_defaults_are_the_conventions():
    adam = Adam()
    assert (adam.lr, adam.beta1, adam.beta2, adam.eps) == (0.001, 0.9, 0.999, 1e-8)
    momentum = Momentum(0.1)
    assert momentum.beta1 == 0.9 and momentum.bias_correction is False
    assert Nesterov(0.1).beta1 == 0.9
    assert isinstance(adam, Optimizer) and adam.t == 0 and adam.epoch == 1


def test_functional_adam_defaults_are_the_conventions(rng):
    theta0, grads = random_problem(rng)
    theta, m, v = theta0.copy(), np.zeros(SHAPE), np.zeros(SHAPE)
    for t, g in enumerate(grads, start=1):
        F.adam_update(theta, g, m, v, t, 0.01)
    expected, _ = reference_run("adam", theta0, grads, 0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    np.testing.assert_allclose(theta, expected[-1], rtol=RTOL, atol=ATOL)


def test_rmsprop_default_beta2_is_the_same_in_both_apis(rng):
    """Where conventions.md is silent it follows Keras: RMSprop's rho = 0.9. The class says so;
    the functional update (what students re-implement and are graded against) must agree."""
    assert RMSProp().beta2 == 0.9
    theta0, (g,) = random_problem(rng, steps=1)
    theta, v = theta0.copy(), np.zeros(SHAPE)
    F.rmsprop_update(theta, g, v, 1, 0.01)  # default beta2
    np.testing.assert_allclose(
        v,
        (1 - 0.9) * g**2,
        rtol=RTOL,
        atol=ATOL,
        err_msg="rmsprop_update's default beta2 differs from RMSProp's (0.9)",
    )


# ---------------------------------------------------------------------------
# invalid arguments
# ---------------------------------------------------------------------------


def _arrays(rng, shape=(3, 4), dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)


def test_functional_rejects_bad_scalars(rng):
    p, g = _arrays(rng)
    m, v = np.zeros_like(p), np.zeros_like(p)
    with pytest.raises(ValueError, match="lr"):
        F.sgd_update(p, g, -0.1)
    with pytest.raises(ValueError, match="weight_decay"):
        F.sgd_update(p, g, 0.1, weight_decay=-1.0)
    with pytest.raises(TypeError, match="lr"):
        F.sgd_update(p, g, float("nan"))
    with pytest.raises(ValueError, match="beta1"):
        F.momentum_update(p, g, m, 1, 0.1, beta1=1.0)
    with pytest.raises(ValueError, match="beta1"):
        F.nesterov_update(p, g, m, 0.1, beta1=1.5)
    with pytest.raises(ValueError, match="beta1"):
        F.adam_update(p, g, m, v, 1, 0.1, beta1=-0.1)
    with pytest.raises(ValueError, match="beta2"):
        F.adam_update(p, g, m, v, 1, 0.1, beta2=1.0)
    with pytest.raises(ValueError, match="beta2"):
        F.rmsprop_update(p, g, v, 1, 0.1, beta2=1.0)
    with pytest.raises(ValueError, match="eps"):
        F.adagrad_update(p, g, m, 0.1, eps=-1e-8)
    with pytest.raises(ValueError, match="eps"):
        F.adam_update(p, g, m, v, 1, 0.1, eps=-1e-8)


@pytest.mark.parametrize("t", [0, -1, 1.0, True, None])
def test_functional_rejects_bad_step_numbers(rng, t):
    p, g = _arrays(rng)
    m, v = np.zeros_like(p), np.zeros_like(p)
    with pytest.raises(ValueError, match=r"\bt\b"):
        F.momentum_update(p, g, m, t, 0.1, bias_correction=True)
    with pytest.raises(ValueError, match=r"\bt\b"):
        F.rmsprop_update(p, g, v, t, 0.1)
    with pytest.raises(ValueError, match=r"\bt\b"):
        F.adam_update(p, g, m, v, t, 0.1)


def test_functional_rejects_bad_arrays(rng):
    p, g = _arrays(rng)
    m = np.zeros_like(p)
    with pytest.raises(ValueError, match="grad"):
        F.sgd_update(p, g.reshape(4, 3), 0.1)
    with pytest.raises(ValueError, match="grad"):
        F.sgd_update(p, g[:2], 0.1)
    with pytest.raises(ValueError, match=r"\bm\b"):
        F.momentum_update(p, g, np.zeros((4, 3)), 1, 0.1)
    with pytest.raises(ValueError, match=r"\bv\b"):
        F.adam_update(p, g, m, np.zeros(12), 1, 0.1)
    with pytest.raises(TypeError, match="param"):
        F.sgd_update(np.arange(12).reshape(3, 4), g, 0.1)
    with pytest.raises(TypeError, match="grad"):
        F.sgd_update(p, np.ones((3, 4), dtype=np.int64), 0.1)
    with pytest.raises(TypeError, match="param"):
        F.sgd_update(p.tolist(), g, 0.1)
    with pytest.raises(TypeError, match="dtype"):
        F.sgd_update(p, g.astype(np.float32), 0.1)
    with pytest.raises(TypeError, match="dtype"):
        F.momentum_update(p, g, m.astype(np.float32), 1, 0.1)
    big = rng.standard_normal((4, 6))
    with pytest.raises(ValueError, match="param"):
        F.sgd_update(big[:, ::2][:3], g, 0.1)  # a strided view cannot be updated in place
    with pytest.raises(ValueError, match=r"\bm\b"):
        F.momentum_update(p, g, np.zeros((4, 3)).T, 1, 0.1)  # non-contiguous state


def test_rejected_update_leaves_parameter_untouched(rng):
    p, g = _arrays(rng)
    before = p.copy()
    with pytest.raises(ValueError):
        F.adam_update(p, g, np.zeros_like(p), np.zeros_like(p), 0, 0.1)
    np.testing.assert_array_equal(p, before)


@pytest.mark.parametrize(
    "factory, exc, name",
    [
        (lambda: SGD(-0.1), ValueError, "lr"),
        (lambda: SGD(0.0), ValueError, "lr"),
        (lambda: SGD("0.1"), TypeError, "lr"),
        (lambda: SGD(0.1, weight_decay=-0.5), ValueError, "weight_decay"),
        (lambda: Adam(-1e-3), ValueError, "lr"),
    ],
)
def test_optimizer_constructor_rejects_bad_arguments(factory, exc, name):
    with pytest.raises(exc, match=name):
        factory()


@pytest.mark.parametrize(
    "factory, name",
    [
        (lambda: Momentum(0.1, beta1=1.0), "beta1"),
        (lambda: Nesterov(0.1, beta1=-0.2), "beta1"),
        (lambda: Adam(beta1=1.0), "beta1"),
        (lambda: Adam(beta2=1.2), "beta2"),
        (lambda: RMSProp(beta2=1.0), "beta2"),
        (lambda: Adam(eps=-1.0), "eps"),
        (lambda: Adagrad(eps=-1.0), "eps"),
    ],
)
def test_optimizer_rejects_bad_hyperparameters_at_latest_on_first_step(factory, name):
    p = Parameter.create("W", np.ones((2, 2)), decay=True)
    with pytest.raises(ValueError, match=name):
        opt = factory()
        opt.step([p])


# ---------------------------------------------------------------------------
# PyTorch: the same rules under its conventions (skipped without torch)
# ---------------------------------------------------------------------------


def torch_run(torch, make, theta0, grads):
    p = torch.tensor(theta0.copy(), dtype=torch.float64, requires_grad=True)
    opt = make([p])
    out = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(p.detach().numpy().copy())
    return out


def test_momentum_is_torch_sgd_with_scaled_lr(torch, rng):
    """Engine m_t = (1 − β) Σ β^k g_{t−k} = (1 − β)·buf_t of PyTorch (buf = βbuf + g), so the
    engine with lr α equals torch.optim.SGD(momentum=β) with lr α(1 − β), weight decay included."""
    theta0, grads = random_problem(rng)
    alpha, beta, lam = 0.1, 0.9, 0.05
    engine_run, _ = functional_run_momentum(theta0, grads, alpha, beta, lam)
    torch_same = torch_run(
        torch,
        lambda ps: torch.optim.SGD(ps, lr=alpha * (1 - beta), momentum=beta, weight_decay=lam),
        theta0,
        grads,
    )
    assert_trajectories(engine_run, torch_same, rtol=1e-12, atol=1e-14, what="momentum vs torch")


def test_momentum_differs_from_torch_with_the_same_lr(torch, rng):
    """PyTorch's m = βm + g is not the lecture's EWA. Its dampening d (buf = βbuf + (1 − d) g)
    does not fix that either: d = β gives the EWA recursion but PyTorch starts the buffer with
    the undamped g_1, and d = 1 − β weights new gradients by β instead of 1 − β."""
    theta0, grads = random_problem(rng)
    alpha, beta = 0.1, 0.9
    engine_run, _ = functional_run_momentum(theta0, grads, alpha, beta, 0.0)
    plain = torch_run(torch, lambda ps: torch.optim.SGD(ps, lr=alpha, momentum=beta), theta0, grads)
    damped = torch_run(
        torch,
        lambda ps: torch.optim.SGD(ps, lr=alpha, momentum=beta, dampening=beta),
        theta0,
        grads,
    )
    damped_the_other_way = torch_run(
        torch,
        lambda ps: torch.optim.SGD(ps, lr=alpha, momentum=beta, dampening=1 - beta),
        theta0,
        grads,
    )
    assert not np.allclose(engine_run[-1], plain[-1], rtol=1e-3, atol=0)
    assert not np.allclose(engine_run[0], damped[0], rtol=1e-3, atol=0)
    assert not np.allclose(engine_run[-1], damped_the_other_way[-1], rtol=1e-3, atol=0)
    # from step 2 on, d = β follows the EWA recursion: only the start differs
    buf = grads[0].copy()
    theta = theta0 - alpha * buf
    for g in grads[1:]:
        buf = beta * buf + (1 - beta) * g
        theta = theta - alpha * buf
    np.testing.assert_allclose(damped[-1], theta, rtol=1e-12, atol=1e-14)


def functional_run_momentum(theta0, grads, lr, beta1, weight_decay):
    theta, m = theta0.copy(), np.zeros_like(theta0)
    out = []
    for t, g in enumerate(grads, start=1):
        F.momentum_update(
            theta, g, m, t, lr, beta1=beta1, bias_correction=False, weight_decay=weight_decay
        )
        out.append(theta.copy())
    return out, m


def test_nesterov_is_torch_nesterov_with_scaled_lr(torch, rng):
    """θ_t = θ − α(β m_t + (1 − β) g) = θ − α(1 − β)(β buf_t + g):
    torch's nesterov=True with lr α(1 − β)."""
    theta0, grads = random_problem(rng)
    alpha, beta, lam = 0.2, 0.7, 0.05
    theta, m = theta0.copy(), np.zeros_like(theta0)
    engine_run = []
    for g in grads:
        F.nesterov_update(theta, g, m, alpha, beta1=beta, weight_decay=lam)
        engine_run.append(theta.copy())
    torch_same = torch_run(
        torch,
        lambda ps: torch.optim.SGD(
            ps, lr=alpha * (1 - beta), momentum=beta, nesterov=True, weight_decay=lam
        ),
        theta0,
        grads,
    )
    assert_trajectories(engine_run, torch_same, rtol=1e-12, atol=1e-14, what="nesterov vs torch")


def adam_engine(theta0, grads, lr, beta1, beta2, eps, weight_decay=0.0):
    theta, m, v = theta0.copy(), np.zeros_like(theta0), np.zeros_like(theta0)
    out = []
    for t, g in enumerate(grads, start=1):
        F.adam_update(
            theta, g, m, v, t, lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay
        )
        out.append(theta.copy())
    return out


def nonsmall_grads(rng, steps=STEPS, shape=SHAPE):
    """Gradients with |g| in [0.5, 2]: v̂ is never tiny, so ε = 1e-8 is negligible."""
    return [rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape) for _ in range(steps)]


def test_adam_equals_torch_adam_with_eps_zero(torch, rng):
    theta0 = rng.standard_normal(SHAPE)
    grads = nonsmall_grads(rng)
    lr, b1, b2, lam = 0.01, 0.9, 0.999, 0.01
    expected = torch_run(
        torch,
        lambda ps: torch.optim.Adam(ps, lr=lr, betas=(b1, b2), eps=0.0, weight_decay=lam),
        theta0,
        grads,
    )
    assert_trajectories(
        adam_engine(theta0, grads, lr, b1, b2, 0.0, lam), expected, rtol=1e-12, atol=1e-14
    )
    # the default ε = 1e-8 inside the root is negligible when v̂ is not tiny
    assert_trajectories(
        adam_engine(theta0, grads, lr, b1, b2, 1e-8, lam), expected, rtol=1e-7, atol=1e-10
    )


def test_adam_eps_inside_the_root_differs_from_kingma_ba_by_the_expected_amount(torch, rng):
    """With a large ε: engine − Kingma–Ba = α Σ_t m̂_t (1/(sqrt(v̂_t) + ε) − 1/sqrt(v̂_t + ε)).

    (m and v do not depend on θ when the gradients are given, so the difference of the two
    trajectories is the sum of the per-step differences.)"""
    theta0 = rng.standard_normal(SHAPE)
    grads = nonsmall_grads(rng)
    lr, b1, b2, eps = 0.05, 0.9, 0.99, 0.5
    ours = adam_engine(theta0, grads, lr, b1, b2, eps)
    kingma_ba = torch_run(
        torch, lambda ps: torch.optim.Adam(ps, lr=lr, betas=(b1, b2), eps=eps), theta0, grads
    )
    m, v = np.zeros(SHAPE), np.zeros(SHAPE)
    difference = np.zeros(SHAPE)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        difference += lr * m_hat * (1 / (np.sqrt(v_hat) + eps) - 1 / np.sqrt(v_hat + eps))
        np.testing.assert_allclose(
            ours[t - 1] - kingma_ba[t - 1], difference, rtol=1e-9, atol=1e-12
        )
    assert np.max(np.abs(difference)) > 1e-2, "a large ε must make the two forms visibly different"


def test_adagrad_equals_torch_adagrad_with_eps_zero(torch, rng):
    theta0 = rng.standard_normal(SHAPE)
    grads = nonsmall_grads(rng)
    theta, s = theta0.copy(), np.zeros(SHAPE)
    ours = []
    for g in grads:
        F.adagrad_update(theta, g, s, 0.1, eps=0.0)
        ours.append(theta.copy())
    expected = torch_run(torch, lambda ps: torch.optim.Adagrad(ps, lr=0.1, eps=0.0), theta0, grads)
    assert_trajectories(ours, expected, rtol=1e-12, atol=1e-14)


def test_rmsprop_equals_torch_rmsprop_with_eps_zero(torch, rng):
    theta0 = rng.standard_normal(SHAPE)
    grads = nonsmall_grads(rng)
    theta, v = theta0.copy(), np.zeros(SHAPE)
    ours = []
    for t, g in enumerate(grads, start=1):
        F.rmsprop_update(theta, g, v, t, 0.01, beta2=0.9, eps=0.0, bias_correction=False)
        ours.append(theta.copy())
    expected = torch_run(
        torch, lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=0.0), theta0, grads
    )
    assert_trajectories(ours, expected, rtol=1e-12, atol=1e-14)


def test_reference_bias_correction_matches_closed_form():
    """Self-check of the reference: m̂_t is a convex combination of the gradients (lecture)."""
    beta = 0.9
    grads = [np.array([1.0]), np.array([2.0]), np.array([4.0])]
    _, state = reference_run("momentum", np.zeros(1), grads, 1.0, beta1=beta, bias_correction=False)
    weights = [(1 - beta) * beta**k for k in range(3)]  # for g_3, g_2, g_1
    expected = weights[0] * 4 + weights[1] * 2 + weights[2] * 1
    assert state["m"][0] == pytest.approx(expected, rel=1e-14)
    assert state["m"][0] / (1 - beta**3) == pytest.approx(expected / sum(weights), rel=1e-14)
    assert math.isclose(sum(weights), 1 - beta**3)
