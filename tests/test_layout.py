"""sphinx-gallery's output layout, as ``reference/_ext/layout.py`` describes it.

After an upgrade of sphinx-gallery, this is the test that says whether the files the
build reads (md5, timings, code objects) are still where and what they were.
"""

from __future__ import annotations

import json
from pathlib import Path

import layout
import pytest
from conftest import ROOT


def test_layout_names_every_output_kind():
    src = layout.tutorial_files()[0]
    assert layout.output(src, "md5").name == src.name + ".md5"
    assert layout.output(src, "cost").name == src.stem + ".cost.json"
    page = layout.output(src, "rst")
    assert layout.sibling(page, "results") == layout.output(src, "results")
    with pytest.raises(ValueError, match="unknown output kind"):
        layout.output(src, "png")


@pytest.mark.slow
def test_the_gallery_writes_what_layout_says(site: Path):
    from sphinx_gallery.utils import get_md5sum

    gallery = site / layout.GALLERY_DIRNAME
    for src in layout.tutorial_files():
        out = {kind: layout.output(src, kind, gallery, ROOT / layout.TUTORIALS_DIRNAME)
               for kind in ("md5", "rst", "ipynb", "codeobj", "cost", "results", "run",
                            "deps")}
        missing = [k for k, p in out.items() if not p.is_file()]
        assert not missing, f"{src.name}: no {missing} where layout.py expects them"
        assert out["md5"].read_text().strip() == get_md5sum(src, mode="t")
        assert json.loads(out["cost"].read_text())["time"] > 0
        assert isinstance(json.loads(out["codeobj"].read_text()), dict)
        assert layout.DOCNAME.match(out["rst"].relative_to(site).with_suffix("").as_posix())
