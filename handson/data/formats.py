"""Parsers for the binary formats of the image data sets, with checks that explain.

* IDX (MNIST, Fashion-MNIST): a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then
  ``ndim`` big-endian ``int32`` sizes, then the values.
* CIFAR-10 binary: records of 1 label byte and 3,072 pixel bytes (1,024 red, then
  1,024 green, then 1,024 blue, each a row-major 32x32 plane).
"""

from __future__ import annotations

import math

import numpy as np

from handson.data.errors import CorruptFileError

__all__ = ["CIFAR_RECORD_BYTES", "parse_cifar10", "parse_idx"]

_UBYTE = 0x08
CIFAR_RECORD_BYTES = 1 + 3 * 32 * 32


def parse_idx(data: bytes, ndim: int, source: str) -> np.ndarray:
    """Parse an unsigned-byte IDX file with ``ndim`` dimensions into a uint8 array.

    Examples
    --------
    >>> parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]), 1, "labels").tolist()
    [7, 9]
    """
    magic = int.from_bytes(data[:4], "big")
    expected = (_UBYTE << 8) | ndim
    if len(data) < 4 or magic != expected:
        raise CorruptFileError(
            f"{source}: IDX magic number is {magic:#010x}, expected {expected:#010x} "
            f"(unsigned bytes, {ndim} dimensions). Is this the right file, and was it "
            "decompressed?"
        )
    if len(data) < 4 + 4 * ndim:
        raise CorruptFileError(f"{source}: {len(data)} bytes is too short for an IDX header.")
    shape = tuple(
        int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    header = 4 + 4 * ndim
    if len(data) - header != math.prod(shape):
        raise CorruptFileError(
            f"{source}: header promises shape {shape} ({math.prod(shape)} values) but "
            f"{len(data) - header} bytes follow; the file is truncated or damaged."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def parse_cifar10(data: bytes, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse CIFAR-10 binary records into ``(images (N, 3, 32, 32) uint8, labels (N,))``.

    Examples
    --------
    >>> images, labels = parse_cifar10(bytes([3]) + bytes(3072), "one record")
    >>> images.shape, labels.tolist()
    ((1, 3, 32, 32), [3])
    """
    if len(data) == 0 or len(data) % CIFAR_RECORD_BYTES:
        raise CorruptFileError(
            f"{source}: {len(data)} bytes is not a whole number of CIFAR-10 records "
            f"({CIFAR_RECORD_BYTES} bytes each: 1 label byte and 3x32x32 pixels)."
        )
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, CIFAR_RECORD_BYTES)
    labels = records[:, 0]
    if labels.max() > 9:
        bad = int(np.argmax(labels > 9))
        raise CorruptFileError(
            f"{source}: record {bad} has label {labels[bad]}, but CIFAR-10 labels are 0-9."
        )
    return records[:, 1:].reshape(-1, 3, 32, 32), labels
