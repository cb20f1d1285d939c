"""``make bench`` (second part): how long the autograder takes.

1. One student's whole course: the instructor's solution of every graded
   exercise set, graded as ``python -m autograder grade`` grades one student
   (every case in a confined child process, references computed by the engine
   in the grader). Target: under 30 s with a warm Numba cache, on two cores.
2. A class: 50 submissions of one lecture (solutions and stubs mixed) graded
   with ``--jobs 2``.

The peer, measured in the same run, is the same student's functions called
in-process on the same cases with no child process, no confinement and no
comparison: the ratio says what safety costs.

    python benchmarks/grading.py [--students 50] [--set 004_5] [--json bench-output/grading.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from autograder import batch, registry, stubs
from autograder.sets import SETS

ROOT = Path(__file__).resolve().parents[1]
COURSE_LIMIT_S = 30.0


def _course_folder(root: Path, sets: list) -> Path:
    student = root / "course" / "ana"
    student.mkdir(parents=True)
    for key in sets:
        shutil.copy(ROOT / "solutions" / f"{SETS[key][0]}.py", student)
    return root / "course"


def _class_folder(root: Path, key: str, students: int) -> Path:
    folder = root / "class"
    solution = (ROOT / "solutions" / f"{SETS[key][0]}.py").read_text(encoding="utf-8")
    for i in range(students):
        (folder / f"alumno{i:02d}").mkdir(parents=True)
        text = solution if i % 2 == 0 else stubs.stub_source(solution)
        (folder / f"alumno{i:02d}" / f"{SETS[key][0]}.py").write_text(text, encoding="utf-8")
    return folder


def _in_process_seconds(sets: list) -> float:
    """The peer: the solution's functions called directly on the same cases."""
    from autograder import source
    from autograder.seeds import SeedContext
    seeds = SeedContext(student="ana")
    started = time.perf_counter()
    for key in sets:
        namespace = {}
        exec(compile(source.read_submission(ROOT / "solutions" / f"{SETS[key][0]}.py").source, key, "exec"),  # noqa: S102
             namespace)
        for spec in registry.graded_functions(key):
            for case in spec.cases(seeds.rng(spec.name)):
                args = case.args
                for _ in range(case.steps):
                    namespace[spec.name](*args)
                    if case.steps > 1:
                        args = spec.next_args(args, tuple(spec.reference(*args)))
    return time.perf_counter() - started


def _grade(folder: Path, output: Path, jobs: int, sets: list) -> float:
    started = time.perf_counter()
    batch.grade_class(folder, output, jobs=jobs, sets=sets, secret="bench", progress=False, force=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--set", default="004_5")
    parser.add_argument("--json")
    args = parser.parse_args()
    sets = sorted({spec.exercise_set for spec in registry.graded_functions()}, key=list(SETS).index)
    functions = len(registry.graded_functions())
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        course = _course_folder(root, sets)
        _grade(course, root / "warm-up", 1, sets)                  # fills the Numba cache of the references
        course_s = _grade(course, root / "out-course", 1, sets)
        peer_s = _in_process_seconds(sets)
        klass = _class_folder(root, args.set, args.students)
        class_s = _grade(klass, root / "out-class", 2, [args.set])
    results = {"course_seconds": course_s, "course_functions": functions, "course_sets": sets,
               "in_process_seconds": peer_s, "class_seconds": class_s, "class_students": args.students,
               "class_set": args.set}
    print(f"one student's whole course ({len(sets)} sets, {functions} functions): {course_s:.1f} s "
          f"(target < {COURSE_LIMIT_S:g} s) {'ok' if course_s < COURSE_LIMIT_S else 'MISSED'}")
    print(f"  the same calls in-process, no sandbox: {peer_s:.2f} s (ratio {course_s / peer_s:.0f}x)")
    print(f"{args.students} submissions of {args.set} with --jobs 2: {class_s:.1f} s "
          f"({class_s / args.students:.2f} s per student)")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
