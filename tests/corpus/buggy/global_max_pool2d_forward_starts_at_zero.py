# expect-function: global_max_pool2d_forward
# expect-hint: global_max_starts_at_zero
import numpy as np


def global_max_pool2d_forward(x):
    n, height, width, channels = x.shape
    y = np.zeros((n, channels))
    for h in range(height):
        for w in range(width):
            y = np.maximum(y, x[:, h, w, :])
    return y
