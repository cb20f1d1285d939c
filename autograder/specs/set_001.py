"""Lecture 001, Ciclo de trabajo: a dense layer forward and backward (y = x W + b) and the two losses
whose average over the data is the empirical risk L(m, D) = (1/N) Σ L(m(x), y).

The cases are drawn so that every mistake named here shows: a square W (where dy W runs as well as
dy Wᵀ), batches of more than one sample (where a mean differs from a sum), logits near 1000 (where a
softmax without the row maximum subtracted overflows) and logits a thousand apart (where the
logarithm of a softmax that underflowed to 0 is −inf).
"""

from __future__ import annotations

import numpy as np

import engine.functional as F

from ..registry import Case, GradedFunction, GradientCheck, register
from .common import NotThisCase, hint, mistakes, normal, note

# -- dense layer --------------------------------------------------------------------------------


def _dense_inputs(rng):
    """(x, W, b) triples: typical, edge (one sample, one unit, square W, huge x) and random shapes."""
    n, d, k = int(rng.integers(3, 9)), int(rng.integers(2, 7)), int(rng.integers(2, 6))
    if d == k:
        k += 1                                  # the typical case is rectangular; the square one is its own case
    square = int(rng.integers(2, 6))
    m = int(rng.integers(1, 12))
    return [
        ("typical", (normal(rng, n, d), normal(rng, d, k), normal(rng, k)), None),
        ("edge", (normal(rng, 1, d), normal(rng, d, k), normal(rng, k)),
         note("lote de un solo ejemplo", "a batch of one")),
        ("edge", (normal(rng, n, 1), normal(rng, 1, 1), normal(rng, 1)),
         note("una entrada y una salida", "one input, one output")),
        ("edge", (normal(rng, n, square), normal(rng, square, square), normal(rng, square)),
         note("W cuadrada: tantas entradas como salidas", "square W: as many inputs as outputs")),
        ("edge", (normal(rng, n, d, scale=1e6), normal(rng, d, k), normal(rng, k)),
         note("valores muy grandes", "very large values")),
        ("random", (normal(rng, m, 5), normal(rng, 5, 3), normal(rng, 3)), None),
    ]


def _dense_cases(rng):
    return [Case(kind, args, text) for kind, args, text in _dense_inputs(rng)]


def _dense_reference(x, W, b):
    return (F.dense_forward(x, W, b),)


register(GradedFunction(
    name="dense_forward", exercise_set="001", parameters=("x", "W", "b"), outputs=("y",),
    make_cases=_dense_cases, reference=_dense_reference,
    summary={"es": "capa densa: y = x W + b", "en": "dense layer: y = x W + b"},
    detectors=mistakes(
        _dense_reference,
        ("missing_bias", hint("Parece que olvidaste sumar el sesgo b.", "It looks like the bias b is missing."),
         lambda x, W, b: (x @ W,)),
        ("transposed_weight",
         hint("Usaste Wᵀ: con W de forma (entradas, salidas) la capa es y = x W + b, sin trasponer.",
              "You used Wᵀ: with W of shape (inputs, outputs) the layer is y = x W + b, no transpose."),
         lambda x, W, b: (x @ W.T + b,)),
    ),
))


def _dense_backward_cases(rng):
    cases = []
    for kind, (x, W, _), text in _dense_inputs(rng):
        dy = normal(rng, x.shape[0], W.shape[1])
        cases.append(Case(kind, (dy, x, W), text))
    return cases


def _dense_backward_reference(dy, x, W):
    return tuple(F.dense_backward(dy, x, W))


