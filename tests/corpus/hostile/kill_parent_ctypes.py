# expect-status: error
# expect-message: PermissionError
# requires: signals
"""Kills the grader through libc, around Python's audit hooks: only the kernel can refuse it."""

import ctypes
import os
import signal


def dense_forward(x, W, b):
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getppid()
    if libc.kill(parent, 0) == 0:
        return x @ W + b                      # it could signal the grader: this answer passes, the test says so
    libc.kill(parent, signal.SIGKILL)
    error = ctypes.get_errno()
    raise PermissionError(error, os.strerror(error))
