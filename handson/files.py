"""Writing files so that a crash never leaves a half-written one behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch

__all__ = ["save_atomic"]


def save_atomic(obj, path: str | os.PathLike) -> Path:
    """``torch.save`` ``obj`` to ``path`` so that ``path`` is always a complete file.

    The object is written to a temporary file in the same folder, flushed to disk, and
    renamed over ``path`` (a rename within one file system is atomic); the folder is
    then synced so the rename itself survives a power cut. If anything fails, even a
    ``KeyboardInterrupt``, the temporary file is removed and ``path`` keeps its old
    content. Taught in :doc:`/auto_tutorials/06_builders_guide/05_file_io`.

    Examples
    --------
    >>> import tempfile, torch
    >>> folder = tempfile.mkdtemp()
    >>> p = save_atomic({"w": torch.ones(2)}, folder + "/model.pt")
    >>> torch.load(p, weights_only=True)["w"]
    tensor([1., 1.])
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"cannot save to {path}: the folder {path.parent} does not exist; create it "
            "first (Path(...).mkdir(parents=True, exist_ok=True))."
        )
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, path)
    except BaseException:  # KeyboardInterrupt too
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    _sync_folder(path.parent)
    return path


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry list, so that the rename is on disk (POSIX only)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
