"""Lecture 003, Regularización: batch norm (forward, backward, running statistics) and inverted dropout.

Batch norm normalises each channel (the last axis) over every other axis, with the
biased batch variance: x̂ = (x − μ_B)/sqrt(σ²_B + ε), y = γ·x̂ + β (``engine.functional``).
Dropout is graded with the uniform draws u given, so that every submission draws the
same mask: η = (u < p_keep), y = x ⊙ η / p_keep.
"""

from __future__ import annotations

import numpy as np

import engine.functional as F

from ..registry import Case, GradedFunction, GradientCheck, register
from .common import hint, hyperparameter, mistakes, normal, note
from .stateful import next_rng

_EPS = 1e-3


# -- batch norm, forward --------------------------------------------------------------------------
def _channel_axes(x):
    return tuple(range(x.ndim - 1))


def _batchnorm(x, gamma, beta, eps, ddof=0, normalise=lambda centred, var, eps: centred / np.sqrt(var + eps),
               axes=None):
    """Batch norm in numpy with a chosen mistake: (y, mean, var)."""
    axes = _channel_axes(x) if axes is None else axes
    mean = x.mean(axis=axes)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.sum((x - mean) ** 2, axis=axes) / (np.prod([x.shape[a] for a in axes]) - ddof)
        y = gamma * normalise(x - mean, var, eps) + beta
    return y, mean, var


def _activations(rng, *shape, spread=1.0):
    """Activations with a different mean and spread per channel."""
    channels = shape[-1]
    return normal(rng, channels, scale=2.0) + spread * np.exp(normal(rng, channels, scale=0.5)) * normal(rng, *shape)


def _bn_parameters(rng, channels):
    return 1.0 + normal(rng, channels, scale=0.5), normal(rng, channels)


def _bn_cases(rng):
    n, d = int(rng.integers(4, 17)), int(rng.integers(2, 7))
    images = (int(rng.integers(2, 5)), int(rng.integers(2, 5)), int(rng.integers(2, 5)), int(rng.integers(2, 5)))
    constant = _activations(rng, n, d)
    constant[:, 0] = constant[0, 0]
    random_shape = (int(rng.integers(2, 30)), 5) if rng.random() < 0.5 else (3, 4, 2, 6)
    return [
        Case("typical", (_activations(rng, n, d), *_bn_parameters(rng, d), _EPS)),
        Case("typical", (_activations(rng, *images), *_bn_parameters(rng, images[-1]), _EPS),
             note("imágenes NHWC: estadísticas por canal sobre N, H y W",
                  "NHWC images: statistics per channel over N, H and W")),
        Case("edge", (_activations(rng, 1, d), *_bn_parameters(rng, d), _EPS),
             note("lote de un solo ejemplo: σ² = 0 y la salida es β", "a batch of one: σ² = 0 and the output is β")),
        Case("edge", (constant, *_bn_parameters(rng, d), _EPS),
             note("un canal constante (varianza 0)", "a constant channel (variance 0)")),
        Case("edge", (_activations(rng, n, d, spread=0.01), *_bn_parameters(rng, d), _EPS),
             note("varianza mucho menor que ε", "a variance much smaller than ε")),
        Case("edge", (_activations(rng, n, d), *_bn_parameters(rng, d), 1e-5),
             note("otro ε (1e-5): usa el que recibes", "another ε (1e-5): use the one you are given")),
        Case("random", (_activations(rng, *random_shape), *_bn_parameters(rng, random_shape[-1]),
                        float(rng.choice([1e-3, 1e-5])))),
    ]


def _bn_reference(x, gamma, beta, eps):
    y, mean, var, _ = F.batchnorm_forward(x, gamma, beta, eps)
    return y, mean, var


def _per_position(x, gamma, beta, eps):
    return _batchnorm(x, gamma, beta, eps, axes=(0,))[0], None, None


