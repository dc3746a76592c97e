"""Real data sets, verified and offline-capable.

Every file is listed in :data:`handson.data.registry.REGISTRY` with its SHA-256 and
upstream URL, lands in a cache folder, and is verified before use. See
:mod:`handson.data.store` for where files come from and the environment variables
that steer it (``HANDSON_DATA_DIR``, ``HANDSON_DATA_MIRROR``, ``HANDSON_OFFLINE``).

Command line: ``python -m handson.data list | download NAME | download --all | verify``.
"""

from __future__ import annotations

from handson.data.archives import UnsafeArchiveError, safe_extract
from handson.data.errors import CorruptFileError, DataError, DataNotFoundError
from handson.data.loaders import (
    CIFAR10_CLASSES,
    FASHION_MNIST_CLASSES,
    load_airfoil,
    load_california_housing,
    load_cifar10,
    load_fashion_mnist,
    load_fra_eng,
    load_kaggle_house_prices,
    load_mnist,
    load_time_machine,
)
from handson.data.registry import REGISTRY
from handson.data.store import cache_dir, fetch, read_payload, verify_cached

__all__ = [
    "CIFAR10_CLASSES",
    "FASHION_MNIST_CLASSES",
    "REGISTRY",
    "CorruptFileError",
    "DataError",
    "DataNotFoundError",
    "UnsafeArchiveError",
    "cache_dir",
    "fetch",
    "load_airfoil",
    "load_california_housing",
    "load_cifar10",
    "load_fashion_mnist",
    "load_fra_eng",
    "load_kaggle_house_prices",
    "load_mnist",
    "load_time_machine",
    "read_payload",
    "safe_extract",
    "verify_cached",
]
