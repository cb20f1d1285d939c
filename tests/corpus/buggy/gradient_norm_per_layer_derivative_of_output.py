# expect-function: gradient_norm_per_layer
# expect-hint: derivative_of_output
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def gradient_norm_per_layer(x, weights, biases, dh, activation):
    outputs = []
    h = x
    for W, b in zip(weights, biases):
        h = sigmoid(h @ W + b) if activation == "sigmoid" else np.maximum(h @ W + b, 0)
        outputs.append(h)
    norms = np.zeros(len(weights))
    for layer in reversed(range(len(weights))):
        a = outputs[layer]
        if activation == "sigmoid":
            delta = dh * sigmoid(a) * (1 - sigmoid(a))  # σ applied to the output again
        else:
            delta = dh * (a > 0)
        norms[layer] = np.linalg.norm(delta.sum(axis=0))
        dh = delta @ weights[layer].T
    return norms
