# expect-function: combined_cost
# expect-hint: combined_cost_beta_swapped
import numpy as np


def _cross_entropy(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    grad = np.exp(log_probs)
    grad[np.arange(n), labels] -= 1
    return -log_probs[np.arange(n), labels].mean(), grad / n


def combined_cost(logits, labels, x, x_hat, beta):
    j_clas, d_clas = _cross_entropy(logits, labels)
    j_ae = np.mean((x - x_hat) ** 2)
    d_ae = 2 * (x_hat - x) / x.size
    return (1 - beta) * j_clas + beta * j_ae, (1 - beta) * d_clas, beta * d_ae
