# expect-function: init_scale
# expect-hint: fan_out_instead_of_fan_in
import numpy as np


def init_scale(kind, shape):
    if len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive = shape[0] * shape[1]
        fan_in, fan_out = receptive * shape[2], receptive * shape[3]
    rule, law = kind.split("_")
    if rule == "he":
        variance = 2 / fan_out  # the fan of the outputs
    elif rule == "lecun":
        variance = 1 / fan_out
    else:
        variance = 2 / (fan_in + fan_out)
    return np.sqrt(3 * variance) if law == "uniform" else np.sqrt(variance)
