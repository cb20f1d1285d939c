"""Landlock: the kernel confines the submission's files, network and signals (Linux ≥ 5.13).

A process restricts itself with three system calls: it describes what it
will be allowed (a *ruleset*: the kinds of access the kernel must check,
and for each folder the accesses granted beneath it), then gives up
everything else for good (``landlock_restrict_self``, after
``PR_SET_NO_NEW_PRIVS``). The restriction holds for the process and any
process it could start, and cannot be lifted, not even with ``ctypes``.

What the submission's process keeps:

- read (files and folder listings, no execution) beneath the Python
  installation, ``sys.path``, the packages a student may import (numpy,
  numba, llvmlite, scipy, matplotlib, tqdm, the engine and the autograder:
  their own folders, never the repository that holds them, so ``solutions/``
  and ``tests/`` stay out of reach), the system's libraries and fonts, and
  a few files of ``/dev``, ``/proc/self`` and ``/sys``;
- read and write beneath its working folder.

The kernel's Landlock version (its ABI) decides how much it can check:
renaming across folders (v2), truncating (v3), TCP bind and connect (v4:
both refused, no port is granted), device ioctls (v5), abstract Unix
sockets and signals to processes outside the sandbox — the grader, other
submissions — (v6). Without Landlock (an older kernel, macOS),
:func:`restrict` returns False and :mod:`autograder.confine` falls back to
a best-effort audit hook.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import stat
import sys
import sysconfig

# System calls (the same numbers on every architecture: they are newer than the split tables).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# Filesystem access rights, and the ABI that introduced the later ones.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV    # the rights a rule on a file may hold

NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1                            # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1                 # ABI 6

READ = READ_FILE | READ_DIR
WRITE = (READ | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | MAKE_SYM | REFER | TRUNCATE)

_SHARED_PREFIXES = ("/", "/usr", "/usr/local", "/opt")     # a system Python: grant its libraries, not all of /usr
PACKAGES = ("numpy", "numba", "llvmlite", "scipy", "matplotlib", "tqdm", "engine", "autograder")
SYSTEM_FOLDERS = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/usr/share/fonts",
                  "/usr/local/share/fonts", "/usr/share/zoneinfo", "/etc/ld.so.cache", "/etc/localtime",
                  "/System/Library/Fonts", "/Library/Fonts")
DEVICES_AND_KERNEL = {"/dev/null": READ_FILE | WRITE_FILE | TRUNCATE, "/dev/zero": READ_FILE,
                      "/dev/urandom": READ_FILE, "/dev/random": READ_FILE, "/proc/self": READ,
                      "/proc/cpuinfo": READ_FILE, "/proc/meminfo": READ_FILE, "/proc/stat": READ_FILE,
                      "/sys/devices/system/cpu": READ}


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = None
_abi = None


def _syscall():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
    return _libc.syscall


def available() -> int:
    """The Landlock ABI version the kernel offers (0: none, or not Linux)."""
    global _abi
    if _abi is None:
        _abi = 0
        if sys.platform.startswith("linux"):
            try:
                version = _syscall()(ctypes.c_long(_CREATE_RULESET), None, ctypes.c_size_t(0),
                                     ctypes.c_uint32(_CREATE_RULESET_VERSION))
                _abi = max(int(version), 0)
            except (OSError, AttributeError):
                _abi = 0
    return _abi


def _package_folder(name: str) -> str | None:
    """The folder of an importable package, found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return list(spec.submodule_search_locations)[0]
    return os.path.dirname(spec.origin) if spec.origin else None


def _python_folders() -> set:
    """The installation's prefixes, or only its library folders when a prefix is the system's own /usr."""
    folders = set()
    for prefix in {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}:
        if prefix in _SHARED_PREFIXES:
            paths = sysconfig.get_paths()
            folders.update(os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib"))
        else:
            folders.add(prefix)
    return folders


def readable_roots() -> list:
    """The folders and files the submission may read (those that exist), most general first."""
    prefixes = _python_folders()
    packages = [folder for folder in map(_package_folder, PACKAGES) if folder]
    # A sys.path entry that merely holds one of our packages from a source checkout (the repository
    # root, in a development setup) is skipped: the package's own folder is enough.
    checkouts = {os.path.realpath(os.path.dirname(folder)) for folder in packages}
    entries = []
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else None
        if not real or not os.path.exists(real):
            continue
        if real in checkouts and not any(real == p or real.startswith(p + os.sep) for p in prefixes):
            continue
        entries.append(real)
    kept = []
    for root in [*sorted(prefixes), *entries, *packages, *SYSTEM_FOLDERS]:
        real = os.path.realpath(root)
        if os.path.exists(real) and not any(real == k or real.startswith(k.rstrip(os.sep) + os.sep) for k in kept):
            kept.append(real)
    return kept


def _check(result: int, what: str) -> int:
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")
    return result


def _add_rule(ruleset: int, path: str, access: int, handled: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return                                              # missing on this system: nothing to grant
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= _FILE_RIGHTS
        rule = _PathBeneathAttr(access & handled, fd)
        _check(_syscall()(ctypes.c_long(_ADD_RULE), ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                          ctypes.byref(rule), ctypes.c_uint32(0)), f"landlock_add_rule({path})")
    finally:
        os.close(fd)


def _ruleset_attr(abi: int) -> tuple[_RulesetAttr, int]:
    """What the kernel must check, for this ABI, and the size of the structure that ABI knows."""
    attr = _RulesetAttr(_FS_BY_ABI.get(abi, _FS_BY_ABI[5]), 0, 0)
    size = 8
    if abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 16
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    return attr, size


def restrict(workdir: str, readable: list | None = None) -> bool:
    """Confine this process: read ``readable`` (default :func:`readable_roots`), read and write ``workdir``.

    Returns whether the kernel confined it (False without Landlock). Only this thread is restricted
    (and what it starts), so call it before any other thread exists.
    """
    abi = available()
    if abi <= 0:
        return False
    attr, size = _ruleset_attr(abi)
    syscall = _syscall()
    ruleset = _check(syscall(ctypes.c_long(_CREATE_RULESET), ctypes.byref(attr), ctypes.c_size_t(size),
                             ctypes.c_uint32(0)), "landlock_create_ruleset")
    try:
        handled = attr.handled_access_fs
        for path in readable if readable is not None else readable_roots():
            _add_rule(ruleset, path, READ, handled)
        for path, access in DEVICES_AND_KERNEL.items():
            _add_rule(ruleset, path, access, handled)
        _add_rule(ruleset, workdir, WRITE, handled)
        _check(_libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
        _check(syscall(ctypes.c_long(_RESTRICT_SELF), ctypes.c_int(ruleset), ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return True


def guarantees(abi: int) -> dict:
    """What a restriction under this ABI enforces (for the grading report)."""
    return {"landlock_abi": abi, "filesystem": abi >= 1, "tcp": abi >= 4, "signals": abi >= 6}
