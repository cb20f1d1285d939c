# expect-function: minibatch_sgd
# expect-hint: sgd_order_ignored
import numpy as np


def minibatch_sgd(w, X, y, lr, batch_size, order):
    path = [w]
    n = X.shape[0]
    for _ in order:
        for start in range(0, n, batch_size):
            batch = np.arange(start, min(start + batch_size, n))
            w = w - lr * 2 * X[batch].T @ (X[batch] @ w - y[batch]) / len(batch)
            path.append(w)
    return np.array(path)
