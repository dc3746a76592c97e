"""The cache: verification, atomic writes, source order, errors, concurrency."""

from __future__ import annotations

import gzip
import hashlib
import io
import multiprocessing
import tarfile
from pathlib import Path

import pytest
from conftest import FAKE, PAYLOAD, add_fake_dataset

from handson.data import (
    CorruptFileError,
    DataNotFoundError,
    UnsafeArchiveError,
    fetch,
    read_payload,
    safe_extract,
    store,
    verify_cached,
)
from handson.data.__main__ import main as cli
from handson.data.registry import FileSpec


def _mirror_with(tmp_path: Path, payload: bytes, name: str = "blob.txt") -> Path:
    mirror = tmp_path / "mirror"
    (mirror / FAKE).mkdir(parents=True)
    (mirror / FAKE / name).write_bytes(payload)
    return mirror


def test_mirror_folder_copy_is_verified_and_cached(monkeypatch, tmp_path):
    add_fake_dataset(monkeypatch)
    monkeypatch.setenv("HANDSON_DATA_MIRROR", str(_mirror_with(tmp_path, PAYLOAD)))
    assert read_payload(FAKE, "blob.txt") == PAYLOAD
    cached = tmp_path / "cache" / FAKE / "blob.txt"
    assert cached.read_bytes() == PAYLOAD
    assert verify_cached(FAKE) == {"blob.txt": None}


def test_digest_mismatch_in_mirror_is_refused(monkeypatch, tmp_path):
    add_fake_dataset(monkeypatch)
    monkeypatch.setenv("HANDSON_DATA_MIRROR", str(_mirror_with(tmp_path, b"tampered")))
    with pytest.raises(DataNotFoundError, match="copy does not verify: sha256"):
        read_payload(FAKE, "blob.txt")
    folder = tmp_path / "cache" / FAKE
    assert not (folder / "blob.txt").exists()
    assert not list(folder.glob("*.part")), "a rejected copy must not stay behind"


def test_corrupt_cached_file_is_fetched_again(monkeypatch, tmp_path):
    add_fake_dataset(monkeypatch)
    monkeypatch.setenv("HANDSON_DATA_MIRROR", str(_mirror_with(tmp_path, PAYLOAD)))
    cached = fetch(FAKE) / "blob.txt"
    cached.write_bytes(PAYLOAD[:-1] + b"X")  # same size, one byte flipped
    assert verify_cached(FAKE)["blob.txt"].startswith("sha256")
    assert read_payload(FAKE, "blob.txt") == PAYLOAD
    assert cached.read_bytes() == PAYLOAD


def test_truncated_cached_file_is_fetched_again(monkeypatch, tmp_path):
    add_fake_dataset(monkeypatch)
    monkeypatch.setenv("HANDSON_DATA_MIRROR", str(_mirror_with(tmp_path, PAYLOAD)))
    cached = fetch(FAKE) / "blob.txt"
    cached.write_bytes(PAYLOAD[:50])
    fetch(FAKE)
    assert cached.read_bytes() == PAYLOAD


