# expect-function: orthogonal
# expect-hint: orthogonal_signs_not_fixed
import numpy as np


def orthogonal(gaussian):
    q, r = np.linalg.qr(gaussian)
    return q
