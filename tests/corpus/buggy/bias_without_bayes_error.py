# expect-function: bias_and_gap
# expect-hint: bias_without_bayes_error
import numpy as np


def bias_and_gap(train_error, val_error, bayes_error):
    avoidable_bias = np.asarray(train_error, dtype=float)
    gap = np.subtract(val_error, train_error)
    return avoidable_bias, gap, avoidable_bias > gap
