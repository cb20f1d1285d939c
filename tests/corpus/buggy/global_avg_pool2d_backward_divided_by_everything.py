# expect-function: global_avg_pool2d_backward
# expect-hint: global_avg_backward_divided_by_everything
import numpy as np


def global_avg_pool2d_backward(dy, x):
    return np.ones_like(x) * dy[:, None, None, :] / x.size
