"""
Sequence to sequence learning: an RNN encoder-decoder
=====================================================

To translate, a model reads a whole sentence in one language and then writes a
sentence in another, of a length it decides itself. The *encoder-decoder*
architecture splits that into two networks: an *encoder* RNN reads the source
sentence into a state, and a *decoder* RNN, a language model conditioned on that
state, writes the translation token by token. This page builds D2L's GRU
encoder-decoder, trains it with *teacher forcing* and a loss that ignores padding,
translates by greedy decoding, and scores translations with BLEU, written from
scratch. The model is measured on held-out English sentences against two trivial
baselines, and on D2L's four example sentences.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the encoder-decoder interface that the attention models of chapter 13
        will reuse: ``encoder``, ``decoder.init_state``, ``decoder(X, state)``
      * D2L's GRU encoder and decoder: the context vector, concatenated to every
        decoder input
      * teacher forcing, and a cross-entropy masked to the real tokens, checked
        against a computation without padding
      * greedy translation, stopped at ``<eos>``
      * BLEU from scratch, and what a small model achieves on held-out sentences

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * the data, vocabularies, padding and valid lengths:
        :doc:`04_machine_translation_data`
      * ``nn.GRU``: :doc:`02_gru`; stacked layers:
        :doc:`03_deep_and_bidirectional`
      * gradient clipping and greedy generation from a language model:
        :doc:`../11_recurrent_networks/04_rnn_from_scratch`
      * data: the course's English-French pairs (Tatoeba), 1,000 English
        sentences held out
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The encoder-decoder architecture
# --------------------------------
#
# The source sentence :math:`x_1, \dots, x_T` and the target :math:`y_1, \dots,
# y_{T'}` have different lengths and their words are not aligned, so one RNN
# reading both in lockstep will not do. Following D2L (sections "The
# Encoder-Decoder Architecture" and "Sequence-to-Sequence Learning for Machine
# Translation"), the *encoder* is an RNN over the source,
#
# .. math::
#
#    \mathbf{h}_t = f(\mathbf{x}_t, \mathbf{h}_{t-1}), \qquad
#    \mathbf{c} = \mathbf{h}_T,
#
# where :math:`\mathbf{x}_t` is the embedding of token :math:`x_t` and the
# *context variable* :math:`\mathbf{c}` is the final hidden state (in general any
# function :math:`q(\mathbf{h}_1, \dots, \mathbf{h}_T)`). The *decoder* is a second
# RNN that models :math:`P(y_{t'} \mid y_1, \dots, y_{t'-1}, \mathbf{c})`: its
# state starts from the encoder's final state, and at every step it reads the
# previous target token together with :math:`\mathbf{c}`,
#
# .. math::
#
#    \mathbf{s}_{t'} = g(y_{t'-1}, \mathbf{c}, \mathbf{s}_{t'-1}), \qquad
#    P(y_{t'} \mid y_{<t'}, \mathbf{c}) = \operatorname{softmax}(
#    \mathbf{W}_q \mathbf{s}_{t'} + \mathbf{b}_q),
#
# with :math:`y_0 = \texttt{<bos>}`. Feeding :math:`\mathbf{c}` at every step is
# the design of Cho et al. (2014) that D2L follows; Sutskever et al. (2014) only
# initialise the decoder state with it, as D2L notes.
#
# In code, the architecture is an interface. The decoder's ``init_state`` turns the
# encoder's output into the decoder's first state; it also receives the source's
# valid lengths, which this model ignores but the attention decoders of chapter 13
# will need. The decoder maps input tokens and a state to logits and a new state,
# so the same decoder can read a whole teacher-forced target in one call (training)
# or one token at a time (translation).

import collections
import dataclasses
import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.nn import functional as F

import handson
import handson.seq2seq
import handson.translation
from handson.language_models import clip_gradients
from handson.translation import tokenize_pairs

handson.seed(0)
device = handson.device()


class EncoderDecoder(nn.Module):
    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    def forward(self, src, dec_in, src_valid_len=None):
        enc_outputs = self.encoder(src, src_valid_len)
        state = self.decoder.init_state(enc_outputs, src_valid_len)
        return self.decoder(dec_in, state)[0]


# %%
# The encoder
# -----------
#
# An embedding layer turns each token index into a vector of ``embed_size``
# numbers (row :math:`i` of a learnt matrix for token :math:`i`), and a GRU
# (:doc:`02_gru`) reads the vectors. With ``batch_first=True`` the GRU's outputs,
# the top layer's state at every step, have shape ``(batch, num_steps,
# num_hiddens)``, and its final state, one per layer, ``(num_layers, batch,
# num_hiddens)``. D2L initialises the weights with Xavier's uniform rule.


def init_seq2seq(module):
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)
    if isinstance(module, nn.GRU):
        for name, param in module.named_parameters():
            if "weight" in name:
                nn.init.xavier_uniform_(param)


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers=1,
                 dropout=0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, batch_first=True,
                          dropout=dropout)
        self.apply(init_seq2seq)

    def forward(self, src, src_valid_len=None):
        return self.rnn(self.embedding(src))          # (outputs, state)


vocab_size, embed_size, num_hiddens, num_layers = 10, 8, 16, 2
batch_size, num_steps = 4, 9
encoder = Seq2SeqEncoder(vocab_size, embed_size, num_hiddens, num_layers)
X = torch.randint(0, vocab_size, (batch_size, num_steps))
enc_outputs, enc_state = encoder(X)
print("outputs", tuple(enc_outputs.shape), " final state", tuple(enc_state.shape))
assert enc_outputs.shape == (batch_size, num_steps, num_hiddens)
assert enc_state.shape == (num_layers, batch_size, num_hiddens)

# %%
# The decoder
# -----------
#
# The decoder's state is the pair ``(context, hidden)``. The context
# :math:`\mathbf{c}`, the top layer's final encoder state, stays fixed; it is
# concatenated to the embedding of every input token, so the GRU's input has
# ``embed_size + num_hiddens`` features. The hidden state starts at the encoder's
# final state (so both must have the same number of layers and hidden units) and
# is updated. A linear layer maps the top layer's states to logits over the
# target vocabulary.


class Seq2SeqDecoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers=1,
                 dropout=0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers,
                          batch_first=True, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)
        self.apply(init_seq2seq)

    def init_state(self, enc_outputs, src_valid_len=None):
        _, enc_state = enc_outputs
        return enc_state[-1], enc_state                # (context, hidden)

    def forward(self, X, state):
        context, hidden = state
        embs = self.embedding(X)                       # (batch, steps, embed_size)
        context = context.unsqueeze(1).expand(-1, X.shape[1], -1)
        outputs, hidden = self.rnn(torch.cat([embs, context], dim=-1), hidden)
        return self.dense(outputs), (state[0], hidden)


decoder = Seq2SeqDecoder(vocab_size, embed_size, num_hiddens, num_layers)
state = decoder.init_state((enc_outputs, enc_state))
logits, state = decoder(X, state)
print("logits", tuple(logits.shape), " hidden", tuple(state[1].shape))
assert logits.shape == (batch_size, num_steps, vocab_size)

# %%
# Reading a target in one call must give the same logits as reading it one token
# at a time and carrying the state: the decoder is a left-to-right RNN, so the
# logits at step :math:`t'` depend on the inputs up to :math:`t'` only. This is
# what lets us train on whole sequences and translate step by step.

state = decoder.init_state((enc_outputs, enc_state))
whole, _ = decoder(X, state)
steps = []
for t in range(num_steps):
    step_logits, state = decoder(X[:, t: t + 1], state)
    steps.append(step_logits)
torch.testing.assert_close(torch.cat(steps, dim=1), whole, atol=1e-5, rtol=1e-5)

# %%
# ``handson.seq2seq`` keeps these classes with the same parameter names; with the
# weights copied over they compute the same logits.

net = EncoderDecoder(encoder, decoder)
kept = handson.seq2seq.EncoderDecoder(
    handson.seq2seq.Seq2SeqEncoder(vocab_size, embed_size, num_hiddens, num_layers),
    handson.seq2seq.Seq2SeqDecoder(vocab_size, embed_size, num_hiddens, num_layers))
kept.load_state_dict(net.state_dict())
dec_in = torch.randint(0, vocab_size, (batch_size, 5))
torch.testing.assert_close(kept(X, dec_in), net(X, dec_in), atol=1e-6, rtol=1e-6)

# %%
# Teacher forcing and the masked loss
# -----------------------------------
#
# In training, the decoder reads the *true* previous tokens, not its own
# predictions: this is *teacher forcing*. The input is ``<bos>`` followed by the
# target shifted right by one, exactly the ``dec_in`` rows built on
# :doc:`04_machine_translation_data`, and the labels are the target with
# ``<eos>``: ``<bos> ils regardent .`` :math:`\rightarrow` ``ils regardent .
# <eos>``. The whole target is then one call of the decoder, like a language model
# on its own input shifted by one.
#
# The rows are padded to ``num_steps``, and predicting ``<pad>`` is not part of
# the task. With :math:`n_i` the valid length of row :math:`i` and
# :math:`\ell_{it'}` the cross-entropy at step :math:`t'`, the loss averages over
# the real tokens only,
#
# .. math::
#
#    L = \frac{\sum_i \sum_{t'=1}^{n_i} \ell_{it'}}{\sum_i n_i},
#
# computed with a mask :math:`m_{it'} = [t' \le n_i]`, 1 on real tokens, 0 on
# padding (D2L builds the mask from ``Y != <pad>``, which is the same here).


def masked_cross_entropy(logits, Y, valid_len):
    steps = torch.arange(Y.shape[1], device=Y.device)
    mask = (steps[None, :] < valid_len[:, None]).float()
    loss = F.cross_entropy(logits.transpose(1, 2), Y, reduction="none")
    return (loss * mask).sum() / mask.sum()


# %%
# Now the real data, with the pipeline of :doc:`04_machine_translation_data`
# (``num_steps = 9`` as in D2L), and a first check of the mask. Because the decoder
# reads left to right, the logits of a sentence's real tokens do not depend on the
# padding after them. So the masked loss of a padded minibatch must equal the loss
# computed sentence by sentence, each decoder input *cut to its valid length*,
# summed over all real tokens and divided by their number.

data = handson.translation.translation_data(num_steps=9)
print(f"{len(data.train_pairs):,} training pairs, {len(data.valid_pairs):,} held "
      f"out; vocabularies: {len(data.src_vocab):,} English, "
      f"{len(data.tgt_vocab):,} French tokens")

handson.seed(0)
probe = EncoderDecoder(Seq2SeqEncoder(len(data.src_vocab), 32, 32),
                       Seq2SeqDecoder(len(data.tgt_vocab), 32, 32))
b = handson.translation.Seq2SeqTensors(*(t[:16] for t in data.train))
with torch.no_grad():
    masked = masked_cross_entropy(probe(b.src, b.dec_in, b.src_valid_len), b.tgt,
                                  b.tgt_valid_len)
    total, count = 0.0, 0
    for i in range(16):
        n = int(b.tgt_valid_len[i])
        logits_i = probe(b.src[i: i + 1], b.dec_in[i: i + 1, :n])
        total += F.cross_entropy(logits_i[0], b.tgt[i, :n], reduction="sum")
        count += n
    unpadded = total / count
    unmasked = F.cross_entropy(probe(b.src, b.dec_in).transpose(1, 2), b.tgt)
print(f"masked {float(masked):.6f}, sentence by sentence without padding "
      f"{float(unpadded):.6f}, unmasked (padding scored) {float(unmasked):.6f}")
torch.testing.assert_close(masked, unpadded, atol=1e-6, rtol=1e-6)
torch.testing.assert_close(
    handson.seq2seq.masked_cross_entropy(probe(b.src, b.dec_in), b.tgt,
                                         b.tgt_valid_len), masked)

# %%
# The unmasked loss differs: it also scores the model on predicting ``<pad>``
# after ``<eos>``. Once learnt, that trivial task lowers the reported loss without
# any better translation, and since a large share of the target positions are
# padding (measured on :doc:`04_machine_translation_data`) it also claims a share
# of the gradient.
#
# Training
# --------
#
# One epoch visits the training pairs in a random order; each minibatch is one
# teacher-forced forward pass, the masked loss, backpropagation, gradient clipping
# at norm 1 (:doc:`../11_recurrent_networks/04_rnn_from_scratch`) and an Adam step.


def train_epoch(net, train, optimizer, batch_size, generator=None):
    net.train()
    order = torch.randperm(len(train.src), generator=generator)
    total, count = 0.0, 0
    for i in range(0, len(order), batch_size):
        idx = order[i: i + batch_size]
        src, dec_in, Y, src_valid_len, tgt_valid_len = (
            t[idx].to(device) for t in train)
        loss = masked_cross_entropy(net(src, dec_in, src_valid_len), Y,
                                    tgt_valid_len)
        optimizer.zero_grad()
        loss.backward()
        clip_gradients(net, 1.0)
        optimizer.step()
        total += float(loss.detach()) * int(tgt_valid_len.sum())
        count += int(tgt_valid_len.sum())
    return total / count


# %%
# ``handson.seq2seq.train_seq2seq(net, data, optimizer, num_epochs, batch_size,
# clip=1.0, generator=None)`` keeps this loop and also records the held-out loss
# after every epoch. From the same initial weights and the same batch order, one
# epoch of each on the first 512 pairs must end with the same weights.


def make_net(embed_size=128, num_hiddens=128):
    return handson.seq2seq.EncoderDecoder(
        handson.seq2seq.Seq2SeqEncoder(len(data.src_vocab), embed_size, num_hiddens),
        handson.seq2seq.Seq2SeqDecoder(len(data.tgt_vocab), embed_size, num_hiddens)
    ).to(device)


small = handson.translation.Seq2SeqTensors(*(t[:512] for t in data.train))
net_a = make_net(32, 32)
net_b = make_net(32, 32)
net_b.load_state_dict(net_a.state_dict())
train_epoch(net_a, small, torch.optim.Adam(net_a.parameters(), lr=0.005), 64,
            torch.Generator().manual_seed(1))
handson.seq2seq.train_seq2seq(
    net_b, dataclasses.replace(data, train=small),
    torch.optim.Adam(net_b.parameters(), lr=0.005), 1, 64,
    generator=torch.Generator().manual_seed(1))
for p, q in zip(net_a.parameters(), net_b.parameters()):
    torch.testing.assert_close(p, q, atol=1e-5, rtol=1e-5)

# %%
# Now the real run. D2L trains a two-layer GRU with 256 embedding dimensions and
# 256 hidden units, dropout 0.2, for 30 epochs on its first 512 pairs. We have
# many more training pairs (the ratio is printed below) and a budget of under a
# minute on two CPU cores, so the model is smaller (one layer, 128 and 128, no
# dropout) and trains for 2 epochs only (on fewer pairs in quick mode); Adam with
# D2L's learning rate 0.005, minibatches of 128. The held-out loss is still
# falling at the last epoch (checked below), so training longer is the first knob
# to turn when you have the time.

print(f"training pairs: {len(data.train_pairs):,}, "
      f"{len(data.train_pairs) / 512:.0f} times D2L's 512")
handson.seed(1)
net = make_net(embed_size=128, num_hiddens=128)
optimizer = torch.optim.Adam(net.parameters(), lr=0.005)
generator = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
num_epochs = handson.epochs(2)
history = handson.seq2seq.train_seq2seq(net, data, optimizer, num_epochs,
                                        batch_size=128, generator=generator)
for epoch, (tr, va) in enumerate(zip(history.train_loss, history.valid_loss), 1):
    print(f"epoch {epoch}: loss per token, train {tr:.3f}, held out {va:.3f}")
print(f"{sum(history.epoch_time):.1f} s for {num_epochs} epochs on {device}")
uniform = math.log(len(data.tgt_vocab))
handson.check("held-out loss, last epoch minus first",
              history.valid_loss[-1] - history.valid_loss[0], "<", 0, quick=True)
handson.check("held-out loss after training / log(vocabulary size)",
              history.valid_loss[-1] / uniform, "<", 0.7, quick=True)

# %%
# The loss is per real token, in nats; the check compares it with the loss of a
# model that spreads its probability evenly over the vocabulary,
# :math:`\log |\mathcal{V}|`.
#
# Greedy translation
# ------------------
#
# At test time there is no target to feed. The decoder starts from ``<bos>``, and
# at each step its most likely token (the arg max of the logits) becomes the next
# input, until it emits ``<eos>`` or has written ``num_steps`` tokens. The state
# carries everything read so far, so each step feeds only the newest token. This is
# *greedy* search; :doc:`06_beam_search` keeps several candidates instead.


def greedy(net, data, sentence, num_steps):
    net.eval()
    src, src_valid_len = (t.to(device) for t in data.encode(sentence))
    bos, eos = data.tgt_vocab["<bos>"], data.tgt_vocab["<eos>"]
    out = []
    with torch.no_grad():
        state = net.decoder.init_state(net.encoder(src, src_valid_len),
                                       src_valid_len)
        X = torch.tensor([[bos]], device=device)
        for _ in range(num_steps):
            logits, state = net.decoder(X, state)
            token = int(logits[0, -1].argmax())
            if token == eos:
                break
            out.append(data.tgt_vocab.to_tokens(token))
            X = torch.tensor([[token]], device=device)
    return out


sources = [english for english, _ in data.valid_pairs]
ours = [greedy(net, data, s, data.num_steps) for s in sources[:50]]
assert ours == handson.seq2seq.greedy_translate(net, data, sources[:50])
for (english, french), tokens in list(zip(data.valid_pairs, ours))[:5]:
    reference = handson.translation.preprocess(french)
    print(f"{english!r:22} -> {' '.join(tokens)!r:28} reference {reference!r}")

# %%
# ``handson.seq2seq.greedy_translate(net, data, sentences)`` keeps this loop; it
# translates a list of sentences as one batch (each row stops at its own
# ``<eos>``), and the check above asks for the same tokens as one sentence at a
# time.
#
# BLEU
# ----
#
# How good is a translation? BLEU (Papineni et al., 2002) compares the n-grams of
# the prediction with those of a reference. Let :math:`p_n` be the *n-gram
# precision*: the number of the prediction's n-grams that also occur in the label
# (each label n-gram matched at most once), divided by the number of n-grams in
# the prediction. D2L's version, with n-grams up to :math:`k`, is
#
# .. math::
#
#    \textrm{BLEU} = \exp\left(\min\left(0, 1 -
#    \frac{\textrm{len}_\textrm{label}}{\textrm{len}_\textrm{pred}}\right)\right)
#    \prod_{n=1}^{k} p_n^{1/2^n}.
#
# The first factor, the *brevity penalty*, punishes predictions shorter than the
# label, which would otherwise earn high precision by saying little. For a fixed
# :math:`p_n < 1`, the factor :math:`p_n^{1/2^n}` grows towards 1 as :math:`n`
# grows (D2L notes that the original paper uses :math:`p_n^{1/n}`). A prediction
# equal to its label scores 1. We work on token lists (D2L splits strings at
# spaces) and return 0 for an empty prediction, where the brevity penalty would
# divide by zero.


def bleu(pred_tokens, label_tokens, k=2):
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    if len_pred == 0:
        return 0.0
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, min(k, len_pred) + 1):
        label_ngrams = {}
        for i in range(len_label - n + 1):
            ngram = tuple(label_tokens[i: i + n])
            label_ngrams[ngram] = label_ngrams.get(ngram, 0) + 1
        num_matches = 0
        for i in range(len_pred - n + 1):
            ngram = tuple(pred_tokens[i: i + n])
            if label_ngrams.get(ngram, 0) > 0:
                num_matches += 1
                label_ngrams[ngram] -= 1
        score *= (num_matches / (len_pred - n + 1)) ** (0.5 ** n)
    return score


# %%
# D2L's examples: against the label ``A B C D E F``, the prediction ``A B B C D``
# has :math:`p_1 = 4/5`, :math:`p_2 = 3/4`, :math:`p_3 = 1/3`, :math:`p_4 = 0`;
# the prediction ``A B`` has :math:`p_1 = p_2 = 1` but the penalty
# :math:`\exp(1 - 6/2) \approx 0.14`.

label = list("ABCDEF")
examples = {"A B C D E F": label, "A B B C D": list("ABBCD"), "A B": list("AB"),
            "(empty)": []}
for name, pred in examples.items():
    print(f"{name:12} BLEU k=2: {bleu(pred, label):.4f}   k=4: "
          f"{bleu(pred, label, k=4):.4f}")
assert bleu(label, label) == 1.0 and bleu([], label) == 0.0
assert math.isclose(bleu(list("AB"), label), math.exp(1 - 6 / 2))
assert math.isclose(bleu(list("ABBCD"), label),
                    math.exp(1 - 6 / 5) * (4 / 5) ** (1 / 2) * (3 / 4) ** (1 / 4))
assert bleu(list("ABBCD"), label, k=4) == 0.0      # p_4 = 0

# %%
# ``handson.seq2seq.bleu`` keeps this function (and refuses a string, which would
# silently be scored character by character). Both agree on the translations
# above.

valid_src, valid_refs = tokenize_pairs(data.valid_pairs)
for pred, ref in zip(ours, valid_refs):
    assert bleu(pred, ref) == handson.seq2seq.bleu(pred, ref)

# %%
# BLEU on held-out sentences
# --------------------------
#
# We translate every held-out English sentence (never seen in training) and
# average the sentence BLEU (:math:`k = 2`) against its reference; an English
# sentence with several translations is scored once per pair. Two trivial
# baselines set the floor: *copy*, which outputs the English sentence unchanged
# (punctuation marks and names can match), and *most frequent*, which outputs
# the most frequent French sentence of the training pairs whatever the input.

preds = handson.seq2seq.greedy_translate(net, data, sources)
model_bleu = [bleu(p, r) for p, r in zip(preds, valid_refs)]
copy_bleu = [bleu(s, r) for s, r in zip(valid_src, valid_refs)]
train_tgt = tokenize_pairs(data.train_pairs)[1]
most_frequent = list(collections.Counter(map(tuple, train_tgt)).most_common(1)[0][0])
frequent_bleu = [bleu(most_frequent, r) for r in valid_refs]
scores = {"greedy seq2seq": model_bleu, "copy the source": copy_bleu,
          f"always {' '.join(most_frequent)!r}": frequent_bleu}
for name, values in scores.items():
    print(f"{name:28} mean BLEU {sum(values) / len(values):.3f}")
mean_bleu = sum(model_bleu) / len(model_bleu)
baseline = max(sum(copy_bleu), sum(frequent_bleu)) / len(valid_refs)
handson.check("held-out mean BLEU: seq2seq minus best baseline", mean_bleu - baseline,
              ">", 0.05)
handson.check("held-out mean BLEU: seq2seq / best baseline", mean_bleu / baseline,
              ">", 3)
handson.check("held-out mean BLEU of the small seq2seq model", mean_bleu, "<", 0.5,
              quick=True)

# %%
# The plot splits the held-out pairs by the length of the English sentence.

lengths = sorted({len(s) for s in valid_src})
fig, ax = plt.subplots(figsize=(5.5, 3.2))
width = 0.8 / len(scores)
for j, (name, values) in enumerate(scores.items()):
    means = [sum(v for v, s in zip(values, valid_src) if len(s) == n)
             / sum(len(s) == n for s in valid_src) for n in lengths]
    ax.bar([n + (j - 1) * width for n in lengths], means, width, label=name)
ax.set_xlabel("English tokens (held-out sentence)")
ax.set_ylabel("mean BLEU (k = 2)")
ax.legend(fontsize="small")
plt.show()

# %%
# D2L's four sentences
# --------------------
#
# D2L ends with four translations. We look each English sentence up in the pairs
# to find its references (and whether the model trained on it); ``"he's calm ."``
# is not among our pairs, so it is scored against D2L's reference. Where there are
# several references, the best BLEU is shown.

d2l_refs = {"go .": "va !", "i lost .": "j'ai perdu .",
            "he's calm .": "il est calme .", "i'm home .": "je suis chez moi ."}
seen = {handson.translation.preprocess(e) for e, _ in data.train_pairs}
all_pairs = data.train_pairs + data.valid_pairs
for english, d2l_ref in d2l_refs.items():
    refs = [handson.translation.preprocess(f) for e, f in all_pairs
            if handson.translation.preprocess(e) == english]
    source = "in training" if english in seen else (
        "held out" if refs else "not in our pairs: D2L's reference")
    refs = refs or [d2l_ref]
    tokens = handson.seq2seq.greedy_translate(net, data, english)
    score = max(bleu(tokens, r.split()) for r in refs)
    print(f"{english!r:14} => {' '.join(tokens)!r:24} BLEU {score:.3f}  "
          f"({source}; reference {refs[0]!r})")

# %%
# A sentence the model trained on is no evidence of translation skill: the
# held-out mean above is the measurement. And BLEU against a single reference
# punishes every wording other than the reference's, correct or not.
#
# Summary
# -------
#
# * An encoder RNN reads the source into a context (its final state); a decoder
#   RNN, a language model conditioned on the context, writes the target. The
#   interface ``encoder``, ``decoder.init_state``, ``decoder(X, state)`` is kept in
#   ``handson.seq2seq`` for chapter 13.
# * Teacher forcing trains the decoder on ``<bos>`` plus the true target shifted
#   right; the loss is averaged over real tokens only, and equals a computation
#   without any padding.
# * Greedy translation feeds the most likely token back until ``<eos>``.
# * BLEU multiplies clipped n-gram precisions by a brevity penalty; a small
#   model trained for two epochs beats trivial baselines on held-out sentences
#   by a wide margin but is far from 1.
#
# Exercises
# ---------
#
# 1. Train without the mask (plain ``F.cross_entropy`` over all positions). What
#    happens to the loss values, and what do you expect for the translations?
#    (D2L's second exercise.)
#
#    .. dropdown:: Hint
#
#       After ``<eos>`` every label is ``<pad>``, and predicting ``<pad>`` after
#       ``<pad>`` is easy: the loss drops, but much of the gradient goes into a
#       task that has nothing to do with translation. Compare the held-out *masked*
#       loss and BLEU of both runs, same seed and budget.
#
# 2. The encoder reads the padding too: the context is the state after the last
#    ``<pad>``, not after ``<eos>``. How would you take the state at each
#    sentence's last real token instead?
#
#    .. dropdown:: Answer
#
#       Index the top layer's outputs at ``src_valid_len - 1``:
#       ``outputs[torch.arange(len(src)), src_valid_len - 1]``, in
#       ``init_state``, which receives the valid lengths for this kind of use;
#       or pack the sequences with ``nn.utils.rnn.pack_padded_sequence`` so the
#       GRU stops at each sentence's end (then the final state is the right one
#       for every layer).
#
# 3. If the encoder and the decoder differ in the number of layers or of hidden
#    units, how can the decoder's state be initialised? (D2L's third exercise.)
#
#    .. dropdown:: Answer
#
#       Map the encoder's final state with a learnt linear layer (and a
#       :math:`\tanh`) to the decoder's shape, or start the decoder from zeros and
#       rely on the context fed at every step; for different numbers of layers,
#       use the top layer's state for every decoder layer or project it.
#
# 4. **Programming task.** Replace the GRUs by LSTMs (D2L's fifth exercise). The
#    state of an LSTM is a pair ``(h, c)``: what must change in ``init_state`` and
#    ``forward``? Train with the same budget and compare held-out BLEU.
#
#    .. dropdown:: Hint
#
#       The encoder returns ``(outputs, (h, c))``; the context is ``h[-1]``; the
#       decoder's state becomes ``(context, (h, c))`` and ``self.rnn`` is an
#       ``nn.LSTM`` with input size ``embed_size + num_hiddens``. The
#       initialisation must also cover ``nn.LSTM``. Compare on the same held-out
#       pairs, and run two seeds before calling a difference real.
