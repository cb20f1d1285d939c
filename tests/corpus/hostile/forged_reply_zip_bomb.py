# expect-status: protocol
# expect-message: compressed
"""Writes its own answer into the pipe: a tiny message whose arrays inflate a thousandfold in the grader."""

import io
import json
import os
import struct
import sys
import zipfile

import numpy as np


def _bomb() -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2**21,)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("o0.npy", "w", force_zip64=True) as entry:
            entry.write(header.getvalue())
            zeros = bytes(2**22)
            for _ in range(2**24 // len(zeros)):
                entry.write(zeros)
    return buffer.getvalue()


def dense_forward(x, W, b):
    head = json.dumps({"status": "ok", "count": 1}).encode()
    body = _bomb()
    os.write(int(sys.argv[3]), struct.pack(">QI", 4 + len(head) + len(body), len(head)) + head + body)
    os._exit(0)
