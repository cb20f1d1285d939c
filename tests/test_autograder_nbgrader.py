"""The notebook side of the autograder: grade() in a kernel or a script, and a real nbgrader course run."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_autograder_generate import STEM

from autograder import assignments, notebook, registry, seeds
from autograder.sets import SETS

SECRET = "secreto del profesor"
TERM = "2026-1"


# -- grade() without nbgrader --------------------------------------------------------------------------

def test_importing_the_notebook_module_loads_nothing_heavy():
    code = ("import sys, autograder.notebook; "
            "print([m for m in ('numpy', 'IPython', 'numba', 'engine', 'autograder.grading') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_student_is_the_folder_nbgrader_autograde_runs_the_notebook_in(tmp_path, monkeypatch):
    folder = tmp_path / "autograded" / "ana_perez" / STEM
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.delenv(notebook.STUDENT_VARIABLE, raising=False)
    monkeypatch.delenv(notebook.NBGRADER_VARIABLE, raising=False)
    assert notebook.student_id() == ""
    monkeypatch.setenv(notebook.NBGRADER_VARIABLE, "autograde")
    assert notebook.student_id() == "ana_perez"
    monkeypatch.setenv(notebook.STUDENT_VARIABLE, "beto")
    assert notebook.student_id() == "beto"


def test_hidden_cases_need_the_secret(monkeypatch):
    monkeypatch.delenv(seeds.SECRET_VARIABLE, raising=False)
    assert notebook.seed_context(hidden=False) == seeds.SeedContext()
    with pytest.raises(notebook.MissingSecretError, match="AUTOGRADER_SECRET"):
        notebook.seed_context(hidden=True)
    monkeypatch.setenv(seeds.SECRET_VARIABLE, SECRET)
    monkeypatch.setenv(notebook.TERM_VARIABLE, TERM)
    monkeypatch.setenv(notebook.STUDENT_VARIABLE, "ana")
    assert notebook.seed_context(hidden=True) == seeds.SeedContext(secret=SECRET, term=TERM, student="ana")


def test_history_keeps_the_definitions_of_the_cells_that_ran():
    cells = [(1, "import numpy as np"),
             (2, "def f(x):\n    return x"),
             (3, "def g(x:\n    return x"),                 # a syntax error: it defined nothing
             (4, "y = f(np.ones(3))\nprint(y)"),             # an experiment: not run while grading
             (5, "def f(x):\n    return 2 * x")]             # redefined: the last one counts
    submission = notebook.history_submission(cells)
    assert submission.syntax_error is None
    assert "def g" not in submission.full_source
    assert "print(y)" in submission.full_source and "print(y)" not in submission.source
    namespace = {}
    exec(compile(submission.source, "history", "exec"), namespace)  # noqa: S102
    assert namespace["f"](3) == 6 and "y" not in namespace
    line = submission.source.split("\n").index("    return 2 * x") + 1
    assert submission.where(line) == {"cell": 5, "line": 2}


def _run_script(tmp_path, body: str, **env) -> subprocess.CompletedProcess:
    script = tmp_path / "ejercicio.py"
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER_", "NBGRADER_"))}
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path,
                          env={**environment, **env}, timeout=120)


def test_grade_in_a_script_grades_the_file_and_writes_nothing_to_stderr(tmp_path):
    result = _run_script(tmp_path, """
        import numpy as np

        def dense_forward(x, W, b):
            return x @ W + b

        def dense_backward(dy, x, W):
            return dy @ W.T, x.T @ dy, dy.mean(axis=0)   # db averaged instead of summed

        from autograder.notebook import grade
        print("PUNTOS", grade("dense_forward"), grade("dense_backward"))
        """)
    assert result.returncode == 0 and result.stderr == ""
    forward, backward = (float(v) for v in result.stdout.split("PUNTOS")[1].split())
    assert forward == assignments.function_points("dense_forward", "001")
    assert 0 <= backward < assignments.function_points("dense_backward", "001")
    assert "db debe sumar dy" in result.stdout                      # the detector's hint reaches the student


def test_practice_call_is_skipped_while_nbgrader_autogrades(tmp_path):
    result = _run_script(tmp_path, """
        from autograder.notebook import grade
        print("PUNTOS", grade("dense_forward"))
        """, NBGRADER_EXECUTION="autograde")
    assert result.returncode == 0 and result.stderr == ""
    assert "omitidos" in result.stdout and result.stdout.split("PUNTOS")[1].split() == ["0.0"]


def test_ignore_pattern_drops_warnings_but_keeps_other_stderr():
    from nbformat.v4 import new_code_cell, new_output
    from nbgrader.preprocessors import IgnorePattern
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(assignments.COURSE_CONFIG.name, str(assignments.COURSE_CONFIG.parent)).load_config()
    warning = "/x/numba/core/ir_utils.py:2172: NumbaPendingDeprecationWarning: reflected list\n  def f(a):\n"
    other = "el alumno escribió esto en stderr\n"
    cell = new_code_cell("f()", outputs=[new_output("stream", name="stderr", text=warning),
                                         new_output("stream", name="stderr", text=other),
                                         new_output("stream", name="stderr", text="RuntimeWarning: overflow\n")])
    preprocessor = IgnorePattern(config=config)
    assert preprocessor.enabled
    cell, _ = preprocessor.preprocess_cell(cell, {}, 0)
    assert [output.text for output in cell.outputs] == [other]


# -- a real nbgrader course ----------------------------------------------------------------------------

def _nbgrader(course: Path, env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                            text=True, timeout=300)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "Traceback" not in log and "SAWarning" not in log, log
    return log


def _solved(released: dict, source_notebook: dict) -> dict:
    """The released notebook with every solution cell filled in, as a student who solved it hands it in."""
    answers = {cell["metadata"]["nbgrader"]["grade_id"]: cell["source"] for cell in source_notebook["cells"]
               if cell["metadata"].get("nbgrader", {}).get("solution")}
    solved = json.loads(json.dumps(released))
    for cell in solved["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            text = "".join(answers[grade_id])
            cell["source"] = "\n".join(line for line in text.split("\n") if "### " not in line)
    return solved


def _hand_in(course: Path, student: str, content: dict, stem: str) -> None:
    folder = course / "submitted" / student / stem
    folder.mkdir(parents=True)
    (folder / f"{stem}.ipynb").write_text(json.dumps(content), encoding="utf-8")


def _grade_cell_outputs(course: Path, student: str, stem: str) -> str:
    autograded = json.loads((course / "autograded" / student / stem / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return json.dumps([cell["outputs"] for cell in autograded["cells"]
                       if cell["metadata"].get("nbgrader", {}).get("grade")], ensure_ascii=False)


ROOT = Path(__file__).resolve().parents[1]
COURSE_SET = "004_4"           # a real exercise set, its notebook run in quick mode


@pytest.mark.slow
def test_nbgrader_course_grades_solved_and_untouched_submissions(tmp_path):
    """The instructor's whole flow on a real exercise set: regenerate for the term, generate_assignment, submit,
    autograde, generate_feedback, export."""
    course = tmp_path / "course"
    key, stem = COURSE_SET, SETS[COURSE_SET][0]
    assignments.generate(ROOT / "solutions", tmp_path / "exercises", course, sets=[key], term=TERM)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER_", "NBGRADER_"))}
    env = {**environment, "AUTOGRADER_SECRET": SECRET, "AUTOGRADER_TERM": TERM, "MODO_RAPIDO": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",   # nbgrader runs alembic
           "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter")}                                   # no personal config

    _nbgrader(course, env, "generate_assignment", stem)
    released_text = (course / "release" / stem / f"{stem}.ipynb").read_text(encoding="utf-8")
    assert "hidden=True" not in released_text and "BEGIN HIDDEN TESTS" not in released_text
    assert "### BEGIN SOLUTION" not in released_text
    released = json.loads(released_text)
    source_notebook = json.loads((course / "source" / stem / f"{stem}.ipynb").read_text(encoding="utf-8"))
    _hand_in(course, "ana", _solved(released, source_notebook), stem)
    _hand_in(course, "beto", released, stem)

    _nbgrader(course, env, "autograde", stem)
    _nbgrader(course, env, "generate_feedback", stem)
    _nbgrader(course, env, "export")

    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        grades = {row["student_id"]: row for row in csv.DictReader(handle)}
    graded = _graded_names(source_notebook)
    assert graded and set(graded) == {spec.name for spec in registry.graded_functions(key)}
    full = sum(assignments.function_points(name, key) for name in graded)
    assert float(grades["ana"]["max_score"]) == full
    assert float(grades["ana"]["score"]) == full
    assert float(grades["beto"]["score"]) == 0.0
    for student in ("ana", "beto"):                  # graded with the hidden cases of this student and term
        cases_id = seeds.SeedContext(secret=SECRET, term=TERM, student=student).fingerprint()
        assert cases_id in _grade_cell_outputs(course, student, stem)
        feedback = (course / "feedback" / student / stem / f"{stem}.html").read_text(encoding="utf-8")
        assert "hidden=True" not in feedback and "BEGIN HIDDEN TESTS" not in feedback
        assert cases_id in feedback                  # the hidden cases' results stay in the feedback


def _graded_names(notebook: dict) -> list:
    return [cell["metadata"]["nbgrader"]["grade_id"][len("test_"):] for cell in notebook["cells"]
            if cell["metadata"].get("nbgrader", {}).get("grade")]
