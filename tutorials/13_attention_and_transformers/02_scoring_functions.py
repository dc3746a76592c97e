r"""
Attention scoring functions: masked softmax, dot-product and additive attention
===============================================================================

Attention pooling needs a *scoring function* :math:`a(\mathbf{q}, \mathbf{k})`
that says how well a key matches a query; a softmax turns the scores into weights.
:doc:`01_attention_pooling` used minus a squared distance. This page derives the
score every Transformer uses, the *scaled dot product*, and measures why it is
divided by :math:`\sqrt{d}`: without the scaling the softmax saturates and its
gradient vanishes as the vectors grow. It then builds the two tools attention needs
on real batches, the *masked softmax* for sequences of different lengths (checked
against a row-by-row reference on ragged lengths) and batch matrix multiplication,
and writes scaled dot-product and *additive* attention from scratch, checked equal
to ``handson``'s (the dot product also to PyTorch's fused
``scaled_dot_product_attention``), with their costs counted.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * from the Gaussian kernel to the dot product, and why the dot product is
        scaled by :math:`1/\sqrt{d}` (variance, saturation, vanishing gradients,
        all measured)
      * the masked softmax for padded batches, written by hand, checked on ragged
        lengths, and the errors ``handson`` gives for lengths that do not fit
      * batch matrix multiplication with ``torch.bmm``
      * scaled dot-product and additive attention from scratch, checked against
        ``handson.attention`` and ``F.scaled_dot_product_attention``, with their
        FLOPs and parameters

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * queries, keys, values and attention pooling: :doc:`01_attention_pooling`
      * padding and valid lengths of a batch of sentences:
        :doc:`../12_modern_recurrent_networks/04_machine_translation_data`
      * the softmax and its gradient:
        :doc:`../04_linear_classification/02_softmax_regression_scratch`
      * no data set: random tensors only
"""

# sphinx_gallery_thumbnail_number = 1

import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

import handson
import handson.attention

handson.seed(0)

# %%
# From a distance to a dot product
# --------------------------------
#
# The Gaussian kernel of :doc:`01_attention_pooling` scores a key by minus half
# its squared distance to the query, and expands as
#
# .. math::
#
#    -\tfrac12 \|\mathbf{q} - \mathbf{k}_i\|^2 = \mathbf{q}^\top \mathbf{k}_i
#    - \tfrac12 \|\mathbf{k}_i\|^2 - \tfrac12 \|\mathbf{q}\|^2 .
#
# The last term is the same for every key of a query, and a softmax does not change
# when the same number is added to all its inputs, so it drops out. If every key
# has the same norm, the middle term drops out too (D2L notes that keys produced by
# a layer normalisation have well-bounded norms, so dropping it changes little).
# What is left is the dot product :math:`\mathbf{q}^\top \mathbf{k}_i`, cheaper to
# compute than a distance. Numerically:

q, K = torch.randn(6), torch.randn(10, 6)
gaussian = torch.softmax(-0.5 * ((q - K) ** 2).sum(dim=1), dim=0)
torch.testing.assert_close(gaussian, torch.softmax(K @ q - 0.5 * (K**2).sum(dim=1), 0))
K_unit = K / K.norm(dim=1, keepdim=True)  # keys of equal norm
torch.testing.assert_close(torch.softmax(-0.5 * ((q - K_unit) ** 2).sum(dim=1), 0),
                           torch.softmax(K_unit @ q, dim=0))
print("Gaussian weights = softmax(q.k - |k|^2/2); with unit-norm keys, softmax(q.k)")

# %%
# Why divide by the square root of d
# ----------------------------------
#
# Let the :math:`d` entries of :math:`\mathbf{q}` and :math:`\mathbf{k}` be
# independent, with mean 0 and variance 1. Each product :math:`q_j k_j` then has
# mean 0 and variance :math:`\mathbb{E}[q_j^2]\,\mathbb{E}[k_j^2] = 1`, and the
# dot product, a sum of :math:`d` independent such terms, has variance :math:`d`.
# Scores with a spread that grows with the width are a problem for the softmax:
# large differences between scores make it put almost all weight on the largest
# one. Dividing by :math:`\sqrt{d}` brings the variance back to 1 at every width,
# the *scaled dot product* of the Transformer,
#
# .. math::
#
#    a(\mathbf{q}, \mathbf{k}) = \frac{\mathbf{q}^\top \mathbf{k}}{\sqrt{d}} .
#
# We measure the variance over 10,000 random pairs at each width:

