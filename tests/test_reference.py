"""The reference section and the links between code, tutorials and API docs.

Checked on the quick-mode site build (the ``site`` fixture in ``conftest.py``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from layout import GALLERY_DIRNAME as GALLERY
from layout import tutorial_files

import handson
import handson.data

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow
TORCH_DOCS = "https://docs.pytorch.org/docs/stable/"


def _html(site: Path, rel: str) -> str:
    return (site / "_build" / "html" / rel).read_text(encoding="utf-8")


def test_torch_nn_linear_in_code_links_to_pytorch_docs(site: Path):
    page = _html(site, f"{GALLERY}/01_getting_started/01_fit_a_line.html")
    assert f'href="{TORCH_DOCS}generated/torch.nn.Linear.html#torch.nn.Linear"' in page


def test_handson_function_in_code_links_to_its_reference_page(site: Path):
    page = _html(site, f"{GALLERY}/03_linear_regression/01_california_housing.html")
    assert 'href="../../reference/generated/handson.data.load_california_housing.html' in page


def test_reference_page_lists_the_tutorials_using_it(site: Path):
    page = _html(site, "reference/generated/handson.data.load_california_housing.html")
    assert "Tutorials using" in page
    assert f"{GALLERY}/03_linear_regression/01_california_housing.html" in page


def test_every_public_handson_object_has_a_reference_page(site: Path):
    for package in (handson, handson.data):
        for name in package.__all__:
            if name.isupper():
                assert f'id="{package.__name__}.{name}"' in _html(
                    site, f"reference/generated/{package.__name__}.html")
                continue
            page = site / "_build/html/reference/generated" / f"{package.__name__}.{name}.html"
            assert page.is_file(), f"no reference page for {package.__name__}.{name}"


def test_every_handson_module_is_in_the_reference_index():
    index = (ROOT / "reference" / "index.rst").read_text()
    for mod in pkgutil.walk_packages(handson.__path__, "handson."):
        if not mod.name.endswith("__main__"):
            assert re.search(rf"^\s+{re.escape(mod.name)}$", index, re.M), mod.name


def test_public_functions_have_examples_and_name_their_tutorial():
    for name in handson.__all__:
        obj = getattr(handson, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        doc = inspect.getdoc(obj) or ""
        assert "Examples" in doc or inspect.isclass(obj) and obj.__name__ == "History", name
        if name not in {"History", "check", "epochs", "shrink", "is_quick"}:
            assert f":doc:`/{GALLERY}/" in doc, f"handson.{name} names no tutorial"


# --------------------------------------------------------------------------- torch index
def _dotted(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _resolve(dotted: str):
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


def torch_objects_in(path: Path) -> set[str]:
    """Public names of the torch functions and classes a tutorial's code refers to."""
    tree = ast.parse(path.read_text())
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "torch":
                    aliases[a.asname or "torch"] = a.name if a.asname else "torch"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("torch"):
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    found: set[str] = set()
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Attribute, ast.Name)) or id(node) in inner:
            continue
        chain = _dotted(node)
        if not chain or chain[0] not in aliases:
            continue
        # the longest prefix of the chain that is a torch function or class; a dunder
        # (``torch.ones.__doc__``) leaves the API, so the chain is cut there
        full = [*aliases[chain[0]].split("."), *chain[1:]]
        full = full[: next((i for i, part in enumerate(full) if part.startswith("__")),
                           len(full))]
        for end in range(len(full), 1, -1):
            name = ".".join(full[:end])
            obj = _resolve(name)
            if obj is not None and (inspect.isclass(obj) or callable(obj)) \
                    and not inspect.ismodule(obj):
                found.add(name)
                break
    return found


def test_pytorch_api_index_lists_every_torch_object_the_tutorials_use(site: Path):
    index = (site / "reference" / "pytorch_api.rst").read_text()
    listed = set(re.findall(r":py:obj:`([\w.]+)`", index))
    used = set().union(*(torch_objects_in(p) for p in tutorial_files()))
    # private objects (``torch._dynamo.explain``) and operator overloads
    # (``torch.ops.aten.add.Tensor``) have no page in PyTorch's API documentation
    used = {name for name in used
            if "._" not in name and not name.startswith("torch.ops.")}
    assert len(used) > 20, "the scan found suspiciously few torch objects"
    # an object may be imported from where it is defined and listed where it is
    # exported (torch.nn.parameter.X is torch.nn.X): compare the objects themselves
    listed_ids = {id(_resolve(name)) for name in listed}
    missing = sorted(name for name in used
                     if name not in listed and id(_resolve(name)) not in listed_ids)
    assert not missing, f"used in tutorials but not in the PyTorch API index: {missing}"
    page = _html(site, "reference/pytorch_api.html")
    assert f'href="{TORCH_DOCS}generated/torch.nn.Linear.html#torch.nn.Linear"' in page
    assert f"{GALLERY}/01_getting_started/01_fit_a_line.html" in page


def test_prose_uses_roles_not_raw_api_urls():
    for path in tutorial_files():
        comments = "\n".join(ln for ln in path.read_text().splitlines()
                             if ln.lstrip().startswith("#"))
        # a link to the documentation's home page is fine; API entries take roles
        raw = re.findall(r"https?://(?:docs\.)?pytorch\.org/docs/\S*(?:generated/|#torch)\S*",
                         comments)
        assert not raw, f"{path.name}: use :func:/:class: roles instead of {raw}"
