# expect-function: elu_and_derivative
# expect-hint: elu_alpha_ignored
import numpy as np


def elu_and_derivative(z, alpha=1.0):
    neg = np.minimum(z, 0)
    y = np.where(z > 0, z, np.exp(neg) - 1)
    dy_dz = np.where(z > 0, 1.0, np.exp(neg))
    return y, dy_dz
