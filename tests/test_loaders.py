"""The loaders on the real data (from the offline mirror): shapes, types, content."""

from __future__ import annotations

import pytest
import torch

from handson import data


@pytest.fixture(autouse=True)
def _mirror(real_mirror):
    return real_mirror


@pytest.mark.parametrize("loader", [data.load_mnist, data.load_fashion_mnist])
def test_idx_image_sets(loader):
    X, y = loader("train")
    assert X.shape == (60_000, 1, 28, 28) and X.dtype == torch.float32
    assert y.shape == (60_000,) and y.dtype == torch.int64
    assert 0.0 <= X.min() and X.max() <= 1.0 and X.max() == 1.0
    assert torch.bincount(y).tolist() >= [5_000] * 10 or torch.bincount(y).min() > 5_000
    X_test, y_test = loader("test")
    assert X_test.shape == (10_000, 1, 28, 28) and set(y_test.tolist()) == set(range(10))


def test_mnist_known_labels():
    _, y = data.load_mnist("train")
    assert y[:5].tolist() == [5, 0, 4, 1, 9]  # the famous first digits of MNIST


def test_quick_mode_shrinks(monkeypatch):
    monkeypatch.setenv("HANDSON_QUICK", "1")
    X, y = data.load_fashion_mnist("train")
    assert len(X) == len(y) == 2_000
    assert len(data.load_fashion_mnist("test")[0]) == 500


def test_bad_split_is_explained():
    with pytest.raises(ValueError, match="'train' or 'test', got 'validation'"):
        data.load_mnist("validation")


def test_cifar_subset():
    X, y = data.load_cifar10()
    assert X.shape == (4_000, 3, 32, 32) and y.shape == (4_000,)
    assert data.CIFAR10_CLASSES[int(y[0])] == "frog"  # the first CIFAR-10 image is a frog
    with pytest.raises(data.DataNotFoundError, match="no test split"):
        data.load_cifar10("test")


def test_tables_and_text():
    housing = data.load_california_housing()
    assert housing.shape == (20_640, 10)
    assert housing["total_bedrooms"].isna().sum() > 0
    train, test = data.load_kaggle_house_prices()
    assert "SalePrice" in train and "SalePrice" not in test
    assert data.load_airfoil().shape == (1_503, 6)
    assert "Time Traveller" in data.load_time_machine()
    pairs = data.load_fra_eng()
    assert len(pairs) == 18_065 and pairs[0] == ("Go.", "Va !")
