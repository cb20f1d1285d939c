"""Helpers the exercise sets' specifications share: drawing inputs and wording notes."""

from __future__ import annotations

import numpy as np

from ..compare import matches
from ..registry import Detector


def normal(rng: np.random.Generator, *shape, scale: float = 1.0) -> np.ndarray:
    """A float64 array of the given shape with N(0, scale²) entries."""
    return scale * rng.standard_normal(shape)


def hyperparameter(rng: np.random.Generator, low: float, high: float) -> float:
    """A hyper-parameter drawn uniformly, rounded to four decimals so that the feedback shows it briefly."""
    return round(float(rng.uniform(low, high)), 4)


def note(es: str, en: str) -> dict:
    """A case's note in both languages."""
    return {"es": es, "en": en}


def hint(es: str, en: str) -> dict:
    """A detector's hint in both languages."""
    return {"es": es, "en": en}


class NotThisCase(Exception):
    """Raised by a detector's ``wrong`` when its mistake cannot be told apart on this case: the grader skips it."""


def unless_right(reference, wrong, rtol: float = 1e-6, atol: float = 1e-9):
    """``wrong`` as a detector function that is skipped where it gives the reference's outputs
    (within the graded function's tolerances, by default those of ``GradedFunction``).

    A mistake that changes nothing on a case (a mean over a batch of one, a transposed 1×1 matrix) must not
    name itself there, or its hint would show whenever another output of that case is wrong.
    """
    def detector(*args):
        mistaken = wrong(*args)
        if matches(mistaken, tuple(reference(*args)), rtol, atol):
            raise NotThisCase("the mistake gives the right outputs on this case")
        return mistaken

    return detector


def mistakes(reference, *entries, rtol: float = 1e-6, atol: float = 1e-9) -> tuple:
    """Detectors from (key, hint, wrong) triples, each skipped where it gives the reference's outputs."""
    return tuple(Detector(key, text, unless_right(reference, wrong, rtol, atol)) for key, text, wrong in entries)
