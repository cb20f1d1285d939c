# expect-function: elu_and_derivative
# expect-hint: elu_derivative_missing_alpha
import numpy as np


def elu_and_derivative(z, alpha=1.0):
    y = np.where(z > 0, z, alpha * (np.exp(np.minimum(z, 0)) - 1))
    dy_dz = np.where(z > 0, 1.0, y)  # forgot the + alpha
    return y, dy_dz
