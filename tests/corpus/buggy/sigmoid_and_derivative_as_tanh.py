# expect-function: sigmoid_and_derivative
# expect-hint: sigmoid_derivative_as_tanh
import numpy as np


def sigmoid_and_derivative(z):
    e = np.exp(-np.abs(z))
    y = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return y, 1 - y**2
