# expect-function: mse_loss
# expect-hint: grad_not_averaged
import numpy as np


def mse_loss(prediction, target):
    error = prediction - target
    loss = np.mean(error ** 2)
    grad = 2 * error
    return loss, grad
