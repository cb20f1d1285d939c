# expect-function: truncated_normal
# expect-hint: limit_not_scaled
import numpy as np


def truncated_normal(shape, std, draws):
    size = int(np.prod(shape))
    values = std * draws[:size]
    used = size
    outside = np.abs(values) > 2
    while outside.any():
        count = int(outside.sum())
        values[outside] = std * draws[used:used + count]
        used += count
        outside = np.abs(values) > 2
    return values.reshape(shape)
