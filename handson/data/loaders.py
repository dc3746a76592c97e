"""Loaders: each data set as in-memory tensors (images) or a pandas table (tabular data).

Images come back as ``float32`` tensors in ``[0, 1]`` of shape ``(N, C, H, W)`` with
``int64`` labels, ready to be batched by indexing: no per-sample Python transform.
Tables come back as the raw :class:`pandas.DataFrame`, because cleaning a table is a
lesson of its own (see the linear-regression tutorial). In quick mode
(``HANDSON_QUICK=1``) image sets are cut to their first few thousand samples.
"""

from __future__ import annotations

import io
from typing import Literal

import numpy as np
import pandas as pd
import torch

from handson.data.errors import CorruptFileError, DataNotFoundError
from handson.data.formats import parse_cifar10, parse_idx
from handson.data.registry import FRA_ENG_PAIRS
from handson.data.store import extracted, fetch, read_payload
from handson.quick import shrink

__all__ = [
    "CIFAR10_CLASSES",
    "FASHION_MNIST_CLASSES",
    "load_airfoil",
    "load_california_housing",
    "load_cifar10",
    "load_fashion_mnist",
    "load_fra_eng",
    "load_kaggle_house_prices",
    "load_mnist",
    "load_time_machine",
]

Split = Literal["train", "test"]

#: Fashion-MNIST's label names, in label order.
FASHION_MNIST_CLASSES = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)
#: CIFAR-10's label names, in label order.
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)

_QUICK_SIZES = {"train": 2_000, "test": 500}


def _check_split(split: str) -> None:
    if split not in _QUICK_SIZES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")


def _to_tensors(images: np.ndarray, labels: np.ndarray,
                split: str) -> tuple[torch.Tensor, torch.Tensor]:
    n = shrink(len(labels), _QUICK_SIZES[split])
    X = torch.from_numpy(images[:n].copy()).float().div_(255)
    y = torch.from_numpy(labels[:n].astype(np.int64))
    return X, y


