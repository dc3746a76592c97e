"""Real data sets, verified and offline-capable.

Every file is listed in :data:`handson.data.REGISTRY` with its SHA-256 and
upstream URL, lands in a cache folder, and is verified before use. See
:mod:`handson.data.store` for where files come from and the environment variables
that steer it (``HANDSON_DATA_DIR``, ``HANDSON_DATA_MIRROR``, ``HANDSON_OFFLINE``).

Command line: ``python -m handson.data list | download NAME | download --all | verify``.
"""

from __future__ import annotations

from handson.data import loaders, registry
from handson.data.archives import UnsafeArchiveError, safe_extract
from handson.data.errors import CorruptFileError, DataError, DataNotFoundError
from handson.data.loaders import (
    load_airfoil,
    load_california_housing,
    load_cifar10,
    load_fashion_mnist,
    load_fra_eng,
    load_kaggle_house_prices,
    load_mnist,
    load_time_machine,
)
from handson.data.store import cache_dir, fetch, read_payload, verify_cached

# Re-bound here (not just imported) so that their doc comments belong to this package.
#: Fashion-MNIST's label names in label order (``FASHION_MNIST_CLASSES[y]`` names label ``y``).
FASHION_MNIST_CLASSES = loaders.FASHION_MNIST_CLASSES
#: CIFAR-10's label names, in label order.
CIFAR10_CLASSES = loaders.CIFAR10_CLASSES
#: Every data set the course uses, by name, with its files, upstream URLs and SHA-256 digests.
REGISTRY = registry.REGISTRY

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
