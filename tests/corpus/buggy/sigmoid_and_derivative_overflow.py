# expect-function: sigmoid_and_derivative
# expect-hint: sigmoid_overflow
import numpy as np


def sigmoid_and_derivative(z):
    # σ(z) = e^z / (1 + e^z): the same function, but e^1000 = inf and inf/inf = NaN
    y = np.exp(z) / (1 + np.exp(z))
    return y, y * (1 - y)