register(GradedFunction(
    name="batchnorm_forward", exercise_set="003", parameters=("x", "gamma", "beta", "eps"),
    outputs=("y", "mean", "var"),
    make_cases=_bn_cases, reference=_bn_reference,
    summary={"es": "batch norm en entrenamiento: y = γ·(x − μ_B)/√(σ²_B + ε) + β, σ²_B sesgada, por canal",
             "en": "training-mode batch norm: y = γ·(x − μ_B)/√(σ²_B + ε) + β, biased σ²_B, per channel"},
    detectors=mistakes(
        _bn_reference,
        ("bn_unbiased_variance",
         hint("La varianza del lote es la sesgada: divide por M (np.var con ddof=0), no por M − 1.",
              "The batch variance is the biased one: divide by M (np.var with ddof=0), not by M − 1."),
         lambda x, gamma, beta, eps: _batchnorm(x, gamma, beta, eps, ddof=1)),
        ("bn_eps_outside_sqrt",
         hint("ε va dentro de la raíz: x̂ = (x − μ)/√(σ² + ε), no (x − μ)/(√σ² + ε).",
              "ε goes inside the square root: x̂ = (x − μ)/√(σ² + ε), not (x − μ)/(√σ² + ε)."),
         lambda x, gamma, beta, eps: _batchnorm(
             x, gamma, beta, eps, normalise=lambda centred, var, eps: centred / (np.sqrt(var) + eps))),
        ("bn_divided_by_variance",
         hint("Se divide por la desviación estándar √(σ² + ε), no por la varianza σ² + ε.",
              "Divide by the standard deviation √(σ² + ε), not by the variance σ² + ε."),
         lambda x, gamma, beta, eps: _batchnorm(
             x, gamma, beta, eps, normalise=lambda centred, var, eps: centred / (var + eps))),
        ("bn_statistics_per_position",
         hint("En imágenes NHWC las estadísticas son por canal: promedia sobre N, H y W (todos los ejes "
              "menos el último), no solo sobre el eje 0.",
              "For NHWC images the statistics are per channel: average over N, H and W (every axis but "
              "the last), not over axis 0 only."),
         _per_position),
    ),
))


# -- batch norm, backward --------------------------------------------------------------------------
def _bn_backward_cases(rng):
    cases = []
    for case in _bn_cases(rng):
        x, gamma, _, eps = case.args
        cases.append(Case(case.kind, (normal(rng, *x.shape), x, gamma, eps), case.note))
    return cases


def _bn_backward_reference(dy, x, gamma, eps):
    _, mean, _, inv_std = F.batchnorm_forward(x, gamma, np.zeros_like(gamma), eps)
    return tuple(F.batchnorm_backward(dy, x, gamma, mean, inv_std))


def _bn_pieces(dy, x, eps):
    """(axes, M, x̂, 1/√(σ² + ε)) of the batch."""
    axes = _channel_axes(x)
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    inv_std = 1 / np.sqrt(var + eps)
    return axes, x.size // x.shape[-1], (x - mean) * inv_std, inv_std


def _dx_as_affine(dy, x, gamma, eps):
    _, _, _, inv_std = _bn_pieces(dy, x, eps)
    return dy * gamma * inv_std, None, None


def _dx_without_variance(dy, x, gamma, eps):
    axes, _, _, inv_std = _bn_pieces(dy, x, eps)
    return gamma * inv_std * (dy - dy.mean(axis=axes)), None, None


def _averaged_parameter_gradients(dy, x, gamma, eps):
    axes, _, x_hat, _ = _bn_pieces(dy, x, eps)
    return None, (dy * x_hat).mean(axis=axes), dy.mean(axis=axes)


register(GradedFunction(
    name="batchnorm_backward", exercise_set="003", parameters=("dy", "x", "gamma", "eps"),
    outputs=("dx", "dgamma", "dbeta"),
    make_cases=_bn_backward_cases, reference=_bn_backward_reference,
    summary={"es": "gradientes de batch norm: dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/√(σ² + ε)·(dy − media(dy) − "
                   "x̂·media(dy·x̂))",
             "en": "batch norm gradients: dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/√(σ² + ε)·(dy − mean(dy) − "
                   "x̂·mean(dy·x̂))"},
    detectors=mistakes(
        _bn_backward_reference,
        ("bn_backward_ignores_batch_statistics",
         hint("dx = dy·γ/√(σ² + ε) trata μ y σ² como constantes, pero dependen de x: faltan los términos "
              "− media(dy) − x̂·media(dy·x̂) dentro del paréntesis.",
              "dx = dy·γ/√(σ² + ε) treats μ and σ² as constants, but they depend on x: the terms "
              "− mean(dy) − x̂·mean(dy·x̂) are missing inside the parentheses."),
         _dx_as_affine),
        ("bn_backward_ignores_variance",
         hint("Tuviste en cuenta que μ depende de x pero no que σ² también: falta el término "
              "− x̂·media(dy·x̂).",
              "You accounted for μ depending on x but not for σ²: the term − x̂·mean(dy·x̂) is missing."),
         _dx_without_variance),
        ("bn_backward_averaged_parameter_gradients",
         hint("dγ y dβ suman sobre el lote (y sobre H, W en imágenes), no promedian.",
              "dγ and dβ sum over the batch (and over H, W for images), they do not average."),
         _averaged_parameter_gradients),
    ),
    gradient_check=GradientCheck(forward="batchnorm_forward",
                                 forward_args=lambda a: (a[1], a[2], np.zeros_like(a[2]), a[3]),
                                 upstream=0, inputs={0: 0, 1: 1, 2: 2}),
))


