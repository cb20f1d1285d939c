"""Lecture 003, Regularización: the L2 penalty and the decayed update, batch norm (forward, backward,
running statistics), inverted dropout, and three data augmentations.

L2 follows the engine (``engine.functional.l2_penalty``): λ/2·‖W‖² with gradient λW, and
one SGD step on it is the decayed update W ← (1 − lr·λ)·W − lr·dW, biases never decayed.
Batch norm normalises each channel (the last axis) over every other axis, with the
biased batch variance: x̂ = (x − μ_B)/sqrt(σ²_B + ε), y = γ·x̂ + β (``engine.functional``).
Dropout is graded with the uniform draws u given, so that every submission draws the
same mask: η = (u < p_keep), y = x ⊙ η / p_keep. The augmentations follow
``engine.augment`` with their random draws given: the horizontal flip of every image, the
random crop at the offsets (top, left) of the padded image, the contrast change with one
factor per image.
"""

from __future__ import annotations

import numpy as np

import engine.functional as F
from engine import augment
from engine.backends import backend_for

from ..registry import Case, GradedFunction, GradientCheck, register
from .common import hint, hyperparameter, mistakes, normal, note
from .stateful import like, next_rng

_EPS = 1e-3


# -- L2 penalty ------------------------------------------------------------------------------------
def _l2_cases(rng):
    d_in, d_out = int(rng.integers(2, 9)), int(rng.integers(2, 7))
    kernel = (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(2, 5)))
    random_shape = (int(rng.integers(1, 30)), int(rng.integers(1, 12)))
    return [
        Case("typical", (normal(rng, d_in, d_out, scale=0.5), hyperparameter(rng, 0.001, 0.1))),
        Case("typical", (normal(rng, *kernel, scale=0.3), hyperparameter(rng, 0.001, 0.1)),
             note("un núcleo de convolución (KH, KW, C, F): se suman todos sus elementos",
                  "a convolution kernel (KH, KW, C, F): every element is summed")),
        Case("edge", (normal(rng, d_in, d_out), 0.0),
             note("λ = 0: ni penalización ni gradiente", "λ = 0: no penalty and no gradient")),
        Case("edge", (np.zeros((d_in, d_out)), hyperparameter(rng, 0.001, 0.1)),
             note("pesos nulos: penalización y gradiente 0", "zero weights: zero penalty and gradient")),
        Case("edge", (normal(rng, 1, 1, scale=3.0), 1.0), note("un solo peso, λ = 1", "a single weight, λ = 1")),
        Case("random", (normal(rng, *random_shape, scale=float(np.exp(rng.uniform(-2, 1)))),
                        hyperparameter(rng, 0.0001, 1.0))),
    ]


def _l2_reference(W, lam):
    value, grads = F.l2_penalty([W], lam)
    return value, grads[0]


register(GradedFunction(
    name="l2_penalty", exercise_set="003", parameters=("W", "lam"), outputs=("penalty", "dW"),
    make_cases=_l2_cases, reference=_l2_reference,
    summary={"es": "penalización L2 de una matriz de pesos: λ/2·Σ w², con gradiente λ·W",
             "en": "L2 penalty of a weight array: λ/2·Σ w², with gradient λ·W"},
    detectors=mistakes(
        _l2_reference,
        ("l2_without_half",
         hint("La penalización es λ/2·Σ w² (el 1/2 hace que su derivada sea λ·w, sin un 2): falta dividir por 2.",
              "The penalty is λ/2·Σ w² (the 1/2 makes its derivative λ·w, without a 2): divide by 2."),
         lambda W, lam: (lam * np.sum(W ** 2), None)),
        ("l2_gradient_doubled",
         hint("La derivada de λ/2·w² es λ·w: el 2 del cuadrado se cancela con el 1/2.",
              "The derivative of λ/2·w² is λ·w: the square's 2 cancels the 1/2."),
         lambda W, lam: (None, 2 * lam * W)),
        ("l2_norm_not_squared",
         hint("Se penaliza la norma al cuadrado, ‖W‖² = Σ w², no la norma ‖W‖ = √(Σ w²).",
              "The squared norm is penalised, ‖W‖² = Σ w², not the norm ‖W‖ = √(Σ w²)."),
         lambda W, lam: (lam / 2 * np.sqrt(np.sum(W ** 2)), None)),
    ),
))


