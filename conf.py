"""Sphinx configuration for Hands-On Deep Learning (kept short; gallery settings live
in gallery_conf.py)."""

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gallery_conf  # noqa: E402
from gallery_conf import sphinx_gallery_conf  # noqa: E402, F401

project = "Hands-On Deep Learning"
author = "The Hands-On Deep Learning authors"
copyright = f"{date.today().year}, {author}"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    "sphinx_design",
    "myst_parser",
]

root_doc = "index"
include_patterns = [
    "index.md",
    "source/**",
    "reference/**",
    "auto_tutorials/**",
    "sg_execution_times.rst",
]
exclude_patterns = ["reference/backreferences/**", "reference/_templates/**"]
templates_path = ["reference/_templates"]
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist"]

autosummary_generate = True
autosummary_imported_members = True  # packages document the names they export
autosummary_ignore_module_all = False
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_google_docstring = False
napoleon_numpy_docstring = True

# Until the offline intersphinx inventories land, names from other projects cannot
# resolve; everything of our own must (the build runs with -n, nitpicky).
nitpick_ignore_regex = [
    (r"py:.*", r"(torch|np|numpy|pd|pandas|matplotlib|pathlib|Path|typing|collections|"
               r"tarfile|BinaryIO|Literal|Callable|Iterator|Split)\b.*"),
]

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = []
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
}


def setup(app):
    gallery_conf.setup(app)
