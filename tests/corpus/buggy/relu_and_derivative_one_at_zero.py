# expect-function: relu_and_derivative
# expect-hint: relu_derivative_one_at_zero
import numpy as np


def relu_and_derivative(z):
    y = np.maximum(z, 0)
    dy_dz = np.where(z >= 0, 1.0, 0.0)
    return y, dy_dz
