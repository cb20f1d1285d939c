"""The specifications of exercise sets 001 (dense layer, losses) and 004 §5 (convolution, pooling).

Each check draws its cases from a fresh secret: the cases' references run and give float64 outputs,
every detector's mistake differs from the reference on some case (so it can fire), the instructor's
solution scores full marks and passes the gradient checks, and the untouched stub scores zero.
"""

import copy
import secrets
from pathlib import Path

import numpy as np
import pytest

import autograder.specs.set_004_5  # noqa: F401  (registers the set while specs/__init__ does not import it yet)
from autograder import compare, grading, registry, source, stubs
from autograder.seeds import SeedContext
from autograder.sets import SETS

ROOT = Path(__file__).resolve().parents[1]
SETS_HERE = ("001", "004_5")
SPECS = [spec for key in SETS_HERE for spec in registry.graded_functions(key)]


def fresh_cases(spec):
    secret = secrets.token_hex(8)
    return secret, spec.cases(SeedContext(secret=secret).rng(spec.name))


def plain(value):
    """Whether a non-array argument survives the JSON header unchanged (ints, floats, strings, tuples of ints)."""
    if isinstance(value, tuple):
        return all(type(v) is int for v in value)
    return type(value) in (int, float, str)


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_every_case_has_plain_arguments_and_a_float64_reference(spec):
    secret, cases = fresh_cases(spec)
    assert {c.kind for c in cases} >= {"typical", "edge", "random"}
    for number, case in enumerate(cases, start=1):
        for name, value in zip(spec.parameters, case.args):
            if isinstance(value, np.ndarray):
                wanted = np.int64 if name in ("labels", "permutation") else np.float64   # indices are integers
                assert value.dtype == wanted, (spec.name, number, name, value.dtype)
            else:
                assert plain(value), (spec.name, number, name, value)
        outputs = spec.reference(*copy.deepcopy(case.args))
        assert len(outputs) == len(spec.outputs)
        for output in outputs:
            output = np.asarray(output)
            wanted = np.int64 if spec.extra.get("integer_outputs") else np.float64     # sizes are counts
            assert output.dtype == wanted and np.isfinite(output).all(), (spec.name, number, secret)


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_every_detector_differs_from_the_reference_on_some_case(spec):
    assert spec.detectors, f"{spec.name} recognises no mistake"
    secret, cases = fresh_cases(spec)
    for detector in spec.detectors:
        differing = 0
        for case in cases:
            expected = spec.reference(*copy.deepcopy(case.args))
            try:
                wrong = detector.wrong(*copy.deepcopy(case.args))
            except Exception:  # noqa: BLE001 - the detector does not apply to this case
                continue
            assert len(wrong) == len(spec.outputs)
            assert not compare.matches(wrong, expected, spec.rtol, spec.atol)
            differing += 1
        assert differing, f"{spec.name}: {detector.key} never differs from the reference (secret {secret})"


def test_the_unstable_softmax_detectors_name_nonfinite_outputs_only():
    spec = registry.graded_function("softmax_cross_entropy")
    _, cases = fresh_cases(spec)
    overflowing = [c for c in cases if c.args[0].min() > 900]
    assert overflowing, "no case with logits near 1000"
    detector = {d.key: d for d in spec.detectors}
    wrong = detector["subtract_row_max"].wrong(*overflowing[0].args)
    assert np.isnan(wrong[1]).all()
    spread = [c for c in cases if c.args[0].max() - c.args[0].min() > 2000]
    loss = detector["log_of_softmax"].wrong(*spread[0].args)[0]
    assert np.isinf(loss)
    assert not compare.matches((loss, None), spec.reference(*spread[0].args), spec.rtol, spec.atol)


def test_the_padding_detectors_tell_the_four_same_paddings_apart():
    spec = registry.graded_function("conv2d_forward")
    _, cases = fresh_cases(spec)
    keys = ("padding_only_after", "padding_only_before", "same_odd_pixel_first", "same_ignores_stride")
    detector = {d.key: d for d in spec.detectors}
    for key in keys:
        alone = 0
        for case in cases:
            try:
                mine = detector[key].wrong(*case.args)
            except Exception:  # noqa: BLE001
                continue
            others = []
            for other in keys:
                try:
                    others.append(detector[other].wrong(*case.args))
                except Exception:  # noqa: BLE001
                    pass
            alone += sum(compare.matches(o, mine, spec.rtol, spec.atol) for o in others) == 1
        assert alone, f"{key} always coincides with another padding mistake"


def grade_file(path, key, secret):
    return grading.grade_submission(source.read_submission(path), registry.graded_functions(key),
                                    SeedContext(secret=secret, student="ana"))


@pytest.mark.parametrize("key", SETS_HERE)
def test_the_solution_scores_full_marks_and_its_stub_zero(key, tmp_path):
    solution = ROOT / "solutions" / f"{SETS[key][0]}.py"
    secret = secrets.token_hex(8)
    report = grade_file(solution, key, secret)
    lost = {f["name"]: [c for c in f["cases"] if not c["passed"]] for f in report["functions"]
            if f["score"] != f["max_score"]}
    assert not lost, f"the solution loses points (secret {secret}): {lost}"
    for entry in report["functions"]:
        assert entry["forbidden"] == []
        if registry.graded_function(entry["name"]).gradient_check is not None:
            assert entry["consistency"]["status"] == "ok", (entry["name"], entry["consistency"])
    stub = tmp_path / solution.name
    stub.write_text(stubs.stub_source(solution.read_text(encoding="utf-8")), encoding="utf-8")
    untouched = grade_file(stub, key, secret)
    assert untouched["score"] == 0.0
    errors = {c["error"]["type"] for f in untouched["functions"] for c in f["cases"]}
    assert errors == {"NotImplementedError"}
