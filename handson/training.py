"""Minibatches and the training loop that the classification tutorials use.

The loop is the one written by hand in the softmax-regression tutorial, with the
habits that keep a CPU busy: data stay in memory and batches are taken by indexing,
the loss is summed on the device and read once per epoch (a ``.item()`` per batch
would wait for every step), and evaluation runs without gradients.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
from torch import nn

from handson.metrics import evaluate_accuracy
from handson.timing import Timer

__all__ = ["History", "batches", "train"]


def batches(
    X: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    shuffle: bool = True,
    generator: torch.Generator | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield minibatches ``(X[idx], y[idx])``, in a random order when ``shuffle``.

    Taught in :doc:`/auto_tutorials/03_linear_regression/01_california_housing`
    (the hand-written ``data_iter``). The last batch may be smaller.

    Examples
    --------
    >>> import torch
    >>> X, y = torch.arange(10.0).reshape(5, 2), torch.arange(5)
    >>> [len(yb) for _, yb in batches(X, y, batch_size=2, shuffle=False)]
    [2, 2, 1]
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}; they must match.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    n = len(X)
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for i in range(0, n, batch_size):
        idx = order[i : i + batch_size]
        yield X[idx], y[idx]


@dataclass
class History:
    """Per-epoch metrics recorded by :func:`train`."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> list[int]:
        """Epoch numbers, from 1."""
        return list(range(1, len(self.train_loss) + 1))

    def plot(self, ax=None, title: str | None = None):
        """Plot loss and accuracies against the epoch; return the matplotlib axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.2))
        ax.plot(self.epochs, self.train_loss, "-", label="train loss")
        ax.plot(self.epochs, self.train_acc, "--", label="train acc")
        if self.test_acc:
            ax.plot(self.epochs, self.test_acc, "-.", label="test acc")
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend()
        if title:
            ax.set_title(title)
        return ax


def _show_progress(progress: bool | None) -> bool:
    """A progress bar in a terminal or a notebook, none in the docs build or a log."""
    if progress is not None:
        return progress
    if os.environ.get("HANDSON_PROGRESS", "").strip() in {"0", "1"}:
        return os.environ["HANDSON_PROGRESS"].strip() == "1"
    return "ipykernel" in sys.modules or sys.stderr.isatty()


def train(
    net: nn.Module,
    train_data: tuple[torch.Tensor, torch.Tensor],
    test_data: tuple[torch.Tensor, torch.Tensor] | None,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    num_epochs: int,
    batch_size: int,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    device: torch.device | None = None,
    progress: bool | None = None,
    verbose: bool = True,
    generator: torch.Generator | None = None,
) -> History:
    """Train a classifier for ``num_epochs`` epochs; return its :class:`History`.

    ``loss`` must return the *mean* loss of a batch (as ``nn.CrossEntropyLoss()``
    does). After each epoch the training loss and accuracy (averaged over the epoch's
    batches, weighted by batch size) and the test accuracy are recorded, and printed
    when ``verbose``. ``scheduler.step()`` is called once per epoch. Taught in
    :doc:`/auto_tutorials/04_linear_classification/02_softmax_regression_scratch`.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> X = torch.randn(200, 2); y = (X[:, 0] > 0).long()
    >>> net = torch.nn.Linear(2, 2)
    >>> opt = torch.optim.SGD(net.parameters(), lr=0.5)
    >>> h = train(net, (X, y), None, torch.nn.CrossEntropyLoss(), opt,
    ...           num_epochs=5, batch_size=20, verbose=False, progress=False)
    >>> h.train_acc[-1] > 0.9
    True
    """
    X_train, y_train = train_data
    if device is None:
        device = next(net.parameters()).device
    net.to(device)
    history = History()
    timer = Timer()
    bar = None
    if _show_progress(progress):
        from tqdm.auto import tqdm

        bar = tqdm(total=num_epochs, unit="epoch", leave=False)
    for epoch in range(1, num_epochs + 1):
        timer.start()
        net.train()
        loss_sum = torch.zeros((), device=device)
        hits = torch.zeros((), device=device, dtype=torch.long)
        for X, y in batches(X_train, y_train, batch_size, generator=generator):
            X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
            y_hat = net(X)
            batch_loss = loss(y_hat, y)
            optimizer.zero_grad(set_to_none=True)
            batch_loss.backward()
            optimizer.step()
            with torch.no_grad():
                loss_sum += batch_loss.detach() * len(y)
                hits += (y_hat.argmax(dim=1) == y).sum()
        if scheduler is not None:
            scheduler.step()
        n = len(y_train)
        history.train_loss.append(float(loss_sum) / n)
        history.train_acc.append(int(hits) / n)
        if test_data is not None:
            history.test_acc.append(evaluate_accuracy(net, *test_data))
        history.epoch_time.append(timer.stop())
        line = (f"epoch {epoch:3d}  loss {history.train_loss[-1]:.4f}  "
                f"train acc {history.train_acc[-1]:.4f}")
        if test_data is not None:
            line += f"  test acc {history.test_acc[-1]:.4f}"
        if bar is not None:
            bar.set_postfix_str(line[10:])
            bar.update()
        elif verbose:
            print(f"{line}  ({history.epoch_time[-1]:.1f} s)")
    if bar is not None:
        bar.close()
    return history
