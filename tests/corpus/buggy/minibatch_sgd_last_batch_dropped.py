# expect-function: minibatch_sgd
# expect-hint: sgd_last_batch_dropped
import numpy as np


def minibatch_sgd(w, X, y, lr, batch_size, order):
    path = [w]
    n = X.shape[0]
    for permutation in order:
        for k in range(n // batch_size):  # full batches only
            batch = permutation[k * batch_size:(k + 1) * batch_size]
            w = w - lr * 2 * X[batch].T @ (X[batch] @ w - y[batch]) / batch_size
            path.append(w)
    return np.array(path)
