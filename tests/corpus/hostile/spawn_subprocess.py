# expect-status: error
# expect-message: PermissionError
"""Runs a shell command."""

import subprocess


def dense_forward(x, W, b):
    subprocess.run(["sh", "-c", "echo hostil > /tmp/autograder-hostile-subprocess.txt"], check=True)
    return x @ W + b
