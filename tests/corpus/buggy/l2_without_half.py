# expect-function: l2_penalty
# expect-hint: l2_without_half
import numpy as np


def l2_penalty(W, lam):
    return lam * np.sum(W ** 2), lam * W
