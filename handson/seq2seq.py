"""Encoder-decoder models for sequence to sequence learning: interface, GRU model,
masked loss, training loop, greedy translation and BLEU.

Taught in :doc:`/auto_tutorials/12_modern_recurrent_networks/05_seq2seq`. Every
sequence-to-sequence model of the course (the GRU encoder-decoder here, Bahdanau
attention and the Transformer in chapter 13) follows one interface, so that one loop
trains them and one search (greedy here, beam search on
:doc:`/auto_tutorials/12_modern_recurrent_networks/06_beam_search`) decodes them:

* ``encoder(src, src_valid_len) -> enc_outputs``, with ``src`` of token indices, shape
  ``(batch, num_steps)``; what ``enc_outputs`` holds is the encoder's business;
* ``decoder.init_state(enc_outputs, src_valid_len) -> state``;
* ``decoder(X, state) -> (logits, state)``, with ``X`` of shape ``(batch, steps)`` and
  logits of shape ``(batch, steps, tgt_vocab_size)``; called once on the whole
  teacher-forced input in training, one step at a time when translating;
* :class:`EncoderDecoder` ``net(src, dec_in, src_valid_len) -> logits`` joins the two.

The data come from :mod:`handson.translation`.
"""

from __future__ import annotations

import collections
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F

from handson.language_models import clip_gradients
from handson.translation import BOS, EOS, Seq2SeqTensors, TranslationData

__all__ = ["Decoder", "Encoder", "EncoderDecoder", "Seq2SeqDecoder", "Seq2SeqEncoder",
           "Seq2SeqHistory", "bleu", "evaluate_loss", "greedy_translate",
           "init_seq2seq", "masked_cross_entropy", "train_seq2seq"]


class Encoder(nn.Module):
    """The encoder interface: ``forward(src, src_valid_len=None) -> enc_outputs``.

    Taught in :doc:`/auto_tutorials/12_modern_recurrent_networks/05_seq2seq`.
    """

    def forward(self, src: torch.Tensor, src_valid_len: torch.Tensor | None = None):
        raise NotImplementedError


class Decoder(nn.Module):
    """The decoder interface: ``init_state(enc_outputs, src_valid_len) -> state`` and
    ``forward(X, state) -> (logits, state)``.

    Taught in :doc:`/auto_tutorials/12_modern_recurrent_networks/05_seq2seq`.
    """

    def init_state(self, enc_outputs, src_valid_len: torch.Tensor | None = None):
        raise NotImplementedError

    def forward(self, X: torch.Tensor, state):
        raise NotImplementedError


class EncoderDecoder(nn.Module):
    """An encoder and a decoder joined: ``net(src, dec_in, src_valid_len) -> logits``.

    The encoder reads the source, the decoder's state is initialised from its output,
    and the decoder reads the whole teacher-forced input ``dec_in`` (``<bos>`` then
    the target shifted right) in one call. Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/05_seq2seq`.

    Examples
    --------
    >>> net = EncoderDecoder(Seq2SeqEncoder(10, 8, 16), Seq2SeqDecoder(12, 8, 16))
    >>> net(torch.zeros(4, 7, dtype=torch.long), torch.zeros(4, 5, dtype=torch.long),
    ...     torch.full((4,), 7)).shape
    torch.Size([4, 5, 12])
    """

    def __init__(self, encoder: torch.nn.Module, decoder: torch.nn.Module):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, src: torch.Tensor, dec_in: torch.Tensor,
                src_valid_len: torch.Tensor | None = None) -> torch.Tensor:
        enc_outputs = self.encoder(src, src_valid_len)
        state = self.decoder.init_state(enc_outputs, src_valid_len)
        return self.decoder(dec_in, state)[0]


def init_seq2seq(module: nn.Module) -> None:
    """D2L's initialisation: Xavier-uniform weights for linear and GRU layers.

    Use as ``net.apply(init_seq2seq)``. Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/05_seq2seq`.
    """
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)
    if isinstance(module, nn.GRU):
        for name, param in module.named_parameters():
            if "weight" in name:
                nn.init.xavier_uniform_(param)


