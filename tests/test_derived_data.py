"""The two data sets our mirror alone used to hold, made from public archives instead.

A reader who clones the course at home has internet but not our mirror. The CIFAR-10
subset is cut from the official archive and verified against the subset's own digest;
the English-French pairs are cut from D2L's ``fra-eng.zip``. The tests build such
archives (with the mirror's bytes inside, so the real digests apply), serve them from a
local HTTP server, and let the data layer find nothing else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import tarfile
import zipfile

import pytest
from conftest import SHARED_DATA

from handson import data
from handson.data import registry

pytestmark = pytest.mark.skipif(not (SHARED_DATA / "README.md").is_file(),
                                reason="needs the mirror's files to build the archives")


def _repoint(monkeypatch, name: str, filename: str, url: str, payload: bytes) -> None:
    """Make registry entry ``name/filename`` point at ``url`` and pin ``payload``'s digest."""
    ds = registry.REGISTRY[name]
    files = []
    for spec in ds.files:
        if spec.name == filename:
            digest = hashlib.new(spec.algorithm, payload).hexdigest()
            spec = dataclasses.replace(spec, sha256=digest, url=url, size=len(payload))
        files.append(spec)
    monkeypatch.setitem(registry.REGISTRY, name, dataclasses.replace(ds, files=tuple(files)))


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tf.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def test_cifar_subset_is_cut_from_the_official_archive(monkeypatch, http_server):
    base, www, log = http_server
    subset = (SHARED_DATA / "cifar-10-subset" / "data_batch_1_first4000.bin").read_bytes()
    meta = (SHARED_DATA / "cifar-10-subset" / "batches.meta.txt").read_bytes()
    more = bytes(range(256)) * 12 + b"\x07"  # a 4,001st record the cut must drop
    archive = _tar_gz({"cifar-10-batches-bin/data_batch_1.bin": subset + more[:3073],
                       "cifar-10-batches-bin/batches.meta.txt": meta,
                       "cifar-10-batches-bin/test_batch.bin": b""})
    (www / "cifar-10-binary.tar.gz").write_bytes(archive)
    _repoint(monkeypatch, "cifar-10", "cifar-10-binary.tar.gz",
             f"{base}/cifar-10-binary.tar.gz", archive)
    monkeypatch.delenv("HANDSON_DATA_MIRROR", raising=False)

    X, y = data.load_cifar10()
    assert X.shape == (4_000, 3, 32, 32) and data.CIFAR10_CLASSES[int(y[0])] == "frog"
    assert log == ["/cifar-10-binary.tar.gz"], "the archive is fetched once"
    # what was cut verifies against the subset's own pinned digests
    data.fetch("cifar-10-subset")
    assert data.verify_cached("cifar-10-subset") == {
        "data_batch_1_first4000.bin": None, "batches.meta.txt": None}


def test_a_wrong_cut_is_refused(monkeypatch, http_server):
    base, www, _ = http_server
    subset = (SHARED_DATA / "cifar-10-subset" / "data_batch_1_first4000.bin").read_bytes()
    damaged = b"\x09" + subset[1:]  # another label for the first image
    archive = _tar_gz({"cifar-10-batches-bin/data_batch_1.bin": damaged,
                       "cifar-10-batches-bin/batches.meta.txt": b"x"})
    (www / "c.tar.gz").write_bytes(archive)
    _repoint(monkeypatch, "cifar-10", "cifar-10-binary.tar.gz", f"{base}/c.tar.gz", archive)
    monkeypatch.delenv("HANDSON_DATA_MIRROR", raising=False)
    with pytest.raises(data.DataNotFoundError, match="derived from cifar-10"):
        data.load_cifar10()


def test_fra_eng_is_cut_from_d2ls_zip(monkeypatch, http_server):
    base, www, log = http_server
    ours = (SHARED_DATA / "fra-eng" / "fra.txt").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:  # D2L's layout: fra-eng/fra.txt
        zf.writestr("fra-eng/fra.txt", ours + "I am late.\tJe suis en retard.\n".encode())
    (www / "fra-eng.zip").write_bytes(buf.getvalue())
    _repoint(monkeypatch, "fra-eng-d2l", "fra-eng.zip", f"{base}/fra-eng.zip",
             buf.getvalue())
    monkeypatch.delenv("HANDSON_DATA_MIRROR", raising=False)

    pairs = data.load_fra_eng()
    assert len(pairs) == registry.FRA_ENG_PAIRS and pairs[0] == ("Go.", "Va !")
    assert ("I am late.", "Je suis en retard.") not in pairs
    assert log == ["/fra-eng.zip"]


def test_d2l_zip_is_pinned_by_the_sha1_d2l_publishes():
    spec = registry.get("fra-eng-d2l").files[0]
    assert spec.algorithm == "sha1"
    assert spec.sha256 == "94646ad1522d915e7b0f9296181140edcf86a4f5"


def test_without_any_source_the_message_names_both(monkeypatch):
    monkeypatch.delenv("HANDSON_DATA_MIRROR", raising=False)
    monkeypatch.setenv("HANDSON_OFFLINE", "1")
    with pytest.raises(data.DataNotFoundError) as err:
        data.load_fra_eng()
    assert "fra.txt" in str(err.value) and "fra-eng.zip" in str(err.value)
    assert "HANDSON_DATA_MIRROR" in str(err.value)
