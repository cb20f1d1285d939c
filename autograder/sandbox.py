"""Running a submission in a child process, and talking to it.

:class:`Sandbox` starts ``python -I -m autograder.child`` in a fresh working
folder that holds only the submission's definitions, in a session of its own,
with a clean environment (no secret, single-threaded numerics, caches inside
the folder), its printed output sent to a file with a size limit, and two pipes
for messages. The child confines itself (:mod:`autograder.confine`) and says
what it could enforce (:attr:`Sandbox.confinement`, :attr:`Sandbox.isolation`).

Each call has a wall-clock limit; when it runs out, or when the process dies
(``os._exit``, a segfault, the memory limit), the whole process group is
killed and the next call starts a fresh process, so one bad case costs that
case only. A process that cannot load the definitions (an exception, an
endless loop or an exit while they run) is not started again: every call then
answers ``load_error``. While a call runs, the grader also watches the size of
the working folder (a disk quota: writing files without end is stopped like
an endless loop). Everything that comes back is checked before it is used:
the message size, arrays stored plainly (no compressed bombs), error
descriptions cut to size.
"""

from __future__ import annotations

import atexit
import glob
import io
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field

from . import protocol

DEFAULT_LIMITS = {
    "memory_bytes": 4 * 1024**3,
    "output_bytes": 8 * 1024**2,        # any file the process writes, its printed output included
    "disk_bytes": 64 * 1024**2,         # the whole working folder
    "disk_entries": 10000,              # files and folders in it
    "open_files": 512,
    "reply_bytes": 256 * 1024**2,       # one message from the process
    "cpu_seconds": 600,
    "landlock": True,
    "seccomp": True,
}
START_TIMEOUT = 60.0        # importing numpy/numba and the submission's definitions (limits["start_timeout"])
MAX_STARTS = 8              # processes started for one submission before the rest is not run
DISK_CHECK_PERIOD = 0.1     # seconds between two looks at the working folder while a call runs


class _OverQuota(Exception):
    def __init__(self, usage: dict):
        super().__init__(usage)
        self.usage = usage


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


def _cut(value, length: int) -> str:
    return value[:length] if isinstance(value, str) else ""


def _clean_error(error) -> dict | None:
    """An error description from the process, reduced to the fields the report uses, each cut to size."""
    if not isinstance(error, dict):
        return None
    frames = []
    for frame in error.get("traceback") if isinstance(error.get("traceback"), list) else []:
        if isinstance(frame, dict) and isinstance(frame.get("line"), int) and not isinstance(frame["line"], bool):
            frames.append({"line": frame["line"], "function": _cut(frame.get("function"), 200),
                           "code": _cut(frame.get("code"), 500)})
    return {"type": _cut(error.get("type"), 200) or "?", "message": _cut(error.get("message"), 2000),
            "traceback": frames[-10:]}


def _check_arrays(payload: bytes, limit: int) -> None:
    """Refuse arrays that would cost the grader more memory than their bytes: compressed or oversized entries."""
    (head_length,) = struct.unpack(">I", payload[:4])
    body = payload[4 + head_length:]
    if not body:
        return
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise protocol.ProtocolError(f"arrays that are not a valid .npz ({type(error).__name__})") from None
    compressed = any(e.compress_type != zipfile.ZIP_STORED for e in entries)
    if compressed or len(entries) > 64 or sum(e.file_size for e in entries) > limit:
        raise protocol.ProtocolError("arrays compressed, too many or too large")


def _decode(payload: bytes, limit: int) -> tuple[dict, dict]:
    if len(payload) < 4:
        raise protocol.ProtocolError("a message shorter than its header length")
    _check_arrays(payload, limit)
    try:
        return protocol.decode(payload)
    except protocol.ProtocolError:
        raise
    except Exception as error:  # noqa: BLE001 - deeply nested JSON (RecursionError), an allocation that fails
        raise protocol.ProtocolError(f"an unreadable message ({type(error).__name__})") from None


