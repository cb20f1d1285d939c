"""Lecture 004 §1, Activaciones y aproximación: the activation functions g(z) and their derivatives g'(z).

Each graded function takes the pre-activation z (an array of any shape) and returns the pair
(g(z), g'(z)), elementwise, both of z's shape:

- sigmoid σ(z) = 1 / (1 + e^(−z)), σ' = σ(1 − σ), in the overflow-safe form (no NaN or inf for any
  finite z, |z| ~ 1000 included);
- tanh, tanh' = 1 − tanh²;
- ReLU max{z, 0}, ReLU'(z) = 1{z > 0} (so ReLU'(0) = 0);
- leaky ReLU z for z > 0, αz otherwise, its derivative α at z = 0 (the lecture's default α = 0.01);
- ELU z for z > 0, α(e^z − 1) otherwise, its derivative α e^z = g(z) + α on the negative side (α = 1 by
  default).

The cases hold exact zeros (where ReLU'(0) is decided), values of magnitude 700 to 1000 (where the
textbook formulas of σ and tanh overflow to inf/inf = NaN), and for the functions with α both the
lecture's value and a random one. The ELU's derivative at z = 0 is 1 from the right and α from the
left, so exact zeros are only drawn with α = 1.
"""

from __future__ import annotations

import numpy as np

import engine.functional as F

from ..registry import Case, GradedFunction, register
from .common import hint, hyperparameter, mistakes, normal, note

# -- the inputs -----------------------------------------------------------------------------------


def _shape(rng):
    return (int(rng.integers(2, 6)), int(rng.integers(2, 7)))


def _with_zeros(rng):
    """Normal values with about a third of them exactly 0."""
    z = normal(rng, *_shape(rng), scale=2.0)
    z[rng.random(z.shape) < 0.35] = 0.0
    z.flat[0] = 0.0
    return z


def _huge(rng):
    """Values of magnitude 700 to 1000 of both signs, and a few ordinary ones: e^|z| overflows to inf."""
    shape = _shape(rng)
    z = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(700, 1000, size=shape)
    z.flat[0], z.flat[1] = -1000.0, 1000.0
    z.flat[-1] = float(normal(rng))
    return z


def _inputs(rng):
    """(kind, z, note) of every case: the same kinds of input for each activation."""
    n = int(rng.integers(5, 13))
    return [
        ("typical", normal(rng, *_shape(rng), scale=2.0), None),
        ("typical", np.sort(rng.uniform(-5, 5, n)), note("un vector de valores en [−5, 5]", "a vector in [−5, 5]")),
        ("edge", _with_zeros(rng), note("z = 0 exactamente en varias posiciones", "z = 0 exactly at several places")),
        ("edge", _huge(rng), note("|z| entre 700 y 1000: e^|z| desborda a inf; la respuesta no debe tener NaN ni inf",
                                  "|z| between 700 and 1000: e^|z| overflows to inf; the answer must hold no NaN "
                                  "or inf")),
        ("edge", normal(rng, *_shape(rng), scale=1e-6),
         note("valores muy pequeños (del orden de 1e−6)", "very small values (of the order of 1e−6)")),
        ("random", normal(rng, *_shape(rng), 2, scale=float(rng.uniform(0.5, 20))), None),
    ]


def _cases(rng):
    return [Case(kind, (z,), text) for kind, z, text in _inputs(rng)]


def _with_alpha(lecture_alpha, low, high):
    """Cases (z, alpha): the lecture's α, but a random one in the random case and in one more typical case."""
    def make_cases(rng):
        cases = [Case(kind, (z, lecture_alpha), text) for kind, z, text in _inputs(rng)]
        cases[-1] = Case("random", (cases[-1].args[0], hyperparameter(rng, low, high)))
        cases.append(Case("typical", (normal(rng, *_shape(rng), scale=3.0), hyperparameter(rng, low, high)),
                          note("un α distinto del de la clase", "an α other than the lecture's")))
        return cases
    return make_cases


def _ones(z):
    return np.ones_like(z)


def _quiet(function):
    """``function`` with numpy's overflow and invalid-value warnings silenced (the mistakes overflow)."""
    def wrapped(*args):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return function(*args)
    return wrapped


_NO_OVERFLOW = ("Con |z| grande tu fórmula divide inf entre inf y da NaN. Usa la forma que no desborda: "
                "e^(−|z|) nunca pasa de 1 (para z < 0, σ(z) = e^z / (1 + e^z); para z ≥ 0, 1 / (1 + e^(−z))).",
                "For a large |z| your formula divides inf by inf and gives NaN. Use the form that cannot overflow: "
                "e^(−|z|) never exceeds 1 (for z < 0, σ(z) = e^z / (1 + e^z); for z ≥ 0, 1 / (1 + e^(−z))).")