def test_truncated_gzip_is_detected(monkeypatch, tmp_path):
    raw = b"\x00\x00\x08\x01" + (1000).to_bytes(4, "big") + bytes(1000)
    gz = gzip.compress(raw)
    spec = FileSpec("x.gz", hashlib.sha256(raw).hexdigest(), gunzip=True)
    path = tmp_path / "x.gz"
    path.write_bytes(gz)
    assert store.file_digest(path, spec) == spec.sha256
    path.write_bytes(gz[: len(gz) // 2])
    with pytest.raises(CorruptFileError, match="damaged gzip"):
        store.file_digest(path, spec)


def test_interrupted_download_leaves_nothing_behind(monkeypatch, tmp_path, http_server):
    base, root, log = http_server
    add_fake_dataset(monkeypatch, url=f"{base}/blob.txt.truncated")
    monkeypatch.delenv("HANDSON_DATA_MIRROR", raising=False)
    with pytest.raises(DataNotFoundError) as info:
        fetch(FAKE)
    assert "upstream" in str(info.value)
    folder = tmp_path / "cache" / FAKE
    assert sorted(p.name for p in folder.iterdir()) == [".lock"], "no partial file may remain"


def test_interrupt_by_keyboard_leaves_nothing_behind(monkeypatch, tmp_path):
    add_fake_dataset(monkeypatch)

    class Exploding(io.BytesIO):
        def read(self, *args):
            if self.tell() > 10:
                raise KeyboardInterrupt
            return super().read(11)

    source = ("a source that dies mid-copy", lambda: Exploding(PAYLOAD))
    monkeypatch.setattr(store, "_sources", lambda ds, spec: iter([source]))
    with pytest.raises(KeyboardInterrupt):
        fetch(FAKE)
    folder = tmp_path / "cache" / FAKE
    assert sorted(p.name for p in folder.iterdir()) == [".lock"]


def test_mirror_is_used_before_upstream(monkeypatch, tmp_path, http_server):
    base, root, log = http_server
    (root / "mirror" / FAKE).mkdir(parents=True)
    (root / "mirror" / FAKE / "blob.txt").write_bytes(PAYLOAD)
    (root / "upstream.txt").write_bytes(PAYLOAD)
    add_fake_dataset(monkeypatch, url=f"{base}/upstream.txt")
    monkeypatch.setenv("HANDSON_DATA_MIRROR", f"{base}/mirror")
    assert read_payload(FAKE, "blob.txt") == PAYLOAD
    assert log == [f"/mirror/{FAKE}/blob.txt"]


def test_upstream_is_used_when_mirror_lacks_the_file(monkeypatch, tmp_path, http_server):
    base, root, log = http_server
    (root / "upstream.txt").write_bytes(PAYLOAD)
    add_fake_dataset(monkeypatch, url=f"{base}/upstream.txt")
    monkeypatch.setenv("HANDSON_DATA_MIRROR", f"{base}/mirror")
    assert read_payload(FAKE, "blob.txt") == PAYLOAD
    assert log == [f"/mirror/{FAKE}/blob.txt", "/upstream.txt"]


def test_system_folder_comes_after_mirror(monkeypatch, tmp_path):
    add_fake_dataset(monkeypatch)
    system = tmp_path / "system"
    (system / FAKE).mkdir(parents=True)
    (system / FAKE / "blob.txt").write_bytes(PAYLOAD)
    monkeypatch.setattr(store, "SYSTEM_DATA_DIRS", [system])
    monkeypatch.setenv("HANDSON_DATA_MIRROR", str(tmp_path / "empty-mirror"))
    assert read_payload(FAKE, "blob.txt") == PAYLOAD


def test_offline_error_names_everything(monkeypatch, tmp_path):
    add_fake_dataset(monkeypatch, url="https://example.invalid/blob.txt")
    monkeypatch.setenv("HANDSON_DATA_MIRROR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("HANDSON_OFFLINE", "1")
    monkeypatch.setattr(store, "SYSTEM_DATA_DIRS", [tmp_path / "sys"])
    with pytest.raises(DataNotFoundError) as info:
        fetch(FAKE)
    text = str(info.value)
    for needle in [
        f"data set {FAKE!r}",                       # the data set
        "blob.txt",                                 # the file
        str(tmp_path / "cache" / FAKE / "blob.txt"),  # the cache
        str(tmp_path / "nowhere" / FAKE / "blob.txt"),  # the mirror
        str(tmp_path / "sys" / FAKE / "blob.txt"),  # the system folder
        "https://example.invalid/blob.txt",         # upstream
        "HANDSON_OFFLINE",                          # why upstream was skipped
        "export HANDSON_DATA_MIRROR=",              # how to fix it
    ]:
        assert needle in text, f"{needle!r} missing from:\n{text}"


def _load_in_process(args):
    cache, mirror = args
    import os

    os.environ["HANDSON_DATA_DIR"] = cache
    os.environ["HANDSON_DATA_MIRROR"] = mirror
    os.environ["HANDSON_OFFLINE"] = "1"
    from handson.data import load_fashion_mnist

    X, y = load_fashion_mnist("test")
    return tuple(X.shape), int(y.sum())


def test_concurrent_loads_share_one_verified_copy(real_mirror, tmp_path):
    cache = str(tmp_path / "shared-cache")
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        results = pool.map(_load_in_process, [(cache, str(real_mirror))] * 3)
    assert len(set(results)) == 1 and results[0][0] == (10_000, 1, 28, 28)
    folder = Path(cache) / "fashion-mnist"
    assert not list(folder.glob("*.part"))
    from handson.data.registry import get

    for spec in get("fashion-mnist").files:
        if spec.name.startswith("t10k"):
            assert store._problem(folder / spec.name, spec) is None


def _tar_with(path: Path, member: tarfile.TarInfo, data: bytes = b"") -> Path:
    with tarfile.open(path, "w:gz") as tf:
        tf.addfile(member, io.BytesIO(data) if data else None)
    return path


@pytest.mark.parametrize(
    ("name", "kind", "linkname"),
    [
        ("../evil.txt", tarfile.REGTYPE, ""),
        ("/tmp/evil.txt", tarfile.REGTYPE, ""),
        ("ok/../../evil.txt", tarfile.REGTYPE, ""),
        ("link", tarfile.SYMTYPE, "/etc/passwd"),
        ("dir/link", tarfile.SYMTYPE, "../../outside"),
        ("hard", tarfile.LNKTYPE, "../outside"),
        ("dev", tarfile.CHRTYPE, ""),
    ],
)
def test_unsafe_archive_is_refused(tmp_path, name, kind, linkname):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    data = b"x" if kind == tarfile.REGTYPE else b""
    info.size = len(data)
    archive = _tar_with(tmp_path / "bad.tgz", info, data)
    target = tmp_path / "out" / "target"
    with pytest.raises(UnsafeArchiveError, match="not extracted"):
        safe_extract(archive, target)
    assert not target.exists()
    assert not (tmp_path / "evil.txt").exists()
    assert not list((tmp_path / "out").glob("*.part"))


def test_safe_archive_is_extracted(tmp_path):
    info = tarfile.TarInfo("data/table.csv")
    info.size = 4
    archive = _tar_with(tmp_path / "good.tgz", info, b"a,b\n")
    target = safe_extract(archive, tmp_path / "out")
    assert (target / "data" / "table.csv").read_bytes() == b"a,b\n"


def test_cli_verify_reports_corrupt_files(monkeypatch, tmp_path, capsys):
    add_fake_dataset(monkeypatch)
    monkeypatch.setenv("HANDSON_DATA_MIRROR", str(_mirror_with(tmp_path, PAYLOAD)))
    assert cli(["download", FAKE]) == 0
    assert cli(["verify", FAKE]) == 0
    (tmp_path / "cache" / FAKE / "blob.txt").write_bytes(b"garbage")
    assert cli(["verify", FAKE]) == 1
    captured = capsys.readouterr()
    assert f"BAD      {FAKE}/blob.txt" in captured.out
    assert f"1 corrupt file(s): {FAKE}/blob.txt" in captured.err


def test_cli_list_and_usage_errors(monkeypatch, tmp_path, capsys):
    add_fake_dataset(monkeypatch)
    assert cli(["list"]) == 0
    out = capsys.readouterr().out
    assert "mnist" in out and f"{FAKE}" in out and "not downloaded" in out
    assert cli(["download"]) == 2
    assert cli(["verify", "no-such-set"]) == 2
