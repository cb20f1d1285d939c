"""Grading one submission: every case of every graded function, judged in the grader's process.

For each case the grader draws the inputs (from the seed context), asks the
submission's process for its outputs (:mod:`autograder.sandbox`), computes the
engine's outputs itself, and compares them (:mod:`autograder.compare`). A
failed case is checked against the known mistakes of that function (its
detectors). A backward function is also checked against finite differences of
the student's own forward function, when the submission has one. The result is
a plain dictionary, the same one the terminal table, the JSON, the Gradescope
file and the notebooks are written from (:mod:`autograder.report`).
"""

from __future__ import annotations

import copy
import hashlib
import time

import numpy as np

from . import compare, source
from .registry import DEFAULT_FORBIDDEN, GradedFunction
from .sandbox import DEFAULT_LIMITS, Sandbox
from .seeds import SeedContext

FINITE_DIFFERENCE_STEP = 1e-6
CONSISTENCY_TOLERANCE = 1e-4


def describe_args(spec: GradedFunction, args: tuple) -> dict:
    """What a case is, for the student: arrays by shape and dtype, other arguments by value."""
    described = {}
    for name, value in zip(spec.parameters, args):
        if isinstance(value, np.ndarray):
            described[name] = f"{tuple(value.shape)} {value.dtype}"
        else:
            described[name] = repr(value)
    return described


def _timeout(sandbox: Sandbox, spec: GradedFunction) -> float:
    """Seconds a call may take: the function's own limit, unless the grader's limits override it."""
    return float(sandbox.limits.get("call_timeout") or spec.timeout)


def _copied(args: tuple) -> tuple:
    return tuple(copy.deepcopy(a) for a in args)


def _as_tuple(outputs) -> tuple:
    return outputs if isinstance(outputs, tuple) else (outputs,)


def _run_step(sandbox: Sandbox, spec: GradedFunction, args: tuple, result: dict):
    """One call of the student's function, judged; returns (passed, student outputs, reference outputs)."""
    expected = _as_tuple(spec.reference(*_copied(args)))
    timeout = _timeout(sandbox, spec)
    reply = sandbox.call(spec.name, args, timeout)
    result["seconds"] = round(result.get("seconds", 0.0) + reply.seconds, 4)
    if reply.status != "ok":
        result["status"] = reply.status
        result["error"] = reply.error
        result["exit"] = reply.exit
        if reply.status == "timeout":
            result["timeout"] = timeout
        return False, None, expected
    if len(reply.outputs) != len(spec.outputs):
        result.update(status="count", expected_count=len(spec.outputs), received_count=len(reply.outputs),
                      output_names=list(spec.outputs))
        return False, reply.outputs, expected
    reports = []
    for name, want, got in zip(spec.outputs, expected, reply.outputs):
        reports.append({"name": name, **compare.compare(want, got, spec.rtol, spec.atol)})
    result["outputs"] = reports
    if all(r["status"] == "ok" for r in reports):
        return True, reply.outputs, expected
    result["status"] = "wrong"
    hints = []
    for detector in spec.detectors:
        try:
            wrong = _as_tuple(detector.wrong(*_copied(args)))
        except Exception:  # noqa: BLE001 - a detector that does not apply to this case
            continue
        if compare.matches(wrong, reply.outputs, spec.rtol, spec.atol):
            hints.append({"key": detector.key, **detector.hint})
    result["hints"] = hints
    return False, reply.outputs, expected


def _case_entry(spec: GradedFunction, number: int, case) -> dict:
    """A case's report before it is judged: what it is, and no points yet."""
    return {"number": number, "kind": case.kind, "note": case.note, "steps": case.steps,
            "description": describe_args(spec, case.args), "max_points": case.points, "points": 0.0}


def grade_case(sandbox: Sandbox, spec: GradedFunction, number: int, case) -> tuple[dict, tuple | None]:
    result = _case_entry(spec, number, case)
    args = case.args
    outputs = None
    for step in range(1, case.steps + 1):
        result["step"] = step
        passed, outputs, expected = _run_step(sandbox, spec, args, result)
        if not passed:
            result["passed"] = False
            usable = result["status"] == "wrong" and all(o["status"] in ("ok", "values") for o in result["outputs"])
            return result, outputs if usable and case.steps == 1 else None
        if step < case.steps:
            args = tuple(spec.next_args(args, expected))
            result.pop("outputs", None)
    result.update(passed=True, status="passed", points=case.points)
    return result, outputs if case.steps == 1 else None


