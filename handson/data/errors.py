"""The data layer's errors: each message says what was wrong and how to fix it."""

from __future__ import annotations

__all__ = ["CorruptFileError", "DataError", "DataNotFoundError"]


class DataError(RuntimeError):
    """Base class of the data layer's errors."""


class CorruptFileError(DataError):
    """A file's content does not match its registry digest, or does not parse."""


class DataNotFoundError(DataError):
    """No source could deliver a valid copy of a file."""
