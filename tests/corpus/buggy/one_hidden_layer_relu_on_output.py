# expect-function: one_hidden_layer
# expect-hint: relu_on_output
import numpy as np


def relu(z):
    return np.maximum(z, 0.0)


def one_hidden_layer(x, W1, b1, w2, b2):
    return relu(relu(x @ W1 + b1) @ w2 + b2)
