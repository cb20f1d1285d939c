"""Lecture 004 §2, Optimización: momentum, RMSProp and Adam steps with bias correction.

The engine updates in place; students write pure functions that return the new
parameters and state. Every case runs several consecutive steps t = 1, 2, 3, …
(or continues from a later t), each judged on its own, so that the bias
correction 1 − β^t matters: the next step gets the reference's parameters and
state and a new gradient.
"""

from __future__ import annotations

import numpy as np

import engine.functional as F

from ..registry import Case, GradedFunction, register
from .common import hint, hyperparameter, mistakes, normal, note
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
