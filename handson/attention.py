"""Attention: the masked softmax, scoring functions, multi-head attention, positional
encoding, Bahdanau's decoder and the attention heatmap.

Taught in chapter 13, from
:doc:`/auto_tutorials/13_attention_and_transformers/01_attention_pooling` (the heatmaps)
and :doc:`/auto_tutorials/13_attention_and_transformers/02_scoring_functions` onwards.
Shapes follow one convention: queries ``(batch, ..., num_queries, d)``, keys ``(batch,
..., num_keys, d)``, values ``(batch, ..., num_keys, dv)``; ``valid_lens`` is ``None``,
one length per example ``(batch,)`` or one per query ``(batch, num_queries)``, and keys
at positions at or beyond the length get weight zero.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from handson.seq2seq import Decoder, _check_indices, init_seq2seq

__all__ = ["AdditiveAttention", "DotProductAttention", "MultiHeadAttention",
           "PositionalEncoding", "Seq2SeqAttentionDecoder", "masked_softmax",
           "show_heatmaps"]


def _lengths_mask(scores: torch.Tensor, valid_lens) -> torch.Tensor:
    """A boolean mask ``(batch, 1, ..., num_queries, num_keys)``: True where a key counts."""
    if scores.dim() < 3:
        raise ValueError(f"scores must have shape (batch, ..., num_queries, num_keys), got "
                         f"{tuple(scores.shape)}.")
    batch, num_queries, num_keys = scores.shape[0], scores.shape[-2], scores.shape[-1]
    lens = torch.as_tensor(valid_lens, device=scores.device)
    if lens.is_floating_point() or lens.is_complex():
        raise TypeError(f"valid_lens must hold integers, got dtype {lens.dtype}.")
    if lens.dim() == 1 and lens.shape[0] == batch:
        lens = lens[:, None].expand(batch, num_queries)
    elif lens.shape != (batch, num_queries):
        raise ValueError(f"valid_lens must have shape (batch,) = ({batch},) or (batch, "
                         f"num_queries) = ({batch}, {num_queries}) for scores of shape "
                         f"{tuple(scores.shape)}, got {tuple(lens.shape)}.")
    if bool((lens < 1).any()):
        raise ValueError(f"valid lengths must lie between 1 and the number of keys, "
                         f"{num_keys}; got {int(lens.min())}. A query with no key to "
                         f"attend to has no attention weights: drop it, or give it at "
                         f"least one key.")
    if bool((lens > num_keys).any()):
        raise ValueError(f"valid lengths must lie between 1 and the number of keys, "
                         f"{num_keys}; got {int(lens.max())}. A length longer than the "
                         f"sequence means the lengths and the keys do not belong "
                         f"together.")
    mask = torch.arange(num_keys, device=scores.device) < lens[..., None]
    return mask.view(batch, *([1] * (scores.dim() - 3)), num_queries, num_keys)


def masked_softmax(scores: torch.Tensor, valid_lens=None) -> torch.Tensor:
    """Softmax over the last axis that gives keys beyond each valid length weight 0.

    ``scores`` has shape ``(batch, ..., num_queries, num_keys)``; ``valid_lens`` is
    ``None`` (no mask), ``(batch,)`` (one length for all queries of an example: padding)
    or ``(batch, num_queries)`` (one per query: a causal mask is
    ``torch.arange(1, T + 1).expand(batch, T)``). Lengths must lie in
    ``1 .. num_keys``: a query with no key to attend to has no defined weights. Masked
    scores become ``-inf`` before the softmax, so their weights are exactly zero.
    Taught in :doc:`/auto_tutorials/13_attention_and_transformers/02_scoring_functions`.

    Examples
    --------
    >>> masked_softmax(torch.zeros(1, 1, 4), torch.tensor([3]))
    tensor([[[0.3333, 0.3333, 0.3333, 0.0000]]])
    """
    if valid_lens is None:
        return torch.softmax(scores, dim=-1)
    mask = _lengths_mask(scores, valid_lens)
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)


def _check_qkv(queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
               same_width: bool) -> None:
    if keys.shape[-2] != values.shape[-2]:
        raise ValueError(f"keys and values must hold the same number of items, got "
                         f"{keys.shape[-2]} keys and {values.shape[-2]} values.")
    if same_width and queries.shape[-1] != keys.shape[-1]:
        raise ValueError(f"dot-product attention needs queries and keys of one width, "
                         f"got {queries.shape[-1]} and {keys.shape[-1]}; project them "
                         f"first (or use additive attention).")


class DotProductAttention(nn.Module):
    """Scaled dot-product attention: ``softmax(Q K^T / sqrt(d)) V``, with a length mask.

    ``forward(queries, keys, values, valid_lens=None)``; the weights of the last call
    are kept in ``attention_weights`` (before dropout). Taught in
    :doc:`/auto_tutorials/13_attention_and_transformers/02_scoring_functions`.

    Examples
    --------
    >>> attention = DotProductAttention()
    >>> attention(torch.ones(2, 1, 4), torch.ones(2, 6, 4), torch.ones(2, 6, 3),
    ...           torch.tensor([2, 6])).shape
    torch.Size([2, 1, 3])
    """

    def __init__(self, dropout: float = 0.0):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.attention_weights: torch.Tensor | None = None

    def forward(self, queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                valid_lens=None) -> torch.Tensor:
        _check_qkv(queries, keys, values, same_width=True)
        scores = queries @ keys.transpose(-2, -1) / math.sqrt(queries.shape[-1])
        self.attention_weights = masked_softmax(scores, valid_lens)
        return self.dropout(self.attention_weights) @ values


class AdditiveAttention(nn.Module):
    """Additive attention: ``a(q, k) = w_v^T tanh(W_q q + W_k k)``, for queries and keys
    of different widths.

    ``forward(queries, keys, values, valid_lens=None)`` with queries ``(batch,
    num_queries, query_size)`` and keys ``(batch, num_keys, key_size)``; the weights of
    the last call are kept in ``attention_weights``. Taught in
    :doc:`/auto_tutorials/13_attention_and_transformers/02_scoring_functions`.

    Examples
    --------
    >>> attention = AdditiveAttention(key_size=2, query_size=20, num_hiddens=8)
    >>> attention(torch.ones(2, 1, 20), torch.ones(2, 10, 2), torch.ones(2, 10, 4),
    ...           torch.tensor([2, 6])).shape
    torch.Size([2, 1, 4])
    """

    def __init__(self, key_size: int, query_size: int, num_hiddens: int,
                 dropout: float = 0.0):
        super().__init__()
        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)
        self.dropout = nn.Dropout(dropout)
        self.attention_weights: torch.Tensor | None = None

    def forward(self, queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                valid_lens=None, *, projected_keys: torch.Tensor | None = None
                ) -> torch.Tensor:
        """``projected_keys``, if given, is ``W_k(keys)`` computed once by the caller:
        a decoder that queries the same keys at every step need not project them
        again."""
        _check_qkv(queries, keys, values, same_width=False)
        for name, x, layer in (("queries", queries, self.W_q), ("keys", keys, self.W_k)):
            if x.shape[-1] != layer.in_features:
                raise ValueError(f"{name} have width {x.shape[-1]}, but this attention "
                                 f"was built for {layer.in_features}.")
        if projected_keys is None:
            projected_keys = self.W_k(keys)
        # (batch, q, 1, h) + (batch, 1, k, h): every query against every key
        features = torch.tanh(self.W_q(queries).unsqueeze(-2) + projected_keys.unsqueeze(-3))
        scores = self.w_v(features).squeeze(-1)                  # (batch, q, k)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return self.dropout(self.attention_weights) @ values


class MultiHeadAttention(nn.Module):
    """Multi-head attention: ``num_heads`` scaled dot-product attentions on learned
    projections of width ``num_hiddens / num_heads``, concatenated and projected.

    ``forward(queries, keys, values, valid_lens=None)`` with inputs ``(batch, n,
    num_hiddens)``; ``valid_lens`` as in :func:`masked_softmax`, shared by all heads.
    ``attention_weights`` of the last call has shape ``(batch, num_heads, queries,
    keys)``. Taught in
    :doc:`/auto_tutorials/13_attention_and_transformers/04_multi_head_attention`.

    Examples
    --------
    >>> attention = MultiHeadAttention(num_hiddens=16, num_heads=4)
    >>> X = torch.ones(2, 5, 16)
    >>> attention(X, X, X, torch.tensor([3, 5])).shape, attention.attention_weights.shape
    (torch.Size([2, 5, 16]), torch.Size([2, 4, 5, 5]))
    """

    def __init__(self, num_hiddens: int, num_heads: int, dropout: float = 0.0,
                 bias: bool = False):
        super().__init__()
        if num_heads < 1 or num_hiddens % num_heads:
            raise ValueError(f"num_hiddens ({num_hiddens}) must be a multiple of "
                             f"num_heads ({num_heads}): each head gets num_hiddens / "
                             f"num_heads features.")
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.W_k = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.W_v = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)

    @property
    def attention_weights(self) -> torch.Tensor | None:
        return self.attention.attention_weights

    def split_heads(self, X: torch.Tensor) -> torch.Tensor:
        """``(batch, n, num_hiddens)`` to ``(batch, num_heads, n, num_hiddens / heads)``."""
        return X.unflatten(-1, (self.num_heads, -1)).transpose(1, 2)

    def forward(self, queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                valid_lens=None) -> torch.Tensor:
        for name, x in (("queries", queries), ("keys", keys), ("values", values)):
            if x.dim() != 3 or x.shape[-1] != self.W_q.in_features:
                raise ValueError(f"{name} must have shape (batch, n, "
                                 f"{self.W_q.in_features}), got {tuple(x.shape)}.")
        out = self.attention(self.split_heads(self.W_q(queries)),
                             self.split_heads(self.W_k(keys)),
                             self.split_heads(self.W_v(values)), valid_lens)
        return self.W_o(out.transpose(1, 2).flatten(-2))


class PositionalEncoding(nn.Module):
    """Sinusoidal positional encoding, added to the input:
    ``P[i, 2j] = sin(i / 10000^(2j/d))``, ``P[i, 2j+1] = cos(i / 10000^(2j/d))``.

    ``forward(X, start=0)`` adds rows ``start .. start + T - 1`` to ``X`` of shape
    ``(batch, T, num_hiddens)``, then applies dropout; ``start`` is the position of
    ``X``'s first step, which matters when a decoder reads one token at a time.
    Taught in
    :doc:`/auto_tutorials/13_attention_and_transformers/05_self_attention_and_positional_encoding`.

    Examples
    --------
    >>> encoding = PositionalEncoding(num_hiddens=4, max_len=10)
    >>> encoding(torch.zeros(1, 2, 4))[0, 1]           # position 1: sin 1, cos 1, ...
    tensor([0.8415, 0.5403, 0.0100, 0.9999])
    """

    def __init__(self, num_hiddens: int, dropout: float = 0.0, max_len: int = 1000):
        super().__init__()
        if num_hiddens < 2 or num_hiddens % 2:
            raise ValueError(f"num_hiddens must be even (sine and cosine pairs), got "
                             f"{num_hiddens}.")
        self.dropout = nn.Dropout(dropout)
        position = torch.arange(max_len, dtype=torch.float32)[:, None]
        angles = position / torch.pow(
            10000.0, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        P = torch.zeros(1, max_len, num_hiddens)
        P[0, :, 0::2], P[0, :, 1::2] = torch.sin(angles), torch.cos(angles)
        self.register_buffer("P", P, persistent=False)

    def forward(self, X: torch.Tensor, start: int = 0) -> torch.Tensor:
        if X.dim() != 3 or X.shape[-1] != self.P.shape[-1]:
            raise ValueError(f"X must have shape (batch, T, {self.P.shape[-1]}), got "
                             f"{tuple(X.shape)}.")
        if start < 0 or start + X.shape[1] > self.P.shape[1]:
            raise ValueError(f"positions {start} .. {start + X.shape[1] - 1} lie beyond "
                             f"max_len = {self.P.shape[1]}; build the encoding with a "
                             f"larger max_len.")
        return self.dropout(X + self.P[:, start: start + X.shape[1]].to(X.dtype))


class Seq2SeqAttentionDecoder(Decoder):
    """Bahdanau's decoder: at every step the previous top-layer hidden state queries
    the encoder's outputs (additive attention, padding masked), and the context is
    concatenated to the input embedding.

    Pairs with :class:`handson.seq2seq.Seq2SeqEncoder` of the same ``num_hiddens`` and
    ``num_layers``. The state is ``(enc_outputs, hidden, src_valid_len)``. The keys'
    projection is computed once per call, not at every step (the page's exercise).
    ``attention_weights`` holds the last call's weights, ``(batch, steps,
    src_steps)``. Taught in
    :doc:`/auto_tutorials/13_attention_and_transformers/03_bahdanau_attention`.

    Examples
    --------
    >>> from handson.seq2seq import EncoderDecoder, Seq2SeqEncoder
    >>> net = EncoderDecoder(Seq2SeqEncoder(10, 8, 16), Seq2SeqAttentionDecoder(12, 8, 16))
    >>> src = torch.zeros(4, 7, dtype=torch.long)
    >>> net(src, torch.zeros(4, 5, dtype=torch.long), torch.full((4,), 7)).shape
    torch.Size([4, 5, 12])
    >>> net.decoder.attention_weights.shape
    torch.Size([4, 5, 7])
    """

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int,
                 num_layers: int = 1, dropout: float = 0.0):
        super().__init__()
        self.attention = AdditiveAttention(num_hiddens, num_hiddens, num_hiddens, dropout)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers,
                          batch_first=True, dropout=dropout if num_layers > 1 else 0.0)
        self.dense = nn.Linear(num_hiddens, vocab_size)
        self.attention_weights: torch.Tensor | None = None
        self.apply(init_seq2seq)

    def init_state(self, enc_outputs, src_valid_len: torch.Tensor | None = None):
        if not (isinstance(enc_outputs, (tuple, list)) and len(enc_outputs) == 2):
            raise TypeError("Seq2SeqAttentionDecoder.init_state expects the encoder's "
                            "(outputs, state) pair.")
        outputs, hidden = enc_outputs
        if hidden.shape[0] != self.rnn.num_layers or \
                hidden.shape[-1] != self.rnn.hidden_size:
            raise ValueError(f"the encoder state has shape {tuple(hidden.shape)}, but "
                             f"this decoder needs ({self.rnn.num_layers}, batch, "
                             f"{self.rnn.hidden_size}): use the same num_layers and "
                             f"num_hiddens in both.")
        return outputs, hidden, src_valid_len

    def forward(self, X: torch.Tensor, state):
        _check_indices(X, "X")
        enc_outputs, hidden, src_valid_len = state
        embs = self.embedding(X)                                # (batch, steps, embed)
        keys = self.attention.W_k(enc_outputs)      # the same at every step: once
        outputs, weights = [], []
        for t in range(X.shape[1]):
            query = hidden[-1].unsqueeze(1)                     # (batch, 1, hidden)
            context = self.attention(query, enc_outputs, enc_outputs, src_valid_len,
                                     projected_keys=keys)
            out, hidden = self.rnn(torch.cat([context, embs[:, t: t + 1]], dim=-1),
                                   hidden)
            outputs.append(out)
            weights.append(self.attention.attention_weights)
        self.attention_weights = torch.cat(weights, dim=1)
        return self.dense(torch.cat(outputs, dim=1)), (enc_outputs, hidden, src_valid_len)


def show_heatmaps(matrices, xlabel: str, ylabel: str, titles=None, figsize=None,
                  cmap: str = "Reds"):
    """Draw a grid of attention-weight matrices, one heatmap each, with one colour bar.

    ``matrices`` has shape ``(rows, cols, num_queries, num_keys)`` (a tensor or an
    array); ``titles`` names the columns. Returns the figure. Taught in
    :doc:`/auto_tutorials/13_attention_and_transformers/01_attention_pooling`.
    """
    import matplotlib.pyplot as plt

    matrices = torch.as_tensor(matrices).detach().cpu()
    if matrices.dim() != 4:
        raise ValueError(f"matrices must have shape (rows, cols, num_queries, num_keys), "
                         f"got {tuple(matrices.shape)}; e.g. weights[None, None] for one.")
    rows, cols = matrices.shape[:2]
    if titles is not None and len(titles) != cols:
        raise ValueError(f"give one title per column ({cols}), got {len(titles)}.")
    figsize = figsize or (2.8 * cols + 0.8, 2.5 * rows)
    fig, axes = plt.subplots(rows, cols, figsize=figsize, sharex=True, sharey=True,
                             squeeze=False)
    for i in range(rows):
        for j in range(cols):
            image = axes[i, j].imshow(matrices[i, j].float().numpy(), cmap=cmap,
                                      vmin=0.0, vmax=float(matrices.max()))
            if i == rows - 1:
                axes[i, j].set_xlabel(xlabel)
            if j == 0:
                axes[i, j].set_ylabel(ylabel)
            if titles is not None and i == 0:
                axes[i, j].set_title(titles[j])
    fig.colorbar(image, ax=axes, shrink=0.6)
    return fig