# -- sigmoid --------------------------------------------------------------------------------------


def _sigmoid_reference(z):
    y = F.sigmoid_forward(z)
    return y, F.sigmoid_backward(_ones(z), y)


@_quiet
def _sigmoid_from_exp_z(z):
    y = np.exp(z) / (1 + np.exp(z))
    return y, y * (1 - y)


@_quiet
def _sigmoid_derivative_from_exp(z):
    return 1 / (1 + np.exp(-z)), np.exp(-z) / (1 + np.exp(-z)) ** 2


register(GradedFunction(
    name="sigmoid_and_derivative", exercise_set="004_1", parameters=("z",), outputs=("y", "dy_dz"),
    make_cases=_cases, reference=_sigmoid_reference,
    summary={"es": "sigmoide y su derivada: σ(z) = 1/(1 + e^(−z)), σ'(z) = σ(z)(1 − σ(z)), sin desbordes",
             "en": "the sigmoid and its derivative: σ(z) = 1/(1 + e^(−z)), σ'(z) = σ(z)(1 − σ(z)), no overflow"},
    detectors=mistakes(
        _sigmoid_reference,
        ("sigmoid_overflow", hint(*_NO_OVERFLOW), _sigmoid_from_exp_z),
        ("sigmoid_derivative_overflow",
         hint("σ está bien, pero la derivada e^(−z)/(1 + e^(−z))² da inf/inf = NaN cuando z es muy negativo. "
              "Escríbela con la salida: σ'(z) = σ(z)(1 − σ(z)).",
              "σ is right, but the derivative e^(−z)/(1 + e^(−z))² gives inf/inf = NaN for a very negative z. "
              "Write it with the output: σ'(z) = σ(z)(1 − σ(z))."),
         _sigmoid_derivative_from_exp),
        ("sigmoid_derivative_as_tanh",
         hint("Esa es la derivada de tanh (1 − y²). La de la sigmoide es σ'(z) = σ(z)(1 − σ(z)).",
              "That is tanh's derivative (1 − y²). The sigmoid's is σ'(z) = σ(z)(1 − σ(z))."),
         lambda z: (None, 1 - F.sigmoid_forward(z) ** 2)),
    ),
))


# -- tanh -----------------------------------------------------------------------------------------


def _tanh_reference(z):
    y = F.tanh_forward(z)
    return y, F.tanh_backward(_ones(z), y)


