# expect-status: error
# expect-message: PermissionError
# requires: processes
"""Forks through libc, around Python's audit hooks: only the kernel (seccomp) can refuse it."""

import ctypes
import os


def dense_forward(x, W, b):
    libc = ctypes.CDLL(None, use_errno=True)
    pid = libc.fork()
    if pid == 0:
        os._exit(0)                           # had it worked, the copy leaves at once
    if pid > 0:
        return x @ W + b                      # it worked: this answer passes, and the test says so
    error = ctypes.get_errno()
    raise PermissionError(error, os.strerror(error))