def _consistency(sandbox: Sandbox, spec: GradedFunction, case, outputs: tuple, rng) -> dict:
    """Directional finite differences of the student's forward against the student's backward."""
    check = spec.gradient_check
    forward_args = list(check.forward_args(case.args))
    dy = case.args[check.upstream]
    results = []
    for output_index, arg_index in check.inputs.items():
        base = forward_args[arg_index]
        direction = rng.standard_normal(base.shape)
        values = []
        for sign in (1.0, -1.0):
            shifted = list(forward_args)
            shifted[arg_index] = base + sign * FINITE_DIFFERENCE_STEP * direction
            reply = sandbox.call(check.forward, tuple(shifted), _timeout(sandbox, spec))
            if reply.status != "ok" or len(reply.outputs) <= check.forward_output:
                return {"status": "forward_failed", "forward": check.forward}
            values.append(np.asarray(reply.outputs[check.forward_output], dtype=np.float64))
        if values[0].shape != np.shape(dy):
            return {"status": "forward_failed", "forward": check.forward}
        numerical = float(np.sum(dy * (values[0] - values[1])) / (2 * FINITE_DIFFERENCE_STEP))
        gradient = np.asarray(outputs[output_index], dtype=np.float64)
        if gradient.shape != base.shape:
            return {"status": "forward_failed", "forward": check.forward}
        analytical = float(np.sum(gradient * direction))
        error = abs(numerical - analytical) / max(abs(numerical), abs(analytical), 1e-12)
        results.append({"output": spec.outputs[output_index], "numerical": numerical, "analytical": analytical,
                        "relative_error": error, "ok": error < CONSISTENCY_TOLERANCE})
    return {"status": "ok" if all(r["ok"] for r in results) else "inconsistent", "forward": check.forward,
            "checks": results}


def _skipped_cases(spec: GradedFunction, cases, status: str, error: dict | None = None) -> list:
    return [{**_case_entry(spec, i, c), "passed": False, "status": status, "error": error}
            for i, c in enumerate(cases, start=1)]


def grade_function(sandbox: Sandbox | None, submission: source.Submission, spec: GradedFunction,
                   seeds: SeedContext, defined: set, policy: str) -> dict:
    rng = seeds.rng(spec.name)
    cases = spec.cases(rng)
    entry = {"name": spec.name, "set": spec.exercise_set, "signature": spec.signature, "summary": spec.summary,
             "max_score": float(sum(c.points for c in cases)), "score": 0.0, "forbidden": [], "consistency": None}
    if submission.syntax_error is not None:
        entry["cases"] = _skipped_cases(spec, cases, "syntax_error", submission.syntax_error)
        return entry
    if spec.name not in defined:
        entry["cases"] = _skipped_cases(spec, cases, "missing")
        return entry
    entry["forbidden"] = source.forbidden_uses(submission.full_source, spec.name, DEFAULT_FORBIDDEN + spec.forbidden)
    results, answered = [], None
    for number, case in enumerate(cases, start=1):
        result, outputs = grade_case(sandbox, spec, number, case)
        results.append(result)
        if outputs is not None and answered is None:
            answered = (case, outputs)      # the first case the backward answered with the right shapes
    if spec.gradient_check is not None and spec.gradient_check.forward in defined and answered is not None:
        entry["consistency"] = _consistency(sandbox, spec, answered[0], answered[1], np.random.default_rng(0))
    entry["cases"] = results
    zeroed = bool(entry["forbidden"]) and policy == "zero"
    entry["forbidden_policy"] = policy
    entry["score"] = 0.0 if zeroed else float(sum(r["points"] for r in results))
    return entry


def _locate(error: dict | None, submission: source.Submission) -> None:
    """Turn the traceback's line numbers into the student's own (cell and line, for a notebook)."""
    for frame in (error or {}).get("traceback", []) or []:
        if isinstance(frame, dict) and isinstance(frame.get("line"), int) and "cell" not in frame:
            frame.update(submission.where(frame["line"]))


def grade_submission(submission: source.Submission, functions: list, seeds: SeedContext,
                     limits: dict | None = None, policy: str = "report") -> dict:
    """Grade ``functions`` (GradedFunction specs) in ``submission``; see the module docstring."""
    if policy not in ("report", "zero"):
        raise ValueError(f"policy must be 'report' or 'zero' (what a forbidden call costs), got {policy!r}")
    started = time.monotonic()
    limits = {**DEFAULT_LIMITS, **(limits or {})}
    defined = set() if submission.syntax_error else source.defined_functions(submission.source)
    report = {"file": submission.path, "sha256": hashlib.sha256(submission.full_source.encode()).hexdigest(),
              "cases_id": seeds.fingerprint(), "practice": seeds.practice, "syntax_error": submission.syntax_error,
              "load_error": None, "functions": []}
    with Sandbox(submission.source, limits) as sandbox:
        for spec in functions:
            report["functions"].append(grade_function(sandbox, submission, spec, seeds, defined, policy))
        report["load_error"] = sandbox.load_error
        report["printed"] = sandbox.printed()
        report["processes"] = sandbox.starts
        report["isolation"] = sandbox.isolation          # None when no process ran
        report["confinement"] = sandbox.confinement
    _locate(report["load_error"], submission)
    for entry in report["functions"]:
        for case in entry["cases"]:
            if case.get("status") != "syntax_error":
                _locate(case.get("error"), submission)
    report["score"] = float(sum(f["score"] for f in report["functions"]))
    report["max_score"] = float(sum(f["max_score"] for f in report["functions"]))
    report["seconds"] = round(time.monotonic() - started, 3)
    return report
