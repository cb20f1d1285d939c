"""Comparing a student's output with the expected one, element by element.

The result is a plain dictionary (it goes into the JSON report) that says
everything a student needs to find the mistake: expected and received shape
and dtype, the largest absolute and relative errors, where the first wrong
element is and both values there, and how many NaN or inf came back.
"""

from __future__ import annotations

import numpy as np


def close(expected: np.ndarray, received: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Elementwise |received − expected| ≤ atol + rtol·|expected|; NaN matches NaN, inf matches the same inf
    (and nothing else: rtol·|inf| would let any finite value pass)."""
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.isfinite(expected) & (np.abs(received - expected) <= atol + rtol * np.abs(expected))
    ok |= (received == expected)                          # equal infinities
    ok |= np.isnan(received) & np.isnan(expected)
    return ok


def _as_float_array(value):
    array = np.asarray(value)
    if array.dtype.kind not in "fiub":
        return None
    return array


def compare(expected: np.ndarray, received, rtol: float, atol: float) -> dict:
    """Judge one output. ``status`` is ``"ok"``, ``"type"``, ``"shape"``, ``"dtype"`` or ``"values"``."""
    expected = np.asarray(expected)
    report = {"expected_shape": list(expected.shape), "expected_dtype": str(expected.dtype)}
    array = _as_float_array(received)
    if array is None:
        return {**report, "status": "type", "received_type": type(received).__name__,
                "received_dtype": str(getattr(received, "dtype", ""))}
    report.update(received_shape=list(array.shape), received_dtype=str(array.dtype))
    if array.shape != expected.shape:
        if not (expected.size == 1 and array.size == 1):        # a scalar loss may come as () or (1,)
            return {**report, "status": "shape"}
        array = array.reshape(expected.shape)
    report["nan"] = int(np.isnan(array).sum()) if array.dtype.kind == "f" else 0
    report["inf"] = int(np.isinf(array).sum()) if array.dtype.kind == "f" else 0
    if expected.dtype.kind == "f" and array.dtype != expected.dtype:
        return {**report, "status": "dtype"}
    ok = close(expected.astype(np.float64), array.astype(np.float64), rtol, atol)
    if expected.size:
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            error = np.abs(array.astype(np.float64) - expected)
            relative = error / np.maximum(np.abs(expected), atol)
        finite = np.isfinite(error)
        report["max_abs_error"] = float(error[finite].max()) if finite.any() else float("inf")
        report["max_rel_error"] = float(relative[finite].max()) if finite.any() else float("inf")
    if ok.all():
        return {**report, "status": "ok"}
    first = tuple(int(i) for i in np.argwhere(~ok)[0])
    report.update(status="values", wrong_count=int((~ok).sum()), size=int(ok.size), first_wrong_index=list(first),
                  expected_value=float(expected[first]), received_value=float(array[first]))
    return report


def matches(expected_outputs, received_outputs, rtol: float, atol: float) -> bool:
    """Whether every output that is not None in ``expected_outputs`` is matched (for the mistake detectors)."""
    any_compared = False
    for expected, received in zip(expected_outputs, received_outputs):
        if expected is None:
            continue
        any_compared = True
        if compare(expected, received, rtol, atol)["status"] != "ok":
            return False
    return any_compared
