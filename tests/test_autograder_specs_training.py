"""The graded functions of sets 003 (batch norm, dropout), 004_2 (optimisers) and 004_6 (recurrent nets).

- every detector's mistake differs from the engine on at least one case of a fresh seed, and the numpy
  helpers the detectors are built from give the engine's outputs when no mistake is chosen;
- the references answer every case, every step of the stateful ones, with outputs the solutions reproduce;
- the solution files score full marks through the grader (with consistent backward functions) and their
  stubs score zero.
"""

import secrets
import warnings
from pathlib import Path

import numpy as np
import pytest

from autograder import grading, registry, source, stubs
from autograder.compare import matches
from autograder.seeds import SeedContext
from autograder.sets import SETS
from autograder.specs import common, set_003, set_004_2, set_004_6
from autograder.specs.stateful import next_rng

ROOT = Path(__file__).resolve().parents[1]
KEYS = ("003", "004_2", "004_6")
SPECS = [spec for key in KEYS for spec in registry.graded_functions(key)]


def solution_path(key):
    return ROOT / "solutions" / f"{SETS[key][0]}.py"


def solution_functions(key):
    """The solution file's definitions, run in this process."""
    namespace = {}
    text = source.definitions_only(solution_path(key).read_text(encoding="utf-8"))
    exec(compile(text, str(solution_path(key)), "exec"), namespace)  # noqa: S102 - our own solution file
    return namespace


def steps_of(spec, case):
    """(args, reference outputs) of every step of a case, as the grader feeds them."""
    args, steps = case.args, []
    for step in range(case.steps):
        expected = tuple(spec.reference(*args))
        steps.append((args, expected))
        if step + 1 < case.steps:
            args = tuple(spec.next_args(args, expected))
    return steps


def fresh_rng():
    return np.random.default_rng(secrets.randbits(64))


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_references_answer_every_step_as_the_solution_does(spec):
    solution = solution_functions(spec.exercise_set)[spec.name]
    for case in spec.cases(fresh_rng()):
        for args, expected in steps_of(spec, case):
            assert len(expected) == len(spec.outputs)
            assert all(isinstance(e, (np.ndarray, np.number, float, int)) for e in expected)   # arrays or numbers
            got = solution(*args)
            got = got if isinstance(got, tuple) else (got,)
            assert matches(expected, got, spec.rtol, spec.atol), (spec.name, case.kind, case.note)


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_every_detector_differs_from_the_reference_somewhere(spec):
    assert spec.detectors
    steps = [step for case in spec.cases(fresh_rng()) for step in steps_of(spec, case)]
    for detector in spec.detectors:
        shown = 0
        for args, expected in steps:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    wrong = detector.wrong(*args)
            except common.NotThisCase:
                continue
            assert len(wrong) == len(spec.outputs), detector.key
            assert not matches(wrong, expected, spec.rtol, spec.atol), detector.key
            shown += 1
        assert shown, f"{detector.key} never differs from the reference"


def test_stateful_cases_draw_their_next_inputs_from_the_arguments():
    spec = registry.graded_function("adam_step")
    case = next(c for c in spec.cases(fresh_rng()) if c.steps > 2)
    (first, out1), (second, _), (third, _) = steps_of(spec, case)[:3]
    assert second[4] == first[4] + 1 and third[4] == first[4] + 2          # t = 1, 2, 3
    assert np.array_equal(second[0], out1[0]) and np.array_equal(second[2], out1[1])
    assert not np.allclose(second[1], first[1])                           # a new gradient each step
    again = spec.next_args(first, out1)
    assert np.array_equal(again[1], second[1])                            # the same for the same arguments
    a, b = next_rng(first[0]).standard_normal(3), next_rng(first[0] + 1e-12).standard_normal(3)
    assert not np.allclose(a, b)


def test_numpy_helpers_without_mistakes_are_the_engine(rng):
    x, gamma, beta = rng.standard_normal((6, 2, 3, 4)), rng.standard_normal(4), rng.standard_normal(4)
    for got, want in zip(set_003._batchnorm(x, gamma, beta, 1e-3), set_003._bn_reference(x, gamma, beta, 1e-3)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    w, dw, m, v = rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), \
        np.exp(rng.standard_normal((4, 3)))
    for got, want in zip(set_004_2._adam_with(True, True)(w, dw, m, v, 3, 0.01, 0.9, 0.99, 1e-3),
                         set_004_2._adam_reference(w, dw, m, v, 3, 0.01, 0.9, 0.99, 1e-3)):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    for got, want in zip(set_004_2._rmsprop_with(True, True)(w, dw, v, 3, 0.01, 0.9, 1e-3),
                         set_004_2._rmsprop_reference(w, dw, v, 3, 0.01, 0.9, 1e-3)):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    n, d, h = 3, 4, 2
    args = (rng.standard_normal((n, d)), rng.standard_normal((n, h)), rng.standard_normal((n, h)),
            rng.standard_normal((d, 4 * h)), rng.standard_normal((h, 4 * h)), rng.standard_normal(4 * h))
    for got, want in zip(set_004_6.lstm_step(*args)[:2], set_004_6._lstm_reference(*args)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    upstream = (rng.standard_normal((n, h)), rng.standard_normal((n, h)))
    for got, want in zip(set_004_6.lstm_step_backward(*upstream, *args),
                         set_004_6._lstm_backward_reference(*upstream, *args)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("key", KEYS)
def test_solution_full_marks_consistent_backward_and_stub_zero(key, tmp_path):
    functions = registry.graded_functions(key)
    seeds = SeedContext(secret=secrets.token_hex(8), student="eva")
    solved = grading.grade_submission(source.read_submission(solution_path(key)), functions, seeds)
    assert solved["load_error"] is None
    lost = {f["name"]: [c for c in f["cases"] if not c["passed"]] for f in solved["functions"]
            if f["score"] != f["max_score"]}
    assert not lost, f"the solution loses points (secret {seeds.secret}): {lost}"
    checked = {f["name"]: f["consistency"]["status"] for f in solved["functions"] if f["consistency"]}
    expected = {s.name for s in functions if s.gradient_check is not None}
    assert set(checked) == expected and all(status == "ok" for status in checked.values()), checked
    stub = tmp_path / solution_path(key).name
    stub.write_text(stubs.stub_source(solution_path(key).read_text(encoding="utf-8")), encoding="utf-8")
    untouched = grading.grade_submission(source.read_submission(stub), functions, seeds)
    assert untouched["score"] == 0.0
    assert {c["status"] for f in untouched["functions"] for c in f["cases"]} == {"error"}
