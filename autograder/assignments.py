"""Exercises and nbgrader notebooks, generated from the instructor's solutions.

``solutions/<stem>.py`` (jupytext percent format, one file per exercise set;
stems in :mod:`autograder.sets`) is the single source of every exercise:

- ``exercises/<stem>.py``: the students' file, each ``### BEGIN SOLUTION`` …
  ``### END SOLUTION`` region replaced by a Spanish ``NotImplementedError``
  (:func:`autograder.stubs.stub_source`);
- ``<course>/source/<stem>/<stem>.ipynb``: nbgrader's source notebook. The
  cells with a solution region become solution cells; each grade cell (the two
  lines ``from autograder.notebook import grade`` and ``grade("name")``)
  becomes a locked autograded test cell worth the function's points, with the
  hidden call appended between nbgrader's hidden-test markers, so that the
  released notebook ends the cell with the practice score and ``nbgrader
  autograde`` with the hidden one;
- ``<course>/nbgrader_config.py``: the course's configuration
  (``autograder/course/nbgrader_config.py``).

Output depends on the solutions only: generating twice writes the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from . import stubs
from .sets import SETS

GRADE_IMPORT = "from autograder.notebook import grade"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
NBGRADER_SCHEMA_VERSION = 3
COURSE_CONFIG = Path(__file__).with_name("course") / "nbgrader_config.py"
DEFAULT_KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
POINTS_CHECK_SEED = "points-check"           # a second seed: a function's points may not depend on its cases

_SEED_LINE = re.compile(r"^(SEMILLA\s*=\s*)\d+", re.MULTILINE)
_GRADE_CALL = re.compile(r"""^grade\(\s*(["'])(\w+)\1\s*\)$""")
_DEF = re.compile(r"^(?:async\s+)?def\s+(\w+)\s*\(", re.MULTILINE)
_JUPYTEXT_CELL_KEYS = ("lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker")


# -- which files ---------------------------------------------------------------------------------------

def solution_files(solutions_dir: str | Path, sets=None) -> list[tuple[str, Path]]:
    """(set key, solution path) for ``sets`` (keys of :data:`autograder.sets.SETS`), or for every set
    that has a solution file when ``sets`` is None."""
    solutions_dir = Path(solutions_dir)
    if sets is None:
        chosen = [key for key, (stem, _) in SETS.items() if (solutions_dir / f"{stem}.py").is_file()]
    else:
        chosen = list(sets)
        unknown = [key for key in chosen if key not in SETS]
        if unknown:
            raise ValueError(f"sets: unknown exercise set(s) {unknown}; expected some of {list(SETS)}")
        missing = [str(solutions_dir / f"{SETS[key][0]}.py") for key in chosen
                   if not (solutions_dir / f"{SETS[key][0]}.py").is_file()]
        if missing:
            raise FileNotFoundError(f"no solution file for the requested set(s): {', '.join(missing)}")
    return [(key, solutions_dir / f"{SETS[key][0]}.py") for key in chosen]


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


# -- the notebook's cells ------------------------------------------------------------------------------

def grade_cell_function(cell_source: str) -> str | None:
    """The function a grade cell grades (``grade("name")`` after the import), or None for another cell.

    A cell that calls ``grade(`` in any other form is an error: the generator
    could not turn it into an autograded cell.
    """
    lines = [line.strip() for line in cell_source.strip().split("\n") if line.strip()]
    if not any("grade(" in line for line in lines):
        return None
    match = _GRADE_CALL.match(lines[-1]) if len(lines) == 2 and lines[0] == GRADE_IMPORT else None
    if match is None:
        raise ValueError("a grade cell must be exactly the two lines\n"
                         f'    {GRADE_IMPORT}\n    grade("function_name")\ngot:\n{cell_source}')
    return match.group(2)


def test_cell_source(function: str) -> str:
    """The autograded cell: the practice call the student sees, then the hidden call nbgrader removes on release."""
    return "\n".join([GRADE_IMPORT, f'grade("{function}")', HIDDEN_BEGIN, f'grade("{function}", hidden=True)',
                      HIDDEN_END])


def has_solution(cell_source: str) -> bool:
    return any(line.strip() == stubs.BEGIN for line in cell_source.split("\n"))


def solution_cell_name(cell_source: str) -> str | None:
    """The first function a solution cell defines (its grade_id), or None."""
    match = _DEF.search(cell_source)
    return match.group(1) if match else None


def function_points(function: str, exercise_set: str) -> float:
    """The points ``function`` is worth (the sum of its cases' points), checked to be one number for any seed."""
    from . import registry, seeds

    spec = registry.graded_function(function)
    if spec.exercise_set != exercise_set:
        raise ValueError(f"grade({function!r}) is in set {exercise_set!r}'s solutions, but {function!r} is "
                         f"registered for set {spec.exercise_set!r}")
    points = {float(sum(case.points for case in spec.cases(seeds.SeedContext(secret=secret).rng(function))))
              for secret in (seeds.PRACTICE_SECRET, POINTS_CHECK_SEED)}
    if len(points) != 1:
        raise ValueError(f"{function}: its cases are worth {sorted(points)} points depending on the seed; nbgrader "
                         "needs one number (keep the number and points of the cases fixed)")
    return points.pop()


def _nbgrader(grade_id: str, **flags) -> dict:
    return {"grade": False, "solution": False, "locked": False, **flags, "grade_id": grade_id,
            "schema_version": NBGRADER_SCHEMA_VERSION}


def _unique(name: str, taken: set) -> str:
    unique, number = name, 2
    while unique in taken:
        unique, number = f"{name}_{number}", number + 1
    taken.add(unique)
    return unique


def source_notebook(solution: str, exercise_set: str, term: str = ""):
    """nbgrader's source notebook (an nbformat NotebookNode) for the solution file's text ``solution``."""
    import jupytext

    notebook = jupytext.reads(solution, fmt="py:percent")
    notebook.metadata.pop("jupytext", None)
    notebook.metadata.setdefault("kernelspec", dict(DEFAULT_KERNELSPEC))
    notebook.metadata["autograder"] = {"exercise_set": exercise_set, "term": term}
    taken = set()
    for index, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{index:03d}"
        for key in _JUPYTEXT_CELL_KEYS:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        try:
            function = grade_cell_function(cell.source)
            points = None if function is None else function_points(function, exercise_set)
        except (KeyError, ValueError) as error:
            raise ValueError(f"set {exercise_set}, cell {index}: {error.args[0]}") from None
        if function is not None:
            cell.source = test_cell_source(function)
            cell.metadata["nbgrader"] = _nbgrader(_unique(f"test_{function}", taken), grade=True, locked=True,
                                                  points=points)
        elif has_solution(cell.source):
            name = solution_cell_name(cell.source) or f"solution_{index}"
            cell.metadata["nbgrader"] = _nbgrader(_unique(name, taken), solution=True)
    return notebook


def notebook_text(notebook) -> str:
    import nbformat

    return nbformat.writes(notebook) + "\n"


# -- the public functions ------------------------------------------------------------------------------

def term_seed(term: str) -> int:
    """The course seed of a term: a number from 1 to 99 999 (the solution's own SEMILLA when term is "")."""
    return 1 + int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little") % 99_999


def with_term(solution: str, term: str) -> str:
    """``solution`` with its course seed line (``SEMILLA = <number>``) set for ``term``: the numbers in the
    statements' examples change from term to term. An empty term keeps the solution's own seed."""
    if not term:
        return solution
    replaced, count = _SEED_LINE.subn(lambda m: f"{m.group(1)}{term_seed(term)}", solution)
    if count == 0:
        raise ValueError("a term was given but the solution has no course seed line `SEMILLA = <number>`")
    return replaced


def generate(solutions_dir: str | Path, exercises_dir: str | Path, course_dir: str | Path | None = None,
             sets=None, term: str = "") -> list[Path]:
    """Write the exercises (and, with ``course_dir``, the nbgrader course) of ``sets`` (default: every set
    with a solution file); return the paths written."""
    written = []
    for key, path in solution_files(solutions_dir, sets):
        solution = with_term(_read(path), term)
        written.append(_write(Path(exercises_dir) / path.name, stubs.stub_source(solution)))
        if course_dir is not None:
            stem = path.stem
            notebook = source_notebook(solution, key, term)
            written.append(_write(Path(course_dir) / "source" / stem / f"{stem}.ipynb", notebook_text(notebook)))
    if course_dir is not None:
        config = Path(course_dir) / COURSE_CONFIG.name
        config.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(COURSE_CONFIG, config)
        written.append(config)
    return written


def check_up_to_date(solutions_dir: str | Path, exercises_dir: str | Path, term: str = "") -> list[Path]:
    """The exercise files that are missing or differ from what their solution file generates (for ``term``)."""
    stale = []
    for _, path in solution_files(solutions_dir):
        exercise = Path(exercises_dir) / path.name
        expected = stubs.stub_source(with_term(_read(path), term)).encode("utf-8")
        if not exercise.is_file() or exercise.read_bytes() != expected:
            stale.append(exercise)
    return stale