dims = [4, 16, 64, 256, 1024]
num_pairs = 10_000
variances = []
for d in dims:
    dots = (torch.randn(num_pairs, d) * torch.randn(num_pairs, d)).sum(dim=1)
    variances.append(float(dots.var()))
    print(f"d = {d:4d}: var(q.k) = {dots.var():8.1f}, var(q.k) / d = "
          f"{dots.var() / d:.3f}, var(q.k / sqrt(d)) = "
          f"{(dots / math.sqrt(d)).var():.3f}")
slope = torch.linalg.lstsq(
    torch.stack([torch.log(torch.tensor(dims, dtype=torch.float)),
                 torch.ones(len(dims))], dim=1),
    torch.log(torch.tensor(variances))[:, None]).solution[0, 0]
print(f"slope of log var(q.k) against log d: {slope:.3f}")
handson.check("|slope - 1|, log var(q.k) against log d", abs(float(slope) - 1),
              "<", 0.05, quick=True)
handson.check("largest |var(q.k) / d - 1| over the widths",
              max(abs(v / d - 1) for v, d in zip(variances, dims)), "<", 0.1,
              quick=True)

# %%
# The variance grows like :math:`d` (slope 1 on log-log axes). What that does to the
# weights: take one query and 10 keys, all random, and compare the softmax of the
# raw dot products with that of the scaled ones. Two measures of saturation: the
# largest weight of the row (1 when one key takes everything), and the size of the
# softmax's Jacobian. For :math:`\mathbf{p} = \textrm{softmax}(\mathbf{s})`,
#
# .. math::
#
#    \frac{\partial \mathbf{p}}{\partial \mathbf{s}} =
#    \operatorname{diag}(\mathbf{p}) - \mathbf{p}\mathbf{p}^\top ,
#
# which is the zero matrix when :math:`\mathbf{p}` is one-hot: a saturated softmax
# passes no gradient back to the scores, hence none to the queries and keys that
# made them. We check the formula against autograd, then take its Frobenius norm.


def softmax_jacobian(p):
    """d softmax / d scores for each row of p: (..., m) -> (..., m, m)."""
    return torch.diag_embed(p) - p[..., :, None] * p[..., None, :]


s = torch.randn(5)
torch.testing.assert_close(softmax_jacobian(torch.softmax(s, 0)),
                           torch.autograd.functional.jacobian(
                               lambda x: torch.softmax(x, 0), s))

num_rows, num_keys = handson.shrink(2_000, 500), 10
saturation = {"raw q.k": ([], []), "q.k / sqrt(d)": ([], [])}
for d in dims:
    Q = torch.randn(num_rows, 1, d)
    K = torch.randn(num_rows, num_keys, d)
    scores = (Q @ K.transpose(1, 2))[:, 0]  # (rows, keys)
    for name, s in [("raw q.k", scores), ("q.k / sqrt(d)", scores / math.sqrt(d))]:
        p = torch.softmax(s, dim=-1)
        saturation[name][0].append(float(p.max(dim=-1).values.mean()))
        saturation[name][1].append(float(softmax_jacobian(p).norm(dim=(-2, -1)).mean()))
for name, (max_weight, jac) in saturation.items():
    print(f"{name:14s} mean largest weight "
          + " ".join(f"{w:.2f}" for w in max_weight)
          + " | mean Jacobian norm " + " ".join(f"{j:.3f}" for j in jac))

fig, axes = plt.subplots(1, 3, figsize=(12, 3.3))
axes[0].loglog(dims, variances, "o-", label="q.k")
axes[0].loglog(dims, [v / d for v, d in zip(variances, dims)], "o-",
               label="q.k / sqrt(d)")
axes[0].set_title("variance of the score")
for name, (max_weight, jac) in saturation.items():
    axes[1].semilogx(dims, max_weight, "o-", label=name)
    axes[2].semilogx(dims, jac, "o-", label=name)
axes[1].axhline(1 / num_keys, color="gray", lw=0.8, label="uniform (1/10)")
axes[1].set_title("mean largest weight (10 keys)")
axes[2].set_title("mean norm of the softmax Jacobian")
for ax in axes:
    ax.set_xlabel("d")
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
# Without the scaling, the largest weight creeps towards 1 as :math:`d` grows and
# the Jacobian shrinks towards 0; with it, both stay where they are at every width.
# At the largest width:

raw_jac, scaled_jac = saturation["raw q.k"][1][-1], saturation["q.k / sqrt(d)"][1][-1]
handson.check(f"Jacobian norm at d = {dims[-1]}, raw / scaled", raw_jac / scaled_jac,
              "<", 0.3, quick=True)
handson.check(f"mean largest weight at d = {dims[-1]}, raw scores",
              saturation["raw q.k"][0][-1], ">", 0.9, quick=True)
handson.check(f"mean largest weight at d = {dims[-1]}, scaled scores",
              saturation["q.k / sqrt(d)"][0][-1], "<", 0.5, quick=True)

# %%
# These are random vectors, not trained ones: a trained model can learn queries
# and keys of any size. What the scaling fixes is where training starts: with it,
# the softmax begins in its sensitive range whatever the width.
#
# The masked softmax
# ------------------
#
# A minibatch of sentences is padded to one length
# (:doc:`../12_modern_recurrent_networks/04_machine_translation_data`), and a query
# must not attend to the padding. With valid length :math:`l` out of :math:`m`
# keys, the weights must be the softmax over the first :math:`l` scores and exactly
# 0 after them. D2L's trick: overwrite the scores at positions :math:`\geq l` with
# a very negative number, :math:`-10^6`, whose exponential is 0 in floating point,
# and take an ordinary softmax. First a helper that builds the mask from the
# lengths, ``sequence_mask``: position :math:`j` is kept when :math:`j < l`.


def sequence_mask(X, valid_len, value=0.0):
    """Replace entries of X (rows, maxlen) at positions >= valid_len (rows,)."""
    mask = torch.arange(X.shape[1], device=X.device)[None, :] < valid_len[:, None]
    return X.masked_fill(~mask, value)  # a new tensor: X is left alone


print(sequence_mask(torch.ones(3, 5), torch.tensor([1, 3, 5])))


def masked_softmax(X, valid_lens):
    """Softmax over the last axis of X (batch, queries, keys), keys beyond the
    valid length masked. valid_lens: None, (batch,) or (batch, queries)."""
    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:  # one length for all queries of an example
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:  # one length per query
        valid_lens = valid_lens.reshape(-1)
    X = sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
    return torch.softmax(X.reshape(shape), dim=-1)


print(masked_softmax(torch.rand(2, 2, 4), torch.tensor([2, 3])))

# %%
# The first example's rows keep 2 keys, the second's 3. With a ``(batch, queries)``
# tensor of lengths, each query gets its own (a causal mask, where query :math:`i`
# sees keys :math:`0, \dots, i`, is the special case ``lengths = i + 1``).
#
# Checked on ragged lengths
# ^^^^^^^^^^^^^^^^^^^^^^^^^
#
# A reference that cannot get the mask wrong: loop over the rows, take the softmax
# of the valid prefix only, pad with zeros. We compare on a batch of 4 examples, 3
# queries and 7 keys, with lengths that differ between examples (including the
# extremes 1 and 7) and, second, between queries; and we compare with
# ``handson.attention.masked_softmax``, which keeps this function for the rest of
# the course (it fills with :math:`-\infty` instead of :math:`-10^6`, and checks
# its input).


def masked_softmax_reference(X, valid_lens):
    out = torch.zeros_like(X)
    lens = valid_lens[:, None].expand(X.shape[:2]) if valid_lens.dim() == 1 \
        else valid_lens
    for b in range(X.shape[0]):
        for i in range(X.shape[1]):
            n = int(lens[b, i])
            out[b, i, :n] = torch.softmax(X[b, i, :n], dim=0)
    return out


scores = torch.randn(4, 3, 7) * 3
for lens in [torch.tensor([1, 3, 7, 5]), torch.randint(1, 8, (4, 3))]:
    reference = masked_softmax_reference(scores, lens)
    torch.testing.assert_close(masked_softmax(scores, lens), reference)
    torch.testing.assert_close(handson.attention.masked_softmax(scores, lens),
                               reference)
    per_query = lens[:, None].expand(4, 3) if lens.dim() == 1 else lens
    padding = torch.arange(7) >= per_query[..., None]  # (4, 3, 7): key beyond length
    assert bool((masked_softmax(scores, lens)[padding] == 0).all())
    assert bool((handson.attention.masked_softmax(scores, lens)[padding] == 0).all())
    print(f"lengths {lens.tolist()}: scratch, handson and the reference agree; "
          f"{int(padding.sum())} padded weights exactly 0")