register(GradedFunction(
    name="dense_backward", exercise_set="001", parameters=("dy", "x", "W"), outputs=("dx", "dW", "db"),
    make_cases=_dense_backward_cases, reference=_dense_backward_reference,
    summary={"es": "gradientes de la capa densa: dx = dy Wᵀ, dW = xᵀ dy, db = Σ dy",
             "en": "dense layer gradients: dx = dy Wᵀ, dW = xᵀ dy, db = Σ dy"},
    detectors=mistakes(
        _dense_backward_reference,
        ("transposed_weight",
         hint("dx sale de multiplicar por W sin trasponer: dx = dy · Wᵀ (dy tiene una columna por salida, "
              "Wᵀ una fila por salida). Con W cuadrada el error no da un error de forma, pero el valor está mal.",
              "dx multiplies by W without transposing it: dx = dy · Wᵀ. With a square W the shapes agree, "
              "but the values are wrong."),
         lambda dy, x, W: (dy @ W, None, None)),
        ("dW_transposed",
         hint("dW está traspuesto: dW = xᵀ · dy tiene la forma de W (entradas, salidas); dyᵀ · x es su "
              "traspuesta.",
              "dW is transposed: dW = xᵀ · dy has W's shape (inputs, outputs); dyᵀ · x is its transpose."),
         lambda dy, x, W: (None, dy.T @ x, None)),
        ("db_averaged",
         hint("db debe sumar dy sobre el lote (eje 0), no promediarlo: el 1/N ya está en la pérdida.",
              "db must sum dy over the batch (axis 0), not average it: the 1/N is already in the loss."),
         lambda dy, x, W: (None, None, dy.mean(axis=0))),
        ("gradients_averaged",
         hint("dW y db no se dividen por el tamaño del lote: dW = xᵀ · dy y db = Σ dy; si la pérdida "
              "promedia, el 1/N ya viene dentro de dy.",
              "dW and db are not divided by the batch size: dW = xᵀ · dy and db = Σ dy; if the loss "
              "averages, the 1/N already comes inside dy."),
         lambda dy, x, W: (None, x.T @ dy / x.shape[0], None)),
        ("db_summed_over_everything",
         hint("db suma sólo sobre el lote: db = dy.sum(axis=0), un valor por salida, no un único número.",
              "db sums over the batch only: db = dy.sum(axis=0), one value per output, not one number."),
         lambda dy, x, W: (None, None, np.sum(dy))),
    ),
    gradient_check=GradientCheck(forward="dense_forward",
                                 forward_args=lambda a: (a[1], a[2], np.zeros((a[2].shape[1],))),
                                 upstream=0, inputs={0: 0, 1: 1, 2: 2}),
))

# -- losses: the empirical risk (1/N) Σ L(m(x), y) ------------------------------------------------


def _mse_cases(rng):
    n, k = int(rng.integers(3, 9)), int(rng.integers(2, 6))
    same = normal(rng, n, k)
    m = int(rng.integers(1, 30))
    return [
        Case("typical", (normal(rng, n, k), normal(rng, n, k))),
        Case("typical", (normal(rng, n), normal(rng, n)), note("un vector de predicciones", "a vector of predictions")),
        Case("edge", (normal(rng, 1, 1), normal(rng, 1, 1)), note("un único elemento", "a single element")),
        Case("edge", (normal(rng, 1, k), normal(rng, 1, k)), note("lote de un solo ejemplo", "a batch of one")),
        Case("edge", (same, same.copy()), note("predicción exacta: pérdida cero", "a perfect prediction: zero loss")),
        Case("edge", (normal(rng, 2, 3, 4), normal(rng, 2, 3, 4)),
             note("tres ejes: se promedia sobre todos los elementos", "three axes: the mean is over every element")),
        Case("edge", (normal(rng, n, k, scale=1e4), normal(rng, n, k)),
             note("valores muy grandes", "very large values")),
        Case("random", (normal(rng, m, 3), normal(rng, m, 3))),
    ]


def _mean_over_rows(p, t):
    if p.ndim < 2 or p.shape[0] == 1:
        raise NotThisCase("one row: the mean over rows is the sum, or the mean itself")
    return np.sum((p - t) ** 2) / p.shape[0], None


def _mse_reference(prediction, target):
    return tuple(F.mse_loss(prediction, target))


