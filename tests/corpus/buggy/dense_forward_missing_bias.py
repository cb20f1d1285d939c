# expect-function: dense_forward
# expect-hint: missing_bias
import numpy as np


def dense_forward(x, W, b):
    return np.dot(x, W)