# %%
# The gradients agree too, and the padded scores get none: what is masked cannot
# be learned from.

X1, X2 = scores.clone().requires_grad_(), scores.clone().requires_grad_()
g = torch.randn_like(scores)
lens = torch.tensor([1, 3, 7, 5])
(masked_softmax(X1, lens) * g).sum().backward()
(masked_softmax_reference(X2, lens) * g).sum().backward()
torch.testing.assert_close(X1.grad, X2.grad)
padding = torch.arange(7) >= lens[:, None, None].expand(4, 3, 7)
assert bool((X1.grad[padding] == 0).all())
print(f"gradients agree; the {int(padding.sum())} padded scores get gradient 0")

# %%
# .. note::
#
#    D2L's PyTorch ``masked_softmax`` writes :math:`-10^6` into the tensor it is
#    given: ``X.reshape(...)`` of a contiguous tensor is a *view*, and
#    ``X[~mask] = value`` assigns in place. The caller's scores change. Our
#    ``sequence_mask`` uses ``masked_fill``, which returns a new tensor. D2L's code,
#    copied verbatim:


def d2l_masked_softmax(X, valid_lens):  # D2L, "Attention Scoring Functions"
    """Perform softmax operation by masking elements on the last axis."""
    # X: 3D tensor, valid_lens: 1D or 2D tensor
    def _sequence_mask(X, valid_len, value=0):
        maxlen = X.size(1)
        mask = torch.arange((maxlen), dtype=torch.float32,
                            device=X.device)[None, :] < valid_len[:, None]
        X[~mask] = value
        return X

    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    else:
        shape = X.shape
        if valid_lens.dim() == 1:
            valid_lens = torch.repeat_interleave(valid_lens, shape[1])
        else:
            valid_lens = valid_lens.reshape(-1)
        # On the last axis, replace masked elements with a very large negative
        # value, whose exponentiation outputs 0
        X = _sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
        return nn.functional.softmax(X.reshape(shape), dim=-1)


X = torch.rand(2, 2, 4)
torch.testing.assert_close(d2l_masked_softmax(X.clone(), torch.tensor([2, 3])),
                           masked_softmax(X, torch.tensor([2, 3])))
d2l_masked_softmax(X, torch.tensor([2, 3]))
print("the caller's X after D2L's masked_softmax:\n", X)

# %%
# Lengths that do not fit
# ^^^^^^^^^^^^^^^^^^^^^^^
#
# A length longer than the sequence, or a tensor of lengths of the wrong shape,
# means the lengths and the scores do not belong together: the lengths of another
# batch, or of the target side instead of the source side. Our scratch function
# does not notice the first (a length beyond the keys masks nothing) and fails on
# the second with a size mismatch deep inside that does not say which argument is
# wrong.
# ``handson.attention.masked_softmax`` checks both and says so:

scores = torch.randn(4, 3, 7)
bad_inputs = {"a length of 9 for 7 keys": torch.tensor([2, 9, 3, 4]),
              "3 lengths for a batch of 4": torch.tensor([2, 5, 3])}
for what, lens in bad_inputs.items():
    try:
        masked_softmax(scores, lens)
        print(f"scratch, {what}: no error, the result is silently meaningless")
    except (RuntimeError, IndexError) as error:
        print(f"scratch, {what}: {type(error).__name__}: "
              f"{str(error).splitlines()[0]}")
    try:
        handson.attention.masked_softmax(scores, lens)
    except ValueError as error:
        print(f"handson, {what}: ValueError: {error}")

# %%
# A length of 0 is refused too: a query with no key to attend to has no
# weights. The :math:`-10^6` version silently returns *uniform* weights over the
# padding (every score of the row equal), where :math:`-\infty` would give
# ``nan``:

print(masked_softmax(torch.randn(1, 1, 4), torch.tensor([0])))
try:
    handson.attention.masked_softmax(torch.randn(1, 1, 4), torch.tensor([0]))
except ValueError as error:
    print(f"handson: ValueError: {error}")

