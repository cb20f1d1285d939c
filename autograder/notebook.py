"""What the grade cells call: ``grade("conv2d_forward")`` grades one function of the code the student ran.

In a notebook (Jupyter, or an exercise file opened as one) the code is every
cell the kernel has executed so far, in order; in an exercise file run as a
script (``python exercises/004_5_convolucionales.py``) it is that file. The
grader keeps only the definitions (:mod:`autograder.source`), runs them in a
child process (:mod:`autograder.sandbox`), prints the feedback and returns the
score, in the function's own points: the number an nbgrader test cell ends with
is the partial credit nbgrader records.

- ``grade(name)`` draws the public practice cases, the same for everyone.
- ``grade(name, hidden=True)`` (the hidden part of the nbgrader test cells)
  draws the instructor's cases: the secret ``$AUTOGRADER_SECRET``, the term
  ``$AUTOGRADER_TERM`` and the student, which ``nbgrader autograde`` tells by
  the folder it runs the notebook in (``autograded/<student>/<assignment>/``;
  ``$AUTOGRADER_STUDENT`` overrides it). Without a secret it raises, so the
  cell errors instead of grading with the public cases.

While ``nbgrader autograde`` runs (``$NBGRADER_EXECUTION`` is ``autograde``)
the public call is skipped: the hidden call after it decides the grade.

nbgrader gives a test cell zero points when the cell writes anything to
stderr, so nothing here does: warnings are silenced and stray writes to
``sys.stderr`` go to stdout. This module is also imported by the student's
code inside the grader's child process, so importing it loads nothing but the
standard library.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from pathlib import Path

TERM_VARIABLE = "AUTOGRADER_TERM"
STUDENT_VARIABLE = "AUTOGRADER_STUDENT"
NBGRADER_VARIABLE = "NBGRADER_EXECUTION"
NOTEBOOK_PATH = "<notebook>"
_CHILD_MODULE = "autograder.child"

_TEXT = {
    "hidden": ("(casos ocultos, id {cases_id})", "(hidden cases, id {cases_id})"),
    "skipped": ("{name}: casos de práctica omitidos durante la corrección; cuentan los ocultos",
                "{name}: practice cases skipped while grading; the hidden ones count"),
    "no_code": ("grade() no encuentra tu código: ejecútalo dentro de un notebook o con «python archivo.py»",
                "grade() cannot find your code: run it inside a notebook or as «python file.py»"),
}


class MissingSecretError(RuntimeError):
    """``grade(..., hidden=True)`` was called without the instructor's secret."""


def _say(key: str, lang: str, **values) -> str:
    spanish, english = _TEXT[key]
    return (english if lang == "en" else spanish).format(**values)


def _in_child_process() -> bool:
    """Whether this is the grader's child process (the submission's own grade() calls do nothing there)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", None) == _CHILD_MODULE


def _ipython_shell():
    """The running IPython shell, or None; IPython is never imported here, only looked up."""
    ipython = sys.modules.get("IPython")
    getter = getattr(ipython, "get_ipython", None)
    return getter() if getter is not None else None


def _executed_cells(shell) -> list[tuple[int, str]]:
    """(execution count, code) of every cell the kernel has run, oldest first; IPython keeps them in ``In``."""
    history = getattr(getattr(shell, "history_manager", None), "input_hist_parsed", None)
    if history is None:
        history = shell.user_ns.get("In", [])
    return [(count, code) for count, code in enumerate(history) if count > 0 and isinstance(code, str)]


def history_submission(cells: list[tuple[int, str]]):
    """A :class:`~autograder.source.Submission` made of executed cells; line numbers point to (count, line).

    A cell that does not parse is left out: it raised SyntaxError in the kernel
    and defined nothing.
    """
    import ast

    from . import source

    lines, origin = [], []
    for count, code in cells:
        try:
            ast.parse(code)
        except SyntaxError:
            continue
        cell_lines = code.split("\n")
        lines.extend(cell_lines)
        origin.extend((count, number) for number in range(1, len(cell_lines) + 1))
        lines.append("")
        origin.append((count, len(cell_lines) + 1))
    full = "\n".join(lines) + "\n"
    return source.Submission(NOTEBOOK_PATH, source.definitions_only(full), full, origin)


def running_submission(lang: str = "es"):
    """The code the student ran: the kernel's executed cells, or the script being run."""
    from . import source

    shell = _ipython_shell()
    main = sys.modules.get("__main__")
    if shell is not None and getattr(main, "__dict__", None) is shell.user_ns:
        return history_submission(_executed_cells(shell))
    script = getattr(main, "__file__", None)
    if script and str(script).endswith(".py") and Path(script).is_file():
        return source.read_submission(script)
    if shell is not None:
        return history_submission(_executed_cells(shell))
    raise RuntimeError(_say("no_code", lang))


def student_id() -> str:
    """The student being graded: ``$AUTOGRADER_STUDENT``, else, while ``nbgrader autograde`` runs, the
    folder above the notebook's (nbgrader runs it in ``autograded/<student>/<assignment>/``), else ""."""
    explicit = os.environ.get(STUDENT_VARIABLE, "").strip()
    if explicit:
        return explicit
    if os.environ.get(NBGRADER_VARIABLE) == "autograde":
        return Path.cwd().parent.name
    return ""


def seed_context(hidden: bool):
    """The practice seeds, or (hidden) the instructor's: secret, term and student."""
    from . import seeds

    if not hidden:
        return seeds.SeedContext()
    secret = seeds.read_secret()
    if secret == seeds.PRACTICE_SECRET:
        raise MissingSecretError(
            f"grade(..., hidden=True) needs the instructor's secret in ${seeds.SECRET_VARIABLE}; it is not set, "
            f"so the hidden cases cannot be drawn. Set it in the environment of `nbgrader autograde` "
            f"(e.g. {seeds.SECRET_VARIABLE}=... nbgrader autograde ASSIGNMENT).")
    return seeds.SeedContext(secret=secret, term=os.environ.get(TERM_VARIABLE, "").strip(), student=student_id())


@contextlib.contextmanager
def _nothing_to_stderr():
    """Warnings silenced and ``sys.stderr`` sent to stdout: nbgrader zeroes a test cell that writes to stderr."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(sys.stdout):
        warnings.simplefilter("ignore")
        yield


def grade(function_name: str, hidden: bool = False, lang: str = "es") -> float:
    """Grade ``function_name`` in the code the student ran, print the feedback, return the points earned."""
    if lang not in ("es", "en"):
        raise ValueError(f"lang must be 'es' or 'en', got {lang!r}")
    if _in_child_process():
        return 0.0
    if not hidden and os.environ.get(NBGRADER_VARIABLE) == "autograde":
        print(_say("skipped", lang, name=function_name))
        return 0.0
    with _nothing_to_stderr():
        from . import grading, registry
        from .messages import say
        from .report import render_function

        spec = registry.graded_function(function_name)
        context = seed_context(hidden)
        result = grading.grade_submission(running_submission(lang), [spec], context)
        entry = result["functions"][0]
        print(render_function(entry, lang))
        print(say("practice", lang) if context.practice else _say("hidden", lang, cases_id=result["cases_id"]))
    return float(entry["score"])
