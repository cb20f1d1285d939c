# expect-function: local_receptive_field_conv
# expect-hint: flipped_kernel
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def local_receptive_field_conv(a, w, b):
    kh, kw = w.shape
    flipped = w[::-1, ::-1]  # the textbook convolution flips the kernel
    out = np.zeros((a.shape[0] - kh + 1, a.shape[1] - kw + 1))
    for j in range(out.shape[0]):
        for k in range(out.shape[1]):
            out[j, k] = b + np.sum(flipped * a[j:j + kh, k:k + kw])
    return sigmoid(out)
