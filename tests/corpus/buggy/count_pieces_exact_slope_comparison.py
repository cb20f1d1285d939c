# expect-function: count_pieces
# expect-hint: exact_slope_comparison
import numpy as np


def count_pieces(x, y):
    slopes = np.diff(y) / np.diff(x)
    pieces = 1
    for i in range(1, len(slopes)):
        if slopes[i] != slopes[i - 1]:
            pieces += 1
    return pieces
