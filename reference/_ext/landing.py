"""Sphinx extension: the landing page's learning path and chapter cards.

Both are drawn from the tutorials folder at build time, so a new chapter appears on
the landing page by itself: a card with its title, its introduction and the thumbnail
of its first tutorial, and a box in the learning-path figure, placed after the
chapters listed as its prerequisites in :data:`PREREQUISITES`.
"""

from __future__ import annotations

import re
from pathlib import Path

import layout
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

#: Which chapters each chapter builds on (folder names). Every chapter must be listed.
PREREQUISITES: dict[str, list[str]] = {
    "01_getting_started": [],
    "02_preliminaries": ["01_getting_started"],
    "03_linear_regression": ["02_preliminaries"],
    "04_linear_classification": ["03_linear_regression"],
    "05_multilayer_perceptrons": ["04_linear_classification"],
    "06_builders_guide": ["05_multilayer_perceptrons"],
    "07_convolutional_networks": ["06_builders_guide"],
    "08_model_development": ["07_convolutional_networks"],
    "09_modern_convolutional_networks": ["08_model_development"],
    "10_optimization": ["05_multilayer_perceptrons"],
    "11_recurrent_networks": ["06_builders_guide"],
    "12_modern_recurrent_networks": ["11_recurrent_networks"],
    "13_attention_and_transformers": ["12_modern_recurrent_networks"],
    "14_computational_performance": ["10_optimization", "08_model_development"],
}


def chapters(tutorials: Path) -> list[tuple[str, str, str, str | None]]:
    """``(folder, title, introduction, first tutorial stem)`` for each chapter, in order."""
    out = []
    for folder in sorted(p for p in tutorials.iterdir() if p.is_dir() and p.name[:2].isdigit()):
        header = (folder / "GALLERY_HEADER.rst").read_text(encoding="utf-8")
        blocks = [b.strip() for b in header.split("\n\n") if b.strip()]
        title_block = next(b for b in blocks if re.search(r"\n-{3,}$", b))
        title = title_block.split("\n")[-2].strip()
        intro = blocks[blocks.index(title_block) + 1].replace("\n", " ")
        stems = sorted(p.stem for p in folder.glob("[0-9][0-9]_*.py"))
        out.append((folder.name, title, intro, stems[0] if stems else None))
    return out


def _levels(names: list[str]) -> dict[str, int]:
    level: dict[str, int] = {}
    for name in names:  # folders are in order, so prerequisites come first
        if name not in PREREQUISITES:
            raise ExtensionError(
                f"chapter {name!r} is missing from PREREQUISITES in reference/_ext/landing.py")
        level[name] = 1 + max((level[p] for p in PREREQUISITES[name] if p in level),
                              default=-1)
    return level


def draw_learning_path(info, target: Path) -> None:
    """Draw the chapters as boxes and their prerequisites as arrows (an SVG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    plt.rcParams["svg.hashsalt"] = "handson"  # same picture, same bytes: no rebuild

    names = [c[0] for c in info]
    titles = {c[0]: c[1] for c in info}
    level = _levels(names)
    rows: dict[int, list[str]] = {}
    for name in names:
        rows.setdefault(level[name], []).append(name)
    pos = {}
    for lvl, members in rows.items():
        for j, name in enumerate(members):
            pos[name] = (lvl % 4 * 3.2, -(lvl // 4) * 2.2 - j * 1.1)
    fig, ax = plt.subplots(figsize=(11, 1.2 + 2.2 * ((max(level.values()) // 4) + 1)))
    for name, (x, y) in pos.items():
        ax.add_patch(FancyBboxPatch((x, y - 0.35), 2.6, 0.7, boxstyle="round,pad=0.05",
                                    fc="#e8f0fe", ec="#3b6fd4", lw=1.5))
        ax.text(x + 1.3, y, f"{int(name[:2])}. {titles[name]}", ha="center", va="center",
                fontsize=10, wrap=True)
    for name in names:
        for pre in PREREQUISITES[name]:
            if pre in pos:
                (x0, y0), (x1, y1) = pos[pre], pos[name]
                start = (x0 + 2.65, y0) if y0 == y1 else (x0 + 1.3, y0 - 0.42)
                end = (x1 - 0.05, y1) if y0 == y1 else (x1 + 1.3, y1 + 0.42)
                ax.annotate("", xy=end, xytext=start,
                            arrowprops={"arrowstyle": "-|>", "color": "#555", "lw": 1.2})
    ax.set_xlim(-0.3, 12.6)
    ys = [y for _, y in pos.values()]
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.axis("off")
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)


def chapter_cards(info) -> str:
    lines = ["::::{grid} 1 2 2 3", ":gutter: 3", ""]
    for folder, title, intro, stem in info:
        lines += [f":::{{grid-item-card}} {int(folder[:2])}. {title}",
                  f":link: /{layout.GALLERY_DIRNAME}/{folder}/index", ":link-type: doc"]
        if stem:
            lines.append(f":img-top: /{layout.GALLERY_DIRNAME}/{folder}/images/thumb/"
                         f"sphx_glr_{stem}_thumb.png")
        lines += [intro, ":::", ""]
    lines.append("::::")
    return "\n".join(lines) + "\n"


def _write_if_changed(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != data:
        path.write_text(data, encoding="utf-8")


def build_landing(app: Sphinx) -> None:
    src = Path(app.srcdir)
    info = chapters(src / layout.TUTORIALS_DIRNAME)
    out = src / "source" / "_generated"
    _write_if_changed(out / "chapters.md", chapter_cards(info))
    svg = out / "learning_path.svg"
    tmp = out / "learning_path.svg.new"
    draw_learning_path(info, tmp)
    if svg.is_file() and svg.read_bytes() == tmp.read_bytes():
        tmp.unlink()
    else:
        tmp.replace(svg)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", build_landing, priority=970)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