# -- running statistics ------------------------------------------------------------------------------
def _batch_statistics(rng, channels):
    return normal(rng, channels, scale=2.0), np.exp(normal(rng, channels))


def _running_cases(rng):
    c = int(rng.integers(2, 9))
    return [
        Case("typical", (np.zeros(c), np.ones(c), *_batch_statistics(rng, c), 0.99), steps=4,
             note=note("desde el estado inicial (0, 1), cuatro lotes seguidos",
                  "from the initial state (0, 1), four batches in a row")),
        Case("typical", (normal(rng, c), np.exp(normal(rng, c)), *_batch_statistics(rng, c), 0.9), steps=3),
        Case("edge", (normal(rng, 1), np.exp(normal(rng, 1)), *_batch_statistics(rng, 1), 0.99), steps=3,
             note=note("un solo canal", "a single channel")),
        Case("edge", (normal(rng, c), np.exp(normal(rng, c)), *_batch_statistics(rng, c), 0.0),
             note("momentum = 0: las estadísticas del lote reemplazan a las acumuladas",
                  "momentum = 0: the batch's statistics replace the running ones")),
        Case("random", (normal(rng, c), np.exp(normal(rng, c)), *_batch_statistics(rng, c),
                        hyperparameter(rng, 0.6, 0.999)), steps=5),
    ]


def _running_reference(running_mean, running_var, batch_mean, batch_var, momentum):
    running_mean, running_var = running_mean.copy(), running_var.copy()
    F.update_moving_statistics(running_mean, running_var, batch_mean, batch_var, momentum)
    return running_mean, running_var


def _next_batch(args, outputs):
    """The next step: the updated running statistics and the statistics of a new batch, near the last one's."""
    _, _, batch_mean, batch_var, momentum = args
    rng = next_rng(*args[:4])
    return (outputs[0], outputs[1], batch_mean + 0.3 * rng.standard_normal(batch_mean.shape),
            batch_var * np.exp(0.3 * rng.standard_normal(batch_var.shape)), momentum)


register(GradedFunction(
    name="update_running_statistics", exercise_set="003",
    parameters=("running_mean", "running_var", "batch_mean", "batch_var", "momentum"),
    outputs=("running_mean", "running_var"),
    make_cases=_running_cases, reference=_running_reference, next_args=_next_batch,
    summary={"es": "estadísticas acumuladas: r ← momentum·r + (1 − momentum)·lote",
             "en": "running statistics: r ← momentum·r + (1 − momentum)·batch"},
    detectors=mistakes(
        _running_reference,
        ("running_momentum_wrong_side",
         hint("momentum multiplica a lo acumulado y (1 − momentum) al lote nuevo: "
              "r ← momentum·r + (1 − momentum)·lote (con momentum = 0.99 cambia despacio).",
              "momentum multiplies the running value and (1 − momentum) the new batch: "
              "r ← momentum·r + (1 − momentum)·batch (with momentum = 0.99 it changes slowly)."),
         lambda rm, rv, bm, bv, m: ((1 - m) * rm + m * bm, (1 - m) * rv + m * bv)),
    ),
))


