"""How a submission's process confines itself before the submission runs.

In order, each layer closing what the previous ones leave open:

1. it dies with the grader (``PR_SET_PDEATHSIG``: with the grader's thread
   that started it), never outliving it;
2. resource limits, soft and hard alike so they cannot be raised again:
   address space (memory), size of any file it writes (its printed output
   included), CPU seconds, open files, no core dumps;
3. it gives up every capability (a grader run as root must not hand root's
   powers to the submission: raising limits, rebooting, ...);
4. Landlock (:mod:`autograder.landlock`): the kernel lets it read only the
   Python installation, the packages a student may import and the system's
   libraries, write only its working folder, open no TCP connection, and send
   no signal to a process outside its sandbox (the grader, other submissions);
5. a seccomp filter: no new processes (threads are fine), no ``exec``, no
   sockets, no signals but to itself, no ptrace or ``process_vm_*``, no
   io_uring — the kernel refuses them even when called through ``ctypes``;
6. an audit hook (PEP 578) that refuses the same things in Python with a
   message a student understands, and, where Landlock is missing, checks the
   files that Python code opens (best effort: ``ctypes`` goes around it).

The grader's wall-clock limit and its kill of the whole process group are the
last word: they stop even an endless loop inside compiled @njit code.
:func:`apply` returns what was enforced, for the grading report.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal
import struct
import sys

from . import landlock

_BLOCKED_EVENTS = frozenset((
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "subprocess.Popen", "pty.spawn",
    "socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "os.kill", "os.killpg",
    "signal.pthread_kill", "resource.setrlimit", "resource.prlimit"))

_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS, _PR_CAPBSET_DROP, _PR_CAP_AMBIENT = 1, 38, 24, 47
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAPABILITY_VERSION_3 = 0x20080522


# -- 1-3: dying with the grader, limits, capabilities ---------------------------------------------
def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _die_with_parent(libc) -> None:
    parent = os.getppid()
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:              # the grader died before the request: follow it now
        os._exit(1)


def _limit(kind, value, slack: int = 0) -> bool:
    """Set soft = value and hard = value + slack (never above the current hard limit)."""
    if value is None:
        return False
    try:
        _, hard = resource.getrlimit(kind)
        value = int(value)
        new_hard = value + slack
        if hard != resource.RLIM_INFINITY:
            value, new_hard = min(value, hard), min(new_hard, hard)
        resource.setrlimit(kind, (value, new_hard))
        return True
    except (ValueError, OSError):
        return False


def _drop_capabilities(libc) -> bool:
    """Empty the bounding, ambient, effective, permitted and inheritable sets; True when none is left."""
    try:
        with open("/proc/sys/kernel/cap_last_cap") as handle:
            last = int(handle.read())
    except (OSError, ValueError):
        last = 40
    for capability in range(last + 1):
        libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0)      # fails harmlessly without CAP_SETPCAP
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = ctypes.create_string_buffer(struct.pack("Ii", _CAPABILITY_VERSION_3, 0))
    data = ctypes.create_string_buffer(24)                      # two (effective, permitted, inheritable) words
    return libc.capset(header, data) == 0


# -- 5: seccomp ---------------------------------------------------------------------------------
# Per architecture: the audit arch, then the system-call numbers (x86_64 and aarch64).
_ARCHES = {
    "x86_64": (0xC000003E, {
        "clone": 56, "fork": 57, "vfork": 58, "execve": 59, "execveat": 322, "clone3": 435, "socket": 41,
        "kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
        "pidfd_open": 434, "pidfd_send_signal": 424, "ptrace": 101, "process_vm_readv": 310,
        "process_vm_writev": 311, "unshare": 272, "setns": 308, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427}),
    "aarch64": (0xC00000B7, {
        "clone": 220, "execve": 221, "execveat": 281, "clone3": 435, "socket": 198,
        "kill": 129, "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240,
        "pidfd_open": 434, "pidfd_send_signal": 424, "ptrace": 117, "process_vm_readv": 270,
        "process_vm_writev": 271, "unshare": 97, "setns": 268, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427}),
}
_ARCH_ALIASES = {"amd64": "x86_64", "arm64": "aarch64"}
_DENIED = ("fork", "vfork", "execve", "execveat", "socket", "pidfd_open", "pidfd_send_signal", "ptrace",
           "process_vm_readv", "process_vm_writev", "unshare", "setns", "io_uring_setup", "io_uring_enter",
           "io_uring_register")
_SIGNALS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")   # first argument: a process id
_CLONE_THREAD = 0x00010000
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _ERRNO = 0x7FFF0000, 0x00050000
_EPERM, _ENOSYS = 1, 38


def _seccomp_program(arch: str, pid: int) -> list | None:
    """The filter as (code, jump_true, jump_false, k) tuples, or None for an architecture not known here."""
    if arch not in _ARCHES:
        return None
    audit_arch, numbers = _ARCHES[arch]
    deny, allow = "deny", "allow"
    code = [("ld", 4), ("jeq", audit_arch, None, deny), ("ld", 0)]
    if arch == "x86_64":
        code.append(("jge", 0x40000000, deny, None))                  # the x32 system calls
    code += [("jeq", numbers[name], deny, None) for name in _DENIED if name in numbers]
    code.append(("jeq", numbers["clone3"], "enosys", None))           # glibc falls back to clone
    code.append(("jeq", numbers["clone"], "clone", None))
    code += [("jeq", numbers[name], "signal", None) for name in _SIGNALS]
    code += [("ret", _ALLOW, allow),
             ("ret", _ERRNO | _EPERM, deny),
             ("ret", _ERRNO | _ENOSYS, "enosys"),
             ("ld", 16, "clone"), ("jset", _CLONE_THREAD, None, "clone.deny"),   # a thread, not a process
             ("ret", _ALLOW, "clone.allow"), ("ret", _ERRNO | _EPERM, "clone.deny"),
             ("ld", 16, "signal"), ("jeq", pid, None, "signal.deny"),           # only to itself
             ("ret", _ALLOW, "signal.allow"), ("ret", _ERRNO | _EPERM, "signal.deny")]
    labels = {}
    for index, instruction in enumerate(code):
        if instruction[0] in ("ret", "ld") and len(instruction) == 3:
            labels[instruction[2]] = index
    program = []
    for index, instruction in enumerate(code):
        op = instruction[0]
        if op == "ld":
            program.append((_LD_ABS, 0, 0, instruction[1]))
        elif op == "ret":
            program.append((_RET, 0, 0, instruction[1]))
        else:
            jumps = [0 if target is None else labels[target] - index - 1 for target in instruction[2:4]]
            program.append(({"jeq": _JEQ, "jge": _JGE, "jset": _JSET}[op], jumps[0], jumps[1], instruction[1]))
    return program


def _install_seccomp(libc) -> bool:
    arch = platform.machine().lower()
    program = _seccomp_program(_ARCH_ALIASES.get(arch, arch), os.getpid())
    if program is None:
        return False
    filters = b"".join(struct.pack("HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(filters)
    fprog = struct.pack("HxxxxxxP", len(program), ctypes.addressof(buffer))
    libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.c_char_p(fprog), 0, 0) == 0


# -- 6: the audit hook ------------------------------------------------------------------------------
def _beneath(path: str, roots) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _file_check(workdir: str):
    """An ``open`` check for systems without Landlock: write in ``workdir``, read there and in the allowed roots."""
    writable = (os.path.realpath(workdir), os.devnull)
    readable = (*writable, *landlock.readable_roots(), *landlock.DEVICES_AND_KERNEL, f"/proc/{os.getpid()}")
    realpath, fspath = os.path.realpath, os.fspath
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_TRUNC", 0)

    def check(args) -> None:
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        if path is None or isinstance(path, int):
            return
        try:
            real = realpath(fspath(path) if not isinstance(path, bytes) else os.fsdecode(path))
        except (TypeError, ValueError, OSError):
            return
        writes = bool((flags or 0) & write_flags) or any(c in (mode or "") for c in "wax+")
        if not _beneath(real, writable if writes else readable):
            what = "escribir" if writes else "leer"
            raise PermissionError(f"el autocorrector no permite {what} '{real}': solo tu carpeta de trabajo")
    return check


def _audit_hook(file_check):
    def hook(event, args):
        if event in _BLOCKED_EVENTS:
            raise PermissionError(f"el autocorrector no permite '{event}' durante la corrección")
        if event == "open" and file_check is not None:
            file_check(args)
    return hook


# -- all of it ----------------------------------------------------------------------------------------
def apply(workdir: str, limits: dict) -> dict:
    """Confine this process (see the module docstring); call it while it has a single thread.

    ``limits``: memory_bytes, output_bytes, cpu_seconds, open_files, landlock (bool), seccomp (bool).
    Returns what is enforced: {"landlock_abi", "filesystem", "tcp", "signals", "processes",
    "capabilities", "audit_files"}.
    """
    linux = sys.platform.startswith("linux")
    libc = _libc() if linux else None
    if linux:
        _die_with_parent(libc)
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_AS, limits.get("memory_bytes"))
    _limit(resource.RLIMIT_FSIZE, limits.get("output_bytes"))
    _limit(resource.RLIMIT_CPU, limits.get("cpu_seconds"), slack=1)
    _limit(resource.RLIMIT_NOFILE, limits.get("open_files"))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)       # an oversized write fails instead of killing us
    capabilities = _drop_capabilities(libc) if linux else False
    landlocked = bool(limits.get("landlock", True)) and landlock.restrict(workdir)
    processes = bool(limits.get("seccomp", True)) and linux and _install_seccomp(libc)
    sys.addaudithook(_audit_hook(None if landlocked else _file_check(workdir)))
    abi = landlock.available() if landlocked else 0
    return {**landlock.guarantees(abi), "processes": processes, "capabilities": capabilities,
            "audit_files": not landlocked}