def _check_indices(X: torch.Tensor, name: str) -> None:
    if not isinstance(X, torch.Tensor) or X.dim() != 2 or X.is_floating_point():
        shape = tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__
        raise ValueError(f"{name} must be a 2-D tensor of token indices (batch, "
                         f"num_steps), got {shape}.")


class Seq2SeqEncoder(Encoder):
    """D2L's RNN encoder: an embedding, then a (multilayer) GRU, batch first.

    ``forward(src, src_valid_len=None)`` returns ``(outputs, state)``: the top
    layer's hidden state at every step, shape ``(batch, num_steps, num_hiddens)``,
    and every layer's state after the last step, ``(num_layers, batch,
    num_hiddens)``. Like D2L's, it reads the padding too (``src_valid_len`` is
    accepted for the interface and ignored). Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/05_seq2seq`.

    Examples
    --------
    >>> outputs, state = Seq2SeqEncoder(10, 8, 16, num_layers=2)(
    ...     torch.zeros(4, 9, dtype=torch.long))
    >>> tuple(outputs.shape), tuple(state.shape)
    ((4, 9, 16), (2, 4, 16))
    """

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int,
                 num_layers: int = 1, dropout: float = 0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, batch_first=True,
                          dropout=dropout if num_layers > 1 else 0.0)
        self.apply(init_seq2seq)

    def forward(self, src: torch.Tensor, src_valid_len: torch.Tensor | None = None):
        _check_indices(src, "src")
        return self.rnn(self.embedding(src))


class Seq2SeqDecoder(Decoder):
    """D2L's RNN decoder: the context is concatenated to every input embedding.

    ``init_state((outputs, state))`` takes the encoder's result; the decoder state
    is ``(context, hidden)``: the context, the encoder's top-layer state after the
    last step, shape ``(batch, num_hiddens)``, stays fixed; ``hidden`` (``(num_layers,
    batch, num_hiddens)``, started at the encoder's final state) is updated. So the
    encoder and the decoder must have the same ``num_hiddens`` and ``num_layers``.
    ``forward(X, state)`` returns logits ``(batch, steps, vocab_size)`` and the new
    state. Taught in :doc:`/auto_tutorials/12_modern_recurrent_networks/05_seq2seq`.

    Examples
    --------
    >>> encoder, decoder = Seq2SeqEncoder(10, 8, 16), Seq2SeqDecoder(12, 8, 16)
    >>> X = torch.zeros(4, 9, dtype=torch.long)
    >>> logits, (context, hidden) = decoder(X[:, :3], decoder.init_state(encoder(X)))
    >>> tuple(logits.shape), tuple(context.shape), tuple(hidden.shape)
    ((4, 3, 12), (4, 16), (1, 4, 16))
    """

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int,
                 num_layers: int = 1, dropout: float = 0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers,
                          batch_first=True, dropout=dropout if num_layers > 1 else 0.0)
        self.dense = nn.Linear(num_hiddens, vocab_size)
        self.apply(init_seq2seq)

    def init_state(self, enc_outputs, src_valid_len: torch.Tensor | None = None):
        if not (isinstance(enc_outputs, (tuple, list)) and len(enc_outputs) == 2):
            raise TypeError("Seq2SeqDecoder.init_state expects the encoder's "
                            "(outputs, state) pair.")
        _, enc_state = enc_outputs
        if enc_state.shape[0] != self.rnn.num_layers or \
                enc_state.shape[-1] != self.rnn.hidden_size:
            raise ValueError(f"the encoder state has shape {tuple(enc_state.shape)}, "
                             f"but this decoder needs ({self.rnn.num_layers}, batch, "
                             f"{self.rnn.hidden_size}): use the same num_layers and "
                             f"num_hiddens in both.")
        return enc_state[-1], enc_state

    def forward(self, X: torch.Tensor, state):
        _check_indices(X, "X")
        context, hidden = state
        embs = self.embedding(X)                          # (batch, steps, embed)
        context_rep = context.unsqueeze(1).expand(-1, X.shape[1], -1)
        outputs, hidden = self.rnn(torch.cat([embs, context_rep], dim=-1), hidden)
        return self.dense(outputs), (context, hidden)


