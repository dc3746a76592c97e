"""The computation-time pages without their third-party scripts.

sphinx-gallery's ``sg_execution_times`` pages load jQuery, DataTables and Bootstrap from
three CDNs to make the table sortable: offline the pages break, online they tell third
parties who reads the site. The table itself is plain reStructuredText, so this removes
the raw HTML block from the doctree when the page is read and keeps a static table,
sorted as sphinx-gallery writes it (slowest first). The results page has the same times
by chapter.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

_MARKERS = ("cdn.datatables.net", "code.jquery.com", "cdnjs.cloudflare.com")


def strip_cdn_scripts(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: drop raw HTML that loads anything from the CDNs above."""
    for node in list(doctree.findall(nodes.raw)):
        if any(marker in node.astext() for marker in _MARKERS):
            node.parent.remove(node)


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", strip_cdn_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
