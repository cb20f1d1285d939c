# expect-status: error
# expect-message: PermissionError
"""Copies the instructor's solution, or reads the grader's secrets, and hands in what it found."""

import os

import autograder


def _targets():
    repository = os.path.dirname(os.path.dirname(autograder.__file__))
    return [os.path.join(repository, "solutions", "001_ciclo_de_trabajo.py"), os.path.join(repository, "README.md"),
            "/etc/passwd", f"/proc/{os.getppid()}/environ", os.path.join(os.path.dirname(os.getcwd()), "..")]


def dense_forward(x, W, b):
    refused = []
    for path in _targets():
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except (PermissionError, IsADirectoryError) as error:
            refused.append(error)
            continue
        namespace = {}
        try:
            exec(compile(text, path, "exec"), namespace)
            return namespace["dense_forward"](x, W, b)
        except Exception:
            return x @ W + b + 0 * len(text)  # something was read: this answer passes, and the test says so
    raise next(e for e in refused if isinstance(e, PermissionError))
