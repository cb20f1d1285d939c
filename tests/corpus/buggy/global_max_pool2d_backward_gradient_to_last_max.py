# expect-function: global_max_pool2d_backward
# expect-hint: global_max_gradient_to_last_max
import numpy as np


def global_max_pool2d_backward(dy, x):
    n, height, width, channels = x.shape
    dx = np.zeros_like(x)
    for i in range(n):
        for c in range(channels):
            best, where = -np.inf, (0, 0)
            for h in range(height):
                for w in range(width):
                    if x[i, h, w, c] >= best:
                        best, where = x[i, h, w, c], (h, w)
            dx[i, where[0], where[1], c] = dy[i, c]
    return dx
