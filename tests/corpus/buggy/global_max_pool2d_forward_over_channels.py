# expect-function: global_max_pool2d_forward
# expect-hint: global_max_over_channels
import numpy as np


def global_max_pool2d_forward(x):
    return np.max(x, axis=3)
