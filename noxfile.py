"""Sessions: ``nox -s docs`` builds the site, ``nox -s tests`` runs every test.

``nox -s docs -- <pattern>`` rebuilds only the tutorials whose path matches the regex
``<pattern>``; ``nox -s serve`` serves ``_build/html`` on http://127.0.0.1:8000.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import nox

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
def bench(session: nox.Session) -> None:
    """Print training, input-pipeline and build figures; JSON in ``_build/bench/``.

    ``nox -s bench -- --parts matmul,train`` runs some parts only; ``-- --quick`` checks
    the script itself in a minute or two.
    """
    _install(session)
    session.run("python", "tests/benchmarks.py", *session.posargs, env=_env())
