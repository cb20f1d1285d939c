# expect-status: error
# expect-message: PermissionError
"""Runs a shell command that writes into the grader's temporary folder (two levels above its own)."""

import subprocess


def dense_forward(x, W, b):
    subprocess.run(["sh", "-c", "echo hostil > ../../autograder-hostile-subprocess.txt"], check=True)
    return x @ W + b
