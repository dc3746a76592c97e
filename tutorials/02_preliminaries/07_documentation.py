"""
Finding documentation
=====================

No page of this course can list every function PyTorch offers, and you will soon need
one we did not show. This short page is about finding it yourself, from inside Python:
list what a module contains, read a function's documentation and its parameters with
their defaults, read a class's documentation and even its source code, and check
which version of PyTorch you are running so that you read the matching online docs.
Everything below is plain Python (``dir``, ``help``, ``inspect``), so it works for
any library, not only PyTorch.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * list the public names of a module with ``dir`` and sort them into classes,
        functions and submodules
      * read docstrings with ``help`` and ``__doc__``, and signatures with
        ``inspect.signature``
      * read a class's documentation, methods and source code
      * find your PyTorch version and the matching online documentation

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../01_getting_started/01_fit_a_line` (``nn.Linear`` and friends)
      * basic Python: modules, functions, classes
      * data: none, the page inspects the installed ``torch``
"""

# sphinx_gallery_thumbnail_number = 1

import inspect
import pydoc

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

import handson

handson.seed(0)  # nothing random below; kept for the habit

# %%
# What is in a module?
# --------------------
#
# ``dir(module)`` lists every name a module defines. Names that start with an
# underscore are private (internal helpers, or Python's own ``__doc__`` and the
# like), so we drop them. Here is what :mod:`torch.distributions` offers:


def public_names(obj):
    """The names of obj that do not start with an underscore, sorted."""
    return [name for name in dir(obj) if not name.startswith("_")]


names = public_names(torch.distributions)
print(len(names), "public names, the first 30:")
print(names[:30])
assert "Normal" in names and "Categorical" in names

# %%
# The list mixes different kinds of things. ``inspect`` tells them apart:
# capitalised names are mostly classes (the distributions, and the *transforms* that
# turn one distribution into another), lowercase names mostly the submodules in which
# the classes are defined, plus a few functions such as ``kl_divergence``.


def kind(obj):
    """Classify an object as a module, class, function or other."""
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "other"  # constants, dtypes, ...


by_kind = {}
for name in names:
    by_kind.setdefault(kind(getattr(torch.distributions, name)), []).append(name)
for k, members in sorted(by_kind.items()):
    print(f"{k:9} {len(members):3d}  e.g. {', '.join(members[:6])}")
assert "kl_divergence" in by_kind["function"] and "Normal" in by_kind["class"]

# %%
# To search rather than browse, filter the names. Everything that solves a linear
# system in :mod:`torch.linalg`:

print([name for name in public_names(torch.linalg) if "solve" in name])
assert "solve" in public_names(torch.linalg)

# %%
# How big is PyTorch? We count the public names of the modules this course uses most,
# by kind, and draw them.

modules = [torch, nn, F, torch.linalg, torch.distributions]
kinds = ["function", "class", "module", "other"]
counts = {m.__name__: {k: 0 for k in kinds} for m in modules}
for m in modules:
    for name in public_names(m):
        counts[m.__name__][kind(getattr(m, name))] += 1
for m_name, c in counts.items():
    print(f"{m_name:20} {sum(c.values()):5d} public names  {c}")
assert sum(counts["torch"].values()) > sum(counts["torch.nn"].values())

fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
left = [0] * len(modules)
labels = list(counts)
for k in kinds:
    widths = [counts[m_name][k] for m_name in labels]
    ax.barh(labels, widths, left=left, label=k)
    left = [x0 + w for x0, w in zip(left, widths)]
ax.invert_yaxis()  # first module on top
ax.set_xlabel("number of public names")
ax.set_title(f"What PyTorch {torch.__version__} offers, module by module")
ax.legend(title="kind", loc="lower right")
plt.show()

# %%
# The printed counts are far more than anyone memorises: the top-level :mod:`torch`
# alone holds hundreds of functions. Nobody learns them by heart; you learn where to
# look.
#
# Reading a function's documentation
# ----------------------------------
#
# ``help(torch.ones)`` prints the docstring of a function: what it does, its
# arguments, an example. ``help`` prints *everything*, which for some functions is
# long; it is ``pydoc.render_doc`` printed, so we render the text and show only the
# top here.

text = pydoc.render_doc(torch.ones, renderer=pydoc.plaintext)
print("\n".join(text.splitlines()[:12]))
assert "ones(*size" in text

# %%
# The same text, without pydoc's header, is the function's ``__doc__`` attribute.
# Its first line gives the *signature*: the parameters, and their defaults after
# ``=``. A bare ``*`` means that the parameters after it must be given by name
# (``torch.ones(2, 3, dtype=torch.float64)``, not positionally).

first_line = torch.ones.__doc__.strip().splitlines()[0]
print(first_line)
assert "requires_grad=False" in first_line

# %%
# ``torch.ones`` is written in C++, so the signature lives only in that docstring.
# For functions written in Python, ``inspect.signature`` returns it as an object we
# can query. :func:`torch.nn.functional.cross_entropy`, which later pages use for
# classification:

sig = inspect.signature(F.cross_entropy)
for name, param in sig.parameters.items():
    default = "(required)" if param.default is param.empty else f"= {param.default!r}"
    print(f"  {name:15} {default}")
assert sig.parameters["reduction"].default == "mean"
assert sig.parameters["label_smoothing"].default == 0.0

# %%
# So by default the loss is averaged over the batch (``reduction="mean"``), and
# ``label_smoothing`` is off. For a C++ function ``inspect.signature`` gives up:

try:
    inspect.signature(torch.ones)
except ValueError as err:
    print("ValueError:", str(err).split("<")[0])  # the rest names the C++ object
