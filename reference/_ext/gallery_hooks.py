"""The hooks around sphinx-gallery: what runs before each tutorial and after the gallery.

* :func:`reset_torch`: before every tutorial, the same seeds, thread count and empty
  matplotlib state, whatever ran before it; it also records when, where and with which
  torch the page ran (shown under the page's title by :mod:`page_stamp`);
* :func:`make_chapter_zips`: a zip of scripts and notebooks per chapter;
* :func:`check_all_executed`: a build failure when a tutorial was silently not run;
* :func:`first_notebook_cell`: what every downloadable notebook runs first.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import random
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import layout

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
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(num_threads())
    src = _tutorial(fname)
    if src is None:
        os.environ.pop("HANDSON_RESULTS_FILE", None)
        return
    results = layout.output(src, "results")
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text("")
    os.environ["HANDSON_RESULTS_FILE"] = str(results)  # handson.check appends here
    layout.output(src, "run").write_text(json.dumps(run_info()))


def _tutorial(fname: str) -> Path | None:
    matches = [p for p in layout.tutorial_files() if p.name == Path(fname).name]
    return matches[0] if len(matches) == 1 else None


def cpu_name() -> str:
    """The processor's model name, as the operating system reports it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run_info() -> dict:
    """When, where and with what a page runs: shown on the page and the results page."""
    import torch

    import handson

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cpu": cpu_name(),
        "logical_cpus": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "gpu": gpu,
        "device": str(handson.device()),
        "quick": handson.is_quick(),
    }


def make_chapter_zips(app) -> None:
    """Write ``<chapter>_python.zip`` and ``<chapter>_jupyter.zip`` in each chapter.

    sphinx-gallery zips the whole gallery only; a reader who wants one chapter gets
    these, linked from the chapter's ``GALLERY_HEADER.rst``. Runs after the gallery
    is generated (``builder-inited``, late priority), before Sphinx reads the pages.
    """
    for chapter in layout.chapters():
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

    sphinx-gallery writes the ``.md5`` only after a tutorial ran to the end, and the
    ``.cost.json`` with its run time. A tutorial whose md5 is missing or stale, or whose
    time is missing, was not executed (``plot_gallery=0``, a skipped pattern, an
    interrupted build), and its page would show code without output.
    """
    if exception is not None or app.builder.name not in {"html", "dirhtml"}:
        return
    from sphinx.errors import ExtensionError
    from sphinx_gallery.utils import get_md5sum

    pattern = app.config.sphinx_gallery_conf.get("filename_pattern", layout.TUTORIAL_PATTERN)
    problems = []
    for src in layout.tutorial_files():
        if not re.search(pattern, str(src)):
            continue  # `nox -s docs -- <pattern>` rebuilds only the matching pages
        md5, cost = layout.output(src, "md5"), layout.output(src, "cost")
        rel = src.relative_to(layout.ROOT)
        if not md5.is_file() or md5.read_text().strip() != get_md5sum(src, mode="t"):
            problems.append(f"{rel}: not executed for its current source")
        elif not cost.is_file() or json.loads(cost.read_text()).get("time", 0) <= 0:
            problems.append(f"{rel}: no recorded run time")
    if problems:
        raise ExtensionError(
            "tutorials without executed output:\n  " + "\n  ".join(problems)
        )


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


def setup(app) -> dict:
    """Connect the hooks; the freshness check runs before sphinx-gallery (priority 500)."""
    import freshness

    app.connect("builder-inited", freshness.invalidate_changed, priority=400)
    app.connect("builder-inited", make_chapter_zips, priority=900)
    app.connect("build-finished", check_all_executed)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
