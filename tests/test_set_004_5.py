"""Set 004 §5's adapters: the output size it grades is the size of the engine's convolution output."""

import numpy as np

import engine.functional as F
from autograder.specs import set_004_5


def test_the_graded_output_size_is_the_size_of_the_convolution(rng):
    for _ in range(200):
        kernel, stride = int(rng.integers(1, 6)), int(rng.integers(1, 4))
        padding = [int(rng.integers(0, 3)), "valid", "same", "full"][int(rng.integers(0, 4))]
        size = kernel + int(rng.integers(0, 10))
        x, W = rng.standard_normal((1, size, 2, 1)), rng.standard_normal((kernel, 1, 1, 1))
        expected = F.conv2d_forward(x, W, np.zeros(1), (stride, 1), padding if isinstance(padding, str)
                                    else (padding, 0)).shape[1]
        (out,) = set_004_5._size_reference(size, kernel, stride, padding)
        assert type(out) is int and out == expected, (size, kernel, stride, padding)


def test_the_lectures_sizes(rng):
    assert [set_004_5._size_reference(6, 3, s, p)[0] for p, s in
            [("valid", 1), (1, 1), ("same", 1), ("full", 1), ("valid", 2)]] == [4, 6, 6, 8, 2]
