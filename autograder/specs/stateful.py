"""Stateful cases: where the inputs of the next step come from.

A stateful case runs several consecutive calls; the arguments of call k + 1 are
built by ``next_args`` from the arguments of call k and the reference's outputs.
Inputs that are not state (the next gradient of an optimiser, the next batch's
statistics, the next element of a sequence) are drawn from :func:`next_rng`, a
generator seeded by the bytes of the current arguments: the same arguments give
the same next inputs, and they depend on the case's seed like everything else.
"""

from __future__ import annotations

import hashlib

import numpy as np


def next_rng(*values) -> np.random.Generator:
    """A generator seeded by ``values`` (arrays and numbers), for the next step's fresh inputs."""
    digest = hashlib.blake2b(digest_size=16, person=b"next-step")
    for value in values:
        array = np.ascontiguousarray(value, dtype=np.float64)
        digest.update(repr(array.shape).encode())
        digest.update(array.tobytes())
    return np.random.default_rng(int.from_bytes(digest.digest(), "little"))


def like(rng: np.random.Generator, array: np.ndarray) -> np.ndarray:
    """Fresh N(0, s²) values of ``array``'s shape, s its root mean square (1 for an all-zero array)."""
    scale = float(np.sqrt(np.mean(np.square(array)))) or 1.0
    return scale * rng.standard_normal(array.shape)