# -- the decayed update ---------------------------------------------------------------------------------
def _layer(rng, *shape):
    """(W, b, dW, db) of a layer whose weights have ``shape`` (the bias: the last axis)."""
    return (normal(rng, *shape, scale=0.5), normal(rng, shape[-1], scale=0.5),
            normal(rng, *shape), normal(rng, shape[-1]))


def _decay_cases(rng):
    d_in, d_out = int(rng.integers(2, 9)), int(rng.integers(2, 7))
    kernel = (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(2, 5)))
    W, b, _, _ = _layer(rng, d_in, d_out)
    random_shape = (int(rng.integers(1, 20)), int(rng.integers(1, 10)))
    return [
        Case("typical", (*_layer(rng, d_in, d_out), hyperparameter(rng, 0.01, 0.2), hyperparameter(rng, 0.001, 0.1))),
        Case("typical", (*_layer(rng, d_in, d_out), 0.1, 0.05), steps=3,
             note=note("tres pasos seguidos: cada uno parte de los pesos del anterior",
                       "three steps in a row: each starts from the previous one's weights")),
        Case("typical", (*_layer(rng, *kernel), hyperparameter(rng, 0.01, 0.2), hyperparameter(rng, 0.001, 0.1)),
             note("una capa convolucional: W (KH, KW, C, F), b (F,)",
                  "a convolutional layer: W (KH, KW, C, F), b (F,)")),
        Case("edge", (W, b, np.zeros_like(W), np.zeros_like(b), 0.1, 0.5),
             note("gradientes nulos: W sólo decae, W·(1 − lr·λ), y b no cambia",
                  "zero gradients: W only decays, W·(1 − lr·λ), and b does not change")),
        Case("edge", (*_layer(rng, d_in, d_out), hyperparameter(rng, 0.01, 0.2), 0.0),
             note("λ = 0: el paso de SGD de siempre", "λ = 0: the plain SGD step")),
        Case("random", (*_layer(rng, *random_shape), hyperparameter(rng, 0.001, 0.5), hyperparameter(rng, 0.0001, 0.5)),
             steps=2),
    ]


def _decay_reference(W, b, dW, db, lr, lam):
    W, b = W.copy(), b.copy()
    F.sgd_update(W, dW, lr, weight_decay=lam)
    F.sgd_update(b, db, lr)
    return W, b


def _next_gradients(args, outputs):
    """The next step: the updated weights and fresh gradients of the same sizes."""
    _, _, dW, db, lr, lam = args
    rng = next_rng(*args[:4])
    return (outputs[0], outputs[1], like(rng, dW), like(rng, db), lr, lam)


register(GradedFunction(
    name="decayed_update", exercise_set="003", parameters=("W", "b", "dW", "db", "lr", "lam"), outputs=("W", "b"),
    make_cases=_decay_cases, reference=_decay_reference, next_args=_next_gradients,
    summary={"es": "paso de SGD con decaimiento de pesos: W ← (1 − lr·λ)·W − lr·dW, b ← b − lr·db",
             "en": "SGD step with weight decay: W ← (1 − lr·λ)·W − lr·dW, b ← b − lr·db"},
    detectors=mistakes(
        _decay_reference,
        ("decay_applied_to_bias",
         hint("El sesgo no se penaliza (la penalización L2 suma sólo los pesos W): b ← b − lr·db, sin decaimiento.",
              "The bias is not penalised (the L2 penalty sums the weights W only): b ← b − lr·db, without decay."),
         lambda W, b, dW, db, lr, lam: (None, (1 - lr * lam) * b - lr * db)),
        ("decay_after_gradient_step",
         hint("El decaimiento multiplica a los pesos de antes del paso: W ← (1 − lr·λ)·W − lr·dW. Aplicarlo "
              "después, (1 − lr·λ)·(W − lr·dW), achica también el paso del gradiente.",
              "The decay multiplies the weights before the step: W ← (1 − lr·λ)·W − lr·dW. Applying it after, "
              "(1 − lr·λ)·(W − lr·dW), also shrinks the gradient step."),
         lambda W, b, dW, db, lr, lam: ((1 - lr * lam) * (W - lr * dW), None)),
        ("decay_without_learning_rate",
         hint("El factor de decaimiento es (1 − lr·λ): el gradiente de la penalización, λ·W, también se "
              "multiplica por la velocidad de aprendizaje.",
              "The decay factor is (1 − lr·λ): the penalty's gradient, λ·W, is multiplied by the learning "
              "rate too."),
         lambda W, b, dW, db, lr, lam: ((1 - lam) * W - lr * dW, None)),
    ),
))


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


