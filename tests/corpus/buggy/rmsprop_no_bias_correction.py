# expect-function: rmsprop_step
# expect-hint: rmsprop_no_bias_correction
import numpy as np


def rmsprop_step(w, dw, v, t, lr, beta2, eps):
    v = beta2 * v + (1 - beta2) * dw ** 2
    w = w - lr * dw / np.sqrt(v + eps)
    return w, v
