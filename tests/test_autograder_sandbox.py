"""The hostile corpus, and the confinement of a submission's process.

Each file in tests/corpus/hostile/ is a submission of set 001's ``dense_forward``
that attacks the grader or misbehaves. Its first lines say how its grading must end:
``# expect-status: STATUS`` (the status of its cases), optionally
``# expect-message: TEXT`` (found in the rendered report or in the cases' error
and exit details) and ``# requires: KEY`` (a guarantee of the confinement, such as
``signals``, without which the file is skipped: its attack would then succeed).
Every hostile file must score nothing, the grader must survive it, and a correct
submission graded right after it must still get full marks.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from autograder import grading, landlock, registry, source
from autograder import report as reporting
from autograder.sandbox import DEFAULT_LIMITS, Sandbox
from autograder.seeds import SeedContext

HOSTILE = Path(__file__).parent / "corpus" / "hostile"
CORPUS = sorted(HOSTILE.glob("*.py"))
REPOSITORY = Path(__file__).resolve().parents[1]
CALL_TIMEOUT = 1.0
LIMITS = {"call_timeout": CALL_TIMEOUT, "start_timeout": 3.0, "max_starts": 2,
          "reply_bytes": 16 * 2**20, "disk_bytes": 32 * 2**20}
CORRECT = "import numpy as np\n\n\ndef dense_forward(x, W, b):\n    return x @ W + b\n"
WRITE_MARK = "autograder-hostile-write.txt"


def expectations(path: Path) -> dict:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines()[:5]:
        for key in ("expect-status", "expect-message", "requires"):
            if line.startswith(f"# {key}:"):
                found[key] = line.split(":", 1)[1].strip()
    return found


def grade(path: Path, limits: dict | None = None) -> dict:
    spec = registry.graded_function("dense_forward")
    return grading.grade_submission(source.read_submission(path), [spec], SeedContext(), {**LIMITS, **(limits or {})})


def rendered(report: dict) -> str:
    """What the student reads (English), and the cases' error and exit details."""
    details = [json.dumps({"error": c.get("error"), "exit": c.get("exit")}, ensure_ascii=False)
               for entry in report["functions"] for c in entry["cases"]]
    return "\n".join([reporting.render(report, "en"), json.dumps(report.get("load_error"), ensure_ascii=False),
                      *details])


@pytest.fixture(scope="module")
def confinement() -> dict:
    """What a submission's process is confined by on this system."""
    with Sandbox(CORRECT, {**DEFAULT_LIMITS, **LIMITS}) as sandbox:
        reply = sandbox.call("dense_forward", (np.ones((2, 3)), np.ones((3, 2)), np.ones(2)), 30)
        assert reply.status == "ok", reply
        return dict(sandbox.confinement)


@pytest.fixture(scope="module")
def correct_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("correct") / "correct.py"
    path.write_text(CORRECT, encoding="utf-8")
    return path


def test_the_corpus_is_there_and_every_file_says_what_to_expect():
    assert len(CORPUS) >= 20
    for path in CORPUS:
        assert "expect-status" in expectations(path), f"{path.name} lacks '# expect-status:'"


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_hostile_submission_ends_with_its_status_and_the_next_one_is_graded(path, confinement, correct_file):
    expected = expectations(path)
    if "requires" in expected and not confinement.get(expected["requires"]):
        pytest.skip(f"this system does not enforce {expected['requires']!r}: the attack would succeed")
    report = grade(path)
    statuses = [case["status"] for case in report["functions"][0]["cases"]]
    assert statuses[0] == expected["expect-status"], rendered(report)
    assert set(statuses) <= {expected["expect-status"], "not_run"}, statuses
    assert report["score"] == 0.0
    if "expect-message" in expected:
        assert expected["expect-message"] in rendered(report)
    assert len(report["printed"]) <= 4000

    after = grade(correct_file)
    assert after["score"] == after["max_score"] > 0, rendered(after)


def test_a_call_past_its_time_is_killed_within_a_bound():
    args = (np.ones((2, 3)), np.ones((3, 2)), np.ones(2))
    for name in ("endless_loop.py", "endless_njit_loop.py"):
        with Sandbox((HOSTILE / name).read_text(encoding="utf-8"), {**DEFAULT_LIMITS, **LIMITS}) as sandbox:
            if name == "endless_njit_loop.py":         # compile first: the time-out then stops compiled code
                assert sandbox.call("compile_spin", (np.zeros(1),), 60).status == "ok"
            pid = sandbox.process.pid if sandbox.process else None
            started = time.monotonic()
            reply = sandbox.call("dense_forward", args, CALL_TIMEOUT)
            elapsed = time.monotonic() - started
            assert reply.status == "timeout", (name, reply)
            assert CALL_TIMEOUT <= elapsed < CALL_TIMEOUT + 1.5, (name, elapsed)
            assert sandbox.process is None
            if pid is not None:
                with pytest.raises(ProcessLookupError):
                    os.kill(pid, 0)


def test_printed_output_stops_at_its_limit():
    limits = {**DEFAULT_LIMITS, **LIMITS, "output_bytes": 2**20}
    with Sandbox((HOSTILE / "print_flood.py").read_text(encoding="utf-8"), limits) as sandbox:
        reply = sandbox.call("dense_forward", (np.ones((2, 3)), np.ones((3, 2)), np.ones(2)), 10)
        assert reply.status == "error" and reply.error["type"] == "OSError"
        assert os.path.getsize(os.path.join(sandbox.workdir, "output.txt")) <= 2**20
        assert len(sandbox.printed()) == 4000


