# expect-function: tanh_and_derivative
# expect-hint: tanh_overflow
import numpy as np


def tanh_and_derivative(z):
    # the lecture's formula, as written
    y = (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    return y, 1 - y**2
