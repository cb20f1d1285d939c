# expect-function: bias_and_gap
# expect-hint: gap_from_bayes_error
import numpy as np


def bias_and_gap(train_error, val_error, bayes_error):
    avoidable_bias = np.subtract(train_error, bayes_error)
    gap = np.subtract(val_error, bayes_error)
    return avoidable_bias, gap, avoidable_bias > gap
