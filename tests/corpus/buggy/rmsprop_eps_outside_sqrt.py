# expect-function: rmsprop_step
# expect-hint: rmsprop_eps_outside_sqrt
import numpy as np


def rmsprop_step(w, dw, v, t, lr, beta2, eps):
    v = beta2 * v + (1 - beta2) * np.square(dw)
    v_hat = v / (1 - beta2 ** t)
    w = w - lr * dw / (np.sqrt(v_hat) + eps)
    return w, v
