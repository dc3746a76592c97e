"""sphinx-gallery settings for Hands-On Deep Learning, and the hooks around them.

Imported by ``conf.py``. Three things live here:

* ``sphinx_gallery_conf``: how ``tutorials/`` becomes ``auto_tutorials/``;
* :func:`reset_torch`: run before every tutorial so each page starts from the same
  seeds, thread count and empty matplotlib state, whatever ran before it;
* :func:`make_chapter_zips` and :func:`check_all_executed`: a zip of scripts and
  notebooks per chapter, and a build failure when a tutorial was silently not run.
"""

from __future__ import annotations

import gc
import os
import random
import re
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TUTORIALS = ROOT / "tutorials"
GENERATED = ROOT / "auto_tutorials"

#: Tutorials are the numbered files ``NN_topic.py``; anything else (helpers) is not run.
TUTORIAL_PATTERN = r"[/\\]\d\d_[^/\\]+\.py$"
SEED = 0


def gallery_workers() -> int:
    """Tutorials run at once: ``HANDSON_GALLERY_PARALLEL`` (default 1, one at a time)."""
    return max(1, int(os.environ.get("HANDSON_GALLERY_PARALLEL", "1") or 1))


def num_threads() -> int:
    """Threads per tutorial: ``HANDSON_NUM_THREADS``, else the cores shared by the workers.

    With two tutorials running at once on two cores, each gets one thread; letting both
    use two would oversubscribe the CPU and make both slower.
    """
    env = os.environ.get("HANDSON_NUM_THREADS", "").strip()
    if env:
        return int(env)
    return max(1, (os.cpu_count() or 1) // gallery_workers())


def reset_torch(gallery_conf: dict, fname: str) -> None:
    """Seed torch, NumPy and ``random``, set the thread count, and free memory.

    Runs before each tutorial (sphinx-gallery's ``reset_modules``). Each tutorial also
    seeds itself so that a downloaded script reproduces the page; this hook makes the
    build independent of the order pages run in, and keeps memory from piling up.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import torch

    plt.close("all")
    gc.collect()
    _route_results(fname)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(num_threads())


def _route_results(fname: str) -> None:
    """Point ``handson.check`` at ``auto_tutorials/<chapter>/<tutorial>.results.jsonl``.

    The results page (``reference/_ext/results.py``) reads these files; a tutorial
    that is not re-run keeps the file of its last run, like its output.
    """
    matches = [p for p in tutorial_files() if p.name == Path(fname).name]
    if len(matches) != 1:
        os.environ.pop("HANDSON_RESULTS_FILE", None)
        return
    target = GENERATED / matches[0].relative_to(TUTORIALS).with_suffix(".results.jsonl")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("")
    os.environ["HANDSON_RESULTS_FILE"] = str(target)


def tutorial_files() -> list[Path]:
    """Every tutorial source file, in build order."""
    return sorted(p for p in TUTORIALS.rglob("*.py") if re.search(TUTORIAL_PATTERN, str(p)))


def first_notebook_cell(repository_url: str = "") -> str:
    """The first cell of every downloadable notebook: install what is missing.

    Harmless where everything is installed already. ``handson`` is installed from the
    course's repository when ``conf.py`` names one; otherwise the cell says how to get it.
    """
    handson = (f'"handson": "handson @ git+{repository_url.rstrip("/")}",'
               if repository_url else "")
    return f"""\
# Run this cell first in Colab or a fresh environment: it installs what this notebook
# imports (PyTorch, matplotlib, pandas and the course's helper package handson) if missing.
import importlib.util, subprocess, sys
_needed = {{"torch": "torch", "matplotlib": "matplotlib", "pandas": "pandas", {handson}}}
_missing = [pip for mod, pip in _needed.items() if importlib.util.find_spec(mod) is None]
if _missing:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *_missing])
if importlib.util.find_spec("handson") is None:
    raise ModuleNotFoundError("handson is missing: clone the course repository and run "
                              "`pip install -e .` in it, then restart the kernel.")