def test_the_printed_output_is_the_file_the_process_was_given():
    """A link put in its place is not followed: the grader reads the file it opened before the process ran."""
    report = grade(HOSTILE / "printed_output_swapped_for_link.py")
    assert report["functions"][0]["cases"][0]["status"] == "wrong"
    assert "root:" not in report["printed"]


def test_nothing_is_written_outside_the_work_folder(tmp_path, monkeypatch):
    """The sandbox's folders go into tmp_path: after grading, nothing is left there, nor in the repository."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for name in ("write_outside.py", "spawn_subprocess.py", "disk_fill.py"):
        grade(HOSTILE / name)
    left = [p.name for p in tmp_path.iterdir() if not p.name.startswith("autograder-fonts-")]
    assert left == []
    assert not (REPOSITORY / WRITE_MARK).exists()
    assert not (REPOSITORY / "solutions" / WRITE_MARK).exists()


@pytest.mark.parametrize("name", ["read_outside.py", "write_outside.py"])
def test_without_landlock_the_audit_hook_still_refuses_files_outside(name):
    report = grade(HOSTILE / name, {"landlock": False, "seccomp": False})
    cases = report["functions"][0]["cases"]
    assert cases[0]["status"] == "error" and cases[0]["error"]["type"] == "PermissionError", rendered(report)
    assert report["score"] == 0.0


def test_the_confinement_is_reported(confinement):
    abi = landlock.available()
    assert confinement["landlock_abi"] == abi
    assert confinement["filesystem"] == (abi >= 1)
    assert confinement["audit_files"] == (abi < 1)
    if abi < 1:
        pytest.skip("this kernel has no Landlock: files are checked by the audit hook only")
    assert confinement["tcp"] == (abi >= 4)
    assert confinement["signals"] == (abi >= 6)


_PROBE = textwrap.dedent("""
    import json, os, socket, sys
    from autograder import landlock
    workdir, repository, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    assert landlock.restrict(workdir)
    results = {}
    def attempt(name, action):
        try:
            action()
            results[name] = "allowed"
        except PermissionError:
            results[name] = "denied"
    def read(path):
        with open(path, "rb") as handle:
            handle.read(1)
    def write(path):
        with open(path, "w") as handle:
            handle.write("x")
    attempt("read_solutions", lambda: os.listdir(os.path.join(repository, "solutions")))
    attempt("read_repository_file", lambda: read(os.path.join(repository, "README.md")))
    attempt("read_etc_passwd", lambda: read("/etc/passwd"))
    attempt("read_parent_environment", lambda: read(f"/proc/{os.getppid()}/environ"))
    attempt("write_outside", lambda: write(os.path.join(os.path.dirname(workdir), "landlock-probe.txt")))
    attempt("write_inside", lambda: write(os.path.join(workdir, "inside.txt")))
    attempt("read_engine_data", lambda: read(next(p for p in __import__("glob").glob(
        os.path.join(repository, "engine", "data", "*.npz")))))
    attempt("import_numpy", lambda: __import__("numpy").linalg.inv(__import__("numpy").eye(2)))
    attempt("tcp_connect", lambda: socket.create_connection(("127.0.0.1", port), timeout=2).close())
    attempt("signal_parent", lambda: os.kill(os.getppid(), 0))
    print(json.dumps(results))
""")


def test_landlock_alone_confines_files_network_and_signals(tmp_path):
    """Landlock by itself (no audit hook, no seccomp): what the kernel refuses."""
    abi = landlock.available()
    if abi < 1:
        pytest.skip("this kernel has no Landlock")
    workdir = tmp_path / "work"
    workdir.mkdir()
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        done = subprocess.run([sys.executable, "-I", "-c", _PROBE, str(workdir), str(REPOSITORY), str(port)],
                              cwd=workdir, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert results["write_inside"] == results["read_engine_data"] == results["import_numpy"] == "allowed"
    for name in ("read_solutions", "read_repository_file", "read_etc_passwd", "read_parent_environment",
                 "write_outside"):
        assert results[name] == "denied", name
    assert not (tmp_path / "landlock-probe.txt").exists()
    assert results["tcp_connect"] == ("denied" if abi >= 4 else "allowed")
    assert results["signal_parent"] == ("denied" if abi >= 6 else "allowed")


def test_numpy_numba_matplotlib_and_the_engine_work_confined():
    submission = textwrap.dedent("""
        import os
        import matplotlib.pyplot as plt
        import numba
        import numpy as np
        from engine.datasets import load_digits


        @numba.njit(cache=True)
        def _add(a, b):
            return a + b


        def dense_forward(x, W, b):
            digits = load_digits()
            figure = plt.figure()
            plt.imshow(digits.x_train[0, :, :, 0])
            figure.savefig("figure.png")
            cached = os.listdir(os.environ["NUMBA_CACHE_DIR"])
            return _add(x @ W, b) + 0 * len(cached)
    """)
    x, W, b = np.random.default_rng().standard_normal((4, 3)), np.ones((3, 2)), np.arange(2.0)
    with Sandbox(submission, {**DEFAULT_LIMITS, "memory_bytes": 2**30}) as sandbox:
        reply = sandbox.call("dense_forward", (x, W, b), 60)
        assert reply.status == "ok", (reply, sandbox.printed())
        np.testing.assert_allclose(reply.outputs[0], x @ W + b)
        assert os.listdir(os.path.join(sandbox.workdir, ".numba"))
        assert os.path.exists(os.path.join(sandbox.workdir, "figure.png"))
