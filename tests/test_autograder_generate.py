"""Generating the students' exercises and nbgrader's source notebooks from a solutions file."""

from __future__ import annotations

import ast

import nbformat
import numpy as np
import pytest

from autograder import assignments, source, stubs

STEM = "001_ciclo_de_trabajo"

# A solutions file of set 001 in the format of solutions/ (jupytext percent): prose, an import, two graded
# functions with their grade cells.
SOLUTION_001 = '''# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 001 · Ciclo de trabajo
#
# Una capa densa: $y = x W + b$.

# %%
import numpy as np

SEMILLA = 2026

# %% [markdown]
# ## Capa densa (forward)

# %%
def dense_forward(x, W, b):
    """Recibe x (N, D), W (D, K) y b (K,); devuelve y = x W + b, de forma (N, K)."""
    # Pista: un producto de matrices y una suma que se difunde por filas.
    ### BEGIN SOLUTION
    return x @ W + b
    ### END SOLUTION

# %%
from autograder.notebook import grade
grade("dense_forward")

# %% [markdown]
# ## Capa densa (backward)

# %%
def dense_backward(dy, x, W):
    """Recibe dy (N, K), x (N, D) y W (D, K); devuelve (dx, dW, db)."""
    ### BEGIN SOLUTION
    dx = dy @ W.T
    dW = x.T @ dy
    db = dy.sum(axis=0)
    return dx, dW, db
    ### END SOLUTION

# %%
from autograder.notebook import grade
grade("dense_backward")
'''


