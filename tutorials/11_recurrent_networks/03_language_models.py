r"""
Language models
===============

A *language model* assigns a probability to every sequence of tokens, and with it
a distribution over the next token given the ones before. Before any network
learns one, we build the classical kind by counting: unigram, bigram, trigram and
4-gram models of the characters of *The Time Machine*, with the *smoothing* that
keeps them from declaring unseen text impossible. We measure them the way every
language model of the course is measured, by their *perplexity* on held-out text,
and their numbers become the baselines the recurrent networks must beat. Last, we
cut a long text into minibatches of subsequences, by random and by sequential
partitioning, the two ways the networks will read it.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the course's split ``handson.text.time_machine("char")``: the end of the
        book held out, the vocabulary from the training part only
      * the chain rule of probability, Markov and :math:`n`-gram models, and
        their maximum-likelihood estimates: ratios of counts
      * perplexity, the exponential of the mean negative log-likelihood, read as
        an effective number of choices
      * why unsmoothed counts give infinite held-out perplexity, and add-:math:`k`
        (Laplace) smoothing with :math:`k` chosen on a slice of the training text
      * random and sequential partitioning of a corpus into minibatches, written
        by hand and checked against ``handson.sequences``

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * autoregressive and Markov models: :doc:`01_sequences`
      * tokens and the vocabulary (``handson.text.Vocab``):
        :doc:`02_text_sequences`
      * conditional probability: :doc:`../02_preliminaries/06_probability`;
        cross-entropy, nats and bits:
        :doc:`../04_linear_classification/04_binary_classification_and_information`
      * data: *The Time Machine* by H. G. Wells, the whole book as characters
        (and once as words); no training, only counting
"""

# sphinx_gallery_thumbnail_number = 1

import math

import matplotlib.pyplot as plt
import torch
from torch.nn import functional as F

import handson
import handson.sequences
import handson.text

handson.seed(0)

# %%
# The course's split of *The Time Machine*
# ----------------------------------------
#
# :doc:`02_text_sequences` turned the book into a list of character indices. To
# compare language models we also need text the models have not seen, so from now
# on every language-model page loads the same split:
#
# * the text is cleaned as before (lower case, every run of non-letters becomes
#   one space) and tokenised into characters;
# * the **last 10 % of the book** is held out as ``valid``. It is the end of the
#   book, not a random sample of positions: a model that predicts a character
#   from the ones before it would otherwise see, in training, the very
#   neighbourhoods it is tested on;
# * the **vocabulary is built from the training part only**, as it would be for
#   text that arrives after the model was built. A held-out token never seen in
#   training maps to ``<unk>`` (index 0), which no training token uses.

vocab, train, valid = handson.text.time_machine("char")
V = len(vocab)
print(f"vocabulary: {V} tokens {vocab.idx_to_token}")
print(f"train: {len(train):,} characters, valid: {len(valid):,} characters "
      f"({len(valid) / (len(train) + len(valid)):.1%} held out)")
print(f"<unk> in train: {int((train == vocab.unk).sum())}, "
      f"in valid: {int((valid == vocab.unk).sum())}")
print("valid starts:", repr("".join(vocab.to_tokens(valid[:70]))))

