# expect-function: count_pieces
# expect-hint: counts_kinks
import numpy as np


def count_pieces(x, y):
    slopes = np.diff(y) / np.diff(x)
    tolerance = 1e-6 * max(1.0, np.abs(slopes).max())
    return int(np.sum(np.abs(np.diff(slopes)) > tolerance))
