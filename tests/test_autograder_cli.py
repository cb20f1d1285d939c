"""The command line: ``check`` for a student, ``grade`` for a class (CSV, feedback, atomic resumable results)."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import registry
from autograder.seeds import SeedContext

ONLY_DENSE = ["--function", "dense_forward", "--function", "dense_backward"]


def points(name):
    """The practice cases' total points of a registered function."""
    return sum(case.points for case in registry.graded_function(name).cases(SeedContext().rng(name)))

SOLVED = '''import numpy as np

def dense_forward(x, W, b):
    return x @ W + b

def dense_backward(dy, x, W):
    return dy @ W.T, x.T @ dy, dy.sum(axis=0)

print("experimentos que el corrector no ejecuta")
'''
NO_BIAS = SOLVED.replace("return x @ W + b", "return x @ W")


def autograder(*args, cwd, check=True, env=None):
    run = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, timeout=300)
    if check:
        assert run.returncode == 0, run.stderr
    return run


@pytest.fixture
def class_folder(tmp_path):
    submissions = tmp_path / "entregas"
    for student, text in [("ana", SOLVED), ("luis", NO_BIAS), ("marta", SOLVED)]:
        (submissions / student).mkdir(parents=True)
        (submissions / student / "001_ciclo_de_trabajo.py").write_text(text, encoding="utf-8")
    (submissions / "pablo.py").write_text("def dense_forward(x, W, b):\n    return x @ W + b\n", encoding="utf-8")
    return submissions


def test_check_prints_the_table_in_spanish_and_english(tmp_path):
    path = tmp_path / "001_ciclo_de_trabajo.py"
    path.write_text(NO_BIAS, encoding="utf-8")
    forward, backward = points("dense_forward"), points("dense_backward")
    spanish = autograder("check", str(path), *ONLY_DENSE, cwd=tmp_path).stdout
    assert f"dense_forward(x, W, b) -> y    0/{forward:g} puntos" in spanish
    assert f"dense_backward(dy, x, W) -> (dx, dW, db)    {backward:g}/{backward:g} puntos" in spanish
    assert "pista: Parece que olvidaste sumar el sesgo b." in spanish
    assert f"Total: {backward:g}/{forward + backward:g} puntos" in spanish
    english = autograder("check", str(path), *ONLY_DENSE, "--lang", "en", cwd=tmp_path).stdout
    assert f"Total: {backward:g}/{forward + backward:g} points" in english
    assert "hint: It looks like the bias b is missing." in english


def test_check_writes_json_and_gradescope_results(tmp_path):
    path = tmp_path / "entrega.py"
    path.write_text(NO_BIAS, encoding="utf-8")
    forward, backward = points("dense_forward"), points("dense_backward")
    autograder("check", str(path), *ONLY_DENSE, "--format", "json", "--output", "r.json", cwd=tmp_path)
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert (report["score"], report["max_score"]) == (backward, forward + backward)
    autograder("check", str(path), *ONLY_DENSE, "--format", "gradescope", "--output", "results.json", cwd=tmp_path)
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == backward
    assert [(t["score"], t["max_score"]) for t in results["tests"]] == [(0.0, forward), (backward, backward)]
    assert "sesgo" in results["tests"][0]["output"]


def test_check_refuses_what_it_cannot_grade(tmp_path):
    (tmp_path / "notas.py").write_text("x = 1\n", encoding="utf-8")
    run = autograder("check", "notas.py", cwd=tmp_path, check=False)
    assert run.returncode == 2 and "no define ninguna función" in run.stderr
    run = autograder("check", "falta.py", cwd=tmp_path, check=False)
    assert run.returncode == 2 and "no existe" in run.stderr


