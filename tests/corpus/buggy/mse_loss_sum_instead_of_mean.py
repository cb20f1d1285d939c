# expect-function: mse_loss
# expect-hint: loss_not_averaged
import numpy as np


def mse_loss(prediction, target):
    error = prediction - target
    loss = np.sum(error ** 2)
    grad = 2 * error
    return loss, grad
