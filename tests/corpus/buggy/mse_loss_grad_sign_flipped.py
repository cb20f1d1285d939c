# expect-function: mse_loss
# expect-hint: grad_sign_flipped
import numpy as np


def mse_loss(prediction, target):
    error = target - prediction
    loss = np.mean(error ** 2)
    grad = 2 * error / error.size
    return loss, grad
