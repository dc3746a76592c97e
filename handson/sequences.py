"""Minibatches of subsequences cut from one long sequence of token indices.

Taught in :doc:`/auto_tutorials/11_recurrent_networks/03_language_models`. Both
functions yield pairs ``(X, Y)`` of shape ``(batch_size, num_steps)`` in which ``Y``
is ``X`` shifted by one token: the targets of a language model. Each epoch starts
at a random offset below ``num_steps``, so that over epochs every token boundary is
seen. Random partitioning shuffles the subsequences; sequential partitioning keeps
row ``i`` of one batch followed by row ``i`` of the next, so a recurrent network can
carry its hidden state from batch to batch.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

__all__ = ["random_batches", "sequential_batches"]


def _as_corpus(corpus) -> torch.Tensor:
    """The corpus as a 1-D tensor of integer indices, with a clear error if it is not."""
    if isinstance(corpus, str):
        raise TypeError("the corpus must be token indices, got a string: map it "
                        "through a Vocab first, e.g. torch.tensor(vocab[list(text)]).")
    corpus = torch.as_tensor(corpus)
    if corpus.dim() != 1 or corpus.is_floating_point():
        raise ValueError(f"the corpus must be a 1-D sequence of integer indices, "
                         f"got a {corpus.dim()}-D tensor of {corpus.dtype}.")
    return corpus


def _check_sizes(n: int, batch_size: int, num_steps: int) -> None:
    if batch_size < 1 or num_steps < 1:
        raise ValueError(f"batch_size and num_steps must be at least 1, got "
                         f"{batch_size} and {num_steps}.")
    # The worst offset is num_steps - 1; one more token is needed for the last target.
    needed = batch_size * num_steps + num_steps
    if n < needed:
        raise ValueError(
            f"a corpus of {n} tokens is too short for one batch of {batch_size} "
            f"subsequences of {num_steps} steps (needs at least {needed} tokens, "
            f"room for a random offset included). Use a smaller batch_size or "
            f"num_steps, or a longer corpus.")


def random_batches(corpus, batch_size: int, num_steps: int,
                   generator: torch.Generator | None = None
                   ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Minibatches of randomly chosen, non-overlapping subsequences (one epoch).

    The first ``d`` tokens are dropped, ``d`` drawn uniformly from ``[0, num_steps)``;
    the rest is cut into subsequences of ``num_steps`` tokens, which are shuffled and
    grouped into full batches (the remainder is dropped). Neighbouring rows of a
    batch are unrelated, so the hidden state must be reset for every batch. Taught
    in :doc:`/auto_tutorials/11_recurrent_networks/03_language_models`.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> X, Y = next(random_batches(torch.arange(20), 2, 3, generator=g))
    >>> X.shape, bool((Y == X + 1).all())
    (torch.Size([2, 3]), True)
    """
    corpus = _as_corpus(corpus)
    _check_sizes(len(corpus), batch_size, num_steps)
    offset = int(torch.randint(num_steps, (1,), generator=generator))
    num_subseqs = (len(corpus) - offset - 1) // num_steps
    starts = offset + num_steps * torch.randperm(num_subseqs, generator=generator)
    steps = torch.arange(num_steps)
    for i in range(0, num_subseqs - batch_size + 1, batch_size):
        idx = starts[i: i + batch_size, None] + steps
        yield corpus[idx], corpus[idx + 1]


def sequential_batches(corpus, batch_size: int, num_steps: int,
                       generator: torch.Generator | None = None
                       ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Minibatches whose rows continue those of the previous batch (one epoch).

    After a random offset below ``num_steps``, the corpus is split into
    ``batch_size`` equal streams, one per row; batch ``j`` holds steps
    ``j * num_steps`` to ``(j + 1) * num_steps - 1`` of every stream. A recurrent
    network may therefore keep its hidden state between batches (detached from the
    graph). Taught in :doc:`/auto_tutorials/11_recurrent_networks/03_language_models`.

    Examples
    --------
    >>> X1, _ = next(sequential_batches(torch.arange(30), 2, 3,
    ...                                 generator=torch.Generator().manual_seed(0)))
    >>> X1.shape
    torch.Size([2, 3])
    """
    corpus = _as_corpus(corpus)
    _check_sizes(len(corpus), batch_size, num_steps)
    offset = int(torch.randint(num_steps, (1,), generator=generator))
    num_tokens = (len(corpus) - offset - 1) // batch_size * batch_size
    Xs = corpus[offset: offset + num_tokens].reshape(batch_size, -1)
    Ys = corpus[offset + 1: offset + 1 + num_tokens].reshape(batch_size, -1)
    for j in range(0, Xs.shape[1] - num_steps + 1, num_steps):
        yield Xs[:, j: j + num_steps], Ys[:, j: j + num_steps]