%matplotlib inline"""


sphinx_gallery_conf = {
    "examples_dirs": ["tutorials"],
    "gallery_dirs": ["auto_tutorials"],
    "filename_pattern": TUTORIAL_PATTERN,
    "ignore_pattern": r"__init__\.py|[/\\]_[^/\\]+\.py$",
    "within_subsection_order": "FileNameSortKey",
    "nested_sections": True,
    "reset_modules": ("matplotlib", "gallery_conf.reset_torch"),
    "reset_modules_order": "before",
    "download_all_examples": True,
    "remove_config_comments": True,
    "write_computation_times": True,
    "min_reported_time": 0,
    "doc_module": ("handson",),
    "backreferences_dir": "reference/backreferences",
    "capture_repr": ("_repr_html_", "__repr__"),
    # a cell ending in torch.manual_seed(0) would show "<torch._C.Generator object at
    # 0x...>"; never show a generator's repr (tests/test_site_build.py checks the pages)
    "ignore_repr_types": r"torch\._C\.Generator",
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "show_signature": False,
    "default_thumb_file": None,
    "matplotlib_animations": False,
    "first_notebook_cell": first_notebook_cell(),
    "parallel": gallery_workers(),
}


def make_chapter_zips(app) -> None:
    """Write ``<chapter>_python.zip`` and ``<chapter>_jupyter.zip`` in each chapter.

    sphinx-gallery zips the whole gallery only; a reader who wants one chapter gets
    these, linked from the chapter's ``GALLERY_HEADER.rst``. Runs after the gallery
    is generated (``builder-inited``, late priority), before Sphinx reads the pages.
    """
    for chapter in sorted(p for p in GENERATED.iterdir() if p.is_dir()) if GENERATED.is_dir() else []:
        for kind, suffix in (("python", ".py"), ("jupyter", ".ipynb")):
            files = sorted(chapter.glob(f"*{suffix}"))
            target = chapter / f"{chapter.name}_{kind}.zip"
            tmp = target.with_suffix(".zip.part")
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in files:
                    zf.write(f, f"{chapter.name}/{f.name}")
            os.replace(tmp, target)


def check_all_executed(app, exception) -> None:
    """Fail the build if a tutorial the build was meant to run has no current output.

    sphinx-gallery writes ``<tutorial>.py.md5`` only after a tutorial ran to the end,
    and ``<tutorial>.cost.json`` with its run time. A tutorial whose md5 is missing or
    stale, or whose time is missing, was not executed (``plot_gallery=0``, a skipped
    pattern, an interrupted build), and its page would show code without output.
    """
    if exception is not None or app.builder.name not in {"html", "dirhtml"}:
        return
    import json

    from sphinx.errors import ExtensionError
    from sphinx_gallery.utils import get_md5sum

    conf = app.config.sphinx_gallery_conf
    pattern = conf.get("filename_pattern", TUTORIAL_PATTERN)
    problems = []
    for src in tutorial_files():
        if not re.search(pattern, str(src)):
            continue  # `nox -s docs -- <pattern>` rebuilds only the matching pages
        target = GENERATED / src.relative_to(TUTORIALS)
        md5 = target.with_name(target.name + ".md5")
        cost = target.with_name(target.stem + ".cost.json")
        rel = src.relative_to(ROOT)
        if not md5.is_file() or md5.read_text().strip() != get_md5sum(src, mode="t"):
            problems.append(f"{rel}: not executed for its current source")
        elif not cost.is_file() or json.loads(cost.read_text()).get("time", 0) <= 0:
            problems.append(f"{rel}: no recorded run time")
    if problems:
        raise ExtensionError(
            "tutorials without executed output:\n  " + "\n  ".join(problems)
        )


def setup(app) -> None:
    """Connect the hooks (called from ``conf.py``'s ``setup``)."""
    app.connect("builder-inited", make_chapter_zips, priority=900)
    app.connect("build-finished", check_all_executed)
