"""Every registered function: the instructor's solution scores full marks, the untouched stub scores zero."""

import secrets
from pathlib import Path

import pytest

from autograder import grading, registry, source, stubs
from autograder.seeds import SeedContext
from autograder.sets import SETS, set_of_file

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.py"))
GRADED_SETS = sorted({spec.exercise_set for spec in registry.graded_functions()})


def solution_file(key):
    return ROOT / "solutions" / f"{SETS[key][0]}.py"


def test_every_graded_set_has_its_solution_file():
    missing = [key for key in GRADED_SETS if not solution_file(key).is_file()]
    assert not missing, f"graded sets without solutions/<stem>.py: {missing}"


def test_every_solution_file_names_a_set():
    assert all(set_of_file(p.name) for p in SOLUTIONS), [p.name for p in SOLUTIONS if not set_of_file(p.name)]


@pytest.mark.parametrize("key", GRADED_SETS)
def test_the_solution_defines_every_graded_function_of_its_set(key):
    defined = source.defined_functions(solution_file(key).read_text(encoding="utf-8"))
    missing = [spec.name for spec in registry.graded_functions(key) if spec.name not in defined]
    assert not missing


@pytest.mark.parametrize("key", GRADED_SETS)
def test_solution_full_marks_and_stub_zero(key, tmp_path):
    functions = registry.graded_functions(key)
    seeds = SeedContext(secret=secrets.token_hex(8), student="ana")
    solved = grading.grade_submission(source.read_submission(solution_file(key)), functions, seeds)
    lost = {f["name"]: [c for c in f["cases"] if not c["passed"]] for f in solved["functions"]
            if f["score"] != f["max_score"]}
    assert not lost, f"the solution loses points (secret {seeds.secret}): {lost}"
    assert all(f["forbidden"] == [] for f in solved["functions"])
    stub = tmp_path / solution_file(key).name
    stub.write_text(stubs.stub_source(solution_file(key).read_text(encoding="utf-8")), encoding="utf-8")
    untouched = grading.grade_submission(source.read_submission(stub), functions, seeds)
    assert untouched["score"] == 0.0
    statuses = {c["status"] for f in untouched["functions"] for c in f["cases"]}
    assert statuses == {"error"}
    assert {c["error"]["type"] for f in untouched["functions"] for c in f["cases"]} == {"NotImplementedError"}


def test_the_committed_exercises_are_what_the_solutions_generate():
    from autograder import assignments
    stale = assignments.check_up_to_date(ROOT / "solutions", ROOT / "exercises")
    assert not stale, f"run `python -m autograder generate`: stale exercise files {stale}"
