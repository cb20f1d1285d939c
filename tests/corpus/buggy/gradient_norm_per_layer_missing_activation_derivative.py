# expect-function: gradient_norm_per_layer
# expect-hint: missing_activation_derivative
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def gradient_norm_per_layer(x, weights, biases, dh, activation):
    zs = []
    h = x
    for W, b in zip(weights, biases):
        z = h @ W + b
        zs.append(z)
        h = sigmoid(z) if activation == "sigmoid" else np.maximum(z, 0)
    norms = []
    for layer in range(len(weights) - 1, -1, -1):
        delta = dh  # the derivative of the activation is forgotten
        norms.append(np.linalg.norm(delta.sum(axis=0)))
        dh = delta @ weights[layer].T
    return np.array(norms[::-1])
