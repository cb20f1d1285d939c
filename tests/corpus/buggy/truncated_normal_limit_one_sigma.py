# expect-function: truncated_normal
# expect-hint: limit_one_sigma
import numpy as np


def truncated_normal(shape, std, draws):
    size = int(np.prod(shape))
    values = std * draws[:size]
    used = size
    outside = np.abs(values) > std
    while outside.any():
        count = int(outside.sum())
        values[outside] = std * draws[used:used + count]
        used += count
        outside = np.abs(values) > std
    return values.reshape(shape)
