"""The L2 penalty, or weight decay (lectures 003 and 004 §4).

J(θ) = (1/B) Σ_i L_i(θ) + Σ_l λ/2 · ‖W^[l]‖²_F, whose gradient adds λ W^[l] to
each weight's gradient. One gradient-descent step on J is the decayed update
w ← (1 − lr·λ)·w − lr·dw. The penalty is over weights only: biases and batch
normalisation's γ and β are never decayed (``Parameter.decay`` says which).
Lecture 003 writes λ/(2N): that is this penalty with λ/N.
"""

from __future__ import annotations

from .. import validation as check
from ..backends import backend_for


def _lam(lam):
    return check.real_number("lam", lam, low=0)


def l2_penalty(weights, lam):
    """(λ/2 · Σ_W ‖W‖², [λ·W for each W]) for a list of weight arrays.

    The value is a Python float (each ‖W‖² summed in W's own dtype); each
    gradient has the dtype and shape of its W.
    """
    lam = _lam(lam)
    if check.is_array(weights) or not isinstance(weights, (list, tuple)):
        raise TypeError(f"weights must be a list or tuple of arrays, got {check.describe(weights)}")
    arrays = [check.float_array(f"weights[{i}]", w) for i, w in enumerate(weights)]
    total = 0.0
    grads = []
    for w in arrays:
        be = backend_for(w)
        total += be.arrays.squared_norm(w)
        grad = be.empty(w.shape, w.dtype)
        be.arrays.scale(w, lam, grad)
        grads.append(grad)
    return 0.5 * lam * total, grads


def decayed(parameters):
    """The ``Parameter``s the L2 penalty applies to: those with ``decay=True`` (weights, not
    biases or batch-norm parameters)."""
    return [p for p in parameters if p.decay]


def add_l2_penalty(parameters, lam):
    """Add λ·W to the gradient of every decayed ``Parameter`` (in place) and return the
    penalty λ/2 · Σ‖W‖² over them, to be added to the loss."""
    lam = _lam(lam)
    chosen = decayed(parameters)
    if not chosen or lam == 0:
        return 0.0
    total = 0.0
    for p in chosen:
        be = backend_for(p.value)
        total += be.arrays.squared_norm(p.value)
        be.arrays.add_scaled(p.grad, p.value, lam)
    return 0.5 * lam * total
