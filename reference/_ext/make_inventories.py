"""Write Sphinx inventories (``objects.inv``) for torch, NumPy and matplotlib, offline.

No build machine of this project can reach the internet, so intersphinx cannot
download the inventories of the projects the tutorials use. Python's and pandas'
come from Debian's documentation packages (``python3.11-doc``, ``python-pandas-doc``)
and are copied as they are. For the others this script walks the *installed* package
and writes one entry per public object with the URL pattern of its documentation site.

Run it after upgrading torch, NumPy or matplotlib, and commit the result:

    python reference/_ext/make_inventories.py
"""

from __future__ import annotations

import importlib
import inspect
import zlib
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "inventories"

Entry = tuple[str, str, str]  # (name, "py:role", uri relative to the site)


def _public(obj: object) -> Iterator[tuple[str, object]]:
    for name in sorted(dir(obj)):
        if name.startswith("_"):
            continue
        try:
            yield name, getattr(obj, name)
        except Exception:  # noqa: BLE001 - some attributes raise on access
            continue


def _role(obj: object) -> str | None:
    if inspect.isclass(obj):
        return "py:exception" if issubclass(obj, BaseException) else "py:class"
    if callable(obj):
        return "py:function"
    return None


def _methods(cls: type) -> Iterator[tuple[str, str]]:
    for name, member in _public(cls):
        if isinstance(inspect.getattr_static(cls, name, None), property):
            yield name, "py:attribute"
        elif callable(member):
            yield name, "py:method"


# --------------------------------------------------------------------------- torch
TORCH_GENERATED = [
    "torch", "torch.nn", "torch.nn.functional", "torch.optim", "torch.optim.lr_scheduler",
    "torch.linalg", "torch.cuda", "torch.autograd", "torch.autograd.functional",
    "torch.fft", "torch.nn.utils", "torch.nn.parameter", "torch.func", "torch.backends.cudnn",
    "torch.jit", "torch.utils.flop_counter",
]
TORCH_PAGES = {  # namespaces documented on one page each
    "torch.nn.init": "nn.init.html",
    "torch.testing": "testing.html",
    "torch.utils.data": "data.html",
    "torch.special": "special.html",
    "torch.distributions": "distributions.html",
    "torch.random": "random.html",
    "torch.profiler": "profiler.html",
    "torch.distributed": "distributed.html",
    "torch.backends.cpu": "backends.html",
}


def torch_entries() -> Iterator[Entry]:
    import torch

    for ns in TORCH_GENERATED:
        mod = importlib.import_module(ns)
        yield ns, "py:module", f"{ns.replace('torch.', '', 1) if ns != 'torch' else 'torch'}.html"
        for name, obj in _public(mod):
            full = f"{ns}.{name}"
            if isinstance(obj, torch.dtype):
                yield full, "py:data", "tensor_attributes.html#torch.dtype"
                continue
            role = _role(obj)
            if role is None or inspect.ismodule(obj):
                continue
            if full == "torch.Tensor":
                yield full, role, "tensors.html#torch.Tensor"
                for m, mrole in _methods(torch.Tensor):
                    yield (f"torch.Tensor.{m}", mrole,
                           f"generated/torch.Tensor.{m}.html#torch.Tensor.{m}")
                continue
            if full in {"torch.device", "torch.dtype", "torch.layout"}:
                yield full, role, f"tensor_attributes.html#{full}"
                continue
            yield full, role, f"generated/{full}.html#{full}"
            if role == "py:class":
                for m, mrole in _methods(obj):
                    if full == "torch.optim.Optimizer":
                        uri = f"generated/{full}.{m}.html#{full}.{m}"
                    else:
                        uri = f"generated/{full}.html#{full}.{m}"
                    yield f"{full}.{m}", mrole, uri
    for ns, page in TORCH_PAGES.items():
        mod = importlib.import_module(ns)
        yield ns, "py:module", f"{page}#module-{ns}"
        for name, obj in _public(mod):
            role = _role(obj)
            if role is None or inspect.ismodule(obj):
                continue
            # the distributions page names classes by their defining module
            anchor = f"{obj.__module__}.{obj.__qualname__}" if ns == "torch.distributions" \
                and hasattr(obj, "__qualname__") else f"{ns}.{name}"
            yield f"{ns}.{name}", role, f"{page}#{anchor}"
            if role == "py:class":
                for m, mrole in _methods(obj):
                    yield f"{ns}.{name}.{m}", mrole, f"{page}#{anchor}.{m}"


