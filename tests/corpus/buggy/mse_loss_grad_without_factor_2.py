# expect-function: mse_loss
# expect-hint: grad_without_factor_2
import numpy as np


def mse_loss(prediction, target):
    error = prediction - target
    loss = np.mean(error ** 2)
    grad = error / error.size
    return loss, grad
