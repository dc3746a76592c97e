"""The IDX and CIFAR-10 parsers refuse what they cannot read, and say why."""

from __future__ import annotations

import numpy as np
import pytest

from handson.data import CorruptFileError
from handson.data.formats import CIFAR_RECORD_BYTES, parse_cifar10, parse_idx


def _idx(shape: tuple[int, ...], values: bytes, code: int = 0x08) -> bytes:
    header = bytes([0, 0, code, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape)
    return header + values


def test_idx_round_trip():
    arr = parse_idx(_idx((2, 3, 4), bytes(range(24))), 3, "t")
    assert arr.shape == (2, 3, 4) and arr[1, 2, 3] == 23 and arr.dtype == np.uint8


def test_idx_wrong_magic_names_both_numbers():
    with pytest.raises(CorruptFileError, match=r"0x00000801, expected 0x00000803"):
        parse_idx(_idx((4,), bytes(4)), 3, "labels-as-images")


def test_idx_wrong_type_code():
    with pytest.raises(CorruptFileError, match="magic number"):
        parse_idx(_idx((4,), bytes(16), code=0x0C), 1, "int32 file")


def test_idx_truncated_payload():
    with pytest.raises(CorruptFileError, match=r"shape \(2, 3\) \(6 values\) but 5 bytes"):
        parse_idx(_idx((2, 3), bytes(5)), 2, "t")


def test_idx_still_gzipped_is_explained():
    with pytest.raises(CorruptFileError, match="decompressed"):
        parse_idx(b"\x1f\x8b\x08\x00" + bytes(20), 3, "gz")


def test_cifar_records_parse_channel_planes():
    record = bytes([7]) + bytes([1] * 1024 + [2] * 1024 + [3] * 1024)
    images, labels = parse_cifar10(record * 2, "t")
    assert images.shape == (2, 3, 32, 32) and labels.tolist() == [7, 7]
    assert images[0, :, 5, 5].tolist() == [1, 2, 3]


def test_cifar_partial_record_is_refused():
    with pytest.raises(CorruptFileError, match=f"{CIFAR_RECORD_BYTES} bytes each"):
        parse_cifar10(bytes(CIFAR_RECORD_BYTES + 10), "t")


def test_cifar_label_out_of_range():
    with pytest.raises(CorruptFileError, match="record 1 has label 12"):
        parse_cifar10(bytes(CIFAR_RECORD_BYTES) + bytes([12]) + bytes(3072), "t")
