"""Lecture 004 §2, Optimización: minibatch SGD, the optimisers' steps and the learning-rate schedules.

- ``minibatch_sgd``: the lecture's W_{t+1} = W_t − α (1/B) Σ_i ∂L(X_t^(i), Y_t^(i); w)/∂w on least squares,
  ℓ = (x·w − y)², with the order of the samples given (one permutation per epoch, consecutive minibatches, the
  last one smaller when B does not divide n). It returns the whole path of iterates, w₀ included. B = 1 is
  SGD, B = n gradient descent.
- momentum, Nesterov (look-ahead form), Adagrad, RMSProp and Adam: one step each. The engine updates in place;
  students write pure functions that return the new parameters and state. Every case runs several
  consecutive steps t = 1, 2, 3, … (or continues from a later t), each judged on its own, so that the bias
  correction 1 − β^t matters: the next step gets the reference's parameters and state and a new gradient.
- the epoch of update t, e_t = 1 + ⌊tB/n_tr⌋ (t counted from 0), and the lecture's four decays of α as a
  function of e_t (``engine.schedules`` is the reference).
"""

from __future__ import annotations

import numpy as np

import engine.functional as F
import engine.schedules as schedules

from ..registry import Case, GradedFunction, register
from .common import NotThisCase, hint, hyperparameter, mistakes, normal, note
from .stateful import like, next_rng


def _shape(rng):
    return (int(rng.integers(2, 7)), int(rng.integers(1, 6))) if rng.random() < 0.7 else (int(rng.integers(2, 20)),)


def _next_gradient(w, dw):
    """A new gradient of the size of the last one, drawn from the step's parameters and gradient."""
    return like(next_rng(w, dw), dw)


# -- momentum ---------------------------------------------------------------------------------------
def _momentum_cases(rng):
    shape = _shape(rng)
    return [
        Case("typical", (normal(rng, *shape), normal(rng, *shape), np.zeros(shape), 1, 0.1, 0.9), steps=4,
             note=note("desde m = 0, pasos t = 1, 2, 3, 4", "from m = 0, steps t = 1, 2, 3, 4")),
        Case("typical", (normal(rng, *shape), normal(rng, *shape), np.zeros(shape), 1, 0.01, 0.8), steps=3),
        Case("edge", (normal(rng, *shape), normal(rng, *shape), normal(rng, *shape, scale=0.1), 50, 0.05, 0.9),
             steps=2, note=note("lejos del comienzo (t = 50): la corrección ya casi no cambia nada",
                           "far from the start (t = 50): the correction hardly changes anything")),
        Case("edge", (normal(rng, *shape), normal(rng, *shape), np.zeros(shape), 1, 0.1, 0.0),
             steps=2, note=note("β₁ = 0: descenso por gradiente sin momentum",
                                "β₁ = 0: gradient descent without momentum")),
        Case("random", (normal(rng, *shape), normal(rng, *shape, scale=float(rng.uniform(0.1, 10))),
                        normal(rng, *shape, scale=0.1), int(rng.integers(1, 10)), hyperparameter(rng, 0.001, 0.5),
                        hyperparameter(rng, 0.5, 0.99)), steps=4),
    ]


def _momentum_reference(w, dw, m, t, lr, beta1):
    w, m = w.copy(), m.copy()
    F.momentum_update(w, dw, m, t, lr, beta1, bias_correction=True)
    return w, m


def _next_momentum(args, outputs):
    _, dw, _, t, lr, beta1 = args
    w, m = outputs
    return w, _next_gradient(w, dw), m, t + 1, lr, beta1


def _momentum_without_correction(w, dw, m, t, lr, beta1):
    m = beta1 * m + (1 - beta1) * dw
    return w - lr * m, m


def _momentum_storing_corrected(w, dw, m, t, lr, beta1):
    m_hat = (beta1 * m + (1 - beta1) * dw) / (1 - beta1**t)
    return w - lr * m_hat, m_hat


