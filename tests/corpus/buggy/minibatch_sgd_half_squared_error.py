# expect-function: minibatch_sgd
# expect-hint: sgd_half_squared_error
import numpy as np


def minibatch_sgd(w, X, y, lr, batch_size, order):
    path = [w]
    for permutation in order:
        for start in range(0, len(permutation), batch_size):
            batch = permutation[start:start + batch_size]
            w = w - lr * X[batch].T @ (X[batch] @ w - y[batch]) / len(batch)  # the gradient of (1/2)(x.w - y)^2
            path.append(w)
    return np.array(path)
