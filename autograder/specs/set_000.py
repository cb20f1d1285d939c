"""Lecture 000, Profundidad: why depth pays.

- Universal approximation (Hornik et al. 1991): a one-hidden-layer ReLU net, and the weights that make it the
  piecewise-linear interpolant of a 1-D function (the constructive proof on a line).
- Depth against parameters (Telgarsky 2016): the tent map from two ReLUs, its k-fold composition (2^k linear
  pieces) and the count of the linear pieces of a sampled function.
- Residual networks (He et al. 2016): the block m(x) + x, forward and backward.

The cases are drawn so that every mistake named here shows: points outside [0, 1] (where a piecewise tent
differs from the two-ReLU one), non-uniform knots (where a slope is not a difference of values), kinks whose
slopes keep their sign (where counting sign changes misses pieces), a line sampled on a non-dyadic grid (where
slopes compared exactly differ by rounding), pre-activations exactly 0 (ReLU′(0) = 0).
"""

from __future__ import annotations

import numpy as np

import engine.functional as F
from engine import synthetic

from ..registry import Case, GradedFunction, GradientCheck, register
from .common import NotThisCase, hint, mistakes, normal, note


def _relu(z):
    return np.maximum(z, 0.0)


# -- universal approximation: one hidden layer ---------------------------------------------------------


def _one_hidden_layer_weights(rng, d, h, n_out=1):
    return normal(rng, d, h), normal(rng, h), normal(rng, h, n_out), normal(rng, n_out)


def _one_hidden_layer_cases(rng):
    n, h = int(rng.integers(4, 10)), int(rng.integers(3, 9))
    m = int(rng.integers(1, 15))
    grid = np.linspace(0.0, 1.0, n)[:, None]
    return [
        Case("typical", (grid, *_one_hidden_layer_weights(rng, 1, h))),
        Case("typical", (rng.uniform(-2, 2, (n, 1)), *_one_hidden_layer_weights(rng, 1, h))),
        Case("edge", (grid, *_one_hidden_layer_weights(rng, 1, 1)),
             note("una sola neurona oculta", "a single hidden unit")),
        Case("edge", (rng.uniform(0, 1, (1, 1)), *_one_hidden_layer_weights(rng, 1, h)),
             note("un solo punto", "a single point")),
        Case("edge", (normal(rng, n, 3), *_one_hidden_layer_weights(rng, 3, h)),
             note("tres entradas por ejemplo: la misma fórmula", "three inputs per sample: the same formula")),
        Case("random", (normal(rng, m, 1), *_one_hidden_layer_weights(rng, 1, int(rng.integers(1, 30))))),
    ]


def _one_hidden_layer_reference(x, W1, b1, w2, b2):
    return (F.dense_forward(F.relu_forward(F.dense_forward(x, W1, b1)), w2, b2),)


register(GradedFunction(
    name="one_hidden_layer", exercise_set="000", parameters=("x", "W1", "b1", "w2", "b2"), outputs=("y",),
    make_cases=_one_hidden_layer_cases, reference=_one_hidden_layer_reference,
    summary={"es": "red de una capa oculta: y = ReLU(x W1 + b1) w2 + b2",
             "en": "one-hidden-layer net: y = ReLU(x W1 + b1) w2 + b2"},
    detectors=mistakes(
        _one_hidden_layer_reference,
        ("no_relu",
         hint("Falta la ReLU de la capa oculta: sin ella la red es una función lineal, x W1 w2 + …, y no puede "
              "aproximar nada que no sea una recta.",
              "The hidden layer's ReLU is missing: without it the net is linear, x W1 w2 + …, and can only "
              "approximate lines."),
         lambda x, W1, b1, w2, b2: ((x @ W1 + b1) @ w2 + b2,)),
        ("relu_on_output",
         hint("La ReLU va sólo en la capa oculta: la salida y = h w2 + b2 es lineal y puede ser negativa.",
              "The ReLU is in the hidden layer only: the output y = h w2 + b2 is linear and may be negative."),
         lambda x, W1, b1, w2, b2: (_relu(_relu(x @ W1 + b1) @ w2 + b2),)),
        ("missing_hidden_bias",
         hint("Falta el sesgo b1 dentro de la ReLU: es el que pone el quiebre de cada neurona, ReLU(x W1 + b1), "
              "en x = −b1 / W1.",
              "The bias b1 inside the ReLU is missing: it places each unit's kink, ReLU(x W1 + b1), at "
              "x = −b1 / W1."),
         lambda x, W1, b1, w2, b2: (_relu(x @ W1) @ w2 + b2,)),
    ),
))