# -- data augmentation -------------------------------------------------------------------------------------
def _images(rng, n, height, width, channels):
    """Images with values in [0, 1], as the digits."""
    return rng.random((n, height, width, channels))


def _image_shape(rng, channels=1):
    return int(rng.integers(2, 6)), int(rng.integers(3, 8)), int(rng.integers(3, 8)), channels


def _flip_cases(rng):
    return [
        Case("typical", (_images(rng, *_image_shape(rng)),)),
        Case("typical", (_images(rng, *_image_shape(rng, channels=3)),),
             note("tres canales (RGB): los canales no se tocan",
                  "three channels (RGB): the channels stay as they are")),
        Case("edge", (_images(rng, 1, int(rng.integers(2, 6)), int(rng.integers(2, 6)), 2),),
             note("una sola imagen", "a single image")),
        Case("edge", (_images(rng, 3, 4, 1, 1),),
             note("imágenes de una sola columna: voltearlas no cambia nada",
                  "images one column wide: flipping them changes nothing")),
        Case("random", (_images(rng, int(rng.integers(1, 9)), int(rng.integers(1, 12)), int(rng.integers(1, 12)),
                                int(rng.integers(1, 4))),)),
    ]


def _flip_reference(x):
    return (augment.flip_horizontal(x, 0, p=1.0),)


register(GradedFunction(
    name="flip_horizontal", exercise_set="003", parameters=("x",), outputs=("y",),
    make_cases=_flip_cases, reference=_flip_reference,
    summary={"es": "volteo horizontal de un lote NHWC: y[n, i, j] = x[n, i, W − 1 − j]",
             "en": "horizontal flip of an NHWC batch: y[n, i, j] = x[n, i, W − 1 − j]"},
    detectors=mistakes(
        _flip_reference,
        ("flip_upside_down",
         hint("Volteaste las filas (arriba ↔ abajo). En NHWC las columnas son el eje 2: x[:, :, ::-1, :]. "
              "(np.fliplr invierte el eje 1, que en NHWC son las filas.)",
              "You flipped the rows (top ↔ bottom). In NHWC the columns are axis 2: x[:, :, ::-1, :]. "
              "(np.fliplr reverses axis 1, the rows in NHWC.)"),
         lambda x: (x[:, ::-1, :, :],)),
        ("flip_channels",
         hint("Invertiste el último eje, que en NHWC son los canales, no las columnas: las columnas son el eje 2.",
              "You reversed the last axis, the channels in NHWC, not the columns: the columns are axis 2."),
         lambda x: (x[..., ::-1],)),
        ("flip_batch",
         hint("Invertiste el orden de las imágenes del lote (eje 0): cada imagen se voltea sobre sí misma, "
              "invirtiendo sus columnas (eje 2).",
              "You reversed the order of the images in the batch (axis 0): each image is flipped in place, "
              "reversing its columns (axis 2)."),
         lambda x: (x[::-1],)),
        ("flip_every_axis",
         hint("np.flip(x) sin eje invierte todos los ejes; sólo hay que invertir las columnas: np.flip(x, axis=2).",
              "np.flip(x) without an axis reverses every axis; reverse the columns only: np.flip(x, axis=2)."),
         lambda x: (x[::-1, ::-1, ::-1, ::-1],)),
    ),
))


