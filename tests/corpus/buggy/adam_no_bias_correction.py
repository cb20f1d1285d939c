# expect-function: adam_step
# expect-hint: adam_no_bias_correction
import numpy as np


def adam_step(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    w = w - lr * m / np.sqrt(v + eps)
    return w, m, v