@_quiet
def _tanh_from_definition(z):
    y = (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    return y, 1 - y**2


register(GradedFunction(
    name="tanh_and_derivative", exercise_set="004_1", parameters=("z",), outputs=("y", "dy_dz"),
    make_cases=_cases, reference=_tanh_reference,
    summary={"es": "tangente hiperbólica y su derivada: tanh'(z) = 1 − tanh²(z)",
             "en": "the hyperbolic tangent and its derivative: tanh'(z) = 1 − tanh²(z)"},
    detectors=mistakes(
        _tanh_reference,
        ("tanh_derivative_not_squared",
         hint("La derivada es 1 − tanh²(z) = 1 − y²: falta elevar y al cuadrado.",
              "The derivative is 1 − tanh²(z) = 1 − y²: y must be squared."),
         lambda z: (None, 1 - np.tanh(z))),
        ("tanh_overflow",
         hint("La fórmula (e^z − e^(−z))/(e^z + e^(−z)) tal cual da inf/inf = NaN con |z| > 710. Divide arriba y "
              "abajo por e^|z| (sólo queda e^(−2|z|), que no desborda), o usa np.tanh.",
              "The formula (e^z − e^(−z))/(e^z + e^(−z)) as written gives inf/inf = NaN for |z| > 710. Divide "
              "numerator and denominator by e^|z| (only e^(−2|z|) is left, which cannot overflow), or use np.tanh."),
         _tanh_from_definition),
    ),
))


# -- ReLU -----------------------------------------------------------------------------------------


def _relu_reference(z):
    return F.relu_forward(z), F.relu_backward(_ones(z), z)


register(GradedFunction(
    name="relu_and_derivative", exercise_set="004_1", parameters=("z",), outputs=("y", "dy_dz"),
    make_cases=_cases, reference=_relu_reference,
    summary={"es": "ReLU y su derivada: max{z, 0}, 1{z > 0} (derivada 0 en z = 0)",
             "en": "ReLU and its derivative: max{z, 0}, 1{z > 0} (derivative 0 at z = 0)"},
    detectors=mistakes(
        _relu_reference,
        ("relu_derivative_one_at_zero",
         hint("En z = 0 la convención es ReLU'(0) = 0, como en la clase: σ'(z) = 1{z > 0}, con > estricto.",
              "At z = 0 the convention is ReLU'(0) = 0, as in the lecture: σ'(z) = 1{z > 0}, a strict >."),
         lambda z: (None, (z >= 0).astype(np.float64))),
    ),
))


# -- leaky ReLU -----------------------------------------------------------------------------------


def _leaky_reference(z, alpha):
    return F.leaky_relu_forward(z, alpha), F.leaky_relu_backward(_ones(z), z, alpha)


def _leaky(z, alpha, at_zero, negative_slope):
    return np.where(z > 0, z, alpha * z), np.where(z > 0, 1.0, np.where(z == 0, at_zero, negative_slope))


register(GradedFunction(
    name="leaky_relu_and_derivative", exercise_set="004_1", parameters=("z", "alpha"), outputs=("y", "dy_dz"),
    make_cases=_with_alpha(0.01, 0.02, 0.4), reference=_leaky_reference,
    summary={"es": "leaky ReLU y su derivada: z si z > 0, αz si no; derivada 1 o α (α en z = 0)",
             "en": "leaky ReLU and its derivative: z for z > 0, αz otherwise; derivative 1 or α (α at z = 0)"},
    detectors=mistakes(
        _leaky_reference,
        ("leaky_relu_derivative_one_at_zero",
         hint("En z = 0 la derivada es la del lado negativo, α (como ReLU'(0) = 0): usa z > 0 estricto.",
              "At z = 0 the derivative is the negative side's, α (as ReLU'(0) = 0): use a strict z > 0."),
         lambda z, alpha: _leaky(z, alpha, 1.0, alpha)),
        ("leaky_relu_derivative_zero_for_negative",
         hint("Del lado negativo la pendiente es α, no 0: esa es justamente la diferencia con ReLU (la neurona no "
              "muere).",
              "On the negative side the slope is α, not 0: that is the whole difference with ReLU (the unit does "
              "not die)."),
         lambda z, alpha: _leaky(z, alpha, 0.0, 0.0)),
        ("leaky_relu_alpha_ignored",
         hint("Usa el α que recibe la función: 0.01 es sólo el valor por defecto.",
              "Use the α the function receives: 0.01 is only the default value."),
         lambda z, alpha: _leaky(z, 0.01, 0.01, 0.01)),
    ),
))


# -- ELU ------------------------------------------------------------------------------------------


def _elu_reference(z, alpha):
    return F.elu_forward(z, alpha), F.elu_backward(_ones(z), z, alpha)


@_quiet
def _elu_derivative(z, alpha, negative_side):
    y = np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))
    return y, np.where(z > 0, 1.0, negative_side(z, y, alpha))


register(GradedFunction(
    name="elu_and_derivative", exercise_set="004_1", parameters=("z", "alpha"), outputs=("y", "dy_dz"),
    make_cases=_with_alpha(1.0, 0.2, 3.0), reference=_elu_reference,
    summary={"es": "α-ELU y su derivada: z si z > 0, α(e^z − 1) si no; derivada 1 o αe^z = y + α",
             "en": "α-ELU and its derivative: z for z > 0, α(e^z − 1) otherwise; derivative 1 or αe^z = y + α"},
    detectors=mistakes(
        _elu_reference,
        ("elu_derivative_missing_alpha",
         hint("Del lado negativo la derivada de α(e^z − 1) es αe^z = y + α, no y: falta sumar α.",
              "On the negative side the derivative of α(e^z − 1) is αe^z = y + α, not y: α is missing."),
         lambda z, alpha: _elu_derivative(z, alpha, lambda z, y, a: y)),
        ("elu_derivative_without_alpha_factor",
         hint("Del lado negativo la derivada es αe^z: el factor α también se deriva.",
              "On the negative side the derivative is αe^z: the factor α stays in the derivative."),
         lambda z, alpha: _elu_derivative(z, alpha, lambda z, y, a: np.exp(np.minimum(z, 0)))),
        ("elu_alpha_ignored",
         hint("Usa el α que recibe la función: α = 1 es sólo el valor por defecto.",
              "Use the α the function receives: α = 1 is only the default value."),
         lambda z, alpha: _elu_derivative(z, 1.0, lambda z, y, a: y + 1.0)),
    ),
))
