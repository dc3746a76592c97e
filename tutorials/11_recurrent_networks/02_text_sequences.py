"""
From raw text to sequences
==========================

A language model reads and predicts *tokens*, and a network only takes numbers. Before
any recurrent network can learn from a book, the book has to become a list of integer
indices: load the text, clean it, split it into tokens (characters or words), and build
a *vocabulary* that maps every token to an index and back. This page does each step by
hand on H. G. Wells's *The Time Machine*, measures what every choice costs (what the
cleaning throws away, how large the vocabulary gets, how many words become unknown),
and then looks at the statistics of the tokens: word frequencies follow Zipf's law,
and most word pairs and triples occur only once, which is why counting alone makes a
poor language model.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * cleaning text with one regular expression, and measuring what it drops
      * character and word tokens: sequence lengths and vocabulary sizes
      * a vocabulary class with ``<unk>`` at index 0, reserved tokens (``<pad>``,
        ``<bos>``, ``<eos>``) and a ``min_freq`` cut-off, written by hand and
        checked equal to ``handson.text.Vocab``
      * Zipf's law: word, bigram and trigram frequencies on log-log axes, and a
        least-squares fit of the exponent
      * why rare n-grams make counting-based language models hard

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * sequences and autoregressive models: :doc:`01_sequences`
      * Python strings, lists and dictionaries; least squares:
        :doc:`../03_linear_regression/01_california_housing`
      * data: *The Time Machine* (D2L's ``timemachine.txt``, about 180,000
        characters), read with ``handson.data.load_time_machine()``
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The pipeline
# ------------
#
# Following D2L (section "Converting Raw Text into Sequence Data"), we turn text into
# a sequence in four steps:
#
# 1. load the text as one string;
# 2. clean it and split it into *tokens*, the atomic units the model will read;
# 3. build a *vocabulary*: a list of the distinct tokens (the token *types*) and a
#    dictionary from each type to its index;
# 4. replace every token of the text by its index.
#
# In symbols, the text becomes a sequence of tokens :math:`x_1, x_2, \dots, x_T`
# drawn from a vocabulary :math:`\mathcal{V}`, and the vocabulary is a bijection
# between :math:`\mathcal{V}` and :math:`\{0, 1, \dots, |\mathcal{V}| - 1\}`. A
# token outside :math:`\mathcal{V}` (a word never seen, or one we chose to drop) is
# mapped to the *unknown* token ``<unk>``. The *frequency* :math:`n(x)` of a token
# type :math:`x` is the number of times it occurs in the text. We distinguish
# *types* (distinct tokens, the entries of the vocabulary) from *running tokens*
# (the :math:`T` positions of the text).

import collections
import re

import matplotlib.pyplot as plt
import torch

import handson
from handson.data import load_time_machine

handson.seed(0)

# %%
# Reading the book
# ----------------
#
# ``load_time_machine()`` returns the whole book as one string (the file D2L uses,
# checksummed when it is downloaded).

raw_text = load_time_machine()
print(f"characters in the raw text: {len(raw_text):,}")
print(repr(raw_text[:80]))

# %%
# Cleaning
# --------
#
# D2L ignores punctuation and capitalisation: every run of characters that are not
# ASCII letters becomes one space, and the rest is lower-cased. One regular
# expression does it: ``[^A-Za-z]+`` matches a run of one or more non-letters.


def clean(text):
    """Replace each run of non-letters by one space, then lower-case."""
    return re.sub("[^A-Za-z]+", " ", text).lower()


text = clean(raw_text)
print(repr(text[:80]))

# %%
# What did that throw away? Every character of the raw text is either a letter,
# which is kept (possibly lower-cased), or part of a run of non-letters, which
# becomes a single space. We count each kind of non-letter, and check that the
# bookkeeping adds up to the length of the cleaned text.

is_letter = [ch.isascii() and ch.isalpha() for ch in raw_text]
num_letters = sum(is_letter)
non_letters = collections.Counter(
    ch for ch, keep in zip(raw_text, is_letter) if not keep)
num_runs = len(re.findall("[^A-Za-z]+", raw_text))
num_upper = sum(ch.isupper() for ch in raw_text)
print(f"letters kept: {num_letters:,} (of which {num_upper:,} lower-cased)")
print(f"non-letters: {sum(non_letters.values()):,} in {num_runs:,} runs, "
      f"each run now one space")
print(f"characters dropped: {len(raw_text) - len(text):,} "
      f"({1 - len(text) / len(raw_text):.1%} of the raw text)")
print("non-letters by count:",
      ", ".join(f"{ch!r}: {n}" for ch, n in non_letters.most_common()))
print(f"distinct characters: {len(set(raw_text))} before, {len(set(text))} after")
assert len(text) == num_letters + num_runs
assert set(text) == set("abcdefghijklmnopqrstuvwxyz ")
white = (non_letters[" "] + non_letters["\n"]) / sum(non_letters.values())
print(f"spaces and line breaks: {white:.0%} of the non-letters")
handson.check("share of spaces and line breaks among non-letters", white, ">",
              0.75, quick=True)

# %%
# Most of the non-letters are spaces and line breaks, which survive as a single
# space. The rest carried information that the cleaned text no longer has: sentence
# ends (``.``, ``?``, ``!``), the digits of the date, and the apostrophes and hyphens
# *inside* words. A word such as ``don't`` or ``after-dinner`` becomes two words,
# so the word list gains fragments like ``t`` and ``s``:

apostrophes = re.findall(r"[A-Za-z]+'[A-Za-z]+", raw_text)
hyphens = re.findall(r"[A-Za-z]+-[A-Za-z]+", raw_text)
print(f"{len(apostrophes)} words with an inner apostrophe, e.g. {apostrophes[:4]}")
print(f"{len(hyphens)} words with an inner hyphen, e.g. {hyphens[:4]}")
word_counts = collections.Counter(text.split())
print(f"after cleaning, the word 's' occurs {word_counts['s']} times, "
      f"'t' {word_counts['t']} times")

# %%
# For a first character-level language model that is a fair trade: the lower-case
# letters and the space are easy to model, and nothing that matters for
# learning spelling is lost. A real system would keep case and punctuation, and split
# words into *subword* pieces instead of throwing characters away.
#
# Tokenisation: characters or words
# ---------------------------------
#
# A *token* can be a character, a word, or a piece of a word. Character tokens give
# a tiny vocabulary and long sequences; word tokens a large vocabulary and short
# sequences. Both are one line of Python on the cleaned text.


def tokenize(text, level="char"):
    """Split ``text`` into characters or into words (split at white space)."""
    return list(text) if level == "char" else text.split()


chars = tokenize(text, "char")
words = tokenize(text, "word")
print(f"{'':6}{'tokens':>10}{'types':>8}")
print(f"{'char':6}{len(chars):>10,}{len(set(chars)):>8,}")
print(f"{'word':6}{len(words):>10,}{len(set(words)):>8,}")
print(f"characters per word, space included: {len(chars) / len(words):.2f}")
print(chars[:12], words[:6])

# %%
# The word sequence is several times shorter, so a model needs fewer steps to see
# the same stretch of text, but it must choose among thousands of words instead of
# a few dozen characters at every step, and it must learn each word separately.
# The later pages of this chapter use characters.

handson.check("char tokens per word token", len(chars) / len(words), ">", 4,
              quick=True)
handson.check("word types / char types", len(set(words)) / len(set(chars)), ">",
              100, quick=True)

# %%
# The vocabulary
# --------------
#
# A vocabulary maps token types to indices. Ours follows one convention for the
# whole course:
#
# * index 0 is ``<unk>``: every token that is not in the vocabulary maps to it;
# * the *reserved* tokens come next, in the order given. Sequence models use three:
#   ``<pad>`` fills up short sequences so that a batch is a rectangle, ``<bos>``
#   marks the beginning of a sequence and ``<eos>`` its end (D2L's translation data
#   uses all three; see
#   :doc:`../12_modern_recurrent_networks/04_machine_translation_data`);
# * then every type that occurs at least ``min_freq`` times, most frequent first
#   (ties in the order of first appearance).
#
# ``collections.Counter`` counts the types and keeps them in the order it first sees
# them; Python's ``sorted`` is stable, so sorting by frequency keeps that order for
# ties. The class needs a dictionary for token to index and a list for index to
# token.


class Vocab:
    """Vocabulary: token <-> index, <unk> first, then reserved, then by frequency."""

    def __init__(self, tokens, min_freq=0, reserved=()):
        counts = collections.Counter(tokens)
        self.token_freqs = sorted(counts.items(), key=lambda kv: kv[1],
                                  reverse=True)
        self.idx_to_token = ["<unk>", *reserved] + [
            token for token, freq in self.token_freqs
            if freq >= min_freq and token != "<unk>" and token not in reserved]
        self.token_to_idx = {tok: idx for idx, tok in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if isinstance(tokens, (list, tuple)):
            return [self.token_to_idx.get(tok, 0) for tok in tokens]
        return self.token_to_idx.get(tokens, 0)

    def to_tokens(self, indices):
        return [self.idx_to_token[int(idx)] for idx in indices]


char_vocab = Vocab(chars)
print(f"{len(char_vocab)} character types:", char_vocab.idx_to_token)
print("rarest characters:", char_vocab.token_freqs[-4:])

# %%
# D2L's ``Vocab`` sorts its types alphabetically (``sorted(set(...))``), so there
# ``<unk>`` lands wherever ``"<unk>"`` falls among the tokens (in the character
# vocabulary, after the space). Ordering by frequency puts ``<unk>`` at 0 in every
# vocabulary, gives the frequent tokens the small indices, and makes "the :math:`k`
# most frequent types" simply the first :math:`k` entries.
#
# Reserved tokens and unknown words
# ---------------------------------
#
# With the three reserved tokens, the word vocabulary starts like this. A sentence
# becomes indices between ``<bos>`` and ``<eos>``, and ``<pad>`` fills it up to a
# fixed length; a word the book never uses maps to ``<unk>``:

reserved = ["<pad>", "<bos>", "<eos>"]
word_vocab = Vocab(words, reserved=reserved)
print(f"{len(word_vocab):,} entries; the first ten:", word_vocab.idx_to_token[:10])
sentence = ["<bos>", "the", "time", "traveller", "smiled", "at", "smartphones",
            "<eos>"]
padded = sentence + ["<pad>"] * (10 - len(sentence))
print(padded)
print(word_vocab[padded])
assert word_vocab[["<unk>", *reserved]] == [0, 1, 2, 3]
assert word_vocab["smartphones"] == 0

# %%
# Most word types are rare. Dropping the rare ones with ``min_freq`` shrinks the
# vocabulary, and so the model's output layer, at the price of turning their
# occurrences into ``<unk>``. How much of each? We count the types dropped and the
# share of *running* words that become ``<unk>``:

print(f"{'min_freq':>8}{'vocab':>7}{'types dropped':>15}{'<unk> share':>13}")
unk_share, dropped_share = {}, {}
for min_freq in (0, 2, 3, 5, 10):
    vocab = Vocab(words, min_freq=min_freq)
    indices = torch.tensor(vocab[words])
    num_dropped = len(word_counts) - (len(vocab) - 1)
    dropped_share[min_freq] = num_dropped / len(word_counts)
    unk_share[min_freq] = (indices == 0).float().mean().item()
    print(f"{min_freq:>8}{len(vocab):>7,}{num_dropped:>7,} "
          f"({dropped_share[min_freq]:4.0%}){unk_share[min_freq]:>13.1%}")

# %%
# The two columns tell very different stories. With ``min_freq=2``, every word seen
# only once goes: about half of the types, but only a small share of the running
# text. With ``min_freq=5`` most types are gone, yet most of the text is still
# covered. The few frequent types make up most of the text; the next sections show
# how regular that is.

handson.check("share of word types seen once (dropped at min_freq=2)",
              dropped_share[2], ">", 0.4, quick=True)
handson.check("share of word types seen once (dropped at min_freq=2)",
              dropped_share[2], "<", 0.65, quick=True)
handson.check("share of running words that are <unk> at min_freq=2",
              unk_share[2], "<", 0.15, quick=True)
handson.check("share of word types dropped at min_freq=5", dropped_share[5], ">",
              0.7, quick=True)
handson.check("share of running words that are <unk> at min_freq=5",
              unk_share[5], "<", 0.3, quick=True)

# %%
# Indices and back
# ----------------
#
# Without a frequency cut-off the map is lossless: tokens to indices and back gives
# the text again, exactly. With ``min_freq=5`` the round trip loses exactly the
# words that became ``<unk>``.

char_indices = char_vocab[chars]
print("indices:", char_indices[:12])
print("tokens: ", char_vocab.to_tokens(char_indices[:12]))
assert "".join(char_vocab.to_tokens(char_indices)) == text
assert word_vocab.to_tokens(word_vocab[words]) == words

vocab5 = Vocab(words, min_freq=5)
back = vocab5.to_tokens(vocab5[words])
num_changed = sum(a != b for a, b in zip(back, words))
print(f"min_freq=5: {num_changed:,} of {len(words):,} words come back as <unk>;",
      " ".join(back[:16]))
assert num_changed == back.count("<unk>") == vocab5[words].count(0)

# %%
# The library version
# -------------------
#
# The course keeps these three helpers in ``handson.text``: ``clean_text`` (our
# ``clean``), ``tokenize`` and ``Vocab``. The library's ``Vocab`` also accepts a list
# of token lists (one per sentence), and both check their input. On the whole book
# they give the same text, tokens and vocabularies as our hand-written versions:

from handson import text as ht  # noqa: E402

assert ht.clean_text(raw_text) == text
assert ht.tokenize(text, "char") == chars and ht.tokenize(text, "word") == words
for tokens, min_freq, extra in [(chars, 0, ()), (words, 0, reserved),
                                (words, 2, ()), (words, 5, reserved)]:
    ours, lib = Vocab(tokens, min_freq, extra), ht.Vocab(tokens, min_freq, extra)
    assert ours.idx_to_token == lib.idx_to_token
    assert ours.token_freqs == lib.token_freqs
    assert ours[tokens] == lib[tokens]
print("hand-written clean/tokenize/Vocab == handson.text on the whole book")

# %%
# Bad input gets a message that says what went wrong. Two mistakes a beginner makes
# are passing a list of tokens where a string is expected, and building a
# vocabulary from an empty corpus (a wrong path, an empty split):

try:
    ht.tokenize(words[:5], "word")
except TypeError as err:
    print(f"TypeError: {err}")
try:
    ht.Vocab([])
except ValueError as err:
    print(f"ValueError: {err}")

# %%
# From :doc:`03_language_models` on, every page gets its data from
# ``handson.text.time_machine("char")``, which runs this pipeline and holds out the
# last tenth of the book.
#
# Word frequencies and Zipf's law
# -------------------------------
#
# The most frequent words are not about time travel at all:

print(word_vocab.token_freqs[:10])
top10 = [tok for tok, _ in word_vocab.token_freqs[:10]]
first_freq, tenth_freq = word_vocab.token_freqs[0][1], word_vocab.token_freqs[9][1]
print(f"the 10th word is {tenth_freq / first_freq:.2f} times as frequent "
      f"as the 1st")

# %%
# Articles, pronouns, prepositions, conjunctions and "was" serve the grammar of any
# English text; they are called *stop words*. Bag-of-words classifiers used to
# filter them out; neural language models keep them, since they carry meaning (D2L
# makes the same point). We check against a short hand-made list of English stop
# words:

stop_words = {"the", "a", "an", "and", "or", "of", "to", "in", "on", "at", "for",
              "with", "by", "from", "as", "that", "this", "it", "i", "me", "my",
              "you", "he", "she", "we", "they", "his", "her", "was", "is", "were",
              "be", "had", "have", "not", "but", "so"}
num_stop = sum(tok in stop_words for tok in top10)
print(f"{num_stop} of the 10 most frequent words are stop words")
handson.check("stop words among the 10 most frequent words", num_stop, ">=", 8,
              quick=True)

# %%
# Sort the frequencies in decreasing order and let :math:`n_i` be the frequency of
# the word of rank :math:`i`. *Zipf's law* says that
#
# .. math::
#
#    n_i \propto \frac{1}{i^\alpha}
#    \qquad \Longleftrightarrow \qquad
#    \log n_i = -\alpha \log i + c,
#
# a straight line of slope :math:`-\alpha` on log-log axes. We estimate
# :math:`\alpha` by least squares on :math:`u_i = \log i`, :math:`v_i = \log n_i`:
# the slope that minimises :math:`\sum_i (v_i - (s u_i + c))^2` is
#
# .. math::
#
#    \hat s = \frac{\sum_i (u_i - \bar u)(v_i - \bar v)}{\sum_i (u_i - \bar u)^2},
#    \qquad \hat\alpha = -\hat s.
#
# The range of ranks matters. The first few words are exceptions (D2L says so too),
# and the tail is a staircase: hundreds of words share frequency 2, thousands
# frequency 1, and those flat steps are most of the points, so they would dominate
# the fit. We fit ranks 10 to 1,000, where the curve is roughly straight, and print
# the fit over all ranks to show how much the choice changes the answer.

first_rank, last_rank = 10, 1000


def ngram_freqs(tokens, n):
    """Frequencies of the n-grams of ``tokens``, in decreasing order."""
    grams = zip(*[tokens[i:] for i in range(n)])
    counts = collections.Counter(grams)
    return torch.tensor(sorted(counts.values(), reverse=True), dtype=torch.float64)


def zipf_fit(freqs, first=1, last=None):
    """Least-squares (alpha, c) of log n_i = -alpha log i + c, ranks first..last."""
    ranks = torch.arange(1, len(freqs) + 1, dtype=torch.float64)
    u, v = ranks[first - 1:last].log(), freqs[first - 1:last].log()
    slope = ((u - u.mean()) * (v - v.mean())).sum() / ((u - u.mean()) ** 2).sum()
    return -slope.item(), (v.mean() - slope * u.mean()).item()


freqs = {n: ngram_freqs(words, n) for n in (1, 2, 3)}
print(f"word types seen once: {int((freqs[1] == 1).sum()):,}, twice: "
      f"{int((freqs[1] == 2).sum()):,}; ranks above {last_rank:,}: "
      f"{len(freqs[1]) - last_rank:,} of {len(freqs[1]):,}")
alpha, intercept = {}, {}
for n, f in freqs.items():
    alpha[n], intercept[n] = zipf_fit(f, first_rank, last_rank)
    print(f"{n}-grams: {len(f):>6,} types, alpha = {alpha[n]:.3f} on ranks "
          f"{first_rank}-{last_rank}, {zipf_fit(f)[0]:.3f} on all ranks")

# %%
# The closed form is ordinary least squares; ``torch.linalg.lstsq`` on the design
# matrix :math:`[u_i, 1]` gives the same line:

f = freqs[1]
u = torch.arange(first_rank, last_rank + 1, dtype=torch.float64).log()
A = torch.stack([u, torch.ones_like(u)], dim=1)
slope, c = torch.linalg.lstsq(A, f[first_rank - 1:last_rank].log()[:, None]).solution
torch.testing.assert_close(torch.tensor([-slope.item(), c.item()]),
                           torch.tensor([alpha[1], intercept[1]]))

# %%
# Words follow Zipf's law with an exponent close to 1. Bigrams
# and trigrams follow a power law too, but a flatter one: the exponent falls as
# :math:`n` grows (D2L observes the same). Note the all-rank fit: for bigrams and
# trigrams it comes out far lower, because the staircase of singletons dominates;
# an exponent means little without its rank range.

handson.check("Zipf exponent of words (ranks 10-1000)", alpha[1], ">", 0.7,
              quick=True)
handson.check("Zipf exponent of words (ranks 10-1000)", alpha[1], "<", 1.3,
              quick=True)
handson.check("exponent of words minus exponent of bigrams", alpha[1] - alpha[2],
              ">", 0.15, quick=True)
handson.check("exponent of bigrams minus exponent of trigrams",
              alpha[2] - alpha[3], ">", 0.1, quick=True)

fig, ax = plt.subplots(figsize=(6, 4))
for n, name in [(1, "words"), (2, "bigrams"), (3, "trigrams")]:
    ranks = torch.arange(1, len(freqs[n]) + 1)
    ax.loglog(ranks, freqs[n], label=rf"{name}, fitted $\alpha$ = {alpha[n]:.2f}")
    fit_ranks = torch.tensor([first_rank, last_rank], dtype=torch.float64)
    ax.loglog(fit_ranks, torch.exp(intercept[n] - alpha[n] * fit_ranks.log()),
              "k--", lw=1.2)
ax.axvspan(first_rank, last_rank, color="grey", alpha=0.1, label="fitted ranks")
ax.set_xlabel("rank $i$")
ax.set_ylabel("frequency $n_i$")
ax.set_title("The Time Machine (dashed black: least-squares fits)")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Why this matters for n-gram models
# ----------------------------------
#
# A counting language model estimates
# :math:`P(x_t \mid x_{t-2}, x_{t-1}) \approx n(x_{t-2}, x_{t-1}, x_t) /
# n(x_{t-2}, x_{t-1})`. That needs every n-gram to be seen often. We count, for
# :math:`n = 1, \dots, 4`, the distinct n-grams and those seen exactly once; and,
# splitting the book as the later pages do (first 90 % for counting, last 10 %
# held out), the share of held-out n-grams never seen in the first part. For
# comparison, the number of n-grams one *could* form from the word types is
# :math:`|\mathcal{V}|^n`.

cut = round(len(words) * 0.9)
train_words, valid_words = words[:cut], words[cut:]
num_types, num_once, unseen = {}, {}, {}
print(f"{'n':>2}{'possible':>11}{'distinct':>10}{'seen once':>16}"
      f"{'held-out unseen':>17}")
for n in (1, 2, 3, 4):
    f = ngram_freqs(words, n)
    num_types[n], num_once[n] = len(f), int((f == 1).sum())
    seen = set(zip(*[train_words[i:] for i in range(n)]))
    held_out = list(zip(*[valid_words[i:] for i in range(n)]))
    unseen[n] = sum(g not in seen for g in held_out) / len(held_out)
    print(f"{n:>2}{len(word_counts) ** n:>11.1e}{num_types[n]:>10,}"
          f"{num_once[n]:>8,} ({num_once[n] / num_types[n]:4.0%})"
          f"{unseen[n]:>17.0%}")

# %%
# Two things stand out. Of all the word combinations one could form, only a tiny
# fraction ever occurs: language has a lot of structure. But the n-grams that do
# occur are mostly seen once, and more so as :math:`n` grows, so a count-based
# estimate rests on a single example; and most held-out trigrams were never seen at
# all, so a pure counting model gives them probability zero. Smoothing patches
# this (D2L's next section discusses Laplace smoothing, see
# :doc:`03_language_models`); neural language models, which share statistics
# between similar contexts, are the answer the next pages build.

for n in (1, 2, 3):
    handson.check(f"{n + 1}-grams seen once minus {n}-grams seen once",
                  num_once[n + 1] - num_once[n], ">", 0, quick=True)
    handson.check(f"held-out unseen share, {n + 1}-grams minus {n}-grams",
                  unseen[n + 1] - unseen[n], ">", 0.05, quick=True)
handson.check("share of distinct trigrams seen once", num_once[3] / num_types[3],
              ">", 0.85, quick=True)
handson.check("share of held-out trigrams unseen in the first 90%", unseen[3], ">",
              0.7, quick=True)

# %%
# Summary
# -------
#
# * Text becomes a model's input in four steps: load, clean and tokenise, build a
#   vocabulary, map tokens to indices. D2L's cleaning keeps the lower-case
#   letters and the space; it drops punctuation and digits and splits words at
#   apostrophes and hyphens.
# * Characters give a vocabulary of a few dozen types and long sequences; words give
#   thousands of types and sequences several times shorter.
# * The course's ``Vocab`` (``handson.text.Vocab``) puts ``<unk>`` at index 0, then
#   reserved tokens such as ``<pad>``, ``<bos>``, ``<eos>``, then the types by
#   decreasing frequency; ``min_freq`` drops most word types while turning only a
#   minority of the running words into ``<unk>``.
# * Word frequencies follow Zipf's law; the least-squares exponent on ranks 10 to
#   1,000 is close to 1, and bigrams and trigrams have smaller ones.
# * Most n-grams occur once, more so as :math:`n` grows, and most held-out trigrams
#   were never seen: counting alone cannot make a good language model.

# %%
# Exercises
# ---------
#
# 1. Look at the ``min_freq`` table. Describe how the vocabulary size and the share
#    of ``<unk>`` change with ``min_freq``, and explain why one falls so much faster
#    than the other rises.
#
#    .. dropdown:: Answer
#
#       Each step of ``min_freq`` removes all types with that frequency. By Zipf's
#       law there are very many of them (most types are rare), so the vocabulary
#       shrinks fast; but each removed type occurred only a few times, so the share
#       of running words that become ``<unk>`` grows slowly.
#
# 2. In the cleaned text, ``s`` and ``t`` are "words". Where do they come from,
#    and how would you change the regular expression to keep ``don't`` as one word?
#
#    .. dropdown:: Answer
#
#       From words with an inner apostrophe (``Filby's``, ``don't``), which the
#       cleaning splits in two. Allowing an apostrophe between letters keeps them,
#       e.g. ``re.sub("(?:[^A-Za-z']|'(?![A-Za-z])|(?<![A-Za-z])')+", " ", text)``.
#       The price is a 28th character, and quotation marks written with the same
#       apostrophe character must still be told apart from it.
#
# 3. With D2L's alphabetical vocabulary, which index does ``<unk>`` get in the
#    character vocabulary of the cleaned book, and which index does ``a`` get?
#
#    .. dropdown:: Answer
#
#       The space (code point 32) sorts before ``<`` (60), which sorts before the
#       lower-case letters (97 and up): the space is 0, ``<unk>`` is 1 and ``a``
#       is 2. In our vocabulary ``<unk>`` is always 0 and the space, the most
#       frequent character, is 1.
#
# 4. Fit the Zipf exponent of the words over ranks 1 to 100 and 100 to 1,000. Are
#    they the same? What does that say about an exponent quoted without its range?
#
#    .. dropdown:: Hint
#
#       ``zipf_fit(freqs[1], 1, 100)`` and ``zipf_fit(freqs[1], 100, 1000)``. A
#       power law is a straight line on log-log axes; if the two slopes differ, the
#       curve bends, and the fitted exponent depends on where you look.
#
# 5. **Programming task.** Build the word vocabulary from the first 90 % of the
#    book only (``train_words``) with ``min_freq=2``, and measure the share of
#    ``<unk>`` in ``train_words`` and in ``valid_words``. Which is larger, and why?
#    Repeat at character level with ``handson.text.time_machine("char")``: how many
#    held-out characters are ``<unk>``?
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          vocab = handson.text.Vocab(train_words, min_freq=2)
#          for name, part in [("train", train_words), ("valid", valid_words)]:
#              idx = torch.tensor(vocab[part])
#              print(name, f"{(idx == 0).float().mean().item():.1%} <unk>")
#
#          char_vocab, train, valid = handson.text.time_machine("char")
#          print(int((valid == char_vocab.unk).sum()), "held-out <unk> characters")
#
#       The held-out share is larger: besides the rare words, it contains words that
#       never occur in the first 90 % at all (the unigram row of the last table),
#       and those always map to ``<unk>``. At character level, a held-out
#       character is ``<unk>`` only if it never occurs in the training part; with
#       every letter occurring dozens of times or more in the book, expect none,
#       and let the code confirm it.