register(GradedFunction(
    name="momentum_step", exercise_set="004_2", parameters=("w", "dw", "m", "t", "lr", "beta1"),
    outputs=("w", "m"),
    make_cases=_momentum_cases, reference=_momentum_reference, next_args=_next_momentum,
    summary={"es": "un paso de momentum: m = β₁m + (1 − β₁)g, w = w − α·m/(1 − β₁ᵗ)",
             "en": "one momentum step: m = β₁m + (1 − β₁)g, w = w − α·m/(1 − β₁ᵗ)"},
    detectors=mistakes(
        _momentum_reference,
        ("momentum_no_bias_correction",
         hint("Falta la corrección de sesgo: el paso usa m̂ = m/(1 − β₁ᵗ), no m (m sí se guarda sin "
              "corregir).",
              "The bias correction is missing: the step uses m̂ = m/(1 − β₁ᵗ), not m (m itself is stored "
              "uncorrected)."),
         _momentum_without_correction),
        ("momentum_pytorch_form",
         hint("Esa es la forma de PyTorch (m = β₁m + g). La de la clase es el promedio exponencial "
              "m = β₁m + (1 − β₁)g.",
              "That is PyTorch's form (m = β₁m + g). The lecture's is the exponential average "
              "m = β₁m + (1 − β₁)g."),
         lambda w, dw, m, t, lr, beta1: (None, beta1 * m + dw)),
        ("momentum_stores_corrected_average",
         hint("Se guarda m sin corregir: la corrección m̂ = m/(1 − β₁ᵗ) se usa solo en el paso de w; si guardas m̂, "
              "el promedio de los pasos siguientes parte de un valor inflado.",
              "Store m uncorrected: the correction m̂ = m/(1 − β₁ᵗ) is used only in the step of w; if you store "
              "m̂, the average of the next steps starts from an inflated value."),
         _momentum_storing_corrected),
    ),
))


# -- RMSProp ----------------------------------------------------------------------------------------
def _rmsprop_cases(rng):
    shape = _shape(rng)
    return [
        Case("typical", (normal(rng, *shape), normal(rng, *shape), np.zeros(shape), 1, 0.01, 0.9, 1e-8), steps=4,
             note=note("desde v = 0, pasos t = 1, 2, 3, 4", "from v = 0, steps t = 1, 2, 3, 4")),
        Case("typical", (normal(rng, *shape), normal(rng, *shape), np.zeros(shape), 1, 0.001, 0.999, 1e-8), steps=3),
        Case("edge", (normal(rng, *shape), normal(rng, *shape, scale=1e-4), np.zeros(shape), 1, 0.01, 0.9, 1e-8),
             steps=3, note=note("gradientes del orden de √ε: importa dónde va ε",
                           "gradients of the order of √ε: where ε goes matters")),
        Case("edge", (normal(rng, *shape), np.zeros(shape), np.zeros(shape), 1, 0.01, 0.9, 1e-8),
             note("gradiente nulo desde v = 0: el paso es 0 (ε evita dividir por cero)",
                  "a zero gradient from v = 0: the step is 0 (ε avoids dividing by zero)")),
        Case("random", (normal(rng, *shape), normal(rng, *shape, scale=float(rng.uniform(0.1, 10))),
                        np.exp(normal(rng, *shape)), int(rng.integers(1, 10)), hyperparameter(rng, 0.001, 0.1),
                        hyperparameter(rng, 0.8, 0.999), 1e-8), steps=4),
    ]


def _rmsprop_reference(w, dw, v, t, lr, beta2, eps):
    w, v = w.copy(), v.copy()
    F.rmsprop_update(w, dw, v, t, lr, beta2, eps, bias_correction=True)
    return w, v


def _next_rmsprop(args, outputs):
    _, dw, _, t, lr, beta2, eps = args
    w, v = outputs
    return w, _next_gradient(w, dw), v, t + 1, lr, beta2, eps


def _rmsprop_with(corrected, eps_inside):
    def wrong(w, dw, v, t, lr, beta2, eps):
        v = beta2 * v + (1 - beta2) * dw**2
        v_hat = v / (1 - beta2**t) if corrected else v
        with np.errstate(divide="ignore", invalid="ignore"):
            return w - lr * dw / (np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps), v
    return wrong


_EPS_OUTSIDE = hint("ε va dentro de la raíz, como en la clase: √(v̂ + ε), no √v̂ + ε (la forma de Kingma y Ba).",
                    "ε goes inside the square root, as in the lecture: √(v̂ + ε), not √v̂ + ε (Kingma and Ba's form).")

register(GradedFunction(
    name="rmsprop_step", exercise_set="004_2", parameters=("w", "dw", "v", "t", "lr", "beta2", "eps"),
    outputs=("w", "v"),
    make_cases=_rmsprop_cases, reference=_rmsprop_reference, next_args=_next_rmsprop,
    summary={"es": "un paso de RMSProp: v = β₂v + (1 − β₂)g², w = w − α·g/√(v̂ + ε), v̂ = v/(1 − β₂ᵗ)",
             "en": "one RMSProp step: v = β₂v + (1 − β₂)g², w = w − α·g/√(v̂ + ε), v̂ = v/(1 − β₂ᵗ)"},
    detectors=mistakes(
        _rmsprop_reference,
        ("rmsprop_no_bias_correction",
         hint("Falta la corrección de sesgo: el paso usa v̂ = v/(1 − β₂ᵗ), no v.",
              "The bias correction is missing: the step uses v̂ = v/(1 − β₂ᵗ), not v."),
         _rmsprop_with(corrected=False, eps_inside=True)),
        ("rmsprop_eps_outside_sqrt", _EPS_OUTSIDE, _rmsprop_with(corrected=True, eps_inside=False)),
    ),
))


