"""Reading submissions (definitions only, notebooks, forbidden calls) and comparing outputs."""

import io
import json
import struct

import numpy as np
import pytest

from autograder import compare, protocol, source

STUDENT = '''import numpy as np
import matplotlib.pyplot as plt
import engine.functional as F
from scipy import signal
from engine.functional import conv2d_forward as reference

SCALE = np.sqrt(2.0)
data = load_everything()

def helper(x):
    return F.relu_forward(x)

@decorated
def mine(x):
    return helper(x) * SCALE

def honest(x):
    return np.maximum(x, 0)

def sneaky(x, W):
    return reference(x, W, None)

def filtering(x):
    return signal.correlate(x, x)

for epoch in range(1000):
    train()
print(mine(np.ones(3)))
'''


def test_definitions_only_keeps_definitions_and_line_numbers():
    kept = source.definitions_only(STUDENT)
    lines = kept.split("\n")
    assert len(lines) == len(STUDENT.split("\n"))
    assert "SCALE = np.sqrt(2.0)" in lines and "@decorated" in lines
    assert all(stripped not in kept for stripped in ("load_everything", "train()", "print(", "for epoch", "matplotlib"))
    assert lines[STUDENT.split("\n").index("def honest(x):")] == "def honest(x):"


def test_forbidden_uses_follow_aliases_and_helpers():
    forbidden = ("engine", "torch", "scipy.signal")
    assert source.forbidden_uses(STUDENT, "honest", forbidden) == []
    assert source.forbidden_uses(STUDENT, "mine", forbidden) == ["engine.functional.relu_forward"]
    assert source.forbidden_uses(STUDENT, "sneaky", forbidden) == ["engine.functional.conv2d_forward"]
    assert source.forbidden_uses(STUDENT, "filtering", forbidden) == ["scipy.signal.correlate"]
    inside = "def f(x):\n    import torch\n    return torch.relu(x)\n\ndef g(x):\n    return __import__('torch')\n"
    assert source.forbidden_uses(inside, "f", forbidden) == ["torch.relu"]
    assert source.forbidden_uses(inside, "g", forbidden) == ["__import__"]


def test_notebook_lines_are_traced_to_their_cells(tmp_path):
    notebook = {"cells": [{"cell_type": "markdown", "source": "# Título"},
                          {"cell_type": "code", "source": ["import numpy as np\n", "%matplotlib inline"]},
                          {"cell_type": "code", "source": "def f(x):\n    return 1 / 0\n"}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "entrega.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    submission = source.read_submission(path)
    assert "%matplotlib" not in submission.source
    line = submission.source.split("\n").index("    return 1 / 0") + 1
    assert submission.where(line) == {"cell": 2, "line": 2}


def test_a_syntax_error_is_recorded_with_its_place(tmp_path):
    path = tmp_path / "roto.py"
    path.write_text("import numpy as np\n\ndef f(x)\n    return x\n", encoding="utf-8")
    submission = source.read_submission(path)
    assert submission.syntax_error["line"] == 3


def test_read_submission_refuses_other_files(tmp_path):
    path = tmp_path / "entrega.txt"
    path.write_text("hola", encoding="utf-8")
    with pytest.raises(ValueError, match="expected a .py exercise file or a .ipynb notebook"):
        source.read_submission(path)


def test_compare_reports_what_a_student_needs():
    rng = np.random.default_rng()
    expected = rng.standard_normal((3, 4))
    received = expected.copy()
    received[1, 2] += 1.0
    report = compare.compare(expected, received, 1e-6, 1e-9)
    assert report["status"] == "values" and report["first_wrong_index"] == [1, 2]
    assert report["wrong_count"] == 1 and report["received_value"] == received[1, 2]
    assert report["max_abs_error"] == pytest.approx(1.0)
    assert compare.compare(expected, received.T, 1e-6, 1e-9)["status"] == "shape"
    assert compare.compare(expected, expected.astype(np.float32), 1e-6, 1e-9)["status"] == "dtype"
    assert compare.compare(expected, "hola", 1e-6, 1e-9)["status"] == "type"
    with_nan = expected.copy()
    with_nan[0, 0] = np.nan
    assert compare.compare(expected, with_nan, 1e-6, 1e-9)["nan"] == 1
    assert compare.compare(np.float64(2.5), np.array([2.5]), 1e-6, 1e-9)["status"] == "ok"


def test_protocol_carries_arguments_and_never_unpickles():
    rng = np.random.default_rng()
    values = (rng.standard_normal((2, 3)), 2, "same", (1, 2), None)
    described, arrays = protocol.pack_values(values)
    header, received = protocol.decode(protocol.encode({"args": described}, arrays)[8:])
    back = protocol.unpack_values(header["args"], received)
    assert np.array_equal(back[0], values[0]) and back[1:] == values[1:]
    archive = io.BytesIO()
    np.savez(archive, o0=np.array([object()], dtype=object))        # a pickled object inside the .npz
    head = b'{"status": "ok"}'
    with pytest.raises(protocol.ProtocolError, match="without pickles"):
        protocol.decode(struct.pack(">I", len(head)) + head + archive.getvalue())


def test_an_assignment_that_reads_a_blanked_name_is_blanked_too():
    text = ("import os\nimport numpy as np\n\nMODO_RAPIDO = os.environ.get('MODO_RAPIDO') == '1'\n"
            "n = 10 if MODO_RAPIDO else 100\nSEMILLA = 7\nrng = np.random.default_rng(SEMILLA)\n\n"
            "def f(x):\n    return x * SEMILLA\n")
    kept = source.definitions_only(text)
    assert "MODO_RAPIDO" not in kept and "n = 10" not in kept
    assert "SEMILLA = 7" in kept and "rng = np.random.default_rng(SEMILLA)" in kept
    namespace = {}
    exec(compile(kept, "entrega", "exec"), namespace)  # noqa: S102 - it loads without a NameError
    assert namespace["f"](2) == 14