def write_solutions(folder, text: str = SOLUTION_001):
    """A solutions folder holding set 001's file; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{STEM}.py").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def generated(tmp_path):
    solutions = write_solutions(tmp_path / "solutions")
    written = assignments.generate(solutions, tmp_path / "exercises", tmp_path / "course", term="2026-1")
    return tmp_path, written


def _notebook(tmp_path):
    return nbformat.read(tmp_path / "course" / "source" / STEM / f"{STEM}.ipynb", as_version=4)


def test_generate_writes_exercise_notebook_and_config(generated):
    tmp_path, written = generated
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == sorted([
        f"exercises/{STEM}.py", f"course/source/{STEM}/{STEM}.ipynb", "course/nbgrader_config.py"])
    assert (tmp_path / "course" / "nbgrader_config.py").read_bytes() == assignments.COURSE_CONFIG.read_bytes()


def test_generation_is_byte_for_byte_deterministic(tmp_path):
    solutions = write_solutions(tmp_path / "solutions")
    first = assignments.generate(solutions, tmp_path / "a" / "exercises", tmp_path / "a" / "course")
    second = assignments.generate(solutions, tmp_path / "b" / "exercises", tmp_path / "b" / "course")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_exercise_stubs_raise_not_implemented_in_spanish(generated):
    tmp_path, _ = generated
    text = (tmp_path / "exercises" / f"{STEM}.py").read_text(encoding="utf-8")
    assert stubs.BEGIN not in text and "x @ W + b" not in text and "dy.sum" not in text
    assert "# Pista: un producto de matrices" in text             # hints above a solution region stay
    assert 'grade("dense_forward")' in text and "hidden" not in text
    namespace = {}
    exec(compile(source.definitions_only(text), "exercise.py", "exec"), namespace)  # noqa: S102
    rng = np.random.default_rng()
    n, d, k = rng.integers(1, 6, size=3)
    calls = {"dense_forward": (rng.standard_normal((n, d)), rng.standard_normal((d, k)), rng.standard_normal(k)),
             "dense_backward": (rng.standard_normal((n, k)), rng.standard_normal((n, d)), rng.standard_normal((d, k)))}
    for name, args in calls.items():
        with pytest.raises(NotImplementedError, match=f"Te toca: completa «{name}»"):
            namespace[name](*args)


def test_solution_cells_get_nbgrader_solution_metadata(generated):
    notebook = _notebook(generated[0])
    solutions = [cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("solution")]
    assert [cell.metadata.nbgrader.grade_id for cell in solutions] == ["dense_forward", "dense_backward"]
    for cell in solutions:
        assert stubs.BEGIN in cell.source                          # the source notebook keeps the solution
        assert cell.metadata.nbgrader == {"grade": False, "solution": True, "locked": False,
                                          "grade_id": cell.metadata.nbgrader.grade_id, "schema_version": 3}


def test_grade_cells_become_locked_test_cells_with_hidden_part(generated):
    notebook = _notebook(generated[0])
    tests = [cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade")]
    assert [cell.metadata.nbgrader.grade_id for cell in tests] == ["test_dense_forward", "test_dense_backward"]
    for cell, name in zip(tests, ["dense_forward", "dense_backward"]):
        assert cell.source.split("\n") == [
            "from autograder.notebook import grade", f'grade("{name}")', "### BEGIN HIDDEN TESTS",
            f'grade("{name}", hidden=True)', "### END HIDDEN TESTS"]
        metadata = cell.metadata.nbgrader
        assert metadata.locked and not metadata.solution and metadata.schema_version == 3
        assert metadata.points == assignments.function_points(name, "001") > 0
        ast.parse(cell.source)                                     # the cell runs as it is


def test_points_are_the_sum_of_the_functions_case_points():
    from autograder import registry, seeds

    spec = registry.graded_function("dense_backward")
    cases = spec.cases(seeds.SeedContext(secret="another secret", student="x").rng(spec.name))
    assert assignments.function_points("dense_backward", "001") == sum(case.points for case in cases)


def test_other_cells_are_kept_and_notebook_is_valid(generated):
    notebook = _notebook(generated[0])
    nbformat.validate(notebook)
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    assert markdown[0].startswith("# 001 · Ciclo de trabajo") and len(markdown) == 3
    plain = [cell for cell in notebook.cells if cell.cell_type == "code" and "nbgrader" not in cell.metadata]
    assert [cell.source for cell in plain] == [f"import numpy as np\n\nSEMILLA = {assignments.term_seed('2026-1')}"]
    assert [cell.id for cell in notebook.cells] == [f"cell-{i:03d}" for i in range(1, len(notebook.cells) + 1)]
    assert notebook.metadata.kernelspec.name == "python3" and "jupytext" not in notebook.metadata
    assert notebook.metadata.autograder == {"exercise_set": "001", "term": "2026-1"}


def test_check_up_to_date_finds_stale_and_missing_exercises(tmp_path):
    solutions = write_solutions(tmp_path / "solutions")
    exercises = tmp_path / "exercises"
    assert assignments.check_up_to_date(solutions, exercises) == [exercises / f"{STEM}.py"]
    assignments.generate(solutions, exercises)
    assert assignments.check_up_to_date(solutions, exercises) == []
    write_solutions(solutions, SOLUTION_001.replace("una suma que se difunde", "una suma difundida"))
    assert assignments.check_up_to_date(solutions, exercises) == [exercises / f"{STEM}.py"]


def test_only_the_requested_sets_and_clear_errors(tmp_path):
    solutions = write_solutions(tmp_path / "solutions")
    written = assignments.generate(solutions, tmp_path / "exercises", sets=["001"])
    assert written == [tmp_path / "exercises" / f"{STEM}.py"]
    with pytest.raises(ValueError, match="unknown exercise set"):
        assignments.generate(solutions, tmp_path / "exercises", sets=["9"])
    with pytest.raises(FileNotFoundError, match="004_5_convolucionales.py"):
        assignments.generate(solutions, tmp_path / "exercises", sets=["004_5"])


@pytest.mark.parametrize("cell, message", [
    ('from autograder.notebook import grade\ngrade("dense_forward")\nprint("hola")', "a grade cell must be exactly"),
    ('grade("dense_forward", hidden=True)', "a grade cell must be exactly"),
    ('from autograder.notebook import grade\ngrade("dense_forwrd")', "cell 5: no graded function named 'dense_forwrd'"),
])
def test_malformed_grade_cells_are_refused(tmp_path, cell, message):
    text = SOLUTION_001.replace('from autograder.notebook import grade\ngrade("dense_forward")', cell)
    with pytest.raises(ValueError, match=message):
        assignments.source_notebook(text, "001")


def test_a_function_of_another_set_is_refused():
    with pytest.raises(ValueError, match="registered for set '001'"):
        assignments.source_notebook(SOLUTION_001, "002")


def test_a_term_changes_the_course_seed_of_the_statements_deterministically():
    from autograder.assignments import term_seed, with_term
    solution = "import numpy as np\n\nSEMILLA = 2026  # la semilla del curso\nrng = np.random.default_rng(SEMILLA)\n"
    assert with_term(solution, "") == solution
    first = with_term(solution, "2026-2")
    assert first == with_term(solution, "2026-2") and first != solution
    assert f"SEMILLA = {term_seed('2026-2')}  # la semilla del curso" in first
    assert term_seed("2026-2") != term_seed("2027-1")
    with pytest.raises(ValueError, match="SEMILLA"):
        with_term("x = 1\n", "2026-2")
