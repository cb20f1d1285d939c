# expect-function: dense_backward
# expect-hint: db_averaged
import numpy as np


def dense_backward(dy, x, W):
    dx = dy @ W.T
    dW = x.T @ dy
    db = np.mean(dy, axis=0)
    return dx, dW, db
