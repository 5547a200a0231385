"""The notebooks run top to bottom, on the bundled sample, in a fresh kernel.

The kernel is the Python running the tests (a kernel spec written to a
temporary JUPYTER_PATH points at ``sys.executable``), so the notebooks import
the installed package, with no ``jupyter kernelspec install`` needed. ipykernel,
nbclient and nbformat come with the ``test`` extra.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "royalty-tests"


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec for this interpreter, found before any user-wide ``python3``."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "royalty tests", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # silences jupyter_core's notice
    return KERNEL


def test_there_are_notebooks() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert names == [
        "01-quickstart.ipynb",
        "02-the-essay.ipynb",
        "03-user-centric.ipynb",
        "04-population.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, path.name
            assert "sys.path" not in cell.source, "notebooks import the installed package"
            private = [w for w in cell.source.split() if w.startswith("royalty.") and "._" in w]
            assert "from royalty." not in cell.source and not private, "only the public API"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, kernel: str, tmp_path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name=kernel,
        timeout=300,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # a failing cell raises CellExecutionError: the test fails
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    warnings = [o.get("text", "") for o in outputs if o.get("name") == "stderr"]
    assert not [w for w in warnings if "Warning" in w], warnings
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2, "each notebook shows at least two charts"
