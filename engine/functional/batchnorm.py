"""Batch normalisation, functional form (lecture 003 "Batch Norm", 004 §4).

For activations x whose last axis holds the C channels, dense (N, D) or NHWC
images (N, H, W, C), each channel c is normalised over the M = x.size / C
values it takes in the batch (over N, or over N, H and W):

    μ_c = (1/M) Σ x,   σ²_c = (1/M) Σ (x − μ_c)²   (the biased batch variance),
    x̂ = (x − μ_c) / sqrt(σ²_c + ε),   y = γ_c · x̂ + β_c,   ε = 1e-3 (Keras).

Running statistics follow r ← momentum·r + (1 − momentum)·batch with
momentum = 0.99 and the biased variance (Keras; PyTorch stores the unbiased
one and calls 1 − momentum its momentum). Evaluation normalises with them.

Arrays γ, β, μ, σ² and 1/sqrt(σ² + ε) have shape (C,) and x's dtype.
"""

from __future__ import annotations

import numpy as np

from .. import validation as check
from ..backends import backend_for
from .dropout import check_mask, check_p_keep, check_seed, dropout_key_and_threshold
from .scratch import thread_blocks

EPSILON = 1e-3
MOMENTUM = 0.99


def _activations(name, x):
    x = check.float_array(name, x)
    if x.ndim < 2:
        raise ValueError(f"{name} must be a batch (N, D) or (N, H, W, C) with channels last, got shape {x.shape}")
    check.non_empty_batch(name, x)
    if x.size == 0:
        raise ValueError(f"{name} must have at least one value per sample and channel, got shape {x.shape}")
    return x


def _per_channel(name, value, x, why="one value per channel, the last axis of x"):
    value = check.float_array(name, value, ndim=1)
    check.shape_equal(name, value, (x.shape[-1],), why)
    if value.dtype != x.dtype:
        raise TypeError(f"{name} must have x's dtype {x.dtype} (no silent casting), got {value.dtype}")
    return value


def _eps(eps):
    return check.real_number("eps", eps, low=0, low_open=True)


def _upstream(dy, x):
    dy = check.float_array("dy", dy)
    check.shape_equal("dy", dy, x.shape, "the shape of x")
    check.same_dtype(dy=dy, x=x)
    return dy


def _geometry(x):
    """(flat view, channels, rows M, parallel blocks)."""
    channels = x.shape[-1]
    rows = x.size // channels
    return x.reshape(-1), channels, rows, thread_blocks(rows)


def _batch_statistics(be, x, flat, channels, blocks, eps):
    """(μ_B, σ²_B, 1/sqrt(σ²_B + ε)) per channel: the biased batch moments."""
    mean, var, inv_std = (be.empty((channels,), x.dtype) for _ in range(3))
    be.batchnorm.moments(flat, channels, blocks, mean, var)
    be.batchnorm.inverse_std(var, eps, inv_std)
    return mean, var, inv_std


def _product(be, a, b):
    """a·b per channel, on a's backend."""
    out = be.empty(a.shape, a.dtype)
    be.batchnorm.multiply(a, b, out)
    return out


def _no_dropout(be):
    """The kernels' (dropped, mask, p_keep) arguments when no dropout follows."""
    return False, be.empty(0, np.uint8), 1.0


def batchnorm_forward(x, gamma, beta, eps=EPSILON):
    """Training-mode batch norm: (y, mean, var, inv_std) with y = γ·(x − μ_B)/sqrt(σ²_B + ε) + β.

    ``mean`` = μ_B and ``var`` = σ²_B (biased) are the batch statistics per channel, for
    ``update_moving_statistics``; ``inv_std`` = 1/sqrt(σ²_B + ε), for ``batchnorm_backward``.
    """
    x = _activations("x", x)
    gamma, beta = _per_channel("gamma", gamma, x), _per_channel("beta", beta, x)
    eps = _eps(eps)
    be = backend_for(x)
    flat, channels, _, blocks = _geometry(x)
    mean, var, inv_std = _batch_statistics(be, x, flat, channels, blocks, eps)
    y = be.empty(x.shape, x.dtype)
    be.batchnorm.affine(flat, channels, blocks, mean, _product(be, gamma, inv_std), beta, y.reshape(-1))
    return y, mean, var, inv_std


