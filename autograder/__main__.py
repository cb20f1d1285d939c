"""``python -m autograder``: check one submission, grade a class, list what is graded, generate assignments."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _seed_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--secret-file", help="file holding the instructor's secret (default: $AUTOGRADER_SECRET, "
                        "else the public practice cases)")
    parser.add_argument("--term", default="", help="term label: changes every case (e.g. 2026-2)")
    parser.add_argument("--lang", choices=("es", "en"), default="es", help="language of the feedback (default es)")
    parser.add_argument("--policy", choices=("report", "zero"), default="report",
                        help="a graded function that calls the reference (the engine, PyTorch, scipy.signal): "
                             "report it (default) or give it zero")
    parser.add_argument("--timeout", type=float, help="seconds per call instead of each function's own limit")
    parser.add_argument("--memory", type=float, default=4.0, help="memory limit of a submission's process, GiB")


def _limits(args) -> dict:
    limits = {"memory_bytes": int(args.memory * 1024**3)}
    if args.timeout is not None:
        limits["call_timeout"] = args.timeout
    return limits


def _functions_for(path: Path, submission, names, exercise_set):
    from . import registry, source
    from .sets import set_of_file
    if names:
        return [registry.graded_function(name) for name in names]
    key = exercise_set or set_of_file(path.name)
    if key is not None:
        return registry.graded_functions(key)
    defined = set() if submission.syntax_error else source.defined_functions(submission.full_source)
    return [spec for spec in registry.graded_functions() if spec.name in defined]


def check(args) -> int:
    from . import grading, report, seeds, source
    path = Path(args.file)
    if not path.is_file():
        print(f"autograder: no existe el archivo {str(path)!r}", file=sys.stderr)
        return 2
    try:
        submission = source.read_submission(path)
        functions = _functions_for(path, submission, args.function, args.set)
    except (ValueError, KeyError) as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 2
    if not functions:
        print(f"autograder: {path} no define ninguna función que se corrija; usa --set o --function "
              f"(python -m autograder list)", file=sys.stderr)
        return 2
    context = seeds.SeedContext(secret=seeds.read_secret(args.secret_file), term=args.term, student=args.student)
    result = grading.grade_submission(submission, functions, context, _limits(args), args.policy)
    if args.format == "json":
        text = report.to_json(result)
    elif args.format == "gradescope":
        text = json.dumps(report.to_gradescope(result, args.lang), ensure_ascii=False, indent=1)
    else:
        text = report.render(result, args.lang)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def grade(args) -> int:
    from . import batch, seeds
    try:
        summary = batch.grade_class(args.submissions, args.output, jobs=args.jobs, sets=args.set or None,
                                    secret=seeds.read_secret(args.secret_file), term=args.term,
                                    per_student=not args.same_cases, lang=args.lang, policy=args.policy,
                                    limits=_limits(args), force=args.force, progress=not args.quiet)
    except ValueError as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 2
    print(f"{summary['students']} students: {summary['graded']} graded now, {summary['skipped']} already graded, "
          f"{summary['internal_errors']} internal errors (graded again on the next run); grades in {summary['csv']}")
    return 1 if summary["internal_errors"] else 0


def list_functions(args) -> int:
    from . import registry
    from .messages import pick
    for spec in registry.graded_functions(args.set):
        print(f"{spec.exercise_set:6} {spec.signature}\n       {pick(spec.summary, args.lang)}")
    return 0


def generate(args) -> int:
    from . import assignments
    if args.check:
        stale = assignments.check_up_to_date(args.solutions, args.exercises, args.term)
        for path in stale:
            print(f"stale: {path}")
        return 1 if stale else 0
    written = assignments.generate(args.solutions, args.exercises, course_dir=args.course, sets=args.set or None,
                                   term=args.term)
    for path in written:
        print(path)
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)

    one = commands.add_parser("check", help="grade one student's .py exercise file or notebook")
    one.add_argument("file")
    one.add_argument("--set", help="exercise set (default: from the file name, e.g. 004_5_convolucionales.py)")
    one.add_argument("--function", action="append", help="grade only this function (repeatable)")
    one.add_argument("--format", choices=("text", "json", "gradescope"), default="text")
    one.add_argument("--output", help="write the report to this file instead of the terminal")
    one.add_argument("--student", default="", help="student id (changes the cases when grading with a secret)")
    _seed_arguments(one)
    one.set_defaults(run=check)

    many = commands.add_parser("grade", help="grade a folder of submissions (a folder or a file per student)")
    many.add_argument("submissions")
    many.add_argument("--output", default="autograder-results", help="where results, feedback and grades.csv go")
    many.add_argument("--jobs", type=int, default=1, help="students graded at once (worker processes)")
    many.add_argument("--set", action="append", help="exercise set to grade (repeatable; default: those found)")
    many.add_argument("--same-cases", action="store_true", help="the same cases for every student")
    many.add_argument("--force", action="store_true", help="grade again students already graded")
    many.add_argument("--quiet", action="store_true", help="no progress bar")
    _seed_arguments(many)
    many.set_defaults(run=grade)

    show = commands.add_parser("list", help="the graded functions")
    show.add_argument("--set")
    show.add_argument("--lang", choices=("es", "en"), default="es")
    show.set_defaults(run=list_functions)

    build = commands.add_parser("generate", help="student stubs and nbgrader notebooks from solutions/")
    build.add_argument("--solutions", default="solutions")
    build.add_argument("--exercises", default="exercises")
    build.add_argument("--course", help="nbgrader course folder to write source notebooks and nbgrader_config.py into")
    build.add_argument("--set", action="append")
    build.add_argument("--term", default="", help="term label: sets the course seed (SEMILLA) of the statements' "
                       "examples and is recorded in the notebooks; grade with the same $AUTOGRADER_TERM / --term")
    build.add_argument("--check", action="store_true",
                       help="write nothing; list the exercise files that differ from what would be generated")
    build.set_defaults(run=generate)
    return main


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
