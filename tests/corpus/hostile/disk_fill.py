# expect-status: crashed
# expect-message: "kind": "disk"
"""Fills its own folder with files, each below the file-size limit, without end."""

import os


def dense_forward(x, W, b):
    block = b"\0" * 2**20
    number = 0
    while True:
        number += 1
        with open(f"relleno-{os.getpid()}-{number}.bin", "wb") as handle:
            for _ in range(4):
                handle.write(block)
