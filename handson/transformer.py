"""The Transformer encoder-decoder: position-wise feed-forward network, add & norm,
encoder and decoder blocks, and the encoder and decoder of the ``handson.seq2seq``
interface.

Taught in :doc:`/auto_tutorials/13_attention_and_transformers/06_transformer`. The
blocks follow D2L (section "The Transformer Architecture") and the paper: post-norm
(``LayerNorm(X + sublayer(X))``), ReLU feed-forward network, multi-head attention from
:class:`handson.attention.MultiHeadAttention` and the sinusoidal encoding of
:class:`handson.attention.PositionalEncoding`. Two things differ from D2L's code:

* the decoder always applies the causal mask (D2L's only does in training mode, so its
  held-out loss, computed in evaluation mode, lets each position see later tokens);
* when the decoder reads one token at a time, the token at position ``t`` gets the
  positional encoding of position ``t`` (D2L's adds that of position 0 at every step),
  so decoding step by step gives the same logits as the teacher-forced pass.

The decoder state is a tuple ``(enc_outputs, src_valid_len, caches)``; ``caches`` holds,
for every block, the block's inputs at the positions read so far (``None`` before the
first call). A call returns a new state and does not change the one it was given.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from handson.attention import MultiHeadAttention, PositionalEncoding
from handson.seq2seq import Decoder, Encoder, _check_indices

__all__ = ["AddNorm", "PositionWiseFFN", "TransformerDecoder", "TransformerDecoderBlock",
           "TransformerEncoder", "TransformerEncoderBlock", "causal_valid_lens"]


def _check_positive(**sizes: int) -> None:
    for name, value in sizes.items():
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def _check_width(X: torch.Tensor, name: str, width: int) -> None:
    if not isinstance(X, torch.Tensor) or X.dim() != 3 or X.shape[-1] != width:
        shape = tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__
        raise ValueError(f"{name} must have shape (batch, steps, {width}), got {shape}.")


def causal_valid_lens(batch_size: int, num_steps: int, start: int = 0,
                      device=None) -> torch.Tensor:
    """Valid lengths ``(batch_size, num_steps)`` of a causal mask for queries at
    positions ``start`` to ``start + num_steps - 1``: the query at position ``t`` may see
    keys ``0`` to ``t``, so its length is ``t + 1``.

    With ``start > 0`` the keys are the ``start`` cached positions followed by the
    new ones. Taught in
    :doc:`/auto_tutorials/13_attention_and_transformers/06_transformer`.

    Examples
    --------
    >>> causal_valid_lens(2, 3)
    tensor([[1, 2, 3],
            [1, 2, 3]])
    >>> causal_valid_lens(1, 1, start=4)
    tensor([[5]])
    """
    if start < 0:
        raise ValueError(f"start must be at least 0, got {start}.")
    lens = torch.arange(start + 1, start + num_steps + 1, device=device)
    return lens.expand(batch_size, num_steps)


class PositionWiseFFN(nn.Module):
    """The position-wise feed-forward network: ``dense2(relu(dense1(X)))``, the same
    two-layer MLP applied at every position.

    ``PositionWiseFFN(num_inputs, ffn_num_hiddens, ffn_num_outputs=None)`` maps
    ``(..., num_inputs)`` to ``(..., ffn_num_outputs)`` (default ``num_inputs``).
    Taught in :doc:`/auto_tutorials/13_attention_and_transformers/06_transformer`.

    Examples
    --------
    >>> PositionWiseFFN(4, 16, 8)(torch.ones(2, 3, 4)).shape
    torch.Size([2, 3, 8])
    """

    def __init__(self, num_inputs: int, ffn_num_hiddens: int,
                 ffn_num_outputs: int | None = None):
        super().__init__()
        ffn_num_outputs = num_inputs if ffn_num_outputs is None else ffn_num_outputs
        _check_positive(num_inputs=num_inputs, ffn_num_hiddens=ffn_num_hiddens,
                        ffn_num_outputs=ffn_num_outputs)
        self.dense1 = nn.Linear(num_inputs, ffn_num_hiddens)
        self.relu = nn.ReLU()
        self.dense2 = nn.Linear(ffn_num_hiddens, ffn_num_outputs)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if X.shape[-1] != self.dense1.in_features:
            raise ValueError(f"X must have {self.dense1.in_features} features in its "
                             f"last axis, got shape {tuple(X.shape)}.")
        return self.dense2(self.relu(self.dense1(X)))


class AddNorm(nn.Module):
    """A residual connection followed by layer normalization (post-norm):
    ``LayerNorm(X + dropout(Y))``, with ``Y`` the sublayer's output.

    ``forward(X, Y)``; both of shape ``(..., num_hiddens)``. Taught in
    :doc:`/auto_tutorials/13_attention_and_transformers/06_transformer`.

    Examples
    --------
    >>> out = AddNorm(4)(torch.ones(2, 3, 4), torch.arange(4.0).expand(2, 3, 4))
    >>> out.shape, abs(float(out[0, 0].mean().detach())) < 1e-6
    (torch.Size([2, 3, 4]), True)
    """

    def __init__(self, num_hiddens: int, dropout: float = 0.0):
        super().__init__()
        _check_positive(num_hiddens=num_hiddens)
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm(num_hiddens)

    def forward(self, X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
        if X.shape != Y.shape:
            raise ValueError(f"the residual connection adds X and Y, which must have "
                             f"one shape; got {tuple(X.shape)} and {tuple(Y.shape)}.")
        return self.ln(X + self.dropout(Y))


class TransformerEncoderBlock(nn.Module):
    """One encoder block: multi-head self-attention, add & norm, position-wise FFN,
    add & norm.

    ``forward(X, valid_lens=None)`` with ``X`` of shape ``(batch, steps,
    num_hiddens)``; ``valid_lens`` ``(batch,)`` masks the padding keys. The output
    has the shape of ``X``. Taught in
    :doc:`/auto_tutorials/13_attention_and_transformers/06_transformer`.

    Examples
    --------
    >>> block = TransformerEncoderBlock(24, 48, 8)
    >>> block(torch.ones(2, 100, 24), torch.tensor([3, 2])).shape
    torch.Size([2, 100, 24])
    """

    def __init__(self, num_hiddens: int, ffn_num_hiddens: int, num_heads: int,
                 dropout: float = 0.0, bias: bool = False):
        super().__init__()
        self.attention = MultiHeadAttention(num_hiddens, num_heads, dropout, bias)
        self.addnorm1 = AddNorm(num_hiddens, dropout)
        self.ffn = PositionWiseFFN(num_hiddens, ffn_num_hiddens)
        self.addnorm2 = AddNorm(num_hiddens, dropout)

    def forward(self, X: torch.Tensor, valid_lens: torch.Tensor | None = None
                ) -> torch.Tensor:
        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(Y))


class TransformerEncoder(Encoder):
    """The Transformer encoder: embedding times ``sqrt(num_hiddens)`` plus the
    positional encoding, then ``num_blks`` encoder blocks.

    ``forward(src, src_valid_len=None)`` takes token indices ``(batch, num_steps)``
    and returns ``(batch, num_steps, num_hiddens)``; the padding (positions at or
    beyond ``src_valid_len``) is masked as a key. ``attention_weights`` holds one
    ``(batch, num_heads, num_steps, num_steps)`` tensor per block, from the last call.
    Taught in :doc:`/auto_tutorials/13_attention_and_transformers/06_transformer`.

    Examples
    --------
    >>> encoder = TransformerEncoder(200, 24, 48, num_heads=8, num_blks=2)
    >>> encoder(torch.ones(2, 10, dtype=torch.long), torch.tensor([3, 2])).shape
    torch.Size([2, 10, 24])
    >>> len(encoder.attention_weights), tuple(encoder.attention_weights[0].shape)
    (2, (2, 8, 10, 10))
    """

    def __init__(self, vocab_size: int, num_hiddens: int, ffn_num_hiddens: int,
                 num_heads: int, num_blks: int, dropout: float = 0.0,
                 bias: bool = False, max_len: int = 1000):
        super().__init__()
        _check_positive(vocab_size=vocab_size, num_blks=num_blks)
        self.num_hiddens = num_hiddens
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.pos_encoding = PositionalEncoding(num_hiddens, dropout, max_len)
        self.blks = nn.ModuleList(
            TransformerEncoderBlock(num_hiddens, ffn_num_hiddens, num_heads, dropout,
                                    bias) for _ in range(num_blks))
        self.attention_weights: list[torch.Tensor] = []

    def forward(self, src: torch.Tensor, src_valid_len: torch.Tensor | None = None
                ) -> torch.Tensor:
        _check_indices(src, "src")
        X = self.pos_encoding(self.embedding(src) * math.sqrt(self.num_hiddens))
        self.attention_weights = []
        for blk in self.blks:
            X = blk(X, src_valid_len)
            self.attention_weights.append(blk.attention.attention_weights)
        return X


class TransformerDecoderBlock(nn.Module):
    """One decoder block: causal self-attention, add & norm, encoder-decoder
    (cross-)attention, add & norm, position-wise FFN, add & norm.

    ``forward(X, enc_outputs, enc_valid_lens=None, cache=None) -> (Y, key_values)``.
    ``X`` ``(batch, steps, num_hiddens)`` holds the block's inputs at the new
    positions; ``cache`` ``(batch, start, num_hiddens)`` its inputs at the ``start``
    positions read before (``None``: none). The self-attention's keys and values are
    ``key_values = cat(cache, X)``, and the query at position ``t`` sees keys ``0 ..
    t`` only (the causal mask, applied in training and evaluation alike). The
    cross-attention's keys and values are ``enc_outputs``, padding masked by
    ``enc_valid_lens``. Return ``key_values`` as the next call's ``cache``. Taught in
    :doc:`/auto_tutorials/13_attention_and_transformers/06_transformer`.

    Examples
    --------
    >>> block = TransformerDecoderBlock(24, 48, 8)
    >>> Y, cache = block(torch.ones(2, 5, 24), torch.ones(2, 7, 24), torch.tensor([7, 3]))
    >>> tuple(Y.shape), tuple(cache.shape)
    ((2, 5, 24), (2, 5, 24))
    """

    def __init__(self, num_hiddens: int, ffn_num_hiddens: int, num_heads: int,
                 dropout: float = 0.0, bias: bool = False):
        super().__init__()
        self.num_hiddens = num_hiddens
        self.attention1 = MultiHeadAttention(num_hiddens, num_heads, dropout, bias)
        self.addnorm1 = AddNorm(num_hiddens, dropout)
        self.attention2 = MultiHeadAttention(num_hiddens, num_heads, dropout, bias)
        self.addnorm2 = AddNorm(num_hiddens, dropout)
        self.ffn = PositionWiseFFN(num_hiddens, ffn_num_hiddens)
        self.addnorm3 = AddNorm(num_hiddens, dropout)

    def forward(self, X: torch.Tensor, enc_outputs: torch.Tensor,
                enc_valid_lens: torch.Tensor | None = None,
                cache: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        _check_width(X, "X", self.num_hiddens)
        _check_width(enc_outputs, "enc_outputs", self.num_hiddens)
        if len(enc_outputs) != len(X):
            raise ValueError(f"X holds {len(X)} sequences but enc_outputs "
                             f"{len(enc_outputs)}.")
        if cache is None:
            key_values = X
        else:
            _check_width(cache, "cache", self.num_hiddens)
            if len(cache) != len(X):
                raise ValueError(f"the cache holds {len(cache)} sequences but X "
                                 f"{len(X)}: pass the state of this batch.")
            key_values = torch.cat([cache, X], dim=1)
        start = key_values.shape[1] - X.shape[1]
        causal = causal_valid_lens(len(X), X.shape[1], start, X.device)
        Y = self.addnorm1(X, self.attention1(X, key_values, key_values, causal))
        Z = self.addnorm2(Y, self.attention2(Y, enc_outputs, enc_outputs,
                                             enc_valid_lens))
        return self.addnorm3(Z, self.ffn(Z)), key_values


class TransformerDecoder(Decoder):
    """The Transformer decoder: embedding times ``sqrt(num_hiddens)`` plus the
    positional encoding of each token's position, ``num_blks`` decoder blocks, and a
    linear layer to the vocabulary.

    ``init_state(enc_outputs, src_valid_len=None)`` takes the encoder's output
    ``(batch, src_steps, num_hiddens)``; the state is ``(enc_outputs, src_valid_len,
    caches)``. ``forward(X, state) -> (logits, state)``: ``X`` ``(batch, steps)``
    continues the target read so far, so a teacher-forced call on the whole target
    and calls one token at a time give the same logits. ``self_attention_weights``
    ``(batch, num_heads, steps, start + steps)`` and ``cross_attention_weights``
    ``(batch, num_heads, steps, src_steps)`` hold one tensor per block, from the last
    call. Taught in
    :doc:`/auto_tutorials/13_attention_and_transformers/06_transformer`.

    Examples
    --------
    >>> encoder = TransformerEncoder(10, 16, 32, num_heads=4, num_blks=2)
    >>> decoder = TransformerDecoder(12, 16, 32, num_heads=4, num_blks=2)
    >>> src, valid = torch.zeros(3, 7, dtype=torch.long), torch.tensor([7, 2, 4])
    >>> state = decoder.init_state(encoder(src, valid), valid)
    >>> logits, state = decoder(torch.zeros(3, 5, dtype=torch.long), state)
    >>> tuple(logits.shape), tuple(state[2][0].shape)
    ((3, 5, 12), (3, 5, 16))
    """

    def __init__(self, vocab_size: int, num_hiddens: int, ffn_num_hiddens: int,
                 num_heads: int, num_blks: int, dropout: float = 0.0,
                 bias: bool = False, max_len: int = 1000):
        super().__init__()
        _check_positive(vocab_size=vocab_size, num_blks=num_blks)
        self.num_hiddens = num_hiddens
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.pos_encoding = PositionalEncoding(num_hiddens, dropout, max_len)
        self.blks = nn.ModuleList(
            TransformerDecoderBlock(num_hiddens, ffn_num_hiddens, num_heads, dropout,
                                    bias) for _ in range(num_blks))
        self.dense = nn.Linear(num_hiddens, vocab_size)
        self.self_attention_weights: list[torch.Tensor] = []
        self.cross_attention_weights: list[torch.Tensor] = []

    def init_state(self, enc_outputs, src_valid_len: torch.Tensor | None = None):
        if not isinstance(enc_outputs, torch.Tensor):
            raise TypeError(f"TransformerDecoder.init_state expects the Transformer "
                            f"encoder's output tensor (batch, src_steps, "
                            f"{self.num_hiddens}), got {type(enc_outputs).__name__} "
                            f"(an RNN encoder's (outputs, state) pair?).")
        _check_width(enc_outputs, "enc_outputs", self.num_hiddens)
        return enc_outputs, src_valid_len, (None,) * len(self.blks)

    def forward(self, X: torch.Tensor, state):
        _check_indices(X, "X")
        if not (isinstance(state, tuple) and len(state) == 3
                and len(state[2]) == len(self.blks)):
            raise TypeError("state must be the (enc_outputs, src_valid_len, caches) "
                            "tuple of init_state or of a previous call.")
        enc_outputs, src_valid_len, caches = state
        start = 0 if caches[0] is None else caches[0].shape[1]
        H = self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens), start)
        new_caches = []
        self.self_attention_weights, self.cross_attention_weights = [], []
        for blk, cache in zip(self.blks, caches):
            H, key_values = blk(H, enc_outputs, src_valid_len, cache)
            new_caches.append(key_values)
            self.self_attention_weights.append(blk.attention1.attention_weights)
            self.cross_attention_weights.append(blk.attention2.attention_weights)
        return self.dense(H), (enc_outputs, src_valid_len, tuple(new_caches))
