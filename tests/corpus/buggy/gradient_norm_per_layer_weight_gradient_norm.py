# expect-function: gradient_norm_per_layer
# expect-hint: weight_gradient_norm
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def gradient_norm_per_layer(x, weights, biases, dh, activation):
    inputs, zs = [], []
    h = x
    for W, b in zip(weights, biases):
        z = h @ W + b
        inputs.append(h)
        zs.append(z)
        h = sigmoid(z) if activation == "sigmoid" else np.maximum(z, 0)
    norms = np.zeros(len(weights))
    for layer in reversed(range(len(weights))):
        z = zs[layer]
        g = sigmoid(z) * (1 - sigmoid(z)) if activation == "sigmoid" else (z > 0) * 1.0
        delta = dh * g
        norms[layer] = np.linalg.norm(inputs[layer].T @ delta)  # the weights gradient, not the biases
        dh = delta @ weights[layer].T
    return norms
