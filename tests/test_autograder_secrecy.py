"""What a submission cannot know or do: the instructor's secret, the cases before it is asked, the
reference behind the grader's back (a forbidden call is reported, or zeroed when the instructor says so)."""

import secrets

import pytest

from autograder import grading, registry, source
from autograder.seeds import SECRET_VARIABLE, SeedContext

SPY_ON_THE_SECRET = '''import os
import numpy as np

def dense_forward(x, W, b):
    raise RuntimeError("secreto visible: " + str(os.environ.get("AUTOGRADER_SECRET") is not None))
'''

READ_THE_CASES_AT_LOAD = '''import fcntl
import os
import numpy as np

class Spy:
    found = 0
    for fd in range(64):
        try:
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
            fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
            try:
                found += len(os.read(fd, 1 << 20))
            finally:
                fcntl.fcntl(fd, fcntl.F_SETFL, flags)
        except OSError:
            pass

def dense_forward(x, W, b):
    raise RuntimeError(f"bytes leídos al cargar: {Spy.found}")
'''

USES_THE_ENGINE = '''import engine.functional as F

def dense_forward(x, W, b):
    return F.dense_forward(x, W, b)
'''


def grade(tmp_path, text, policy="report", secret=None):
    path = tmp_path / "001_ciclo_de_trabajo.py"
    path.write_text(text, encoding="utf-8")
    seeds = SeedContext(secret=secret or secrets.token_hex(8))
    report = grading.grade_submission(source.read_submission(path), [registry.graded_function("dense_forward")],
                                      seeds, policy=policy)
    return report["functions"][0]


def test_the_secret_never_reaches_the_submission(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_VARIABLE, "el secreto del profesor")
    entry = grade(tmp_path, SPY_ON_THE_SECRET, secret="el secreto del profesor")
    assert {c["error"]["message"] for c in entry["cases"]} == {"secreto visible: False"}


def test_no_case_can_be_read_before_the_submission_has_loaded(tmp_path):
    entry = grade(tmp_path, READ_THE_CASES_AT_LOAD)
    assert {c["error"]["message"] for c in entry["cases"]} == {"bytes leídos al cargar: 0"}


@pytest.mark.parametrize("policy", ["report", "zero"])
def test_handing_in_the_reference_is_reported_or_zeroed(tmp_path, policy):
    entry = grade(tmp_path, USES_THE_ENGINE, policy=policy)
    assert entry["forbidden"] == ["engine.functional.dense_forward"]
    assert all(case["passed"] for case in entry["cases"])            # it computes the right thing ...
    assert entry["score"] == (entry["max_score"] if policy == "report" else 0.0)   # ... which may not count


def test_cases_differ_per_student_term_and_secret_but_not_between_runs():
    def draws(secret="s", term="", student="ana", function="conv2d_forward"):
        return SeedContext(secret=secret, term=term, student=student).rng(function).standard_normal(4)

    first = draws()
    assert (first == draws()).all()
    for other in (draws(student="luis"), draws(term="2027-1"), draws(secret="t"), draws(function="conv2d_backward")):
        assert (first != other).all()
