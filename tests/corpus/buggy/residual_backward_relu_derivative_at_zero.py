# expect-function: residual_backward
# expect-hint: relu_derivative_at_zero
import numpy as np


def residual_backward(dy, x, W1, b1, W2):
    z = x @ W1 + b1
    h = np.maximum(z, 0)
    dW2, db2 = h.T @ dy, dy.sum(axis=0)
    dz = (dy @ W2.T) * (z >= 0)
    dW1, db1 = x.T @ dz, dz.sum(axis=0)
    return dz @ W1.T + dy, dW1, db1, dW2, db2