def _offsets(rng, n, padding):
    """(top, left): one offset per image in 0..2·padding."""
    return (rng.integers(0, 2 * padding + 1, size=n).astype(np.int64),
            rng.integers(0, 2 * padding + 1, size=n).astype(np.int64))


def _crop_cases(rng):
    n, height, width, _ = _image_shape(rng)
    rgb = _image_shape(rng, channels=3)
    extremes = np.array([0, 4] * 3, dtype=np.int64)
    random_shape = (int(rng.integers(1, 9)), int(rng.integers(4, 12)), int(rng.integers(4, 12)),
                    int(rng.integers(1, 4)))
    random_padding = int(rng.integers(1, 4))
    return [
        Case("typical", (_images(rng, n, height, width, 1), 2, *_offsets(rng, n, 2))),
        Case("typical", (_images(rng, *rgb), 1, *_offsets(rng, rgb[0], 1)),
             note("tres canales (RGB)", "three channels (RGB)")),
        Case("edge", (_images(rng, n, height, width, 1), 0, np.zeros(n, np.int64), np.zeros(n, np.int64)),
             note("padding = 0: la imagen sale igual", "padding = 0: the image comes out unchanged")),
        Case("edge", (_images(rng, 6, 5, 6, 1), 2, extremes, extremes[::-1].copy()),
             note("desplazamientos extremos, 0 y 2·padding: la imagen se corre padding píxeles",
                  "extreme offsets, 0 and 2·padding: the image shifts by padding pixels")),
        Case("edge", (_images(rng, 1, 5, 7, 2), 1, *_offsets(rng, 1, 1)), note("una sola imagen", "a single image")),
        Case("random", (_images(rng, *random_shape), random_padding, *_offsets(rng, random_shape[0], random_padding))),
    ]


def _crop_reference(x, padding, top, left):
    y = np.empty_like(x)
    backend_for(x).augment.crop(x, np.asarray(top, np.int64), np.asarray(left, np.int64), padding, padding,
                                x.dtype.type(0), y)
    return (y,)


def _crop_with(top_of, left_of):
    def wrong(x, padding, top, left):
        return _crop_reference(x, padding, top_of(top, left, padding), left_of(top, left, padding))
    return wrong


register(GradedFunction(
    name="random_crop", exercise_set="003", parameters=("x", "padding", "top", "left"), outputs=("y",),
    make_cases=_crop_cases, reference=_crop_reference,
    summary={"es": "recorte al azar: rellenar con padding ceros por lado y recortar H × W desde (top[n], left[n])",
             "en": "random crop: pad with padding zeros per side and crop H × W from (top[n], left[n])"},
    detectors=mistakes(
        _crop_reference,
        ("crop_rows_and_columns_swapped",
         hint("top es el desplazamiento de las filas (eje 1) y left el de las columnas (eje 2); los usaste al revés.",
              "top is the offset of the rows (axis 1) and left that of the columns (axis 2); you swapped them."),
         _crop_with(lambda t, le, p: le, lambda t, le, p: t)),
        ("crop_one_offset_for_batch",
         hint("Cada imagen tiene su propio desplazamiento: la imagen n se recorta desde (top[n], left[n]); "
              "usaste el de la primera para todas.",
              "Each image has its own offset: image n is cropped from (top[n], left[n]); you used the first "
              "image's for all of them."),
         _crop_with(lambda t, le, p: np.full_like(t, t[0]), lambda t, le, p: np.full_like(le, le[0]))),
        ("crop_shift_reversed",
         hint("La ventana empieza en (top, left) de la imagen rellenada: con top = 0 se ve el borde de ceros "
              "de arriba y la imagen baja padding píxeles. Corriste la imagen hacia el otro lado.",
              "The window starts at (top, left) of the padded image: with top = 0 the zeros of the top border "
              "show and the image moves down by padding pixels. You shifted the image the other way."),
         _crop_with(lambda t, le, p: 2 * p - t, lambda t, le, p: 2 * p - le)),
    ),
))