def _load_idx_pair(name: str, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    _check_split(split)
    prefix = "train" if split == "train" else "t10k"
    images_file = f"{prefix}-images-idx3-ubyte.gz"
    labels_file = f"{prefix}-labels-idx1-ubyte.gz"
    images = parse_idx(read_payload(name, images_file), 3, f"{name}/{images_file}")
    labels = parse_idx(read_payload(name, labels_file), 1, f"{name}/{labels_file}")
    if len(images) != len(labels):
        raise ValueError(f"{name} {split}: {len(images)} images but {len(labels)} labels.")
    return _to_tensors(images[:, None], labels, split)


def load_mnist(split: Split = "train") -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST digits: ``X`` of shape ``(N, 1, 28, 28)`` in ``[0, 1]``, ``y`` in ``0..9``.

    Examples
    --------
    >>> X, y = load_mnist("test")
    >>> X.shape[1:], X.dtype, y.dtype
    (torch.Size([1, 28, 28]), torch.float32, torch.int64)
    """
    return _load_idx_pair("mnist", split)


def load_fashion_mnist(split: Split = "train") -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST: like :func:`load_mnist`; names in :data:`handson.data.FASHION_MNIST_CLASSES`.

    Examples
    --------
    >>> X, y = load_fashion_mnist("test")
    >>> FASHION_MNIST_CLASSES[int(y[0])]
    'ankle boot'
    """
    return _load_idx_pair("fashion-mnist", split)


def load_cifar10(split: Split = "train", *,
                 full: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """CIFAR-10: ``X`` of shape ``(N, 3, 32, 32)`` in ``[0, 1]``, ``y`` in ``0..9``.

    With ``full=False`` (the default) this is the course mirror's subset: the first
    4,000 training images and no test split. ``full=True`` downloads the official
    163 MiB archive (50,000 train and 10,000 test images) and parses it the same way.

    Examples
    --------
    >>> X, y = load_cifar10()
    >>> X.shape[1:], CIFAR10_CLASSES[int(y[0])]
    (torch.Size([3, 32, 32]), 'frog')
    """
    _check_split(split)
    if not full:
        if split == "test":
            raise DataNotFoundError(
                "The CIFAR-10 subset has no test split (the mirror holds the first 4,000 "
                "training images only). Split the training images yourself, or call "
                "load_cifar10('test', full=True) on a machine that can download the full set."
            )
        name, fname = "cifar-10-subset", "data_batch_1_first4000.bin"
        images, labels = parse_cifar10(read_payload(name, fname), f"{name}/{fname}")
        return _to_tensors(images, labels, split)
    folder = extracted("cifar-10", "cifar-10-binary.tar.gz") / "cifar-10-batches-bin"
    files = ["test_batch.bin"] if split == "test" else [f"data_batch_{i}.bin" for i in range(1, 6)]
    parts = [parse_cifar10((folder / f).read_bytes(), f"cifar-10/{f}") for f in files]
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    return _to_tensors(images, labels, split)


def load_california_housing() -> pd.DataFrame:
    """California housing: 20,640 districts, 9 features and ``median_house_value``.

    Returned raw, as published: ``total_bedrooms`` has missing values and
    ``ocean_proximity`` is categorical.

    Examples
    --------
    >>> load_california_housing().shape
    (20640, 10)
    """
    folder = extracted("california-housing", "housing.tgz")
    return pd.read_csv(folder / "housing.csv")


def load_kaggle_house_prices() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kaggle's Ames house prices: ``(train, test)`` tables; only train has ``SalePrice``.

    Examples
    --------
    >>> train, test = load_kaggle_house_prices()
    >>> train.shape, test.shape
    ((1460, 81), (1459, 80))
    """
    name = "kaggle-house-prices"
    train = pd.read_csv(io.BytesIO(read_payload(name, "kaggle_house_pred_train.csv")))
    test = pd.read_csv(io.BytesIO(read_payload(name, "kaggle_house_pred_test.csv")))
    return train, test


AIRFOIL_COLUMNS = (
    "frequency_hz", "angle_deg", "chord_m", "velocity_m_s", "thickness_m", "sound_db",
)


def load_airfoil() -> pd.DataFrame:
    """NASA airfoil self-noise: 1,503 rows, five features and ``sound_db``.

    Examples
    --------
    >>> load_airfoil().shape
    (1503, 6)
    """
    data = read_payload("airfoil", "airfoil_self_noise.dat")
    return pd.read_csv(io.BytesIO(data), sep="\t", header=None, names=list(AIRFOIL_COLUMNS))


def load_time_machine() -> str:
    """The text of H. G. Wells's *The Time Machine*, as one string.

    Examples
    --------
    >>> load_time_machine()[:20]
    'The Time Machine, by'
    """
    return read_payload("timemachine", "timemachine.txt").decode("utf-8")


def _fra_eng_from_d2l() -> str:
    """The first :data:`~handson.data.registry.FRA_ENG_PAIRS` lines of D2L's fra.txt."""
    import zipfile

    archive = fetch("fra-eng-d2l") / "fra-eng.zip"
    with zipfile.ZipFile(archive) as zf:
        name = next((n for n in zf.namelist() if n.endswith("fra.txt")), None)
        if name is None:
            raise CorruptFileError(f"{archive} holds no fra.txt: {zf.namelist()[:5]}")
        lines = zf.read(name).decode("utf-8").splitlines()
    return "\n".join(lines[:FRA_ENG_PAIRS]) + "\n"


def load_fra_eng() -> list[tuple[str, str]]:
    """English-French sentence pairs ``(english, french)``, shortest first.

    The course's cut (``fra-eng``: the first 18,065 pairs) comes from the mirror; where
    no mirror has it, the same number of pairs is cut from the start of D2L's
    ``fra-eng.zip`` (``fra-eng-d2l``, verified by the SHA-1 D2L pins). The two copies
    come from different Tatoeba exports, so a page must not depend on which it got.

    Examples
    --------
    >>> load_fra_eng()[0]
    ('Go.', 'Va !')
    """
    try:
        text = read_payload("fra-eng", "fra.txt").decode("utf-8")
    except DataNotFoundError as mirror_err:
        try:
            text = _fra_eng_from_d2l()
        except DataNotFoundError as d2l_err:
            raise DataNotFoundError(f"{mirror_err}\n\nNor could D2L's copy be used:\n"
                                    f"{d2l_err}") from None
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            raise ValueError(f"fra-eng/fra.txt line {number} has no tab: {line[:60]!r}")
        pairs.append((fields[0], fields[1]))
    return pairs[: shrink(len(pairs), 2_000)]
