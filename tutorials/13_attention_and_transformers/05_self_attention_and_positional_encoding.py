r"""
Self-attention and positional encoding
======================================

Recurrent networks read a sequence one token after the other; *self-attention*
lets every token look at every other token in one step, with queries, keys and
values all taken from the same sequence. That buys parallel computation and a
path of length one between any two positions, at a cost that grows with the
square of the length, and it loses something a recurrence has for free: the
order of the tokens. This page shows that loss exactly (permute the input, and
the output is permuted the same way), adds order back with the sinusoidal
*positional encoding*, built by hand and checked against ``handson``, verifies
numerically that a fixed rotation moves every encoding by the same offset, and
compares self-attention, recurrence and convolution, first on paper (D2L's
table) and then with a stopwatch over sequence lengths from 16 to 1,024.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * self-attention, and why without positions it is blind to order
        (permutation equivariance, checked exactly)
      * the sinusoidal positional encoding: its formula, its picture, and the
        binary-counter intuition for its frequencies
      * the relative-position property :math:`\mathbf{p}_{i+k} = \mathbf{M}_k
        \mathbf{p}_i`, with :math:`\mathbf{M}_k` a block-diagonal rotation
        built and checked
      * cost, sequential operations and maximum path length of self-attention,
        recurrence and convolution, and their measured forward times on log-log
        axes with fitted slopes

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * multi-head attention and ``handson.attention.MultiHeadAttention``:
        :doc:`04_multi_head_attention`
      * recurrent layers ``nn.RNN`` and ``nn.GRU``:
        :doc:`../11_recurrent_networks/05_rnn_concise`,
        :doc:`../12_modern_recurrent_networks/02_gru`
      * convolutions: :doc:`../07_convolutional_networks/01_convolutions`
        (``nn.Conv1d`` works the same way along one axis)
      * no data set: random tensors; nothing is trained
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# Self-attention
# --------------
#
# Given a sequence :math:`\mathbf{x}_1, \dots, \mathbf{x}_n \in \mathbb{R}^d`,
# self-attention uses every token as a query and all tokens as keys and values:
#
# .. math::
#
#    \mathbf{y}_i = f\big(\mathbf{x}_i, (\mathbf{x}_1, \mathbf{x}_1), \dots,
#    (\mathbf{x}_n, \mathbf{x}_n)\big) \in \mathbb{R}^d,
#
# where :math:`f` is an attention pooling such as the multi-head attention of
# :doc:`04_multi_head_attention`. In code: pass the same tensor three times. The
# output has the shape of the input, one vector per token, so self-attention
# layers can be stacked like recurrent or convolutional layers.

import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import handson
from handson.attention import MultiHeadAttention, PositionalEncoding

handson.seed(0)

num_hiddens, num_heads = 100, 5
attention = MultiHeadAttention(num_hiddens, num_heads)
batch_size, num_steps, valid_lens = 2, 4, torch.tensor([3, 2])
X = torch.randn(batch_size, num_steps, num_hiddens)
print("input:", tuple(X.shape), "-> self-attention output:",
      tuple(attention(X, X, X, valid_lens).shape))

# %%
# Self-attention does not see order
# ---------------------------------
#
# Nothing in :math:`f` refers to the position of a token: the score of query
# :math:`i` and key :math:`j` depends on :math:`\mathbf{x}_i` and
# :math:`\mathbf{x}_j` only, and the softmax and the weighted sum treat the keys
# as a set. So if we shuffle the tokens with a permutation :math:`\pi`, the output
# is the same shuffle of the old output, :math:`f(\mathbf{X}_\pi) =
# f(\mathbf{X})_\pi`: self-attention is *permutation-equivariant*. "The dog bit
# the man" and "the man bit the dog" give the same vectors, in a different order.
#
# We check this in double precision, where only the order of the additions over
# the keys changes (so the results agree to the last few digits, 1e-12).

attention64 = MultiHeadAttention(num_hiddens, num_heads).double()
X64 = torch.randn(batch_size, 10, num_hiddens, dtype=torch.float64)
perm = torch.randperm(10)
Y64 = attention64(X64, X64, X64)
Y64_perm = attention64(X64[:, perm], X64[:, perm], X64[:, perm])
torch.testing.assert_close(Y64_perm, Y64[:, perm], atol=1e-12, rtol=1e-12)
print("permutation", perm.tolist())
equivariance_gap = (Y64_perm - Y64[:, perm]).abs().max().item()
print(f"f(X permuted) - f(X) permuted: max {equivariance_gap:.1e}")

# %%
# A recurrent network does not have this symmetry: its state carries what came
# before. Self-attention needs the order handed to it as part of the input.
#
# Positional encoding from scratch
# --------------------------------
#
# The Transformer (Vaswani et al., 2017) adds to the input :math:`\mathbf{X} \in
# \mathbb{R}^{n \times d}` a matrix :math:`\mathbf{P}` of the same shape, one row
# per position, fixed in advance:
#
# .. math::
#
#    p_{i, 2j} = \sin(i \, \omega_j), \qquad p_{i, 2j+1} = \cos(i \, \omega_j),
#    \qquad \omega_j = \frac{1}{10000^{2j/d}},
#
# for positions :math:`i = 0, 1, \dots` and :math:`j = 0, \dots, d/2 - 1`. Each
# pair of columns is a sine and a cosine of one frequency :math:`\omega_j`; the
# frequencies fall geometrically from 1 (a wavelength of :math:`2\pi`) towards
# :math:`1/10000`.


def positional_encoding(max_len, d, dtype=torch.float32):
    """The (max_len, d) sinusoidal encoding matrix P."""
    positions = torch.arange(max_len, dtype=dtype)[:, None]              # (n, 1)
    # i * omega_j, written as i / 10000^(2j/d) (rounds like handson's table)
    angles = positions / torch.pow(10000.0, torch.arange(0, d, 2, dtype=dtype) / d)
    P = torch.zeros(max_len, d, dtype=dtype)
    P[:, 0::2] = torch.sin(angles)                                       # (n, d/2)
    P[:, 1::2] = torch.cos(angles)
    return P


encoding_dim, max_len = 32, 1000
P = positional_encoding(max_len, encoding_dim)
encoding = PositionalEncoding(encoding_dim, max_len=max_len)
assert torch.equal(P, encoding.P[0])
Z = torch.zeros(1, 60, encoding_dim)
torch.testing.assert_close(encoding(Z), Z + P[:60])
torch.testing.assert_close(encoding(Z[:, :1], start=7)[0, 0], P[7])
print("by hand == handson.attention.PositionalEncoding (bit for bit); "
      "forward(X, start=7) adds row 7")

# %%
# ``handson``'s layer adds the rows ``start`` to ``start + T - 1``; ``start``
# matters when a decoder reads one token at a time and its fifth token must get
# row 4, not row 0 (:doc:`06_transformer` uses it; :doc:`08_small_gpt` learns
# its position table instead).
#
# The picture: on the left four columns over the first 60 positions, as D2L
# draws them (columns 6 and 7 are the sine and cosine of one frequency, 8 and 9
# of a lower one); on the right all 32 columns for the same 60 positions, where
# the frequency falls from left to right.

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 3.6),
                               gridspec_kw={"width_ratios": [1.6, 1]})
for col in range(6, 10):
    ax0.plot(torch.arange(60), P[:60, col], label=f"column {col}")
ax0.set_xlabel("row (position)")
ax0.legend(fontsize=8, loc="lower left")
image = ax1.imshow(P[:60], cmap="Blues", aspect="auto")
ax1.set_xlabel("column (encoding dimension)")
ax1.set_ylabel("row (position)")
fig.colorbar(image, ax=ax1, shrink=0.8)
plt.tight_layout()
plt.show()

# %%
# Why sines and cosines of falling frequencies
# --------------------------------------------
#
# D2L explains the design with binary numbers. Write the positions 0 to 7 in
# binary: the lowest bit flips at every step, the next every two steps, the third
# every four. Lower bits have higher frequencies, and together the bits give
# every number a different code.

for i in range(8):
    print(f"{i} in binary is {i:>03b}")

# %%
# The encoding does the same with continuous values: column pair :math:`j` is a
# "digit" that turns with wavelength :math:`2\pi / \omega_j`, the first pair fast,
# the last slowly, and the rows of different positions stay apart. Floats in
# :math:`[-1, 1]` can hold more than bits, so :math:`d = 32` columns keep a
# thousand positions well apart, as the smallest distance shows.

wavelengths = 2 * math.pi / (1 / torch.pow(10000.0, torch.arange(0, 32, 2) / 32))
print("wavelengths of the 16 column pairs:",
      [f"{w:.0f}" for w in wavelengths.tolist()])
distances = torch.cdist(P.double(), P.double())
distances.fill_diagonal_(float("inf"))
min_distance = distances.min().item()
print(f"smallest distance between the rows of two different positions "
      f"(0 to {max_len - 1}): {min_distance:.3f}; row norm sqrt(d/2) = "
      f"{math.sqrt(encoding_dim / 2):.3f}")
handson.check("smallest distance between two positions' encodings",
              min_distance, ">", 0.5, quick=True)

# %%
# Relative positions: a rotation
# ------------------------------
#
# Besides telling positions apart, the encoding makes *offsets* easy. For a fixed
# offset :math:`k`, each sine-cosine pair at position :math:`i + k` is the pair at
# position :math:`i` rotated by the angle :math:`k \omega_j` (the addition
# theorems, as D2L derives them):
#
# .. math::
#
#    \begin{bmatrix} p_{i+k, 2j} \\ p_{i+k, 2j+1} \end{bmatrix}
#    = \begin{bmatrix} \cos k\omega_j & \sin k\omega_j \\
#                      -\sin k\omega_j & \cos k\omega_j \end{bmatrix}
#      \begin{bmatrix} p_{i, 2j} \\ p_{i, 2j+1} \end{bmatrix}.
#
# Stacking the :math:`d/2` rotations on the diagonal gives one matrix
# :math:`\mathbf{M}_k \in \mathbb{R}^{d \times d}` with :math:`\mathbf{p}_{i+k} =
# \mathbf{M}_k \mathbf{p}_i` for *every* :math:`i`: a linear map that depends on
# the offset only. A layer that multiplies by such a matrix can therefore "look
# :math:`k` tokens back" in the same way anywhere in the sequence. We build
# :math:`\mathbf{M}_k` and check the identity for several :math:`i` and
# :math:`k`, in double precision (see the note below for single precision).


def rotation(k, d, dtype=torch.float64):
    """The block-diagonal d x d matrix M_k with p_{i+k} = M_k p_i."""
    omega = 1 / torch.pow(10000.0, torch.arange(0, d, 2, dtype=dtype) / d)
    cos, sin = torch.cos(k * omega), torch.sin(k * omega)
    blocks = [torch.tensor([[c, s], [-s, c]], dtype=dtype)
              for c, s in zip(cos.tolist(), sin.tolist())]
    return torch.block_diag(*blocks)


P64 = positional_encoding(max_len, encoding_dim, dtype=torch.float64)
worst = 0.0
for k in [1, 5, 50, 300]:
    M_k = rotation(k, encoding_dim)
    for i in [0, 7, 100, 500, 650]:
        worst = max(worst, (P64[i + k] - M_k @ P64[i]).abs().max().item())
        torch.testing.assert_close(M_k @ P64[i], P64[i + k], atol=1e-5, rtol=0)
    torch.testing.assert_close(M_k @ M_k.T, torch.eye(encoding_dim,
                                                      dtype=torch.float64))
print(f"p[i + k] = M_k p[i] for k in 1, 5, 50, 300 and i in 0, 7, 100, 500, "
      f"650: largest error {worst:.1e}; every M_k is orthogonal")
print("M_1, top-left 4 x 4 block:\n", rotation(1, encoding_dim)[:4, :4].numpy()
      .round(4))

# %%
# A rotation preserves lengths and angles, so the dot product of two encodings
# depends on their offset only: :math:`\mathbf{p}_i^\top \mathbf{p}_{i+k} =
# \sum_j \cos(k \omega_j)`, the same for every :math:`i`. A dot-product score
# between two positions' encodings therefore measures how far apart they are,
# not where they are.

k = 5
dots = (P64[:-k] * P64[k:]).sum(-1)                      # p_i . p_{i+k}, all i
predicted = torch.cos(k / torch.pow(10000.0, torch.arange(0, 32, 2) / 32)).sum()
print(f"p_i . p_(i+{k}) over all i: from {dots.min():.6f} to {dots.max():.6f}; "
      f"sum_j cos({k} w_j) = {predicted:.6f}")
torch.testing.assert_close(dots, torch.full_like(dots, predicted.item()),
                           atol=1e-5, rtol=0)

# %%
# .. note::
#
#    In single precision, which the models use, the angle :math:`i \omega_j` of
#    a large position is rounded before the sine is taken, so the float32 rows
#    of ``handson``'s table drift from the exact values as :math:`i` grows. The
#    drift is small but it is why the identity above is checked in double
#    precision:

drift = (encoding.P[0].double() - P64).abs().max(dim=1).values
print(f"float32 table vs exact: largest error {drift[:10].max():.1e} for "
      f"positions 0-9, {drift[-100:].max():.1e} for positions 900-999")

# %%
# With the encoding added, the symmetry of self-attention is gone: a permuted
# input now carries different positions, and the outputs are no longer the
# permuted outputs.

pe64 = PositionalEncoding(num_hiddens).double()
Y64 = attention64(pe64(X64), pe64(X64), pe64(X64))
X64_perm = pe64(X64[:, perm])
Y64_perm = attention64(X64_perm, X64_perm, X64_perm)
gap = (Y64_perm - Y64[:, perm]).abs().max().item()
print(f"with positional encoding: f(X permuted) - f(X) permuted: max {gap:.3f}")
handson.check("equivariance gap once the positional encoding is added", gap,
              ">", 0.01, quick=True)

# %%
# Self-attention, recurrence and convolution on paper
# ---------------------------------------------------
#
# D2L (section "Comparing CNNs, RNNs, and Self-Attention") compares three ways of
# mapping :math:`n` tokens of width :math:`d` to :math:`n` tokens of width
# :math:`d`: a convolution with kernel size :math:`k`, a recurrent layer, and
# self-attention. *Sequential operations* are the steps that must wait for each
# other (they limit parallel hardware), the *maximum path length* is the number
# of layers or steps a signal needs between the two most distant positions
# (short paths make long-range dependencies easier to learn, D2L notes):
#
# ==================  ========================  =====================  ===========
# layer               computational cost        sequential operations  max. path
# ==================  ========================  =====================  ===========
# convolution         :math:`O(k n d^2)`        :math:`O(1)`           :math:`O(n/k)`
# recurrent           :math:`O(n d^2)`          :math:`O(n)`           :math:`O(n)`
# self-attention      :math:`O(n^2 d)`          :math:`O(1)`           :math:`O(1)`
# ==================  ========================  =====================  ===========
#
# The path length of the convolution is easy to *see* with autograd: stack
# layers of kernel size 3 (padded, so every layer keeps :math:`n` positions) and
# ask from how many layers on some output depends on both the first and the last
# input, the two most distant positions. Each layer widens an output's view by
# :math:`k - 1 = 2` positions, so that takes :math:`\lceil (n-1)/(k-1) \rceil`
# layers, which is D2L's :math:`O(n/k)`. One self-attention layer already
# connects them: its last output depends on its first input.

n, k = 16, 3
x = torch.randn(n)
needed = None
for num_layers in range(1, n):
    convs = nn.Sequential(*[nn.Conv1d(1, 1, k, padding=1) for _ in range(num_layers)])
    with torch.no_grad():
        for conv in convs:
            conv.weight.fill_(1.0)                       # no accidental zeros
    J = torch.autograd.functional.jacobian(
        lambda v: convs(v.view(1, 1, n)).view(n), x)     # J[m, j] = d out_m / d x_j
    if bool(((J[:, 0] != 0) & (J[:, -1] != 0)).any()):
        needed = num_layers
        break
s = torch.randn(1, n, 1, requires_grad=True)
grad, = torch.autograd.grad(
    MultiHeadAttention(1, 1)(s, s, s)[0, -1, 0], s)
print(f"n = {n}, kernel {k}: an output of a convolution stack sees both the "
      f"first and the last input from {needed} layers on (ceil((n-1)/(k-1)) = "
      f"{math.ceil((n - 1) / (k - 1))}); one self-attention layer: gradient of "
      f"the last output on the first input {grad[0, 0, 0]:.3f}")
assert needed == math.ceil((n - 1) / (k - 1)) and grad[0, 0, 0] != 0

# %%
# ... and with a stopwatch
# ------------------------
#
# The table speaks of growth, so we measure growth: the forward time of one layer
# of each kind at width :math:`d = 64`, batch 4, for sequence lengths 16 to 1,024
# (512 in quick mode). The self-attention layer is ``MultiHeadAttention(64, 1)``
# (one head, as in the table: projections :math:`O(n d^2)` plus scores and
# weighted sums :math:`O(n^2 d)`), the recurrent layer ``nn.GRU(64, 64)`` and the
# convolution ``nn.Conv1d(64, 64, 3, padding=1)``.
#
# Other programs share this machine, and a wall-clock time counts the moments
# when they hold the CPU. So we time with ``time.thread_time()``, the CPU time our
# own thread spent, use one thread, and keep the fastest of five runs. Each run
# repeats the call, doubling the repeats until the block takes at least 20 ms
# (on some systems the thread clock ticks only every few milliseconds), and
# divides by the repeats. Before the runs, each layer is called once at that
# length to warm up.

num_threads = torch.get_num_threads()
torch.set_num_threads(1)
d, batch = 64, 4
self_attention = MultiHeadAttention(d, 1).eval()
gru = nn.GRU(d, d, batch_first=True).eval()
conv = nn.Conv1d(d, d, 3, padding=1).eval()
layers = {"self-attention": lambda X: self_attention(X, X, X),
          "GRU": lambda X: gru(X)[0],
          "convolution": lambda X: conv(X.transpose(1, 2))}
lengths = [n for n in (16, 32, 64, 128, 256, 512, 1024)
           if n <= handson.shrink(1024, 512)]
times = {name: [] for name in layers}
with torch.no_grad():
    for n in lengths:
        Xn = torch.randn(batch, n, d)
        for name, layer in layers.items():
            layer(Xn)                                    # warm-up
            runs = []
            for _ in range(5):
                # time blocks of at least 20 ms: on some systems the thread
                # clock ticks only every few milliseconds
                reps, spent = 1, 0.0
                while spent < 0.02:
                    reps *= 2
                    tic = time.thread_time()
                    for _ in range(reps):
                        layer(Xn)
                    spent = time.thread_time() - tic
                runs.append(spent / reps)
            times[name].append(min(runs))
torch.set_num_threads(num_threads)

print(f"{'n':>5}" + "".join(f"{name:>16}" for name in layers) + "   (ms)")
for i, n in enumerate(lengths):
    print(f"{n:5d}" + "".join(f"{1e3 * times[name][i]:16.3f}" for name in layers))
print(f"GRU per step at n = {lengths[-1]}: "
      f"{1e6 * times['GRU'][-1] / lengths[-1]:.1f} µs, run one step after the "
      f"other")

# %%
# On log-log axes a cost :math:`c \, n^a` is a straight line of slope :math:`a`.
# We fit slopes over the long half of the range, :math:`n \ge 128`, where fixed
# overheads matter least, and compare with the slope the operation counts
# predict there (for self-attention :math:`8nd^2 + 4n^2 d` floating-point
# operations per example, as counted in :doc:`04_multi_head_attention`, which
# turns from linear to quadratic as :math:`n` passes :math:`2d`; the GRU and the
# convolution do a fixed amount of work per token).

long = np.array(lengths) >= 128
log_n = np.log(np.array(lengths))
slopes = {name: np.polyfit(log_n[long], np.log(np.array(t))[long], 1)[0]
          for name, t in times.items()}
attention_flops = 8 * np.array(lengths) * d**2 + 4 * np.array(lengths)**2 * d
predicted_slope = np.polyfit(log_n[long], np.log(attention_flops)[long], 1)[0]
for name, slope in slopes.items():
    print(f"fitted slope for n >= 128, {name:15s}: {slope:.2f}")
print(f"slope of self-attention's operation count over the same lengths: "
      f"{predicted_slope:.2f}")

fig, ax = plt.subplots(figsize=(5.5, 3.6))
for name, t in times.items():
    ax.loglog(lengths, 1e3 * np.array(t), "o-",
              label=f"{name} (slope {slopes[name]:.2f})")
ax.xaxis.set_minor_locator(plt.NullLocator())
ax.set_xticks(lengths, [str(n) for n in lengths])
ax.set_xlabel("sequence length n")
ax.set_ylabel("forward time (ms, CPU, 1 thread)")
ax.legend(fontsize=8)
ax.grid(True, which="both", alpha=0.3)
plt.tight_layout()
plt.show()

# %%
# The recurrence grows linearly, as its :math:`O(n d^2)` says, but its :math:`n`
# steps run one after the other; the convolution grows linearly too, and its
# tokens are all computed at once; self-attention grows faster than linearly
# once the :math:`n^2 d` term dominates, on the way to quadratic. The checks
# below hold the robust part of that picture, with wide margins (timings
# differ between machines): the GRU's slope is near 1, the convolution's not
# above linear by much, self-attention's clearly steeper than the GRU's.

handson.check("fitted time slope of the GRU, n >= 128", slopes["GRU"], "<", 1.4)
handson.check("fitted time slope of the GRU, n >= 128", slopes["GRU"], ">", 0.6)
handson.check("fitted time slope of the convolution, n >= 128",
              slopes["convolution"], "<", 1.4)
handson.check("self-attention's time slope minus the GRU's, n >= 128",
              slopes["self-attention"] - slopes["GRU"], ">", 0.25)

# %%
# On a CPU with one thread the slopes roughly follow the operation counts. (The
# absolute times depend also on how well each layer's products use the core,
# so they need not be in the ratio of the counts.) On parallel hardware the
# column "sequential operations" of the table matters: the GRU's steps must
# wait for each other, however many cores there are, while attention's products
# for all positions can run at once. The price, :math:`n^2` scores per head, is what
# :doc:`09_efficient_attention_and_scaling` measures in time and memory.
#
# Summary
# -------
#
# * Self-attention uses each token as a query against all tokens as keys and
#   values; without positions it is permutation-equivariant (checked to 1e-12),
#   so it cannot see word order.
# * The sinusoidal positional encoding adds sines and cosines of geometrically
#   falling frequencies, like the bits of a binary counter but continuous; it
#   gives each position a distinct code and breaks the symmetry.
# * For every offset :math:`k`, :math:`\mathbf{p}_{i+k} = \mathbf{M}_k
#   \mathbf{p}_i` with a block-diagonal rotation :math:`\mathbf{M}_k` that does
#   not depend on :math:`i`, and :math:`\mathbf{p}_i^\top \mathbf{p}_{i+k}`
#   depends on :math:`k` only.
# * Self-attention has :math:`O(1)` sequential operations and path length but
#   :math:`O(n^2 d)` cost; measured, its forward time grows faster than the
#   GRU's and the convolution's linear times.
#
# Exercises
# ---------
#
# 1. Is self-attention *with a causal mask* (query :math:`i` sees keys
#    :math:`1, \dots, i`) still permutation-equivariant? Try it with
#    ``valid_lens = torch.arange(1, n + 1).expand(batch, n)``.
#
#    .. dropdown:: Answer
#
#       No: the mask itself depends on positions (token :math:`i` sees exactly
#       the tokens up to it), so a permuted input gives each token a different
#       set of keys. Within one layer it is still blind to the order of what it
#       sees: the output at position :math:`i` does not change if the tokens
#       before :math:`i` are shuffled among themselves. Stacked layers can infer
#       some order from how many tokens each earlier position saw; a
#       positional encoding makes order available directly, from the first
#       layer on.
#
# 2. D2L suggests a learnable positional encoding. Write one with
#    ``nn.Parameter(torch.zeros(1, max_len, d))`` added to the input. What can
#    it not do that the sinusoidal one can?
#
#    .. dropdown:: Answer
#
#       It learns one row per position seen in training and has no row beyond
#       ``max_len``; the rows of positions rarely seen stay near their
#       initialisation. The sinusoidal table is defined for every position and
#       has the rotation property by construction; a learned one may or may not
#       learn something similar.
#
# 3. Suppose you stack many self-attention layers with positional encoding
#    added only at the input (D2L's first exercise). What could go wrong?
#
#    .. dropdown:: Hint
#
#       The position information is one term added to the token embeddings; each
#       layer mixes tokens and may wash it out. Residual connections
#       (:doc:`06_transformer`) carry it upwards. Cost and memory also grow as
#       :math:`n^2` in every layer.
#
# 4. In the operation count :math:`8nd^2 + 4n^2 d` of one self-attention
#    layer, at what length :math:`n` do the scores and weighted sums cost as
#    much as the projections? Compare with the length where the measured
#    self-attention curve bends upward.
#
#    .. dropdown:: Answer
#
#       :math:`4n^2 d = 8 n d^2` at :math:`n = 2d = 128` for :math:`d = 64`:
#       below it the projections (linear in :math:`n`) dominate, above it the
#       scores and weighted sums (quadratic). Compute the slopes between
#       neighbouring lengths from the table: they should rise from well below 1
#       towards 2 around that length, blurred by fixed per-call overheads at
#       short lengths; they need not match the counts exactly, since time is
#       not only arithmetic (memory traffic for the :math:`n \times n` scores,
#       for one).
#
# 5. **Programming task.** *Rotary* position encoding (RoPE) does not add
#    positions to the input but rotates queries and keys: with
#    :math:`\mathbf{M}_i` from ``rotation`` above, the score of query
#    :math:`\mathbf{q}` at position :math:`i` and key :math:`\mathbf{k}` at
#    position :math:`j` becomes :math:`(\mathbf{M}_i \mathbf{q})^\top
#    (\mathbf{M}_j \mathbf{k})`. Check numerically that this score depends on
#    :math:`j - i` only: shifting both positions by the same amount leaves it
#    unchanged.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          d = 32
#          q = torch.randn(d, dtype=torch.float64)
#          key = torch.randn(d, dtype=torch.float64)
#
#
#          def rope_score(i, j):
#              return (rotation(i, d) @ q) @ (rotation(j, d) @ key)
#
#
#          for shift in [1, 10, 300]:
#              torch.testing.assert_close(rope_score(3, 8),
#                                         rope_score(3 + shift, 8 + shift))
#
#       Rotations satisfy :math:`\mathbf{M}_i^\top \mathbf{M}_j =
#       \mathbf{M}_{j-i}`, so the score is :math:`\mathbf{q}^\top
#       \mathbf{M}_{j-i} \mathbf{k}`: the position enters only as the offset.
