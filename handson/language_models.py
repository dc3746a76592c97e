"""Training and evaluating language models: clipping, perplexity, generation.

Taught in :doc:`/auto_tutorials/11_recurrent_networks/04_rnn_from_scratch`.
Every language model of the course follows one convention, so that one loop
trains the recurrent networks of chapters 11 and 12 and any later model that keeps
to it: ``net(X, state)`` takes ``X`` of token indices, shape ``(batch, num_steps)``,
and the state returned by the previous call (``None`` to start afresh), and returns
``(logits, state)`` with logits of shape ``(batch, num_steps, vocab_size)``. The state
may be a tensor, a tuple of tensors (an LSTM) or ``None`` (a model without one).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F

from handson.sequences import random_batches, sequential_batches
from handson.timing import Timer

__all__ = ["LMHistory", "clip_gradients", "detach_state", "evaluate_perplexity",
           "generate", "train_language_model"]


def clip_gradients(params: nn.Module | Iterable[torch.Tensor], max_norm: float) -> float:
    """Scale all gradients together so that their joint L2 norm is at most ``max_norm``.

    Returns the norm before clipping, so a page can plot how often clipping acts.
    The same rule as ``torch.nn.utils.clip_grad_norm_`` (checked equal on the page
    that teaches it, :doc:`/auto_tutorials/11_recurrent_networks/04_rnn_from_scratch`).

    Examples
    --------
    >>> w = torch.zeros(2, requires_grad=True)
    >>> w.grad = torch.tensor([3.0, 4.0])
    >>> clip_gradients([w], max_norm=1.0)
    5.0
    >>> [round(g, 4) for g in w.grad.tolist()]
    [0.6, 0.8]
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}.")
    if isinstance(params, nn.Module):
        params = params.parameters()
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    norm = torch.sqrt(sum((g.detach() ** 2).sum() for g in grads))
    scale = torch.clamp(max_norm / (norm + 1e-6), max=1.0)
    for g in grads:
        g.mul_(scale)
    return float(norm)


def detach_state(state):
    """The hidden state cut from the graph: a tensor, a tuple/list of them, or None.

    Between batches of sequential partitioning the state carries information
    forward but gradients must stop (truncated backpropagation through time).
    Taught in :doc:`/auto_tutorials/11_recurrent_networks/06_bptt`.
    """
    if state is None:
        return None
    if isinstance(state, torch.Tensor):
        return state.detach()
    if isinstance(state, (tuple, list)):
        return type(state)(detach_state(s) for s in state)
    raise TypeError(f"a state is a tensor, a tuple or list of tensors, or None; got "
                    f"{type(state).__name__}.")


def _loss_sum(logits: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    if logits.shape[:2] != Y.shape or logits.dim() != 3:
        raise ValueError(f"a language model must return logits of shape (batch, "
                         f"num_steps, vocab_size) = {(*Y.shape, 'V')}, got "
                         f"{tuple(logits.shape)}.")
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y.reshape(-1),
                           reduction="sum")


def evaluate_perplexity(net: nn.Module, corpus, num_steps: int = 64,
                        batch_size: int = 16) -> float:
    """Perplexity of ``net`` on ``corpus``: exp of the mean negative log-likelihood.

    The corpus is split into ``batch_size`` contiguous streams read in order with
    the state carried over (no random offset, evaluation mode, no gradients), so
    every token but the first of the corpus (and a tail shorter than
    ``batch_size``) is predicted once, from all of its stream before it. Every
    page scores held-out text with the defaults, so perplexities compare. Taught in
    :doc:`/auto_tutorials/11_recurrent_networks/04_rnn_from_scratch`.
    """
    corpus = torch.as_tensor(corpus)
    n = (len(corpus) - 1) // batch_size * batch_size
    if n < batch_size:
        raise ValueError(f"a corpus of {len(corpus)} tokens is too short to evaluate "
                         f"with {batch_size} streams; use a smaller batch_size.")
    device = next(net.parameters()).device
    Xs = corpus[:n].reshape(batch_size, -1).to(device)
    Ys = corpus[1: n + 1].reshape(batch_size, -1).to(device)
    was_training, state = net.training, None
    total, count = torch.zeros((), device=device), 0
    net.eval()
    try:
        with torch.no_grad():
            for j in range(0, Xs.shape[1], num_steps):
                X, Y = Xs[:, j: j + num_steps], Ys[:, j: j + num_steps]
                logits, state = net(X, state)
                total += _loss_sum(logits, Y)
                count += Y.numel()
    finally:
        net.train(was_training)
    return math.exp(float(total) / count)


