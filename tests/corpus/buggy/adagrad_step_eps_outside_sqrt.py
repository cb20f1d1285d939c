# expect-function: adagrad_step
# expect-hint: adagrad_eps_outside_sqrt
import numpy as np


def adagrad_step(w, dw, s, lr, eps):
    s = s + dw**2
    return w - lr * dw / (np.sqrt(s) + eps), s
