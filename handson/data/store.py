"""The cache: find each file, verify it, and write it atomically.

Where a file comes from, in order:

1. the cache folder (``HANDSON_DATA_DIR``, default: the per-user cache folder);
2. ``HANDSON_DATA_MIRROR``: a URL, or a local folder laid out ``<data set>/<file>``
   like the course's offline mirror;
3. system data folders such as ``/usr/share/datasets/<data set>`` (Debian's
   ``dataset-fashion-mnist`` installs there);
4. the upstream URL, unless ``HANDSON_OFFLINE=1``.

Every copy is written to a temporary file beside its target, verified against the
registry's SHA-256, and only then renamed into place, so an interrupted or corrupt
transfer never leaves a file that looks valid. A per-data-set lock file lets two
processes load the same data set at once: the second waits and then finds the file.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable

import platformdirs
from filelock import FileLock

from handson.data.archives import safe_extract
from handson.data.errors import CorruptFileError, DataError, DataNotFoundError
from handson.data.registry import Dataset, Derivation, FileSpec, get

__all__ = [
    "SYSTEM_DATA_DIRS",
    "cache_dir",
    "dataset_dir",
    "extracted",
    "fetch",
    "file_digest",
    "read_payload",
    "verify_cached",
]

log = logging.getLogger("handson.data")

#: Folders searched for ``<data set>/<file>`` after the mirror and before upstream.
SYSTEM_DATA_DIRS: list[Path] = [Path("/usr/share/datasets"), Path("/usr/local/share/datasets")]

_CHUNK = 1 << 20
_TIMEOUT_S = 30


def cache_dir() -> Path:
    """The cache folder: ``HANDSON_DATA_DIR`` or the per-user cache (``~/.cache/handson``)."""
    env = os.environ.get("HANDSON_DATA_DIR", "").strip()
    return Path(env).expanduser() if env else Path(platformdirs.user_cache_dir("handson"))


def dataset_dir(name: str) -> Path:
    """The folder of data set ``name`` inside the cache (not created)."""
    return cache_dir() / get(name).name


# --------------------------------------------------------------------------- digests
def _open_payload(path: Path, spec: FileSpec) -> BinaryIO:
    return gzip.open(path, "rb") if spec.gunzip else open(path, "rb")  # noqa: SIM115


def file_digest(path: Path, spec: FileSpec) -> str:
    """SHA-256 of ``path`` (of its gunzipped payload when ``spec.gunzip``).

    Raises :class:`~handson.data.errors.CorruptFileError` when a gzip stream is truncated
    or damaged.
    """
    h = hashlib.new(spec.algorithm)
    try:
        with _open_payload(path, spec) as f:
            while chunk := f.read(_CHUNK):
                h.update(chunk)
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise CorruptFileError(f"{path}: damaged gzip stream ({err})") from err
    return h.hexdigest()


def _problem(path: Path, spec: FileSpec) -> str | None:
    """Why ``path`` is not a valid copy of ``spec``, or ``None`` if it is."""
    if not path.is_file():
        return "missing"
    if spec.size is not None and path.stat().st_size != spec.size:
        return f"size {path.stat().st_size} bytes, expected {spec.size}"
    try:
        digest = file_digest(path, spec)
    except CorruptFileError as err:
        return str(err)
    if digest != spec.sha256:
        return f"{spec.algorithm} {digest[:16]}..., expected {spec.sha256[:16]}..."
    return None


# --------------------------------------------------------------------------- sources
def _is_url(text: str) -> bool:
    return urllib.parse.urlsplit(text).scheme in {"http", "https", "file", "ftp"}


def _sources(ds: Dataset, spec: FileSpec) -> Iterator[tuple[str, Callable[[], BinaryIO]]]:
    """Yield ``(description, opener)`` for each place that may hold ``spec``, in order."""
    mirror = os.environ.get("HANDSON_DATA_MIRROR", "").strip()
    if mirror:
        if _is_url(mirror):
            url = f"{mirror.rstrip('/')}/{ds.name}/{spec.name}"
            yield f"mirror {url}", lambda: _urlopen(url)
        else:
            path = Path(mirror).expanduser() / ds.name / spec.name
            yield f"mirror {path}", lambda: _open_local(path)
    for folder in SYSTEM_DATA_DIRS:
        path = folder / ds.name / spec.name
        yield f"system folder {path}", lambda path=path: _open_local(path)
    if spec.derived_from is not None:
        d = spec.derived_from
        yield (f"derived from {d.dataset}/{d.archive} ({d.member})",
               lambda: _derive(d))
    if spec.url is None:
        return
    if os.environ.get("HANDSON_OFFLINE", "").strip() in {"1", "true", "yes"}:
        yield f"upstream {spec.url} (skipped: HANDSON_OFFLINE is set)", _offline
    else:
        yield f"upstream {spec.url}", lambda: _urlopen(spec.url)


def _derive(d: Derivation) -> BinaryIO:
    """The bytes of ``d.member`` of the verified archive, cut to ``d.length``."""
    member = extracted(d.dataset, d.archive) / d.member
    if not member.is_file():
        raise CorruptFileError(f"{d.dataset}/{d.archive} has no member {d.member}")
    with open(member, "rb") as f:
        data = f.read() if d.length is None else f.read(d.length)
    if d.length is not None and len(data) != d.length:
        raise CorruptFileError(f"{d.member} holds {len(data)} bytes, fewer than {d.length}")
    return io.BytesIO(data)


def _open_local(path: Path) -> BinaryIO:
    if not path.is_file():
        raise FileNotFoundError("no such file")
    return open(path, "rb")  # noqa: SIM115


def _urlopen(url: str) -> BinaryIO:
    request = urllib.request.Request(url, headers={"User-Agent": "handson-data/0.1"})
    return urllib.request.urlopen(request, timeout=_TIMEOUT_S)  # noqa: S310


def _offline() -> BinaryIO:
    raise OSError("offline mode")


def _reason(err: BaseException) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code}"
    if isinstance(err, urllib.error.URLError):
        return f"unreachable ({err.reason})"
    if isinstance(err, DataNotFoundError):  # a derivation's source: its first line says it
        return str(err).splitlines()[0]
    return str(err) or type(err).__name__


# --------------------------------------------------------------------------- writing
def _copy_atomically(opener: Callable[[], BinaryIO], target: Path, spec: FileSpec) -> None:
    """Copy a source to ``target`` via a temporary file; verify before the rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, opener() as src:
            shutil.copyfileobj(src, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
        problem = _problem(tmp, spec)
        if problem is not None:
            raise CorruptFileError(f"copy does not verify: {problem}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(folder / ".lock", timeout=900):
        yield


def _ensure(ds: Dataset, spec: FileSpec, folder: Path) -> Path:
    """Make ``folder/spec.name`` a verified copy; the caller holds the lock."""
    target = folder / spec.name
    problem = _problem(target, spec)
    if problem is None:
        return target
    if problem != "missing":
        log.warning("%s/%s in the cache is corrupt (%s); fetching it again",
                    ds.name, spec.name, problem)
        target.unlink()
    tried = []
    for where, opener in _sources(ds, spec):
        try:
            _copy_atomically(opener, target, spec)
        except (OSError, http.client.HTTPException, DataError, ValueError) as err:
            tried.append(f"{where}: {_reason(err)}")
            continue
        log.info("%s/%s fetched from %s", ds.name, spec.name, where)
        return target
    raise DataNotFoundError(_not_found_message(ds, spec, target, tried))


def _not_found_message(ds: Dataset, spec: FileSpec, target: Path, tried: list[str]) -> str:
    lines = [
        f"Could not get data set {ds.name!r}: no valid copy of {spec.name} was found.",
        f"Files of {ds.name!r}: {', '.join(f.name for f in ds.files)}.",
        "Places tried, in order:",
        f"  - cache {target}: missing or corrupt",
        *(f"  - {t}" for t in tried),
    ]
    if spec.url is None and spec.derived_from is None:
        lines.append(f"{spec.name} has no public upstream copy; it comes from the course's mirror.")
    lines += [
        "To fix it, point handson at a mirror of the data, a folder laid out <data set>/<file>",
        "(for example the course's shared/data folder) or a URL:",
        "  export HANDSON_DATA_MIRROR=/path/to/shared/data",
        f"or copy the file into {target.parent} yourself; it is verified before use.",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- public API
def fetch(name: str) -> Path:
    """Make every file of data set ``name`` present and verified; return its folder.

    Examples
    --------
    >>> fetch("timemachine").name
    'timemachine'
    """
    ds = get(name)
    folder = dataset_dir(name)
    with _locked(folder):
        for spec in ds.files:
            _ensure(ds, spec, folder)
    return folder


def _spec(ds: Dataset, filename: str) -> FileSpec:
    for spec in ds.files:
        if spec.name == filename:
            return spec
    raise KeyError(f"data set {ds.name!r} has no file {filename!r}")


def _read_if_valid(path: Path, spec: FileSpec) -> bytes | None:
    """The verified payload of ``path``, or ``None`` if it is missing or does not verify."""
    if not path.is_file():
        return None
    try:
        with _open_payload(path, spec) as f:
            data = f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error):
        return None
    return data if hashlib.new(spec.algorithm, data).hexdigest() == spec.sha256 else None


def read_payload(name: str, filename: str) -> bytes:
    """Return the verified content of one file (gunzipped when the registry says so).

    The bytes are hashed as they are read, so a file is verified every time it is used
    without a second pass over the disk; a corrupt cached copy is fetched again.
    """
    ds = get(name)
    spec = _spec(ds, filename)
    folder = dataset_dir(name)
    path = folder / spec.name
    with _locked(folder):
        data = _read_if_valid(path, spec)
        if data is None:
            _ensure(ds, spec, folder)  # replaces a corrupt copy, verifies the new one
            data = _read_if_valid(path, spec)
        if data is None:
            raise CorruptFileError(f"{name}/{filename} does not verify after a fresh copy")
        return data


def verify_cached(name: str) -> dict[str, str | None]:
    """Check the cached files of ``name``: ``{file: None if valid else the problem}``."""
    ds = get(name)
    folder = dataset_dir(name)
    return {spec.name: _problem(folder / spec.name, spec) for spec in ds.files}


def extracted(name: str, filename: str) -> Path:
    """Return the folder holding the verified archive ``filename`` of ``name``, unpacked.

    The archive is verified and unpacked once; a stamp file records which archive
    digest the folder came from, so a changed archive is unpacked again.
    """
    ds = get(name)
    spec = _spec(ds, filename)
    folder = dataset_dir(name)
    target = folder / (filename.split(".")[0] + "-extracted")
    stamp = target / ".handson-source-sha256"
    with _locked(folder):
        if stamp.is_file() and stamp.read_text().strip() == spec.sha256:
            return target
        archive = _ensure(ds, spec, folder)
        safe_extract(archive, target)
        stamp.write_text(spec.sha256 + "\n")
    return target
