"""Numerical gradient checking: compare a backward pass with central finite differences.

For a function f of an array x, ∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε),
with an error of order ε². To check a backward pass for an operation y = op(x, ...),
pick a random upstream gradient dy and differentiate the scalar L = Σ y ⊙ dy:
its gradient is exactly what backward(dy, ...) must return. Use float64: in
float32 the differences drown in rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backends import to_host


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar function ``f()`` with respect to the array ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    flat, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        plus = f()
        flat[i] = saved - eps
        minus = f()
        flat[i] = saved
        flat_grad[i] = (plus - minus) / (2 * eps)
    return grad.astype(x.dtype)


def relative_error(a, b) -> float:
    """max |a − b| / max(|a| + |b|, tiny): scale-free, 0 for identical arrays."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12), initial=0.0))


def scaled_error(a, b) -> float:
    """max |a − b| / (max |a| + max |b|): the error relative to the array's scale, so that an
    entry whose gradient is almost 0 is not judged by finite-difference noise alone."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = np.max(np.abs(a), initial=0.0) + np.max(np.abs(b), initial=0.0)
    return float(np.max(np.abs(a - b), initial=0.0) / max(scale, 1e-12))


@dataclass
class GradcheckResult:
    errors: dict[str, float]
    tolerance: float

    @property
    def passed(self) -> bool:
        return all(e <= self.tolerance for e in self.errors.values())

    def __str__(self):
        lines = [f"{name}: relative error {err:.2e} {'ok' if err <= self.tolerance else 'FAILED'}"
                 for name, err in self.errors.items()]
        return "\n".join(lines)


def gradcheck(forward, backward, inputs: dict, eps=1e-6, tolerance=1e-6, seed=None) -> GradcheckResult:
    """Check ``backward`` against finite differences of ``forward``.

    ``forward(**inputs)`` returns an array y; ``backward(dy, **inputs)``
    returns the gradients with respect to the inputs, in the order of
    ``inputs`` (a tuple, or one array for a single input). Example::

        gradcheck(dense_forward, dense_backward_adapter, {"x": x, "W": W, "b": b})
    """
    for name, value in inputs.items():
        if not isinstance(value, np.ndarray) or value.dtype != np.float64:
            raise TypeError(f"inputs[{name!r}] must be a float64 array (gradient checks need double precision)")
    y = forward(**inputs)
    dy = np.random.default_rng(seed).standard_normal(np.shape(y))
    grads = backward(dy, **inputs)
    if isinstance(grads, np.ndarray):
        grads = (grads,)
    if len(grads) != len(inputs):
        raise ValueError(f"backward returned {len(grads)} gradients for {len(inputs)} inputs")
    errors = {}
    for (name, value), analytic in zip(inputs.items(), grads):
        if np.shape(analytic) != value.shape:
            raise ValueError(
                f"backward returned a gradient of shape {np.shape(analytic)} for {name!r}, "
                f"which has shape {value.shape}: a gradient has the shape of its input"
            )
        numeric = numerical_gradient(lambda: float(np.sum(forward(**inputs) * dy)), value, eps)
        errors[name] = relative_error(analytic, numeric)
    return GradcheckResult(errors, tolerance)


def check_model_gradients(model, x, target, loss, eps=1e-6, max_entries=20, seed=0) -> GradcheckResult:
    """Check a float64 model's backpropagated parameter gradients on up to ``max_entries``
    randomly chosen entries of every parameter (the whole model is re-run per entry).
    Each parameter's error is ``scaled_error`` of its checked entries.
    ``model``: a ``Sequential`` or anything with ``dtype``, ``loss_and_backward``,
    ``parameters`` and ``named_parameters`` (an ``Autoencoder``)."""
    if model.dtype != np.float64:
        raise TypeError("check_model_gradients needs a model built with dtype=np.float64")
    model.loss_and_backward(x, target, loss)
    analytic_grads = {id(p): np.array(to_host(p.grad)).reshape(-1) for p in model.parameters()}  # copies
    rng = np.random.default_rng(seed)
    errors = {}
    for name, p in model.named_parameters().items():
        flat, analytic = p.value.reshape(-1), analytic_grads[id(p)]
        picks = rng.choice(flat.size, size=min(max_entries, flat.size), replace=False)
        numeric = np.empty(len(picks))
        for k, i in enumerate(picks):
            saved = flat[i]
            flat[i] = saved + eps
            plus = model.loss_and_backward(x, target, loss)[0]
            flat[i] = saved - eps
            minus = model.loss_and_backward(x, target, loss)[0]
            flat[i] = saved
            numeric[k] = (plus - minus) / (2 * eps)
        errors[name] = scaled_error(analytic[picks], numeric)
    model.loss_and_backward(x, target, loss)  # leave the true gradients in place
    return GradcheckResult(errors, tolerance=1e-5)