def _folder_usage(folder: str, max_entries: int) -> tuple[int, int]:
    """(bytes on disk, entries) beneath ``folder``, links not followed; stops counting past ``max_entries``."""
    used, entries, pending = 0, 0, [folder]
    while pending and entries <= max_entries:
        try:
            with os.scandir(pending.pop()) as listing:
                for entry in listing:
                    entries += 1
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    used += info.st_blocks * 512 if hasattr(info, "st_blocks") else info.st_size
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
        except OSError:
            continue
    return used, entries


# -- matplotlib's font cache, built once per grader process and copied into each working folder --------
_font_cache_lock = threading.Lock()
_font_cache: list = []          # [folder] once built ([None] when it could not be)


def _uses_matplotlib(source: str) -> bool:
    return "matplotlib" in source or "pylab" in source or "engine" in source


def _users_font_cache() -> str | None:
    """The grader's user's own matplotlib cache folder, when it holds a font list (matplotlib's default places)."""
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    for folder in (os.environ.get("MPLCONFIGDIR"), os.path.join(xdg, "matplotlib"), os.path.join(home, ".matplotlib")):
        if folder and glob.glob(os.path.join(folder, "fontlist-*.json")):
            return folder
    return None


def _matplotlib_font_cache() -> str | None:
    """A folder holding matplotlib's font list (``fontlist-*.json``): the user's own, or one built once.

    Without it, a fresh MPLCONFIGDIR makes every process scan the system's fonts again when matplotlib
    is imported (about 0.4 s each). Only the grader writes this folder: never a submission's process.
    """
    with _font_cache_lock:
        if not _font_cache and _users_font_cache():
            _font_cache.append(_users_font_cache())
        if not _font_cache:
            folder = tempfile.mkdtemp(prefix="autograder-fonts-")
            atexit.register(shutil.rmtree, folder, True)
            env = {**_child_environment(folder), "MPLCONFIGDIR": folder}
            try:
                subprocess.run([sys.executable, "-I", "-c", "import matplotlib.font_manager"], cwd=folder, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=120, check=False)
            except (OSError, subprocess.SubprocessError):
                pass
            _font_cache.append(folder if glob.glob(os.path.join(folder, "fontlist-*.json")) else None)
        return _font_cache[0]


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
    confinement: dict | None = None     # what the last process enforced (see autograder.confine.apply)
    _root: str | None = None
    _printed_fd: int | None = None      # the last process's output file, opened before it ran

    @property
    def isolation(self) -> bool | None:
        """Whether the kernel kept the submission to its own files (Landlock); None before any process ran."""
        if self.confinement is None:
            return None
        return bool(self.confinement.get("filesystem"))

    def __enter__(self):
        self._root = tempfile.mkdtemp(prefix="autograder-")
        return self

    def __exit__(self, *exc):
        self.stop()
        self._close_printed()
        if self._root:
            shutil.rmtree(self._root, ignore_errors=True)

    # -- the process --------------------------------------------------------------------------
    def _prepare_folder(self) -> None:
        self.workdir = tempfile.mkdtemp(prefix=f"run{self.starts}-", dir=self._root)
        with open(os.path.join(self.workdir, "submission.py"), "w", encoding="utf-8") as handle:
            handle.write(self.source)
        fonts = _matplotlib_font_cache() if _uses_matplotlib(self.source) else None
        if fonts:
            os.mkdir(os.path.join(self.workdir, ".matplotlib"))
            for path in glob.glob(os.path.join(fonts, "fontlist-*.json")):
                shutil.copy(path, os.path.join(self.workdir, ".matplotlib"))

    def _start(self) -> Reply | None:
        """Start a fresh process; None when it loaded the submission, else the Reply that says why not."""
        self.starts += 1
        self._prepare_folder()
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        output = open(os.path.join(self.workdir, "output.txt"), "wb")  # noqa: SIM115 - closed below
        self._close_printed()
        self._printed_fd = os.open(output.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
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
        timeout = float(self.limits.get("start_timeout") or START_TIMEOUT)
        reply = self._receive(timeout, ("ready", "load_error"))
        if reply.status == "ready":
            return None
        self.stop()
        self.load_error = reply.error if reply.status == "load_error" else self._start_failure(reply, timeout)
        return Reply("load_error", error=self.load_error, exit=reply.exit, seconds=reply.seconds)

    @staticmethod
    def _start_failure(reply: Reply, timeout: float) -> dict:
        """Why a process did not come to answer calls (as a load error: it would fail the same way again)."""
        if reply.status == "timeout":
            return {"type": "TimeoutError", "kind": "timeout", "message": f"> {timeout:g} s", "traceback": []}
        if reply.status == "crashed":
            exit_info = reply.exit or {}
            if exit_info.get("kind") == "signal":
                message = exit_info.get("signal", "")
            elif exit_info.get("kind") == "exit":
                message = f"exit code {exit_info.get('code')}"
            else:
                message = exit_info.get("kind", "")
            return {"type": "ProcessEnded", "kind": "crashed", "message": message, "exit": exit_info, "traceback": []}
        return {"type": "ProtocolError", "kind": reply.status, "message": (reply.error or {}).get("message", ""),
                "traceback": []}

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.kill()
        self.process.wait()
        for fd in (self._send_fd, self._receive_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.process = None

    def printed(self, limit: int = 4000) -> str:
        """The start of what the current (or last) process printed.

        Read through a descriptor opened before the process ran, never by its name: the process may have
        put a link to another file (or a pipe) in its place.
        """
        if self._printed_fd is None:
            return ""
        try:
            return os.pread(self._printed_fd, limit, 0).decode("utf-8", errors="replace")
        except OSError:
            return ""

    def _close_printed(self) -> None:
        if self._printed_fd is not None:
            os.close(self._printed_fd)
            self._printed_fd = None

    # -- messages -----------------------------------------------------------------------------
    def _over_quota(self) -> dict | None:
        """The working folder's usage when it is over the disk limits, else None."""
        max_bytes = int(self.limits.get("disk_bytes", DEFAULT_LIMITS["disk_bytes"]))
        max_entries = int(self.limits.get("disk_entries", DEFAULT_LIMITS["disk_entries"]))
        used, entries = _folder_usage(self.workdir, max_entries)
        if used > max_bytes or entries > max_entries:
            return {"kind": "disk", "bytes": used, "entries": entries}
        return None

    def _read(self, count: int, deadline: float) -> bytes:
        chunks = []
        while count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            if not select.select([self._receive_fd], [], [], min(left, DISK_CHECK_PERIOD))[0]:
                usage = self._over_quota()
                if usage is not None:
                    raise _OverQuota(usage)
                continue
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

    def _receive(self, timeout: float, expected: tuple = ("ok", "error", "missing")) -> Reply:
        started = time.monotonic()
        deadline = started + timeout
        limit = min(int(self.limits.get("reply_bytes", protocol.MAX_MESSAGE)), protocol.MAX_MESSAGE)
        try:
            (length,) = struct.unpack(">Q", self._read(8, deadline))
            if length > limit:
                raise protocol.ProtocolError(f"a message too large: {length} bytes (the limit is {limit})")
            header, arrays = _decode(self._read(length, deadline), limit)
        except TimeoutError:
            self.stop()
            return Reply("timeout", seconds=timeout)
        except _OverQuota as over:
            self.stop()
            return Reply("crashed", exit=over.usage, seconds=time.monotonic() - started)
        except protocol.ProtocolError as error:
            if str(error) == "closed":
                exit_info = self._death()
                self.stop()
                return Reply("crashed", exit=exit_info, seconds=time.monotonic() - started)
            self.stop()
            return Reply("protocol", error={"type": "ProtocolError", "message": str(error), "traceback": []})
        status = header.get("status")
        seconds = time.monotonic() - started
        if status not in expected:
            self.stop()
            return Reply("protocol", error={"type": "ProtocolError", "message": f"status {_cut(str(status), 40)!r}",
                                            "traceback": []})
        if isinstance(header.get("confinement"), dict):
            self.confinement = {k: v for k, v in header["confinement"].items() if isinstance(v, (bool, int))}
        if status == "ok":
            count = header.get("count")
            try:
                outputs = tuple(arrays[f"o{i}"] for i in range(int(count)))
            except (KeyError, TypeError, ValueError):
                self.stop()
                return Reply("protocol", error={"type": "ProtocolError", "message": "outputs missing", "traceback": []})
            return Reply("ok", outputs=outputs, seconds=seconds)
        return Reply(status, error=_clean_error(header.get("error")), seconds=seconds)

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
