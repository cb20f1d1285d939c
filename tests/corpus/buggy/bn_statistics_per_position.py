# expect-function: batchnorm_forward
# expect-hint: bn_statistics_per_position
import numpy as np


def batchnorm_forward(x, gamma, beta, eps):
    mean = x.mean(axis=0)
    var = x.var(axis=0)
    y = gamma * (x - mean) / np.sqrt(var + eps) + beta
    return y, mean, var
