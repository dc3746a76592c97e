"""
Bahdanau attention: a decoder that looks back at the source
===========================================================

The encoder-decoder of :doc:`../12_modern_recurrent_networks/05_seq2seq` squeezes
the whole source sentence into one vector, the encoder's final state, and the
decoder must write every target word from it. Bahdanau, Cho and Bengio (2014) let
the decoder *look back*: at each step its state is a query, the encoder's
hidden states at every source position are keys and values, and additive
attention (:doc:`02_scoring_functions`) pools them into a context made for that
step. This page adds that attention to the GRU decoder of chapter 12, checks the
decoder against ``handson``'s, trains both models on the same data and budget,
compares their held-out BLEU, and draws which source words each French word
attended to.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * why one fixed context vector is a bottleneck, and how a context computed
        at every decoding step removes it
      * Bahdanau's decoder: the previous decoder state queries the encoder's
        outputs with additive attention, padding masked
      * that decoding one token at a time gives the same logits as the
        teacher-forced pass, checked
      * a like-for-like comparison with the model without attention: the same
        data, initial encoder, batches and budget, held-out BLEU with its
        standard error
      * reading an alignment heatmap

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * the GRU encoder-decoder, masked loss, greedy translation and BLEU:
        :doc:`../12_modern_recurrent_networks/05_seq2seq`
      * additive attention and the masked softmax: :doc:`02_scoring_functions`
      * data: the course's English-French pairs, 1,000 English sentences held
        out (:doc:`../12_modern_recurrent_networks/04_machine_translation_data`)
"""

# sphinx_gallery_thumbnail_number = 2

# %%
# One context vector, or one per step
# -----------------------------------
#
# In chapter 12 the decoder computed :math:`\mathbf{s}_{t'} = g(y_{t'-1},
# \mathbf{c}, \mathbf{s}_{t'-1})` with the same context :math:`\mathbf{c} =
# \mathbf{h}_T` at every step :math:`t'`. Everything the decoder knows about the
# source must pass through that one vector of 128 numbers, for a two-word sentence
# and for a ten-word one alike. D2L's section "The Bahdanau Attention Mechanism"
# replaces it by a context computed for each step, an attention pooling of the
# encoder's hidden states :math:`\mathbf{h}_1, \dots, \mathbf{h}_T` in which the
# decoder's previous state is the query:
#
# .. math::
#
#    \mathbf{c}_{t'} = \sum_{t=1}^{T} \alpha(\mathbf{s}_{t'-1}, \mathbf{h}_t)\,
#    \mathbf{h}_t, \qquad
#    \alpha(\mathbf{s}, \mathbf{h}_t) = \frac{\exp a(\mathbf{s}, \mathbf{h}_t)}
#    {\sum_{j=1}^{T} \exp a(\mathbf{s}, \mathbf{h}_j)},
#
# with the additive score :math:`a(\mathbf{q}, \mathbf{k}) = \mathbf{w}_v^\top
# \tanh(\mathbf{W}_q \mathbf{q} + \mathbf{W}_k \mathbf{k})`. The hidden states
# serve as keys *and* values. Then :math:`\mathbf{s}_{t'} = g(y_{t'-1},
# \mathbf{c}_{t'}, \mathbf{s}_{t'-1})`, and the output layer reads
# :math:`\mathbf{s}_{t'}` as before. The weights :math:`\alpha` form, for each
# target word, a distribution over source positions: a soft *alignment*, learned
# from the translation loss alone.
#
# Source sentences are padded to ``num_steps`` tokens. The encoder of chapter 12
# reads the padding, but the attention must not pool it: the sum runs over the
# real tokens only (``<eos>`` included), which is what the masked softmax does
# with the source's valid lengths.

import math

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
import handson.attention
import handson.seq2seq
import handson.translation
from handson.seq2seq import bleu
from handson.translation import tokenize_pairs

device = handson.device()
data = handson.translation.translation_data()
print(f"{len(data.train_pairs):,} training pairs, {len(data.valid_pairs):,} held "
      f"out; vocabularies: {len(data.src_vocab):,} English, "
      f"{len(data.tgt_vocab):,} French tokens; num_steps = {data.num_steps}")

