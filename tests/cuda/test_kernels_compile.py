"""Every kernel the other tests launched compiles for a real GPU (an H100, compute capability 9.0)
with the argument types it was launched with, in float32 and float64 alike: the simulator
runs kernels as Python and would not notice a kernel the GPU compiler rejects.

It also checks that no kernel was handed a numpy array (an implicit host–device copy at
every launch). Runs last (see conftest.py); skipped when NVIDIA's NVVM library is absent
(``make oracle`` installs it) or when run on its own.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HOST_ARRAYS_LAUNCHED, LAUNCHES

H100 = "9.0"


def _nvvm_installed() -> bool:
    return importlib.util.find_spec("nvidia") is not None and any(
        (Path(p) / "nvidia").is_dir() and any((Path(p) / "nvidia").glob("cu*/nvvm")) for p in sys.path if p
    )


def test_no_kernel_receives_a_host_array(cuda):
    if not LAUNCHES:
        pytest.skip("no kernel was launched in this run")
    hidden_copies = sorted(HOST_ARRAYS_LAUNCHED)
    assert not hidden_copies, f"kernels launched with numpy arrays (a copy each way at every launch): {hidden_copies}"


def test_every_launched_kernel_compiles_for_the_gpu(cuda, tmp_path):
    if not LAUNCHES:
        pytest.skip("no kernel was launched in this run")
    if not _nvvm_installed():
        pytest.skip("NVIDIA's NVVM library is not installed (make oracle installs it)")
    launches = tmp_path / "launches.json"
    launches.write_text(json.dumps(sorted(LAUNCHES)))
    environment = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("compile_kernels.py")), str(launches), H100],
        capture_output=True, text=True, env=environment, cwd=Path(__file__).parents[2], timeout=1800,
    )
    assert result.returncode == 0, f"kernels that do not compile for the GPU:\n{result.stdout}{result.stderr[-3000:]}"
    kernels = {name for name, _ in LAUNCHES}
    assert len(kernels) >= 1
