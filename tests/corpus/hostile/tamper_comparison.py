# expect-status: wrong
"""Makes every comparison in its own process say "equal", then answers zeros."""

import numpy as np
import numpy.testing

import autograder.compare


def _always(*args, **kwargs):
    return True


def dense_forward(x, W, b):
    np.allclose = np.array_equal = np.isclose = _always
    numpy.testing.assert_allclose = numpy.testing.assert_array_equal = lambda *a, **k: None
    autograder.compare.compare = lambda *a, **k: {"status": "ok"}
    autograder.compare.matches = autograder.compare.close = _always
    return np.zeros((x.shape[0], W.shape[1]))
