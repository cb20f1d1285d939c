# expect-function: adagrad_step
# expect-hint: adagrad_old_sum
import numpy as np


def adagrad_step(w, dw, s, lr, eps):
    w = w - lr * dw / np.sqrt(s + eps)  # divides before adding this step's gradient
    return w, s + dw**2
