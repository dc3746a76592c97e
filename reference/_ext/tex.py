"""Whether this machine can typeset the PDF, and what to install when it cannot.

Kept free of Sphinx imports: ``noxfile.py`` asks it before building, outside the venv.
"""

from __future__ import annotations

import shutil

#: What the PDF needs from Debian or Ubuntu: XeLaTeX, latexmk, the LaTeX packages Sphinx
#: loads, FreeFont (Sphinx's XeLaTeX fonts) and DejaVu Sans Mono (code), pdftotext.
TEX_PACKAGES = ("texlive-xetex", "texlive-latex-recommended", "texlive-latex-extra",
                "texlive-fonts-recommended", "latexmk", "fonts-freefont-otf",
                "fonts-dejavu-core", "poppler-utils")
TOOLS = ("xelatex", "latexmk")


def missing_tex_message() -> str | None:
    """``None`` when XeLaTeX and latexmk are on the PATH, else what to install."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not missing:
        return None
    return (
        f"cannot build the PDF: {' and '.join(missing)} not found on the PATH. "
        "Install TeX Live, e.g. on Debian or Ubuntu:\n"
        f"  sudo apt-get install {' '.join(TEX_PACKAGES)}\n"
        "(on macOS: MacTeX; on Windows: TeX Live or MiKTeX), then run nox -s pdf again."
    )


TEX_NAME = "hands-on-deep-learning"


def sphinx_latex_args(html_out: str = "_build/html", latex_out: str = "_build/latex") -> list[str]:
    """``sphinx-build`` arguments for the LaTeX sources of the book.

    The LaTeX build shares the HTML build's doctrees, so pages already read are not read
    again, and the gallery (up to date after the HTML build) executes nothing.
    """
    return ["-W", "--keep-going", "-b", "latex", "-d", f"{html_out}/.doctrees", ".",
            latex_out]


def latexmk_command(latex_out: str = "_build/latex") -> list[str]:
    """The command that typesets ``<latex_out>/hands-on-deep-learning.tex`` with XeLaTeX."""
    return ["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error",
            "-file-line-error", "-silent", "-cd", f"{latex_out}/{TEX_NAME}.tex"]