# %%
# The decoder, written by hand
# ----------------------------
#
# The decoder follows the interface of ``handson.seq2seq``, so chapter 12's
# encoder, training loop and greedy translation work with it unchanged.
# ``init_state`` keeps three things: the encoder's outputs at every position
# (keys and values), its final state (where the decoder's state starts, as in
# chapter 12) and the source's valid lengths (the mask). ``forward`` must now
# loop over the target steps even in training, because the query of step
# :math:`t'` is the state after step :math:`t'-1`. The context is concatenated to
# the input embedding, as D2L does; ``attention_weights`` keeps the weights of
# every step for plotting.


class AttentionDecoder(handson.seq2seq.Decoder):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers=1):
        super().__init__()
        self.attention = handson.attention.AdditiveAttention(
            key_size=num_hiddens, query_size=num_hiddens, num_hiddens=num_hiddens)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers,
                          batch_first=True)
        self.dense = nn.Linear(num_hiddens, vocab_size)
        self.apply(handson.seq2seq.init_seq2seq)

    def init_state(self, enc_outputs, src_valid_len=None):
        outputs, hidden = enc_outputs        # (batch, T, h), (layers, batch, h)
        return outputs, hidden, src_valid_len

    def forward(self, X, state):
        enc_outputs, hidden, src_valid_len = state
        embs = self.embedding(X)                          # (batch, steps, embed)
        outputs, weights = [], []
        for t in range(X.shape[1]):
            query = hidden[-1].unsqueeze(1)               # (batch, 1, h)
            context = self.attention(query, enc_outputs, enc_outputs,
                                     src_valid_len)       # (batch, 1, h)
            x = torch.cat([context, embs[:, t: t + 1]], dim=-1)
            out, hidden = self.rnn(x, hidden)
            outputs.append(out)
            weights.append(self.attention.attention_weights)
        self.attention_weights = torch.cat(weights, dim=1)  # (batch, steps, T)
        return self.dense(torch.cat(outputs, dim=1)), (enc_outputs, hidden,
                                                       src_valid_len)


# %%
# A toy batch checks the shapes and the mask: four sources of 7 tokens, of which
# the second has only 3 real ones, and 5 decoder steps. The attention weights of
# every step sum to one over the real source tokens and are exactly zero on the
# padding.

handson.seed(0)
vocab_size, embed_size, num_hiddens, num_layers = 10, 8, 16, 2
encoder = handson.seq2seq.Seq2SeqEncoder(vocab_size, embed_size, num_hiddens,
                                         num_layers)
decoder = AttentionDecoder(vocab_size, embed_size, num_hiddens, num_layers)
src = torch.randint(0, vocab_size, (4, 7))
src_valid_len = torch.tensor([7, 3, 5, 6])
dec_in = torch.randint(0, vocab_size, (4, 5))
state = decoder.init_state(encoder(src, src_valid_len), src_valid_len)
logits, _ = decoder(dec_in, state)
weights = decoder.attention_weights
print(f"logits {tuple(logits.shape)}, attention weights {tuple(weights.shape)}")
print(f"weights of sentence 2 (3 real tokens), step 1: "
      f"{[round(w, 3) for w in weights[1, 0].tolist()]}")
assert logits.shape == (4, 5, vocab_size) and weights.shape == (4, 5, 7)
torch.testing.assert_close(weights.sum(-1), torch.ones(4, 5))
for i, n in enumerate(src_valid_len.tolist()):
    assert (weights[i, :, n:] == 0).all()

# %%
# ``handson.attention.Seq2SeqAttentionDecoder`` keeps this decoder. With the same
# weights (its parameters have the same names, so ``load_state_dict`` copies
# them) it computes the same logits and weights. And decoding one token at a time,
# as translation does, gives exactly the logits of the teacher-forced pass, since
# each step's query depends only on the steps before it.

kept = handson.attention.Seq2SeqAttentionDecoder(vocab_size, embed_size,
                                                  num_hiddens, num_layers)
kept.load_state_dict(decoder.state_dict())
kept_logits, _ = kept(dec_in, kept.init_state(encoder(src, src_valid_len),
                                              src_valid_len))
torch.testing.assert_close(kept_logits, logits)
torch.testing.assert_close(kept.attention_weights, weights)

state = decoder.init_state(encoder(src, src_valid_len), src_valid_len)
steps = []
for t in range(dec_in.shape[1]):
    step_logits, state = decoder(dec_in[:, t: t + 1], state)
    steps.append(step_logits)