# -- Adam -------------------------------------------------------------------------------------------
def _adam_cases(rng):
    shape = _shape(rng)

    def first_step(gradient_scale=1.0):
        """(w, dw, m, v, t) of a first step: m = v = 0, t = 1."""
        return normal(rng, *shape), normal(rng, *shape, scale=gradient_scale), np.zeros(shape), np.zeros(shape), 1

    return [
        Case("typical", (*first_step(), 0.01, 0.9, 0.999, 1e-8), steps=4,
             note=note("desde m = v = 0, pasos t = 1, 2, 3, 4", "from m = v = 0, steps t = 1, 2, 3, 4")),
        Case("typical", (*first_step(), 0.001, 0.8, 0.99, 1e-8), steps=3),
        Case("edge", (*first_step(1e-4), 0.01, 0.9, 0.999, 1e-8), steps=3,
             note=note("gradientes del orden de √ε: importa dónde va ε",
                  "gradients of the order of √ε: where ε goes matters")),
        Case("edge", (*first_step(), 0.01, 0.9, 0.999, 0.1), steps=2, note=note("ε grande (0.1)", "a large ε (0.1)")),
        Case("edge", (*first_step(0.0), 0.01, 0.9, 0.999, 1e-8),
             note("gradiente nulo desde m = v = 0: el paso es 0", "a zero gradient from m = v = 0: the step is 0")),
        Case("random", (normal(rng, *shape), normal(rng, *shape, scale=float(rng.uniform(0.1, 10))),
                        normal(rng, *shape, scale=0.1), np.exp(normal(rng, *shape)), int(rng.integers(1, 10)),
                        hyperparameter(rng, 0.001, 0.1), hyperparameter(rng, 0.5, 0.95),
                        hyperparameter(rng, 0.9, 0.999), 1e-8), steps=4),
    ]


def _adam_reference(w, dw, m, v, t, lr, beta1, beta2, eps):
    w, m, v = w.copy(), m.copy(), v.copy()
    F.adam_update(w, dw, m, v, t, lr, beta1, beta2, eps)
    return w, m, v


def _next_adam(args, outputs):
    _, dw, _, _, t, lr, beta1, beta2, eps = args
    w, m, v = outputs
    return w, _next_gradient(w, dw), m, v, t + 1, lr, beta1, beta2, eps


