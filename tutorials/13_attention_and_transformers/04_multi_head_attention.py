r"""
Multi-head attention
====================

One attention pooling gives each query one probability distribution over the
keys: it can look at one place, or blur several together. *Multi-head attention*
(Vaswani et al., 2017) runs :math:`h` attention poolings side by side, each on its
own learned projection of the queries, keys and values, and combines their outputs
with one more projection, so that one layer can look at several places for
different reasons at once. This page derives it, writes it from scratch twice (a
loop over heads, then the batched form with one reshape and one transpose),
checks it against ``handson.attention.MultiHeadAttention`` and against PyTorch's
``nn.MultiheadAttention`` with copied weights (outputs *and* per-head weights,
with padding and causal masks), counts its parameters and floating-point
operations for one head and for many, and builds four heads by hand that look at
four different things in one sentence.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the heads, their projections of width :math:`d / h`, the concatenation
        and the output projection
      * splitting into heads with ``reshape`` and ``transpose``, checked equal to
        a loop over heads that slices the weight matrices
      * ``nn.MultiheadAttention``: the stacked ``in_proj_weight``, ``out_proj``,
        ``key_padding_mask`` and ``attn_mask`` (``True`` means *not allowed*),
        against the course's valid lengths
      * why :math:`h` heads cost the same parameters and matrix products as one
        head of the full width, counted and computed
      * what separate heads can do that one head cannot, on a tiny example

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * scaled dot-product attention and the masked softmax with valid lengths:
        :doc:`02_scoring_functions`
      * queries, keys and values; attention heatmaps: :doc:`01_attention_pooling`
      * ``nn.Linear`` and its weight layout, :math:`\mathbf{x} \mathbf{W}^\top`:
        :doc:`../06_builders_guide/04_custom_layers`
      * no data set: random tensors and one hand-made sentence; nothing is
        trained
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The model
# ---------
#
# Take queries :math:`\mathbf{Q} \in \mathbb{R}^{n_q \times d}` and keys and
# values :math:`\mathbf{K}, \mathbf{V} \in \mathbb{R}^{n_k \times d}`, one item a
# row. Head :math:`i` (:math:`i = 1, \dots, h`) projects each of them with its own
# matrices :math:`\mathbf{W}_i^{(q)}, \mathbf{W}_i^{(k)}, \mathbf{W}_i^{(v)} \in
# \mathbb{R}^{p \times d}` and applies scaled dot-product attention to the
# projections:
#
# .. math::
#
#    \mathbf{H}_i = \operatorname{softmax}\left(
#      \frac{(\mathbf{Q} \mathbf{W}_i^{(q)\top})
#            (\mathbf{K} \mathbf{W}_i^{(k)\top})^\top}{\sqrt{p}} \right)
#      \mathbf{V} \mathbf{W}_i^{(v)\top} \in \mathbb{R}^{n_q \times p}.
#
# The softmax acts on each row, so every head gives every query its own
# distribution over the keys. The heads' outputs are concatenated side by side
# and projected by :math:`\mathbf{W}_o \in \mathbb{R}^{d \times hp}`:
#
# .. math::
#
#    \operatorname{MultiHead}(\mathbf{Q}, \mathbf{K}, \mathbf{V}) =
#    \begin{bmatrix} \mathbf{H}_1 & \cdots & \mathbf{H}_h \end{bmatrix}
#    \mathbf{W}_o^\top \in \mathbb{R}^{n_q \times d}.
#
# As D2L does (section "Multi-Head Attention"), we take :math:`p = d / h`. Then
# the :math:`h` matrices :math:`\mathbf{W}_i^{(q)}` stacked on top of each other
# form one :math:`d \times d` matrix :math:`\mathbf{W}_q`, and all heads'
# projections come out of *one* product :math:`\mathbf{Q} \mathbf{W}_q^\top`:
# head :math:`i` owns columns :math:`(i-1)p + 1` to :math:`ip` of the result. The
# same holds for keys and values. Here :math:`d` is ``num_hiddens``.
#
# From scratch, one head at a time
# --------------------------------
#
# The loop below follows the formula literally: head :math:`i` slices its rows
# out of the weight matrices (``nn.Linear`` stores a weight as ``(out, in)`` and
# computes :math:`\mathbf{x} \mathbf{W}^\top`; we keep that layout so that the
# weights can be copied into PyTorch's layers later).

import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import handson
from handson.attention import MultiHeadAttention, masked_softmax, show_heatmaps

handson.seed(0)


def multi_head_attention_loop(queries, keys, values, params, num_heads):
    """Multi-head attention, one head at a time (no mask)."""
    W_q, W_k, W_v, W_o = params
    p = W_q.shape[0] // num_heads
    heads = []
    for i in range(num_heads):
        rows = slice(i * p, (i + 1) * p)             # head i's rows of each W
        Q_i = queries @ W_q[rows].T                  # (batch, n_q, p)
        K_i = keys @ W_k[rows].T                     # (batch, n_k, p)
        V_i = values @ W_v[rows].T                   # (batch, n_k, p)
        A_i = torch.softmax(Q_i @ K_i.transpose(1, 2) / math.sqrt(p), dim=-1)
        heads.append(A_i @ V_i)                      # (batch, n_q, p)
    return torch.cat(heads, dim=-1) @ W_o.T          # (batch, n_q, d)


# %%
# From scratch, all heads at once
# -------------------------------
#
# The loop runs :math:`h` small products one after the other. The batched form
# projects once with the full matrices and then *splits* the last axis:
# ``reshape`` turns ``(batch, n, d)`` into ``(batch, n, h, p)`` (head ``i``,
# counted from 0 as in code, gets features ``i * p`` to ``(i + 1) * p - 1``, the
# same slices as the loop),
# and ``transpose`` moves the head axis forward, to ``(batch, h, n, p)``. Now the
# heads are one more batch axis: the batched matrix product ``@`` and the masked
# softmax of :doc:`02_scoring_functions` treat them all at once, and the valid
# lengths, one per example, apply to every head. Merging undoes the split.


def split_heads(X, num_heads):
    """(batch, n, d) -> (batch, num_heads, n, d / num_heads)."""
    batch, n, d = X.shape
    return X.reshape(batch, n, num_heads, d // num_heads).transpose(1, 2)


def merge_heads(X):
    """(batch, num_heads, n, p) -> (batch, n, num_heads * p): concatenate heads."""
    batch, num_heads, n, p = X.shape
    return X.transpose(1, 2).reshape(batch, n, num_heads * p)


def multi_head_attention(queries, keys, values, params, num_heads,
                         valid_lens=None):
    """Multi-head attention, all heads batched; returns output and weights."""
    W_q, W_k, W_v, W_o = params
    Q = split_heads(queries @ W_q.T, num_heads)      # (batch, h, n_q, p)
    K = split_heads(keys @ W_k.T, num_heads)         # (batch, h, n_k, p)
    V = split_heads(values @ W_v.T, num_heads)       # (batch, h, n_k, p)
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])  # (b, h, n_q, n_k)
    weights = masked_softmax(scores, valid_lens)
    return merge_heads(weights @ V) @ W_o.T, weights


# %%
# D2L's test sizes: width 100 with 5 heads, 2 examples, 4 queries and 6 key-value
# pairs, valid lengths 3 and 2. Unlike D2L we use random inputs rather than
# ones (with identical keys every weight would be uniform, and any bug in the
# split would go unseen), and check values, not only shapes.

num_hiddens, num_heads = 100, 5
batch_size, num_queries, num_kvpairs = 2, 4, 6
params = [torch.randn(num_hiddens, num_hiddens) / math.sqrt(num_hiddens)
          for _ in range(4)]                         # W_q, W_k, W_v, W_o
X = torch.randn(batch_size, num_queries, num_hiddens)
Y = torch.randn(batch_size, num_kvpairs, num_hiddens)
valid_lens = torch.tensor([3, 2])

out, weights = multi_head_attention(X, Y, Y, params, num_heads)
print("output:", tuple(out.shape), "| weights (batch, heads, queries, keys):",
      tuple(weights.shape))
out_loop = multi_head_attention_loop(X, Y, Y, params, num_heads)
torch.testing.assert_close(out, out_loop)
print(f"batched heads == loop over heads: max difference "
      f"{(out - out_loop).abs().max():.1e}")

# %%
# ``split_heads`` and ``merge_heads`` only move numbers around: merging undoes
# splitting exactly, and splitting then merging the output of the loop's
# ``torch.cat`` is the identity, which is why the two forms agree.

Z = torch.randn(batch_size, num_queries, num_hiddens)
assert torch.equal(merge_heads(split_heads(Z, num_heads)), Z)
assert torch.equal(split_heads(Z, num_heads)[:, 1], Z[..., 20:40])  # head 1
print("split then merge is exact; head 1 holds features 20 to 39")

# %%
# The library's version
# ---------------------
#
# ``handson.attention.MultiHeadAttention`` is this batched form with four
# ``nn.Linear`` layers (no biases by default, as in D2L). Copying our matrices into
# its layers must give the same outputs and the same per-head weights, with and
# without valid lengths.

mha = MultiHeadAttention(num_hiddens, num_heads)
with torch.no_grad():
    for layer, W in zip([mha.W_q, mha.W_k, mha.W_v, mha.W_o], params):
        layer.weight.copy_(W)
for lens in [None, valid_lens]:
    out, weights = multi_head_attention(X, Y, Y, params, num_heads, lens)
    torch.testing.assert_close(mha(X, Y, Y, lens), out, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(mha.attention_weights, weights, atol=1e-5,
                               rtol=1e-5)
print("scratch == handson.attention.MultiHeadAttention, without and with "
      "valid lengths", valid_lens.tolist())
print("weights of example 1 (valid length 2), head 0, query 0:",
      [round(w, 3) for w in weights[1, 0, 0].tolist()])

# %%
# PyTorch's ``nn.MultiheadAttention``
# -----------------------------------
#
# PyTorch's layer holds the same four matrices in a different place:
# ``in_proj_weight`` is :math:`\mathbf{W}_q`, :math:`\mathbf{W}_k` and
# :math:`\mathbf{W}_v` stacked into one :math:`3d \times d` matrix (one product
# projects all three when queries, keys and values are the same tensor), and
# ``out_proj`` is the ``nn.Linear`` of :math:`\mathbf{W}_o`. By default it expects
# inputs ``(n, batch, d)``; ``batch_first=True`` gives the course's ``(batch, n,
# d)``. It returns the output *and* the weights; ``average_attn_weights=False``
# keeps one matrix per head instead of their mean.


def torch_mha(params, num_heads):
    """nn.MultiheadAttention holding our matrices (no biases)."""
    W_q, W_k, W_v, W_o = params
    layer = nn.MultiheadAttention(W_q.shape[0], num_heads, bias=False,
                                  batch_first=True)
    with torch.no_grad():
        layer.in_proj_weight.copy_(torch.cat([W_q, W_k, W_v]))   # (3d, d)
        layer.out_proj.weight.copy_(W_o)
    return layer


torch_layer = torch_mha(params, num_heads)
print({name: tuple(p.shape) for name, p in torch_layer.named_parameters()})
out_t, weights_t = torch_layer(X, Y, Y, average_attn_weights=False)
out, weights = multi_head_attention(X, Y, Y, params, num_heads)
torch.testing.assert_close(out_t, out, atol=1e-5, rtol=1e-5)
torch.testing.assert_close(weights_t, weights, atol=1e-5, rtol=1e-5)
print("no mask: outputs and per-head weights equal to 1e-5")

# %%
# Masks: the opposite convention
# ------------------------------
#
# The course describes a mask by *valid lengths*: keys at positions at or beyond
# the length get weight zero. ``nn.MultiheadAttention`` takes boolean masks in
# which ``True`` means **not allowed** (a float mask is instead *added* to the
# scores, so ``-inf`` forbids). Two of them:
#
# * ``key_padding_mask`` of shape ``(batch, n_k)``: ``True`` at padded keys. From
#   valid lengths: ``torch.arange(n_k) >= valid_lens[:, None]``.
# * ``attn_mask`` of shape ``(n_q, n_k)`` (or ``(batch * h, n_q, n_k)``), the same
#   for every example: for a *causal* mask, where query :math:`i` may only see keys
#   :math:`1, \dots, i`, that is the strict upper triangle,
#   ``torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)``. With valid
#   lengths, one per query: ``torch.arange(1, T + 1)``.
#
# Both can be given at once; the equivalent valid lengths are then the smaller of
# the two for every query.

out, weights = multi_head_attention(X, Y, Y, params, num_heads, valid_lens)
padding_mask = torch.arange(num_kvpairs) >= valid_lens[:, None]   # True = padding
print("key_padding_mask:\n", padding_mask.int())
out_t, weights_t = torch_layer(X, Y, Y, key_padding_mask=padding_mask,
                               average_attn_weights=False)
torch.testing.assert_close(out_t, out, atol=1e-5, rtol=1e-5)
torch.testing.assert_close(weights_t, weights, atol=1e-5, rtol=1e-5)
print("padding: equal to 1e-5")

T = 6                                                # self-attention, T steps
S = torch.randn(batch_size, T, num_hiddens)
causal_mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
causal_lens = torch.arange(1, T + 1).expand(batch_size, T)
print("causal attn_mask:\n", causal_mask.int())
out, weights = multi_head_attention(S, S, S, params, num_heads, causal_lens)
out_t, weights_t = torch_layer(S, S, S, attn_mask=causal_mask,
                               average_attn_weights=False)
torch.testing.assert_close(out_t, out, atol=1e-5, rtol=1e-5)
torch.testing.assert_close(weights_t, weights, atol=1e-5, rtol=1e-5)
print("causal: equal to 1e-5")

seq_lens = torch.tensor([6, 4])
both_lens = torch.minimum(causal_lens, seq_lens[:, None])  # (batch, T)
out, weights = multi_head_attention(S, S, S, params, num_heads, both_lens)
out_t, weights_t = torch_layer(
    S, S, S, attn_mask=causal_mask,
    key_padding_mask=torch.arange(T) >= seq_lens[:, None],
    average_attn_weights=False)
torch.testing.assert_close(out_t, out, atol=1e-5, rtol=1e-5)
torch.testing.assert_close(weights_t, weights, atol=1e-5, rtol=1e-5)
print("causal and padding together: equal to 1e-5; valid lengths per query of "
      "example 1:", both_lens[1].tolist())

# %%
# Passing the course's kind of mask (``True`` where a key *counts*) to PyTorch
# does not raise an error: it silently attends to the padding only. That is the
# bug to expect when moving code between the two conventions.

keep_mask = ~padding_mask                            # True = key counts: wrong here
out_wrong, weights_wrong = torch_layer(X, Y, Y, key_padding_mask=keep_mask,
                                       average_attn_weights=False)
out, weights = multi_head_attention(X, Y, Y, params, num_heads, valid_lens)
wrong_gap = (out_wrong - out).abs().max().item()
weight_on_valid = weights_wrong[..., :2].sum(-1).max().item()
print(f"inverted mask: output off by up to {wrong_gap:.3f}; largest total weight "
      f"on keys 0 and 1 (valid in both examples): {weight_on_valid:.1e}")
handson.check("largest output difference with the inverted padding mask",
              wrong_gap, ">", 0.01, quick=True)
assert weight_on_valid == 0.0  # all weight went to the padding

# %%
# With biases (``bias=True``, PyTorch's default) the stacked layout repeats:
# ``in_proj_bias`` is :math:`(\mathbf{b}_q, \mathbf{b}_k, \mathbf{b}_v)` and
# ``out_proj.bias`` is :math:`\mathbf{b}_o`. Copying a ``handson`` layer with
# biases into a PyTorch one checks that too, and gradients as well: the two
# compute the same function, so they must agree on its derivatives.

mha_b = MultiHeadAttention(num_hiddens, num_heads, bias=True)
torch_b = nn.MultiheadAttention(num_hiddens, num_heads, batch_first=True)
with torch.no_grad():
    torch_b.in_proj_weight.copy_(torch.cat([mha_b.W_q.weight, mha_b.W_k.weight,
                                            mha_b.W_v.weight]))
    torch_b.in_proj_bias.copy_(torch.cat([mha_b.W_q.bias, mha_b.W_k.bias,
                                          mha_b.W_v.bias]))
    torch_b.out_proj.weight.copy_(mha_b.W_o.weight)
    torch_b.out_proj.bias.copy_(mha_b.W_o.bias)
out_h = mha_b(X, Y, Y, valid_lens)
out_t, weights_t = torch_b(X, Y, Y, key_padding_mask=padding_mask,
                           average_attn_weights=False)
torch.testing.assert_close(out_t, out_h, atol=1e-5, rtol=1e-5)
torch.testing.assert_close(weights_t, mha_b.attention_weights, atol=1e-5,
                           rtol=1e-5)
(out_h ** 2).sum().backward()
(out_t ** 2).sum().backward()
torch.testing.assert_close(torch_b.in_proj_weight.grad,
                           torch.cat([mha_b.W_q.weight.grad, mha_b.W_k.weight.grad,
                                      mha_b.W_v.weight.grad]), atol=1e-5, rtol=1e-5)
torch.testing.assert_close(torch_b.out_proj.bias.grad, mha_b.W_o.bias.grad,
                           atol=1e-5, rtol=1e-5)
print("with biases: outputs, per-head weights and gradients equal to 1e-5")

# %%
# .. note::
#
#    In evaluation mode and without autograd (``torch.inference_mode()``),
#    ``nn.MultiheadAttention`` called with ``need_weights=False`` on
#    self-attention may take a *fast path*, a fused kernel that never forms the
#    weights. It does so only under further conditions, among them biases and
#    an even number of heads, which our layer (5 heads, no biases) does not
#    meet: the check below runs the ordinary path with ``need_weights=False``.

torch_layer.eval()
with torch.inference_mode():
    out_fast, none = torch_layer(S, S, S, need_weights=False)
torch.testing.assert_close(out_fast, multi_head_attention(S, S, S, params,
                                                          num_heads)[0],
                           atol=1e-5, rtol=1e-5)
print("need_weights=False returns weights", none, "| output equal to 1e-5")

# %%
# The cost of many heads
# ----------------------
#
# Splitting into heads costs nothing extra in parameters: the four matrices are
# :math:`d \times d` whatever :math:`h` is, :math:`4d^2` numbers (plus
# :math:`4d` biases). Nor in matrix products. For one example, the four
# projections cost :math:`2 n d^2` floating-point operations each for :math:`n`
# rows (a multiply and an add per entry of the weight); head :math:`i` computes
# :math:`n_q n_k` dot products of length :math:`p` for its scores and as many
# for its weighted sum, and :math:`h` heads of width :math:`p = d/h` do
# :math:`h \cdot 2 \cdot 2 n_q n_k p = 4 n_q n_k d`, the same as one head of
# width :math:`d`:
#
# .. math::
#
#    \text{FLOPs} = \underbrace{2 (2 n_q + 2 n_k) d^2}_\text{projections}
#    + \underbrace{4 n_q n_k d}_\text{attention}, \qquad \text{independent of }
#    h.
#
# PyTorch's ``FlopCounterMode`` counts the operations of every matrix product
# that actually runs; it agrees with the formula for every :math:`h` in the
# table. What *does* grow with :math:`h` is the number of scores: every head
# has its own :math:`n_q \times n_k` matrix, so the softmax (its exponentials
# are not counted as FLOPs here) and the memory for the weights grow :math:`h`
# times.


def mha_flops(n_q, n_k, d):
    """Matrix-product FLOPs of multi-head attention for one example."""
    return 2 * (2 * n_q + 2 * n_k) * d * d + 4 * n_q * n_k * d


d, n_q, n_k = 64, 32, 48
Xq, Xk = torch.randn(1, n_q, d), torch.randn(1, n_k, d)
print(f"{'heads':>5} {'width p':>7} {'parameters':>10} {'FLOPs counted':>13} "
      f"{'FLOPs formula':>13} {'scores':>7}")
flops_counted = []
for h in [1, 2, 4, 8, 16, 64]:
    layer = MultiHeadAttention(d, h)
    with FlopCounterMode(display=False) as counter:
        layer(Xq, Xk, Xk)
    flops_counted.append(counter.get_total_flops())
    num_params = sum(p.numel() for p in layer.parameters())
    num_scores = layer.attention_weights.numel()
    print(f"{h:5d} {d // h:7d} {num_params:10,d} {flops_counted[-1]:13,d} "
          f"{mha_flops(n_q, n_k, d):13,d} {num_scores:7,d}")
    assert num_params == 4 * d * d and num_scores == h * n_q * n_k
assert all(f == mha_flops(n_q, n_k, d) for f in flops_counted)
print("parameters and FLOPs are the same for every number of heads")

# %%
# Equal arithmetic need not mean equal speed: many narrow heads make many small
# products, which can run less efficiently than a few large ones, and the
# softmax work grows with :math:`h`. This page counts operations only; it does
# not time them (:doc:`09_efficient_attention_and_scaling` measures attention's
# speed against sequence length).
#
# What the heads can do: four heads by hand
# -----------------------------------------
#
# Why bother with heads at all? Each query gets *one* softmax per head, and a
# softmax is one distribution: one head can look at the previous word, or at
# the next one, or at both half and half and add their values together, but it
# cannot bring back the previous word in one place and the next word in another.
# Heads can. To see it without training anything, we *set* the weights of four
# heads for a sentence of eight words. Each word is the vector
# :math:`[\text{one-hot position}, \text{one-hot word}, \mathbf{0}]` of width
# :math:`d = 32`, and :math:`h = 4` heads of width :math:`p = 8` get:
#
# * head 0, *previous word*: the query of position :math:`i` is :math:`c \,
#   \mathbf{e}_{i-1}`, the key of position :math:`j` is :math:`\mathbf{e}_j`, so
#   the score is :math:`c/\sqrt{p}` for :math:`j = i - 1` and 0 elsewhere;
# * head 1, *next word*: the same with :math:`\mathbf{e}_{i+1}`;
# * head 2, *same word*: queries and keys are the one-hot words, so a word matches
#   every occurrence of itself;
# * head 3, *everything*: a zero query, so all scores are 0 and the weights are
#   uniform, an average of the whole sentence.
#
# With :math:`c = 20` a score of :math:`20 / \sqrt{8} \approx 7` makes the softmax
# nearly one-hot. The first word has no previous word (its query is zero) and
# the last no next word, so they fall back to uniform weights.

words = "the cat saw the dog and the bird".split()
vocab = sorted(set(words))
n, h, p, c = len(words), 4, 8, 20.0
d = h * p
E = torch.zeros(n, d)
E[torch.arange(n), torch.arange(n)] = 1.0                          # position
E[torch.arange(n), n + torch.tensor([vocab.index(w) for w in words])] = 1.0
W_q, W_k = torch.zeros(d, d), torch.zeros(d, d)
shift_back = torch.diag(torch.ones(n - 1), diagonal=1)   # e_i -> e_{i-1}
W_q[0:8, 0:n], W_k[0:8, 0:n] = c * shift_back, torch.eye(n)        # head 0
W_q[8:16, 0:n], W_k[8:16, 0:n] = c * shift_back.T, torch.eye(n)    # head 1
W_q[16:24, n:2 * n], W_k[16:24, n:2 * n] = c * torch.eye(n), torch.eye(n)  # head 2
hand_params = [W_q, W_k, torch.eye(d), torch.eye(d)]     # head 3: W_q rows 24-31 = 0
_, hand_weights = multi_head_attention(E[None], E[None], E[None], hand_params, h)
hand_weights = hand_weights[0]                           # (heads, n, n)

fig = show_heatmaps(hand_weights[None], xlabel="key (word attended to)",
                    ylabel="query (word)", titles=["head 0: previous",
                    "head 1: next", "head 2: same word", "head 3: everything"],
                    figsize=(13, 3.6), cmap="Reds")
for ax in fig.axes[:h]:
    ax.set_xticks(range(n), words, rotation=90)
    ax.set_yticks(range(n), words)
plt.show()

# %%
# The weights are what the construction promised:

idx = torch.arange(1, n)
on_previous = hand_weights[0, idx, idx - 1].min().item()
on_next = hand_weights[1, idx - 1, idx].min().item()
the = torch.tensor([i for i, w in enumerate(words) if w == "the"])
on_same = hand_weights[2][the][:, the].sum(-1).min().item()
print(f"head 0, weight on the previous word (words 2-8): at least "
      f"{on_previous:.4f}")
print(f"head 1, weight on the next word (words 1-7): at least {on_next:.4f}")
print(f"head 2, weight of each 'the' on the {len(the)} 'the's: at least "
      f"{on_same:.4f}, split as "
      f"{[round(w, 4) for w in hand_weights[2, the[0], the].tolist()]}")
print(f"head 3, weights from {hand_weights[3].min():.4f} to "
      f"{hand_weights[3].max():.4f} (1/{n} = {1 / n:.4f})")
handson.check("head 0's smallest weight on the previous word", on_previous, ">",
              0.95, quick=True)
handson.check("head 1's smallest weight on the next word", on_next, ">", 0.95,
              quick=True)
handson.check("head 2's smallest total weight of a 'the' on the 'the's", on_same,
              ">", 0.95, quick=True)

# %%
# One layer with these four heads gives every word four distributions at once:
# on the previous word, the next word, the other occurrences of itself and the
# whole sentence. What each head brings back from there is chosen by its slice
# of :math:`\mathbf{W}_v`, which we left as the identity, so here each head just
# passes on its own 8 features (for heads 2 and 3 those are zeros); a
# :math:`\mathbf{W}_v` that copied the one-hot word into every head's slice
# would hand each word the previous word, the next word, and so on, side by
# side in the concatenation, for :math:`\mathbf{W}_o` to mix. A single head of
# width 32 could produce only one of these four distributions per word. In a
# trained model nobody sets the heads; they are learned, and whether they
# specialise is something to look at: the attention maps of
# :doc:`06_transformer` show them.
#
# Summary
# -------
#
# * Multi-head attention runs :math:`h` scaled dot-product attentions on learned
#   projections of width :math:`d/h`, concatenates the results and projects them
#   with :math:`\mathbf{W}_o`.
# * In code the heads are one more batch axis: project with full :math:`d \times
#   d` matrices, ``reshape`` to ``(batch, n, h, p)``, ``transpose`` to ``(batch,
#   h, n, p)``; this equals a loop over heads that slices the weights.
# * ``nn.MultiheadAttention`` holds :math:`[\mathbf{W}_q; \mathbf{W}_k;
#   \mathbf{W}_v]` stacked in ``in_proj_weight`` and :math:`\mathbf{W}_o` in
#   ``out_proj``; its boolean masks say ``True`` where attention is **not**
#   allowed, the opposite of "key counts", and an inverted mask fails silently.
# * :math:`h` heads of width :math:`d/h` cost the same :math:`4d^2` parameters and
#   the same matrix-product FLOPs as one head of width :math:`d`; only the
#   number of scores grows with :math:`h`.
# * Each head gives each query its own distribution over the keys, so one layer
#   can gather from several places at once.
#
# Exercises
# ---------
#
# 1. Why must ``num_hiddens`` be a multiple of ``num_heads`` in
#    ``MultiHeadAttention``? What does a head compute when :math:`h = d`, that is
#    :math:`p = 1`?
#
#    .. dropdown:: Answer
#
#       ``split_heads`` cuts the :math:`d` features into :math:`h` equal slices;
#       with :math:`p = d/h` not an integer the slices cannot be equal (the
#       library raises a ``ValueError``). With :math:`p = 1` each head's score is
#       the product of two numbers, :math:`q k / 1`, so for a given query the
#       scores of all keys are one number times :math:`k`: the softmax can only
#       prefer the keys with the largest (or, for a negative query, the smallest)
#       projected key. The table above shows the cost is unchanged, but such
#       heads are very weak and their products tiny.
#
# 2. ``average_attn_weights=True`` (the default) returns one matrix per example
#    instead of one per head. Check that it is the mean of the per-head weights,
#    and explain why a heatmap of that mean can hide what the heads do.
#
#    .. dropdown:: Answer
#
#       ``torch_layer(X, Y, Y)[1]`` equals ``torch_layer(X, Y, Y,
#       average_attn_weights=False)[1].mean(dim=1)`` to rounding.
#       In the hand-built example the mean of the four heads spreads weight over
#       the previous word, the next word, the other occurrences and everything,
#       so no single pattern is visible, although each head is almost one-hot.
#
# 3. A trained model has 8 heads per layer and you want to remove the least
#    useful ones to make it faster (D2L's second exercise). How would you measure
#    the importance of a head?
#
#    .. dropdown:: Hint
#
#       Multiply each head's output :math:`\mathbf{H}_i` by a gate
#       :math:`g_i \in \{0, 1\}` before the concatenation (in the batched code:
#       ``(weights @ V) * g[None, :, None, None]``). Switch one head off at a time
#       and measure the held-out loss; heads whose removal changes little are
#       candidates. Removing a few at once can behave differently from removing
#       each alone, so check the final choice together.
#
# 4. ``nn.MultiheadAttention(embed_dim, num_heads, kdim=..., vdim=...)`` accepts
#    keys and values of other widths. Print its ``named_parameters()``: where did
#    ``in_proj_weight`` go, and why?
#
#    .. dropdown:: Answer
#
#       With other widths the three matrices no longer have the same shape
#       (:math:`d \times d_k` for keys, :math:`d \times d_v` for values), so they
#       cannot be stacked into one; PyTorch then keeps ``q_proj_weight``,
#       ``k_proj_weight`` and ``v_proj_weight`` separately (and still one
#       ``in_proj_bias`` of length :math:`3d`).
#
# 5. **Programming task.** *Multi-query attention* shares one key head and one
#    value head, of width :math:`p`, among all :math:`h` query heads, so a decoder
#    has far fewer keys and values to keep. Write ``multi_query_attention(queries,
#    keys, values, params, num_heads)`` with ``W_k`` and ``W_v`` of shape
#    :math:`p \times d`, check that for :math:`h = 1` it equals
#    ``multi_head_attention``, and count its parameters against
#    :math:`4d^2`.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def multi_query_attention(queries, keys, values, params, num_heads):
#              W_q, W_k, W_v, W_o = params          # W_k, W_v: (p, d)
#              Q = split_heads(queries @ W_q.T, num_heads)   # (b, h, n_q, p)
#              K = (keys @ W_k.T)[:, None]                    # (b, 1, n_k, p)
#              V = (values @ W_v.T)[:, None]                  # shared by heads
#              scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
#              return merge_heads(torch.softmax(scores, -1) @ V) @ W_o.T
#
#
#          d, h = 32, 4
#          p = d // h
#          mqa = [torch.randn(d, d), torch.randn(p, d), torch.randn(p, d),
#                 torch.randn(d, d)]
#          A, B = torch.randn(2, 5, d), torch.randn(2, 7, d)
#          full = [torch.randn(d, d) for _ in range(4)]
#          torch.testing.assert_close(
#              multi_query_attention(A, B, B, full, 1),
#              multi_head_attention(A, B, B, full, 1)[0])
#          print(sum(W.numel() for W in mqa), "parameters against", 4 * d * d)
#
#       The key and value matrices shrink from :math:`d \times d` to
#       :math:`p \times d`, so the layer has :math:`2d^2 + 2pd` parameters, and the
#       keys and values to store per token shrink :math:`h` times. Broadcasting
#       the head axis of size 1 does the sharing.