@dataclass
class LMHistory:
    """Per-epoch perplexities and speed recorded by :func:`train_language_model`."""

    train_perplexity: list[float] = field(default_factory=list)
    valid_perplexity: list[float] = field(default_factory=list)
    tokens_per_sec: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)


def train_language_model(net: nn.Module, train_corpus, valid_corpus,
                         optimizer: torch.optim.Optimizer, num_epochs: int,
                         batch_size: int, num_steps: int, *, clip: float | None = 1.0,
                         sequential: bool = False,
                         generator: torch.Generator | None = None) -> LMHistory:
    """Train a language model by next-token cross-entropy; perplexity per epoch.

    Minibatches come from :func:`~handson.sequences.random_batches` (state reset
    every batch) or, with ``sequential=True``, from
    :func:`~handson.sequences.sequential_batches` (state carried and detached). The
    gradient norm is clipped to ``clip`` and recorded before clipping, one value
    per update in ``grad_norms`` (with ``clip=None`` nothing is clipped or
    recorded). The loss is summed on the device and read once per epoch. The
    held-out perplexity is :func:`evaluate_perplexity` with its defaults, after
    every epoch; ``valid_corpus`` may be ``None``. Taught in
    :doc:`/auto_tutorials/11_recurrent_networks/04_rnn_from_scratch`.
    """
    if num_epochs < 1:
        raise ValueError(f"num_epochs must be at least 1, got {num_epochs}.")
    device = next(net.parameters()).device
    make_batches = sequential_batches if sequential else random_batches
    history = LMHistory()
    for _ in range(num_epochs):
        net.train()
        total, count, state, norms = torch.zeros((), device=device), 0, None, []
        timer = Timer()
        timer.start()
        for X, Y in make_batches(train_corpus, batch_size, num_steps, generator):
            X, Y = X.to(device), Y.to(device)
            state = detach_state(state) if sequential else None
            logits, state = net(X, state)
            loss = _loss_sum(logits, Y)
            optimizer.zero_grad()
            (loss / Y.numel()).backward()
            if clip is not None:
                norms.append(clip_gradients(net, clip))
            optimizer.step()
            total += loss.detach()
            count += Y.numel()
        seconds = timer.stop()
        history.train_perplexity.append(math.exp(float(total) / count))
        history.tokens_per_sec.append(count / seconds)
        history.grad_norms.extend(norms)
        if valid_corpus is not None:
            history.valid_perplexity.append(evaluate_perplexity(net, valid_corpus))
    return history


def generate(net: nn.Module, vocab, prefix: str, num_chars: int) -> str:
    """``prefix`` continued by ``num_chars`` characters, each the most likely one.

    A character-level model reads the prefix to warm up its state, then feeds each
    predicted character back in (greedy decoding). Taught in
    :doc:`/auto_tutorials/11_recurrent_networks/04_rnn_from_scratch`.
    """
    if not isinstance(prefix, str) or not prefix:
        raise ValueError(f"prefix must be a non-empty string, got {prefix!r}.")
    if num_chars < 0:
        raise ValueError(f"num_chars must be at least 0, got {num_chars}.")
    device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    out = list(prefix)
    try:
        with torch.no_grad():
            X = torch.tensor([vocab[out]], device=device)
            logits, state = net(X, None)
            for _ in range(num_chars):
                token = int(logits[0, -1].argmax())
                out.append(vocab.to_tokens(token))
                logits, state = net(torch.tensor([[token]], device=device), state)
    finally:
        net.train(was_training)
    return "".join(out)
