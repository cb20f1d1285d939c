# expect-function: softmax_cross_entropy
# expect-hint: log_of_softmax
import numpy as np


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(logits, labels):
    n, k = logits.shape
    p = softmax(logits)
    loss = -np.mean(np.log(p[np.arange(n), labels]))
    grad = (p - np.eye(k)[labels]) / n
    return loss, grad
