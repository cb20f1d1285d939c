# expect-function: adam_step
# expect-hint: adam_eps_outside_sqrt
import numpy as np


def adam_step(w, dw, m, v, t, lr, beta1, beta2, eps):
    # as in Kingma & Ba, Algorithm 1
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w, m, v
