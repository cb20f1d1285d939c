"""Activation functions and their backward passes (lecture 004 §1).

Each ``*_forward`` takes the pre-activation z (any shape; softmax and
log-softmax act along the last axis) and returns a new array of the same
shape and dtype. Each ``*_backward`` takes the upstream gradient dy = ∂L/∂y
and what its derivative is naturally written with:

- the input z for ReLU, leaky ReLU and ELU (ReLU'(z) = [z > 0]);
- the output y for sigmoid, tanh, softmax and log-softmax (σ' = σ(1 − σ)).

Conventions: ReLU'(0) = 0; leaky ReLU α = 0.01 by default (Keras' LeakyReLU
layer uses 0.3); ELU α = 1. Sigmoid, softmax and log-softmax never overflow.
"""

from .. import validation as check
from ..backends import backend_for


def _pair(dy, other, other_name):
    other = check.non_empty_float_array(other_name, other)
    dy = check.float_array("dy", dy)
    check.shape_equal("dy", dy, other.shape, f"the shape of {other_name}")
    check.same_dtype(dy=dy, **{other_name: other})
    return dy, other


def _elementwise(kernel_name, x, *scalars):
    x = check.non_empty_float_array("x", x)
    be = backend_for(x)
    y = be.empty(x.shape, x.dtype)
    getattr(be.activations, kernel_name)(x.reshape(-1), *scalars, y.reshape(-1))
    return y


def _elementwise_backward(kernel_name, dy, saved, saved_name, *scalars):
    dy, saved = _pair(dy, saved, saved_name)
    be = backend_for(saved)
    dx = be.empty(saved.shape, saved.dtype)
    getattr(be.activations, kernel_name)(dy.reshape(-1), saved.reshape(-1), *scalars, dx.reshape(-1))
    return dx


def _rowwise(kernel_name, x):
    x = check.non_empty_float_array("x", x)
    be = backend_for(x)
    y = be.empty(x.shape, x.dtype)
    width = x.shape[-1]
    getattr(be.activations, kernel_name)(x.reshape(-1, width), y.reshape(-1, width))
    return y


def _rowwise_backward(kernel_name, dy, y):
    dy, y = _pair(dy, y, "y")
    be = backend_for(y)
    dx = be.empty(y.shape, y.dtype)
    width = y.shape[-1]
    getattr(be.activations, kernel_name)(dy.reshape(-1, width), y.reshape(-1, width), dx.reshape(-1, width))
    return dx


def _alpha(alpha):
    return check.real_number("alpha", alpha, low=0)


def sigmoid_forward(x):
    """σ(z) = 1 / (1 + e^(−z))."""
    return _elementwise("sigmoid_forward", x)


def sigmoid_backward(dy, y):
    """∂L/∂z = dy · y (1 − y), with y = σ(z) the forward output."""
    return _elementwise_backward("sigmoid_backward", dy, y, "y")


def tanh_forward(x):
    return _elementwise("tanh_forward", x)


def tanh_backward(dy, y):
    """∂L/∂z = dy · (1 − y²), with y = tanh(z) the forward output."""
    return _elementwise_backward("tanh_backward", dy, y, "y")


def relu_forward(x):
    """ReLU(z) = max(z, 0)."""
    return _elementwise("relu_forward", x)


def relu_backward(dy, x):
    """∂L/∂z = dy · [z > 0] (the derivative at 0 is taken as 0)."""
    return _elementwise_backward("relu_backward", dy, x, "x")


def leaky_relu_forward(x, alpha=0.01):
    """z for z > 0, α z otherwise."""
    return _elementwise("leaky_relu_forward", x, _alpha(alpha))


def leaky_relu_backward(dy, x, alpha=0.01):
    return _elementwise_backward("leaky_relu_backward", dy, x, "x", _alpha(alpha))


def elu_forward(x, alpha=1.0):
    """z for z > 0, α (e^z − 1) otherwise."""
    return _elementwise("elu_forward", x, _alpha(alpha))


def elu_backward(dy, x, alpha=1.0):
    return _elementwise_backward("elu_backward", dy, x, "x", _alpha(alpha))


def softmax_forward(x):
    """softmax(z)_k = e^(z_k) / Σ_j e^(z_j) along the last axis."""
    return _rowwise("softmax_forward", x)


def softmax_backward(dy, y):
    """∂L/∂z = y ⊙ (dy − Σ_k dy_k y_k), with y the softmax output."""
    return _rowwise_backward("softmax_backward", dy, y)


def log_softmax_forward(x):
    """log softmax(z)_k = z_k − log Σ_j e^(z_j) along the last axis."""
    return _rowwise("log_softmax_forward", x)


def log_softmax_backward(dy, y):
    """∂L/∂z = dy − e^y Σ_k dy_k, with y the log-softmax output."""
    return _rowwise_backward("log_softmax_backward", dy, y)