def _adam_with(corrected, eps_inside):
    def wrong(w, dw, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * dw**2
        m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if corrected else (m, v)
        with np.errstate(divide="ignore", invalid="ignore"):
            return w - lr * m_hat / (np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps), m, v
    return wrong


register(GradedFunction(
    name="adam_step", exercise_set="004_2",
    parameters=("w", "dw", "m", "v", "t", "lr", "beta1", "beta2", "eps"), outputs=("w", "m", "v"),
    make_cases=_adam_cases, reference=_adam_reference, next_args=_next_adam,
    summary={"es": "un paso de Adam: w = w − α·m̂/√(v̂ + ε), m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)",
             "en": "one Adam step: w = w − α·m̂/√(v̂ + ε), m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)"},
    detectors=mistakes(
        _adam_reference,
        ("adam_no_bias_correction",
         hint("Faltan las correcciones de sesgo: el paso usa m̂ = m/(1 − β₁ᵗ) y v̂ = v/(1 − β₂ᵗ) "
              "(m y v se guardan sin corregir).",
              "The bias corrections are missing: the step uses m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ) "
              "(m and v are stored uncorrected)."),
         _adam_with(corrected=False, eps_inside=True)),
        ("adam_eps_outside_sqrt", _EPS_OUTSIDE, _adam_with(corrected=True, eps_inside=False)),
    ),
))



# -- minibatch SGD on least squares -------------------------------------------------------------------
def _least_squares(rng, n, d, epochs):
    """(w₀, X, y, order): y = X w* + noise, w₀ random, one random permutation of the n samples per epoch."""
    X = normal(rng, n, d)
    y = X @ normal(rng, d) + 0.1 * normal(rng, n)
    order = np.stack([rng.permutation(n) for _ in range(epochs)])
    return normal(rng, d), X, y, order


def _sgd_cases(rng):
    d = int(rng.integers(2, 5))
    k, batch = int(rng.integers(2, 4)), int(rng.integers(2, 5))
    odd_n = batch * k + int(rng.integers(1, batch))
    n_random, epochs_random = int(rng.integers(5, 16)), int(rng.integers(1, 4))
    n_sgd, n_gd = int(rng.integers(4, 9)), int(rng.integers(4, 9))

    def case(kind, n, epochs, lr, batch_size, text=None):
        w, X, y, order = _least_squares(rng, n, d, epochs)
        return Case(kind, (w, X, y, lr, batch_size, order), text)

    return [
        case("typical", batch * k, 2, 0.05, batch,
             note("B divide a n: n/B pasos por época", "B divides n: n/B steps per epoch")),
        case("typical", odd_n, 2, 0.05, batch,
             note("B no divide a n: el último minibatch de cada época es más chico",
                  "B does not divide n: the last minibatch of each epoch is smaller")),
        case("edge", n_sgd, 1, 0.05, 1, note("B = 1: SGD, un ejemplo por paso", "B = 1: SGD, one sample per step")),
        case("edge", n_gd, 3, 0.1, n_gd,
             note("B = n: un solo minibatch con todo, el descenso por gradiente",
                  "B = n: one minibatch holding everything, gradient descent")),
        case("edge", odd_n, 1, 0.0, batch, note("α = 0: w no se mueve", "α = 0: w does not move")),
        case("random", n_random, epochs_random, hyperparameter(rng, 0.01, 0.1), int(rng.integers(1, n_random + 1))),
    ]


def _sgd_reference(w, X, y, lr, batch_size, order):
    W, b = w.reshape(-1, 1).copy(), np.zeros(1)
    path = [W[:, 0].copy()]
    for permutation in order:
        for start in range(0, len(permutation), batch_size):
            batch = permutation[start:start + batch_size]
            prediction = F.dense_forward(X[batch], W, b)
            _, dprediction = F.mse_loss(prediction, y[batch, None])
            _, dW, _ = F.dense_backward(dprediction, X[batch], W)
            F.sgd_update(W, dW, lr)
            path.append(W[:, 0].copy())
    return (np.array(path),)


def _sgd_with(factor=2.0, mean=True, drop_last=False, natural_order=False, with_start=True):
    """Minibatch SGD with one of the mistakes students make."""
    def wrong(w, X, y, lr, batch_size, order):
        n = X.shape[0]
        path = [w.copy()]
        for permutation in order:
            if natural_order:
                permutation = np.arange(n)
            stop = n - batch_size + 1 if drop_last else n
            for start in range(0, stop, batch_size):
                batch = permutation[start:start + batch_size]
                gradient = factor * X[batch].T @ (X[batch] @ w - y[batch])
                w = w - lr * (gradient / len(batch) if mean else gradient)
                path.append(w.copy())
        return (np.array(path if with_start else path[1:]),)
    return wrong


register(GradedFunction(
    name="minibatch_sgd", exercise_set="004_2", parameters=("w", "X", "y", "lr", "batch_size", "order"),
    outputs=("path",),
    make_cases=_sgd_cases, reference=_sgd_reference,
    summary={"es": "SGD por minibatch en mínimos cuadrados: w ← w − α·(2/B) X_Bᵀ(X_B w − y_B), el camino entero",
             "en": "minibatch SGD on least squares: w ← w − α·(2/B) X_Bᵀ(X_B w − y_B), the whole path"},
    detectors=mistakes(
        _sgd_reference,
        ("sgd_gradient_summed",
         hint("El gradiente del minibatch es un promedio: (1/B) Σ_i ∂L_i/∂w, no la suma.",
              "The minibatch gradient is an average: (1/B) Σ_i ∂L_i/∂w, not the sum."),
         _sgd_with(mean=False)),
        ("sgd_half_squared_error",
         hint("La pérdida es ℓ = (x·w − y)², sin el 1/2: su derivada es 2(x·w − y)x.",
              "The loss is ℓ = (x·w − y)², without the 1/2: its derivative is 2(x·w − y)x."),
         _sgd_with(factor=1.0)),
        ("sgd_last_batch_dropped",
         hint("Cuando B no divide a n, el último minibatch de la época es más chico, pero se usa igual (como en el "
              "motor).",
              "When B does not divide n the last minibatch of the epoch is smaller, but it is used all the same "
              "(as in the engine)."),
         _sgd_with(drop_last=True)),
        ("sgd_order_ignored",
         hint("Recorre los ejemplos en el orden que da order[e] en cada época e, no en el orden 0, 1, 2, …",
              "Visit the samples in the order order[e] gives in each epoch e, not in the order 0, 1, 2, …"),
         _sgd_with(natural_order=True)),
        ("sgd_path_without_start",
         hint("El camino empieza en w₀: la primera fila es el w que recibe la función, y después una fila por paso.",
              "The path starts at w₀: its first row is the w the function receives, then one row per step."),
         _sgd_with(with_start=False)),
    ),
))


# -- Nesterov -------------------------------------------------------------------------------------------
def _nesterov_cases(rng):
    shape = _shape(rng)
    return [
        Case("typical", (normal(rng, *shape), normal(rng, *shape), np.zeros(shape), 0.1, 0.9), steps=4,
             note=note("desde m = 0, cuatro pasos seguidos", "from m = 0, four steps in a row")),
        Case("typical", (normal(rng, *shape), normal(rng, *shape), normal(rng, *shape, scale=0.5), 0.01, 0.8),
             steps=3),
        Case("edge", (normal(rng, *shape), normal(rng, *shape), np.zeros(shape), 0.1, 0.0), steps=2,
             note=note("β₁ = 0: descenso por gradiente", "β₁ = 0: gradient descent")),
        Case("edge", (normal(rng, *shape), np.zeros(shape), normal(rng, *shape), 0.1, 0.9), steps=2,
             note=note("gradiente nulo: sólo el promedio anterior mueve w",
                       "a zero gradient: only the previous average moves w")),
        Case("random", (normal(rng, *shape), normal(rng, *shape, scale=float(rng.uniform(0.1, 10))),
                        normal(rng, *shape, scale=0.1), hyperparameter(rng, 0.001, 0.5),
                        hyperparameter(rng, 0.5, 0.99)), steps=4),
    ]


def _nesterov_reference(w, dw, m, lr, beta1):
    w, m = w.copy(), m.copy()
    F.nesterov_update(w, dw, m, lr, beta1)
    return w, m


def _next_nesterov(args, outputs):
    _, dw, _, lr, beta1 = args
    w, m = outputs
    return w, _next_gradient(w, dw), m, lr, beta1


def _classical_momentum(w, dw, m, lr, beta1):
    m = beta1 * m + (1 - beta1) * dw
    return w - lr * m, m


def _pytorch_nesterov(w, dw, m, lr, beta1):
    m = beta1 * m + dw
    return w - lr * (dw + beta1 * m), m


register(GradedFunction(
    name="nesterov_step", exercise_set="004_2", parameters=("w", "dw", "m", "lr", "beta1"), outputs=("w", "m"),
    make_cases=_nesterov_cases, reference=_nesterov_reference, next_args=_next_nesterov,
    summary={"es": "un paso de Nesterov (forma look-ahead): m = β₁m + (1 − β₁)g, w = w − α(β₁m + (1 − β₁)g)",
             "en": "one Nesterov step (look-ahead form): m = β₁m + (1 − β₁)g, w = w − α(β₁m + (1 − β₁)g)"},
    detectors=mistakes(
        _nesterov_reference,
        ("nesterov_classical_momentum",
         hint("Ese es el momentum clásico, w = w − α·m. Nesterov mira adelante: w = w − α(β₁m_t + (1 − β₁)g_t), "
              "con el m ya actualizado.",
              "That is classical momentum, w = w − α·m. Nesterov looks ahead: w = w − α(β₁m_t + (1 − β₁)g_t), "
              "with the updated m."),
         _classical_momentum),
        ("nesterov_pytorch_form",
         hint("Esa es la forma de PyTorch (m = β₁m + g, w = w − α(g + β₁m)). La de la clase promedia: "
              "m = β₁m + (1 − β₁)g, w = w − α(β₁m + (1 − β₁)g).",
              "That is PyTorch's form (m = β₁m + g, w = w − α(g + β₁m)). The lecture's averages: "
              "m = β₁m + (1 − β₁)g, w = w − α(β₁m + (1 − β₁)g)."),
         _pytorch_nesterov),
    ),
))


# -- Adagrad --------------------------------------------------------------------------------------------
def _adagrad_cases(rng):
    shape = _shape(rng)
    return [
        Case("typical", (normal(rng, *shape), normal(rng, *shape), np.zeros(shape), 0.1, 1e-8), steps=4,
             note=note("desde s = 0, pasos 1, 2, 3, 4", "from s = 0, steps 1, 2, 3, 4")),
        Case("typical", (normal(rng, *shape), normal(rng, *shape), np.exp(normal(rng, *shape)), 0.01, 1e-8),
             steps=3, note=note("con historia: s > 0", "with a history: s > 0")),
        Case("edge", (normal(rng, *shape), normal(rng, *shape, scale=1e-4), np.zeros(shape), 0.1, 1e-8), steps=3,
             note=note("gradientes del orden de √ε: importa dónde va ε",
                       "gradients of the order of √ε: where ε goes matters")),
        Case("edge", (normal(rng, *shape), np.zeros(shape), np.zeros(shape), 0.1, 1e-8),
             note=note("gradiente nulo desde s = 0: el paso es 0 (ε evita dividir por cero)",
                       "a zero gradient from s = 0: the step is 0 (ε avoids dividing by zero)")),
        Case("random", (normal(rng, *shape), normal(rng, *shape, scale=float(rng.uniform(0.1, 10))),
                        np.exp(normal(rng, *shape)), hyperparameter(rng, 0.001, 0.5), 1e-8), steps=4),
    ]


def _adagrad_reference(w, dw, s, lr, eps):
    w, s = w.copy(), s.copy()
    F.adagrad_update(w, dw, s, lr, eps)
    return w, s


def _next_adagrad(args, outputs):
    _, dw, _, lr, eps = args
    w, s = outputs
    return w, _next_gradient(w, dw), s, lr, eps


def _adagrad_with(scale):
    """Adagrad whose step divides g by ``scale(s_old, s_new, eps)``."""
    def wrong(w, dw, s, lr, eps):
        s_new = s + dw**2
        with np.errstate(divide="ignore", invalid="ignore"):
            return w - lr * dw / scale(s, s_new, eps), s_new
    return wrong


register(GradedFunction(
    name="adagrad_step", exercise_set="004_2", parameters=("w", "dw", "s", "lr", "eps"), outputs=("w", "s"),
    make_cases=_adagrad_cases, reference=_adagrad_reference, next_args=_next_adagrad,
    summary={"es": "un paso de Adagrad: s = s + g², w = w − α·g/√(s + ε)",
             "en": "one Adagrad step: s = s + g², w = w − α·g/√(s + ε)"},
    detectors=mistakes(
        _adagrad_reference,
        ("adagrad_eps_outside_sqrt", _EPS_OUTSIDE, _adagrad_with(lambda old, new, eps: np.sqrt(new) + eps)),
        ("adagrad_old_sum",
         hint("La suma incluye el gradiente de este paso: Σ_{τ=1}^t g_τ², así que primero acumulas g_t² y después "
              "divides.",
              "The sum includes this step's gradient: Σ_{τ=1}^t g_τ², so accumulate g_t² first, then divide."),
         _adagrad_with(lambda old, new, eps: np.sqrt(old + eps))),
        ("adagrad_no_sqrt",
         hint("Falta la raíz: el paso es α·g/√(Σ g² + ε).", "The square root is missing: the step is α·g/√(Σ g² + ε)."),
         _adagrad_with(lambda old, new, eps: new + eps)),
    ),
))


# -- the epoch of a step, and the learning-rate schedules ---------------------------------------------
def _epoch_geometries(rng):
    """(kind, t, batch_size, n_train, note): first update, epoch boundaries, B = 1, B = n, B not dividing n."""
    batch = int(rng.integers(2, 9))
    k = int(rng.integers(3, 9))
    n = batch * k                                      # an epoch is exactly k updates
    odd_n = n + int(rng.integers(1, batch))            # B does not divide n: samples and updates drift apart
    steps = -(-odd_n // batch)
    drift = next(t for t in range(steps, 100 * steps)
                 if 1 + t * batch // odd_n != 1 + t // steps and t % steps != 0)
    big_n = int(rng.integers(100, 10_000))
    return [
        ("typical", 0, batch, n, note("t = 0: la primera actualización, época 1",
                                      "t = 0: the first update, epoch 1")),
        ("typical", k - 1, batch, n, note("la última actualización de la primera época",
                                          "the last update of the first epoch")),
        ("edge", k, batch, n, note("tB = n_tr exactamente: empieza la época 2", "tB = n_tr exactly: epoch 2 starts")),
        ("edge", drift, batch, odd_n, note("B no divide a n_tr: la fórmula cuenta ejemplos vistos, tB, no pasos",
                                           "B does not divide n_tr: the formula counts samples seen, tB, not "
                                           "steps")),
        ("edge", int(rng.integers(1, 20)), big_n, big_n, note("B = n_tr: una actualización por época",
                                                              "B = n_tr: one update per epoch")),
        ("edge", int(rng.integers(1, 3 * k)), 1, k, note("B = 1", "B = 1")),
        ("random", int(rng.integers(0, 50_000)), int(rng.integers(1, 257)), big_n, None),
    ]


def _epoch_cases(rng):
    return [Case(kind, (t, batch, n), text) for kind, t, batch, n, text in _epoch_geometries(rng)]


def _epoch_reference(t, batch_size, n_train):
    return (schedules.epoch_at_step(t, batch_size, n_train),)


register(GradedFunction(
    name="epoch_of_step", exercise_set="004_2", parameters=("t", "batch_size", "n_train"), outputs=("epoch",),
    make_cases=_epoch_cases, reference=_epoch_reference,
    summary={"es": "la época de la actualización t (contada desde 0): e_t = 1 + ⌊tB/n_tr⌋",
             "en": "the epoch of update t (counted from 0): e_t = 1 + ⌊tB/n_tr⌋"},
    detectors=mistakes(
        _epoch_reference,
        ("epoch_counted_from_zero",
         hint("Las épocas se cuentan desde 1: e_t = 1 + ⌊tB/n_tr⌋ (la primera actualización, t = 0, es de la "
              "época 1).",
              "Epochs count from 1: e_t = 1 + ⌊tB/n_tr⌋ (the first update, t = 0, belongs to epoch 1)."),
         lambda t, batch_size, n_train: ((t * batch_size) // n_train,)),
        ("epoch_without_floor",
         hint("Falta la parte entera: e_t = 1 + ⌊tB/n_tr⌋ es un número entero de épocas.",
              "The floor is missing: e_t = 1 + ⌊tB/n_tr⌋ is a whole number of epochs."),
         lambda t, batch_size, n_train: (1 + t * batch_size / n_train,)),
        ("epoch_from_steps_per_epoch",
         hint("La fórmula de la clase cuenta ejemplos vistos, tB, y los divide por n_tr; no cuenta pasos por "
              "época (con B que no divide a n_tr no da lo mismo).",
              "The lecture's formula counts samples seen, tB, and divides them by n_tr; it does not count steps "
              "per epoch (when B does not divide n_tr that differs)."),
         lambda t, batch_size, n_train: (1 + t // -(-n_train // batch_size),)),
    ),
))


def _schedule_cases(draw_options):
    """Cases (*options, t, batch_size, n_train) over the epoch geometries, the options drawn per case."""
    def make_cases(rng):
        cases = [Case(kind, (*draw_options(rng), t, batch, n), text)
                 for kind, t, batch, n, text in _epoch_geometries(rng) if kind != "random"]
        n = int(rng.integers(50, 501))
        cases.append(Case("random", (*draw_options(rng), int(rng.integers(0, 201)), int(rng.integers(1, 65)), n)))
        return cases
    return make_cases


def _schedule_reference(make_schedule):
    def reference(*args):
        *options, t, batch_size, n_train = args
        return (make_schedule(*options)(schedules.epoch_at_step(t, batch_size, n_train)),)
    return reference


def _at_epoch(rate, epoch_of):
    """A mistaken schedule: the right formula ``rate(*options, e)`` at a wrong epoch ``epoch_of(t, B, n)``."""
    def wrong(*args):
        *options, t, batch_size, n_train = args
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return (float(rate(*options, np.float64(epoch_of(t, batch_size, n_train)))),)
    return wrong


def _lecture_epoch(t, batch_size, n_train):
    return 1 + (t * batch_size) // n_train


_EPOCH_FROM_ZERO = hint("α depende de la época e_t = 1 + ⌊tB/n_tr⌋, que empieza en 1 (en la primera época α = α₀).",
                        "α depends on the epoch e_t = 1 + ⌊tB/n_tr⌋, which starts at 1 (α = α₀ in the first "
                        "epoch).")
_STEP_FOR_EPOCH = hint("Usaste el número de paso t donde va la época e_t = 1 + ⌊tB/n_tr⌋: α cambia una vez por "
                       "época, no en cada paso.",
                       "You used the step number t where the epoch e_t = 1 + ⌊tB/n_tr⌋ goes: α changes once per "
                       "epoch, not at every step.")


def _schedule_detectors(reference, rate, *specific):
    return mistakes(
        reference,
        ("lr_epoch_counted_from_zero", _EPOCH_FROM_ZERO, _at_epoch(rate, lambda t, b, n: (t * b) // n)),
        ("lr_step_instead_of_epoch", _STEP_FOR_EPOCH, _at_epoch(rate, lambda t, b, n: t)),
        *specific,
    )


def _inverse_time(alpha0, delta, e):
    return alpha0 * (1 + delta) / (1 + delta * e)


def _exponential(alpha0, gamma, e):
    return alpha0 * gamma ** (e - 1)


def _inverse_sqrt(alpha0, e):
    return alpha0 / np.sqrt(e)


def _piecewise(boundaries, values, e, exclusive=False):
    for boundary, value in zip(boundaries, values):
        if e < boundary or (e == boundary and not exclusive):
            return value
    return values[-1]


def _alpha0(rng):
    return hyperparameter(rng, 0.001, 0.5)


_inverse_time_reference = _schedule_reference(schedules.InverseTimeDecay)
register(GradedFunction(
    name="inverse_time_decay", exercise_set="004_2",
    parameters=("alpha0", "delta", "t", "batch_size", "n_train"), outputs=("lr",),
    make_cases=_schedule_cases(lambda rng: (_alpha0(rng), hyperparameter(rng, 0.1, 2.0))),
    reference=_inverse_time_reference,
    summary={"es": "α = α₀(1 + δ)/(1 + δe_t), e_t = 1 + ⌊tB/n_tr⌋",
             "en": "α = α₀(1 + δ)/(1 + δe_t), e_t = 1 + ⌊tB/n_tr⌋"},
    detectors=_schedule_detectors(
        _inverse_time_reference, _inverse_time,
        ("inverse_time_without_one_plus_delta",
         hint("Falta el factor (1 + δ) del numerador: con él, α = α₀ en la primera época.",
              "The factor (1 + δ) of the numerator is missing: with it, α = α₀ in the first epoch."),
         _at_epoch(lambda alpha0, delta, e: alpha0 / (1 + delta * e), _lecture_epoch)),
    ),
))

_exponential_reference = _schedule_reference(schedules.ExponentialDecay)
register(GradedFunction(
    name="exponential_decay", exercise_set="004_2",
    parameters=("alpha0", "gamma", "t", "batch_size", "n_train"), outputs=("lr",),
    make_cases=_schedule_cases(lambda rng: (_alpha0(rng), hyperparameter(rng, 0.5, 0.99))),
    reference=_exponential_reference,
    summary={"es": "α = α₀γ^(e_t − 1), e_t = 1 + ⌊tB/n_tr⌋", "en": "α = α₀γ^(e_t − 1), e_t = 1 + ⌊tB/n_tr⌋"},
    detectors=_schedule_detectors(
        _exponential_reference, _exponential,
        ("exponential_power_epoch",
         hint("El exponente es e_t − 1, no e_t: en la primera época α = α₀.",
              "The exponent is e_t − 1, not e_t: α = α₀ in the first epoch."),
         _at_epoch(lambda alpha0, gamma, e: alpha0 * gamma**e, _lecture_epoch)),
    ),
))

_inverse_sqrt_reference = _schedule_reference(schedules.InverseSqrtDecay)
register(GradedFunction(
    name="inverse_sqrt_decay", exercise_set="004_2",
    parameters=("alpha0", "t", "batch_size", "n_train"), outputs=("lr",),
    make_cases=_schedule_cases(lambda rng: (_alpha0(rng),)),
    reference=_inverse_sqrt_reference,
    summary={"es": "α = α₀/√e_t, e_t = 1 + ⌊tB/n_tr⌋", "en": "α = α₀/√e_t, e_t = 1 + ⌊tB/n_tr⌋"},
    detectors=_schedule_detectors(
        _inverse_sqrt_reference, _inverse_sqrt,
        ("inverse_sqrt_without_root",
         hint("Falta la raíz: α = α₀/√e_t.", "The square root is missing: α = α₀/√e_t."),
         _at_epoch(lambda alpha0, e: alpha0 / e, _lecture_epoch)),
    ),
))


def _piecewise_options(rng):
    """(boundaries, values): two or three increasing epochs, the first one 1, and decreasing rates. Every case set
    has epochs 1 and 2 (t = 0 and tB = n_tr): epoch 1 falls on a boundary (≤ against <), and epoch 2 is the first
    past it (an epoch counted from 0 reads the rate of epoch 1)."""
    count = int(rng.integers(2, 4))
    boundaries = tuple(int(b) for b in np.cumsum([1, *rng.integers(1, 4, count - 1)]))
    values = tuple(float(v) for v in np.round(_alpha0(rng) * np.cumprod([1.0, *rng.uniform(0.2, 0.6, count)]), 6))
    return boundaries, values


def _piecewise_reference(boundaries, values, t, batch_size, n_train):
    return (schedules.PiecewiseConstant(boundaries, values)(schedules.epoch_at_step(t, batch_size, n_train)),)


def _piecewise_exclusive(boundaries, values, t, batch_size, n_train):
    epoch = _lecture_epoch(t, batch_size, n_train)
    if epoch not in boundaries:
        raise NotThisCase("only an epoch on a boundary tells < from ≤")
    return (_piecewise(boundaries, values, epoch, exclusive=True),)


register(GradedFunction(
    name="piecewise_constant_decay", exercise_set="004_2",
    parameters=("boundaries", "values", "t", "batch_size", "n_train"), outputs=("lr",),
    make_cases=_schedule_cases(_piecewise_options),
    reference=_piecewise_reference,
    summary={"es": "α constante por intervalos de e_t: values[0] mientras e_t ≤ boundaries[0], …",
             "en": "α constant on intervals of e_t: values[0] while e_t ≤ boundaries[0], …"},
    detectors=_schedule_detectors(
        _piecewise_reference, lambda boundaries, values, e: _piecewise(boundaries, values, e),
        ("piecewise_boundary_exclusive",
         hint("Cada valor vale hasta su borde inclusive: values[i] mientras e_t ≤ boundaries[i].",
              "Each value holds up to its boundary, inclusive: values[i] while e_t ≤ boundaries[i]."),
         _piecewise_exclusive),
    ),
))