torch.testing.assert_close(torch.cat(steps, dim=1), logits)
print("hand-written == handson's decoder; one step at a time == teacher forcing")

# %%
# Training both models on the same budget
# ---------------------------------------
#
# The comparison must hold everything but the attention fixed. Both models use
# chapter 12's setting: a one-layer GRU encoder, 128 embedding dimensions and
# 128 hidden units, Adam with learning rate 0.005, minibatches of 128, gradients
# clipped at norm 1. Both start from the *same* encoder weights (copied) and see
# the same batches in the same order. D2L trains two layers of 256 units with
# dropout for 30 epochs on its first 512 pairs; to fit two models into this page's
# budget of a minute on two CPU cores, each trains for **one epoch** over our
# training pairs (fewer pairs in quick mode). The attention decoder has more
# parameters (the attention's three projections); the table prints both counts.


def make_net(decoder_class):
    encoder = handson.seq2seq.Seq2SeqEncoder(len(data.src_vocab), 128, 128)
    decoder = decoder_class(len(data.tgt_vocab), 128, 128)
    return handson.seq2seq.EncoderDecoder(encoder, decoder).to(device)


handson.seed(1)
nets = {"no attention": make_net(handson.seq2seq.Seq2SeqDecoder),
        "Bahdanau": make_net(handson.attention.Seq2SeqAttentionDecoder)}
nets["Bahdanau"].encoder.load_state_dict(nets["no attention"].encoder.state_dict())
num_epochs = handson.epochs(1)
histories = {}
for name, net in nets.items():
    generator = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
    optimizer = torch.optim.Adam(net.parameters(), lr=0.005)
    histories[name] = handson.seq2seq.train_seq2seq(
        net, data, optimizer, num_epochs, batch_size=128, generator=generator)

print(f"{'model':14} {'parameters':>10} {'train s':>8} {'held-out loss':>14}")
for name, net in nets.items():
    h = histories[name]
    print(f"{name:14} {sum(p.numel() for p in net.parameters()):10,} "
          f"{sum(h.epoch_time):8.1f} {h.valid_loss[-1]:14.3f}")
loss_ratio = (histories["Bahdanau"].valid_loss[-1]
              / histories["no attention"].valid_loss[-1])
handson.check("held-out loss per token, Bahdanau / no attention", loss_ratio,
              "<", 0.97)

# %%
# The held-out loss is the masked cross-entropy per real target token with
# teacher forcing, on English sentences never seen in training. The attention
# model does more work per epoch: its decoder cannot run the GRU over all steps
# in one call, since each step's input depends on the previous state, and it
# scores every source position at every step. The ``train s`` column shows what
# that cost in this run (wall-clock times, noisy on a shared machine).
#
# Held-out BLEU
# -------------
#
# Both models translate every held-out English sentence greedily; BLEU
# (:math:`k = 2`) is averaged over the held-out pairs, as in chapter 12. The two
# models translate the same sentences, so the fair measure of their difference is
# paired: the BLEU difference of each English sentence (its pairs averaged
# first, since they share one output), and its standard error over sentences.

sources = [english for english, _ in data.valid_pairs]
valid_src, valid_refs = tokenize_pairs(data.valid_pairs)
scores = {}
for name, net in nets.items():
    preds = handson.seq2seq.greedy_translate(net, data, sources)
    scores[name] = torch.tensor([bleu(p, r) for p, r in zip(preds, valid_refs)],
                                dtype=torch.float64)
    print(f"{name:14} held-out mean BLEU {scores[name].mean():.3f}")

sentence_of = {s: i for i, s in enumerate(dict.fromkeys(sources))}
rows = torch.tensor([sentence_of[s] for s in sources])
counts = torch.bincount(rows).double()
diff = scores["Bahdanau"] - scores["no attention"]
per_sentence = torch.zeros(len(counts), dtype=torch.float64).index_add_(
    0, rows, diff) / counts
gain = float(per_sentence.mean())
se = float(per_sentence.std() / math.sqrt(len(counts)))
print(f"BLEU gain of attention: {gain:+.3f} (standard error {se:.3f}, over "
      f"{len(counts):,} English sentences)")
handson.check("held-out BLEU gain of attention / its standard error", gain / se,
              ">", 3)

