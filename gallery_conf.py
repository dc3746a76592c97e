"""sphinx-gallery settings: how ``tutorials/`` becomes ``auto_tutorials/``.

Only the settings live here. The hooks they name, and every other piece of the build's
machinery, are in ``reference/_ext/`` (see its README); ``layout.py`` there is the one
module that knows sphinx-gallery's output files.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "reference" / "_ext"))

from gallery_hooks import (  # noqa: E402, F401  (reset_torch is named by its path below)
    first_notebook_cell,
    gallery_workers,
    reset_torch,
)
from layout import GALLERY_DIRNAME, TUTORIAL_PATTERN, TUTORIALS_DIRNAME  # noqa: E402

sphinx_gallery_conf = {
    "examples_dirs": [TUTORIALS_DIRNAME],
    "gallery_dirs": [GALLERY_DIRNAME],
    "filename_pattern": TUTORIAL_PATTERN,
    "ignore_pattern": r"__init__\.py|[/\\]_[^/\\]+\.py$",
    "within_subsection_order": "FileNameSortKey",
    "nested_sections": True,
    "reset_modules": ("matplotlib", "gallery_conf.reset_torch"),
    "reset_modules_order": "before",
    "download_all_examples": True,
    "remove_config_comments": True,
    "write_computation_times": True,
    "min_reported_time": 0,
    "doc_module": ("handson",),
    "backreferences_dir": "reference/backreferences",
    "capture_repr": ("_repr_html_", "__repr__"),
    # a cell ending in torch.manual_seed(0) would show "<torch._C.Generator object at
    # 0x...>"; never show a generator's repr (tests/test_site_build.py checks the pages)
    "ignore_repr_types": r"torch\._C\.Generator",
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "show_signature": False,
    "default_thumb_file": None,
    "matplotlib_animations": False,
    "first_notebook_cell": first_notebook_cell(),
    "parallel": gallery_workers(),
}
