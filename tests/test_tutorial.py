"""docs/tutorial.ipynb runs from the first cell to the last, in a fresh kernel."""

import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "tutorial.ipynb"


def test_the_tutorial_runs(tmp_path):
    """Every cell of the tutorial executes without an error (the notebook is committed
    without outputs, so it cannot show results that the code no longer gives)."""
    shutil.copy(NOTEBOOK, tmp_path / "tutorial.ipynb")
    notebook = nbformat.read(tmp_path / "tutorial.ipynb", as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    NotebookClient(notebook, timeout=None, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]
    assert all(outputs), "every code cell shows something"
    images = [o for cell in outputs for o in cell if "image/png" in o.get("data", {})
              or "image/gif" in o.get("data", {})]
    assert len(images) >= 2  # the plot and the replay
    assert (tmp_path / "runs" / "tutorial-evolution" / "replay.gif").is_file()


def test_the_tutorial_runs_again(tmp_path):
    """Run a second time in the same folder, the tutorial's first cell reopens its run
    instead of stopping on the existing run directory."""
    shutil.copy(NOTEBOOK, tmp_path / "tutorial.ipynb")
    notebook = nbformat.read(tmp_path / "tutorial.ipynb", as_version=4)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    notebook.cells = [first, nbformat.v4.new_code_cell("print(run.meta['status'])")]
    for _ in range(2):
        NotebookClient(notebook, timeout=None, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert notebook.cells[1].outputs[0]["text"] == "done\n"
