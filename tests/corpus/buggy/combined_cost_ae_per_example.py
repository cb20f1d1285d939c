# expect-function: combined_cost
# expect-hint: combined_cost_ae_per_example
import numpy as np


def _cross_entropy(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    grad = np.exp(log_probs)
    grad[np.arange(n), labels] -= 1
    return -log_probs[np.arange(n), labels].mean(), grad / n


def combined_cost(logits, labels, x, x_hat, beta):
    # the lecture's E||X - X_hat||^2: a squared norm per example, averaged over the batch
    j_clas, d_clas = _cross_entropy(logits, labels)
    n = x.shape[0]
    j_ae = np.sum((x - x_hat) ** 2, axis=1).mean()
    d_ae = 2 * (x_hat - x) / n
    return beta * j_clas + (1 - beta) * j_ae, beta * d_clas, (1 - beta) * d_ae