# -- the interpolant as a one-hidden-layer ReLU net ---------------------------------------------------


def _interpolant_reference(knots, values):
    slopes = np.diff(values) / np.diff(knots)
    changes = np.diff(slopes, prepend=0.0)
    return np.ones((1, knots.size - 1)), -knots[:-1], changes[:, None], values[:1].copy()


def _knots(rng, k, low=0.0, high=1.0):
    """k + 1 increasing knots from low to high, at least (high − low) / (4k) apart."""
    gaps = rng.uniform(1.0, 3.0, k)
    return low + (high - low) * np.concatenate(([0.0], np.cumsum(gaps) / gaps.sum()))


def _interpolant_cases(rng):
    k = int(rng.integers(4, 9))
    uniform = np.linspace(0.0, 1.0, k + 1)
    random_knots = _knots(rng, int(rng.integers(1, 20)), *np.sort(rng.uniform(-5, 5, 2)))
    return [
        Case("typical", (uniform, np.sin(2 * np.pi * uniform)),
             note("nudos equiespaciados en [0, 1], valores de sin(2πx)", "evenly spaced knots on [0, 1], sin(2πx)")),
        Case("typical", (_knots(rng, k), normal(rng, k + 1)),
             note("nudos a distancias distintas", "unevenly spaced knots")),
        Case("edge", (np.sort(rng.uniform(-2, 2, 2)) + np.array([0.0, 0.5]), normal(rng, 2)),
             note("dos nudos: un solo tramo, una neurona", "two knots: one piece, one unit")),
        Case("edge", (_knots(rng, k, -3.0, 5.0), np.full(k + 1, float(rng.normal()))),
             note("función constante: todas las pendientes valen 0", "a constant function: every slope is 0")),
        Case("edge", (_knots(rng, k, 1.0, 2.5), np.cumsum(rng.uniform(0.1, 1.0, k + 1))),
             note("función creciente en [1, 2.5]: las pendientes no cambian de signo",
                  "an increasing function on [1, 2.5]: the slopes keep their sign")),
        Case("random", (random_knots, normal(rng, random_knots.size))),
    ]


def _interpolant_slopes_not_differenced(knots, values):
    slopes = np.diff(values) / np.diff(knots)
    return None, None, slopes[:, None], None


def _interpolant_slope_without_run(knots, values):
    changes = np.diff(np.diff(values), prepend=0.0)
    return None, None, changes[:, None], None


def _interpolant_bias_sign(knots, values):
    return None, knots[:-1].copy(), None, None