register(GradedFunction(
    name="mse_loss", exercise_set="001", parameters=("prediction", "target"), outputs=("loss", "grad"),
    make_cases=_mse_cases, reference=_mse_reference,
    summary={"es": "error cuadrático medio: L = (1/M) Σ (p − t)², grad = 2 (p − t) / M",
             "en": "mean squared error: L = (1/M) Σ (p − t)², grad = 2 (p − t) / M"},
    detectors=mistakes(
        _mse_reference,
        ("loss_not_averaged",
         hint("La pérdida es un promedio, (1/M) Σ (p − t)², no una suma: falta dividir por el número de "
              "elementos M.",
              "The loss is a mean, (1/M) Σ (p − t)², not a sum: divide by the number of elements M."),
         lambda p, t: (np.sum((p - t) ** 2), None)),
        ("grad_not_averaged",
         hint("Si la pérdida promedia, su gradiente también lleva el 1/M: grad = 2 (p − t) / M.",
              "If the loss averages, its gradient carries the 1/M too: grad = 2 (p − t) / M."),
         lambda p, t: (None, 2.0 * (p - t))),
        ("mean_over_rows_only",
         hint("El promedio es sobre todos los elementos (p.size), no sólo sobre las filas del lote.",
              "The mean is over every element (p.size), not only over the batch's rows."),
         _mean_over_rows),
        ("grad_without_factor_2",
         hint("La derivada de (p − t)² es 2 (p − t): falta el factor 2 en el gradiente.",
              "The derivative of (p − t)² is 2 (p − t): the gradient is missing the factor 2."),
         lambda p, t: (None, (p - t) / p.size)),
        ("grad_sign_flipped",
         hint("El gradiente es respecto de la predicción: 2 (p − t) / M, no 2 (t − p) / M.",
              "The gradient is with respect to the prediction: 2 (p − t) / M, not 2 (t − p) / M."),
         lambda p, t: (None, 2.0 * (t - p) / p.size)),
    ),
))


def _labels(rng, n, k):
    return rng.integers(0, k, size=n).astype(np.int64)


def _softmax_cases(rng):
    n, k = int(rng.integers(3, 9)), int(rng.integers(3, 7))
    m, classes = int(rng.integers(1, 20)), int(rng.integers(2, 11))
    return [
        Case("typical", (normal(rng, n, k), _labels(rng, n, k))),
        Case("typical", (normal(rng, n, k, scale=3.0), _labels(rng, n, k))),
        Case("edge", (normal(rng, 1, k), _labels(rng, 1, k)), note("lote de un solo ejemplo", "a batch of one")),
        Case("edge", (normal(rng, n, 2), _labels(rng, n, 2)), note("dos clases", "two classes")),
        Case("edge", (np.zeros((n, k)), _labels(rng, n, k)),
             note("logits iguales: softmax uniforme", "equal logits: a uniform softmax")),
        Case("edge", (1000.0 + normal(rng, n, k), _labels(rng, n, k)),
             note("logits cercanos a 1000: exp(1000) desborda", "logits near 1000: exp(1000) overflows")),
        Case("edge", (normal(rng, n, k, scale=1000.0), _labels(rng, n, k)),
             note("logits a miles de distancia: algunas probabilidades son 0 en float64",
                  "logits thousands apart: some probabilities are 0 in float64")),
        Case("random", (normal(rng, m, classes, scale=2.0), _labels(rng, m, classes))),
    ]


def _onehot(labels, k):
    return np.eye(k)[labels]


def _log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _loss_and_grad(z, labels):
    n = z.shape[0]
    log_p = _log_softmax(z)
    return -log_p[np.arange(n), labels].mean(), (np.exp(log_p) - _onehot(labels, z.shape[1])) / n


