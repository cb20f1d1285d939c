# expect-function: train_epoch
# expect-hint: not_shuffled
import numpy as np


def train_epoch(W, b, x, y, lr, batch_size, permutation):
    losses = []
    for start in range(0, len(x), batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        error = xb @ W + b - yb
        losses.append(np.mean(error**2))
        grad = 2 * error / error.size
        W = W - lr * xb.T @ grad
        b = b - lr * grad.sum(axis=0)
    return W, b, np.array(losses)