# %%
# Where attention helps
# ---------------------
#
# If the fixed context is a bottleneck, the model without attention should lose
# most on long sentences. The plot splits the held-out pairs by the length of
# the English sentence (``<eos>`` not counted) and prints the mean BLEU of each
# model per length.

lengths = torch.tensor([len(s) for s in valid_src])
fig, ax = plt.subplots(figsize=(5.5, 3.2))
values = sorted(set(lengths.tolist()))
for j, (name, s) in enumerate(scores.items()):
    means = [float(s[lengths == n].mean()) for n in values]
    ax.bar([n + (j - 0.5) * 0.4 for n in values], means, 0.4, label=name)
    print(f"{name:14}",
          "  ".join(f"{n} words: {m:.3f}" for n, m in zip(values, means)))
print("pairs per length:", "  ".join(f"{n}: {int((lengths == n).sum())}"
                                     for n in values))
ax.set_xlabel("English tokens (held-out sentence)")
ax.set_ylabel("mean BLEU (k = 2)")
ax.legend(fontsize="small")
plt.show()

# %%
# Our held-out sentences are short (the counts per length are printed above), so
# this experiment cannot show the collapse on long sentences that motivated
# attention, and the lengths that hold few pairs give noisy bars. The printed
# means let you read at which lengths the gain is largest here.
#
# Reading the alignment
# ---------------------
#
# For one translation, the weights form a matrix: one row per French token
# written (the query), one column per source token (the key). We translate one
# of the longest held-out sentences and D2L's last example greedily, one token
# at a time, keep each step's weights, and draw them. Columns end at ``<eos>``:
# the padding has weight zero by construction.


def translate_with_weights(net, sentence):
    net.eval()
    src, src_valid_len = (t.to(device) for t in data.encode(sentence))
    bos, eos = data.tgt_vocab["<bos>"], data.tgt_vocab["<eos>"]
    tokens, rows = [], []
    with torch.no_grad():
        state = net.decoder.init_state(net.encoder(src, src_valid_len), src_valid_len)
        X = torch.tensor([[bos]], device=device)
        for _ in range(data.num_steps):
            logits, state = net.decoder(X, state)
            rows.append(net.decoder.attention_weights[0, -1])
            token = int(logits[0, -1].argmax())
            tokens.append(data.tgt_vocab.to_tokens(token))
            if token == eos:
                break
            X = torch.tensor([[token]], device=device)
    n = int(src_valid_len[0])
    return tokens, torch.stack(rows)[:, :n].cpu()


longest = max(dict.fromkeys(sources), key=lambda s: (len(s.split()), s))
examples = [longest, "i'm home ."]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
for ax, sentence in zip(axes, examples):
    tokens, weights = translate_with_weights(nets["Bahdanau"], sentence)
    source = handson.translation.preprocess(sentence).split()[: data.num_steps - 1]
    assert tokens[:-1] == handson.seq2seq.greedy_translate(
        nets["Bahdanau"], data, sentence)[: len(tokens) - 1]
    ax.imshow(weights, cmap="Reds", vmin=0, vmax=1)
    ax.set_xticks(range(weights.shape[1]), [*source, "<eos>"][: weights.shape[1]],
                  rotation=60)
    ax.set_yticks(range(len(tokens)), tokens)
    ax.set_xlabel("English (keys)")
    print(f"{sentence!r} -> {' '.join(tokens)!r}; largest weight per French token: "
          f"{[source[i] if i < len(source) else '<eos>' for i in weights.argmax(1)]}")
axes[0].set_ylabel("French written (queries)")
fig.tight_layout()
plt.show()

# %%
# Each row is a distribution over the source tokens. If the model has learned an
# alignment, a French word that translates one English word puts its largest
# weight on or next to that word; the printed arg max of each row lets you check
# how far this holds for the two sentences above. Nothing forces the weights to
# be sharp or to align at all: the model learns whatever weighting lowers the
# loss, and after a single epoch the alignment is rough.
# ``handson.attention.show_heatmaps`` draws grids of such matrices
# (:doc:`01_attention_pooling`).
#
# D2L's four sentences
# --------------------
#
# As in chapter 12, each sentence is looked up in the pairs for its references
# (the best BLEU over them is shown); ``"he's calm ."`` is not among our pairs,
# so it is scored against D2L's reference.