def masked_cross_entropy(logits: torch.Tensor, Y: torch.Tensor,
                         valid_len: torch.Tensor) -> torch.Tensor:
    """Cross-entropy averaged over the real tokens only: padding does not count.

    Row ``i`` of ``Y`` (``(batch, num_steps)`` labels) has ``valid_len[i]`` real
    tokens, the rest is padding; ``logits`` has shape ``(batch, num_steps,
    vocab_size)``. Returns the mean loss over the ``valid_len.sum()`` real tokens.
    Taught in :doc:`/auto_tutorials/12_modern_recurrent_networks/05_seq2seq`.

    Examples
    --------
    >>> logits = torch.zeros(2, 3, 5)          # uniform over 5 tokens
    >>> round(float(masked_cross_entropy(logits, torch.zeros(2, 3, dtype=torch.long),
    ...                                  torch.tensor([3, 1]))), 4)
    1.6094
    """
    if logits.dim() != 3 or logits.shape[:2] != Y.shape:
        raise ValueError(f"logits must have shape (batch, num_steps, vocab_size) = "
                         f"{(*Y.shape, 'V')}, got {tuple(logits.shape)}.")
    valid_len = torch.as_tensor(valid_len, device=Y.device)
    if valid_len.shape != Y.shape[:1]:
        raise ValueError(f"valid_len must hold one length per row of Y "
                         f"({Y.shape[0]}), got shape {tuple(valid_len.shape)}.")
    if bool((valid_len < 0).any()) or bool((valid_len > Y.shape[1]).any()):
        raise ValueError(f"valid lengths must lie between 0 and num_steps = "
                         f"{Y.shape[1]}, got {valid_len.tolist()}.")
    mask = (torch.arange(Y.shape[1], device=Y.device)[None, :]
            < valid_len[:, None]).to(logits.dtype)
    if not mask.sum() > 0:
        raise ValueError("valid_len is 0 for every row: there is no token to score.")
    loss = F.cross_entropy(logits.transpose(1, 2), Y, reduction="none")
    return (loss * mask).sum() / mask.sum()


def _to(tensors: Seq2SeqTensors, device) -> Seq2SeqTensors:
    return Seq2SeqTensors(*(t.to(device) for t in tensors))


def evaluate_loss(net: nn.Module, tensors: Seq2SeqTensors, batch_size: int = 512
                  ) -> float:
    """Masked cross-entropy of ``net`` on a split, per real target token.

    Evaluation mode, no gradients, teacher forcing (the decoder reads the true
    previous token). Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/05_seq2seq`.
    """
    device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    total, count = 0.0, 0
    try:
        with torch.no_grad():
            for i in range(0, len(tensors.src), batch_size):
                b = _to(Seq2SeqTensors(*(t[i: i + batch_size] for t in tensors)),
                        device)
                logits = net(b.src, b.dec_in, b.src_valid_len)
                n = int(b.tgt_valid_len.sum())
                total += float(masked_cross_entropy(logits, b.tgt,
                                                    b.tgt_valid_len)) * n
                count += n
    finally:
        net.train(was_training)
    return total / count


@dataclass
class Seq2SeqHistory:
    """Per-epoch losses (per real target token) and times of :func:`train_seq2seq`."""

    train_loss: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)


