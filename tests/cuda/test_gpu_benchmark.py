"""The GPU benchmark script (benchmarks/gpu.py) runs end to end: ``--smoke`` calls every case once at tiny
sizes, in a process of its own as a user starts it, in the simulator under ``make test`` (or on the GPU
where the tests run on one), and writes its JSON report.

The times themselves mean nothing here (the simulator runs every GPU thread as a Python thread); what is
checked is that every case ran on both sides and was timed, and that the copy check saw exactly the batch
go up and only the loss come down.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gpu.py"
TORCH = importlib.util.find_spec("torch") is not None


def test_the_smoke_run_times_every_case_and_counts_the_copies(cuda, tmp_path):
    report_path, table_path = tmp_path / "gpu.json", tmp_path / "gpu.md"
    run = subprocess.run([sys.executable, str(SCRIPT), "--smoke", "--json", str(report_path),
                          "--markdown", str(table_path)],
                         env=dict(os.environ), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(report_path.read_text())

    assert report["smoke"] is True and report["machine"]["gpu"]
    cases = report["cases"]
    assert sorted(case["kind"] for case in cases) == ["conv", "conv", "conv", "lenet", "lstm"]
    for case in cases:
        assert case["engine_s"] > 0 and case["calls"] == 1, case
        if TORCH:
            assert case["torch_s"] > 0 and case["ratio"] == case["engine_s"] / case["torch_s"], case
        assert case["passed"] is None, case  # a smoke run judges no time
    assert all(case["engine_gflops"] > 0 for case in cases if case["kind"] == "conv")

    copies = report["transfers_per_lenet_step"]
    assert copies["passed"] is True, copies
    assert copies["bytes_up"] == copies["batch_bytes"] > 0  # the images and the labels, nothing else
    assert 0 < copies["bytes_down"] <= 16 and all(size <= 16 for size in copies["copies_down"])  # the loss
    assert report["cold_start_s"] > 0 and report["warm_start_s"] > 0
    assert report["missed"] == []

    assert "copies in one LeNet step" in run.stdout and "all targets met" in run.stdout
    table = table_path.read_text()
    assert table.count("\n| ") == len(cases) + 1 and report["machine"]["gpu"] in table