register(GradedFunction(
    name="interpolant_weights", exercise_set="000", parameters=("knots", "values"),
    outputs=("W1", "b1", "w2", "b2"),
    make_cases=_interpolant_cases, reference=_interpolant_reference,
    summary={"es": "pesos de la red de una capa que interpola (x_i, v_i): W1 = 1, b1 = −x_i, w2 = s_i − s_{i−1}, "
                   "b2 = v_0",
             "en": "weights of the one-hidden-layer net interpolating (x_i, v_i): W1 = 1, b1 = −x_i, "
                   "w2 = s_i − s_{i−1}, b2 = v_0"},
    detectors=mistakes(
        _interpolant_reference,
        ("slopes_not_differenced",
         hint("Cada neurona ReLU(x − x_i) suma su pendiente a la de las anteriores: su peso de salida es el "
              "cambio de pendiente s_i − s_{i−1} (con s_{−1} = 0), no la pendiente s_i del tramo.",
              "Each unit ReLU(x − x_i) adds its slope to the previous ones': its output weight is the change of "
              "slope s_i − s_{i−1} (with s_{−1} = 0), not the piece's slope s_i."),
         _interpolant_slopes_not_differenced),
        ("slope_without_run",
         hint("La pendiente de un tramo es (v_{i+1} − v_i) / (x_{i+1} − x_i): falta dividir por el ancho del "
              "tramo (con nudos a distancia 1 no se nota).",
              "A piece's slope is (v_{i+1} − v_i) / (x_{i+1} − x_i): divide by the piece's width (with knots 1 "
              "apart it makes no difference)."),
         _interpolant_slope_without_run),
        ("bias_sign",
         hint("La neurona i se enciende en x = x_i: ReLU(x − x_i), así que b1 = −x_i (no +x_i).",
              "Unit i switches on at x = x_i: ReLU(x − x_i), so b1 = −x_i (not +x_i)."),
         _interpolant_bias_sign),
    ),
))


# -- Telgarsky: the tent map, its compositions and their linear pieces ---------------------------------


def _tent_cases(rng):
    n = int(rng.integers(6, 15))
    m = int(rng.integers(1, 40))
    return [
        Case("typical", (np.linspace(0.0, 1.0, 2 * n + 1),), note("una grilla de [0, 1]", "a grid of [0, 1]")),
        Case("typical", (rng.uniform(0, 1, n),)),
        Case("edge", (np.array([0.0, 0.25, 0.5, 0.75, 1.0]),),
             note("los quiebres 0, 1/2 y 1", "the kinks 0, 1/2 and 1")),
        Case("edge", (rng.uniform(-1.5, 2.5, 2 * n),),
             note("puntos fuera de [0, 1]: vale la fórmula con dos ReLU", "points outside [0, 1]: the two-ReLU "
                  "formula holds")),
        Case("edge", (rng.uniform(0, 1, (3, n)),), note("un array de dos ejes", "a two-axis array")),
        Case("random", (rng.uniform(-1, 2, m),)),
    ]


def _tent_reference(x):
    return (synthetic.tent(x),)


register(GradedFunction(
    name="tent", exercise_set="000", parameters=("x",), outputs=("y",),
    make_cases=_tent_cases, reference=_tent_reference,
    summary={"es": "la tienda con dos ReLU: t(x) = 2 ReLU(x) − 4 ReLU(x − 1/2)",
             "en": "the tent map from two ReLUs: t(x) = 2 ReLU(x) − 4 ReLU(x − 1/2)"},
    detectors=mistakes(
        _tent_reference,
        ("piecewise_not_relu",
         hint("Escribiste la tienda por tramos (2x si x ≤ 1/2, 2 − 2x si no): en [0, 1] coincide, pero la capa de "
              "dos neuronas es 2 ReLU(x) − 4 ReLU(x − 1/2), que vale 0 para x < 0.",
              "You wrote the tent piecewise (2x for x ≤ 1/2, 2 − 2x otherwise): it agrees on [0, 1], but the "
              "layer of two units is 2 ReLU(x) − 4 ReLU(x − 1/2), which is 0 for x < 0."),
         lambda x: (np.where(x <= 0.5, 2 * x, 2 - 2 * x),)),
        ("second_relu_cancels_only",
         hint("La segunda ReLU tiene que anular la pendiente +2 de la primera y además bajar con pendiente −2: "
              "su coeficiente es −4, no −2 (con −2 la función se queda plana en 1).",
              "The second ReLU must cancel the first one's slope +2 and also descend with slope −2: its "
              "coefficient is −4, not −2 (with −2 the function stays flat at 1)."),
         lambda x: (2 * _relu(x) - 2 * _relu(x - 0.5),)),
        ("height_one_half",
         hint("La tienda sube hasta 1 en x = 1/2: t(x) = 2 ReLU(x) − 4 ReLU(x − 1/2); sin el factor 2 llega "
              "sólo a 1/2 y no manda [0, 1] sobre [0, 1].",
              "The tent reaches 1 at x = 1/2: t(x) = 2 ReLU(x) − 4 ReLU(x − 1/2); without the factor 2 it "
              "peaks at 1/2 and does not map [0, 1] onto [0, 1]."),
         lambda x: (_relu(x) - 2 * _relu(x - 0.5),)),
    ),
))


