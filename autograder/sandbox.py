"""Running a submission in a child process, and talking to it.

:class:`Sandbox` starts ``python -I -m autograder.child`` in a fresh working
folder that holds only the submission's definitions, in a session of its own,
with a clean environment (no secret, single-threaded numerics, caches inside
the folder), its printed output sent to a file with a size limit, and two pipes
for messages. Each call has a wall-clock limit; when it runs out, or when the
process dies (``sys.exit``, ``os._exit``, a segfault, the memory limit), the
whole process group is killed and the next call starts a fresh process, so one
bad case costs that case only.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from . import protocol

DEFAULT_LIMITS = {
    "memory_bytes": 4 * 1024**3,
    "output_bytes": 8 * 1024**2,
    "cpu_seconds": 600,
    "landlock": True,
}
START_TIMEOUT = 60.0        # importing numpy/numba and the submission's definitions
MAX_STARTS = 8              # processes started for one submission before the rest is not run


@dataclass
class Reply:
    """What one call came to. ``status``: ok, error, missing, load_error, timeout, crashed, protocol, not_run."""

    status: str
    outputs: tuple = ()
    error: dict | None = None
    exit: dict | None = None
    seconds: float = 0.0


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _child_environment(workdir: str) -> dict:
    env = {
        "PATH": os.defpath, "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
        "PYTHONIOENCODING": "utf-8", "NUMBA_CACHE_DIR": os.path.join(workdir, ".numba"),
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(workdir, ".matplotlib"),
    }
    for name in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    return env


@dataclass
class Sandbox:
    """One submission's process (restarted as needed). Use as a context manager."""

    source: str
    limits: dict = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    process: subprocess.Popen | None = None
    starts: int = 0
    load_error: dict | None = None
    workdir: str | None = None
    _root: str | None = None

    def __enter__(self):
        self._root = tempfile.mkdtemp(prefix="autograder-")
        return self

    def __exit__(self, *exc):
        self.stop()
        if self._root:
            shutil.rmtree(self._root, ignore_errors=True)

    # -- the process --------------------------------------------------------------------------
    def _start(self) -> Reply | None:
        """Start a fresh process; None when it loaded the submission, else the Reply that says why not."""
        self.starts += 1
        self.workdir = tempfile.mkdtemp(prefix=f"run{self.starts}-", dir=self._root)
        with open(os.path.join(self.workdir, "submission.py"), "w", encoding="utf-8") as handle:
            handle.write(self.source)
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        import json
        output = open(os.path.join(self.workdir, "output.txt"), "wb")  # noqa: SIM115 - closed below
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-m", "autograder.child", self.workdir, str(to_child), str(from_child),
                 json.dumps(self.limits)],
                cwd=self.workdir, env=_child_environment(self.workdir), stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.STDOUT, pass_fds=(to_child, from_child), start_new_session=True)
        finally:
            output.close()
            os.close(to_child)
            os.close(from_child)
        self._send_fd, self._receive_fd = from_parent, to_parent
        reply = self._receive(START_TIMEOUT)
        if reply.status == "ready":
            return None
        if reply.status == "load_error":
            self.load_error = reply.error
        self.stop()
        return reply

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        for fd in (self._send_fd, self._receive_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.process = None

    def printed(self, limit: int = 4000) -> str:
        """The start of what the current (or last) process printed."""
        try:
            with open(os.path.join(self.workdir, "output.txt"), "rb") as handle:
                return handle.read(limit).decode("utf-8", errors="replace")
        except (OSError, TypeError):
            return ""

    # -- messages -----------------------------------------------------------------------------
    def _read(self, count: int, deadline: float) -> bytes:
        chunks = []
        while count:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._receive_fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(self._receive_fd, min(count, 1 << 20))
            if not chunk:
                raise protocol.ProtocolError("closed")
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)

    def _death(self) -> dict:
        """How the process ended (it has closed its pipe)."""
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return {"kind": "closed_pipe"}
        if code < 0:
            return {"kind": "signal", "signal": _signal_name(-code)}
        return {"kind": "exit", "code": code}

    def _receive(self, timeout: float) -> Reply:
        started = time.monotonic()
        deadline = started + timeout
        try:
            (length,) = struct.unpack(">Q", self._read(8, deadline))
            if length > protocol.MAX_MESSAGE:
                raise protocol.ProtocolError(f"a message of {length} bytes")
            header, arrays = protocol.decode(self._read(length, deadline))
        except TimeoutError:
            self.stop()
            return Reply("timeout", seconds=timeout)
        except protocol.ProtocolError as error:
            if str(error) == "closed":
                exit_info = self._death()
                self.stop()
                return Reply("crashed", exit=exit_info, seconds=time.monotonic() - started)
            self.stop()
            return Reply("protocol", error={"type": "ProtocolError", "message": str(error), "traceback": []})
        status = header.get("status")
        seconds = time.monotonic() - started
        if status == "ok":
            count = header.get("count")
            try:
                outputs = tuple(arrays[f"o{i}"] for i in range(int(count)))
            except (KeyError, TypeError, ValueError):
                self.stop()
                return Reply("protocol", error={"type": "ProtocolError", "message": "outputs missing", "traceback": []})
            return Reply("ok", outputs=outputs, seconds=seconds)
        if status in ("error", "load_error", "missing", "ready"):
            error = header.get("error") if isinstance(header.get("error"), dict) else None
            return Reply(status, error=error, seconds=seconds)
        self.stop()
        return Reply("protocol", error={"type": "ProtocolError", "message": f"status {status!r}", "traceback": []})

    def call(self, function: str, args: tuple, timeout: float) -> Reply:
        """Call ``function(*args)`` in the submission's process (started or restarted as needed)."""
        if self.load_error is not None:
            return Reply("load_error", error=self.load_error)
        if self.process is None:
            if self.starts >= self.limits.get("max_starts", MAX_STARTS):
                return Reply("not_run")
            failed = self._start()
            if failed is not None:
                return failed
        described, arrays = protocol.pack_values(args)
        message = protocol.encode({"op": "call", "function": function, "args": described}, arrays)
        try:
            self._write(message, time.monotonic() + timeout)
        except TimeoutError:
            self.stop()
            return Reply("timeout", seconds=timeout)
        except OSError:
            exit_info = self._death()
            self.stop()
            return Reply("crashed", exit=exit_info)
        return self._receive(timeout)

    def _write(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [self._send_fd], [], left)[1]:
                raise TimeoutError
            view = view[os.write(self._send_fd, view[:65536]):]
