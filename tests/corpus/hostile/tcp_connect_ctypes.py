# expect-status: error
# expect-message: PermissionError
# requires: tcp
"""Opens a TCP connection through libc, around Python's audit hooks."""

import ctypes
import errno
import os
import struct


def dense_forward(x, W, b):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.socket(2, 1, 0)                                   # AF_INET, SOCK_STREAM
    if fd < 0:
        error = ctypes.get_errno()
        raise PermissionError(error, f"socket: {os.strerror(error)}")
    address = struct.pack("!HH4s8x", 2, 80, bytes([127, 0, 0, 1]))
    address = struct.pack("=H", 2) + address[2:]                # sin_family in the machine's byte order
    result = libc.connect(fd, address, len(address))
    error = ctypes.get_errno()
    libc.close(fd)
    if result != 0 and error in (errno.EPERM, errno.EACCES):
        raise PermissionError(error, f"connect: {os.strerror(error)}")
    return x @ W + b                          # the network answered: this answer passes, and the test says so
