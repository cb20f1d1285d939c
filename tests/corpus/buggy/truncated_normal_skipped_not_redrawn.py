# expect-function: truncated_normal
# expect-hint: skipped_not_redrawn
import numpy as np


def truncated_normal(shape, std, draws):
    size = int(np.prod(shape))
    accepted = [z for z in draws if abs(z) <= 2][:size]
    return std * np.array(accepted).reshape(shape)
