"""Lecture 001, Ciclo de trabajo: a dense layer forward and backward (y = x W + b) and the two losses
whose average over the data is the empirical risk L(m, D) = (1/N) Σ L(m(x), y); one epoch of minibatch
SGD on a linear model (the learning algorithm: model space, loss, optimiser); and the log-uniform draw of a
random search over hyper-parameters (the tuning step of the workflow).

The cases are drawn so that every mistake named here shows: a square W (where dy W runs as well as
dy Wᵀ), batches of more than one sample (where a mean differs from a sum), logits near 1000 (where a
softmax without the row maximum subtracted overflows) and logits a thousand apart (where the
logarithm of a softmax that underflowed to 0 is −inf). An epoch's cases have a number of samples that the
batch size does not divide (where dropping or mis-averaging the last, smaller batch shows) and a permutation
that is not the identity (where not shuffling shows).
"""

from __future__ import annotations

import numpy as np

import engine.functional as F

from ..registry import Case, GradedFunction, GradientCheck, register
from .common import NotThisCase, hint, hyperparameter, mistakes, normal, note

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


def _logits_thousands_apart(rng, n, k):
    """Logits on a scale of 1000, and labels; the first sample's label sits 3000 below the rest of its
    row, so that its probability is e^−3000 = 0 in float64 whatever the draw (a softmax taken before the
    logarithm then gives an infinite loss)."""
    z, labels = normal(rng, n, k, scale=1000.0), _labels(rng, n, k)
    z[0, labels[0]] = np.delete(z[0], labels[0]).max() - 3000.0
    return z, labels


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
        Case("edge", _logits_thousands_apart(rng, n, k),
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


# -- one epoch of minibatch SGD on a linear model with the MSE -------------------------------------------


def _batches(n, batch_size, permutation):
    return [permutation[start:start + batch_size] for start in range(0, n, batch_size)]


def _epoch(W, b, x, y, lr, batches, scale=None):
    """SGD over ``batches`` (index arrays) with the engine's pieces; ``scale(batch)`` overrides the MSE's 1/M."""
    W, b, losses = W.copy(), b.copy(), []
    for batch in batches:
        prediction = F.dense_forward(x[batch], W, b)
        loss, grad = F.mse_loss(prediction, y[batch])
        if scale is not None:
            grad = 2.0 * (prediction - y[batch]) * scale(batch)
        _, dW, db = F.dense_backward(grad, x[batch], W)
        F.sgd_update(W, dW, lr)
        F.sgd_update(b, db, lr)
        losses.append(float(loss))
    return W, b, np.array(losses)


def _train_epoch_reference(W, b, x, y, lr, batch_size, permutation):
    return _epoch(W, b, x, y, lr, _batches(len(x), batch_size, permutation))


def _regression_problem(rng, n, d, k):
    x = normal(rng, n, d)
    y = x @ normal(rng, d, k) + normal(rng, k) + normal(rng, n, k, scale=0.3)
    return x, y, normal(rng, d, k, scale=0.5), normal(rng, k, scale=0.5)


def _shuffled(rng, n):
    permutation = rng.permutation(n)
    while n > 1 and np.array_equal(permutation, np.arange(n)):
        permutation = rng.permutation(n)
    return permutation.astype(np.int64)


def _train_epoch_cases(rng):
    d, k = int(rng.integers(2, 5)), int(rng.integers(1, 4))
    batch = int(rng.integers(3, 6))
    n = batch * int(rng.integers(2, 5)) + int(rng.integers(1, batch))     # the last batch is smaller
    m = int(rng.integers(5, 30))
    cases = []
    for kind, size, batch_size, outputs, text in [
        ("typical", n, batch, k, note("el último lote es más chico", "the last batch is smaller")),
        ("typical", n + 7, batch + 1, k, None),
        ("edge", n, 1, k, note("lotes de un ejemplo: SGD puro", "batches of one sample: plain SGD")),
        ("edge", n, n + 3, k, note("un solo lote con todos los datos: descenso por gradiente",
                                   "a single batch holding every sample: gradient descent")),
        ("edge", batch * 3, batch, 1, note("el lote divide a N, una sola salida",
                                           "the batch size divides N, a single output")),
        ("random", m, int(rng.integers(1, m + 1)), int(rng.integers(1, 4)), None),
    ]:
        x, y, W, b = _regression_problem(rng, size, d, outputs)
        lr = hyperparameter(rng, 0.01, 0.05)
        cases.append(Case(kind, (W, b, x, y, lr, batch_size, _shuffled(rng, size)), text))
    return cases


def _last_batch_dropped(W, b, x, y, lr, batch_size, permutation):
    full = len(x) // batch_size
    if full == 0:
        raise NotThisCase("no full batch: nothing would be trained")
    return _epoch(W, b, x, y, lr, _batches(len(x), batch_size, permutation)[:full])


def _not_shuffled(W, b, x, y, lr, batch_size, permutation):
    return _epoch(W, b, x, y, lr, _batches(len(x), batch_size, np.arange(len(x))))


def _divided_by_batch_size(W, b, x, y, lr, batch_size, permutation):
    return _epoch(W, b, x, y, lr, _batches(len(x), batch_size, permutation),
                  scale=lambda batch: 1.0 / (batch_size * y.shape[1]))


def _one_step(W, b, x, y, lr, batch_size, permutation):
    return _epoch(W, b, x, y, lr, [permutation])


register(GradedFunction(
    name="train_epoch", exercise_set="001",
    parameters=("W", "b", "x", "y", "lr", "batch_size", "permutation"), outputs=("W", "b", "losses"),
    make_cases=_train_epoch_cases, reference=_train_epoch_reference,
    summary={"es": "una época de SGD por minilotes sobre y = x W + b con el ECM: lotes consecutivos de la permutación, "
                   "un paso W ← W − α ∂L/∂W por lote",
             "en": "one epoch of minibatch SGD on y = x W + b with the MSE: consecutive batches of the permutation, "
                   "one step W ← W − α ∂L/∂W per batch"},
    detectors=mistakes(
        _train_epoch_reference,
        ("last_batch_dropped",
         hint("Falta el último lote, el más chico: una época recorre todos los ejemplos, así que con N = 10 y "
              "lotes de 4 hay tres lotes (4, 4 y 2). Recorre range(0, N, batch_size).",
              "The last, smaller batch is missing: an epoch visits every sample, so with N = 10 and batches of 4 "
              "there are three batches (4, 4 and 2). Loop over range(0, N, batch_size)."),
         _last_batch_dropped),
        ("not_shuffled",
         hint("Los lotes salen de la permutación: el lote j son los ejemplos permutation[j·B:(j + 1)·B], no las "
              "filas j·B … (j + 1)·B − 1 en su orden original.",
              "The batches come from the permutation: batch j is the samples permutation[j·B:(j + 1)·B], not "
              "rows j·B … (j + 1)·B − 1 in their original order."),
         _not_shuffled),
        ("last_batch_divided_by_batch_size",
         hint("El promedio de cada lote es sobre los elementos que tiene: el último lote es más chico y su "
              "gradiente se divide por su propio tamaño, no por batch_size.",
              "Each batch's mean is over the elements it holds: the last batch is smaller and its gradient is "
              "divided by its own size, not by batch_size."),
         _divided_by_batch_size),
        ("one_step_per_epoch",
         hint("Hay un paso por lote, no uno por época: con lotes de B ejemplos, una época da ⌈N / B⌉ pasos.",
              "There is one step per batch, not one per epoch: with batches of B samples an epoch takes "
              "⌈N / B⌉ steps."),
         _one_step),
    ),
))

# -- random search: a log-uniform draw ----------------------------------------------------------------------


def _log_uniform_reference(u, low, high):
    return (np.exp(np.log(low) + u * (np.log(high) - np.log(low))),)


def _log_uniform_cases(rng):
    n = int(rng.integers(4, 12))
    low = float(10.0 ** -rng.integers(3, 6))
    return [
        Case("typical", (rng.uniform(0, 1, n), low, 1.0), note("una tasa de aprendizaje", "a learning rate")),
        Case("typical", (rng.uniform(0, 1, n), 8.0, 512.0), note("un ancho de capa", "a layer width")),
        Case("edge", (np.array([0.0, 0.5, 1.0]), 1e-4, 1e-2),
             note("u = 0, 1/2 y 1: los extremos y el punto medio geométrico",
                  "u = 0, 1/2 and 1: the bounds and the geometric midpoint")),
        Case("edge", (rng.uniform(0, 1, n), 0.3, 0.3), note("low = high", "low = high")),
        Case("edge", (rng.uniform(0, 1, (3, n)), 1e-6, 10.0), note("u de dos ejes, siete décadas",
                                                                    "a two-axis u, seven decades")),
        Case("random", (rng.uniform(0, 1, int(rng.integers(1, 30))), float(rng.uniform(1e-4, 1e-2)),
                        float(rng.uniform(0.1, 10.0)))),
    ]


register(GradedFunction(
    name="log_uniform", exercise_set="001", parameters=("u", "low", "high"), outputs=("values",),
    make_cases=_log_uniform_cases, reference=_log_uniform_reference,
    summary={"es": "sorteo log-uniforme: low · (high / low)^u, uniforme en log entre low y high",
             "en": "log-uniform draw: low · (high / low)^u, uniform in log between low and high"},
    detectors=mistakes(
        _log_uniform_reference,
        ("uniform_not_log",
         hint("Sorteaste uniforme entre low y high: casi todos los valores caen en la última década. Lo uniforme "
              "es el logaritmo: log v = log low + u (log high − log low).",
              "You drew uniformly between low and high: almost every value lands in the last decade. What is "
              "uniform is the logarithm: log v = log low + u (log high − log low)."),
         lambda u, low, high: (low + u * (high - low),)),
        ("log_not_undone",
         hint("Devolviste el logaritmo del valor: después de sortear log v, vuelve con la exponencial "
              "(10 ** o np.exp, según la base que usaste).",
              "You returned the value's logarithm: after drawing log v, come back with the exponential "
              "(10 ** or np.exp, whichever base you used)."),
         lambda u, low, high: (np.log(low) + u * (np.log(high) - np.log(low)),)),
        ("bounds_swapped",
         hint("Con u = 0 el valor es low y con u = 1 es high: v = low · (high / low)^u.",
              "With u = 0 the value is low and with u = 1 it is high: v = low · (high / low)^u."),
         lambda u, low, high: (high * (low / high) ** u,)),
    ),
))
