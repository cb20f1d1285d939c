"""Shared fixtures and helpers for the engine's tests.

- ``rng``: a fresh ``np.random.Generator`` per test, seeded from a random seed.
  The seed is stored in the test's ``user_properties`` and printed in the
  report of a failing test ("rng seed" section). Set ``ENGINE_TEST_SEED`` to
  replay a failure with the same numbers.
- ``numerical_gradient(f, x, eps)``: central differences of a scalar function.
- ``torch``: the ``torch`` module, or a clean skip when it is not installed.
"""

from __future__ import annotations

import os
import secrets

import numpy as np
import pytest

SEED_ENV = "ENGINE_TEST_SEED"


def _draw_seed() -> int:
    fixed = os.environ.get(SEED_ENV)
    return int(fixed) if fixed else secrets.randbits(32)


@pytest.fixture
def seed(request) -> int:
    """The seed of this test's random numbers (random unless ENGINE_TEST_SEED is set)."""
    value = _draw_seed()
    request.node.user_properties.append(("rng_seed", value))
    return value


@pytest.fixture
def rng(seed) -> np.random.Generator:
    """A fresh generator; on failure the seed is printed (replay with ENGINE_TEST_SEED=<seed>)."""
    return np.random.default_rng(seed)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        seeds = [value for key, value in item.user_properties if key == "rng_seed"]
        if seeds:
            report.sections.append(
                ("rng seed", f"rng seed: {seeds[0]}  (replay with {SEED_ENV}={seeds[0]})")
            )


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at the array ``x``.

    ``x`` is perturbed in place, one element at a time, and restored; ``f`` is
    called with ``x`` itself, so it must read the current values of ``x``.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError("numerical_gradient needs a numpy array")
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)  # a view: x is expected to be contiguous
    if not np.shares_memory(flat, x):
        raise ValueError("numerical_gradient needs a contiguous array")
    g = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = float(f(x))
        flat[i] = old - eps
        minus = float(f(x))
        flat[i] = old
        g[i] = (plus - minus) / (2 * eps)
    return grad


@pytest.fixture
def numgrad():
    """The ``numerical_gradient`` helper as a fixture."""
    return numerical_gradient


@pytest.fixture
def torch():
    """The ``torch`` module; the test is skipped cleanly when PyTorch is not installed."""
    return pytest.importorskip("torch")
