# expect-status: protocol
# expect-message: too large
"""Answers with an array far larger than the grader accepts (the grader's memory is not the student's)."""

import numpy as np


def dense_forward(x, W, b):
    return np.zeros(40 * 2**20 // 8)
