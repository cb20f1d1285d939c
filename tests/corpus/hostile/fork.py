# expect-status: error
# expect-message: PermissionError
"""Forks a second process that would outlive the grading."""

import os


def dense_forward(x, W, b):
    if os.fork() == 0:
        while True:
            pass
    return x @ W + b