def train_seq2seq(net: nn.Module, data: TranslationData,
                  optimizer: torch.optim.Optimizer, num_epochs: int, batch_size: int,
                  clip: float | None = 1.0, generator: torch.Generator | None = None
                  ) -> Seq2SeqHistory:
    """Train an encoder-decoder with teacher forcing and the masked loss.

    Each epoch visits ``data.train`` in a random order (drawn from ``generator``),
    clips the gradient norm to ``clip`` (``None``: no clipping), and records the
    mean training loss per real token and the held-out loss on ``data.valid``
    (:func:`evaluate_loss`). Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/05_seq2seq`.
    """
    if not isinstance(data, TranslationData):
        raise TypeError(f"data must be a handson.translation.TranslationData, got "
                        f"{type(data).__name__}.")
    if num_epochs < 1:
        raise ValueError(f"num_epochs must be at least 1, got {num_epochs}.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    device = next(net.parameters()).device
    train = _to(data.train, device)
    history = Seq2SeqHistory()
    for _ in range(num_epochs):
        net.train()
        start = time.perf_counter()
        total, count = torch.zeros((), device=device), 0
        order = torch.randperm(len(train.src), generator=generator).to(device)
        for i in range(0, len(order), batch_size):
            b = Seq2SeqTensors(*(t[order[i: i + batch_size]] for t in train))
            loss = masked_cross_entropy(net(b.src, b.dec_in, b.src_valid_len),
                                        b.tgt, b.tgt_valid_len)
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                clip_gradients(net, clip)
            optimizer.step()
            n = int(b.tgt_valid_len.sum())
            total += loss.detach() * n
            count += n
        history.train_loss.append(float(total) / count)
        history.epoch_time.append(time.perf_counter() - start)
        history.valid_loss.append(evaluate_loss(net, data.valid))
    return history


def greedy_translate(net: nn.Module, data: TranslationData,
                     sentence: str | Sequence[str], num_steps: int | None = None):
    """Translate by feeding back the most likely token, until ``<eos>``.

    The decoder starts from ``<bos>`` and emits at most ``num_steps`` tokens
    (default ``data.num_steps``); the output stops before the first ``<eos>``. One
    sentence gives a list of tokens; a list of sentences is translated as one
    batch and gives a list of token lists. Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/05_seq2seq`.
    """
    single = isinstance(sentence, str)
    num_steps = data.num_steps if num_steps is None else num_steps
    if not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f"num_steps must be a positive integer, got {num_steps!r}.")
    src, src_valid_len = data.encode(sentence)
    device = next(net.parameters()).device
    src, src_valid_len = src.to(device), src_valid_len.to(device)
    bos, eos = data.tgt_vocab[BOS], data.tgt_vocab[EOS]
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            state = net.decoder.init_state(net.encoder(src, src_valid_len),
                                           src_valid_len)
            X = torch.full((len(src), 1), bos, dtype=torch.long, device=device)
            outputs = []
            for _ in range(num_steps):
                logits, state = net.decoder(X, state)
                X = logits[:, -1:].argmax(dim=-1)
                outputs.append(X)
                if bool((torch.cat(outputs, 1) == eos).any(dim=1).all()):
                    break
    finally:
        net.train(was_training)
    translations = []
    for row in torch.cat(outputs, 1).tolist():
        row = row[: row.index(eos)] if eos in row else row
        translations.append(data.tgt_vocab.to_tokens(row))
    return translations[0] if single else translations


def bleu(pred_tokens: Sequence[str], label_tokens: Sequence[str], k: int = 2) -> float:
    """D2L's BLEU of a predicted token list against one reference, n-grams up to k.

    ``exp(min(0, 1 - len_label / len_pred)) * prod_n p_n ** (1 / 2 ** n)``, where
    ``p_n`` is the share of the prediction's n-grams found in the label (each label
    n-gram matched at most once). An empty prediction scores 0.0. Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/05_seq2seq`.

    Examples
    --------
    >>> bleu(["il", "est", "calme", "."], ["il", "est", "calme", "."])
    1.0
    >>> round(bleu(list("AB"), list("ABCDEF")), 4)    # D2L's brevity example
    0.1353
    >>> bleu([], ["va", "!"])
    0.0
    """
    for name, tokens in (("pred_tokens", pred_tokens), ("label_tokens", label_tokens)):
        if isinstance(tokens, str) or not all(isinstance(t, str) for t in tokens):
            raise TypeError(f"{name} must be a list of token strings, got "
                            f"{tokens!r}; split a sentence first, e.g. "
                            f"'va !'.split().")
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}.")
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    if len_pred == 0:
        return 0.0
    score = math.exp(min(0.0, 1 - len_label / len_pred))
    for n in range(1, min(k, len_pred) + 1):
        label_ngrams = collections.Counter(
            tuple(label_tokens[i: i + n]) for i in range(len_label - n + 1))
        num_matches = 0
        for i in range(len_pred - n + 1):
            ngram = tuple(pred_tokens[i: i + n])
            if label_ngrams[ngram] > 0:
                num_matches += 1
                label_ngrams[ngram] -= 1
        score *= (num_matches / (len_pred - n + 1)) ** (0.5 ** n)
    return score
