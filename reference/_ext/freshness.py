"""Re-run a tutorial when anything its output depends on changed, not only its source.

sphinx-gallery re-runs a page when the page's own md5 changed. The output also depends
on the ``handson`` code the page calls, the pinned requirements, the gallery settings
that change execution (seeds, threads, what is captured) and the environment switches
(quick mode, seed offset, device). Before the gallery runs, this module computes a
digest of those inputs for every tutorial and, where it differs from the digest stored
next to the page's output, deletes the page's ``.md5`` so that sphinx-gallery runs the
page again.

Only the ``handson`` modules a page uses count for it: ``handson.train`` resolves
(through ``handson/__init__.py``) to ``handson/training.py`` and what that imports, so a
change to the training loop re-runs the pages that train, not the tensor basics. A
package's ``__init__.py`` counts as a file, but the names it re-exports count only
where they are used.
"""

from __future__ import annotations

import ast
import hashlib
import os
from functools import lru_cache
from pathlib import Path

import layout

#: Files every page's output depends on.
SHARED_FILES = ("requirements.txt", "gallery_conf.py", "reference/_ext/gallery_hooks.py")
#: Environment switches that change what a page prints.
ENV_SWITCHES = ("HANDSON_QUICK", "HANDSON_SEED_OFFSET", "HANDSON_DEVICE",
                "HANDSON_NUM_THREADS", "HANDSON_GALLERY_PARALLEL")
PACKAGE = "handson"


def _module_file(name: str, root: Path) -> Path | None:
    base = root.joinpath(*name.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _resolve(module: str | None, level: int, package: str) -> str:
    if not level:
        return module or ""
    parts = package.split(".")[: len(package.split(".")) - level + 1]
    return ".".join(parts + ([module] if module else []))


@lru_cache(maxsize=None)
def _direct_imports(name: str, root: Path) -> frozenset[str]:
    """The ``handson`` modules that module ``name`` imports itself."""
    path = _module_file(name, root)
    if path is None:
        return frozenset()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == PACKAGE}
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node.module, node.level, package)
            if base.split(".")[0] != PACKAGE:
                continue
            found.add(base)
            for a in node.names:  # a submodule, or a name a package re-exports
                full = f"{base}.{a.name}"
                found.add(full if _module_file(full, root) else
                          _exported(base, root).get(a.name, base))
    return frozenset(m for m in found if _module_file(m, root))


@lru_cache(maxsize=None)
def _exported(package: str, root: Path) -> dict[str, str]:
    """Names a package re-exports (``from handson.training import train``) -> module."""
    path = _module_file(package, root)
    names: dict[str, str] = {}
    if path is None:
        return names
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            base = _resolve(node.module, node.level, package)
            for a in node.names:
                names[a.asname or a.name] = base
    return names


def _closure(modules: set[str], root: Path) -> set[str]:
    todo, seen = list(modules), set()
    while todo:
        m = todo.pop()
        if m in seen or not _module_file(m, root):
            continue
        seen.add(m)
        if m.count("."):
            todo.append(m.rsplit(".", 1)[0])  # the packages it sits in
        if _module_file(m, root).name != "__init__.py":
            # a package's own imports only re-export names: those a page or module
            # uses were resolved to their modules already, the rest do not count
            todo += _direct_imports(m, root)
    return seen


def _target(dotted: list[str], root: Path) -> str:
    """The module that ``handson.a.b...`` refers to: the longest module prefix, or the
    module a package re-exports the next name from."""
    module = PACKAGE
    for part in dotted[1:]:
        if _module_file(f"{module}.{part}", root):
            module = f"{module}.{part}"
            continue
        return _exported(module, root).get(part, module)
    return module


def _dotted(node: ast.AST) -> list[str]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return [node.id, *reversed(parts)] if isinstance(node, ast.Name) else []


def used_modules(tutorial: Path, root: Path = layout.ROOT) -> set[str]:
    """The ``handson`` modules (with what they import) whose code ``tutorial`` runs."""
    tree = ast.parse(tutorial.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}  # local name -> handson module
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == PACKAGE:
                    aliases[a.asname or a.name.split(".")[0]] = \
                        a.name if a.asname else PACKAGE
                    used.add(a.name)
        elif isinstance(node, ast.ImportFrom) and node.module \
                and node.module.split(".")[0] == PACKAGE:
            for a in node.names:
                full = f"{node.module}.{a.name}"
                used.add(full if _module_file(full, root) else
                         _exported(node.module, root).get(a.name, node.module))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted and dotted[0] in aliases:
                real = aliases[dotted[0]].split(".") + dotted[1:]
                used.add(_target(real, root))
    return _closure(used | ({PACKAGE} if used else set()), root)


def digest(tutorial: Path, root: Path = layout.ROOT) -> str:
    """The digest of everything but the page's own source that its output depends on."""
    h = hashlib.sha256()
    files = [root / f for f in SHARED_FILES]
    files += [_module_file(m, root) for m in sorted(used_modules(tutorial, root))]
    for f in files:
        if f is not None and f.is_file():
            h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    for key in ENV_SWITCHES:
        h.update(f"{key}={os.environ.get(key, '').strip()}\n".encode())
    return h.hexdigest()


def invalidate_changed(app) -> None:
    """Delete the ``.md5`` of every page whose dependencies changed (``builder-inited``,
    before sphinx-gallery decides what to run). Pages outside ``filename_pattern``
    (``nox -s docs -- <pattern>``) keep their output and their stored digest."""
    import re

    from sphinx.util import logging

    _direct_imports.cache_clear()
    _exported.cache_clear()
    pattern = app.config.sphinx_gallery_conf.get("filename_pattern", layout.TUTORIAL_PATTERN)
    stale = []
    for src in layout.tutorial_files():
        if not re.search(pattern, str(src)):
            continue
        deps = layout.output(src, "deps")
        new = digest(src)
        if deps.is_file() and deps.read_text() == new:
            continue
        layout.output(src, "md5").unlink(missing_ok=True)
        deps.parent.mkdir(parents=True, exist_ok=True)
        deps.write_text(new)
        stale.append(src.stem)
    if stale:
        logging.getLogger(__name__).info(
            f"[freshness] {len(stale)} tutorial(s) to run for changed sources or "
            f"dependencies: {', '.join(stale)}")
