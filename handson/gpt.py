"""A small decoder-only transformer (GPT) for characters, and sampling from it.

Taught in :doc:`/auto_tutorials/13_attention_and_transformers/08_small_gpt`; the fused
attention it uses by default is checked equal to the scratch one in
:doc:`/auto_tutorials/13_attention_and_transformers/09_efficient_attention_and_scaling`,
which also trains several sizes of it.

The model: a token embedding plus a learned position embedding, ``num_layers``
pre-norm blocks (``X + attention(LayerNorm(X))``, then ``X + MLP(LayerNorm(X))``) with
causal multi-head self-attention, a final layer norm and an output layer whose weight
is *tied* to the token embedding (the same matrix, so ``vocab_size x num_hiddens``
parameters fewer). It keeps the course's language-model convention
(:mod:`handson.language_models`): ``net(X, state) -> (logits, state)`` with ``state``
always ``None``, since the model has no recurrent state and attends only within the
window it is given, so :func:`~handson.language_models.train_language_model` and
:func:`~handson.language_models.evaluate_perplexity` work unchanged. For generation,
:meth:`GPT.forward_with_cache` keeps the keys and values of the positions already seen
(a *key-value cache*), so that each new token costs one position, not the whole window.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from handson.attention import masked_softmax

__all__ = ["GPT", "GPTBlock", "CausalSelfAttention", "causal_attention", "generate",
           "sample_next"]


def causal_attention(Q: torch.Tensor, K: torch.Tensor, V: torch.Tensor, *,
                     fused: bool = True) -> torch.Tensor:
    """Scaled dot-product attention in which query ``i`` sees keys ``0`` to ``past + i``.

    ``Q`` has shape ``(batch, heads, T, d)``, ``K`` and ``V`` ``(batch, heads, past + T,
    d)``: the last ``T`` keys belong to the queries, the first ``past`` to earlier
    positions (from a key-value cache). With ``fused=False`` the scores are written out
    and masked by :func:`handson.attention.masked_softmax` (the ``T x (past + T)``
    matrix exists in memory); with ``fused=True`` the same function is computed by
    ``torch.nn.functional.scaled_dot_product_attention``, checked equal in
    :doc:`/auto_tutorials/13_attention_and_transformers/09_efficient_attention_and_scaling`.
    """
    if Q.dim() != 4 or K.dim() != 4 or V.dim() != 4:
        raise ValueError(f"queries, keys and values must have shape (batch, heads, "
                         f"steps, d), got {tuple(Q.shape)}, {tuple(K.shape)}, "
                         f"{tuple(V.shape)}.")
    T, S = Q.shape[-2], K.shape[-2]
    if S < T or V.shape[-2] != S:
        raise ValueError(f"need at least as many keys as queries and one value per key, "
                         f"got {T} queries, {S} keys and {V.shape[-2]} values.")
    past = S - T
    if fused:
        if past == 0:
            return F.scaled_dot_product_attention(Q, K, V, is_causal=True)
        # is_causal aligns the mask to the top left; with a cache it must be shifted
        mask = (torch.arange(S, device=Q.device)
                <= past + torch.arange(T, device=Q.device)[:, None])
        return F.scaled_dot_product_attention(Q, K, V, attn_mask=mask)
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    lens = (past + torch.arange(1, T + 1, device=Q.device)).expand(Q.shape[0], T)
    return masked_softmax(scores, lens) @ V


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention with a causal mask, and an optional key-value cache.

    One linear map gives queries, keys and values for all heads (``W_qkv``, output
    ``3 * num_hiddens``), ``W_o`` mixes the heads. ``forward(X, cache=None)`` returns
    ``(Y, (K, V))``: the keys and values of every position so far, shape ``(batch,
    heads, past + T, num_hiddens // heads)``, to pass back as ``cache`` with the next
    tokens.
    """

    def __init__(self, num_hiddens: int, num_heads: int, dropout: float = 0.0,
                 fused: bool = True):
        super().__init__()
        if num_hiddens % num_heads:
            raise ValueError(f"num_hiddens ({num_hiddens}) must be divisible by "
                             f"num_heads ({num_heads}).")
        self.num_heads, self.fused = num_heads, fused
        self.W_qkv = nn.Linear(num_hiddens, 3 * num_hiddens)
        self.W_o = nn.Linear(num_hiddens, num_hiddens)
        self.dropout = nn.Dropout(dropout)

    def forward(self, X: torch.Tensor, cache=None):
        b, T, d = X.shape
        # (batch, T, 3d) -> three tensors (batch, heads, T, d / heads)
        Q, K, V = (self.W_qkv(X).view(b, T, 3, self.num_heads, d // self.num_heads)
                   .permute(2, 0, 3, 1, 4))
        if cache is not None:
            K, V = torch.cat((cache[0], K), dim=2), torch.cat((cache[1], V), dim=2)
        out = causal_attention(Q, K, V, fused=self.fused)
        out = out.transpose(1, 2).reshape(b, T, d)  # heads side by side again
        return self.dropout(self.W_o(out)), (K, V)


class GPTBlock(nn.Module):
    """A pre-norm decoder block: ``X + attention(LN(X))``, then ``X + MLP(LN(X))``.

    The MLP has ``4 * num_hiddens`` hidden units and a GELU. Without an encoder there
    is no cross-attention: the block is a Transformer decoder block minus its middle.
    """

    def __init__(self, num_hiddens: int, num_heads: int, dropout: float = 0.0,
                 fused: bool = True):
        super().__init__()
        self.ln1 = nn.LayerNorm(num_hiddens)
        self.attention = CausalSelfAttention(num_hiddens, num_heads, dropout, fused)
        self.ln2 = nn.LayerNorm(num_hiddens)
        self.mlp = nn.Sequential(nn.Linear(num_hiddens, 4 * num_hiddens), nn.GELU(),
                                 nn.Linear(4 * num_hiddens, num_hiddens),
                                 nn.Dropout(dropout))

    def forward(self, X: torch.Tensor, cache=None):
        Y, cache = self.attention(self.ln1(X), cache)
        X = X + Y
        return X + self.mlp(self.ln2(X)), cache


class GPT(nn.Module):
    """A decoder-only transformer language model with tied input and output weights.

    ``GPT(vocab_size, num_hiddens=64, num_heads=4, num_layers=2, max_len=64,
    dropout=0.0, fused=True)``. ``net(X, state=None) -> (logits, None)`` for ``X`` of
    token indices ``(batch, T)`` with ``T <= max_len`` (the size of the position
    table); logits ``(batch, T, vocab_size)``, position ``t`` predicting token
    ``t + 1`` from tokens ``0 .. t`` only. ``fused=False`` computes attention by hand
    (as :doc:`/auto_tutorials/13_attention_and_transformers/08_small_gpt` writes it).
    Weights start as normal with standard deviation 0.02, the output maps of each
    residual branch scaled down by ``sqrt(2 * num_layers)``, biases at zero.

    Examples
    --------
    >>> net = GPT(vocab_size=28, num_hiddens=32, num_heads=2, num_layers=1, max_len=16)
    >>> logits, state = net(torch.zeros(3, 10, dtype=torch.long), None)
    >>> tuple(logits.shape), state
    ((3, 10, 28), None)
    """

    def __init__(self, vocab_size: int, num_hiddens: int = 64, num_heads: int = 4,
                 num_layers: int = 2, max_len: int = 64, dropout: float = 0.0,
                 fused: bool = True):
        super().__init__()
        for name, value in [("vocab_size", vocab_size), ("num_hiddens", num_hiddens),
                            ("num_heads", num_heads), ("num_layers", num_layers),
                            ("max_len", max_len)]:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}.")
        self.vocab_size, self.max_len = vocab_size, max_len
        self.token_embedding = nn.Embedding(vocab_size, num_hiddens)
        self.position_embedding = nn.Embedding(max_len, num_hiddens)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(GPTBlock(num_hiddens, num_heads, dropout, fused)
                                    for _ in range(num_layers))
        self.ln_f = nn.LayerNorm(num_hiddens)
        self.head = nn.Linear(num_hiddens, vocab_size, bias=False)
        self.head.weight = self.token_embedding.weight  # tied: one matrix, two uses
        self.apply(self._init_weights)
        for block in self.blocks:  # the maps that write into the residual stream
            for layer in (block.attention.W_o, block.mlp[2]):
                nn.init.normal_(layer.weight, std=0.02 / math.sqrt(2 * num_layers))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def _check(self, X: torch.Tensor, past: int) -> None:
        if X.dim() != 2 or X.dtype not in (torch.int64, torch.int32):
            raise ValueError(f"X must hold token indices of shape (batch, steps), got "
                             f"dtype {X.dtype} and shape {tuple(X.shape)}.")
        if X.shape[1] < 1:
            raise ValueError("X must hold at least one step.")
        if past + X.shape[1] > self.max_len:
            raise ValueError(f"a context of {past + X.shape[1]} tokens is longer than "
                             f"the position table ({self.max_len} positions): feed at "
                             f"most max_len tokens (e.g. evaluate_perplexity(..., "
                             f"num_steps={self.max_len})) or build the model with a "
                             f"larger max_len.")

    def forward_with_cache(self, X: torch.Tensor, cache=None):
        """Logits of ``X`` continuing the positions held in ``cache``, and the new cache.

        ``cache`` is ``None`` (start at position 0) or the list of per-layer ``(K,
        V)`` returned by the previous call; ``X`` gets the positions after them.
        ``forward_with_cache(X)[0]`` equals ``net(X, None)[0]``.
        """
        past = 0 if cache is None else cache[0][0].shape[2]
        if cache is not None and len(cache) != len(self.blocks):
            raise ValueError(f"cache must hold one (K, V) pair per layer "
                             f"({len(self.blocks)}), got {len(cache)}.")
        self._check(X, past)
        positions = torch.arange(past, past + X.shape[1], device=X.device)
        H = self.dropout(self.token_embedding(X) + self.position_embedding(positions))
        new_cache = []
        for i, block in enumerate(self.blocks):
            H, layer_cache = block(H, None if cache is None else cache[i])
            new_cache.append(layer_cache)
        return self.head(self.ln_f(H)), new_cache

    def forward(self, X: torch.Tensor, state=None):
        if state is not None:
            raise ValueError("a GPT has no recurrent state: pass state=None (it attends "
                             "within the window it is given); for fast generation use "
                             "forward_with_cache or generate(..., use_cache=True).")
        return self.forward_with_cache(X, None)[0], None


