# expect-function: sigmoid_and_derivative
# expect-hint: sigmoid_derivative_overflow
import numpy as np


def sigmoid_and_derivative(z):
    y = 1 / (1 + np.exp(-z))
    dy_dz = np.exp(-z) / (1 + np.exp(-z)) ** 2  # the textbook derivative: inf/inf for z = -1000
    return y, dy_dz