d2l_refs = {"go .": "va !", "i lost .": "j'ai perdu .",
            "he's calm .": "il est calme .", "i'm home .": "je suis chez moi ."}
seen = {handson.translation.preprocess(e) for e, _ in data.train_pairs}
all_pairs = data.train_pairs + data.valid_pairs
for english, d2l_ref in d2l_refs.items():
    refs = [handson.translation.preprocess(f) for e, f in all_pairs
            if handson.translation.preprocess(e) == english] or [d2l_ref]
    where = "in training" if english in seen else "not in training"
    for name, net in nets.items():
        tokens = handson.seq2seq.greedy_translate(net, data, english)
        score = max(bleu(tokens, r.split()) for r in refs)
        print(f"{english!r:14} {name:13} => {' '.join(tokens)!r:26} BLEU "
              f"{score:.3f} ({where})")

# %%
# Four sentences, some of them seen in training, are anecdotes; the held-out mean
# and its standard error above are the measurement.
#
# Summary
# -------
#
# * A fixed context vector makes the decoder depend on one summary of the
#   source. Bahdanau attention computes a context for every decoding step: the
#   previous decoder state queries the encoder's hidden states with additive
#   attention, and the padding is masked out.
# * The decoder must then run step by step even in training; decoding one token
#   at a time gives exactly the teacher-forced logits (checked).
# * With the same data, initial encoder, batches and one-epoch budget, attention
#   lowers the held-out loss and raises held-out BLEU by many standard errors
#   (both checked), at the price of more parameters and more work per step
#   (the table prints the parameters and the training time).
# * The attention weights are a soft alignment learned without any alignment
#   labels; ``handson.attention.Seq2SeqAttentionDecoder`` keeps the decoder.
#
# Exercises
# ---------
#
# 1. The query of step :math:`t'` is :math:`\mathbf{s}_{t'-1}`, the state before
#    the step. Why not the state :math:`\mathbf{s}_{t'}` after it?
#
#    .. dropdown:: Answer
#
#       :math:`\mathbf{s}_{t'}` is computed *from* the context
#       :math:`\mathbf{c}_{t'}`, so it cannot also be its query. Luong et al. (2015)
#       use the new state as the query and feed the resulting context to the
#       output layer instead of the GRU input, a different wiring with the same
#       idea.
#
# 2. The additive attention recomputes :math:`\mathbf{W}_k \mathbf{h}_t` for every
#    source position at every decoding step, although the keys never change
#    during a sentence. How much of the work could be saved, and where would you
#    compute it?
#
#    .. dropdown:: Hint
#
#       Compute ``W_k(enc_outputs)`` once in ``init_state`` and keep it in the
#       state; each step then needs only ``W_q`` of one query, a broadcast add,
#       ``tanh`` and ``w_v``. With :math:`T` source positions and :math:`T'`
#       steps, the key projections drop from :math:`T T'` to :math:`T` per
#       sentence. ``handson.attention.Seq2SeqAttentionDecoder``, which this page
#       trains, does exactly that (through the ``projected_keys`` argument of
#       ``AdditiveAttention``); time one epoch with the page's ``AttentionDecoder``
#       and with it to see what the saving is worth.
#
# 3. Replace additive attention by scaled dot-product attention
#    (``handson.attention.DotProductAttention``). The query and the keys both have
#    128 features here, so no projection is needed. What changes in parameters and
#    time per epoch? (D2L's second exercise.)
#
#    .. dropdown:: Hint
#
#       The attention's parameters disappear (:math:`\mathbf{W}_q`,
#       :math:`\mathbf{W}_k` and :math:`\mathbf{w}_v`: :math:`2 \times 128
#       \times 128 + 128` weights). Compare the held-out BLEU
#       of both at the same budget and seed, with its standard error, before
#       preferring either.
#
# 4. **Programming task.** Train both models for a second epoch (same settings,
#    same batches) and print the held-out BLEU of each and the gain with its
#    standard error. Does the gain of attention shrink or grow with training?
#
#    .. dropdown:: Hint
#
#       Call ``handson.seq2seq.train_seq2seq`` again on each trained model with
#       the same kind of generator; it continues from the current weights. Keep
#       the paired, per-sentence standard error: two epochs on a page of its own
#       take about twice this page's training time.