def batchnorm_backward(dy, x, gamma, mean, inv_std):
    """(∂L/∂x, ∂L/∂γ, ∂L/∂β) of training-mode batch norm, whose μ_B and σ²_B depend on x:

    ∂L/∂β = Σ dy,   ∂L/∂γ = Σ dy·x̂,
    ∂L/∂x = (γ/sqrt(σ² + ε)) · (dy − (1/M) Σ dy − x̂ · (1/M) Σ dy·x̂),

    sums per channel over the M rows; ``mean`` and ``inv_std`` as returned by ``batchnorm_forward``.
    """
    x = _activations("x", x)
    dy = _upstream(dy, x)
    return _training_backward(dy, x, gamma, mean, inv_std, None)


def _training_backward(dy, x, gamma, mean, inv_std, dropout):
    gamma, mean = _per_channel("gamma", gamma, x), _per_channel("mean", mean, x)
    inv_std = _per_channel("inv_std", inv_std, x)
    be = backend_for(x)
    dropout = _no_dropout(be) if dropout is None else dropout
    flat, channels, rows, blocks = _geometry(x)
    dbeta, sum_dy_xc = be.empty((channels,), x.dtype), be.empty((channels,), x.dtype)
    be.batchnorm.gradient_sums(dy.reshape(-1), flat, channels, blocks, mean, dbeta, sum_dy_xc, *dropout)
    dgamma, scale, slope, offset = (be.empty((channels,), x.dtype) for _ in range(4))
    be.batchnorm.backward_coefficients(gamma, inv_std, sum_dy_xc, dbeta, rows, dgamma, scale, slope, offset)
    dx = be.empty(x.shape, x.dtype)
    be.batchnorm.input_gradient(dy.reshape(-1), flat, channels, blocks, mean, scale, slope, offset, dx.reshape(-1),
                                *dropout)
    return dx, dgamma, dbeta


def batchnorm_dropout_forward(x, gamma, beta, p_keep, seed, eps=EPSILON):
    """Training-mode batch norm followed by inverted dropout, as one pass over the output:
    (z, mean, var, inv_std, mask) with z = (γ·x̂ + β) ⊙ η / p_keep, η ~ Ber(p_keep).

    The same values and mask as ``dropout_forward(batchnorm_forward(x, gamma, beta, eps)[0],
    p_keep, seed)``; each chunk is dropped while in the cache and the intermediate
    γ·x̂ + β is never stored.
    """
    x = _activations("x", x)
    gamma, beta = _per_channel("gamma", gamma, x), _per_channel("beta", beta, x)
    eps, p_keep, seed = _eps(eps), check_p_keep(p_keep), check_seed(seed)
    be = backend_for(x)
    flat, channels, _, blocks = _geometry(x)
    mean, var, inv_std = _batch_statistics(be, x, flat, channels, blocks, eps)
    z, mask = be.empty(x.shape, x.dtype), be.empty(x.shape, np.uint8)
    key, threshold = dropout_key_and_threshold(be, p_keep, seed)
    be.batchnorm.affine_dropout(flat, channels, blocks, mean, _product(be, gamma, inv_std), beta, key, threshold,
                                p_keep, z.reshape(-1), mask.reshape(-1))
    return z, mean, var, inv_std, mask


def batchnorm_dropout_backward(dz, x, gamma, mean, inv_std, mask, p_keep):
    """(∂L/∂x, ∂L/∂γ, ∂L/∂β) of ``batchnorm_dropout_forward``: ``batchnorm_backward`` of
    dy = dz ⊙ η / p_keep, the dropout's gradient formed on the fly, never stored."""
    x = _activations("x", x)
    dz = _upstream(dz, x)
    p_keep = check_p_keep(p_keep)
    mask = check_mask(mask, x.shape)
    return _training_backward(dz, x, gamma, mean, inv_std, (True, mask.reshape(-1), p_keep))


