"""A page is re-run when anything its output depends on changes, and only then.

The fast tests check which ``handson`` modules each real tutorial depends on; the slow
one builds a two-page site in a copy of the repository, changes what
``handson.train`` prints, rebuilds, and looks at the pages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import freshness
import layout
import pytest
from conftest import ROOT, copy_sources


def _uses(name: str) -> set[str]:
    return freshness.used_modules(next(p for p in layout.tutorial_files() if p.stem == name))


def test_pages_depend_on_the_modules_they_call():
    assert "handson.training" in _uses("03_softmax_regression_concise")
    loaders = _uses("01_image_classification_data")
    assert {"handson.data", "handson.data.loaders", "handson.data.registry"} <= loaders
    autograd = _uses("05_autograd")  # it seeds with handson.seed, nothing else
    assert "handson.reproducibility" in autograd
    assert not {"handson.training", "handson.data.loaders"} & autograd


def test_digest_changes_with_a_used_module_only(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "handson", root / "handson",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "requirements.txt").write_text("torch==2.13.0\n")
    page = root / "page.py"
    page.write_text("import handson\nhandson.train(None)\n")
    plain = root / "plain.py"
    plain.write_text("import torch\nprint(torch.ones(1))\n")
    before = freshness.digest(page, root), freshness.digest(plain, root)
    timing = root / "handson" / "timing.py"  # imported by training.py
    timing.write_text(timing.read_text() + "\n# changed\n")
    freshness._direct_imports.cache_clear()
    assert freshness.digest(page, root) != before[0]
    assert freshness.digest(plain, root) == before[1]
    (root / "requirements.txt").write_text("torch==2.14.0\n")
    assert freshness.digest(plain, root) != before[1]
    monkeypatch.setenv("HANDSON_QUICK", "0")
    full = freshness.digest(plain, root)
    monkeypatch.setenv("HANDSON_QUICK", "1")
    assert freshness.digest(plain, root) != full  # a quick build never shows as full


TRAINS = '''\
"""
Trains
======

A page that prints what ``handson.train`` prints.
"""
import torch

import handson

handson.seed(0)
X = torch.randn(64, 2)
y = (X[:, 0] > 0).long()
net = torch.nn.Linear(2, 2)
history = handson.train(net, (X, y), None, torch.nn.CrossEntropyLoss(),
                        torch.optim.SGD(net.parameters(), lr=0.5), num_epochs=2,
                        batch_size=16, progress=False)
'''

PLAIN = '''\
"""
Plain
=====

A page that uses torch only.
"""
import torch

print("sum:", torch.ones(3).sum().item())
'''


def _mini_site(dst: Path) -> Path:
    """A copy of the build with one chapter of two pages, and its own ``handson``."""
    dst.mkdir(parents=True)
    copy_sources(dst)
    shutil.copytree(ROOT / "handson", dst / "handson",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "requirements.txt", dst / "requirements.txt")
    chapter = dst / "tutorials" / "01_getting_started"
    for other in (dst / "tutorials").iterdir():
        if other.is_dir() and other != chapter:
            shutil.rmtree(other)
    for page in chapter.glob("*.py"):
        page.unlink()
    (chapter / "01_fit_a_line.py").write_text(TRAINS)
    (chapter / "02_plain.py").write_text(PLAIN)
    return dst


def _build(src: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HANDSON_QUICK": "1", "MPLBACKEND": "Agg",
           "PYTHONPATH": str(src)}  # the copy's handson, not the installed one
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", ".",
                           "_build/html"], cwd=src, env=env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, f"build failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return proc


def _ran(src: Path) -> dict[str, float]:
    """Modification time of each page's run record (written when the page runs)."""
    return {p.stem: p.stat().st_mtime_ns for p in (src / layout.GALLERY_DIRNAME).rglob(
        "*.run.json")}


@pytest.mark.slow
def test_a_handson_change_reruns_the_pages_that_use_it(tmp_path):
    src = _mini_site(tmp_path / "site")
    _build(src)
    first = _ran(src)
    page = src / "_build/html" / layout.GALLERY_DIRNAME / "01_getting_started"
    assert "train acc" in (page / "01_fit_a_line.html").read_text()

    training = src / "handson" / "training.py"
    text = training.read_text()
    assert 'f"train acc {' in text
    training.write_text(text.replace('f"train acc {', 'f"accuracy on the training set {'))
    _build(src)
    second = _ran(src)
    html = (page / "01_fit_a_line.html").read_text()
    assert "accuracy on the training set" in html and "train acc " not in html
    assert second["01_fit_a_line.run"] != first["01_fit_a_line.run"]
    assert second["02_plain.run"] == first["02_plain.run"], "a page not using it re-ran"

    _build(src)
    assert _ran(src) == second, "a rebuild with nothing changed re-ran a page"


def test_mini_site_pages_are_valid_python():
    for code in (TRAINS, PLAIN):
        compile(textwrap.dedent(code), "<page>", "exec")
