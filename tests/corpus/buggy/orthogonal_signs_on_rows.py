# expect-function: orthogonal
# expect-hint: orthogonal_signs_on_rows
import numpy as np


def orthogonal(gaussian):
    q, r = np.linalg.qr(gaussian)
    return np.diag(np.sign(np.diag(r))) @ q
