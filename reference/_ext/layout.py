"""Where things are: the tutorials, and sphinx-gallery's output for each of them.

Every part of the build that reads what sphinx-gallery wrote goes through this module,
so an upgrade of sphinx-gallery is checked here, in one file (its tests are in
``tests/test_layout.py``). For a tutorial ``tutorials/<chapter>/<NN_topic>.py`` the
gallery (sphinx-gallery 0.22) writes, under ``auto_tutorials/<chapter>/``:

==========================  ===========================================================
``NN_topic.py``             a copy of the source
``NN_topic.py.md5``         the md5 of the source, written after a successful run; a
                            page is re-run when it is missing or differs
``NN_topic.rst``            the page, with the captured output
``NN_topic.ipynb``          the notebook
``NN_topic.codeobj.json``   the names the code uses (the API index reads them)
``NN_topic.cost.json``      ``{"time": seconds, ...}`` of the last run
``images/thumb/...png``     the thumbnail
==========================  ===========================================================

and, of ours, written while the page runs:

==========================  ===========================================================
``NN_topic.results.jsonl``  one line per ``handson.check``
``NN_topic.run.json``       when, where and with which torch the page last ran
``NN_topic.deps``           the digest of everything else the output depends on
==========================  ===========================================================
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS_DIRNAME = "tutorials"
GALLERY_DIRNAME = "auto_tutorials"
TUTORIALS = ROOT / TUTORIALS_DIRNAME
GALLERY = ROOT / GALLERY_DIRNAME

#: Tutorials are the numbered files ``NN_topic.py``; anything else (helpers) is not run.
TUTORIAL_PATTERN = r"[/\\]\d\d_[^/\\]+\.py$"
#: A built tutorial page's docname, e.g. ``auto_tutorials/01_getting_started/01_fit_a_line``.
DOCNAME = re.compile(rf"^{GALLERY_DIRNAME}/(?P<chapter>\d\d_[^/]+)/(?P<stem>\d\d_[^/]+)$")


def tutorial_files(tutorials: Path = TUTORIALS) -> list[Path]:
    """Every tutorial source file, in build order."""
    return sorted(p for p in tutorials.rglob("*.py") if re.search(TUTORIAL_PATTERN, str(p)))


def generated(src: Path, gallery: Path = GALLERY, tutorials: Path = TUTORIALS) -> Path:
    """The gallery's copy of tutorial ``src`` (``auto_tutorials/<chapter>/NN_topic.py``)."""
    return gallery / Path(src).resolve().relative_to(tutorials.resolve())


def output(src: Path, kind: str, gallery: Path = GALLERY, tutorials: Path = TUTORIALS) -> Path:
    """The file of one ``kind`` that the build writes for tutorial ``src``.

    ``kind`` is one of ``md5 rst ipynb codeobj cost results run deps`` (see above).
    """
    target = generated(src, gallery, tutorials)
    suffixes = {"md5": ".py.md5", "rst": ".rst", "ipynb": ".ipynb",
                "codeobj": ".codeobj.json", "cost": ".cost.json",
                "results": ".results.jsonl", "run": ".run.json", "deps": ".deps"}
    if kind not in suffixes:
        raise ValueError(f"unknown output kind {kind!r}; one of {sorted(suffixes)}")
    return target.with_name(target.stem + suffixes[kind])


def pages(gallery: Path = GALLERY) -> list[Path]:
    """The generated ``NN_topic.rst`` of every tutorial, chapter by chapter."""
    return sorted(gallery.glob("*/[0-9][0-9]_*.rst"))


def chapters(gallery: Path = GALLERY) -> list[Path]:
    """The generated chapter folders."""
    return sorted(p for p in gallery.iterdir() if p.is_dir()) if gallery.is_dir() else []


def sibling(page: Path, kind: str) -> Path:
    """For a generated page ``NN_topic.rst``, its file of ``kind`` (as in :func:`output`)."""
    return output(page.with_suffix(".py"), kind, page.parents[1], page.parents[1])
