# expect-function: softmax_cross_entropy
# expect-hint: loss_not_averaged
import numpy as np


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -np.sum(log_p[np.arange(n), labels])
    grad = np.exp(log_p)
    grad[np.arange(n), labels] -= 1
    return loss, grad / n
