"""What the reader sees around the tutorials: landing page, results, buttons, offline."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import landing
import launch
import notebooks
import pytest
from layout import GALLERY_DIRNAME as GALLERY
from layout import tutorial_files

ROOT = Path(__file__).resolve().parents[1]


def _config(url: str = "") -> SimpleNamespace:
    return SimpleNamespace(handson_repository_url=url, handson_repository_branch="main",
                           handson_notebooks_branch="notebooks", html_theme_options={})


def test_launch_buttons_are_driven_by_the_repository_url():
    assert launch.launch_links(_config(""), "01_getting_started", "01_fit_a_line") == []
    links = dict(launch.launch_links(_config("https://github.com/org/course"),
                                     "01_getting_started", "01_fit_a_line"))
    assert links["Open in Colab"] == ("https://colab.research.google.com/github/org/course/"
                                      "blob/notebooks/01_getting_started/01_fit_a_line.ipynb")
    assert links["Launch Binder"].startswith("https://mybinder.org/v2/gh/org/course/notebooks")
    assert links["Edit this page"] == ("https://github.com/org/course/edit/main/tutorials/"
                                       "01_getting_started/01_fit_a_line.py")
    config = _config("https://github.com/org/course")
    launch.configure_theme(None, config)
    assert config.html_theme_options["use_edit_page_button"] is True


def test_every_chapter_is_on_the_learning_path():
    for chapter in sorted(p.name for p in (ROOT / "tutorials").iterdir() if p.is_dir()):
        assert chapter in landing.PREREQUISITES, f"{chapter} missing from PREREQUISITES"


def test_notebook_conversion_of_directives_and_roles():
    text = ("Intro :func:`torch.matmul` and ``x``.\n\n.. dropdown:: Why?\n\n   Because.\n\n"
            ".. note::\n\n   Careful.\n\n"
            "See :doc:`the data <../01_getting_started/01_fit_a_line>`.")
    out = notebooks.convert_roles(notebooks.convert_directives(text))
    assert "`torch.matmul`" in out and "`x`" in out and "``" not in out
    assert "<details><summary>Why?</summary>" in out and "Because." in out
    assert "> **Note**" in out and "> Careful." in out
    assert "See the data." in out
    assert notebooks.convert_roles(notebooks.convert_directives(out)) == out  # idempotent


def test_tutorial_names_are_unique():
    stems = [p.name for p in tutorial_files()]
    assert len(stems) == len(set(stems)), "two tutorials share a file name"


@pytest.mark.slow
def test_landing_page_has_path_and_a_card_per_chapter(site: Path):
    html = (site / "_build/html/index.html").read_text(encoding="utf-8")
    assert "learning_path.svg" in html
    chapters = {t.parent.name for t in tutorial_files()}
    for chapter in chapters:
        assert f"{GALLERY}/{chapter}/index.html" in html
        assert re.search(r'<img[^>]+sphx_glr_\d\d_[^"]*_thumb\.png', html)
    assert html.count("sd-card-img-top") >= len(chapters)


@pytest.mark.slow
def test_results_page_lists_every_tutorial_with_time_and_machine(site: Path):
    html = (site / "_build/html/results.html").read_text(encoding="utf-8")
    assert "torch 2." in html and "logical cores" in html and "Built on" in html
    for tutorial in tutorial_files():
        assert f"{tutorial.stem}.html" in html, f"{tutorial.name} missing from results"
    assert html.count(" s)") >= len(tutorial_files())


@pytest.mark.slow
def test_pages_are_self_contained_and_have_copy_buttons(site: Path):
    page = (site / f"_build/html/{GALLERY}/01_getting_started/01_fit_a_line.html"
            ).read_text(encoding="utf-8")
    assert "_static/mathjax/tex-chtml.js" in page
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page)
    assert "clipboard.min.js" in page and "copybutton.js" in page
    assert "handson-launch" not in page  # no repository URL set: no launch buttons
    assert "Total running time of the script" in page
