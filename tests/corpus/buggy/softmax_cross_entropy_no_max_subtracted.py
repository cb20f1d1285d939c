# expect-function: softmax_cross_entropy
# expect-hint: subtract_row_max
import numpy as np


def softmax_cross_entropy(logits, labels):
    n, k = logits.shape
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(n), labels]))
    grad = (p - np.eye(k)[labels]) / n
    return loss, grad
