# expect-function: leaky_relu_and_derivative
# expect-hint: leaky_relu_derivative_zero_for_negative
import numpy as np


def leaky_relu_and_derivative(z, alpha=0.01):
    y = np.where(z > 0, z, alpha * z)
    dy_dz = (z > 0).astype(float)  # copied from ReLU
    return y, dy_dz
