# expect-function: leaky_relu_and_derivative
# expect-hint: leaky_relu_derivative_one_at_zero
import numpy as np


def leaky_relu_and_derivative(z, alpha=0.01):
    y = np.where(z >= 0, z, alpha * z)
    dy_dz = np.where(z >= 0, 1.0, alpha)
    return y, dy_dz
