"""Sphinx configuration for Hands-On Deep Learning (kept short: the gallery settings
live in gallery_conf.py, the build's machinery in reference/_ext/)."""

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "reference" / "_ext"))

import book  # noqa: E402
from layout import GALLERY_DIRNAME  # noqa: E402

import gallery_conf  # noqa: E402
from gallery_conf import sphinx_gallery_conf  # noqa: E402, F401

project = "Hands-On Deep Learning"
author = "The Hands-On Deep Learning authors"
copyright = f"{date.today().year}, {author}"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    "sphinx_design",
    "sphinx_copybutton",
    "sphinx-mathjax-offline",  # MathJax served from _static: pages work offline
    "myst_parser",
    # ours, in reference/_ext/ (see its README)
    "gallery_hooks",
    "page_stamp",
    "offline_times",
    "api_index",
    "notebooks",
    "results",
    "landing",
    "launch",
    "book",
]

# The public repository, e.g. "https://github.com/org/hands-on-dl". When set, tutorial
# pages get "Open in Colab", "Launch Binder" and "Edit this page" buttons, and the theme
# links the repository; when empty, none of them is shown.
handson_repository_url = ""
sphinx_gallery_conf["first_notebook_cell"] = gallery_conf.first_notebook_cell(
    handson_repository_url)

root_doc = "index"
include_patterns = [
    "index.md",
    "source/**",
    "reference/**",
    f"{GALLERY_DIRNAME}/**",
    "sg_execution_times.rst",
    "results.rst",
    "book.rst",
]
exclude_patterns = [
    "reference/backreferences/**",
    "reference/_templates/**",
    "source/_generated/**",
    "source/_static/**",
    "reference/_ext/**",
]
templates_path = ["reference/_templates"]
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist"]

autosummary_generate = True
autosummary_imported_members = True  # packages document the names they export
autosummary_ignore_module_all = False
autodoc_typehints = "description"
autodoc_member_order = "bysource"
# A method without a docstring (a module's ``forward``) is not documented with
# PyTorch's text, which would cite classes this site does not document.
autodoc_inherit_docstrings = False
napoleon_google_docstring = False
napoleon_numpy_docstring = True

# Intersphinx works offline: the inventories are kept in the repository (Python's and
# pandas' from Debian's doc packages, the others made by reference/_ext/make_inventories.py),
# so the build never touches the network.
_INV = "reference/inventories/"
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", _INV + "python.inv"),
    "torch": ("https://docs.pytorch.org/docs/stable/", _INV + "torch.inv"),
    "numpy": ("https://numpy.org/doc/stable/reference/", _INV + "numpy.inv"),
    "matplotlib": ("https://matplotlib.org/stable/api/", _INV + "matplotlib.inv"),
    "pandas": ("https://pandas.pydata.org/docs/", _INV + "pandas.inv"),
}
intersphinx_timeout = 1

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["source/_static"]
html_favicon = "source/_static/favicon.svg"
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "home_page_in_toc": True,
}
html_context = {
    "default_mode": "auto",  # light or dark, following the reader's system
    "handson_pdf": book.pdf_stamp(Path(__file__).resolve().parent),  # see book.py
}
copybutton_exclude = ".linenos, .gp, .go"  # copy code, not prompts or outputs

# The PDF book (``nox -s pdf``): XeLaTeX, because outputs print Unicode (arrows, check
# marks, Greek letters) that pdfLaTeX cannot typeset; the root is book.rst, written by
# reference/_ext/book.py with the chapters in course order.
latex_engine = "xelatex"
latex_documents = [("book", "hands-on-deep-learning.tex", project, author, "manual")]
latex_use_xindy = False
latex_domain_indices = False
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "10pt",
    "figure_align": "H",
    "printindex": "",
    # DejaVu Sans Mono has the symbols outputs print (check marks, arrows, box lines)
    "preamble": r"\setmonofont{DejaVu Sans Mono}[Scale=MatchLowercase]",
    # long output lines wrap (forcibly where there is no space): none runs off the page
    "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true, "
                   "verbatimmaxoverfull=0, verbatimmaxunderfull=0",
}
