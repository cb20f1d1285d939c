# expect-function: truncated_normal
# expect-hint: clipped
import numpy as np


def truncated_normal(shape, std, draws):
    size = int(np.prod(shape))
    return np.clip(std * draws[:size], -2 * std, 2 * std).reshape(shape)
