# expect-function: train_epoch
# expect-hint: last_batch_divided_by_batch_size
import numpy as np


def train_epoch(W, b, x, y, lr, batch_size, permutation):
    losses = []
    outputs = y.shape[1]
    for start in range(0, len(x), batch_size):
        batch = permutation[start:start + batch_size]
        error = x[batch] @ W + b - y[batch]
        losses.append(np.mean(error**2))
        grad = 2 * error / (batch_size * outputs)
        W = W - lr * x[batch].T @ grad
        b = b - lr * grad.sum(axis=0)
    return W, b, np.array(losses)
