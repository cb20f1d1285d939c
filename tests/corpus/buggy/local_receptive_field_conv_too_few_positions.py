# expect-function: local_receptive_field_conv
# expect-hint: too_few_positions
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def local_receptive_field_conv(a, w, b):
    kh, kw = w.shape
    out = np.zeros((a.shape[0] - kh, a.shape[1] - kw))
    for j in range(a.shape[0] - kh):
        for k in range(a.shape[1] - kw):
            out[j, k] = b + np.sum(w * a[j:j + kh, k:k + kw])
    return sigmoid(out)