def _sawtooth_cases(rng):
    n = int(rng.integers(20, 60))
    return [
        Case("typical", (np.linspace(0.0, 1.0, 65), 2), note("k = 2 en una grilla", "k = 2 on a grid")),
        Case("typical", (rng.uniform(0, 1, n), 3), note("k = 3", "k = 3")),
        Case("edge", (rng.uniform(0, 1, n), 1), note("k = 1: la tienda misma", "k = 1: the tent itself")),
        Case("edge", (rng.uniform(0, 1, n), 0), note("k = 0: ninguna composición, la identidad",
                                                      "k = 0: no composition, the identity")),
        Case("edge", (np.linspace(0.0, 1.0, 257), 6), note("k = 6: 64 tramos", "k = 6: 64 pieces")),
        Case("random", (rng.uniform(0, 1, (2, n)), int(rng.integers(2, 8)))),
    ]


def _sawtooth_reference(x, k):
    return (synthetic.sawtooth(x, k),)


def _one_composition_short(x, k):
    if k < 1:
        raise NotThisCase("k = 0: there is no composition to leave out")
    return (synthetic.sawtooth(x, k - 1),)


def _tent_power(x, k):
    if k < 2:
        raise NotThisCase("k < 2: the power is the composition")
    return (synthetic.tent(x) ** k,)


register(GradedFunction(
    name="sawtooth", exercise_set="000", parameters=("x", "k"), outputs=("y",),
    make_cases=_sawtooth_cases, reference=_sawtooth_reference,
    summary={"es": "la tienda compuesta k veces: t(t(…t(x)…)), 2^k tramos lineales",
             "en": "the tent map composed k times: t(t(…t(x)…)), 2^k linear pieces"},
    detectors=mistakes(
        _sawtooth_reference,
        ("one_composition_short",
         hint("Aplicaste la tienda k − 1 veces: k composiciones son k aplicaciones de t (y k = 0 es la "
              "identidad).",
              "You applied the tent k − 1 times: k compositions are k applications of t (and k = 0 is the "
              "identity)."),
         _one_composition_short),
        ("one_composition_extra",
         hint("Aplicaste la tienda k + 1 veces: con k = 0 el resultado es x mismo, con k = 1 la tienda.",
              "You applied the tent k + 1 times: for k = 0 the result is x itself, for k = 1 the tent."),
         lambda x, k: (synthetic.sawtooth(x, k + 1),)),
        ("power_not_composition",
         hint("Componer no es elevar a una potencia: t∘t(x) = t(t(x)), la salida de una tienda es la entrada de "
              "la siguiente; t(x)^k es otra cosa.",
              "Composing is not raising to a power: t∘t(x) = t(t(x)), one tent's output is the next one's "
              "input; t(x)^k is something else."),
         _tent_power),
    ),
))


