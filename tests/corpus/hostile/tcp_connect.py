# expect-status: error
# expect-message: PermissionError
"""Opens a TCP connection (to send the cases away, or fetch answers)."""

import socket


def dense_forward(x, W, b):
    with socket.create_connection(("127.0.0.1", 80), timeout=1):
        pass
    return x @ W + b
