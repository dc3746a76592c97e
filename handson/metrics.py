"""Accuracy: the fraction of examples a classifier gets right."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["accuracy", "evaluate_accuracy"]


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of correct predictions.

    ``y_hat`` holds either scores of shape ``(n, q)`` (the predicted class is the
    largest) or predicted labels of shape ``(n,)``. Taught in
    :doc:`/auto_tutorials/04_linear_classification/02_softmax_regression_scratch`.

    Examples
    --------
    >>> import torch
    >>> accuracy(torch.tensor([[0.1, 0.9], [0.8, 0.2]]), torch.tensor([1, 1]))
    0.5
    """
    return correct(y_hat, y) / max(len(y), 1)


def correct(y_hat: torch.Tensor, y: torch.Tensor) -> int:
    """Number of correct predictions (see :func:`accuracy`)."""
    if y_hat.ndim == 2:
        y_hat = y_hat.argmax(dim=1)
    if y_hat.shape != y.shape:
        raise ValueError(
            f"predictions of shape {tuple(y_hat.shape)} do not match labels of shape "
            f"{tuple(y.shape)}; pass scores (n, q) or labels (n,)."
        )
    return int((y_hat == y).sum())


@torch.no_grad()
def evaluate_accuracy(
    net: nn.Module, X: torch.Tensor, y: torch.Tensor, batch_size: int = 1024
) -> float:
    """Accuracy of ``net`` on ``(X, y)``, in evaluation mode and without gradients.

    Batches are moved to the device of ``net``'s parameters. The module's training
    flag is restored afterwards, so calling this in the middle of training is safe.
    Taught in :doc:`/auto_tutorials/04_linear_classification/02_softmax_regression_scratch`.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Linear(2, 2)
    >>> X, y = torch.randn(10, 2), torch.zeros(10, dtype=torch.long)
    >>> 0.0 <= evaluate_accuracy(net, X, y) <= 1.0
    True
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}.")
    device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    hits = 0
    for i in range(0, len(X), batch_size):
        hits += int((net(X[i : i + batch_size].to(device)).argmax(1)
                     == y[i : i + batch_size].to(device)).sum())
    net.train(was_training)
    return hits / max(len(y), 1)
