# expect-function: train_epoch
# expect-hint: last_batch_dropped
import numpy as np


def train_epoch(W, b, x, y, lr, batch_size, permutation):
    losses = []
    for j in range(len(x) // batch_size):
        batch = permutation[j * batch_size:(j + 1) * batch_size]
        error = x[batch] @ W + b - y[batch]
        losses.append(np.mean(error**2))
        grad = 2 * error / error.size
        W = W - lr * x[batch].T @ grad
        b = b - lr * grad.sum(axis=0)
    return W, b, np.array(losses)
