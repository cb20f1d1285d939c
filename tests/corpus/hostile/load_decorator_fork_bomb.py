# expect-status: load_error
# expect-message: PermissionError
"""Starts processes from a decorator, which runs when the function is defined."""

import os


def everywhere(function):
    for _ in range(50):
        os.fork()
    return function


@everywhere
def dense_forward(x, W, b):
    return x @ W + b
