"""The GPU's array plumbing (engine.backends.cuda.arrays) against the CPU's, in float64."""

import numpy as np
import pytest
from backends_agree import assert_same, device

from engine.backends import get_backend
from engine.backends.cuda.launch import THREADS  # blocks of 32 threads in the simulator, 256 on a GPU


@pytest.fixture
def cpu():
    return get_backend("cpu")


def test_add_and_scale(cuda, cpu, rng):
    a, b = rng.normal(size=(3, 5, 7)), rng.normal(size=(3, 5, 7))
    for name, args in (("add", (a, b)), ("scale", (a, -0.37))):
        expected, got = np.empty_like(a), cuda.empty(a.shape, a.dtype)
        getattr(cpu.arrays, name)(*args, expected)
        getattr(cuda.arrays, name)(*(device(x) for x in args), got)
        assert_same(expected, got)


def test_add_scaled_in_place(cuda, cpu, rng):
    target, source = rng.normal(size=37), rng.normal(size=37)
    on_gpu = device(target)
    cuda.arrays.add_scaled(on_gpu, device(source), 0.25)
    cpu.arrays.add_scaled(target, source, 0.25)
    assert_same(target, on_gpu)


@pytest.mark.parametrize("size", [1, THREADS - 1, THREADS, THREADS + 1, 2 * THREADS + 5])
def test_squared_norm_over_one_and_several_blocks(cuda, cpu, rng, size):
    a = rng.normal(size=size)
    assert_same(cpu.arrays.squared_norm(a), cuda.arrays.squared_norm(device(a)))


def test_squared_norm_float32_matches_float64_to_float32_rounding(cuda, rng):
    a = rng.normal(size=300)
    np.testing.assert_allclose(cuda.arrays.squared_norm(device(a.astype(np.float32))), a @ a, rtol=1e-5)


def test_sequences_reversed_joined_split_and_stepped(cuda, cpu, rng):
    x = rng.normal(size=(2, 3, 5))
    expected, got = np.empty_like(x), cuda.empty(x.shape, x.dtype)
    cpu.arrays.reverse_time(x, expected)
    cuda.arrays.reverse_time(device(x), got)
    assert_same(expected, got)
    a, b = rng.normal(size=(4, 2)), rng.normal(size=(4, 3))
    joined, on_gpu = np.empty((4, 5)), cuda.empty((4, 5), a.dtype)
    cpu.arrays.concat_features(a, b, joined)
    cuda.arrays.concat_features(device(a), device(b), on_gpu)
    assert_same(joined, on_gpu)
    left, right = cuda.empty(a.shape, a.dtype), cuda.empty(b.shape, b.dtype)
    cuda.arrays.split_features(on_gpu, left, right)
    assert_same((a, b), (left, right))
    step, step_gpu = np.empty((2, 5)), cuda.empty((2, 5), x.dtype)
    cpu.arrays.take_step(x, 1, step)
    cuda.arrays.take_step(device(x), 1, step_gpu)
    assert_same(step, step_gpu)
    states, states_gpu = np.zeros_like(x), cuda.zeros(x.shape, x.dtype)
    cpu.arrays.put_step(step, 2, states)
    cuda.arrays.put_step(step_gpu, 2, states_gpu)
    assert_same(states, states_gpu)