# -- dropout -------------------------------------------------------------------------------------------
def _dropout_cases(rng):
    n, d = int(rng.integers(4, 13)), int(rng.integers(3, 9))
    images = (2, int(rng.integers(2, 5)), int(rng.integers(2, 5)), int(rng.integers(1, 4)))
    ties = rng.random((n, d))
    ties.flat[rng.choice(ties.size, size=max(2, ties.size // 4), replace=False)] = 0.75
    random_shape = (int(rng.integers(1, 20)), int(rng.integers(1, 10)))
    return [
        Case("typical", (normal(rng, n, d), 0.8, rng.random((n, d)))),
        Case("typical", (normal(rng, *images), 0.7, rng.random(images)), note("imágenes NHWC", "NHWC images")),
        Case("edge", (normal(rng, n, d), 1.0, rng.random((n, d))),
             note("p_keep = 1: no se descarta nada", "p_keep = 1: nothing is dropped")),
        Case("edge", (normal(rng, n, d), 0.1, rng.random((n, d))),
             note("p_keep = 0.1: se descarta casi todo", "p_keep = 0.1: almost everything is dropped")),
        Case("edge", (normal(rng, n, d), 0.75, ties),
             note("algunos u valen exactamente p_keep (esas unidades se descartan)",
                  "some u are exactly p_keep (those units are dropped)")),
        Case("random", (normal(rng, *random_shape), hyperparameter(rng, 0.55, 0.95), rng.random(random_shape))),
    ]


def _dropout_reference(x, p_keep, u):
    mask = u < p_keep
    return F.dropout_backward(x, mask.astype(np.uint8), p_keep), mask


def _dropout_with(mask_of, scale_of):
    def wrong(x, p_keep, u):
        mask = mask_of(u, p_keep)
        with np.errstate(divide="ignore", invalid="ignore"):
            return x * mask * scale_of(p_keep), mask
    return wrong


_NOT_RESCALED = hint("En dropout invertido las unidades que quedan se dividen por p_keep: y = x·η/p_keep "
                     "(así E[y] = x y en evaluación no hay que reescalar).",
                     "In inverted dropout the kept units are divided by p_keep: y = x·η/p_keep "
                     "(so that E[y] = x and evaluation needs no rescaling).")
_DIVIDED_BY_DROP = hint("Se divide por la probabilidad de conservar, p_keep, no por la de descartar (1 − p_keep).",
                        "Divide by the probability of keeping, p_keep, not by that of dropping (1 − p_keep).")

register(GradedFunction(
    name="dropout_forward", exercise_set="003", parameters=("x", "p_keep", "u"), outputs=("y", "mask"),
    make_cases=_dropout_cases, reference=_dropout_reference,
    summary={"es": "dropout invertido: η = (u < p_keep), y = x·η/p_keep",
             "en": "inverted dropout: η = (u < p_keep), y = x·η/p_keep"},
    detectors=mistakes(
        _dropout_reference,
        ("dropout_not_rescaled", _NOT_RESCALED, _dropout_with(lambda u, p: u < p, lambda p: 1.0)),
        ("dropout_divided_by_drop_probability", _DIVIDED_BY_DROP,
         _dropout_with(lambda u, p: u < p, lambda p: 1 / np.float64(1 - p))),
        ("dropout_p_keep_as_drop_probability",
         hint("p_keep es la probabilidad de conservar una unidad: η = (u < p_keep). Usaste p_keep como "
              "probabilidad de descartarla.",
              "p_keep is the probability of keeping a unit: η = (u < p_keep). You used p_keep as the "
              "probability of dropping it."),
         lambda x, p_keep, u: (None, u < 1 - p_keep)),
        ("dropout_mask_inverted",
         hint("La máscara está invertida: se conservan las unidades con u < p_keep, no las de u ≥ p_keep.",
              "The mask is inverted: keep the units with u < p_keep, not those with u ≥ p_keep."),
         lambda x, p_keep, u: (None, u >= p_keep)),
        ("dropout_mask_not_strict",
         hint("La comparación es estricta: η = (u < p_keep); una unidad con u = p_keep se descarta.",
              "The comparison is strict: η = (u < p_keep); a unit with u = p_keep is dropped."),
         lambda x, p_keep, u: (None, u <= p_keep)),
    ),
))


def _dropout_backward_cases(rng):
    cases = []
    for case in _dropout_cases(rng):
        x, p_keep, u = case.args
        cases.append(Case(case.kind, (normal(rng, *x.shape), (u < p_keep).astype(np.float64), p_keep), case.note))
    n, d = cases[0].args[0].shape
    cases.append(Case("edge", (normal(rng, n, d), np.zeros((n, d)), 0.6),
                      note("todas las unidades descartadas: el gradiente es 0",
                           "every unit dropped: the gradient is 0")))
    return cases


def _dropout_backward_reference(dy, mask, p_keep):
    return (F.dropout_backward(dy, mask.astype(np.uint8), p_keep),)


def _dropout_backward_wrong(scale_of):
    def wrong(dy, mask, p_keep):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (dy * mask * scale_of(p_keep),)
    return wrong


register(GradedFunction(
    name="dropout_backward", exercise_set="003", parameters=("dy", "mask", "p_keep"), outputs=("dx",),
    make_cases=_dropout_backward_cases,
    reference=_dropout_backward_reference,
    summary={"es": "gradiente del dropout invertido: dx = dy·η/p_keep",
             "en": "inverted dropout gradient: dx = dy·η/p_keep"},
    detectors=mistakes(
        _dropout_backward_reference,
        ("dropout_backward_not_rescaled", _NOT_RESCALED, _dropout_backward_wrong(lambda p: 1.0)),
        ("dropout_backward_divided_by_drop_probability", _DIVIDED_BY_DROP,
         _dropout_backward_wrong(lambda p: 1 / np.float64(1 - p))),
    ),
    # the forward with x = 0 and draws u that give the same mask (u = 0 kept, u = 1 − 1e-9 dropped)
    gradient_check=GradientCheck(forward="dropout_forward",
                                 forward_args=lambda a: (np.zeros_like(a[0]), a[2], np.where(a[1] > 0, 0.0, 1 - 1e-9)),
                                 upstream=0, inputs={0: 0}),
))
