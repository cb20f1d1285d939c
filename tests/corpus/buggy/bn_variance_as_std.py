# expect-function: batchnorm_forward
# expect-hint: none
import numpy as np


def batchnorm_forward(x, gamma, beta, eps):
    axes = tuple(range(x.ndim - 1))
    mean = x.mean(axis=axes)
    var = x.std(axis=axes)          # returns the standard deviation as the variance
    y = gamma * (x - mean) / np.sqrt(x.var(axis=axes) + eps) + beta
    return y, mean, var
