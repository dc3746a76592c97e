"""The PDF book, typeset from the quick-mode site build (issue: the whole course as a PDF).

Checked with ``pdftotext`` and ``pdfimages`` (poppler-utils) and the LaTeX log: every
tutorial's title, in course order; a plausible page count; every figure of one
tutorial embedded on its pages; math typeset; no code line running off the page.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import layout
import pytest
import tex
from conftest import ROOT

pytestmark = pytest.mark.slow

#: A code line may stick out by at most this much (points) before the test fails.
OVERFULL_LIMIT_PT = 3.0
#: The tutorial whose figures are counted.
FIGURE_PAGE = "01_fit_a_line"


def _title(tutorial: Path) -> str:
    """The title line of a tutorial's docstring, as plain text."""
    lines = tutorial.read_text(encoding="utf-8").split('"""', 2)[1].strip().splitlines()
    return re.sub(r"[`*]", "", lines[0]).strip()


@pytest.fixture(scope="module")
def book(site: Path) -> Path:
    if tex.missing_tex_message():
        if os.environ.get("HANDSON_REQUIRE_TEX") == "1":  # CI installs TeX
            pytest.fail(tex.missing_tex_message())
        pytest.skip("TeX is not installed (CI installs it)")
    env = {**os.environ, "HANDSON_QUICK": "1", "MPLBACKEND": "Agg"}
    env.setdefault("HANDSON_DATA_DIR", str(site / "cache"))
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", *tex.sphinx_latex_args()],
                          cwd=site, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    proc = subprocess.run(tex.latexmk_command(), cwd=site, capture_output=True, text=True,
                          timeout=900)
    log = site / "_build/latex" / f"{tex.TEX_NAME}.log"
    assert proc.returncode == 0, proc.stdout[-3000:] + (
        log.read_text(errors="replace")[-3000:] if log.is_file() else "")
    return site / "_build/latex" / f"{tex.TEX_NAME}.pdf"


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")]


def test_every_tutorial_title_in_course_order(book: Path):
    pages = _pages(book)
    text = " ".join(pages)
    position = 0
    for tutorial in layout.tutorial_files(ROOT / layout.TUTORIALS_DIRNAME):
        title = " ".join(_title(tutorial).split())
        found = text.find(title, position)
        assert found >= 0, f"{tutorial.name}: title {title!r} not found after the previous one"
        position = found + len(title)
    n = len(layout.tutorial_files(ROOT / layout.TUTORIALS_DIRNAME))
    assert 3 * n <= len(pages) <= 60 * n, f"{len(pages)} pages for {n} tutorials"
    for part in ("Notation", "Glossary", "handson.train"):
        assert part in text, f"{part!r} is not in the book"


def test_math_is_typeset(book: Path):
    """No LaTeX source in the prose. Code may hold some: matplotlib's labels are
    strings with ``$...$`` in them, and typeset prose never shows a dollar sign."""
    text = subprocess.run(["pdftotext", str(book), "-"], capture_output=True, text=True,
                          check=True).stdout
    prose = [line for line in text.splitlines() if "$" not in line]
    for raw in (r"\frac", r"\sum", r"\mathbf", r"\("):
        hits = [line for line in prose if raw in line]
        assert not hits, f"raw LaTeX {raw!r} in the PDF's text: {hits[:3]}"


def test_every_figure_of_one_tutorial_is_embedded(book: Path, site: Path):
    """Each figure of the chosen page is placed in the LaTeX source, and the PDF holds
    (at least) as many images as the source places."""
    figures = sorted((site / layout.GALLERY_DIRNAME).rglob(f"sphx_glr_{FIGURE_PAGE}_0*.png"))
    assert figures, f"{FIGURE_PAGE} has no figures in the build"
    source = (book.parent / f"{tex.TEX_NAME}.tex").read_text(encoding="utf-8")
    for figure in figures:
        assert figure.stem in source, f"{figure.name} is not in the book"
    placed = len(re.findall(r"\\sphinxincludegraphics", source))
    listing = subprocess.run(["pdfimages", "-list", str(book)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    images = [row for row in listing if row.split()[2] == "image"]
    assert len(images) >= placed > 0, f"{placed} figures placed, {len(images)} embedded"


def _verbatim_lines(tex_source: list[str]) -> set[int]:
    inside, lines = False, set()
    for number, line in enumerate(tex_source, start=1):
        if line.startswith(r"\begin{sphinxVerbatim}"):
            inside = True
        elif line.startswith(r"\end{sphinxVerbatim}"):
            inside = False
        elif inside:
            lines.add(number)
    return lines


def test_no_code_line_runs_off_the_page(book: Path):
    latex = book.parent
    source = (latex / f"{tex.TEX_NAME}.tex").read_text(encoding="utf-8").splitlines()
    verbatim = _verbatim_lines(source)
    log = (latex / f"{tex.TEX_NAME}.log").read_text(errors="replace")
    too_wide = []
    for pt, start, end in re.findall(
            r"Overfull \\hbox \(([\d.]+)pt too wide\) in paragraph at lines (\d+)--(\d+)", log):
        lines = set(range(int(start), int(end) + 1))
        if lines & verbatim and float(pt) > OVERFULL_LIMIT_PT:
            too_wide.append(f"{pt}pt at line {start}: {source[int(start) - 1][:80]}")
    assert not too_wide, "code runs off the page:\n" + "\n".join(too_wide[:10])


def test_dropdowns_appear_expanded_with_their_label(book: Path):
    assert "(expanded)" in " ".join(_pages(book))


def test_missing_tex_is_explained(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    message = tex.missing_tex_message()
    assert "xelatex and latexmk not found" in message
    assert "apt-get install texlive-xetex" in message and "nox -s pdf" in message