def _piecewise_linear(rng, n_intervals, pieces, same_sign):
    """A continuous piecewise-linear function sampled on a uniform grid of [0, 1] with n_intervals intervals,
    its kinks on grid points, every piece at least 3 intervals long; slopes of one sign when same_sign."""
    x = np.linspace(0.0, 1.0, n_intervals + 1)
    inner = rng.choice(np.arange(1, n_intervals // 3), size=pieces - 1, replace=False) * 3
    kinks = np.concatenate(([0], np.sort(inner), [n_intervals]))
    slopes = rng.uniform(0.5, 3.0, pieces)
    slopes = np.cumsum(slopes) if same_sign else slopes * rng.choice([-1.0, 1.0], pieces)
    slopes[1:] = np.where(np.abs(np.diff(slopes)) < 0.3, slopes[1:] + 0.5, slopes[1:])
    y = np.zeros_like(x)
    for i in range(pieces):
        start, stop = kinks[i], kinks[i + 1]
        y[start:stop + 1] = y[start] + slopes[i] * (x[start:stop + 1] - x[start])
    return x, y + float(rng.normal())


def _count_pieces_cases(rng):
    k = int(rng.integers(2, 6))
    dyadic = np.linspace(0.0, 1.0, 2 ** (k + 2) + 1)
    line = np.linspace(0.0, 1.0, 1001)
    slope, intercept = float(rng.uniform(0.1, 3.0)), float(rng.normal())
    return [
        Case("typical", (dyadic, synthetic.sawtooth(dyadic, k)),
             note(f"la tienda compuesta {k} veces", f"the tent composed {k} times")),
        Case("typical", _piecewise_linear(rng, 300, int(rng.integers(3, 9)), same_sign=False),
             note("quiebres en puntos de la grilla", "kinks on grid points")),
        Case("edge", _piecewise_linear(rng, 300, int(rng.integers(3, 9)), same_sign=True),
             note("pendientes crecientes, todas positivas: ningún cambio de signo",
                  "increasing slopes, all positive: no sign change")),
        Case("edge", (line, slope * line + intercept),
             note("una recta en una grilla de paso 0.001: las pendientes calculadas difieren por redondeo",
                  "a line on a grid of step 0.001: the computed slopes differ by rounding")),
        Case("edge", (np.array([0.0, 1.0]), normal(rng, 2)), note("dos muestras", "two samples")),
        Case("random", (np.linspace(0.0, 1.0, 2 ** 9 + 1), synthetic.sawtooth(np.linspace(0.0, 1.0, 2 ** 9 + 1),
                                                                          int(rng.integers(1, 8))))),
    ]


def _count_pieces_reference(x, y):
    return (np.int64(synthetic.count_linear_pieces(x, y)),)


def _slopes(x, y):
    return np.diff(y) / np.diff(x)


def _count_sign_changes(x, y):
    signs = np.sign(_slopes(x, y))
    return (np.int64(1 + np.count_nonzero(signs[1:] != signs[:-1])),)


def _count_exact(x, y):
    s = _slopes(x, y)
    return (np.int64(1 + np.count_nonzero(s[1:] != s[:-1])),)


register(GradedFunction(
    name="count_pieces", exercise_set="000", parameters=("x", "y"), outputs=("pieces",),
    make_cases=_count_pieces_cases, reference=_count_pieces_reference,
    summary={"es": "número de tramos lineales: 1 + cambios de pendiente mayores que 1e-6·max(1, max|s|)",
             "en": "number of linear pieces: 1 + slope changes larger than 1e-6·max(1, max|s|)"},
    detectors=mistakes(
        _count_pieces_reference,
        ("counts_kinks",
         hint("Contaste los quiebres: k quiebres separan k + 1 tramos.",
              "You counted the kinks: k kinks separate k + 1 pieces."),
         lambda x, y: (_count_pieces_reference(x, y)[0] - 1,)),
        ("sign_changes_only",
         hint("Un tramo nuevo empieza donde cambia la pendiente, aunque no cambie de signo: 1 y 3 son dos "
              "tramos aunque los dos suban.",
              "A new piece starts where the slope changes, even if its sign does not: slopes 1 and 3 are two "
              "pieces although both go up."),
         _count_sign_changes),
        ("exact_slope_comparison",
         hint("Las pendientes calculadas en float64 difieren por redondeo aunque la función sea una recta: "
              "compáralas con la tolerancia del enunciado, |s_{i+1} − s_i| > 1e-6·max(1, max|s|), no con !=.",
              "Slopes computed in float64 differ by rounding even on a line: compare them with the statement's "
              "tolerance, |s_{i+1} − s_i| > 1e-6·max(1, max|s|), not with !=."),
         _count_exact),
    ),
))


# -- residual block (He et al. 2016): m(x) + x ------------------------------------------------------------


def _residual_weights(rng, d, h, scale=1.0):
    return (normal(rng, d, h, scale=scale / np.sqrt(d)), normal(rng, h, scale=0.5),
            normal(rng, h, d, scale=scale / np.sqrt(h)), normal(rng, d, scale=0.5))


def _residual_inputs(rng):
    """(x, W1, b1, W2, b2): typical, edge (one sample, hidden width 1, pre-activations exactly 0) and random."""
    n, d, h = int(rng.integers(3, 8)), int(rng.integers(2, 6)), int(rng.integers(2, 7))
    if h == d:
        h += 1
    W1, _, W2, b2 = _residual_weights(rng, d, h)
    x_zero_rows = normal(rng, n, d)
    x_zero_rows[::2] = 0.0
    m = int(rng.integers(1, 12))
    return [
        ("typical", (normal(rng, n, d), *_residual_weights(rng, d, h)), None),
        ("typical", (normal(rng, n, d), *_residual_weights(rng, d, d)),
         note("tantas neuronas ocultas como entradas", "as many hidden units as inputs")),
        ("edge", (normal(rng, 1, d), *_residual_weights(rng, d, h)), note("un solo ejemplo", "a single sample")),
        ("edge", (normal(rng, n, d), *_residual_weights(rng, d, 1)), note("una neurona oculta", "one hidden unit")),
        ("edge", (x_zero_rows, W1, np.zeros(h), W2, b2),
         note("filas de x nulas y b1 = 0: preactivaciones exactamente 0, ReLU′(0) = 0",
              "zero rows of x and b1 = 0: pre-activations exactly 0, ReLU′(0) = 0")),
        ("random", (normal(rng, m, 4), *_residual_weights(rng, 4, int(rng.integers(1, 9)))), None),
    ]


def _residual_cases(rng):
    return [Case(kind, args, text) for kind, args, text in _residual_inputs(rng)]


def _residual_reference(x, W1, b1, W2, b2):
    inner = F.dense_forward(F.relu_forward(F.dense_forward(x, W1, b1)), W2, b2)
    return (inner + x,)


register(GradedFunction(
    name="residual_forward", exercise_set="000", parameters=("x", "W1", "b1", "W2", "b2"), outputs=("y",),
    make_cases=_residual_cases, reference=_residual_reference,
    summary={"es": "bloque residual: y = m(x) + x, m(x) = ReLU(x W1 + b1) W2 + b2",
             "en": "residual block: y = m(x) + x, m(x) = ReLU(x W1 + b1) W2 + b2"},
    detectors=mistakes(
        _residual_reference,
        ("skip_missing",
         hint("Falta el atajo: el bloque residual devuelve m(x) + x, no sólo m(x).",
              "The shortcut is missing: the residual block returns m(x) + x, not only m(x)."),
         lambda x, W1, b1, W2, b2: (_relu(x @ W1 + b1) @ W2 + b2,)),
        ("relu_after_sum",
         hint("El bloque de la clase es m(x) + x, sin nada después de la suma: la ReLU va dentro de m, "
              "después de x W1 + b1 (ResNet agrega otra después de la suma; aquí no).",
              "The lecture's block is m(x) + x, with nothing after the sum: the ReLU is inside m, after "
              "x W1 + b1 (ResNet adds another after the sum; not here)."),
         lambda x, W1, b1, W2, b2: (_relu(_relu(x @ W1 + b1) @ W2 + b2 + x),)),
        ("no_inner_relu",
         hint("Falta la ReLU dentro de m: m(x) = ReLU(x W1 + b1) W2 + b2. Sin ella el bloque es lineal.",
              "The ReLU inside m is missing: m(x) = ReLU(x W1 + b1) W2 + b2. Without it the block is linear."),
         lambda x, W1, b1, W2, b2: ((x @ W1 + b1) @ W2 + b2 + x,)),
    ),
))


def _residual_backward_cases(rng):
    cases = []
    for kind, (x, W1, b1, W2, _), text in _residual_inputs(rng):
        cases.append(Case(kind, (normal(rng, *x.shape), x, W1, b1, W2), text))
    return cases


def _residual_backward_reference(dy, x, W1, b1, W2):
    z = F.dense_forward(x, W1, b1)
    h = F.relu_forward(z)
    dh, dW2, db2 = F.dense_backward(dy, h, W2)
    dz = F.relu_backward(dh, z)
    dx_inner, dW1, db1 = F.dense_backward(dz, x, W1)
    return dx_inner + dy, dW1, db1, dW2, db2


def _residual_backward_with_mask(mask):
    def wrong(dy, x, W1, b1, W2):
        z = x @ W1 + b1
        dz = (dy @ W2.T) * mask(z)
        return dz @ W1.T + dy, x.T @ dz, dz.sum(axis=0), None, None
    return wrong


register(GradedFunction(
    name="residual_backward", exercise_set="000", parameters=("dy", "x", "W1", "b1", "W2"),
    outputs=("dx", "dW1", "db1", "dW2", "db2"),
    make_cases=_residual_backward_cases, reference=_residual_backward_reference,
    summary={"es": "gradientes del bloque residual: dx = dy + (dy W2ᵀ ⊙ [z > 0]) W1ᵀ, z = x W1 + b1",
             "en": "residual block gradients: dx = dy + (dy W2ᵀ ⊙ [z > 0]) W1ᵀ, z = x W1 + b1"},
    detectors=mistakes(
        _residual_backward_reference,
        ("skip_gradient_missing",
         hint("Falta el gradiente del atajo: como y = m(x) + x, dx = (lo que vuelve por m) + dy. Ese dy que "
              "pasa intacto es lo que deja entrenar redes residuales profundas.",
              "The shortcut's gradient is missing: since y = m(x) + x, dx = (what comes back through m) + dy. "
              "That dy passing through untouched is what lets deep residual nets train."),
         lambda dy, x, W1, b1, W2: (_residual_backward_reference(dy, x, W1, b1, W2)[0] - dy, None, None, None,
                                    None)),
        ("relu_mask_missing",
         hint("El gradiente atraviesa la ReLU sólo donde estaba encendida: dz = dh ⊙ [z > 0], con "
              "z = x W1 + b1.",
              "The gradient goes through the ReLU only where it was on: dz = dh ⊙ [z > 0], with z = x W1 + b1."),
         _residual_backward_with_mask(lambda z: 1.0)),
        ("relu_derivative_at_zero",
         hint("ReLU′(0) = 0 (la convención del curso): la máscara es z > 0, no z ≥ 0.",
              "ReLU′(0) = 0 (the course's convention): the mask is z > 0, not z ≥ 0."),
         _residual_backward_with_mask(lambda z: (z >= 0).astype(float))),
    ),
    gradient_check=GradientCheck(forward="residual_forward",
                                 forward_args=lambda a: (a[1], a[2], a[3], a[4], np.zeros(a[4].shape[1])),
                                 upstream=0, inputs={0: 0, 1: 1, 2: 2, 3: 3, 4: 4}),
))