def read_grades(folder):
    with open(folder / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_grade_writes_csv_feedback_and_resumes(class_folder, tmp_path):
    out = tmp_path / "notas"
    run = autograder("grade", str(class_folder), "--output", str(out), "--jobs", "2", "--quiet", cwd=tmp_path)
    assert "4 students: 4 graded now, 0 already graded" in run.stdout
    grades = read_grades(out)
    full = {s: json.loads((out / "results" / f"{s}.json").read_text(encoding="utf-8"))["files"][0]["functions"]
            for s in grades}
    maxima = {f["name"]: f["max_score"] for f in full["ana"]}
    for entries in full.values():       # every student's own cases: the maxima are the same
        assert {f["name"]: f["max_score"] for f in entries} == maxima
    dense = {s: (g["dense_forward"], g["dense_backward"]) for s, g in grades.items()}
    forward, backward = f"{maxima['dense_forward']:g}", f"{maxima['dense_backward']:g}"
    assert dense == {"ana": (forward, backward), "luis": ("0", backward), "marta": (forward, backward),
                     "pablo": (forward, "0")}
    assert all(float(g["total"]) == sum(float(g[c]) for c in maxima) for g in grades.values())
    assert "sesgo" in (out / "feedback" / "luis.txt").read_text(encoding="utf-8")
    for student in grades:                         # each result is the student's own, on their own file
        result = json.loads((out / "results" / f"{student}.json").read_text(encoding="utf-8"))
        assert result["student"] == student and student in result["files"][0]["file"]
    again = autograder("grade", str(class_folder), "--output", str(out), "--quiet", cwd=tmp_path)
    assert "0 graded now, 4 already graded" in again.stdout
    (class_folder / "luis" / "001_ciclo_de_trabajo.py").write_text(SOLVED, encoding="utf-8")
    third = autograder("grade", str(class_folder), "--output", str(out), "--quiet", cwd=tmp_path)
    assert "1 graded now, 3 already graded" in third.stdout
    assert read_grades(out)["luis"]["dense_forward"] == forward


def test_a_killed_run_resumes_without_losing_or_mixing_grades(tmp_path):
    submissions = tmp_path / "entregas"
    submissions.mkdir()
    for i in range(8):
        text = SOLVED if i % 2 == 0 else NO_BIAS
        (submissions / f"alumno{i}.py").write_text(text + f"\nNUMERO = {i}\n", encoding="utf-8")
    out = tmp_path / "notas"
    command = ["grade", str(submissions), "--set", "001", "--output", str(out), "--quiet"]
    temporary = tmp_path / "tmp"                   # the killed grader cannot clean its sandboxes' folders
    temporary.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "autograder", *command], cwd=tmp_path, start_new_session=True,
                               env={**os.environ, "TMPDIR": str(temporary)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "results").glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = sorted(p.stem for p in (out / "results").glob("*.json"))
    assert 2 <= len(finished) < 8, "the run was not killed half-way"
    for path in (out / "results").glob("*.json"):  # whatever is there is whole
        json.loads(path.read_text(encoding="utf-8"))
    run = autograder("grade", str(submissions), "--set", "001", "--output", str(out), "--quiet", cwd=tmp_path)
    assert f"{len(finished)} already graded" in run.stdout
    grades = read_grades(out)
    assert sorted(grades) == [f"alumno{i}" for i in range(8)]
    for i in range(8):
        result = json.loads((out / "results" / f"alumno{i}.json").read_text(encoding="utf-8"))
        assert result["student"] == f"alumno{i}" and result["files"][0]["file"].endswith(f"alumno{i}.py")
        forward = next(f for f in result["files"][0]["functions"] if f["name"] == "dense_forward")
        assert forward["score"] == (forward["max_score"] if i % 2 == 0 else 0.0)
    assert not list(out.rglob("*.tmp"))


def test_hostile_students_do_not_disturb_the_rest_of_the_class(tmp_path):
    """A class where some students crash, hang, flood or attack: everyone is graded, the honest get full marks."""
    corpus = Path(__file__).parent / "corpus" / "hostile"
    submissions = tmp_path / "entregas"
    submissions.mkdir()
    hostile = ["segfault", "os_exit", "endless_njit_loop", "print_flood", "kill_parent", "write_outside"]
    for name in hostile:
        (submissions / f"{name}.py").write_text((corpus / f"{name}.py").read_text(encoding="utf-8"), encoding="utf-8")
    for name in ("ana", "luis"):
        (submissions / f"{name}.py").write_text(SOLVED, encoding="utf-8")
    out = tmp_path / "notas"
    run = autograder("grade", str(submissions), "--set", "001", "--output", str(out), "--jobs", "2", "--quiet",
                     "--timeout", "2", cwd=tmp_path)
    assert "8 graded now" in run.stdout and "0 internal errors" in run.stdout
    grades = read_grades(out)
    for name in hostile:
        assert grades[name]["status"] == "graded" and grades[name]["dense_forward"] == "0", name
    for name in ("ana", "luis"):
        result = json.loads((out / "results" / f"{name}.json").read_text(encoding="utf-8"))
        entries = {f["name"]: f for f in result["files"][0]["functions"]}
        for function in ("dense_forward", "dense_backward"):
            assert entries[function]["score"] == entries[function]["max_score"] > 0, (name, function)


def test_check_a_notebook_points_to_the_cell_and_line(tmp_path):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Capa densa"},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "import numpy as np\n%matplotlib inline"},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "def dense_forward(x, W, b):\n    y = x @ W + b\n    return y.T[0]"}]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "mi_cuaderno.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    run = autograder("check", "mi_cuaderno.ipynb", "--function", "dense_forward", cwd=tmp_path).stdout
    assert "dense_forward(x, W, b) -> y    0/" in run
    assert "forma esperada" in run                                  # y.T[0] has the wrong shape
    broken = cells[2]["source"].replace("x @ W + b", "x @ W + c")
    notebook["cells"][2]["source"] = broken
    (tmp_path / "mi_cuaderno.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    run = autograder("check", "mi_cuaderno.ipynb", "--function", "dense_forward", cwd=tmp_path).stdout
    assert "NameError: name 'c' is not defined" in run
    assert "celda 2, línea 2 (dense_forward): y = x @ W + c" in run
