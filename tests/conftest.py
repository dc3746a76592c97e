"""Shared fixtures: an isolated data cache, a fake data set, and a local HTTP server."""

from __future__ import annotations

import hashlib
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the build's machinery (reference/_ext/layout.py knows the gallery's output layout)
sys.path[:0] = [str(ROOT), str(ROOT / "reference" / "_ext")]

from handson.data import registry, store  # noqa: E402
from handson.data.registry import Dataset, FileSpec  # noqa: E402

SHARED_DATA = Path(os.environ.get("HANDSON_DATA_MIRROR") or ROOT.parent / "shared" / "data")

PAYLOAD = b"hello, verified world\n" * 100
FAKE = "fake-set"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test gets an empty cache, no system folders and no quick mode."""
    monkeypatch.setenv("HANDSON_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HANDSON_QUICK", "0")
    monkeypatch.delenv("HANDSON_OFFLINE", raising=False)
    monkeypatch.setattr(store, "SYSTEM_DATA_DIRS", [])


@pytest.fixture
def real_mirror(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The course's offline mirror, as HANDSON_DATA_MIRROR."""
    if not (SHARED_DATA / "README.md").is_file():
        pytest.skip(f"no data mirror at {SHARED_DATA}")
    monkeypatch.setenv("HANDSON_DATA_MIRROR", str(SHARED_DATA))
    monkeypatch.setenv("HANDSON_OFFLINE", "1")
    return SHARED_DATA


def add_fake_dataset(monkeypatch: pytest.MonkeyPatch, payload: bytes = PAYLOAD,
                     url: str | None = None, name: str = "blob.txt") -> FileSpec:
    """Register a one-file data set FAKE whose digest is that of ``payload``."""
    spec = FileSpec(name, hashlib.sha256(payload).hexdigest(), url=url)
    ds = Dataset(FAKE, "a test data set", (spec,))
    monkeypatch.setitem(registry.REGISTRY, FAKE, ds)
    return spec


@pytest.fixture
def http_server(tmp_path: Path):
    """Serve ``tmp_path/www`` on 127.0.0.1; yields ``(base_url, root, request_log)``."""
    root = tmp_path / "www"
    root.mkdir()
    log: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):  # keep pytest output clean
            pass

        def do_GET(self):
            log.append(self.path)
            if self.path.endswith(".truncated"):  # promise more bytes than we send
                self.send_response(200)
                self.send_header("Content-Length", str(len(PAYLOAD)))
                self.end_headers()
                self.wfile.write(PAYLOAD[:100])
                self.wfile.flush()
                self.connection.close()
                return
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root, log
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- site build
SOURCES = ["conf.py", "gallery_conf.py", "index.md", "source", "reference", "tutorials"]


def copy_sources(dst: Path) -> Path:
    """Copy what the build reads (not generated output) into ``dst``."""
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dst / name, ignore=shutil.ignore_patterns(
                "generated", "backreferences", "__pycache__"))
        else:
            shutil.copy2(ROOT / name, dst / name)
    return dst


def run_sphinx(src: Path, *extra: str, out: str = "_build/html") -> subprocess.CompletedProcess:
    env = {**os.environ, "HANDSON_QUICK": "1", "MPLBACKEND": "Agg"}
    env.setdefault("HANDSON_DATA_DIR", str(src / "cache"))
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html",
         ".", out, *extra],
        cwd=src, env=env, capture_output=True, text=True, timeout=1200,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A quick-mode build of a copy of the repository (the real tree is not touched).

    ``HANDSON_TEST_SITE=<folder>`` reuses a copy that was built already (for iterating
    on the tests themselves).
    """
    if os.environ.get("HANDSON_TEST_SITE"):
        return Path(os.environ["HANDSON_TEST_SITE"])
    src = copy_sources(tmp_path_factory.mktemp("site"))
    proc = run_sphinx(src)
    assert proc.returncode == 0, f"build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    return src


