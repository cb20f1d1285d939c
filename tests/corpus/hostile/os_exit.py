# expect-status: crashed
# expect-message: exit code 3
"""Ends the process at once, without answering."""

import os


def dense_forward(x, W, b):
    os._exit(3)
