# expect-function: local_receptive_field_conv
# expect-hint: transposed_kernel
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def local_receptive_field_conv(a, w, b):
    kh, kw = w.shape
    out = np.zeros((a.shape[0] - kh + 1, a.shape[1] - kw + 1))
    for j in range(out.shape[0]):
        for k in range(out.shape[1]):
            total = b
            for l in range(kh):
                for m in range(kw):
                    total += w[l, m] * a[j + m, k + l]  # indices crossed
            out[j, k] = total
    return sigmoid(out)
