"""Every solution executes top to bottom as a notebook, on the CPU, in its quick mode, within 60 s:
its plots are drawn, and every grade cell ends with full marks."""

import time
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from autograder import assignments
from autograder.sets import set_of_file

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.py"))
LIMIT_S = 60


def graded_outputs(cell):
    return [o for o in cell.outputs if o.output_type == "execute_result"]


@pytest.mark.slow
@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_the_solution_runs_as_a_notebook_with_its_plots_and_full_marks(path, tmp_path, monkeypatch):
    monkeypatch.setenv("MODO_RAPIDO", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # no window; figures inline
    notebook = jupytext.read(path)
    client = NotebookClient(notebook, timeout=LIMIT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    started = time.monotonic()
    client.execute()
    seconds = time.monotonic() - started
    assert seconds < LIMIT_S, f"{path.name} took {seconds:.0f} s in quick mode"
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs
              if o.output_type == "error"]
    assert not errors
    images = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs
              if "image/png" in o.get("data", {})]
    assert images, f"{path.name} draws no figure"
    key = set_of_file(path.name)
    for cell in notebook.cells:
        function = assignments.grade_cell_function(cell.source) if cell.cell_type == "code" else None
        if function is None:
            continue
        results = graded_outputs(cell)
        assert results, f"{path.name}: grade({function!r}) ended with no score"
        assert float(results[-1].data["text/plain"]) == assignments.function_points(function, key), function
