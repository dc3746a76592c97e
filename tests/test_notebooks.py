"""Downloaded notebooks read well in Jupyter and run top to bottom in a fresh kernel."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from layout import GALLERY_DIRNAME as GALLERY

pytestmark = pytest.mark.slow

#: A few notebooks, run in a fresh kernel in quick mode (one per kind of page).
EXECUTED = [
    "01_getting_started/01_fit_a_line",
    "03_linear_regression/01_california_housing",
    "02_preliminaries/05_autograd",
]
RAW_RST = re.compile(r"^\s*\.\. [\w-]+::|:(doc|func|class|term|ref|mod|meth):`", re.M)


def _notebooks(site: Path) -> list[Path]:
    return sorted((site / GALLERY).rglob("[0-9][0-9]_*.ipynb"))


def test_markdown_cells_hold_no_raw_rst(site: Path):
    for path in _notebooks(site):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                bad = RAW_RST.search(cell.source)
                assert not bad, f"{path.name}: raw rST {bad.group(0)!r} in a Markdown cell"


def test_first_cell_installs_what_is_missing(site: Path):
    for path in _notebooks(site):
        first_code = next(c for c in nbformat.read(path, as_version=4).cells
                          if c.cell_type == "code")
        assert "pip" in first_code.source and "find_spec" in first_code.source, path.name


def test_dropdowns_become_details(site: Path):
    nb = nbformat.read(site / f"{GALLERY}/01_getting_started/01_fit_a_line.ipynb",
                       as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "<details><summary>" in text and "</details>" in text


@pytest.mark.parametrize("name", EXECUTED)
def test_notebook_runs_in_a_fresh_kernel(site: Path, name: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("HANDSON_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("HANDSON_DATA_DIR", os.environ.get("HANDSON_DATA_DIR",
                                                          str(tmp_path / "cache")))
    nb = nbformat.read(site / GALLERY / f"{name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(o.output_type == "stream" for o in outputs), "the notebook printed nothing"
