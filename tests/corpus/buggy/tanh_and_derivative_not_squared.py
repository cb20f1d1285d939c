# expect-function: tanh_and_derivative
# expect-hint: tanh_derivative_not_squared
import numpy as np


def tanh_and_derivative(z):
    y = np.tanh(z)
    return y, 1 - y
