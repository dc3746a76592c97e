"""Safe extraction of tar archives.

A tar file can name members ``../../.bashrc`` or ``/etc/passwd``, or hold a link that
points outside the folder it is unpacked into. :func:`handson.data.safe_extract` checks every
member before anything is written and refuses the whole archive if one is unsafe.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from handson.data.errors import CorruptFileError

__all__ = ["UnsafeArchiveError", "check_members", "safe_extract"]


class UnsafeArchiveError(CorruptFileError):
    """An archive member would be written, or would point, outside the target folder."""


def _inside(path: PurePosixPath) -> bool:
    return not path.is_absolute() and ".." not in path.parts


def check_members(archive: tarfile.TarFile, source: str) -> None:
    """Raise :class:`UnsafeArchiveError` naming the first unsafe member of ``archive``."""
    for m in archive.getmembers():
        name = PurePosixPath(m.name)
        if not _inside(name):
            raise UnsafeArchiveError(
                f"{source}: member {m.name!r} would be written outside the target folder; "
                "the archive was not extracted."
            )
        if m.issym() or m.islnk():
            link = PurePosixPath(m.linkname)
            # a hard link names a member from the root; a symlink is relative to its folder
            if not _inside(link if m.islnk() else name.parent / link):
                raise UnsafeArchiveError(
                    f"{source}: member {m.name!r} links to {m.linkname!r}, outside the "
                    "target folder; the archive was not extracted."
                )
        elif not (m.isfile() or m.isdir()):
            raise UnsafeArchiveError(
                f"{source}: member {m.name!r} is a device or pipe; the archive was not "
                "extracted."
            )


def safe_extract(archive_path: Path, target: Path) -> Path:
    """Extract ``archive_path`` into the new folder ``target``, all or nothing.

    Members are checked first (``check_members``), then extracted with Python's
    ``data`` filter into a temporary folder that is renamed to ``target`` at the end,
    so an interrupted extraction never leaves a half-filled ``target``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part"))
    try:
        with tarfile.open(archive_path) as archive:
            check_members(archive, str(archive_path))
            archive.extractall(tmp, filter="data")
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return target
