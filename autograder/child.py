"""The submission's process: load the student's definitions, then answer calls.

Started by :mod:`autograder.sandbox` as ``python -I -m autograder.child WORKDIR
FD_IN FD_OUT LIMITS``, in a fresh working folder holding only ``submission.py``.
Before anything else is imported (numpy included, so no other thread exists
yet and every later import goes through the confinement), the process
confines itself (:mod:`autograder.confine`: memory, file-size and CPU limits,
no capabilities, no new processes, no network, no signals to others, no files
outside its folder but the Python installation and the packages). Then it
loads the submission, says whether that worked (and what confines it), and
answers each ``call`` message with the outputs as plain arrays, or with the
exception and the traceback lines that are the student's own.

Nothing decided here counts: the grader compares the arrays in its own
process. Whatever this process (or the submission) changes here — numpy,
this module, the pipe — can only make its own answers wrong.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import types

from . import confine

SUBMISSION = "submission.py"
MODULE_NAME = "submission"


def _student_traceback(error: BaseException, filename: str) -> list:
    """The frames of the traceback that are in the submission: [{"line": n, "function": f, "code": text}]."""
    frames = traceback.extract_tb(error.__traceback__)
    mine = [f for f in frames if f.filename == filename]
    if isinstance(error, SyntaxError) and error.filename == filename and error.lineno:
        mine.append(traceback.FrameSummary(filename, error.lineno, "<module>", line=error.text or ""))
    return [{"line": f.lineno, "function": f.name, "code": (f.line or "").strip()} for f in mine[-6:]]


def _describe(error: BaseException, filename: str) -> dict:
    try:
        message = str(error)
    except Exception:  # noqa: BLE001 - a hostile __str__
        message = "<unprintable>"
    return {"type": type(error).__name__, "message": message[:2000],
            "traceback": _student_traceback(error, filename)}


def _load(path: str) -> types.ModuleType:
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = path
    sys.modules[MODULE_NAME] = module
    exec(compile(source, path, "exec"), module.__dict__)  # noqa: S102 - the sandboxed submission
    return module


def _outputs(result) -> dict:
    """The result as named arrays o0, o1, ...; raises TypeError for what is not numbers."""
    import numpy as np
    values = result if isinstance(result, tuple) else (result,)
    arrays = {}
    for i, value in enumerate(values):
        if value is None:
            raise TypeError(f"la salida {i} es None")
        array = np.asarray(value)
        if array.dtype.kind not in "fiub":
            raise TypeError(f"la salida {i} no es un array de números (es {type(value).__name__}, dtype {array.dtype})")
        arrays[f"o{i}"] = np.ascontiguousarray(array)
    return arrays


def _flush_printed() -> None:
    """Write out what the submission printed so far (the grader shows its start); a full file is no error."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001, S110 - the output limit (EFBIG), a replaced stream
            pass


def serve(fd_in: int, fd_out: int, module: types.ModuleType, path: str) -> None:
    from . import protocol
    while True:
        try:
            header, arrays = protocol.receive(fd_in)
        except protocol.ProtocolError:
            return
        if header.get("op") != "call":
            return
        function = getattr(module, header["function"], None)
        if not callable(function):
            protocol.send(fd_out, {"status": "missing"})
            continue
        args = protocol.unpack_values(header["args"], arrays)
        try:
            result = function(*args)
            outputs = _outputs(result)
        except BaseException as error:  # noqa: BLE001 - SystemExit, KeyboardInterrupt included
            _flush_printed()
            protocol.send(fd_out, {"status": "error", "error": _describe(error, path)})
            continue
        _flush_printed()
        try:
            protocol.send(fd_out, {"status": "ok", "count": len(outputs)}, outputs)
        except Exception as error:  # noqa: BLE001 - too big to encode (MemoryError), not numbers
            protocol.send(fd_out, {"status": "error", "error": _describe(error, path)})


def main(argv: list) -> int:
    workdir, fd_in, fd_out, limits = argv[0], int(argv[1]), int(argv[2]), json.loads(argv[3])
    os.chdir(workdir)
    path = os.path.join(workdir, SUBMISSION)
    confinement = confine.apply(workdir, limits)
    from . import protocol  # numpy, imported confined
    try:
        module = _load(path)
    except BaseException as error:  # noqa: BLE001
        _flush_printed()
        protocol.send(fd_out, {"status": "load_error", "error": _describe(error, path), "confinement": confinement})
        return 0
    _flush_printed()
    protocol.send(fd_out, {"status": "ready", "confinement": confinement})
    serve(fd_in, fd_out, module, path)
    return 0


if __name__ == "__main__":
    os._exit(main(sys.argv[1:]))
