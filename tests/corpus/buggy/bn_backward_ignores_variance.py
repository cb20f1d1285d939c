# expect-function: batchnorm_backward
# expect-hint: bn_backward_ignores_variance
import numpy as np


def batchnorm_backward(dy, x, gamma, eps):
    axes = tuple(range(x.ndim - 1))
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)
    std = np.sqrt(var + eps)
    x_hat = (x - mean) / std
    dgamma = np.sum(dy * x_hat, axis=axes)
    dbeta = np.sum(dy, axis=axes)
    # the mean depends on x: subtract the mean of the upstream gradient
    dx = gamma / std * (dy - dy.mean(axis=axes))
    return dx, dgamma, dbeta
