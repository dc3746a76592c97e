"""
Machine translation and its data
================================

A language model continues one sequence. *Machine translation* maps a sentence in
one language (the *source*) to a sentence in another (the *target*), of a different
length and with the words in a different order; problems of this shape are called
*sequence to sequence* problems. This page prepares the English-French sentence
pairs that the next pages translate: it cleans and tokenises both sides, builds one
vocabulary per language, holds out a fair test set, and turns every sentence into a
row of fixed length by truncation and padding, recording how many of its tokens are
real. Every step is written by hand, measured, and checked against
``handson.translation``, which keeps the pipeline for the pages that follow.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * D2L's preprocessing: plain spaces, lower case, punctuation split from words
      * word tokens for both languages, and how long the sentences are
      * a held-out set that is neither the biased tail of a sorted file nor a
        leak of sentences seen in training
      * two vocabularies with ``<pad>``, ``<bos>``, ``<eos>``, and what
        ``min_freq=2`` costs in ``<unk>`` tokens
      * truncation, padding and valid lengths; the decoder input for teacher forcing

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * tokens and ``handson.text.Vocab``:
        :doc:`../11_recurrent_networks/02_text_sequences`
      * language models and next-token targets:
        :doc:`../11_recurrent_networks/03_language_models`
      * data: English-French pairs from the Tatoeba project (via manythings.org and
        D2L), read with ``handson.data.load_fra_eng()``
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The task and the data
# ---------------------
#
# A translation data set is a list of pairs :math:`(\mathbf{x}, \mathbf{y})`: a
# source sentence :math:`\mathbf{x} = (x_1, \dots, x_T)` and its translation
# :math:`\mathbf{y} = (y_1, \dots, y_{T'})`, with :math:`T \neq T'` in general. A
# model will learn :math:`P(\mathbf{y} \mid \mathbf{x})`; this page only prepares
# the pairs. Following D2L (section "Machine Translation and the Dataset"), the
# source is English and the target French, from the Tatoeba project. The course
# ships only the start of such a file (D2L's copy comes from another Tatoeba
# export); the file is sorted by length, so these are the shortest sentences.

import collections
import random
import statistics

import matplotlib.pyplot as plt
import torch

import handson
import handson.translation
from handson.data import load_fra_eng
from handson.text import Vocab

handson.seed(0)

pairs = load_fra_eng()
print(f"{len(pairs):,} pairs (english, french); the first five and the last:")
for pair in pairs[:5] + pairs[-1:]:
    print("   ", pair)

# %%
# Preprocessing
# -------------
#
# Three steps, as in D2L: replace the two kinds of non-breaking space (French puts
# a narrow one before ``!`` and ``?``) by an ordinary space, lower-case
# everything, and insert a space before ``, . ! ?`` when there is none, so that
# splitting at spaces separates punctuation marks from words.


def preprocess(text):
    text = text.replace("\u202f", " ").replace("\xa0", " ").lower()
    out = [" " + char if i > 0 and char in ",.!?" and text[i - 1] != " " else char
           for i, char in enumerate(text)]
    return "".join(out)


print(repr(pairs[1][1]), "->", repr(preprocess(pairs[1][1])))
print(repr("I'm busy, too."), "->", repr(preprocess("I'm busy, too.")))
num_nbsp = sum(("\u202f" in f) or ("\xa0" in f) for _, f in pairs)
print(f"French sentences with a non-breaking space: {num_nbsp:,}")

# %%
# Every punctuation mark must now stand alone: after preprocessing it is preceded
# by a space (or starts the sentence). And the hand-written function must agree
# with the one ``handson`` keeps, on every sentence of both languages.

texts = [preprocess(s) for pair in pairs for s in pair]
assert all(i == 0 or t[i - 1] == " "
           for t in texts for i, c in enumerate(t) if c in ",.!?")
assert texts == [handson.translation.preprocess(s) for pair in pairs for s in pair]

# %%
# .. note::
#
#    Python's ``str.split()`` without an argument would split at the non-breaking
#    spaces too; D2L splits at ``" "`` only, where ``"cours\u202f!"`` would become
#    the word ``"cours\u202f"``, a different token from ``"cours"``. Replacing the
#    characters makes the result independent of how you split.
#
# Tokenisation
# ------------
#
# Each side becomes a list of word tokens (words and punctuation marks), one list
# per sentence, as D2L does. The end-of-sentence token ``<eos>`` is added later,
# when the sentences are turned into rows of indices.


def tokenize_pairs(pairs):
    src = [preprocess(english).split() for english, _ in pairs]
    tgt = [preprocess(french).split() for _, french in pairs]
    return src, tgt


src, tgt = tokenize_pairs(pairs)
for s, t in list(zip(src, tgt))[:3]:
    print(s, "->", t)
assert (src, tgt) == handson.translation.tokenize_pairs(pairs)

# %%
# How long are the sentences? The histogram counts tokens per sentence on each
# side (punctuation included, ``<eos>`` not yet).

src_len = [len(s) for s in src]
tgt_len = [len(t) for t in tgt]
fig, ax = plt.subplots(figsize=(5.5, 3.2))
bins = torch.arange(0.5, max(tgt_len) + 1.5).tolist()
ax.hist([src_len, tgt_len], bins=bins, label=["source (English)", "target (French)"])
ax.set_xlabel("tokens per sentence")
ax.set_ylabel("number of sentences")
ax.legend()
plt.show()

print(f"mean tokens per sentence: English {statistics.mean(src_len):.2f}, "
      f"French {statistics.mean(tgt_len):.2f}; longest: {max(src_len)} and "
      f"{max(tgt_len)}")
handson.check("mean French length / mean English length",
              statistics.mean(tgt_len) / statistics.mean(src_len), ">", 1.02,
              quick=True)

# %%
# The French side is longer on average and has the longer tail: a translation
# model must produce sentences whose length differs from the input's, so the
# output length has to be decided by the model itself (by emitting ``<eos>``).
#
# A held-out set
# --------------
#
# To measure translation quality later we need pairs the model never trains on.
# D2L takes the first 512 pairs for training and the next 128 for validation. For
# a file sorted by length, any such cut is biased: the held-out part is longer
# (or shorter) than the training part.

n = len(pairs) // 10
print(f"mean English tokens: first tenth {statistics.mean(src_len[:n]):.2f}, "
      f"last tenth {statistics.mean(src_len[-n:]):.2f}")
handson.check("mean length, last tenth minus first tenth of the file",
              statistics.mean(src_len[-n:]) - statistics.mean(src_len[:n]), ">",
              0.5, quick=True)

# %%
# A random sample of pairs avoids the bias but leaks: many English sentences come
# with several translations (the first with four or more is printed below), and a
# model that saw one of them in training would be tested on an English sentence
# it has already learnt to translate.

counts = collections.Counter(english for english, _ in pairs)
example = next(e for e in counts if counts[e] >= 4)
print([pair for pair in pairs if pair[0] == example])
shared = sum(c for c in counts.values() if c > 1) / len(pairs)
print(f"{len(counts):,} distinct English sentences; {shared:.0%} of the pairs share "
      f"their English sentence with another pair")
handson.check("share of pairs whose English sentence has another translation",
              shared, ">", 0.3, quick=True)

# %%
# So we hold out *English sentences*, drawn at random, together with all their
# translations. The sample is drawn with a fixed seed of its own
# (``handson.translation.HOLD_OUT_SEED``), so every run of every page, whatever
# the seed of the training, measures on the same sentences. We hold out 1,000
# English sentences (in quick mode, with fewer pairs loaded, at most a fifth).

num_valid = min(1_000, len(counts) // 5)
held_out = set(random.Random(handson.translation.HOLD_OUT_SEED).sample(
    sorted(counts), num_valid))
train_pairs = [p for p in pairs if p[0] not in held_out]
valid_pairs = [p for p in pairs if p[0] in held_out]
train_src, train_tgt = tokenize_pairs(train_pairs)
valid_src, valid_tgt = tokenize_pairs(valid_pairs)
print(f"{len(train_pairs):,} training pairs, {len(valid_pairs):,} held-out pairs "
      f"({num_valid:,} English sentences)")


def mean_len(sentences):
    return statistics.mean(len(s) for s in sentences)


gap = abs(mean_len(valid_src) - mean_len(train_src))
print(f"mean English tokens: train {mean_len(train_src):.2f}, "
      f"held out {mean_len(valid_src):.2f}")
handson.check("|held-out - train| mean English length", gap, "<", 0.25, quick=True)
assert not held_out & {english for english, _ in train_pairs}

# %%
# Vocabularies
# ------------
#
# Source and target get separate vocabularies, built from the *training* pairs
# only, so held-out words never seen in training become ``<unk>`` exactly as new
# words would in use. Besides ``<unk>`` (index 0), three reserved tokens:
# ``<pad>`` fills rows up to a fixed length, ``<bos>`` (beginning of sequence)
# starts the decoder's input and ``<eos>`` ends every sentence. Words seen fewer
# than ``min_freq = 2`` times map to ``<unk>``, as in D2L.

reserved = ["<pad>", "<bos>", "<eos>"]
src_vocab = Vocab(train_src, min_freq=2, reserved=reserved)
tgt_vocab = Vocab(train_tgt, min_freq=2, reserved=reserved)
print(src_vocab)
print(tgt_vocab)


def unk_share(sentences, vocab):
    tokens = [t for s in sentences for t in s]
    return sum(vocab[t] == vocab.unk for t in tokens) / len(tokens)


print(f"{'':8}{'types':>7}{'kept':>7}{'<unk> train':>13}{'<unk> held out':>16}")
shares = {}
for name, train_side, valid_side, vocab in [
        ("English", train_src, valid_src, src_vocab),
        ("French", train_tgt, valid_tgt, tgt_vocab)]:
    num_types = len({t for s in train_side for t in s})
    shares[name] = (unk_share(train_side, vocab), unk_share(valid_side, vocab),
                    1 - (len(vocab) - 4) / num_types)
    print(f"{name:8}{num_types:>7,}{len(vocab) - 4:>7,}{shares[name][0]:>13.1%}"
          f"{shares[name][1]:>16.1%}")

# %%
# Three things to read from this table, each checked:
#
# * French has more word types than English (gender and verb endings multiply
#   the forms), so its vocabulary is the larger one;
# * ``min_freq=2`` drops a large share of the word *types* (every word seen once)
#   but only a small share of the running *tokens*;
# * held-out sentences have more ``<unk>`` than training sentences: they contain
#   words the training pairs never had.

handson.check("French vocabulary size / English vocabulary size",
              len(tgt_vocab) / len(src_vocab), ">", 1.2, quick=True)
handson.check("share of French types dropped at min_freq=2", shares["French"][2],
              ">", 0.3, quick=True)
handson.check("share of French training tokens that are <unk>", shares["French"][0],
              "<", 0.08)
for name in shares:
    handson.check(f"{name} <unk> share, held out minus train",
                  shares[name][1] - shares[name][0], ">", 0.01, quick=True)

# %%
# Truncation, padding and valid lengths
# -------------------------------------
#
# A minibatch is a tensor, so all its rows need one length, ``num_steps``. Each
# sentence gets ``<eos>`` appended, then is cut to ``num_steps`` tokens if longer
# (*truncation*) or filled with ``<pad>`` if shorter (*padding*). The number of
# real tokens, its *valid length*, is recorded: a model must not learn from, or
# be scored on, the padding. D2L uses ``num_steps = 9``; we keep it and measure
# how many sentences lose tokens (and their ``<eos>``) to truncation.

num_steps = 9


def pad_or_truncate(tokens, num_steps, pad="<pad>"):
    return tokens[:num_steps] + [pad] * (num_steps - len(tokens))


print(pad_or_truncate(train_tgt[0] + ["<eos>"], num_steps))
print(pad_or_truncate("a b c d e f g h i j k".split(), num_steps))
truncated = sum(len(t) + 1 > num_steps for t in train_tgt) / len(train_tgt)
print(f"French training sentences truncated at num_steps={num_steps}: {truncated:.2%}")
handson.check("share of French sentences truncated", truncated, "<", 0.02, quick=True)

# %%
# Teacher forcing, the way the next page trains the decoder, needs three rows per
# target sentence: the *labels* :math:`y_1, \dots, y_{T'}, \texttt{<eos>}` (padded),
# and the *decoder input*, the labels shifted right by one position behind
# ``<bos>``: at step :math:`t'` the decoder reads :math:`y_{t'-1}` (``<bos>`` at
# the first step) and must predict :math:`y_{t'}`, like a language model whose
# targets are its inputs shifted by one.


def build_tensors(src, tgt):
    def rows(sentences, vocab):
        X = torch.tensor([vocab[pad_or_truncate(s + ["<eos>"], num_steps)]
                          for s in sentences])
        return X, (X != vocab["<pad>"]).sum(dim=1)

    X, src_valid_len = rows(src, src_vocab)
    Y, tgt_valid_len = rows(tgt, tgt_vocab)
    bos = torch.full((len(Y), 1), tgt_vocab["<bos>"])
    dec_in = torch.cat([bos, Y[:, :-1]], dim=1)
    return X, dec_in, Y, src_valid_len, tgt_valid_len


X, dec_in, Y, src_valid_len, tgt_valid_len = build_tensors(train_src, train_tgt)
print("source:       ", src_vocab.to_tokens(X[0]))
print("decoder input:", tgt_vocab.to_tokens(dec_in[0]))
print("labels:       ", tgt_vocab.to_tokens(Y[0]))
print("valid lengths:", int(src_valid_len[0]), int(tgt_valid_len[0]))

# %%
# The valid length counts the non-padding tokens; since ``<pad>`` only ever fills
# the end of a row, it equals the sentence length plus one (for ``<eos>``), capped
# at ``num_steps``. The decoder input is the labels shifted: checked exactly.

assert torch.equal(tgt_valid_len, torch.tensor(
    [min(len(t) + 1, num_steps) for t in train_tgt]))
assert torch.equal(dec_in[:, 1:], Y[:, :-1])
pad_share = float((Y == tgt_vocab["<pad>"]).float().mean())
print(f"share of target positions that are padding: {pad_share:.0%}")

# %%
# A large share of every target tensor is padding: computation spent on nothing.
# Real systems put sentences of similar length in the same minibatch (*bucketing*,
# as D2L mentions) to waste less; with sentences this short we simply mask the
# padding out of the loss (next page).
#
# The pipeline in ``handson``
# ---------------------------
#
# ``handson.translation.translation_data(num_steps=9, min_freq=2, num_valid=1000)``
# runs every step of this page and returns the vocabularies, the five tensors of
# each split (``src``, ``dec_in``, ``tgt``, ``src_valid_len``, ``tgt_valid_len``)
# and the raw pairs. It must give exactly the tensors built above.

data = handson.translation.translation_data(num_steps=num_steps)
assert data.train_pairs == train_pairs and data.valid_pairs == valid_pairs
assert data.tgt_vocab.idx_to_token == tgt_vocab.idx_to_token
for ours, theirs in zip((X, dec_in, Y, src_valid_len, tgt_valid_len), data.train):
    assert torch.equal(ours, theirs)
for ours, theirs in zip(build_tensors(valid_src, valid_tgt), data.valid):
    assert torch.equal(ours, theirs)
print({name: tuple(t.shape) for name, t in data.train._asdict().items()})

# %%
# ``data.encode`` turns new English sentences into source rows, the input a
# trained model will translate:

src_rows, valid_len = data.encode(["I'm home.", "He's calm."])
for row in src_rows:
    print(data.src_vocab.to_tokens(row))
print("valid lengths:", valid_len.tolist())

# %%
# Summary
# -------
#
# * A translation pair is two token sequences of different lengths; both sides are
#   preprocessed (plain spaces, lower case, punctuation split off) and split into
#   word tokens.
# * The held-out set is a fixed random sample of English sentences with all their
#   translations: not the tail of a file sorted by length (longer sentences), and
#   not a random sample of pairs (the same English sentence on both sides).
# * Each language has its own vocabulary, built from the training pairs, with
#   ``<pad>``, ``<bos>`` and ``<eos>``; ``min_freq=2`` drops many word types but
#   few running tokens.
# * Rows of ``num_steps`` tokens come from ``<eos>``, truncation and padding; the
#   valid length records the real tokens, and the decoder input is ``<bos>``
#   followed by the labels shifted right.
#
# Exercises
# ---------
#
# 1. D2L builds its vocabularies from the padded sentences, with ``<bos>`` added,
#    and from the validation pairs too. What goes wrong when held-out pairs help
#    build the vocabulary?
#
#    .. dropdown:: Answer
#
#       Words that occur only in held-out sentences get their own index (if seen
#       twice there) instead of ``<unk>``: the model is later tested on inputs
#       that are "known" although it never trained on them, and the measured
#       ``<unk>`` share no longer shows what new sentences will look like. Counting
#       ``<pad>`` and ``<bos>`` as words is harmless but pointless; they are
#       reserved anyway.
#
# 2. Which ``num_steps`` keeps every French training sentence whole? What would
#    that cost in padding?
#
#    .. dropdown:: Hint
#
#       ``max(len(t) for t in train_tgt) + 1``; recompute ``pad_share`` with
#       ``build_tensors`` after changing ``num_steps``. Padding grows with the
#       longest sentence, while only a few sentences need the extra room.
#
# 3. Chinese and Japanese do not separate words by spaces. Is word-level
#    tokenisation still a good idea? (D2L's second exercise.)
#
#    .. dropdown:: Answer
#
#       Splitting at spaces does nothing there, so a word tokeniser needs a
#       segmenter first, which makes its own mistakes. Character tokens avoid
#       segmentation but make sequences longer; subword units learnt from data
#       (byte-pair encoding and relatives) are the usual compromise and work for
#       any script.
#
# 4. **Programming task.** Measure how much padding bucketing saves: sort the
#    training pairs by target length, cut them into minibatches of 128, pad each
#    minibatch only to its own longest target (plus ``<eos>``), and compare the
#    share of padded positions with ``pad_share`` above.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          lengths = sorted(len(t) + 1 for t in train_tgt)
#          padded = real = 0
#          for i in range(0, len(lengths), 128):
#              chunk = lengths[i: i + 128]
#              padded += max(chunk) * len(chunk)
#              real += sum(chunk)
#          print(f"padding with buckets: {1 - real / padded:.0%}")
#
#       Within a bucket the targets have nearly the same length, so expect far
#       less padding than ``pad_share`` for rows of ``num_steps``; run it to see
#       how much less. (The source side then needs its own padding per batch, and
#       sorted batches must be shuffled as a whole, not left in length order.)
