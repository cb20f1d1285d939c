# expect-function: count_pieces
# expect-hint: sign_changes_only
import numpy as np


def count_pieces(x, y):
    signs = np.sign(np.diff(y) / np.diff(x))
    return 1 + int(np.sum(signs[1:] != signs[:-1]))
