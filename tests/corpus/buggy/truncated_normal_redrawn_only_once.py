# expect-function: truncated_normal
# expect-hint: redrawn_only_once
import numpy as np


def truncated_normal(shape, std, draws):
    size = int(np.prod(shape))
    values = std * draws[:size]
    outside = np.abs(values) > 2 * std
    count = int(outside.sum())
    values[outside] = std * draws[size:size + count]
    return values.reshape(shape)