# %%
# Batch matrix multiplication
# ---------------------------
#
# A minibatch holds :math:`b` independent attention problems: queries
# :math:`\mathbf{Q}_i \in \mathbb{R}^{n \times d}` and keys
# :math:`\mathbf{K}_i \in \mathbb{R}^{m \times d}` for :math:`i = 1, \dots, b`.
# Batch matrix multiplication multiplies them pairwise,
# :math:`\textrm{BMM}(\mathbf{Q}, \mathbf{K}) = [\mathbf{Q}_1 \mathbf{K}_1,
# \dots, \mathbf{Q}_b \mathbf{K}_b]`: ``torch.bmm`` takes ``(b, n, d)`` and
# ``(b, d, m)`` and returns ``(b, n, m)``, in one call rather than a Python loop.

Q, K = torch.randn(2, 3, 4), torch.randn(2, 4, 6)
product = torch.bmm(Q, K)
print(tuple(product.shape))
torch.testing.assert_close(product, torch.stack([Q[i] @ K[i] for i in range(2)]))
torch.testing.assert_close(product, Q @ K)  # matmul does the same

# %%
# ``torch.bmm`` insists on exactly three axes; ``@`` (``torch.matmul``) treats all
# leading axes as batch axes and broadcasts them, which is what multi-head attention
# will need for ``(batch, heads, n, d)``.
#
# Scaled dot-product attention
# ----------------------------
#
# For :math:`n` queries :math:`\mathbf{Q} \in \mathbb{R}^{n \times d}`, :math:`m`
# keys :math:`\mathbf{K} \in \mathbb{R}^{m \times d}` and values :math:`\mathbf{V}
# \in \mathbb{R}^{m \times v}`, all scores come from one matrix product:
#
# .. math::
#
#    \textrm{softmax}\left(\frac{\mathbf{Q}\mathbf{K}^\top}{\sqrt{d}}\right)
#    \mathbf{V} \in \mathbb{R}^{n \times v},
#
# with the softmax masked by the valid lengths and applied to each row. As in D2L,
# dropout on the weights regularises (it is off in evaluation mode).


class DotProductAttentionScratch(nn.Module):
    def __init__(self, dropout=0.0):
        super().__init__()
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


# %%
# D2L's toy batch: 2 examples, 1 query each, 10 keys of width 2, values of width
# 4, valid lengths 2 and 6. Against ``handson.attention.DotProductAttention``
# (outputs, weights and gradients) and against PyTorch's fused
# ``F.scaled_dot_product_attention``, whose ``attn_mask`` is a boolean tensor,
# ``True`` where a query may attend to a key, broadcast over ``(batch, queries,
# keys)``; we build it from the lengths.


def lengths_to_mask(valid_lens, num_queries, num_keys):
    """Boolean (batch, queries, keys), True for keys inside the valid length."""
    if valid_lens.dim() == 1:
        valid_lens = valid_lens[:, None].expand(-1, num_queries)
    return torch.arange(num_keys)[None, None, :] < valid_lens[:, :, None]


