"""Sessions: ``nox -s docs`` builds the site, ``nox -s tests`` runs every test,
``nox -s pdf`` typesets the executed site as one PDF book.

``nox -s docs -- <pattern>`` rebuilds only the tutorials whose path matches the regex
``<pattern>``; ``nox -s serve`` serves ``_build/html`` on http://127.0.0.1:8000.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent / "reference" / "_ext"))
from tex import (  # noqa: E402  (no Sphinx needed: noxfile runs outside the venv)
    TEX_NAME,
    latexmk_command,
    missing_tex_message,
    sphinx_latex_args,
)

nox.options.sessions = ["tests"]
nox.options.reuse_venv = "yes"
nox.options.default_venv_backend = "venv"

ROOT = Path(__file__).resolve().parent
SHARED_DATA = ROOT.parent / "shared" / "data"
SPHINX_ARGS = ["-W", "--keep-going", "-n", "-b", "html", ".", "_build/html"]


def _env() -> dict[str, str]:
    """Use ``../shared/data`` as the data mirror when it exists and none is set."""
    env = {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    if not os.environ.get("HANDSON_DATA_MIRROR") and SHARED_DATA.is_dir():
        env["HANDSON_DATA_MIRROR"] = str(SHARED_DATA)
    return env


def _install(session: nox.Session) -> None:
    """Install the pinned requirements and ``handson``; skip it when nothing changed.

    pip takes seconds even when everything is installed, which would dominate a
    rebuild with nothing changed, so a stamp of the inputs' digest is kept in the venv.
    """
    inputs = b"".join((ROOT / f).read_bytes() for f in ("requirements.txt", "pyproject.toml"))
    digest = hashlib.sha256(inputs).hexdigest()
    stamp = Path(session.virtualenv.location) / ".handson-installed"
    if stamp.is_file() and stamp.read_text() == digest:
        return
    session.install("-r", "requirements.txt")
    session.install("--no-deps", "-e", ".")
    stamp.write_text(digest)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site with every tutorial executed, into ``_build/html``."""
    _install(session)
    args = list(SPHINX_ARGS)
    if session.posargs:
        pattern = session.posargs[0]
        args += ["-D", f"sphinx_gallery_conf.filename_pattern={pattern}"]
    session.run("sphinx-build", *args, env=_env())


PDF = ROOT / "_build" / "pdf" / "hands-on-deep-learning.pdf"


def build_pdf(session: nox.Session, html_out: str = "_build/html",
              latex_out: str = "_build/latex") -> Path:
    """Typeset the executed gallery as one PDF; the tutorials are not run again."""
    problem = missing_tex_message()
    if problem:
        session.error(problem)
    session.run("sphinx-build", *sphinx_latex_args(html_out, latex_out), env=_env())
    session.run(*latexmk_command(latex_out), external=True)
    PDF.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(latex_out) / f"{TEX_NAME}.pdf", PDF)
    session.log(f"wrote {PDF.relative_to(ROOT)} ({PDF.stat().st_size / 1e6:.1f} MB)")
    return PDF


@nox.session
def pdf(session: nox.Session) -> None:
    """The whole course as one PDF, ``_build/pdf/hands-on-deep-learning.pdf``.

    Runs the HTML build first (seconds when ``nox -s docs`` is up to date: only pages
    whose inputs changed execute), then typesets that executed gallery.
    """
    _install(session)
    session.run("sphinx-build", *SPHINX_ARGS, env=_env())
    build_pdf(session)
    # once more, so that the site links the new PDF (only the landing page changes)
    session.run("sphinx-build", *SPHINX_ARGS, env=_env())


@nox.session
def tests(session: nox.Session) -> None:
    """Unit tests, quick-mode smoke tests of every tutorial, and a quick site build."""
    _install(session)
    session.run("pytest", *session.posargs, env=_env())


@nox.session(venv_backend="none")
def serve(session: nox.Session) -> None:
    """Serve the built site at http://127.0.0.1:8000 (build it first: nox -s docs)."""
    if not (ROOT / "_build" / "html" / "index.html").is_file():
        session.error("no site in _build/html yet: run `nox -s docs` first")
    session.run("python", "-m", "http.server", "8000", "--bind", "127.0.0.1",
                "--directory", "_build/html")


@nox.session
def seeds(session: nox.Session) -> None:
    """Run tutorials at full settings for shifted seeds and tabulate their checks.

    ``nox -s seeds -- lenet tricks --offsets 0 1 2 3``: every check's value per seed and
    its smallest margin; fails when a check fails for any seed.
    """
    _install(session)
    if not session.posargs:
        session.error("name the tutorials: nox -s seeds -- <regex> [...] [--offsets 0 1 2]")
    session.run("python", "tests/seed_sweep.py", *session.posargs, env=_env())


@nox.session
def bench(session: nox.Session) -> None:
    """Print training, input-pipeline and build figures; JSON in ``_build/bench/``.

    ``nox -s bench -- --parts matmul,train`` runs some parts only; ``-- --quick`` checks
    the script itself in a minute or two.
    """
    _install(session)
    session.run("python", "tests/benchmarks.py", *session.posargs, env=_env())
