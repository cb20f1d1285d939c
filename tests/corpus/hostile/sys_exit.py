# expect-status: error
# expect-message: sys.exit(3)
"""Ends the process politely, in the middle of a call."""

import sys


def dense_forward(x, W, b):
    sys.exit(3)
