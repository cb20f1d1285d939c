# expect-status: error
# expect-message: PermissionError
"""Writes next to its folder (the grader's results), in the temporary folder and in the repository."""

import os

import autograder

MARK = "autograder-hostile-write.txt"


def _targets():
    workdir = os.getcwd()
    sandbox_root = os.path.dirname(workdir)
    repository = os.path.dirname(os.path.dirname(autograder.__file__))
    return [os.path.join(sandbox_root, MARK), os.path.join(os.path.dirname(sandbox_root), MARK),
            os.path.join(repository, MARK), os.path.join(repository, "solutions", MARK)]


def dense_forward(x, W, b):
    refused = []
    for path in _targets():
        try:
            with open(path, "w") as handle:
                handle.write("full marks\n")
        except PermissionError as error:
            refused.append(error)
            continue
        return x @ W + b                      # a write got through: this answer passes, and the test says so
    raise refused[0]
