# expect-function: residual_backward
# expect-hint: skip_gradient_missing
import numpy as np


def residual_backward(dy, x, W1, b1, W2):
    z = x @ W1 + b1
    h = np.maximum(z, 0)
    dW2, db2 = h.T @ dy, dy.sum(axis=0)
    dz = (dy @ W2.T) * (z > 0)
    dW1, db1 = x.T @ dz, dz.sum(axis=0)
    dx = dz @ W1.T
    return dx, dW1, db1, dW2, db2
