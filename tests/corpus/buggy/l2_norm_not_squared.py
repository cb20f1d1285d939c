# expect-function: l2_penalty
# expect-hint: l2_norm_not_squared
import numpy as np


def l2_penalty(W, lam):
    return lam / 2 * np.linalg.norm(W), lam * W
