# expect-function: mse_loss
# expect-hint: none
import numpy as np


def mse_loss(prediction, target):
    error = (prediction - target).astype(np.float32)
    loss = np.mean(error ** 2)
    grad = 2 * error / error.size
    return loss, grad
