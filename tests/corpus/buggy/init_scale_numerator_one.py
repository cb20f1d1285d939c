# expect-function: init_scale
# expect-hint: numerator_one
import numpy as np


def init_scale(kind, shape):
    if len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive = shape[0] * shape[1]
        fan_in, fan_out = receptive * shape[2], receptive * shape[3]
    rule, law = kind.split("_")
    if rule == "glorot":
        variance = 1 / (fan_in + fan_out)
    else:
        variance = 1 / fan_in  # He taken as LeCun
    return np.sqrt(3 * variance) if law == "uniform" else np.sqrt(variance)
