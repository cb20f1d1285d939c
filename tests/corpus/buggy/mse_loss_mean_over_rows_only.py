# expect-function: mse_loss
# expect-hint: mean_over_rows_only
import numpy as np


def mse_loss(prediction, target):
    error = prediction - target
    loss = np.sum(error ** 2) / len(prediction)
    grad = 2 * error / len(prediction)
    return loss, grad
