# expect-function: dense_backward
# expect-hint: db_summed_over_everything
import numpy as np


def dense_backward(dy, x, W):
    dx = dy @ W.T
    dW = x.T @ dy
    db = np.sum(dy)
    return dx, dW, db
