"""Under each tutorial's title: when, on what and with which torch it was last executed.

The facts come from the ``.run.json`` that :func:`gallery_hooks.reset_torch` writes as
the page starts and the ``.cost.json`` sphinx-gallery writes when it ends, so the line
is true of the output below it: a page not re-run keeps the stamp of the run that made
its output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import layout
from sphinx.application import Sphinx

_UNDERLINE = re.compile(r"^(=+)\s*$")


def stamp_text(run: dict, seconds: float | None) -> str:
    """One sentence, e.g. 'Last executed 2026-11-30 15:02 UTC with torch 2.13.0+cpu on ...'."""
    gpu = run.get("gpu")
    where = f"{run.get('cpu', 'an unknown CPU')} ({run.get('threads', '?')} threads)"
    if gpu:
        where += f" and {gpu}"
    text = (f"Last executed {run.get('date', '?')} with torch {run.get('torch', '?')} "
            f"on {where}, device ``{run.get('device', 'cpu')}``")
    if seconds is not None:
        text += f", in {seconds:.1f} s"
    if run.get("quick"):
        text += " (quick mode: shrunk data and epochs)"
    return text + "."


def add_stamp(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: insert the stamp after the first ``====`` title underline."""
    if not layout.DOCNAME.match(docname):
        return
    page = Path(app.srcdir, docname + ".rst")
    run_file, cost_file = layout.sibling(page, "run"), layout.sibling(page, "cost")
    if not run_file.is_file():
        return
    run = json.loads(run_file.read_text())
    seconds = json.loads(cost_file.read_text()).get("time") if cost_file.is_file() else None
    lines = source[0].split("\n")
    for i in range(1, len(lines)):
        if _UNDERLINE.match(lines[i]) and lines[i - 1].strip():
            block = ["", ".. rst-class:: handson-run-stamp", "",
                     stamp_text(run, seconds), ""]
            source[0] = "\n".join(lines[: i + 1] + block + lines[i + 1:])
            return


def setup(app: Sphinx) -> dict:
    app.connect("source-read", add_stamp)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