# %%
# At the character level the 26 letters and the space all occur in the first
# nine tenths of the book, so nothing in ``valid`` becomes ``<unk>``; the
# vocabulary still has 28 entries, because ``<unk>`` is always index 0. (At the
# word level, further down, the split matters much more.)
#
# .. note::
#
#    D2L 1.0's ``TimeMachine`` data module does it differently: it builds the
#    vocabulary from the whole book, cuts *all* overlapping windows of
#    ``num_steps + 1`` characters, and trains on the first 10,000 windows and
#    validates on the next 5,000, so only the first part of the book is used and
#    its training and validation windows are neighbours. Our split uses the whole
#    book and keeps the held-out text apart.
#
# The chain rule and Markov models
# --------------------------------
#
# A language model estimates the joint probability of a sequence of tokens
# :math:`x_1, \dots, x_T`. Applying the definition of conditional probability,
# :math:`P(A, B) = P(A) P(B \mid A)`, over and over gives the *chain rule*
#
# .. math::
#
#    P(x_1, \dots, x_T) = P(x_1) \, P(x_2 \mid x_1) \, P(x_3 \mid x_1, x_2)
#    \cdots = \prod_{t=1}^{T} P(x_t \mid x_1, \dots, x_{t-1}).
#
# No approximation so far: a language model is exactly a rule for predicting the
# next token from all the tokens before it. The trouble is the conditioning on a
# history that grows with :math:`t`. A *Markov model of order* :math:`n - 1`
# assumes that only the last :math:`n - 1` tokens matter,
#
# .. math::
#
#    P(x_t \mid x_1, \dots, x_{t-1}) \approx
#    P(x_t \mid x_{t-n+1}, \dots, x_{t-1}),
#
# which gives the *unigram* (:math:`n = 1`: :math:`P(x_1) P(x_2) P(x_3) P(x_4)`),
# *bigram* (:math:`n = 2`: :math:`P(x_1) P(x_2 \mid x_1) P(x_3 \mid x_2)
# P(x_4 \mid x_3)`) and *trigram* (:math:`n = 3`) models, and in general the
# :math:`n`-gram model. Its parameters are one distribution over the
# :math:`V` tokens for every *context* of :math:`n - 1` tokens: a table of
# :math:`V^{n-1} \times V` probabilities.
#
# Counting: maximum likelihood
# ----------------------------
#
# Write :math:`n(x, x')` for the number of times the pair :math:`x x'` occurs in
# the training text and :math:`n(x) = \sum_{x'} n(x, x')` for the number of times
# :math:`x` occurs followed by something. The bigram probabilities that make the
# training text most likely are the *relative frequencies*
#
# .. math::
#
#    \hat P(x' \mid x) = \frac{n(x, x')}{n(x)},
#    \qquad\text{and likewise}\qquad
#    \hat P(x'' \mid x, x') = \frac{n(x, x', x'')}{n(x, x')},
#    \qquad \hat P(x) = \frac{n(x)}{T}.
#
# .. dropdown:: Why counts are the maximum-likelihood estimate
#
#    The log-likelihood of the training text under a bigram model is
#    :math:`\sum_t \log P(x_t \mid x_{t-1}) = \sum_{x, x'} n(x, x') \log
#    p_{x x'}`, one term per occurrence of each pair. The rows
#    :math:`p_{x \cdot}` are separate probability vectors, so maximise each
#    :math:`\sum_{x'} n(x, x') \log p_{x x'}` subject to
#    :math:`\sum_{x'} p_{x x'} = 1`. With a Lagrange multiplier :math:`\lambda`,
#    setting the derivative to zero gives :math:`n(x, x') / p_{x x'} = \lambda`,
#    so :math:`p_{x x'} \propto n(x, x')`, and normalising gives
#    :math:`n(x, x') / n(x)`. The same argument works for every :math:`n`.
#
# To count all :math:`n`-grams at once, we give each one an integer id, its
# tokens read as the digits of a number in base :math:`V`, and let
# ``torch.bincount`` count the ids. Reshaped to :math:`n` axes of size :math:`V`,
# the counts form the table ``C[x1, ..., xn]``; the last axis is the predicted
# token, the others the context.


def ngram_ids(corpus, n, V):
    """Id of every n-gram of corpus (the one ending at position t, for t >= n-1)."""
    T = len(corpus)
    ids = torch.zeros(T - n + 1, dtype=torch.long)
    for i in range(n):  # tokens as digits in base V, the first the most significant
        ids = ids * V + corpus[i: T - n + 1 + i]
    return ids


def ngram_counts(corpus, n, V):
    """Table of n-gram counts, shape (V,) * n, as float64."""
    counts = torch.bincount(ngram_ids(corpus, n, V), minlength=V ** n)
    return counts.reshape((V,) * n).double()


C2 = ngram_counts(train, 2, V)
assert C2.sum() == len(train) - 1  # one bigram per position after the first
for context in ["q", "t", " "]:
    row = C2[vocab[context]]
    top = row.topk(3).indices
    followers = ", ".join(f"{vocab.to_tokens(int(i))!r} {row[i] / row.sum():.2f}"
                          for i in top)
    print(f"after {context!r} ({int(row.sum()):,} times): {followers}")
assert vocab.to_tokens(int(C2[vocab["q"]].argmax())) == "u"
assert C2[vocab["q"]].max() == C2[vocab["q"]].sum()  # q: always u
assert vocab.to_tokens(int(C2[vocab["t"]].argmax())) == "h"

# %%
# The counts already know some English: ``q`` is always followed by ``u``,
# ``t`` most often by ``h``. A model is the table normalised along its last axis.
# We write the normalisation with an extra constant :math:`k` that the next
# sections need; :math:`k = 0` gives the maximum-likelihood estimate.


