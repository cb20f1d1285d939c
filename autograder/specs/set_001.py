"""Lecture 001, Ciclo de trabajo: a dense layer forward and backward (y = x W + b)."""

from __future__ import annotations

import engine.functional as F

from ..registry import Case, Detector, GradedFunction, GradientCheck, register
from .common import hint, normal, note


def _dense_cases(rng):
    n, d, k = rng.integers(3, 9), rng.integers(2, 7), rng.integers(2, 6)
    return [
        Case("typical", (normal(rng, n, d), normal(rng, d, k), normal(rng, k))),
        Case("edge", (normal(rng, 1, d), normal(rng, d, k), normal(rng, k)), note("lote de un solo ejemplo", "a batch of one")),
        Case("edge", (normal(rng, n, 1), normal(rng, 1, 1), normal(rng, 1)), note("una entrada y una salida", "one input, one output")),
        Case("edge", (normal(rng, n, d, scale=1e6), normal(rng, d, k), normal(rng, k)), note("valores muy grandes", "very large values")),
        Case("random", (normal(rng, rng.integers(1, 12), 5), normal(rng, 5, 3), normal(rng, 3))),
    ]


register(GradedFunction(
    name="dense_forward", exercise_set="001", parameters=("x", "W", "b"), outputs=("y",),
    make_cases=_dense_cases, reference=lambda x, W, b: (F.dense_forward(x, W, b),),
    summary={"es": "capa densa: y = x W + b", "en": "dense layer: y = x W + b"},
    detectors=(
        Detector("missing_bias", hint("Parece que olvidaste sumar el sesgo b.", "It looks like the bias b is missing."),
                 lambda x, W, b: (x @ W,)),
    ),
))


def _dense_backward_cases(rng):
    cases = []
    for case in _dense_cases(rng):
        x, W, b = case.args
        dy = normal(rng, x.shape[0], W.shape[1])
        cases.append(Case(case.kind, (dy, x, W), case.note))
    return cases


register(GradedFunction(
    name="dense_backward", exercise_set="001", parameters=("dy", "x", "W"), outputs=("dx", "dW", "db"),
    make_cases=_dense_backward_cases, reference=lambda dy, x, W: tuple(F.dense_backward(dy, x, W)),
    summary={"es": "gradientes de la capa densa: dx = dy Wᵀ, dW = xᵀ dy, db = Σ dy",
             "en": "dense layer gradients: dx = dy Wᵀ, dW = xᵀ dy, db = Σ dy"},
    detectors=(
        Detector("transposed_weight_gradient",
                 hint("dW tiene la forma de W pero sale de dyᵀ x traspuesto mal: recuerda dW = xᵀ · dy.",
                      "dW must be xᵀ · dy (not (dyᵀ · x) reshaped)."),
                 lambda dy, x, W: (None, (dy.T @ x).reshape(W.shape), None)),
        Detector("db_not_summed",
                 hint("db debe sumar dy sobre el lote (eje 0), no promediarlo.",
                      "db must sum dy over the batch (axis 0), not average it."),
                 lambda dy, x, W: (None, None, dy.mean(axis=0))),
    ),
    gradient_check=GradientCheck(forward="dense_forward", forward_args=lambda a: (a[1], a[2], 0.0 * a[2][0]),
                                 upstream=0, inputs={0: 0, 1: 1}),
))
