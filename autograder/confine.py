"""How a submission's process confines itself before the submission runs.

- resource limits: address space (memory), size of any file it writes (its
  printed output included), CPU seconds, no core dumps;
- an audit hook (PEP 578) that refuses to start processes or open sockets;
- where the kernel has Landlock (Linux ≥ 5.13), no access to files outside its
  working folder except reading the Python installation, and no TCP.

The grader's wall-clock limit and its kill of the whole process group are the
last word: they stop even an endless loop inside compiled @njit code.
"""

from __future__ import annotations

import os
import resource
import signal
import sys

_BLOCKED_EVENTS = ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
                   "subprocess.Popen", "pty.spawn", "socket.connect", "socket.bind", "os.kill", "os.killpg")


def _refuse(event, args):
    if event in _BLOCKED_EVENTS:
        raise PermissionError(f"el autocorrector no permite '{event}' durante la corrección")


def _limit(kind, value):
    if value is None:
        return
    try:
        soft, hard = resource.getrlimit(kind)
        value = int(value)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, hard))
    except (ValueError, OSError):
        pass


def apply(workdir: str, limits: dict) -> None:
    """Confine this process (see the module docstring). ``limits``: memory_bytes, output_bytes, cpu_seconds."""
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_AS, limits.get("memory_bytes"))
    _limit(resource.RLIMIT_FSIZE, limits.get("output_bytes"))
    _limit(resource.RLIMIT_CPU, limits.get("cpu_seconds"))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)       # an oversized write fails instead of killing us
    if limits.get("landlock", True):
        from . import landlock
        landlock.restrict(workdir)
    sys.addaudithook(_refuse)
