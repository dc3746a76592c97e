"""Sphinx extension: make the downloadable notebooks read well in Jupyter.

sphinx-gallery turns a tutorial's rST text into Markdown cells, but leaves directives it
does not know (sphinx-design grids and dropdowns, admonitions) and Sphinx roles as raw
rST, which Jupyter shows verbatim. After the gallery is generated, this extension
rewrites the Markdown cells of every notebook:

* ``.. dropdown:: Title`` becomes a ``<details>`` block that opens on click;
* ``.. note::``, ``.. warning::`` and friends become quoted "**Note**" blocks;
* ``.. grid-item-card:: Title`` becomes a bold heading, the grid itself disappears;
* ``:func:`torch.x```, ``:doc:`text <page>```, ``:term:`x``` become plain Markdown;
* ````literal```` becomes ```literal```.

The conversion is idempotent, so notebooks that sphinx-gallery did not regenerate are
left as they are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import layout
from sphinx.application import Sphinx

ADMONITIONS = {"note": "Note", "warning": "Warning", "tip": "Tip", "important": "Important",
               "hint": "Hint", "caution": "Caution", "seealso": "See also"}
_DIRECTIVE = re.compile(r"^(?P<indent> *)\.\. (?P<name>[\w-]+)::\s*(?P<arg>.*)$")
_OPTION = re.compile(r"^ *:[\w-]+:( .*)?$")


def _block(lines: list[str], start: int, indent: int) -> int:
    """Index just past the indented body of the directive that starts at ``start``."""
    end = start + 1
    while end < len(lines) and (not lines[end].strip()
                                or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _dedent(body: list[str]) -> list[str]:
    widths = [len(ln) - len(ln.lstrip()) for ln in body if ln.strip()]
    cut = min(widths, default=0)
    return [ln[cut:] for ln in body]


def convert_directives(text: str) -> str:
    """Rewrite the rST directives of one Markdown cell (recursively for nesting)."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent, name, arg = len(m["indent"]), m["name"], m["arg"].strip()
        end = _block(lines, i, indent)
        body = [ln for ln in lines[i + 1 : end] if not _OPTION.match(ln)]
        inner = convert_directives("\n".join(_dedent(body))).strip("\n")
        pad = " " * indent
        if name == "dropdown":
            out += [f"{pad}<details><summary>{arg}</summary>", "", inner, "", f"{pad}</details>"]
        elif name in ADMONITIONS:
            title = ADMONITIONS[name]
            quoted = [f"> {ln}" if ln.strip() else ">" for ln in inner.split("\n")]
            out += [f"> **{title}**" + (f": {arg}" if arg else ""), ">", *quoted]
        elif name in {"grid-item-card", "card"}:
            out += [f"**{arg}**", "", inner]
        elif name in {"grid", "grid-item", "container", "rst-class"}:
            out += [inner]
        else:  # an unknown directive: keep its content, drop the markup
            out += [inner]
        i = end
    return "\n".join(out)


_ROLE_WITH_TITLE = re.compile(
    r":(?:doc|ref|term|func|class|meth|mod|obj|data|attr):`([^`<]+?)\s*<[^>]+>`")
_ROLE = re.compile(r":(?:func|class|meth|mod|obj|data|attr|exc):`~?([^`]+)`")
_PLAIN_ROLE = re.compile(r":(?:doc|ref|term|math):`([^`]+)`")


def convert_roles(text: str) -> str:
    """Turn Sphinx roles and rST literals into Markdown."""
    text = _ROLE_WITH_TITLE.sub(r"\1", text)
    text = _ROLE.sub(r"`\1`", text)
    text = _PLAIN_ROLE.sub(lambda m: m[1].rsplit("/", 1)[-1].replace("_", " "), text)
    return re.sub(r"(?<!`)``([^`\n]+)``(?!`)", r"`\1`", text)


def convert_notebook(path: Path) -> bool:
    """Rewrite one notebook in place; return whether it changed."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        new = convert_roles(convert_directives(source))
        if new != source:
            cell["source"] = new
            changed = True
    if changed:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


def convert_all(app: Sphinx) -> None:
    for path in sorted(Path(app.srcdir, layout.GALLERY_DIRNAME).rglob("*.ipynb")):
        convert_notebook(path)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", convert_all, priority=850)  # before the chapter zips
    return {"parallel_read_safe": True, "parallel_write_safe": True}