def ngram_probs(counts, k):
    """P(last token | context) = (count + k) / (context count + k V)."""
    V = counts.shape[-1]
    return (counts + k) / (counts.sum(-1, keepdim=True) + k * V)


# %%
# Perplexity
# ----------
#
# How good is a language model? A good one predicts the next token well, that is,
# gives the token that actually comes a high probability. Multiplying those
# probabilities gives the likelihood of the text, which shrinks with its length;
# the per-token average of its negative logarithm does not. That is the
# cross-entropy loss of classification, one class per token:
#
# .. math::
#
#    \ell = -\frac{1}{N} \sum_{t} \log P(x_t \mid x_{t-n+1}, \dots, x_{t-1}),
#    \qquad
#    \mathrm{PPL} = \exp(\ell),
#
# the sum running over the :math:`N` tokens predicted. The *perplexity*
# :math:`\mathrm{PPL}` is the exponential of the mean negative log-likelihood,
# in other words the reciprocal of the geometric mean of the probabilities given
# to the tokens that came. Its reading: a model that hesitates uniformly between
# :math:`m` tokens gives each the probability :math:`1/m`, and its perplexity is
# exactly :math:`m`. Conversely, a perplexity of :math:`m` means the model is, on
# average, as unsure as if it had to pick among :math:`m` equally likely tokens:
# an effective number of choices. A perfect model scores 1;
# the uniform model over the vocabulary scores :math:`V`, the number to beat
# before any learning; a model that gives a token that comes probability 0 scores
# :math:`+\infty`. In base 2, :math:`\log_2 \mathrm{PPL}` is the number of bits
# per token a compressor driven by the model would need.
#
# With the :math:`n`-gram ids the computation is one indexing: the probability
# of the :math:`n`-gram ending at :math:`t` sits at its id in the flattened
# table. Every model below predicts the same tokens, all of ``valid`` from the
# fourth on (the first three have no 4-gram context), so their perplexities
# compare like with like.

START = 3  # tokens not predicted: the context of the longest model, the 4-gram


def perplexity(probs, corpus, n, start=START):
    """exp of the mean negative log-likelihood of corpus[start:] (n-gram table)."""
    ids = ngram_ids(corpus, n, probs.shape[-1])[start - n + 1:]
    return math.exp(-probs.flatten()[ids].log().mean())


uniform = torch.full((V,), 1 / V, dtype=torch.float64)
ppl_uniform = perplexity(uniform, valid, 1)
print(f"perplexity of the uniform model: {ppl_uniform:.6f} (vocabulary size {V})")
assert abs(ppl_uniform - V) < 1e-9

# %%
# The uniform model's perplexity is the vocabulary size, as the reading says. The
# networks of :doc:`04_rnn_from_scratch` will compute the same quantity with
# ``F.cross_entropy`` on their logits. A table of probabilities is a model whose
# logits are the log-probabilities (their softmax gives back the table, since each
# row sums to 1), so both routes must agree; we check it on the bigram model.

P2 = ngram_probs(C2, k=0.1)
logits = P2.log()[valid[START - 1:-1]]  # one row per predicted token: its context
loss = F.cross_entropy(logits, valid[START:])
print(f"bigram: ours {perplexity(P2, valid, 2):.6f}, "
      f"exp(F.cross_entropy) {math.exp(loss):.6f}")
assert abs(perplexity(P2, valid, 2) - math.exp(loss)) < 1e-9

# %%
# The zero-count problem
# ----------------------
#
# The maximum-likelihood table gives probability zero to every :math:`n`-gram
# the training text does not contain. One such :math:`n`-gram in the held-out
# text makes its likelihood zero, the negative log-likelihood infinite, and the
# perplexity :math:`+\infty`, however good the model is elsewhere. For a context
# never seen at all the estimate is even :math:`0/0`; we let such a context give
# every token probability 0, which is all its counts say. Let us count the
# held-out :math:`n`-grams that never occur in training and compute the
# unsmoothed perplexities.


def mle_probs(counts):
    """Relative frequencies; an unseen context gets probability 0 everywhere."""
    return counts / counts.sum(-1, keepdim=True).clamp(min=1)


