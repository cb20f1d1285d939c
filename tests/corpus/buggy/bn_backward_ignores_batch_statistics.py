# expect-function: batchnorm_backward
# expect-hint: bn_backward_ignores_batch_statistics
import numpy as np


def batchnorm_backward(dy, x, gamma, eps):
    axes = tuple(range(x.ndim - 1))
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)
    x_hat = (x - mean) / np.sqrt(var + eps)
    dgamma = np.sum(dy * x_hat, axis=axes)
    dbeta = np.sum(dy, axis=axes)
    dx = dy * gamma / np.sqrt(var + eps)
    return dx, dgamma, dbeta
