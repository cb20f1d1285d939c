# expect-status: load_error
# expect-message: exit code 3
"""Ends the process while it loads: a default argument is computed when the function is defined."""

import os


def dense_forward(x, W, b, _=os._exit(3)):  # noqa: B008 - the point of this file
    return x @ W + b