def check_dot_product(queries, keys, values, valid_lens):
    inputs = [[t.clone().requires_grad_() for t in (queries, keys, values)]
              for _ in range(3)]
    scratch = DotProductAttentionScratch()
    ours = handson.attention.DotProductAttention()
    mask = lengths_to_mask(valid_lens, queries.shape[1], keys.shape[1])
    outputs = [scratch(*inputs[0], valid_lens), ours(*inputs[1], valid_lens),
               F.scaled_dot_product_attention(*inputs[2], attn_mask=mask)]
    target = torch.randn_like(outputs[0])
    for out in outputs:
        ((out - target) ** 2).sum().backward()
    tol = dict(atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(scratch.attention_weights, ours.attention_weights)
    for out, grads in zip(outputs[1:], inputs[1:]):
        torch.testing.assert_close(out, outputs[0], **tol)
        for g_ref, g in zip(inputs[0], grads):
            torch.testing.assert_close(g.grad, g_ref.grad, **tol)
    return outputs[0], scratch.attention_weights


queries, keys = torch.randn(2, 1, 2), torch.randn(2, 10, 2)
values, valid_lens = torch.randn(2, 10, 4), torch.tensor([2, 6])
output, weights = check_dot_product(queries, keys, values, valid_lens)
print(tuple(output.shape), "weights:\n", weights.squeeze(1).detach())
# A larger batch: 5 queries of width 16, 9 keys, one length per query.
lens_2d = torch.randint(1, 10, (3, 5))
check_dot_product(torch.randn(3, 5, 16), torch.randn(3, 9, 16), torch.randn(3, 9, 8),
                  lens_2d)
print("scratch = handson.attention.DotProductAttention = "
      "F.scaled_dot_product_attention, outputs and gradients to 1e-5")

# %%
# Additive attention
# ------------------
#
# The dot product needs queries and keys of the same width. *Additive attention*
# (Bahdanau et al., 2014) does not: it maps both into a hidden space of
# :math:`h` units, adds them and scores the sum with a one-hidden-layer network,
#
# .. math::
#
#    a(\mathbf{q}, \mathbf{k}) = \mathbf{w}_v^\top
#    \tanh(\mathbf{W}_q \mathbf{q} + \mathbf{W}_k \mathbf{k}),
#
# with learned :math:`\mathbf{W}_q \in \mathbb{R}^{h \times q}`, :math:`\mathbf{W}_k
# \in \mathbb{R}^{h \times k}` and :math:`\mathbf{w}_v \in \mathbb{R}^h`, and no
# biases. Every query must meet every key: broadcasting ``(batch, n, 1, h)``
# against ``(batch, 1, m, h)`` builds all :math:`n \times m` sums at once, a
# tensor of shape ``(batch, n, m, h)``. Written with bare tensors (row vectors, so
# the weights are the transposes of the formula's):


class AdditiveAttentionScratch(nn.Module):
    def __init__(self, key_size, query_size, num_hiddens, dropout=0.0):
        super().__init__()

        def uniform(fan_in, *shape):  # nn.Linear's default initialisation
            bound = 1 / math.sqrt(fan_in)
            return nn.Parameter(torch.empty(*shape).uniform_(-bound, bound))

        self.W_q = uniform(query_size, query_size, num_hiddens)
        self.W_k = uniform(key_size, key_size, num_hiddens)
        self.w_v = uniform(num_hiddens, num_hiddens, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        features = torch.tanh((queries @ self.W_q).unsqueeze(2)      # (b, n, 1, h)
                              + (keys @ self.W_k).unsqueeze(1))      # (b, 1, m, h)
        scores = (features @ self.w_v).squeeze(-1)                   # (b, n, m)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


# %%
# D2L's toy example: queries of width 20, the keys and values above (width 2 and
# 4), 8 hidden units. ``handson.attention.AdditiveAttention`` holds the same three
# matrices as ``nn.Linear`` layers, whose weights are stored transposed; we copy
# ours in and compare outputs, weights and the gradients of all parameters.

queries = torch.randn(2, 1, 20)
scratch = AdditiveAttentionScratch(key_size=2, query_size=20, num_hiddens=8)
ours = handson.attention.AdditiveAttention(key_size=2, query_size=20, num_hiddens=8)
with torch.no_grad():
    ours.W_q.weight.copy_(scratch.W_q.T)
    ours.W_k.weight.copy_(scratch.W_k.T)
    ours.w_v.weight.copy_(scratch.w_v.T)
out_scratch = scratch(queries, keys, values, valid_lens)
out_ours = ours(queries, keys, values, valid_lens)
tol = dict(atol=1e-5, rtol=1e-5)
torch.testing.assert_close(out_scratch, out_ours, **tol)
torch.testing.assert_close(scratch.attention_weights, ours.attention_weights, **tol)
target = torch.randn_like(out_scratch)
for out in (out_scratch, out_ours):
    ((out - target) ** 2).sum().backward()
torch.testing.assert_close(scratch.W_q.grad.T, ours.W_q.weight.grad, **tol)
torch.testing.assert_close(scratch.W_k.grad.T, ours.W_k.weight.grad, **tol)
torch.testing.assert_close(scratch.w_v.grad.T, ours.w_v.weight.grad, **tol)
print(tuple(out_scratch.shape), "weights:\n",
      scratch.attention_weights.squeeze(1).detach())
print("scratch = handson.attention.AdditiveAttention: outputs, weights and "
      "parameter gradients to 1e-5")

# %%
# What each costs
# ---------------
#
# Take a batch of :math:`b` problems with :math:`n` queries, :math:`m` keys and
# values of width :math:`v`. One multiply-add counts as 2 floating-point operations.
#
# * Dot product (width :math:`d`): no parameters; :math:`\mathbf{Q}\mathbf{K}^\top`
#   costs :math:`2bnmd`, the weighted sum of values :math:`2bnmv`; the largest
#   intermediate is the score matrix, :math:`bnm` numbers.
# * Additive (widths :math:`q`, :math:`k`, hidden :math:`h`): :math:`h(q + k + 1)`
#   parameters; the projections cost :math:`2bnqh + 2bmkh`, the scoring vector
#   :math:`2bnmh`, the values :math:`2bnmv`, plus :math:`bnmh` additions and as
#   many :math:`\tanh`; the intermediate has :math:`bnmh` numbers, :math:`h` times
#   the score matrix.
#
# PyTorch's ``FlopCounterMode`` counts the FLOPs of the matrix products a piece of
# code runs (not the elementwise work such as ``tanh`` or the softmax). Our
# formulas for the matrix products agree with it:


def matmul_flops(fn):
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


b, n, m, v = 2, 1, 10, 4
d, q_size, k_size, h = 2, 20, 2, 8
dot_formula = 2 * b * n * m * d + 2 * b * n * m * v
add_formula = 2 * b * n * q_size * h + 2 * b * m * k_size * h \
    + 2 * b * n * m * h + 2 * b * n * m * v
dot_count = matmul_flops(lambda: DotProductAttentionScratch()(
    torch.randn(b, n, d), keys, values, valid_lens))
add_count = matmul_flops(lambda: scratch(queries, keys, values, valid_lens))
assert (dot_count, add_count) == (dot_formula, add_formula), (dot_count, add_count)
print(f"toy batch: dot product {dot_count} FLOPs in matrix products, additive "
      f"{add_count}; parameters 0 and {sum(p.numel() for p in scratch.parameters())}")

# %%
# At a size closer to a translation batch (32 sentences of 50 tokens, queries,
# keys and values of width 64, a hidden size of 64 for additive attention; 20
# tokens in quick mode), the counts, the size of the largest intermediate and the
# best of three timed forward passes on this machine:

b, n = 32, handson.shrink(50, 20)
m, d = n, 64
Xq, Xk, Xv = torch.randn(b, n, d), torch.randn(b, m, d), torch.randn(b, m, d)
big_dot = DotProductAttentionScratch()
big_add = AdditiveAttentionScratch(key_size=d, query_size=d, num_hiddens=d)
costs = {}
with torch.no_grad():
    for name, layer in [("dot product", big_dot), ("additive", big_add)]:
        flops = matmul_flops(lambda: layer(Xq, Xk, Xv))
        timer = handson.Timer()
        for _ in range(3):
            timer.start()
            layer(Xq, Xk, Xv)
            timer.stop()
        inter = b * n * m * (d if name == "additive" else 1)
        params = sum(p.numel() for p in layer.parameters())
        costs[name] = (flops, inter, min(timer.times))
        print(f"{name:11s}: {params:6,} parameters, {flops / 1e6:7.1f} MFLOP in matrix "
              f"products, largest intermediate {inter * 4 / 2**20:6.1f} MiB, "
              f"{min(timer.times) * 1e3:6.2f} ms per forward pass")
print(f"additive / dot product: {costs['additive'][0] / costs['dot product'][0]:.1f}x "
      f"the FLOPs, {costs['additive'][2] / costs['dot product'][2]:.1f}x the time")

# %%
# Additive attention does more matrix work here (the ratio is printed), and its
# ``(batch, n, m, h)`` intermediate is :math:`h` times the size of the score
# matrix: it has to be written to memory and read back for the :math:`\tanh`,
# which no matrix-multiplication kernel speeds up. The dot-product scores are a
# single ``bmm`` that BLAS libraries and GPUs run near their peak; that, and that
# it needs no parameters, is why Transformers use it.
#
# The weights on a toy batch
# --------------------------
#
# Finally, the weights both scoring functions give on one toy batch: 2 examples of
# 4 queries over 10 keys, valid lengths 2 and 6 (the additive one with the random
# weights it was built with, so its pattern means nothing yet).

handson.seed(1)
keys, values = torch.randn(2, 10, 2), torch.randn(2, 10, 4)
dot, add = DotProductAttentionScratch(), scratch
dot(torch.randn(2, 4, 2) * 2, keys, values, valid_lens)
add(torch.randn(2, 4, 20), keys, values, valid_lens)
weights = torch.stack([dot.attention_weights, add.attention_weights], dim=1)
handson.attention.show_heatmaps(weights.detach(), xlabel="key", ylabel="query",
                                titles=["scaled dot product", "additive"],
                                figsize=(7, 3.2))
plt.show()
assert bool((weights[0, :, :, 2:] == 0).all())
assert bool((weights[1, :, :, 6:] == 0).all())

# %%
# In both, the first example's queries spread their weight over keys 0 and 1 only,
# the second's over keys 0 to 5; the columns beyond are exactly zero (asserted).
#
# Summary
# -------
#
# * Dropping the terms of :math:`-\frac12\|\mathbf{q} - \mathbf{k}\|^2` that a
#   softmax ignores (or that layer normalisation keeps nearly constant) leaves the
#   dot product :math:`\mathbf{q}^\top\mathbf{k}`.
# * For random unit-variance entries, :math:`\textrm{var}(\mathbf{q}^\top
#   \mathbf{k}) = d` (measured: slope 1 on log-log axes); unscaled, the softmax
#   saturates as :math:`d` grows and its Jacobian, the gradient path to queries and
#   keys, shrinks; dividing by :math:`\sqrt{d}` keeps both where they are.
# * The masked softmax gives padded keys weight exactly 0 (and no gradient);
#   written by hand, it matches a row-by-row reference on ragged lengths and
#   ``handson.attention.masked_softmax``, which also rejects lengths that cannot
#   belong to the scores.
# * Scaled dot-product attention is two ``bmm`` calls and a masked softmax, equal to
#   ``F.scaled_dot_product_attention`` with a boolean mask; additive attention
#   handles queries and keys of different widths at the price of parameters, more
#   FLOPs and an intermediate :math:`h` times larger.

# %%
# Exercises
# ---------
#
# 1. (D2L) Let queries and keys have different widths :math:`q` and :math:`k`.
#    Instead of additive attention, use :math:`a(\mathbf{q}, \mathbf{k}) =
#    \mathbf{q}^\top \mathbf{M} \mathbf{k}` with a learned matrix
#    :math:`\mathbf{M}`. How many parameters, and how many FLOPs for :math:`n`
#    queries and :math:`m` keys?
#
#    .. dropdown:: Answer
#
#       :math:`\mathbf{M} \in \mathbb{R}^{q \times k}`: :math:`qk` parameters.
#       Compute :math:`\mathbf{Q}\mathbf{M}` once (:math:`2nqk` FLOPs), then its
#       product with :math:`\mathbf{K}^\top` (:math:`2nmk`). There is no
#       :math:`(n, m, h)` intermediate: after one projection it is a plain dot
#       product.
#
# 2. D2L fills masked scores with :math:`-10^6`, ``handson`` with
#    :math:`-\infty`. Find two inputs on which they give different weights.
#
#    .. dropdown:: Answer
#
#       A length of 0: :math:`-10^6` gives uniform weights over the padding (shown
#       above), :math:`-\infty` gives ``nan`` (``handson`` refuses the length
#       instead). And valid scores near or below :math:`-10^6`, for example
#       unscaled dot products of huge vectors: then :math:`-10^6` is no longer
#       "very negative" relative to the valid scores and the padding gets weight.
#
# 3. (D2L) How do the computational cost and the memory traffic of dot-product
#    attention grow with the number of queries :math:`n`, of keys :math:`m`, and
#    the widths :math:`d` and :math:`v`?
#
#    .. dropdown:: Answer
#
#       FLOPs :math:`2nm(d + v)` per example: linear in each. Memory: reading the
#       inputs is :math:`(n + m)d + mv` numbers, but the score matrix has
#       :math:`nm`, so for long sequences the traffic is dominated by writing and
#       reading the :math:`n \times m` scores, not by the inputs. Fused kernels
#       (the back ends of ``F.scaled_dot_product_attention``) compute the softmax
#       block by block without storing the whole matrix;
#       :doc:`09_efficient_attention_and_scaling` measures what that buys.
#
# 4. Programming (D2L): write *distance-based* attention, scores
#    :math:`-\frac12\|\mathbf{q} - \mathbf{k}_i\|^2`, by changing one line of
#    ``DotProductAttentionScratch``, without forming the differences
#    :math:`\mathbf{q} - \mathbf{k}_i`. Check it against a direct computation with
#    ``torch.cdist`` and ``masked_softmax``.
#
#    .. dropdown:: Hint
#
#       By the expansion at the top of the page, the scores are
#       ``queries @ keys.transpose(1, 2) - 0.5 * (keys ** 2).sum(-1)[:, None, :]``
#       (the term in :math:`\|\mathbf{q}\|^2` drops out of the softmax); only the
#       squared norms of the keys are needed. The reference: ``-0.5 *
#       torch.cdist(queries, keys) ** 2``.
