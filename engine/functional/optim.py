"""Optimiser updates, functional form: each call performs one step *in place* (lecture 004 §2).

The formulas are the lecture's, not a framework's (see ``conventions``):

- SGD:       θ_t = θ_{t−1} − α g_t
- momentum:  m_t = β₁ m_{t−1} + (1 − β₁) g_t,  θ_t = θ_{t−1} − α m_t  (or α m̂_t, m̂_t = m_t / (1 − β₁^t))
- Nesterov:  m_t as momentum,  θ_t = θ_{t−1} − α (β₁ m_t + (1 − β₁) g_t)
- Adagrad:   s_t = s_{t−1} + g_t²,  θ_t = θ_{t−1} − α g_t / sqrt(s_t + ε)
- RMSProp:   v_t = β₂ v_{t−1} + (1 − β₂) g_t²,  θ_t = θ_{t−1} − α g_t / sqrt(v_t + ε)  (or v̂_t)
- Adam:      θ_t = θ_{t−1} − α m̂_t / sqrt(v̂_t + ε)

``t`` counts from 1 at the first update. ``weight_decay`` λ adds λθ to the
gradient (the gradient of the L2 penalty λ/2‖θ‖²); with SGD that is the
decayed update θ ← (1 − αλ)θ − αg. The parameter and state arrays must be
contiguous float arrays of one dtype: they are updated where they are.
"""

import numbers

from .. import validation as check
from ..backends import backend_for, backend_name


def flat_arrays(param, grad, **state):
    """Check a parameter, its gradient and its state arrays; return them as flat views
    [param, grad, *state] in that order, ready for an update kernel."""
    for name, value in {"param": param, "grad": grad, **state}.items():
        if not check.is_array(value) or value.dtype not in check.FLOAT_DTYPES:
            raise TypeError(f"{name} must be a float32 or float64 numpy array, got {check.describe(value)}")
        if name != "grad" and not check.in_place_target(value):
            raise ValueError(f"{name} must be C-contiguous: it is updated in place")
        if name != "param":
            check.shape_equal(name, value, param.shape, "the shape of param")
    where = {name: backend_name(value) for name, value in {"param": param, "grad": grad, **state}.items()}
    if len(set(where.values())) > 1:
        raise ValueError(f"param, grad and state must live on one backend, got {where}")
    check.same_dtype(param=param, grad=grad, **state)
    grad = check.float_array("grad", grad)  # a contiguous copy of a strided host gradient
    return [param.reshape(-1), grad.reshape(-1)] + [s.reshape(-1) for s in state.values()]


def _step(t):
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 1:
        raise ValueError(f"t must be the step number, an integer >= 1 (counted from 1 at the first update), got {t!r}")
    return int(t)


def _rate(lr, weight_decay):
    return check.real_number("lr", lr, low=0), check.real_number("weight_decay", weight_decay, low=0)


def _beta(name, value):
    return check.real_number(name, value, low=0, high=1, high_open=True)


def sgd_update(param, grad, lr, weight_decay=0.0):
    lr, weight_decay = _rate(lr, weight_decay)
    arrays = flat_arrays(param, grad)
    backend_for(param).optim.sgd(*arrays, lr, weight_decay)
    return param


def momentum_update(param, grad, m, t, lr, beta1=0.9, bias_correction=False, weight_decay=0.0):
    lr, weight_decay = _rate(lr, weight_decay)
    arrays = flat_arrays(param, grad, m=m)
    backend_for(param).optim.momentum(*arrays, lr, _beta("beta1", beta1), _step(t), bool(bias_correction), weight_decay)
    return param


def nesterov_update(param, grad, m, lr, beta1=0.9, weight_decay=0.0):
    lr, weight_decay = _rate(lr, weight_decay)
    arrays = flat_arrays(param, grad, m=m)
    backend_for(param).optim.nesterov(*arrays, lr, _beta("beta1", beta1), weight_decay)
    return param


def adagrad_update(param, grad, s, lr, eps=1e-8, weight_decay=0.0):
    lr, weight_decay = _rate(lr, weight_decay)
    arrays = flat_arrays(param, grad, s=s)
    backend_for(param).optim.adagrad(*arrays, lr, check.real_number("eps", eps, low=0), weight_decay)
    return param


def rmsprop_update(param, grad, v, t, lr, beta2=0.9, eps=1e-8, bias_correction=False, weight_decay=0.0):
    lr, weight_decay = _rate(lr, weight_decay)
    arrays = flat_arrays(param, grad, v=v)
    backend_for(param).optim.rmsprop(
        *arrays, lr, _beta("beta2", beta2), check.real_number("eps", eps, low=0), _step(t),
        bool(bias_correction), weight_decay,
    )
    return param


def adam_update(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    lr, weight_decay = _rate(lr, weight_decay)
    arrays = flat_arrays(param, grad, m=m, v=v)
    backend_for(param).optim.adam(
        *arrays, lr, _beta("beta1", beta1), _beta("beta2", beta2), check.real_number("eps", eps, low=0),
        _step(t), weight_decay,
    )
    return param
