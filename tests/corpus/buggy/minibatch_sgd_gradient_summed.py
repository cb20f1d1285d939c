# expect-function: minibatch_sgd
# expect-hint: sgd_gradient_summed
import numpy as np


def minibatch_sgd(w, X, y, lr, batch_size, order):
    path = [w]
    for permutation in order:
        for start in range(0, len(permutation), batch_size):
            batch = permutation[start:start + batch_size]
            w = w - lr * 2 * X[batch].T @ (X[batch] @ w - y[batch])  # summed over the batch
            path.append(w)
    return np.array(path)
