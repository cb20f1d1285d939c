"""Reading a submission: a ``.py`` exercise file or a notebook, reduced to its definitions.

The grader runs only what defines the functions: imports (but not of
plotting libraries: graded functions compute, they never draw, and importing
matplotlib would slow every grading process down), ``def`` and ``class``
statements, and assignments of constants (values computed without calling
anything but numpy or math). Experiments, training loops, plots and
visible checks in the student's file do not run while grading. Removed
statements are blanked, not deleted, so that line numbers in tracebacks are
the student's own; for a notebook, each line is traced back to its cell.

Everything here parses; nothing here executes the submission.
"""

from __future__ import annotations

import ast
import builtins
import json
from dataclasses import dataclass, field
from pathlib import Path

_CHEAP_MODULES = {"numpy", "math"}
_PLOTTING_MODULES = {"matplotlib", "pylab", "seaborn"}     # graded functions compute, they never draw


@dataclass
class Submission:
    """The text of a submission, as the grader runs it."""

    path: str
    source: str                                   # definitions only, line numbers kept
    full_source: str                              # everything, for the static checks
    cells: list = field(default_factory=list)     # line i (1-based) -> (cell number, line in cell); notebooks
    syntax_error: dict | None = None

    def where(self, line: int) -> dict:
        """Where line ``line`` of the source came from: {"line": n} or {"cell": c, "line": n}."""
        if self.cells and 1 <= line <= len(self.cells):
            cell, cell_line = self.cells[line - 1]
            return {"cell": cell, "line": cell_line}
        return {"line": line}


def notebook_code(path: str | Path) -> tuple[str, list]:
    """The code cells of a notebook joined into one source, and the (cell, line) of every line.

    IPython magics and shell escapes (``%``, ``!``) become blank lines.
    """
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is not a readable notebook (.ipynb JSON with cells): {error}") from None
    lines, origin = [], []
    code_number = 0
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        code_number += 1
        text = cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        for i, line in enumerate(text.split("\n"), start=1):
            stripped = line.lstrip()
            lines.append("" if stripped.startswith(("%", "!")) else line)
            origin.append((code_number, i))
        lines.append("")
        origin.append((code_number, len(text.split("\n")) + 1))
    return "\n".join(lines) + "\n", origin


def _module_aliases(tree: ast.Module) -> dict:
    """Top-level names bound by imports -> the dotted name they stand for."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _is_cheap(value: ast.AST, aliases: dict) -> bool:
    for node in ast.walk(value):
        if isinstance(node, (ast.Lambda, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return False
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name is None:
                return False
            root = aliases.get(name.split(".")[0], "")
            if root.split(".")[0] not in _CHEAP_MODULES:
                return False
    return True


def _bound_names(node: ast.stmt) -> set:
    """The top-level names a kept statement binds."""
    if isinstance(node, ast.Try):
        body = node.body + node.orelse + node.finalbody + [s for h in node.handlers for s in h.body]
        return set().union(*(_bound_names(s) for s in body if not isinstance(s, ast.Pass)))
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return {n.id for t in targets if t is not None for n in ast.walk(t) if isinstance(n, ast.Name)}


def _reads_only(value: ast.AST, bound: set) -> bool:
    """Whether every name ``value`` reads is bound already (or by a comprehension inside it): an assignment
    that reads a name whose statement was blanked (``n = 10 if MODO_RAPIDO else 100``) would fail to load."""
    local = {n.id for n in ast.walk(value) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return all(n.id in bound or n.id in local for n in ast.walk(value)
               if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))


def _imports_plotting(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return all(a.name.split(".")[0] in _PLOTTING_MODULES for a in node.names)
    return isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in _PLOTTING_MODULES


def _keeps(node: ast.stmt, aliases: dict, bound: set) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return not _imports_plotting(node)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return node.value is not None and _is_cheap(node.value, aliases) and _reads_only(node.value, bound)
    if isinstance(node, ast.Try):        # try: import numba / except ImportError: ...
        body = node.body + node.orelse + node.finalbody + [s for h in node.handlers for s in h.body]
        return all(_keeps(s, aliases, bound) or isinstance(s, ast.Pass) for s in body)
    return False


def definitions_only(source: str) -> str:
    """``source`` with every top-level statement but definitions blanked (see the module docstring)."""
    tree = ast.parse(source)
    aliases = _module_aliases(tree)
    bound = set(dir(builtins))
    lines = source.split("\n")
    keep = [False] * len(lines)
    for node in tree.body:
        if _keeps(node, aliases, bound):
            bound |= _bound_names(node)
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            for i in range(first - 1, node.end_lineno):
                keep[i] = True
    return "\n".join(line if kept else "" for line, kept in zip(lines, keep))


def read_submission(path: str | Path) -> Submission:
    """Read a ``.py`` or ``.ipynb`` submission; a syntax error is recorded, not raised."""
    path = Path(path)
    if path.suffix == ".ipynb":
        full, cells = notebook_code(path)
    elif path.suffix == ".py":
        try:
            full = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(f"{path} is not UTF-8 text: {error}") from None
        cells = []
    else:
        suffix = path.suffix or "no suffix"
        raise ValueError(f"{path}: expected a .py exercise file or a .ipynb notebook, got {suffix!r}")
    submission = Submission(str(path), "", full, cells)
    try:
        submission.source = definitions_only(full)
    except SyntaxError as error:
        line = error.lineno or 0
        submission.syntax_error = {"message": error.msg, **submission.where(line), "text": (error.text or "").rstrip()}
    return submission


def defined_functions(source: str) -> set:
    """Names a module defines at top level (functions, classes, assignments, imports)."""
    tree = ast.parse(source)
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def forbidden_uses(source: str, function: str, forbidden: tuple) -> list:
    """The forbidden modules (dotted prefixes) that ``function`` uses, directly or through the
    module's other functions it calls; dynamic imports count as forbidden too."""
    tree = ast.parse(source)
    aliases = _module_aliases(tree)
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    found, seen, pending = set(), set(), [function]
    while pending:
        name = pending.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        local_aliases = dict(aliases)
        local_aliases.update(_module_aliases(ast.Module(body=functions[name].body, type_ignores=[])))
        inner = {id(n.value) for n in ast.walk(functions[name]) if isinstance(n, ast.Attribute)}
        for node in ast.walk(functions[name]):
            if isinstance(node, ast.Call):
                called = _dotted(node.func)
                if called in ("__import__", "importlib.import_module", "exec", "eval"):
                    found.add(called)
            if isinstance(node, ast.Name) and node.id in functions:
                pending.append(node.id)
            if id(node) in inner or not isinstance(node, (ast.Name, ast.Attribute)):
                continue
            dotted = _dotted(node)
            head, _, rest = (dotted or "").partition(".")
            if head not in local_aliases:
                continue
            full = local_aliases[head] + ("." + rest if rest else "")
            if any(full == prefix or full.startswith(prefix + ".") for prefix in forbidden):
                found.add(full)
    return sorted(found)