else:
    raise AssertionError("inspect.signature(torch.ones) should raise ValueError")

# %%
# Reading a class: ``nn.Linear``
# ------------------------------
#
# A class is documented the same way. ``inspect.getdoc`` returns the docstring with
# its indentation cleaned up; the signature of the class is that of its constructor.

doc = inspect.getdoc(nn.Linear)
print("\n".join(doc.splitlines()[:12]))
print("...")
sig = inspect.signature(nn.Linear)
print("nn.Linear", sig)
assert list(sig.parameters)[:3] == ["in_features", "out_features", "bias"]
assert sig.parameters["bias"].default is True

# %%
# The methods a class defines itself (not those it inherits from ``nn.Module``) are in
# ``vars(cls)``. And for code written in Python, ``inspect.getsource`` shows the code
# itself, often the clearest documentation there is: the forward pass of
# ``nn.Linear`` is one call to :func:`torch.nn.functional.linear`.

print([name for name in vars(nn.Linear) if not name.startswith("_")])
source = inspect.getsource(nn.Linear.forward)
print(source)
assert "F.linear" in source

# %%
# Which version, which docs?
# --------------------------
#
# The online documentation exists once per release, and functions gain parameters
# between releases. Read the version you run:

print("torch", torch.__version__)
print("CUDA available:", torch.cuda.is_available())
assert torch.__version__ >= (2, 0)  # a TorchVersion compares with tuples and strings

# %%
# The official documentation lives at `docs.pytorch.org
# <https://docs.pytorch.org/docs/stable/index.html>`__: the API reference of
# :mod:`torch` and its submodules (for example :mod:`torch.distributions`), with a
# version selector at the top of every page, plus the `tutorials
# <https://docs.pytorch.org/tutorials/>`__. The text there is generated from the
# same docstrings we printed above, so ``help`` and the website agree.
#
# .. note::
#
#    In a Jupyter notebook, a question mark does the work of ``help``: ``torch.ones?``
#    shows the signature and docstring (in JupyterLab and Notebook 7, right below the
#    cell, like any output), and two question marks, ``nn.Linear.forward??``, show
#    the source. These are notebook commands, not
#    Python, so they do not work in a ``.py`` script; use ``help`` and
#    ``inspect.getsource`` there. In most editors, hovering over a name shows the
#    same docstring.
#
# Summary
# -------
#
# * ``dir(module)``, without the names that start with ``_``, lists what a module
#   offers; ``inspect`` tells classes, functions and submodules apart.
# * ``help(obj)`` or ``obj.__doc__`` gives the documentation; the first docstring line
#   of a C++ function, or ``inspect.signature`` of a Python one, gives the
#   parameters and their defaults.
# * ``inspect.getsource`` shows the code of anything written in Python, such as the
#   ``forward`` of a layer.
# * Check ``torch.__version__`` and read the documentation of that version.

# %%
# Exercises
# ---------
#
# 1. Which default ``reduction`` does ``nn.MSELoss`` use, and what would
#    ``reduction="sum"`` change in the fit-a-line page?
#
#    .. dropdown:: Answer
#
#       ``inspect.signature(nn.MSELoss)`` shows ``reduction: str = 'mean'``. With
#       ``"sum"`` the loss, and so its gradient, is :math:`n` times larger, and the
#       same learning rate takes :math:`n` times larger steps; the learning rate
#       would have to shrink by the same factor.
#
# 2. Find the function in :mod:`torch.linalg` that computes a matrix's eigenvalues
#    when you know the matrix is symmetric, and read how it differs from the general
#    one.
#
#    .. dropdown:: Answer
#
#       ``[n for n in public_names(torch.linalg) if "eig" in n]`` lists ``eig``,
#       ``eigh``, ``eigvals`` and ``eigvalsh``. The ``h`` versions are for symmetric
#       (Hermitian) matrices: ``help(torch.linalg.eigvalsh)`` says that it returns
#       real eigenvalues in ascending order, and that it reads only one triangle of
#       the matrix (the lower one by default, ``UPLO='L'``) without checking that
#       the matrix is symmetric. ``help(torch.linalg.eigvals)`` says that the general
#       version returns complex numbers, in no particular order. The speed difference
#       is in ``help(torch.linalg.eig)``, which points to ``eigh`` as the faster
#       function for symmetric matrices.
#
# 3. Why does ``inspect.getsource(torch.ones)`` fail, while
#    ``inspect.getsource(F.cross_entropy)`` works? Where is the real computation of
#    ``cross_entropy`` done?
#
#    .. dropdown:: Answer
#
#       ``torch.ones`` is compiled C++ (a ``builtin_function_or_method``), so there
#       is no Python source to show; ``getsource`` raises a ``TypeError``.
#       ``F.cross_entropy`` is a Python function that checks its arguments and then
#       calls ``torch._C._nn.cross_entropy_loss``, again C++. Python is the thin
#       layer on top.
#
# 4. **Programming task.** Write ``find(module, word)`` that returns the public names
#    of a module that contain ``word`` (ignoring case), each with the first line of
#    its docstring, and use it to find the losses in ``torch.nn`` (``word="loss"``).
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def find(module, word):
#              """(name, first docstring line) for names of module containing word."""
#              found = []
#              for name in public_names(module):
#                  if word.lower() in name.lower():
#                      doc = inspect.getdoc(getattr(module, name)) or ""
#                      found.append((name, doc.splitlines()[0] if doc else ""))
#              return found
#
#          for name, line in find(nn, "loss"):
#              print(f"{name:30} {line[:60]}")