# --------------------------------------------------------------------------- numpy
def numpy_entries() -> Iterator[Entry]:
    import numpy as np

    for ns, prefix in [("numpy", "generated/"), ("numpy.linalg", "generated/"),
                       ("numpy.random", "random/generated/"), ("numpy.testing", "generated/")]:
        mod = importlib.import_module(ns)
        for name, obj in _public(mod):
            role = _role(obj)
            if role is None or inspect.ismodule(obj):
                continue
            full = f"{ns}.{name}"
            yield full, role, f"{prefix}{full}.html#{full}"
    for cls, prefix in [("ndarray", "generated/"), ("random.Generator", "random/generated/")]:
        obj = np.ndarray if cls == "ndarray" else np.random.Generator
        for m, mrole in _methods(obj):
            full = f"numpy.{cls}.{m}"
            yield full, mrole, f"{prefix}{full}.html#{full}"


# --------------------------------------------------------------------------- matplotlib
def matplotlib_entries() -> Iterator[Entry]:
    import matplotlib.axes
    import matplotlib.figure
    import matplotlib.pyplot as plt

    for name, obj in _public(plt):
        role = _role(obj)
        if role == "py:function":
            full = f"matplotlib.pyplot.{name}"
            yield full, role, f"_as_gen/{full}.html#{full}"
    yield ("matplotlib.axes.Axes", "py:class",
           "_as_gen/matplotlib.axes.Axes.html#matplotlib.axes.Axes")
    for m, mrole in _methods(matplotlib.axes.Axes):
        full = f"matplotlib.axes.Axes.{m}"
        yield full, mrole, f"_as_gen/{full}.html#{full}"
    for cls in ("Figure", "SubFigure"):
        full = f"matplotlib.figure.{cls}"
        yield full, "py:class", f"figure_api.html#{full}"
        for m, mrole in _methods(getattr(matplotlib.figure, cls)):
            yield f"{full}.{m}", mrole, f"figure_api.html#{full}.{m}"
    for ns in ("matplotlib.patches", "matplotlib.colors", "matplotlib.lines", "matplotlib.cm"):
        mod = importlib.import_module(ns)
        for name, obj in _public(mod):
            if inspect.isclass(obj) and obj.__module__.startswith(ns):
                yield f"{ns}.{name}", "py:class", f"_as_gen/{ns}.{name}.html#{ns}.{name}"


# --------------------------------------------------------------------------- writing
def _with_canonical_names(entries: Iterator[Entry]) -> Iterator[Entry]:
    """Also list each class under the module that defines it.

    Type hints name a class by where it is defined (``torch.nn.modules.module.Module``),
    the documentation by where it is exported (``torch.nn.Module``); both must resolve.
    """
    for name, role, uri in entries:
        yield name, role, uri
        if role in {"py:class", "py:exception"}:
            obj = _resolve(name)
            canonical = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"
            if obj is not None and canonical != name and "<" not in canonical:
                yield canonical, role, uri


def _resolve(name: str):
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


def write(path: Path, project: str, version: str, entries: Iterator[Entry]) -> int:
    """Write a version-2 Sphinx inventory; return the number of entries."""
    seen: dict[tuple[str, str], str] = {}
    for name, role, uri in _with_canonical_names(entries):
        seen.setdefault((name, role), uri)
    lines = [
        f"{name} {role} 1 {uri[: -len(name)] + '$' if uri.endswith('#' + name) else uri} -"
        for (name, role), uri in sorted(seen.items())
    ]
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    path.write_bytes(header.encode() + zlib.compress("\n".join(lines).encode() + b"\n", 9))
    return len(lines)


def main() -> None:
    import matplotlib
    import numpy
    import torch

    HERE.mkdir(exist_ok=True)
    for fname, project, version, entries in [
        ("torch.inv", "PyTorch", torch.__version__.split("+")[0], torch_entries()),
        ("numpy.inv", "NumPy", numpy.__version__, numpy_entries()),
        ("matplotlib.inv", "Matplotlib", matplotlib.__version__, matplotlib_entries()),
    ]:
        n = write(HERE / fname, project, version, entries)
        print(f"{fname}: {n} objects")


if __name__ == "__main__":
    main()
