# expect-function: l2_penalty
# expect-hint: l2_gradient_doubled
import numpy as np


def l2_penalty(W, lam):
    return lam / 2 * np.sum(W ** 2), 2 * lam * W
