"""Helpers the exercise sets' specifications share: drawing inputs and wording notes."""

from __future__ import annotations

import numpy as np


def normal(rng: np.random.Generator, *shape, scale: float = 1.0) -> np.ndarray:
    """A float64 array of the given shape with N(0, scale²) entries."""
    return scale * rng.standard_normal(shape)


def note(es: str, en: str) -> dict:
    """A case's note in both languages."""
    return {"es": es, "en": en}


def hint(es: str, en: str) -> dict:
    """A detector's hint in both languages."""
    return {"es": es, "en": en}
