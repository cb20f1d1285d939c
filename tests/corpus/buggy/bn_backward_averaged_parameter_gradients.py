# expect-function: batchnorm_backward
# expect-hint: bn_backward_averaged_parameter_gradients
import numpy as np


def batchnorm_backward(dy, x, gamma, eps):
    axes = tuple(range(x.ndim - 1))
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    dgamma = np.mean(dy * x_hat, axis=axes)
    dbeta = np.mean(dy, axis=axes)
    dx = gamma * inv_std * (dy - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta
