# expect-status: protocol
# expect-message: RecursionError
"""Writes its own answer into the pipe: a header nested too deep for the grader's JSON parser."""

import os
import struct
import sys


def dense_forward(x, W, b):
    head = b"[" * 200000 + b"]" * 200000
    os.write(int(sys.argv[3]), struct.pack(">QI", 4 + len(head), len(head)) + head)
    os._exit(0)
