# expect-status: crashed
# expect-message: SIGSEGV
"""Reads memory at address 8 (ctypes.string_at(0) would only allocate)."""

import ctypes


def dense_forward(x, W, b):
    return ctypes.string_at(8, 8)