counts = {n: ngram_counts(train, n, V) for n in (1, 2, 3, 4)}
for n in (1, 2, 3, 4):
    held_out = ngram_ids(valid, n, V)[START - n + 1:]
    unseen = counts[n].flatten()[held_out] == 0
    ppl = perplexity(mle_probs(counts[n]), valid, n)
    print(f"{n}-grams: {int(unseen.sum()):4d} of {len(held_out):,} held-out never "
          f"seen in training; unsmoothed perplexity {ppl:.3f}")
    if n == 2:
        unseen_bigrams = sorted({"".join(vocab.to_tokens([int(i) // V, int(i) % V]))
                                 for i in held_out[unseen]})
        num_unseen_bigrams = int(unseen.sum())
        ppl_mle_bigram = ppl
print("the unseen bigrams:", unseen_bigrams)
handson.check("held-out bigrams never seen in training", num_unseen_bigrams, ">", 0,
              quick=True)
assert math.isinf(ppl_mle_bigram)

# %%
# A handful of rare character pairs is enough to make the unsmoothed bigram
# model infinitely perplexed, and the longer the context, the more held-out
# :math:`n`-grams are new. Only the unigram model survives, because every
# character of ``valid`` occurs in ``train``.
#
# Smoothing: add-:math:`k`
# ------------------------
#
# The simplest fix pretends that every :math:`n`-gram was seen :math:`k` more
# times than it was, :math:`k > 0`:
#
# .. math::
#
#    \hat P_k(x' \mid x) = \frac{n(x, x') + k}{n(x) + kV}.
#
# With :math:`k = 1` this is *Laplace smoothing*. The estimate is a mixture of
# the counts and the uniform distribution: writing :math:`\epsilon = kV`,
# :math:`\hat P_k(x' \mid x) = \frac{n(x, x') + \epsilon / V}{n(x) + \epsilon}`,
# so :math:`k \to 0` gives back the maximum-likelihood estimate and
# :math:`k \to \infty` the uniform model, and a context seen often keeps its
# counts while a context seen rarely leans on the uniform. D2L writes the same
# idea with the lower-order estimate in place of the uniform,
# :math:`\hat P(x' \mid x) = \frac{n(x, x') + \epsilon_2 \hat P(x')}{n(x) +
# \epsilon_2}`: a rare context then falls back on how frequent :math:`x'` is in
# general (the last exercise builds it).
#
# :math:`k` is a hyperparameter, so it must not be chosen on ``valid``, which
# stands for the text the model will meet later. We split off a *development*
# slice, the last tenth of ``train``, count on the rest, pick for every order
# the :math:`k` with the lowest development perplexity on a grid, then count on
# all of ``train`` with that :math:`k` and only then look at ``valid``.

cut = round(0.9 * len(train))
fit, dev = train[:cut], train[cut:]
ks = [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0]
orders = (1, 2, 3, 4)
dev_ppl, best_k = {}, {}
for n in orders:
    counts_fit = ngram_counts(fit, n, V)
    dev_ppl[n] = [perplexity(ngram_probs(counts_fit, k), dev, n) for k in ks]
    best_k[n] = ks[min(range(len(ks)), key=dev_ppl[n].__getitem__)]
    print(f"{n}-gram: best k on the development slice {best_k[n]:g} "
          f"(perplexity {min(dev_ppl[n]):.3f})")

fig, ax = plt.subplots(figsize=(7, 3.8))
for n in orders:
    line, = ax.semilogx(ks, dev_ppl[n], "o-", ms=4, label=f"{n}-gram")
    ax.plot(best_k[n], min(dev_ppl[n]), "*", ms=14, color=line.get_color())
ax.axhline(V, color="gray", ls="--", label=f"uniform ({V})")
ax.set_xlabel("smoothing constant k")
ax.set_ylabel("perplexity on the development slice")
ax.set_title("Add-k smoothing: too little or too much hurts")
ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
fig.tight_layout()
plt.show()

# %%
# The curves show the trade-off. For small :math:`k` the estimates trust counts
# of rare contexts too much, and every unseen :math:`n`-gram costs many nats; for
# large :math:`k` the pseudo-counts drown the real ones and the model drifts to
# the uniform. The longer the context, the fewer counts each context has, and
# the earlier too much :math:`k` hurts: Laplace's :math:`k = 1` is too much for
# the longer contexts. The unigram model barely cares: its only context, the
# empty one, is seen at every position of ``fit``.
#
# The baselines
# -------------
#
# Now the held-out numbers, each model counted on all of ``train`` with its
# :math:`k`, next to Laplace's :math:`k = 1` for comparison.

ppl_valid, ppl_laplace = {}, {}
print(f"{'model':10s}{'k (dev)':>9s}{'valid PPL':>11s}{'bits/char':>11s}"
      f"{'PPL, k=1':>10s}")
print(f"{'uniform':10s}{'':>9s}{ppl_uniform:11.3f}{math.log2(ppl_uniform):11.3f}")
for n in orders:
    ppl_valid[n] = perplexity(ngram_probs(counts[n], best_k[n]), valid, n)
    ppl_laplace[n] = perplexity(ngram_probs(counts[n], 1.0), valid, n)
    print(f"{f'{n}-gram':10s}{best_k[n]:9g}{ppl_valid[n]:11.3f}"
          f"{math.log2(ppl_valid[n]):11.3f}{ppl_laplace[n]:10.3f}")

# %%
# Each extra character of context buys a large drop in perplexity. We check the
# ordering with margins: each model must beat the one before by at least the
# stated factor, which a mistake in the counting or the indexing (a context
# shifted by one, say) would break.

handson.check("unigram valid perplexity", ppl_valid[1], "<", 0.75 * ppl_uniform,
              quick=True)
handson.check("bigram valid perplexity", ppl_valid[2], "<", 0.75 * ppl_valid[1],
              quick=True)
handson.check("trigram valid perplexity", ppl_valid[3], "<", 0.8 * ppl_valid[2],
              quick=True)
handson.check("4-gram valid perplexity", ppl_valid[4], "<", 0.9 * ppl_valid[3],
              quick=True)
for n in (3, 4):
    handson.check(f"{n}-gram valid perplexity, k from dev vs Laplace k=1",
                  ppl_valid[n], "<", ppl_laplace[n], quick=True)
print(f"The baselines the networks of 04_rnn_from_scratch must beat on valid: "
      f"unigram {ppl_valid[1]:.2f}, bigram {ppl_valid[2]:.2f} "
      f"(uniform: {ppl_uniform:.0f}).")
print(f"Stronger counting baselines: trigram {ppl_valid[3]:.2f}, "
      f"4-gram {ppl_valid[4]:.2f}.")

# %%
# For the trigram and the 4-gram, where the choice matters, the :math:`k` chosen
# on the development slice also beats Laplace's on ``valid``, which it never
# saw: the choice generalises. The unigram and bigram
# perplexities are the bar for the networks of :doc:`04_rnn_from_scratch` and
# chapter 12: a network that does not beat the bigram has not even learnt which
# letter tends to follow which. The trigram and 4-gram rows are a higher bar. A
# network that beats the bigram but not them has learnt less than counting two
# or three characters back; to go further it must use longer contexts, which is
# what recurrent networks are for.
#
# Words: data sparsity
# --------------------
#
# Characters are a small vocabulary. Words are not: the same split at the word
# level has thousands of tokens, so the table of bigram probabilities has
# millions of cells for about thirty thousand training words. We only count
# here which held-out :math:`n`-grams occur in training (``torch.isin`` on the
# ids; the tables would be too big to store densely), at both levels.

vocab_w, train_w, valid_w = handson.text.time_machine("word")
V_w = len(vocab_w)
print(f"words: vocabulary {V_w:,}, train {len(train_w):,}, valid {len(valid_w):,}, "
      f"held-out words that are <unk>: {int((valid_w == vocab_w.unk).sum())}")
print(f"{'':8s}{'bigram cells':>15s}"
      + "".join(f"{f'unseen {n}-grams':>17s}" for n in (1, 2, 3)))
unseen_frac = {}
for name, (v, tr, va) in {"chars": (V, train, valid),
                          "words": (V_w, train_w, valid_w)}.items():
    unseen_frac[name] = [
        1 - torch.isin(ngram_ids(va, n, v), ngram_ids(tr, n, v)).double().mean().item()
        for n in (1, 2, 3)]
    print(f"{name:8s}{v * v:15,}" + "".join(f"{f:17.2%}" for f in unseen_frac[name]))
handson.check("fraction of held-out word bigrams unseen in training",
              unseen_frac["words"][1], ">", 100 * unseen_frac["chars"][1], quick=True)
handson.check("fraction of held-out word trigrams unseen in training",
              unseen_frac["words"][2], ">", 0.5, quick=True)
handson.check("fraction of held-out character trigrams unseen in training",
              unseen_frac["chars"][2], "<", 0.05, quick=True)

# %%
# A unigram word model already meets ``<unk>``, a token it never counted, for
# some held-out words, and most held-out word trigrams never occur in the
# training text, where most character trigrams do. Smoothing then decides almost
# every prediction on its own. This sparsity is why D2L finds Laplace smoothing
# rather unsuitable for language modelling, and one reason why the course's
# language models work on characters. Word-level perplexities are per *word*, so they
# cannot be compared with the character-level ones above without converting both
# to, say, bits per character.
#
# Minibatches of subsequences
# ---------------------------
#
# A network reads the training text in minibatches of ``batch_size``
# subsequences of ``num_steps`` tokens, with targets that are the inputs shifted
# by one token. How should the subsequences be cut? Cutting at fixed positions
# :math:`0, n, 2n, \dots` (with :math:`n` = ``num_steps`` here) would make the
# same token boundaries start a subsequence in every epoch. The recipe of D2L's
# text (its code uses all overlapping windows, see the note above) is
# *random partitioning*:
#
# 1. At the start of each epoch draw an offset :math:`d` uniformly from
#    :math:`\{0, \dots, n - 1\}` and discard the first :math:`d` tokens.
# 2. Cut the rest into :math:`m` subsequences :math:`\mathbf{x}_d,
#    \mathbf{x}_{d+n}, \dots, \mathbf{x}_{d+n(m-1)}`, where :math:`\mathbf{x}_t
#    = [x_t, \dots, x_{t+n-1}]`; the target of :math:`\mathbf{x}_t` is
#    :math:`\mathbf{x}_{t+1}`.
# 3. Shuffle the subsequences and group them into minibatches.
#
# D2L takes :math:`m = \lfloor (T - d) / n \rfloor`; the last target then needs
# the token at :math:`d + nm`, which exists only when :math:`n` does not divide
# :math:`T - d`, so we take :math:`m = \lfloor (T - d - 1) / n \rfloor`. Each
# token is used at most once per epoch; the first :math:`d` and the last
# :math:`T - d - nm` are skipped, and so are the subsequences that do not fill a
# last minibatch.


def random_partition(corpus, batch_size, num_steps, generator=None):
    """One epoch of (X, Y) minibatches of shuffled, non-overlapping subsequences."""
    d = int(torch.randint(num_steps, (1,), generator=generator))
    m = (len(corpus) - d - 1) // num_steps  # one token to spare for the last target
    starts = d + num_steps * torch.randperm(m, generator=generator)
    for i in range(0, m - batch_size + 1, batch_size):  # drop an incomplete batch
        batch = starts[i: i + batch_size].tolist()
        X = torch.stack([corpus[s: s + num_steps] for s in batch])
        Y = torch.stack([corpus[s + 1: s + 1 + num_steps] for s in batch])
        yield X, Y


# %%
# On ``torch.arange`` the tokens are their own positions, so we can read off
# where each subsequence starts. With :math:`T = 25` and :math:`n = 5`:

gen = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
for X, Y in random_partition(torch.arange(25), batch_size=2, num_steps=5,
                             generator=gen):
    print("X:", X.tolist(), " Y:", Y.tolist())

# %%
# The rows of a minibatch come from unrelated places of the text, so a recurrent
# network must start each one from a fresh state. *Sequential partitioning*
# keeps neighbours together instead: after the random offset, the text is split
# into ``batch_size`` equally long streams, one per row, and minibatch :math:`j`
# holds steps :math:`jn` to :math:`(j+1)n - 1` of every stream. Row :math:`i` of
# one minibatch then continues exactly where row :math:`i` of the previous one
# stopped, and a network may carry its state from batch to batch
# (:doc:`04_rnn_from_scratch`).


def sequential_partition(corpus, batch_size, num_steps, generator=None):
    """One epoch of (X, Y) minibatches whose rows continue the previous batch's."""
    d = int(torch.randint(num_steps, (1,), generator=generator))
    num_tokens = (len(corpus) - d - 1) // batch_size * batch_size
    Xs = corpus[d: d + num_tokens].reshape(batch_size, -1)  # one stream per row
    Ys = corpus[d + 1: d + 1 + num_tokens].reshape(batch_size, -1)
    for j in range(0, Xs.shape[1] - num_steps + 1, num_steps):
        yield Xs[:, j: j + num_steps], Ys[:, j: j + num_steps]


gen = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
for X, Y in sequential_partition(torch.arange(25), batch_size=2, num_steps=5,
                                 generator=gen):
    print("X:", X.tolist(), " Y:", Y.tolist())

# %%
# Checked against ``handson.sequences``
# -------------------------------------
#
# The course keeps both functions in ``handson.sequences``, as
# ``random_batches`` and ``sequential_batches``; the networks of the next pages
# use those. On ``torch.arange`` every property can be checked exactly. We
# write the checks once and run them on our functions and the library's, for
# several sizes and seeds:
#
# * every ``X`` and ``Y`` has shape ``(batch_size, num_steps)``; each row of
#   ``X`` is a stretch of consecutive tokens, and ``Y = X + 1``: the targets are
#   the next tokens;
# * no token appears twice as an input in one epoch, and no more tokens are
#   skipped than the offset, the remainder and an incomplete batch explain;
# * sequential partitioning: row :math:`i` of each minibatch starts with the
#   token after the one row :math:`i` of the previous minibatch ended with.


def check_epoch(batches, T, batch_size, num_steps, sequential):
    """Check one epoch on torch.arange(T); return the number of tokens used."""
    seen, previous = [], None
    for X, Y in batches:
        assert X.shape == Y.shape == (batch_size, num_steps)
        assert (X[:, 1:] == X[:, :-1] + 1).all() and (Y == X + 1).all()
        if sequential and previous is not None:
            assert (X[:, 0] == previous[:, -1] + 1).all()
        seen.append(X.flatten())
        previous = X
    seen = torch.cat(seen)
    assert len(seen.unique()) == len(seen), "a token was used twice"
    # skipped: offset < num_steps, one token, and less than one batch of tokens
    assert T - len(seen) < num_steps + 1 + batch_size * num_steps
    return len(seen)


for T, batch_size, num_steps in [(25, 2, 5), (1000, 4, 7), (5003, 32, 35)]:
    for seed in range(3):
        for ours, theirs, sequential in [
                (random_partition, handson.sequences.random_batches, False),
                (sequential_partition, handson.sequences.sequential_batches, True)]:
            g1 = torch.Generator().manual_seed(seed)
            g2 = torch.Generator().manual_seed(seed)
            used = [check_epoch(f(torch.arange(T), batch_size, num_steps,
                                  generator=g), T, batch_size, num_steps, sequential)
                    for f, g in [(ours, g1), (theirs, g2)]]
            assert used[0] == used[1]
print("ours and handson.sequences pass every check, with the same token counts")

# %%
# Our functions draw their random numbers in the same order as the library's, so
# with the same seed they even return the same minibatches:

g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
ours = list(random_partition(train, 32, 35, generator=g1))
theirs = list(handson.sequences.random_batches(train, 32, 35, generator=g2))
assert len(ours) == len(theirs)
assert all(torch.equal(X1, X2) and torch.equal(Y1, Y2)
           for (X1, Y1), (X2, Y2) in zip(ours, theirs))
num_used = len(ours) * 32 * 35
print(f"one epoch of random partitioning of train (batch_size=32, num_steps=35): "
      f"{len(ours)} minibatches, {num_used:,} of {len(train):,} tokens "
      f"({num_used / len(train):.1%}) used as inputs")
X, Y = ours[0]
print("first row of the first minibatch:")
print("  X:", repr("".join(vocab.to_tokens(X[0]))))
print("  Y:", repr("".join(vocab.to_tokens(Y[0]))))

# %%
# .. warning::
#
#    ``random_batches`` and ``sequential_batches`` are generators: calling one
#    only builds it, and nothing is checked until the first minibatch is asked
#    for. A corpus too short for even one minibatch fails at that point, with a
#    message saying what is needed:

try:
    next(handson.sequences.random_batches(torch.arange(300), batch_size=32,
                                          num_steps=35))
except ValueError as error:
    print("ValueError:", error)

# %%
# Summary
# -------
#
# * A language model is, by the chain rule, a rule for predicting the next token
#   from all the ones before; an :math:`n`-gram model keeps the last
#   :math:`n - 1`, and its maximum-likelihood estimate is a table of count ratios.
# * Perplexity is the exponential of the mean negative log-likelihood on
#   held-out text: the effective number of equally likely choices per token,
#   :math:`V` for the uniform model, :math:`+\infty` as soon as a token that
#   comes gets probability 0.
# * Unsmoothed counts give held-out text infinite perplexity; add-:math:`k`
#   smoothing, with :math:`k` chosen on a slice of the training text, fixes it;
#   the longer the context, the more a large :math:`k` (Laplace's 1) hurts.
# * On the course's split (the last 10 % of the book held out, vocabulary from
#   the rest) the printed unigram and bigram perplexities are the baselines every
#   network must beat; trigram and 4-gram counts set a higher bar.
# * Random partitioning shuffles non-overlapping subsequences after a random
#   offset; sequential partitioning keeps each row a continuous stream across
#   minibatches. Both live in ``handson.sequences``.

# %%
# Exercises
# ---------
#
# 1. A word-level 4-gram model is trained on a text of 100,000 words with a
#    vocabulary of 10,000 words. How many counts does a dense table need? How
#    many can be non-zero at most?
#
#    .. dropdown:: Answer
#
#       A dense table has :math:`10{,}000^4 = 10^{16}` cells, far beyond any
#       memory. But a text of :math:`T` words contains only :math:`T - 3` 4-grams,
#       so at most 99,997 counts are non-zero: store the seen ones in a hash map
#       (or sorted ids, as ``torch.isin`` did above) and treat the rest as zero.
#       Smoothing still has to give the :math:`10^{16}` unseen ones their share.
#
# 2. Why is ``valid`` the end of the book rather than a random 10 % of the
#    character positions? What would a random choice do to the bigram model's
#    held-out perplexity?
#
#    .. dropdown:: Answer
#
#       With randomly chosen positions, almost every held-out character has its
#       neighbours in the training part, and the text around it (the same words,
#       the same sentences) was counted. For the bigram model this changes
#       little: most one-character contexts are seen thousands of times either
#       way (try it: hold out a random 10 % of the positions and compare with the
#       table above). The longer the context, and the more a model can memorise
#       (a 4-gram table, a large network), the more the held-out number would
#       measure memorisation of this book instead of prediction of new text. A
#       contiguous block at the end is the closest we get to "text written after
#       the model was built".
#
# 3. Random partitioning draws one offset :math:`d` per epoch. Is every
#    subsequence :math:`\mathbf{x}_t` of the corpus then equally likely to be
#    used in an epoch? What could make it more uniform, and what would that cost?
#
#    .. dropdown:: Answer
#
#       Not quite. A position :math:`t` starts a subsequence when
#       :math:`t \equiv d \pmod n`, probability :math:`1/n` for positions in the
#       middle; but the start and the end of the corpus are covered less often
#       (the first :math:`d` tokens and the ragged tail are dropped), and the
#       subsequences that fall into an incomplete last batch depend on the
#       shuffle. Sampling each start uniformly from all :math:`T - n`
#       positions, which D2L 1.0's data loader comes close to by shuffling all
#       overlapping windows of its training part, makes every window equally
#       likely, at the cost of no longer reading each token once per epoch
#       (all windows read it :math:`n` times; random starts, any number of times).
#
# 4. On the development slice, why does a large :math:`k` hurt the 3- and 4-gram
#    models far more than the bigram, and the unigram hardly at all?
#
#    .. dropdown:: Answer
#
#       Add-:math:`k` adds :math:`kV` pseudo-counts to every context. A context
#       seen :math:`n(x)` times keeps a share :math:`n(x) / (n(x) + kV)` of its
#       own counts. The unigram "context" is seen over a hundred thousand times,
#       so even :math:`k = 10` is harmless; trigram and 4-gram contexts are
#       often seen only a few times, and a large :math:`k` replaces their
#       evidence by the uniform distribution. A good smoother lets the amount of
#       smoothing depend on how much evidence a context has, which is what the
#       next exercise does.
#
# 5. **Programming task.** Implement D2L's smoothing towards the lower order,
#    :math:`\hat P(x' \mid x) = \frac{n(x, x') + \epsilon \hat P(x')}{n(x) +
#    \epsilon}`, with :math:`\hat P(x')` the add-:math:`k` unigram model, for the
#    bigram; then the trigram, backing off to that bigram. Choose
#    :math:`\epsilon` on the development slice from a grid, as we did for
#    :math:`k`, and compare the held-out perplexities with the add-:math:`k`
#    table above.
#
#    .. dropdown:: Hint
#
#       Broadcasting does it in one line per order: the lower-order table has one
#       axis fewer, so add a leading axis of size 1.
#
#       .. code-block:: python
#
#          def backoff_probs(counts, lower, eps):
#              """(n(ctx, x') + eps * lower(x' | shorter ctx)) / (n(ctx) + eps)."""
#              return (counts + eps * lower.unsqueeze(0)) / (
#                  counts.sum(-1, keepdim=True) + eps)
#
#          P1 = ngram_probs(ngram_counts(fit, 1, V), best_k[1])
#          for eps in [0.1, 1, 3, 10, 30, 100]:
#              P2 = backoff_probs(ngram_counts(fit, 2, V), P1, eps)
#              P3 = backoff_probs(ngram_counts(fit, 3, V), P2, eps)
#              print(eps, perplexity(P2, dev, 2), perplexity(P3, dev, 3))
#
#       For the trigram the "lower" table is the bigram table ``P2[x', x'']``,
#       broadcast over the first context token ``x``. Then count on all of
#       ``train`` with the chosen :math:`\epsilon` and evaluate on ``valid``.
