# expect-status: error
# expect-message: PermissionError
"""Kills the grader."""

import os
import signal


def dense_forward(x, W, b):
    os.kill(os.getppid(), signal.SIGKILL)
    return x @ W + b
