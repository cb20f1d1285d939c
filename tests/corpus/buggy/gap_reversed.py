# expect-function: bias_and_gap
# expect-hint: gap_reversed
import numpy as np


def bias_and_gap(train_error, val_error, bayes_error):
    avoidable_bias = np.subtract(train_error, bayes_error)
    gap = np.subtract(train_error, val_error)
    return avoidable_bias, gap, avoidable_bias > gap
