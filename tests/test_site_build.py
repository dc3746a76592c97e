"""Build the site in quick mode, in a copy of the sources, and check what came out."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from conftest import copy_sources, run_sphinx
from layout import GALLERY_DIRNAME as GALLERY
from layout import tutorial_files

ROOT = Path(__file__).resolve().parents[1]


def _outputs(site: Path, tutorial: Path) -> dict[str, Path]:
    rel = tutorial.relative_to(ROOT / "tutorials")
    chapter, stem = rel.parent, tutorial.stem
    html = site / f"_build/html/{GALLERY}" / chapter
    return {
        "page": html / f"{stem}.html",
        "notebook": site / GALLERY / chapter / f"{stem}.ipynb",
        "script": site / GALLERY / chapter / f"{stem}.py",
        "thumb": site / GALLERY / chapter / "images/thumb" / f"sphx_glr_{stem}_thumb.png",
    }


@pytest.mark.slow
def test_every_tutorial_has_page_notebook_script_and_thumbnail(site: Path):
    import sphinx_gallery

    stock = {
        (Path(sphinx_gallery.__file__).parent / "_static" / name).read_bytes()
        for name in ("no_image.png", "broken_example.png")
    }
    for tutorial in tutorial_files():
        out = _outputs(site, tutorial)
        page = out["page"].read_text(encoding="utf-8")
        assert "sphx-glr-script-out" in page, f"{tutorial.name}: page shows no output"
        assert "Total running time of the script" in page
        assert f"{tutorial.stem}.ipynb" in page and f"{tutorial.stem}.py" in page
        nb = nbformat.read(out["notebook"], as_version=4)
        nbformat.validate(nb)
        assert any(c.cell_type == "code" for c in nb.cells)
        assert out["script"].read_text() == tutorial.read_text()
        thumb = out["thumb"].read_bytes()
        assert thumb[:8] == b"\x89PNG\r\n\x1a\n" and thumb not in stock, (
            f"{tutorial.name}: thumbnail is missing or a stock/broken image"
        )


@pytest.mark.slow
def test_chapter_zips_and_timings(site: Path):
    import zipfile

    html = site / "_build/html"
    chapters = sorted({t.parent.name for t in tutorial_files()})
    for chapter in chapters:
        for kind, suffix in (("python", ".py"), ("jupyter", ".ipynb")):
            zips = list((html / "_downloads").rglob(f"{chapter}_{kind}.zip"))
            assert zips, f"no {kind} zip for chapter {chapter}"
            names = zipfile.ZipFile(zips[0]).namelist()
            expected = {f"{chapter}/{t.stem}{suffix}" for t in tutorial_files()
                        if t.parent.name == chapter}
            assert set(names) == expected
        index = (html / GALLERY / chapter / "index.html").read_text()
        assert f"{chapter}_python.zip" in index
    timing = (html / "sg_execution_times.html").read_text()
    for tutorial in tutorial_files():
        assert tutorial.stem in timing, f"{tutorial.name} missing from the site-wide timings"


@pytest.mark.slow
def test_build_fails_when_a_tutorial_raises(tmp_path: Path):
    """A page that raises fails the build, and the error names the page."""
    src = copy_sources(tmp_path)
    chapter = sorted(p for p in (src / "tutorials").iterdir() if p.is_dir())[0]
    (chapter / "98_raises.py").write_text(
        '"""\nRaises\n======\n\nBoom.\n"""\n\nraise RuntimeError("boom")\n')
    proc = run_sphinx(src, "-D", "sphinx_gallery_conf.filename_pattern=98_raises")
    assert proc.returncode != 0
    assert "98_raises" in proc.stdout + proc.stderr and "boom" in proc.stdout + proc.stderr


@pytest.mark.slow
def test_build_fails_when_tutorials_are_not_executed(tmp_path: Path):
    """``plot_gallery=0`` renders pages without running them: the build must refuse."""
    src = copy_sources(tmp_path)
    proc = run_sphinx(src, "-D", "plot_gallery=0")
    assert proc.returncode != 0
    text = proc.stdout + proc.stderr
    assert "tutorials without executed output" in text
    for tutorial in tutorial_files():
        assert f"{tutorial.relative_to(ROOT)}: not executed" in text


_OUTPUT_BLOCK = re.compile(
    r"\.\. rst-class:: sphx-glr-script-out\n\n \.\. code-block:: none\n\n((?:    .*\n|\n)+)")


@pytest.mark.slow
def test_no_stray_output(site: Path):
    """No page shows an object's default repr or a lone True/False from a cell's end."""
    for rst in (site / GALLERY).rglob("[0-9][0-9]_*.rst"):
        text = rst.read_text(encoding="utf-8")
        assert "object at 0x" not in text, f"{rst.name} shows an object repr"
        for block in _OUTPUT_BLOCK.findall(text):
            assert block.strip() not in {"True", "False"}, \
                f"{rst.name} shows a lone boolean output: end the cell with a print"
    for html in (site / "_build/html" / GALLERY).rglob("*.html"):
        assert "object at 0x" not in html.read_text(encoding="utf-8"), html.name


@pytest.mark.slow
def test_pages_show_when_and_where_they_ran(site: Path):
    import torch

    for tutorial in tutorial_files():
        page = _outputs(site, tutorial)["page"].read_text(encoding="utf-8")
        assert "handson-run-stamp" in page and f"with torch {torch.__version__}" in page, \
            f"{tutorial.name}: no run stamp under the title"
        assert "(quick mode: shrunk data and epochs)" in page


@pytest.mark.slow
def test_results_page_shows_values_thresholds_and_margins(site: Path):
    text = (site / "results.rst").read_text(encoding="utf-8")
    assert "Thin margins" in text
    assert re.search(r"✔ .+ [<>]=? .+ \(margin -?\d+\.\d%", text), "no check shows its margin"


@pytest.mark.slow
def test_computation_time_pages_load_nothing_from_cdns(site: Path):
    pages = list((site / "_build/html").rglob("sg_execution_times.html"))
    # the site's, the gallery's and one per chapter
    assert len(pages) == 2 + len({t.parent for t in tutorial_files()})
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "cdn.datatables.net" not in text and "code.jquery.com" not in text
        assert "<table" in text, f"{page}: the static table is missing"
