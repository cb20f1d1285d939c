# expect-function: softmax_cross_entropy
# expect-hint: softmax_wrong_axis
import numpy as np


def softmax_cross_entropy(logits, labels):
    n, k = logits.shape
    e = np.exp(logits - logits.max())
    p = e / e.sum(axis=0)
    loss = -np.mean(np.log(p[np.arange(n), labels]))
    grad = (p - np.eye(k)[labels]) / n
    return loss, grad