def _naive_gradient(z, labels):
    """What exp(z) / Σ exp(z) gives when some exp(z) overflow: inf / inf = NaN."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
    if np.isfinite(p).all():
        raise ValueError("nothing overflows in this case")
    return (p - _onehot(labels, z.shape[1])) / z.shape[0]


def _loss_from_log_of_softmax(z, labels):
    """−mean(log softmax(z)[y]) with the softmax computed first: −log(0) = inf when a probability underflows."""
    with np.errstate(divide="ignore"):
        p = np.exp(_log_softmax(z))
        loss = -np.log(p[np.arange(z.shape[0]), labels]).mean()
    if np.isfinite(loss):
        raise ValueError("no probability of a label underflows in this case")
    return loss


def _softmax_over_batch(z, labels):
    """The softmax normalised down each column (axis 0) instead of along each row."""
    shifted = z - z.max(axis=0, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore"):
        loss = -np.log(p[np.arange(z.shape[0]), labels]).mean()
    return loss, (p - _onehot(labels, z.shape[1])) / z.shape[0]


def _softmax_reference(logits, labels):
    return tuple(F.softmax_cross_entropy(logits, labels))


register(GradedFunction(
    name="softmax_cross_entropy", exercise_set="001", parameters=("logits", "labels"), outputs=("loss", "dlogits"),
    make_cases=_softmax_cases, reference=_softmax_reference,
    summary={"es": "entropía cruzada con softmax: L = −(1/N) Σ log softmax(z)[y], dL/dz = (softmax(z) − onehot(y)) / N",
             "en": "softmax cross-entropy: L = −(1/N) Σ log softmax(z)[y], dL/dz = (softmax(z) − onehot(y)) / N"},
    detectors=mistakes(
        _softmax_reference,
        ("loss_not_averaged",
         hint("La pérdida es el promedio sobre el lote, (1/N) Σ, no la suma: falta dividir por N.",
              "The loss is the mean over the batch, (1/N) Σ, not the sum: divide by N."),
         lambda z, y: (_loss_and_grad(z, y)[0] * z.shape[0], None)),
        ("grad_not_averaged",
         hint("Como la pérdida promedia sobre el lote, el gradiente también lleva el 1/N: "
              "(softmax(z) − onehot(y)) / N.",
              "Since the loss averages over the batch, the gradient carries the 1/N too: "
              "(softmax(z) − onehot(y)) / N."),
         lambda z, y: (None, _loss_and_grad(z, y)[1] * z.shape[0])),
        ("mean_over_classes_too",
         hint("El promedio es sobre los N ejemplos, no sobre los N·K elementos: no dividas también por el "
              "número de clases.",
              "The mean is over the N samples, not the N·K entries: do not divide by the number of classes too."),
         lambda z, y: (_loss_and_grad(z, y)[0] / z.shape[1], None)),
        ("subtract_row_max",
         hint("exp(z) desborda a inf con logits grandes y inf/inf da NaN: resta el máximo de cada fila antes "
              "de exponenciar, softmax(z) = softmax(z − max(z)).",
              "exp(z) overflows to inf for large logits and inf/inf is NaN: subtract each row's maximum "
              "before exponentiating, softmax(z) = softmax(z − max(z))."),
         lambda z, y: (None, _naive_gradient(z, y))),
        ("log_of_softmax",
         hint("Una probabilidad que en float64 vale 0 da log(0) = −inf: calcula log softmax directamente, "
              "z − max(z) − log Σ exp(z − max(z)), en lugar del logaritmo de la softmax.",
              "A probability that is 0 in float64 gives log(0) = −inf: compute log softmax directly, "
              "z − max(z) − log Σ exp(z − max(z)), instead of the logarithm of the softmax."),
         lambda z, y: (_loss_from_log_of_softmax(z, y), None)),
        ("softmax_wrong_axis",
         hint("La softmax normaliza cada fila (cada ejemplo, axis=1), no cada columna del lote (axis=0).",
              "The softmax normalises each row (each sample, axis=1), not each column of the batch (axis=0)."),
         lambda z, y: (None, _softmax_over_batch(z, y)[1])),
    ),
    forbidden=("scipy.special",),
))
