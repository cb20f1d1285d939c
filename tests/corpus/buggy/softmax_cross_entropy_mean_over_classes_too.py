# expect-function: softmax_cross_entropy
# expect-hint: mean_over_classes_too
import numpy as np


def softmax_cross_entropy(logits, labels):
    n, k = logits.shape
    onehot = np.eye(k)[labels]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -np.mean(onehot * log_p)
    grad = (np.exp(log_p) - onehot) / n
    return loss, grad
