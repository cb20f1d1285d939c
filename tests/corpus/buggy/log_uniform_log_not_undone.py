# expect-function: log_uniform
# expect-hint: log_not_undone
import numpy as np


def log_uniform(u, low, high):
    return np.log(low) + u * (np.log(high) - np.log(low))
