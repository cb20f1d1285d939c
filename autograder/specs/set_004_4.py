"""Lecture 004 §4, Regularización: avoidable bias and generalisation gap, noise injection, early stopping and
the combined cost of an autoencoder used as a regulariser.

- Avoidable bias = training error − Bayes error; generalisation gap = validation error − training error
  (elementwise over learning curves); the bias dominates where the first is larger.
- Noise injection adds σ·z to the units (z standard normal draws, given) during training only.
- Early stopping follows ``engine.callbacks.EarlyStopping`` (monitoring a loss, epochs counted from 1): an
  epoch improves when its loss is below the best so far minus ``min_delta``; training stops after
  ``patience`` epochs in a row without improvement. Outputs: the best epoch and the epoch training ended after.
- The combined cost J = β·J_clas + (1 − β)·J_ae, J_clas the softmax cross-entropy averaged over the batch,
  J_ae the engine's MSE averaged over every element, with its gradients with respect to the logits and x̂.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

import engine.functional as F
from engine.callbacks import EarlyStopping

from ..registry import Case, GradedFunction, register
from .common import hint, hyperparameter, mistakes, normal, note


# -- avoidable bias and generalisation gap -------------------------------------------------------------
def _error_curves(rng, epochs, bayes):
    """(training error, validation error) per epoch: the training error falls, the validation error falls
    then rises again."""
    t = np.arange(1, epochs + 1)
    floor = bayes + rng.uniform(0.0, 0.03)
    train = floor + rng.uniform(0.3, 0.6) * np.exp(-t / rng.uniform(2, 5)) + 0.005 * rng.random(epochs)
    val = train + rng.uniform(0.01, 0.04) + rng.uniform(0.002, 0.01) * t + 0.005 * rng.random(epochs)
    return train, val


def _bias_cases(rng):
    bayes = round(float(rng.uniform(0.005, 0.05)), 4)
    epochs = int(rng.integers(8, 25))
    random_epochs = int(rng.integers(1, 40))
    random_bayes = round(float(rng.uniform(0.0, 0.1)), 4)
    train, val = _error_curves(rng, epochs, bayes)
    low_train, low_val = _error_curves(rng, 6, 0.1)
    scalar_train = round(float(rng.uniform(0.05, 0.15)), 4)
    return [
        Case("typical", (*_error_curves(rng, epochs, bayes), bayes),
             note("curvas de aprendizaje: un valor por época", "learning curves: one value per epoch")),
        Case("typical", (scalar_train, round(scalar_train + float(rng.uniform(0.01, 0.1)), 4), bayes),
             note("los errores al final del entrenamiento (números)", "the errors at the end of training (numbers)")),
        Case("edge", (train, val, 0.0), note("error de Bayes 0", "a Bayes error of 0")),
        Case("edge", (train, train - rng.uniform(0.005, 0.02, size=epochs), bayes),
             note("validación por debajo de entrenamiento (como con dropout): brecha negativa",
                  "validation below training (as with dropout): a negative gap")),
        Case("edge", (low_train - 0.05, low_val, 0.1),
             note("error de entrenamiento por debajo del de Bayes estimado: sesgo evitable negativo",
                  "training error below the estimated Bayes error: a negative avoidable bias")),
        Case("random", (*_error_curves(rng, random_epochs, random_bayes), random_bayes)),
    ]


def _bias_reference(train_error, val_error, bayes_error):
    avoidable_bias = np.subtract(train_error, bayes_error)
    gap = np.subtract(val_error, train_error)
    return avoidable_bias, gap, avoidable_bias > gap


register(GradedFunction(
    name="bias_and_gap", exercise_set="004_4", parameters=("train_error", "val_error", "bayes_error"),
    outputs=("avoidable_bias", "gap", "bias_dominates"),
    make_cases=_bias_cases, reference=_bias_reference,
    summary={"es": "sesgo evitable = error de train − error bayesiano; brecha = error de validación − error de train",
             "en": "avoidable bias = training error − Bayes error; gap = validation error − training error"},
    detectors=mistakes(
        _bias_reference,
        ("bias_without_bayes_error",
         hint("El sesgo evitable descuenta el error bayesiano: error de train − error bayesiano. El error de "
              "entrenamiento solo no dice cuánto se puede mejorar.",
              "The avoidable bias discounts the Bayes error: training error − Bayes error. The training error "
              "alone does not say how much can be improved."),
         lambda train, val, bayes: (np.asarray(train, dtype=np.float64), None, None)),
        ("gap_from_bayes_error",
         hint("La brecha de generalización se mide desde el error de entrenamiento: error de validación − "
              "error de train, no − error bayesiano.",
              "The generalisation gap is measured from the training error: validation error − training error, "
              "not − Bayes error."),
         lambda train, val, bayes: (None, np.subtract(val, bayes), None)),
        ("gap_reversed",
         hint("La brecha es error de validación − error de train (positiva cuando el modelo sobreajusta); "
              "restaste al revés.",
              "The gap is validation error − training error (positive when the model overfits); you subtracted "
              "the other way round."),
         lambda train, val, bayes: (None, np.subtract(train, val), None)),
        ("diagnosis_reversed",
         hint("bias_dominates es verdadero donde el sesgo evitable es mayor que la brecha: avoidable_bias > gap.",
              "bias_dominates is true where the avoidable bias is larger than the gap: avoidable_bias > gap."),
         lambda train, val, bayes: (None, None, np.subtract(train, bayes) < np.subtract(val, train))),
    ),
))


# -- noise injection ------------------------------------------------------------------------------------------
def _noise_cases(rng):
    n, d = int(rng.integers(2, 10)), int(rng.integers(2, 8))
    images = (2, int(rng.integers(2, 5)), int(rng.integers(2, 5)), int(rng.integers(1, 3)))
    random_shape = (int(rng.integers(1, 20)), int(rng.integers(1, 10)))

    def case(shape, sigma, training):
        return (normal(rng, *shape), sigma, normal(rng, *shape), training)

    return [
        Case("typical", case((n, d), hyperparameter(rng, 0.05, 0.5), True),
             note("unidades ocultas en entrenamiento", "hidden units while training")),
        Case("typical", case(images, hyperparameter(rng, 0.05, 0.5), True),
             note("imágenes NHWC (ruido en la entrada)", "NHWC images (noise at the input)")),
        Case("edge", case((n, d), hyperparameter(rng, 0.05, 0.5), False),
             note("evaluación: el ruido no se agrega", "evaluation: no noise is added")),
        Case("edge", case((n, d), 0.0, True), note("σ = 0: sin ruido", "σ = 0: no noise")),
        Case("edge", case((n, d), hyperparameter(rng, 2.0, 4.0), True),
             note("σ > 1: el ruido domina", "σ > 1: the noise dominates")),
        Case("random", case(random_shape, hyperparameter(rng, 0.01, 1.5), bool(rng.random() < 0.7))),
    ]


def _noise_reference(x, sigma, z, training):
    return (x + sigma * z if training else x.copy(),)


register(GradedFunction(
    name="inject_noise", exercise_set="004_4", parameters=("x", "sigma", "z", "training"), outputs=("y",),
    make_cases=_noise_cases, reference=_noise_reference,
    summary={"es": "inyección de ruido: y = x + σ·z en entrenamiento, y = x en evaluación",
             "en": "noise injection: y = x + σ·z while training, y = x in evaluation"},
    detectors=mistakes(
        _noise_reference,
        ("noise_in_evaluation",
         hint("El ruido se agrega ÚNICAMENTE durante el entrenamiento: con training = False la salida es x.",
              "The noise is added ONLY while training: with training = False the output is x."),
         lambda x, sigma, z, training: (x + sigma * z,)),
        ("noise_scaled_by_variance",
         hint("σ es la desviación estándar del ruido: σ·z con z ~ N(0, 1) tiene varianza σ². Multiplicaste por σ².",
              "σ is the noise's standard deviation: σ·z with z ~ N(0, 1) has variance σ². You multiplied by σ²."),
         lambda x, sigma, z, training: (x + sigma ** 2 * z if training else x,)),
        ("noise_multiplicative",
         hint("El ruido es aditivo: y = x + σ·z, no x·(1 + σ·z).",
              "The noise is additive: y = x + σ·z, not x·(1 + σ·z)."),
         lambda x, sigma, z, training: (x * (1 + sigma * z) if training else x,)),
    ),
))


# -- early stopping ----------------------------------------------------------------------------------------------
def _validation_curve(rng, epochs):
    """A validation loss that falls, reaches a minimum and rises again (overfitting), with noise."""
    t = np.arange(1, epochs + 1)
    return (rng.uniform(0.2, 0.5) + rng.uniform(1, 2) * np.exp(-t / rng.uniform(2, 5))
            + rng.uniform(0.005, 0.03) * t + 0.03 * rng.random(epochs))


def _early_cases(rng):
    epochs = int(rng.integers(15, 30))
    falling = np.sort(rng.uniform(0.1, 2.0, size=int(rng.integers(5, 12))))[::-1].copy()
    lowest = rng.uniform(0.2, 0.5)
    ties = np.concatenate([lowest + np.sort(rng.uniform(0.1, 1.0, size=4))[::-1], np.full(3, lowest),
                           lowest + np.sort(rng.uniform(0.01, 0.5, size=4))])
    creeping = lowest + np.concatenate([[0.35, 0.2, 0.05], 0.05 - 0.0012 * np.arange(1, 11)])  # steps < min_delta
    bumps = []
    for level in lowest + np.sort(rng.uniform(0.05, 1.0, size=4))[::-1]:
        bumps += [level, level + rng.uniform(0.05, 0.1), level + rng.uniform(0.01, 0.04)]
    bumps = np.concatenate([bumps, bumps[-3] + np.array([0.1, 0.2, 0.3, 0.4])])
    random_epochs = int(rng.integers(1, 40))
    return [
        Case("typical", (_validation_curve(rng, epochs), 3, 0.0)),
        Case("typical", (_validation_curve(rng, epochs), int(rng.integers(4, 7)), hyperparameter(rng, 0.001, 0.01))),
        Case("edge", (falling, 2, 0.0),
             note("la pérdida baja siempre: nunca se detiene", "the loss always falls: training never stops")),
        Case("edge", (_validation_curve(rng, epochs), 0, 0.0),
             note("patience = 0: se detiene en la primera época que no mejora",
                  "patience = 0: stops at the first epoch that does not improve")),
        Case("edge", (ties, 3, 0.0),
             note("una pérdida igual a la mejor no es una mejora", "a loss equal to the best is not an improvement")),
        Case("edge", (bumps, 3, 0.0),
             note("la pérdida sube dos épocas y vuelve a bajar: la espera vuelve a 0 con cada mejora",
                  "the loss rises for two epochs and falls again: the wait goes back to 0 with every improvement")),
        Case("edge", (creeping, 3, 0.005),
             note("mejoras menores que min_delta no cuentan", "improvements smaller than min_delta do not count")),
        Case("edge", (np.array([rng.uniform(0.5, 2.0)]), 2, 0.0), note("una sola época", "a single epoch")),
        Case("random", (_validation_curve(rng, random_epochs), int(rng.integers(0, 8)),
                        float(rng.choice([0.0, hyperparameter(rng, 0.0001, 0.02)])))),
    ]


def _early_reference(val_losses, patience, min_delta):
    callback = EarlyStopping(monitor="val_loss", patience=int(patience), min_delta=min_delta, mode="min",
                             restore_best_weights=False)
    model = SimpleNamespace(stop_training=False)
    callback.on_train_begin(model, None)
    last = 0
    for epoch, value in enumerate(val_losses, start=1):
        callback.on_epoch_end(epoch, {"val_loss": float(value)}, model)
        last = epoch
        if model.stop_training:
            break
    return np.int64(callback.best_epoch), np.int64(last)


def _early_stopping(val_losses, patience, min_delta, late=False, reset=True, use_delta=True):
    """Early stopping with a chosen mistake: (best epoch, epoch it ended after)."""
    best, best_epoch, wait, epoch = None, 0, 0, 0
    for epoch, value in enumerate(val_losses, start=1):
        if best is None or value < best - (min_delta if use_delta else 0.0):
            best, best_epoch = value, epoch
            if reset:
                wait = 0
            continue
        wait += 1
        if (wait > patience) if late else (wait >= patience):
            break
    return np.int64(best_epoch), np.int64(epoch)


register(GradedFunction(
    name="early_stopping_epoch", exercise_set="004_4", parameters=("val_losses", "patience", "min_delta"),
    outputs=("best_epoch", "stop_epoch"),
    make_cases=_early_cases, reference=_early_reference,
    summary={"es": "parada temprana: la mejor época y la época en que se detiene (épocas desde 1)",
             "en": "early stopping: the best epoch and the epoch training stops at (epochs from 1)"},
    detectors=mistakes(
        _early_reference,
        ("early_stopping_patience_off_by_one",
         hint("Se detiene cuando lleva patience épocas seguidas sin mejorar (espera ≥ patience), no una más.",
              "Training stops once patience epochs in a row did not improve (wait ≥ patience), not one later."),
         lambda v, patience, min_delta: (None, _early_stopping(v, patience, min_delta, late=True)[1])),
        ("early_stopping_returns_last_epoch",
         hint("best_epoch es la época de la mejor pérdida de validación (la que se restaura), no la última "
              "que se entrenó.",
              "best_epoch is the epoch of the best validation loss (the one restored), not the last one "
              "trained."),
         lambda v, patience, min_delta: (_early_reference(v, patience, min_delta)[1], None)),
        ("early_stopping_counts_from_zero",
         hint("Las épocas se cuentan desde 1, como en fit: la primera época es la 1, no la 0.",
              "Epochs are counted from 1, as in fit: the first epoch is 1, not 0."),
         lambda v, patience, min_delta: tuple(e - 1 for e in _early_reference(v, patience, min_delta))),
        ("early_stopping_wait_not_reset",
         hint("La espera vuelve a 0 cada vez que una época mejora: cuenta épocas seguidas sin mejorar, no el "
              "total.",
              "The wait goes back to 0 whenever an epoch improves: it counts epochs in a row without "
              "improvement, not the total."),
         lambda v, patience, min_delta: _early_stopping(v, patience, min_delta, reset=False)),
        ("early_stopping_ignores_min_delta",
         hint("Una época mejora sólo si baja la mejor pérdida en más de min_delta: pérdida < mejor − min_delta.",
              "An epoch improves only when it lowers the best loss by more than min_delta: "
              "loss < best − min_delta."),
         lambda v, patience, min_delta: _early_stopping(v, patience, min_delta, use_delta=False)),
    ),
))


# -- the combined cost of an autoencoder as a regulariser --------------------------------------------------
def _labels(rng, n, k):
    return rng.integers(0, k, size=n).astype(np.int64)


def _combined_cases(rng):
    n, k, d = int(rng.integers(3, 9)), int(rng.integers(3, 11)), int(rng.integers(4, 20))
    m, classes, features = int(rng.integers(1, 20)), int(rng.integers(2, 11)), int(rng.integers(1, 30))

    def case(n, k, d, beta, scale=1.0):
        x = rng.random((n, d))
        x_hat = np.clip(x + 0.2 * normal(rng, n, d), 0, 1)
        return (normal(rng, n, k, scale=scale), _labels(rng, n, k), x, x_hat, beta)

    return [
        Case("typical", case(n, k, d, 0.5)),
        Case("typical", case(n, k, d, hyperparameter(rng, 0.1, 0.9))),
        Case("edge", case(n, k, d, 1.0), note("β = 1: sólo el clasificador", "β = 1: the classifier only")),
        Case("edge", case(n, k, d, 0.0), note("β = 0: sólo el autoencoder", "β = 0: the autoencoder only")),
        Case("edge", case(1, k, d, hyperparameter(rng, 0.1, 0.9)), note("un solo ejemplo", "a single example")),
        Case("edge", case(n, k, d, hyperparameter(rng, 0.1, 0.9), scale=1000.0),
             note("logits enormes: el softmax tiene que ser estable", "huge logits: the softmax must be stable")),
        Case("random", case(m, classes, features, hyperparameter(rng, 0.0, 1.0))),
    ]


def _costs(logits, labels, x, x_hat):
    j_clas, d_logits = F.softmax_cross_entropy(logits, labels)
    j_ae, d_x_hat = F.mse_loss(x_hat, x)
    return j_clas, d_logits, j_ae, d_x_hat


def _combined_reference(logits, labels, x, x_hat, beta):
    j_clas, d_logits, j_ae, d_x_hat = _costs(logits, labels, x, x_hat)
    return beta * j_clas + (1 - beta) * j_ae, beta * d_logits, (1 - beta) * d_x_hat


def _beta_swapped(logits, labels, x, x_hat, beta):
    return _combined_reference(logits, labels, x, x_hat, 1 - beta)


def _ae_per_example(logits, labels, x, x_hat, beta):
    j_clas, d_logits, _, _ = _costs(logits, labels, x, x_hat)
    n = x.shape[0]
    j_ae = np.sum((x - x_hat) ** 2) / n
    return beta * j_clas + (1 - beta) * j_ae, beta * d_logits, (1 - beta) * 2 * (x_hat - x) / n


def _unweighted_gradients(logits, labels, x, x_hat, beta):
    _, d_logits, _, d_x_hat = _costs(logits, labels, x, x_hat)
    return None, d_logits, d_x_hat


register(GradedFunction(
    name="combined_cost", exercise_set="004_4", parameters=("logits", "labels", "x", "x_hat", "beta"),
    outputs=("J", "dlogits", "dx_hat"),
    make_cases=_combined_cases, reference=_combined_reference,
    summary={"es": "costo combinado J = β·J_clas + (1 − β)·J_ae (entropía cruzada y ECM) y sus gradientes",
             "en": "combined cost J = β·J_clas + (1 − β)·J_ae (cross-entropy and MSE) and its gradients"},
    detectors=mistakes(
        _combined_reference,
        ("combined_cost_beta_swapped",
         hint("β pondera al clasificador y (1 − β) al autoencoder: J = β·J_clas + (1 − β)·J_ae.",
              "β weighs the classifier and (1 − β) the autoencoder: J = β·J_clas + (1 − β)·J_ae."),
         _beta_swapped),
        ("combined_cost_ae_per_example",
         hint("J_ae es el ECM del motor, promediado sobre todos los elementos de x: (1/(N·D))·Σ (x − x̂)². "
              "Promediaste sólo sobre los ejemplos (la E‖X − X̂‖² de la clase), que es D veces más grande.",
              "J_ae is the engine's MSE, averaged over every element of x: (1/(N·D))·Σ (x − x̂)². You averaged "
              "over the examples only (the lecture's E‖X − X̂‖²), which is D times larger."),
         _ae_per_example),
        ("combined_cost_gradients_unweighted",
         hint("Los gradientes también llevan los pesos: ∂J/∂z = β·(softmax(z) − onehot(y))/N y "
              "∂J/∂x̂ = (1 − β)·2·(x̂ − x)/(N·D).",
              "The gradients carry the weights too: ∂J/∂z = β·(softmax(z) − onehot(y))/N and "
              "∂J/∂x̂ = (1 − β)·2·(x̂ − x)/(N·D)."),
         _unweighted_gradients),
        ("combined_cost_mse_gradient_without_two",
         hint("La derivada de (x̂ − x)² es 2·(x̂ − x): falta el 2 en ∂J/∂x̂ = (1 − β)·2·(x̂ − x)/(N·D).",
              "The derivative of (x̂ − x)² is 2·(x̂ − x): the 2 is missing in ∂J/∂x̂ = (1 − β)·2·(x̂ − x)/(N·D)."),
         lambda logits, labels, x, x_hat, beta: (None, None, (1 - beta) * (x_hat - x) / x.size)),
    ),
))
