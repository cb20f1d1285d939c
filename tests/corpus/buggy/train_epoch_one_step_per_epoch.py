# expect-function: train_epoch
# expect-hint: one_step_per_epoch
import numpy as np


def train_epoch(W, b, x, y, lr, batch_size, permutation):
    xs, ys = x[permutation], y[permutation]
    error = xs @ W + b - ys
    loss = np.mean(error**2)
    grad = 2 * error / error.size
    W = W - lr * xs.T @ grad
    b = b - lr * grad.sum(axis=0)
    return W, b, np.array([loss])
