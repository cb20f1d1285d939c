"""Grading a whole class: one result per student, written atomically, resumable.

``grade_class(submissions, output, ...)`` finds each student's files (a folder
per student, with ``.py`` exercise files or notebooks anywhere inside, or one
file per student), grades them with a pool of worker processes (each student's
code runs in confined children of its own), and writes:

- ``results/<student>.json``: the full report, written to a temporary file and
  renamed, so a result is either whole or absent. It records a fingerprint of
  the student's files and of the grading settings; a later run with the same
  fingerprint skips the student, so a run killed half-way resumes where it
  stopped, and a changed submission or setting is graded again;
- ``feedback/<student>.txt``: the feedback the student reads;
- ``grades.csv``: one row per student, one column per graded function, then the
  total, rebuilt from the result files at the end of every run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from . import report as reporting
from .sets import SETS, set_of_file

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
_SKIP_PARTS = {".ipynb_checkpoints", "__pycache__", ".git"}


@dataclass
class Student:
    id: str
    files: list = field(default_factory=list)      # paths, sorted


def safe_name(student: str) -> str:
    """A file name for ``student``'s results: the id itself when it is a plain name, else a hashed one."""
    if _SAFE.match(student):
        return student
    digest = hashlib.sha256(student.encode()).hexdigest()[:12]
    return re.sub(r"[^A-Za-z0-9._@-]", "_", student)[:60] + "-" + digest


def find_students(submissions: str | os.PathLike) -> list:
    """Each student's submitted files: a folder per student (files anywhere inside) or one file per student."""
    root = Path(submissions)
    if not root.is_dir():
        raise ValueError(f"submissions must be a folder of students' folders or files, got {str(root)!r}")
    students = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.name in _SKIP_PARTS:
            continue
        if entry.is_dir():
            files = sorted(p for p in entry.rglob("*") if p.suffix in (".py", ".ipynb") and p.is_file()
                           and not _SKIP_PARTS.intersection(p.relative_to(entry).parts))
            students.append(Student(entry.name, [str(p) for p in files]))
        elif entry.suffix in (".py", ".ipynb"):
            students.append(Student(entry.stem, [str(entry)]))
    return students


def files_by_set(files: list, sets: list | None = None) -> dict:
    """The exercise set of each file, by its name (two files of one set: the last in order wins). When one set is
    graded, a student's only file whose name names no set (``ana.py``) is taken as that set's."""
    chosen = {}
    for path in files:
        key = set_of_file(Path(path).name)
        if key is not None:
            chosen[key] = path
    if sets is not None and len(sets) == 1 and sets[0] not in chosen:
        unnamed = [p for p in files if set_of_file(Path(p).name) is None]
        if len(unnamed) == 1:
            chosen[sets[0]] = unnamed[0]
    return chosen


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def fingerprint(student: Student, sets: list, settings: dict) -> str:
    digest = hashlib.sha256(json.dumps({"sets": sets, "settings": settings}, sort_keys=True).encode())
    for path in student.files:
        digest.update(path.encode() + b"\0")
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def grade_student(student: Student, sets: list, settings: dict) -> dict:
    """Grade every set in ``sets`` for one student (missing files count as missing functions)."""
    from . import grading, registry, source
    from .seeds import SeedContext

    seeds = SeedContext(secret=settings["secret"], term=settings["term"], student=student.id,
                        per_student=settings["per_student"])
    chosen = files_by_set(student.files, sets)
    files = []
    for key in sets:
        functions = registry.graded_functions(key)
        path = chosen.get(key)
        if path is None:
            submission = source.Submission(path=f"({SETS[key][0]})", source="", full_source="")
        else:
            submission = source.read_submission(path)
        files.append(grading.grade_submission(submission, functions, seeds, settings["limits"], settings["policy"]))
    return {"student": student.id, "files": files, "score": sum(f["score"] for f in files),
            "max_score": sum(f["max_score"] for f in files)}


