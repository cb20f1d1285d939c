# expect-function: one_hidden_layer
# expect-hint: missing_hidden_bias
import numpy as np


def one_hidden_layer(x, W1, b1, w2, b2):
    hidden = np.maximum(x @ W1, 0.0)
    return hidden @ w2 + b2
