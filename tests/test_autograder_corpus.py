"""The buggy corpus: each file makes one mistake students make; it must lose points, with the right hint.

Each file in tests/corpus/buggy/ starts with
``# expect-function: NAME`` and ``# expect-hint: DETECTOR_KEY`` (or ``none``).
The cases are drawn from a fresh secret on every run.
"""

import secrets
from pathlib import Path

import pytest

from autograder import grading, registry, source
from autograder.seeds import SeedContext

CORPUS = sorted((Path(__file__).parent / "corpus" / "buggy").glob("*.py"))


def expectations(path):
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines()[:5]:
        if line.startswith("# expect-"):
            key, _, value = line[len("# expect-"):].partition(":")
            found[key.strip()] = value.strip()
    return found


def test_the_corpus_covers_every_detector():
    keys = {expectations(p).get("hint") for p in CORPUS}
    missing = [f"{spec.name}: {d.key}" for spec in registry.graded_functions() for d in spec.detectors
               if d.key not in keys]
    assert not missing, f"detectors without a buggy submission in the corpus: {missing}"


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_buggy_submission_loses_points_with_its_hint(path):
    expected = expectations(path)
    assert "function" in expected and "hint" in expected, f"{path.name} lacks its expect- header lines"
    spec = registry.graded_function(expected["function"])
    secret = secrets.token_hex(8)
    report = grading.grade_submission(source.read_submission(path), [spec], SeedContext(secret=secret))
    entry = report["functions"][0]
    assert entry["score"] < entry["max_score"], f"{path.name} lost no points (secret {secret})"
    hints = {h["key"] for case in entry["cases"] if not case["passed"] for h in case.get("hints") or []}
    if expected["hint"] == "none":
        return
    assert expected["hint"] in hints, f"{path.name}: hint {expected['hint']!r} not given, got {hints} (secret {secret})"


def test_every_graded_function_has_a_realistic_wrong_version_in_the_corpus():
    covered = {expectations(p).get("function") for p in CORPUS}
    missing = [spec.name for spec in registry.graded_functions() if spec.name not in covered]
    assert not missing, f"graded functions without a buggy submission in tests/corpus/buggy: {missing}"
