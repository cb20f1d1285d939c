# expect-function: adam_step
# expect-hint: none
import numpy as np


def adam_step(w, dw, m, v, t, lr, beta1, beta2, eps):
    t = t + 1                       # "t starts at 0", so the first step is t = 1 ... counted twice
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), m, v
