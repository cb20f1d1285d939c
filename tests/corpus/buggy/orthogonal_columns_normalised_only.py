# expect-function: orthogonal
# expect-hint: orthogonal_columns_normalised_only
import numpy as np


def orthogonal(gaussian):
    return gaussian / np.sqrt((gaussian**2).sum(axis=0))
