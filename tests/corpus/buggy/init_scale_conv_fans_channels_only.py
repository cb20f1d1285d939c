# expect-function: init_scale
# expect-hint: conv_fans_channels_only
import numpy as np


def init_scale(kind, shape):
    fan_in, fan_out = shape[-2], shape[-1]  # inputs and outputs are the last two axes
    rule, law = kind.split("_")
    if rule == "he":
        variance = 2 / fan_in
    elif rule == "lecun":
        variance = 1 / fan_in
    else:
        variance = 2 / (fan_in + fan_out)
    return np.sqrt(3 * variance) if law == "uniform" else np.sqrt(variance)