def _contrast_cases(rng):
    n, height, width, _ = _image_shape(rng)
    rgb = _image_shape(rng, channels=3)
    constant = _images(rng, 2, 4, 4, 1)
    constant[0] = constant[0, 0, 0, 0]
    random_shape = (int(rng.integers(1, 9)), int(rng.integers(1, 10)), int(rng.integers(1, 10)),
                    int(rng.integers(1, 4)))

    def factors(count):
        return rng.uniform(0.5, 1.5, size=count)

    return [
        Case("typical", (_images(rng, n, height, width, 1), factors(n))),
        Case("typical", (_images(rng, *rgb), factors(rgb[0])),
             note("tres canales: una media por imagen y por canal", "three channels: one mean per image and channel")),
        Case("edge", (_images(rng, n, height, width, 1), np.ones(n)),
             note("factor 1: la imagen no cambia", "factor 1: the image does not change")),
        Case("edge", (_images(rng, n, height, width, 2), np.zeros(n)),
             note("factor 0: cada píxel pasa a valer la media de su canal",
                  "factor 0: every pixel becomes its channel's mean")),
        Case("edge", (constant, factors(2)),
             note("una imagen constante: no tiene contraste que cambiar", "a constant image: no contrast to change")),
        Case("edge", (_images(rng, 1, height, width, 1), np.array([2.5])),
             note("una sola imagen, factor 2.5: valores fuera de [0, 1], que no se recortan",
                  "a single image, factor 2.5: values outside [0, 1], not clipped")),
        Case("random", (_images(rng, *random_shape), rng.uniform(0.2, 2.0, size=random_shape[0]))),
    ]


def _contrast_reference(x, factor):
    return (np.concatenate([augment.contrast(x[n:n + 1], 0, low=f, high=f) for n, f in enumerate(factor)]),)


def _contrast_about(mean_of):
    def wrong(x, factor):
        mean = mean_of(x)
        return ((x - mean) * factor[:, None, None, None] + mean,)
    return wrong


register(GradedFunction(
    name="adjust_contrast", exercise_set="003", parameters=("x", "factor"), outputs=("y",),
    make_cases=_contrast_cases, reference=_contrast_reference,
    summary={"es": "cambio de contraste: y = (x − μ)·f + μ, μ la media de cada imagen y canal, f uno por imagen",
             "en": "contrast change: y = (x − μ)·f + μ, μ the mean of each image and channel, one f per image"},
    detectors=mistakes(
        _contrast_reference,
        ("contrast_batch_mean",
         hint("μ es la media de cada imagen (y canal) sobre H y W: x.mean(axis=(1, 2), keepdims=True), "
              "no la media de todo el lote.",
              "μ is the mean of each image (and channel) over H and W: x.mean(axis=(1, 2), keepdims=True), "
              "not the mean of the whole batch."),
         _contrast_about(lambda x: x.mean(axis=(0, 1, 2), keepdims=True))),
        ("contrast_mean_over_channels",
         hint("Hay una media por canal: promedia sólo sobre H y W (axis=(1, 2)), no también sobre los canales.",
              "There is one mean per channel: average over H and W only (axis=(1, 2)), not over the channels too."),
         _contrast_about(lambda x: x.mean(axis=(1, 2, 3), keepdims=True))),
        ("contrast_not_centred",
         hint("El contraste se cambia alrededor de la media: y = (x − μ)·f + μ. Multiplicar x·f cambia "
              "también el brillo (la media pasa a ser μ·f).",
              "Contrast changes about the mean: y = (x − μ)·f + μ. Multiplying x·f changes the brightness too "
              "(the mean becomes μ·f)."),
         lambda x, factor: (x * factor[:, None, None, None],)),
        ("contrast_clipped",
         hint("No recortes el resultado a [0, 1]: como en el motor, los valores pueden salir de ese rango.",
              "Do not clip the result to [0, 1]: as in the engine, the values may leave that range."),
         lambda x, factor: (np.clip(_contrast_reference(x, factor)[0], 0, 1),)),
    ),
))
