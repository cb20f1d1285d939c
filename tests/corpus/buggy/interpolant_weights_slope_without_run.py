# expect-function: interpolant_weights
# expect-hint: slope_without_run
import numpy as np


def interpolant_weights(knots, values):
    slopes = np.diff(values)
    W1 = np.ones((1, len(slopes)))
    b1 = -knots[:-1]
    w2 = np.diff(slopes, prepend=0.0).reshape(-1, 1)
    b2 = np.array([values[0]])
    return W1, b1, w2, b2
