# expect-function: residual_forward
# expect-hint: skip_missing
import numpy as np


def residual_forward(x, W1, b1, W2, b2):
    return np.maximum(x @ W1 + b1, 0) @ W2 + b2
