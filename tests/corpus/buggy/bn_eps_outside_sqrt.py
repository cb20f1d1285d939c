# expect-function: batchnorm_forward
# expect-hint: bn_eps_outside_sqrt
import numpy as np


def batchnorm_forward(x, gamma, beta, eps):
    axes = tuple(range(x.ndim - 1))
    mean = np.mean(x, axis=axes)
    var = np.mean((x - mean) ** 2, axis=axes)
    std = np.sqrt(var)
    x_hat = (x - mean) / (std + eps)
    return gamma * x_hat + beta, mean, var
