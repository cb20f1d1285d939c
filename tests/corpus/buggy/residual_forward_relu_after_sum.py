# expect-function: residual_forward
# expect-hint: relu_after_sum
import numpy as np


def residual_forward(x, W1, b1, W2, b2):
    hidden = np.maximum(x @ W1 + b1, 0)
    return np.maximum(hidden @ W2 + b2 + x, 0)
