# expect-function: softmax_cross_entropy
# expect-hint: none
import numpy as np


def softmax_cross_entropy(logits, labels):
    n, k = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), labels]
    grad = (np.exp(log_p) - np.eye(k)[labels]) / n
    return loss, grad
