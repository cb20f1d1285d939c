"""Student stubs from the instructor's solutions: every solution region becomes a clear
``raise NotImplementedError`` in Spanish, the rest of the file stays as it is."""

from __future__ import annotations

import re

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)\s*\(")


def stub_source(solution: str) -> str:
    """``solution`` with each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region replaced by
    ``raise NotImplementedError(...)`` at the region's indentation, naming the enclosing function."""
    out, inside, function = [], False, None
    for number, line in enumerate(solution.split("\n"), start=1):
        match = _DEF.match(line)
        if match and not inside:
            function = match.group(1)
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"line {number}: {BEGIN} inside another solution region")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            what = f"«{function}»" if function else "esta parte"
            out.append(f'{indent}raise NotImplementedError("Te toca: completa {what} (borra esta línea).")')
        elif stripped == END:
            if not inside:
                raise ValueError(f"line {number}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN} without {END}")
    return "\n".join(out)
