# expect-function: batchnorm_forward
# expect-hint: bn_unbiased_variance
import numpy as np


def batchnorm_forward(x, gamma, beta, eps):
    axes = tuple(range(x.ndim - 1))
    mean = x.mean(axis=axes)
    var = x.var(axis=axes, ddof=1)      # the sample variance
    y = gamma * (x - mean) / np.sqrt(var + eps) + beta
    return y, mean, var
