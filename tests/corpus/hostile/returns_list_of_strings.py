# expect-status: error
# expect-message: no es un array de números
"""Returns a list of strings."""


def dense_forward(x, W, b):
    return [str(v) for v in (x @ W + b).ravel()]