def _grade_and_write(student: Student, sets: list, settings: dict, output: str, print_fingerprint: str) -> dict:
    """Worker: grade one student and write their result and feedback (atomically). Never raises."""
    out = Path(output)
    name = safe_name(student.id)
    try:
        result = grade_student(student, sets, settings)
        result["status"] = "graded"
    except Exception:  # noqa: BLE001 - a grader bug must not stop the class; the student is retried next run
        result = {"student": student.id, "status": "internal_error", "error": traceback.format_exc(),
                  "score": 0.0, "max_score": 0.0, "files": []}
    result["fingerprint"] = print_fingerprint
    if result["status"] == "graded":
        feedback = "\n".join(reporting.render(f, settings["lang"]) for f in result["files"])
        _atomic_write(out / "feedback" / f"{name}.txt", feedback)
    _atomic_write(out / "results" / f"{name}.json", reporting.to_json(result))
    return {"student": student.id, "status": result["status"], "score": result["score"],
            "max_score": result["max_score"]}


def _worker_setup() -> None:
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")


def load_result(output: Path, student: str) -> dict | None:
    path = output / "results" / f"{safe_name(student)}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_csv(output: Path, students: list, sets: list) -> Path:
    """grades.csv from the result files: student, one column per function, total, max, status."""
    from . import registry
    columns = [spec.name for key in sets for spec in registry.graded_functions(key)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", *columns, "total", "max", "status"])
    for student in students:
        result = load_result(output, student.id)
        if result is None:
            writer.writerow([student.id, *[""] * len(columns), "", "", "not_graded"])
            continue
        scores = {entry["name"]: entry["score"] for f in result.get("files", []) for entry in f["functions"]}
        writer.writerow([student.id, *[f"{scores[c]:g}" if c in scores else "" for c in columns],
                         f"{result['score']:g}", f"{result['max_score']:g}", result["status"]])
    path = output / "grades.csv"
    _atomic_write(path, buffer.getvalue())
    return path


def grade_class(submissions, output, *, jobs: int = 1, sets: list | None = None, secret: str, term: str = "",
                per_student: bool = True, lang: str = "es", policy: str = "report", limits: dict | None = None,
                force: bool = False, progress: bool = True) -> dict:
    """Grade every student in ``submissions`` into ``output`` (see the module docstring); returns a summary."""
    if jobs < 1:
        raise ValueError(f"jobs must be a positive number of worker processes, got {jobs}")
    students = find_students(submissions)
    if sets is None:
        sets = sorted({key for s in students for key in files_by_set(s.files)}, key=list(SETS).index)
    if not sets:
        raise ValueError(f"no exercise file found in {str(submissions)!r}: files are recognised by their set's name "
                         f"({', '.join(stem for stem, _ in SETS.values())})")
    output = Path(output)
    settings = {"secret": secret, "term": term, "per_student": per_student, "lang": lang, "policy": policy,
                "limits": limits or {}}
    public = {k: v for k, v in settings.items() if k != "secret"}
    public["secret"] = hashlib.sha256(secret.encode()).hexdigest()
    public["graders"] = _grader_version()
    todo, done = [], 0
    for student in students:
        mark = fingerprint(student, sets, public)
        previous = load_result(output, student.id)
        if not force and previous and previous.get("fingerprint") == mark and previous.get("status") == "graded":
            done += 1
            continue
        todo.append((student, mark))
    summary = {"students": len(students), "skipped": done, "graded": 0, "internal_errors": 0, "sets": sets}
    bar = None
    if progress and todo:
        from tqdm import tqdm
        bar = tqdm(total=len(todo), unit="student", desc="grading")
    if todo:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=_worker_setup) as pool:
            futures = [pool.submit(_grade_and_write, s, sets, settings, str(output), mark) for s, mark in todo]
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception:  # noqa: BLE001 - a worker lost: its student is graded again next run
                    outcome = {"status": "internal_error"}
                summary["graded"] += outcome["status"] == "graded"
                summary["internal_errors"] += outcome["status"] != "graded"
                if bar is not None:
                    bar.update(1)
    if bar is not None:
        bar.close()
    summary["csv"] = str(write_csv(output, students, sets))
    return summary


def _grader_version() -> str:
    """A hash of the autograder's own sources (specs included): changing how grading works regrades everyone."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