def sample_next(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                generator: torch.Generator | None = None) -> torch.Tensor:
    """One token per row of ``logits`` ``(batch, vocab)``: sampled, or greedy.

    The distribution is ``softmax(logits / temperature)`` restricted to the ``top_k``
    largest logits (``None``: all). ``temperature=0`` means greedy (the argmax), the
    limit of a shrinking temperature; ``top_k=1`` is greedy too. Taught in
    :doc:`/auto_tutorials/13_attention_and_transformers/08_small_gpt`.
    """
    if logits.dim() != 2:
        raise ValueError(f"logits must have shape (batch, vocab), got "
                         f"{tuple(logits.shape)}.")
    if not isinstance(temperature, (int, float)) or isinstance(temperature, bool) or \
            not math.isfinite(temperature) or temperature < 0:
        raise ValueError(f"temperature must be a finite number >= 0 (0 = greedy), got "
                         f"{temperature!r}.")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int)
                              or not 1 <= top_k <= logits.shape[-1]):
        raise ValueError(f"top_k must be None or an int from 1 to the vocabulary size "
                         f"{logits.shape[-1]}, got {top_k!r}.")
    if temperature == 0 or top_k == 1:
        return logits.argmax(dim=-1)
    logits = logits / temperature
    if top_k is not None:
        kth = logits.topk(top_k, dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = torch.softmax(logits.float(), dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


def generate(net: GPT, vocab, prefix: str, num_chars: int, *, temperature: float = 0.0,
             top_k: int | None = None, use_cache: bool = True,
             generator: torch.Generator | None = None) -> str:
    """``prefix`` continued by ``num_chars`` characters drawn by :func:`sample_next`.

    Without the cache every step runs the model on the whole context (at most the
    last ``max_len`` tokens); with it, each step feeds only the newest token and
    reuses the keys and values of the earlier ones. Once the context fills the
    position table, the window slides, every position shifts, and the cache is
    rebuilt from the window at each step, so both ways give identical tokens for the
    same ``generator`` state. The default, ``temperature=0``, is greedy decoding.
    Taught in :doc:`/auto_tutorials/13_attention_and_transformers/08_small_gpt`.
    """
    if not isinstance(prefix, str) or not prefix:
        raise ValueError(f"prefix must be a non-empty string, got {prefix!r}.")
    if isinstance(num_chars, bool) or not isinstance(num_chars, int) or num_chars < 0:
        raise ValueError(f"num_chars must be an int >= 0, got {num_chars!r}.")
    if not hasattr(net, "forward_with_cache"):
        raise TypeError(f"generate needs a model with forward_with_cache (a GPT), got "
                        f"{type(net).__name__}; recurrent models use "
                        f"handson.language_models.generate.")
    sample_next(torch.zeros(1, net.vocab_size), temperature, top_k)  # check arguments
    device = next(net.parameters()).device
    tokens = list(vocab[list(prefix)])
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            cache = None
            for _ in range(num_chars):
                if not use_cache:
                    window = torch.tensor([tokens[-net.max_len:]], device=device)
                    logits = net(window, None)[0][:, -1]
                else:
                    if cache is None:  # read the whole window once
                        X = torch.tensor([tokens[-net.max_len:]], device=device)
                    else:  # only the newest token; the cache holds the rest
                        X = torch.tensor([tokens[-1:]], device=device)
                    out, cache = net.forward_with_cache(X, cache)
                    logits = out[:, -1]
                    if cache[0][0].shape[2] == net.max_len:
                        cache = None  # the table is full: the window slides next step
                tokens.append(int(sample_next(logits, temperature, top_k, generator)))
    finally:
        net.train(was_training)
    return "".join(vocab.to_tokens(tokens))