def _moving(x, moving_mean, moving_variance):
    moving_mean = _per_channel("moving_mean", moving_mean, x)
    moving_variance = _per_channel("moving_variance", moving_variance, x)
    if isinstance(moving_variance, np.ndarray) and np.any(moving_variance < 0):  # a GPU array is not read back
        raise ValueError("moving_variance must be non-negative")
    return moving_mean, moving_variance


def batchnorm_inference(x, gamma, beta, moving_mean, moving_variance, eps=EPSILON):
    """Evaluation-mode batch norm: y = γ·(x − r_μ)/sqrt(r_σ² + ε) + β with the running statistics."""
    x = _activations("x", x)
    gamma, beta = _per_channel("gamma", gamma, x), _per_channel("beta", beta, x)
    moving_mean, moving_variance = _moving(x, moving_mean, moving_variance)
    eps = _eps(eps)
    be = backend_for(x)
    flat, channels, _, blocks = _geometry(x)
    y = be.empty(x.shape, x.dtype)
    inv_std = be.empty((channels,), x.dtype)
    be.batchnorm.inverse_std(moving_variance, eps, inv_std)
    be.batchnorm.affine(flat, channels, blocks, moving_mean, _product(be, gamma, inv_std), beta, y.reshape(-1))
    return y


def batchnorm_inference_backward(dy, x, gamma, moving_mean, moving_variance, eps=EPSILON):
    """(∂L/∂x, ∂L/∂γ, ∂L/∂β) of evaluation-mode batch norm, an affine map per channel:
    ∂L/∂x = dy · γ/sqrt(r_σ² + ε), ∂L/∂γ = Σ dy·x̂, ∂L/∂β = Σ dy."""
    x = _activations("x", x)
    dy = _upstream(dy, x)
    gamma = _per_channel("gamma", gamma, x)
    moving_mean, moving_variance = _moving(x, moving_mean, moving_variance)
    eps = _eps(eps)
    be = backend_for(x)
    flat, channels, _, blocks = _geometry(x)
    inv_std = be.empty((channels,), x.dtype)
    be.batchnorm.inverse_std(moving_variance, eps, inv_std)
    dbeta, sum_dy_xc = be.empty((channels,), x.dtype), be.empty((channels,), x.dtype)
    no_dropout = _no_dropout(be)
    be.batchnorm.gradient_sums(dy.reshape(-1), flat, channels, blocks, moving_mean, dbeta, sum_dy_xc, *no_dropout)
    zero = be.zeros((channels,), x.dtype)
    dx = be.empty(x.shape, x.dtype)
    be.batchnorm.input_gradient(dy.reshape(-1), flat, channels, blocks, moving_mean, _product(be, gamma, inv_std),
                                zero, zero, dx.reshape(-1), *no_dropout)
    return dx, _product(be, sum_dy_xc, inv_std), dbeta


def update_moving_statistics(moving_mean, moving_variance, mean, var, momentum=MOMENTUM):
    """In place: r_μ ← momentum·r_μ + (1 − momentum)·μ_B and r_σ² ← momentum·r_σ² + (1 − momentum)·σ²_B,
    σ²_B the biased batch variance (Keras' convention, momentum = 0.99)."""
    momentum = check.real_number("momentum", momentum, low=0, high=1)
    batches = []
    for name, moving, batch in (("moving_mean", moving_mean, mean), ("moving_variance", moving_variance, var)):
        if not check.is_array(moving) or moving.dtype not in check.FLOAT_DTYPES or moving.ndim != 1:
            raise TypeError(f"{name} must be a 1-D float32 or float64 array, updated in place, got "
                            f"{check.describe(moving)}")
        if not check.in_place_target(moving):
            raise ValueError(f"{name} must be a contiguous, writeable array (it is updated in place)")
        batch_name = "mean" if name == "moving_mean" else "var"
        batch = check.float_array(batch_name, batch, ndim=1)
        check.shape_equal(batch_name, batch, moving.shape, f"the shape of {name}")
        check.same_dtype(**{name: moving, batch_name: batch})
        batches.append(batch)
    be = backend_for(moving_mean)
    be.batchnorm.update_moving(moving_mean, batches[0], momentum)
    be.batchnorm.update_moving(moving_variance, batches[1], momentum)
