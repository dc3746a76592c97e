r"""
Deep and bidirectional recurrent networks
=========================================

A recurrent layer is already deep in time: the first character of a sequence
passes through as many steps of the layer as the sequence is long. Two simple
changes give it more. *Stacking* layers makes it deep from input to output, as
in an MLP: each layer reads the sequence of hidden states the layer below
produced. *Bidirectional* layers run a second layer from the end of the
sequence to its start, so that every position sees its right context as well as
its left. The first change is a plain gain in capacity; the second changes what
the model is allowed to know. This page builds both by hand from single GRU
layers and checks them against ``nn.GRU(num_layers=2)`` and
``nn.GRU(bidirectional=True)``, compares one and two layers as language models
of *The Time Machine*, shows a bidirectional language model *cheating* (it reads
the very character it is asked to predict), and then puts the bidirectional
layer where it belongs: a tagging task, restoring the spaces of a text whose
spaces were removed.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the stacked-state equations of a deep RNN, a two-layer GRU written by
        stacking two single layers, checked equal to ``nn.GRU(num_layers=2)``
      * one versus two GRU layers as character language models, same data and
        same number of updates, compared by held-out perplexity
      * the bidirectional layer: a layer run on the reversed sequence, its
        states concatenated with the forward ones, checked equal to
        ``nn.GRU(bidirectional=True)``
      * why a bidirectional network cannot be a language model: its
        perplexity collapses when the future is visible and is worse than
        counting character pairs when it is not, and it cannot generate
      * where it belongs: tagging every character of a space-less text as
        "ends a word", where the right context legitimately helps

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * the GRU and ``nn.GRU``: :doc:`02_gru`; the LSTM: :doc:`01_lstm`
      * the language-model loop, perplexity, clipping and greedy generation
        (``handson.language_models``):
        :doc:`../11_recurrent_networks/04_rnn_from_scratch` and
        :doc:`../11_recurrent_networks/05_rnn_concise`
      * the course's split of *The Time Machine* and the bigram baseline:
        :doc:`../11_recurrent_networks/03_language_models`
      * precision, recall and F1 are defined on this page
      * data: *The Time Machine* by H. G. Wells, as characters (the course's
        split: the last 10 % of the book held out)
"""

# sphinx_gallery_thumbnail_number = 1

import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.nn import functional as F

import handson
import handson.language_models as lm
import handson.text

handson.seed(0)
device = handson.device()

# %%
# Deep recurrent networks
# -----------------------
#
# A deep RNN with :math:`L` layers keeps one hidden state per layer. At time step
# :math:`t` the input of layer :math:`l` is the state of the layer below at the
# same step, with :math:`\mathbf{H}_t^{(0)} = \mathbf{X}_t`; its other input is
# its own state at the previous step. For a plain RNN with activation
# :math:`\phi` (the notation of D2L, minibatch rows, :math:`n` examples and
# :math:`h` hidden units):
#
# .. math::
#
#    \mathbf{H}_t^{(l)} = \phi\left(\mathbf{H}_t^{(l-1)} \mathbf{W}_{\textrm{xh}}^{(l)}
#    + \mathbf{H}_{t-1}^{(l)} \mathbf{W}_{\textrm{hh}}^{(l)}
#    + \mathbf{b}_\textrm{h}^{(l)}\right), \qquad l = 1, \dots, L,
#
# and only the top layer feeds the output,
# :math:`\mathbf{O}_t = \mathbf{H}_t^{(L)} \mathbf{W}_{\textrm{hq}} +
# \mathbf{b}_\textrm{q}`. A deep GRU or LSTM replaces the right-hand side by the
# gated update of :doc:`02_gru` or :doc:`01_lstm`, applied to the same two
# inputs: :math:`\mathbf{H}_t^{(l)} = \operatorname{GRU}^{(l)}(\mathbf{H}_t^{(l-1)},
# \mathbf{H}_{t-1}^{(l)})`. Only the first layer's input weights have the input
# width :math:`d`; the others read :math:`h` features.
#
# Because a layer's whole output sequence is the next layer's input sequence, we
# can compute the stack one layer at a time: run layer 1 over all :math:`T`
# steps, then layer 2 over its outputs, and so on. That is all a stacked model
# is. We write it for any layers that follow the ``nn.GRU`` convention
# ``layer(X, H) -> (outputs, H)``, with batch-first ``X`` and a state of shape
# ``(1, batch, h)`` per layer; the stack's state is the layers' states stacked,
# ``(L, batch, h)``, as ``nn.GRU`` returns it.


class StackedRNN(nn.Module):
    """Layers applied one after the other, each to the whole output sequence."""

    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, X, H=None):
        states = []
        for l, layer in enumerate(self.layers):
            X, H_l = layer(X, None if H is None else H[l: l + 1])
            states.append(H_l)
        return X, torch.cat(states)  # outputs of the top layer, (L, batch, h)


# %%
# We build it from two single-layer GRUs and copy the weights of a two-layer
# ``nn.GRU`` into them: PyTorch names layer :math:`l`'s weights ``weight_ih_l{l}``,
# ``weight_hh_l{l}``, ``bias_ih_l{l}`` and ``bias_hh_l{l}``. Then the outputs, the
# final states and the gradients of every weight must agree.

vocab, train, valid = handson.text.time_machine("char")
train = train[: handson.shrink(len(train), 20_000)]
valid = valid[: handson.shrink(len(valid), 5_000)]
V, num_hiddens = len(vocab), 128
print(f"{V} tokens, {len(train):,} training and {len(valid):,} held-out characters")

PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")

gru2 = nn.GRU(V, num_hiddens, num_layers=2, batch_first=True)
stack = StackedRNN([nn.GRU(V, num_hiddens, batch_first=True),
                    nn.GRU(num_hiddens, num_hiddens, batch_first=True)])
with torch.no_grad():
    for l, layer in enumerate(stack.layers):
        for name in PARAM_NAMES:
            getattr(layer, f"{name}_l0").copy_(getattr(gru2, f"{name}_l{l}"))

X = F.one_hot(torch.randint(V, (4, 9)), V).float()  # 4 sequences of 9 steps
H0 = torch.randn(2, 4, num_hiddens)
R = torch.randn(4, 9, num_hiddens)  # a random direction to take gradients along
for H in (None, H0):
    Y_ref, H_ref = gru2(X, H)
    Y_ours, H_ours = stack(X, H)
    torch.testing.assert_close(Y_ours, Y_ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(H_ours, H_ref, atol=1e-5, rtol=1e-5)
for model in (gru2, stack):
    model.zero_grad()
    Y, H = model(X, H0)
    ((Y * R).sum() + H.sum()).backward()
for l, layer in enumerate(stack.layers):
    for name in PARAM_NAMES:
        torch.testing.assert_close(getattr(layer, f"{name}_l0").grad,
                                   getattr(gru2, f"{name}_l{l}").grad,
                                   atol=1e-5, rtol=1e-5)
print("two stacked GRU layers == nn.GRU(num_layers=2): outputs, states, gradients")
print("output shape", tuple(Y_ours.shape), "state shape", tuple(H_ours.shape))

# %%
# .. note::
#
#    ``nn.GRU`` and ``nn.LSTM`` take ``dropout=p`` with ``num_layers > 1``: dropout
#    on the outputs of every layer but the last, in training mode only. The stack
#    above has none, like ``nn.GRU``'s default ``dropout=0``.
#
# One layer or two, as language models
# ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#
# The language model here is a recurrent layer of 128 units between a one-hot
# input (no embedding, unlike :doc:`01_lstm` and :doc:`02_gru`) and a linear
# head. ``RNNLM`` below wraps any
# ``nn.GRU`` (deep or bidirectional) in that form, following the
# ``net(X, state) -> (logits, state)`` convention of ``handson.language_models``.
# We train a one-layer and a two-layer GRU with the course's setting (batch 32,
# 35 steps, Adam with learning rate 0.01, gradients clipped to norm 1, random
# partitioning) on the same batches, for one epoch each: the same data and the
# same number of updates. D2L trains a two-layer GRU of 32 units for 100 epochs
# with batches of 1,024; one epoch of 128 units is what fits this page's
# budget on two CPU cores, so both models are far from converged and the
# comparison is of what each learns from one pass over the book.


class RNNLM(nn.Module):
    """One-hot characters -> a recurrent layer -> a linear head over the vocabulary."""

    def __init__(self, rnn, vocab_size):
        super().__init__()
        self.rnn, self.vocab_size = rnn, vocab_size
        num_outputs = rnn.hidden_size * (2 if rnn.bidirectional else 1)
        self.head = nn.Linear(num_outputs, vocab_size)

    def forward(self, X, state=None):
        outputs, state = self.rnn(F.one_hot(X, self.vocab_size).float(), state)
        return self.head(outputs), state


def train_lm(rnn, corpus, num_epochs):
    """Train ``RNNLM(rnn)`` with the course's language-model setting."""
    net = RNNLM(rnn, V).to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    generator = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
    timer = handson.Timer()
    timer.start()
    lm.train_language_model(net, corpus, None, optimizer, num_epochs,
                            batch_size=32, num_steps=35, clip=1.0,
                            generator=generator)
    return net, timer.stop()


num_epochs = handson.epochs(1)
results, num_params = {}, {}
for num_layers in (1, 2):
    handson.seed(num_layers)
    net, seconds = train_lm(nn.GRU(V, num_hiddens, num_layers, batch_first=True),
                            train, num_epochs)
    results[num_layers] = net, lm.evaluate_perplexity(net, valid), seconds
    num_params[num_layers] = sum(p.numel() for p in net.parameters())
    print(f"{num_layers} layer(s): {num_params[num_layers]:,} parameters, held-out "
          f"perplexity {results[num_layers][1]:.3f}, {seconds:.1f} s of training")
gru_lm, ppl_1, _ = results[1]
ppl_2 = results[2][1]
assert num_params[2] > 2 * num_params[1]

# %%
# The baseline every language model of the course must beat is the bigram model
# of :doc:`../11_recurrent_networks/03_language_models`: count character pairs
# in the training text, smooth, and measure on the held-out text. A few lines
# recompute it on the same split.

counts = torch.zeros(V, V)
counts.index_put_((train[:-1], train[1:]), torch.ones(len(train) - 1),
                  accumulate=True)
bigram = (counts + 0.1) / (counts + 0.1).sum(1, keepdim=True)  # add-0.1 smoothing
ppl_bigram = math.exp(-bigram[valid[:-1], valid[1:]].log().mean())
print(f"bigram held-out perplexity {ppl_bigram:.3f}")
handson.check("held-out perplexity of the 1-layer GRU", ppl_1, "<",
              0.75 * ppl_bigram)
handson.check("held-out perplexity of the 2-layer GRU", ppl_2, "<",
              0.75 * ppl_bigram)
print(f"2 layers minus 1 layer: {ppl_2 - ppl_1:+.3f} perplexity")
handson.check("held-out perplexity, 2-layer / 1-layer GRU", ppl_2 / ppl_1, "<", 0.97)

# %%
# Both networks clearly beat counting, and on this budget the second layer
# helps: with the same batches and the same number of updates, the two-layer GRU
# ends with a lower held-out perplexity (the last check above). It pays for it:
# the second layer reads 128 features where the first reads one-hot characters,
# so it more than doubles the parameters and the computation per update (the
# parameter counts and training times are printed above). One epoch says
# nothing about where each model would end after many; depth in a recurrent
# network is a knob to tune, like width, not a free win: D2L notes that deep
# RNNs need care with learning rates and clipping to converge.
#
# Bidirectional recurrent networks
# --------------------------------
#
# A language model predicts :math:`x_{t+1}` from :math:`x_1, \dots, x_t`: only the
# left context. Many tasks give the whole sequence at once and ask for one label
# per position, where the right context is just as fair to use: the part of
# speech of a word, a named entity, or, on this page, whether a character ends a
# word. A *bidirectional* layer (Schuster and Paliwal, 1997, as D2L cites)
# runs two independent layers over the same input, one forwards and one
# backwards in time:
#
# .. math::
#
#    \overrightarrow{\mathbf{H}}_t = \phi\left(\mathbf{X}_t
#    \mathbf{W}_{\textrm{xh}}^{(f)} + \overrightarrow{\mathbf{H}}_{t-1}
#    \mathbf{W}_{\textrm{hh}}^{(f)} + \mathbf{b}_\textrm{h}^{(f)}\right),
#    \qquad
#    \overleftarrow{\mathbf{H}}_t = \phi\left(\mathbf{X}_t
#    \mathbf{W}_{\textrm{xh}}^{(b)} + \overleftarrow{\mathbf{H}}_{t+1}
#    \mathbf{W}_{\textrm{hh}}^{(b)} + \mathbf{b}_\textrm{h}^{(b)}\right),
#
# and concatenates their states, :math:`\mathbf{H}_t = [\overrightarrow{\mathbf{H}}_t,
# \overleftarrow{\mathbf{H}}_t] \in \mathbb{R}^{n \times 2h}`, which feeds the
# output layer (or the next layer of a deep bidirectional network). Again a GRU
# or LSTM update may replace :math:`\phi`. The forward state
# :math:`\overrightarrow{\mathbf{H}}_t` has read :math:`x_1, \dots, x_t`; the
# backward state :math:`\overleftarrow{\mathbf{H}}_t` has read
# :math:`x_T, \dots, x_t`.
#
# The backward recursion is an ordinary forward recursion on the reversed
# sequence. So the backward layer is any unidirectional layer run on
# ``X.flip(1)`` (time is dimension 1 of a batch-first tensor), with its outputs
# flipped back so that position :math:`t` of both halves refers to the same
# :math:`x_t`.


class BiRNN(nn.Module):
    """A forward and a backward layer over the same input, states concatenated."""

    def __init__(self, forward_layer, backward_layer):
        super().__init__()
        self.f, self.b = forward_layer, backward_layer

    def forward(self, X, H=None):
        H_f, H_b = (None, None) if H is None else (H[0:1], H[1:2])
        Y_f, H_f = self.f(X, H_f)
        Y_b, H_b = self.b(X.flip(1), H_b)  # read from x_T down to x_1
        return torch.cat([Y_f, Y_b.flip(1)], dim=-1), torch.cat([H_f, H_b])


# %%
# ``nn.GRU(bidirectional=True)`` keeps the backward layer's weights under the
# same names with the suffix ``_reverse``, puts the forward half first in the
# last dimension of its output, and returns the final states as
# ``(2, batch, h)``: the forward state after :math:`x_T`, then the backward state
# after :math:`x_1`. Our layer must match it exactly.

bigru = nn.GRU(V, num_hiddens, batch_first=True, bidirectional=True)
bi = BiRNN(nn.GRU(V, num_hiddens, batch_first=True),
           nn.GRU(V, num_hiddens, batch_first=True))
pairs = [(getattr(half, f"{name}_l0"), getattr(bigru, f"{name}_l0{suffix}"))
         for half, suffix in ((bi.f, ""), (bi.b, "_reverse")) for name in PARAM_NAMES]
with torch.no_grad():
    for ours, ref in pairs:
        ours.copy_(ref)

R2 = torch.randn(4, 9, 2 * num_hiddens)
for H in (None, H0):
    Y_ref, H_ref = bigru(X, H)
    Y_ours, H_ours = bi(X, H)
    torch.testing.assert_close(Y_ours, Y_ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(H_ours, H_ref, atol=1e-5, rtol=1e-5)
for model in (bigru, bi):
    model.zero_grad()
    Y, H = model(X, H0)
    ((Y * R2).sum() + H.sum()).backward()
for ours, ref in pairs:
    torch.testing.assert_close(ours.grad, ref.grad, atol=1e-5, rtol=1e-5)
print("forward layer + layer on the reversed input == nn.GRU(bidirectional=True)")
print("output shape", tuple(Y_ours.shape), "state shape", tuple(H_ours.shape))

# %%
# A bidirectional language model cheats
# -------------------------------------
#
# In a language model the target at position :math:`t` is the next input,
# :math:`y_t = x_{t+1}`. The backward state :math:`\overleftarrow{\mathbf{H}}_t`
# has read :math:`x_{t+1}`: the answer is part of the question. We can see it
# without training: change one character of the input and look at which
# positions' outputs move. For the unidirectional GRU nothing before the change
# may move, exactly; for the bidirectional one every position moves, in
# particular the position whose target is the changed character.

handson.seed(3)
probe_uni = RNNLM(nn.GRU(V, num_hiddens, batch_first=True), V).eval()
probe_bi = RNNLM(nn.GRU(V, num_hiddens, batch_first=True, bidirectional=True),
                 V).eval()
X_probe = valid[:20].reshape(1, -1).clone()
X_changed = X_probe.clone()
t = 10
X_changed[0, t + 1] = (X_probe[0, t + 1] + 1) % V  # change the target of position t
with torch.no_grad():
    for name, net in (("unidirectional", probe_uni), ("bidirectional", probe_bi)):
        moved = (net(X_changed)[0] - net(X_probe)[0]).abs().amax(-1)[0]
        print(f"{name:>15s}: change of the logits at positions 0..{t}: "
              f"largest {float(moved[: t + 1].max()):.2e}, "
              f"smallest {float(moved[: t + 1].min()):.2e}")
        if name == "unidirectional":
            assert float(moved[: t + 1].max()) == 0.0
        else:
            assert float(moved[: t + 1].min()) > 0.0

# %%
# Trained on next-character prediction, the bidirectional network will use this
# leak: the backward half only has to pass :math:`x_{t+1}` through to the
# output. We train a bidirectional GRU of 128 units per direction with the same
# loop and setting, on the first third of the training text (one epoch, a third
# of the updates the one-layer GRU above had: enough for it to find the leak,
# and it keeps the page within budget). Then we measure it twice on the
# held-out text:
#
# * **future visible**, as training measures it: windows of 35 characters, every
#   position scored, each reading the whole window, its own target included;
# * **left to right**, as a language model is used: to score :math:`x_{t+1}` the
#   network reads only the 35 characters :math:`x_{t-34}, \dots, x_t` and we take
#   its output at the last of them, so the backward half has read only
#   :math:`x_t`, never the target (every fifth position is scored, to save
#   time).
#
# The one-layer GRU language model from above is measured the same two ways as a
# control: it never sees the future, so both of its numbers must be close.

K = 35  # characters of context


def perplexity_future_visible(net, corpus):
    """Windows of K characters, all positions scored, the future inside visible."""
    n = (len(corpus) - 1) // K * K
    X, Y = corpus[:n].reshape(-1, K), corpus[1: n + 1].reshape(-1, K)
    net.eval()
    with torch.no_grad():
        logits, _ = net(X.to(device))
    return math.exp(F.cross_entropy(logits.reshape(-1, V), Y.reshape(-1).to(device)))


def perplexity_left_to_right(net, corpus, stride=5):
    """Score x[t+1] from the K characters up to x[t] only (every stride-th t)."""
    X = corpus[:-1].unfold(0, K, stride)  # windows x[i*stride : i*stride + K]
    Y = corpus[K::stride][: len(X)]  # the character after each window
    X = X[: len(Y)]
    net.eval()
    with torch.no_grad():
        logits, _ = net(X.to(device))
    return math.exp(F.cross_entropy(logits[:, -1], Y.to(device)))


handson.seed(4)
bi_lm, seconds = train_lm(nn.GRU(V, num_hiddens, batch_first=True,
                                 bidirectional=True), train[: len(train) // 3],
                          num_epochs)
print(f"bidirectional GRU trained in {seconds:.1f} s")
ppl = {}
for name, net in (("1-layer GRU", gru_lm), ("bidirectional GRU", bi_lm)):
    ppl[name] = (perplexity_future_visible(net, valid),
                 perplexity_left_to_right(net, valid))
    print(f"{name:>18s}: held-out perplexity {ppl[name][0]:6.3f} with the future "
          f"visible, {ppl[name][1]:6.3f} left to right")
print(f"{'bigram':>18s}: held-out perplexity {ppl_bigram:6.3f}")

# %%
# The checks state the lesson. With the future visible the bidirectional model
# is close to certain of every character, far below the honest models above
# (which were trained on three times as much text); read left to right, as a
# language model must be read, it is worse than counting pairs of characters.
# The unidirectional model's two numbers are close, as they must be; the small
# difference is context, not a leak: left to right, every scored character has
# all 35 characters before it, while in a window the first positions have few.

ppl_bi_future, ppl_bi_l2r = ppl["bidirectional GRU"]
handson.check("bidirectional LM, held-out perplexity with the future visible",
              ppl_bi_future, "<", 1.5)
handson.check("bidirectional LM, held-out perplexity left to right",
              ppl_bi_l2r, ">", ppl_bigram)
handson.check("1-layer GRU, left-to-right / future-visible perplexity",
              ppl["1-layer GRU"][1] / ppl["1-layer GRU"][0], "<", 1.1)

# %%
# Generation makes the same point. Greedy generation feeds each predicted
# character back; a bidirectional network has no state to carry forward (its
# backward half would have to start from characters not yet written), so at
# every step we rerun it on the whole text so far and take its prediction at the
# last position. For a unidirectional network rereading is only slower than
# carrying the state: it must give the same text as ``handson.language_models.
# generate``, which we check.


def generate_rereading(net, prefix, num_chars):
    """Greedy generation that rereads the whole text at every step (no state)."""
    net.eval()
    tokens = vocab[list(prefix)]
    with torch.no_grad():
        for _ in range(num_chars):
            logits, _ = net(torch.tensor([tokens], device=device))
            tokens.append(int(logits[0, -1].argmax()))
    return "".join(vocab.to_tokens(tokens))


prefix = "the time traveller "
text_uni = generate_rereading(gru_lm, prefix, 40)
assert text_uni == lm.generate(gru_lm, vocab, prefix, 40)
print(f"1-layer GRU:       {text_uni!r}")
print(f"bidirectional GRU: {generate_rereading(bi_lm, prefix, 40)!r}")

# %%
# The picture puts the numbers side by side on a logarithmic scale. The dashed
# line at perplexity 1 is a model that is certain and right about every
# character; only a model that sees the answer gets near it.

fig, ax = plt.subplots(figsize=(6.5, 3.2))
names = ["bigram", "1-layer GRU", "2-layer GRU", "bi-GRU\nfuture visible",
         "bi-GRU\nleft to right"]
values = [ppl_bigram, ppl_1, ppl_2, ppl_bi_future, ppl_bi_l2r]
colors = ["tab:gray", "tab:blue", "tab:blue", "tab:red", "tab:red"]
ax.bar(names, values, color=colors)
for i, v in enumerate(values):
    ax.text(i, v * 1.05, f"{v:.2f}", ha="center")
ax.axhline(1, color="k", ls="--", lw=1)
ax.set_yscale("log")
ax.set_ylim(0.8, 2 * max(values))
ax.set_ylabel("held-out perplexity")
ax.set_title("Character language models of The Time Machine")
fig.tight_layout()
plt.show()

# %%
# Where bidirectional layers belong: restoring spaces
# ---------------------------------------------------
#
# Take the text without its spaces, ``thetimetraveller...``, and ask for one
# label per character: does it end a word? The labels come from the original
# text, so the task needs no annotation, and the right context matters honestly:
# after ``the`` the next letters decide between ``the time`` and ``there``. A
# unidirectional tagger must decide at ``e`` before it has read them; a
# bidirectional one has read them. Nothing leaks here: the label of position
# :math:`t` is not an input anywhere, since the spaces are gone.
#
# We cut the space-less training and held-out texts of the same split into
# windows of 64 characters and give both taggers a similar number of
# parameters: a unidirectional GRU with 96 units against a bidirectional one
# with 64 per direction. Only about one character in four ends a word, so
# accuracy is flattered by the majority answer "no"; we also report the *F1
# score* of the class "ends a word", the harmonic mean of precision (the
# fraction of predicted word ends that are right) and recall (the fraction of
# true word ends that are found):
# :math:`F_1 = 2\,\mathrm{TP} / (2\,\mathrm{TP} + \mathrm{FP} + \mathrm{FN})`.

space = vocab[" "]


def remove_spaces(corpus):
    """The characters without spaces, and 1 where the next character was a space."""
    ends_word = torch.cat([corpus[1:] == space, torch.tensor([True])])
    keep = corpus != space
    return corpus[keep], ends_word[keep].long()


X_train, y_train = remove_spaces(train)
X_valid, y_valid = remove_spaces(valid)
print("".join(vocab.to_tokens(X_valid[:40])))
print("".join(str(int(v)) for v in y_valid[:40]))
fraction_ends = float(y_valid.float().mean())
print(f"fraction of held-out characters that end a word: {fraction_ends:.3f}")
assert 0.2 < fraction_ends < 0.3  # about one in four


class Tagger(nn.Module):
    """One-hot characters -> a GRU (one or two directions) -> two logits each."""

    def __init__(self, num_hiddens, bidirectional):
        super().__init__()
        self.rnn = nn.GRU(V, num_hiddens, batch_first=True,
                          bidirectional=bidirectional)
        self.head = nn.Linear(num_hiddens * (2 if bidirectional else 1), 2)

    def forward(self, X):
        return self.head(self.rnn(F.one_hot(X, V).float())[0])


def train_tagger(net, num_steps, batch_size=64, T=64):
    """Adam on random windows of T characters, cross-entropy on every label."""
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    generator = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
    net.train()
    for _ in range(num_steps):
        starts = torch.randint(len(X_train) - T, (batch_size, 1), generator=generator)
        idx = starts + torch.arange(T)
        logits = net(X_train[idx].to(device))
        labels = y_train[idx].to(device)
        loss = F.cross_entropy(logits.reshape(-1, 2), labels.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return net


def tag(net, X, T=64):
    """Labels for a long text, read in consecutive windows of T characters."""
    n = len(X) // T * T
    net.eval()
    with torch.no_grad():
        return net(X[:n].reshape(-1, T).to(device)).argmax(-1).reshape(-1).cpu()


def scores(pred, y):
    y = y[: len(pred)]
    tp = int(((pred == 1) & (y == 1)).sum())
    return float((pred == y).float().mean()), 2 * tp / int((pred == 1).sum()
                                                             + (y == 1).sum())


num_tag_steps = handson.shrink(200, 40)
taggers, tag_scores = {}, {}
for name, h, bidirectional in (("unidirectional", 96, False),
                               ("bidirectional", 64, True)):
    handson.seed(5)
    taggers[name] = train_tagger(Tagger(h, bidirectional).to(device), num_tag_steps)
    tag_scores[name] = scores(tag(taggers[name], X_valid), y_valid)
    num_params = sum(p.numel() for p in taggers[name].parameters())
    print(f"{name:>15s} GRU tagger, {num_params:,} parameters: held-out accuracy "
          f"{tag_scores[name][0]:.4f}, F1 of 'ends a word' {tag_scores[name][1]:.4f}")

# %%
# With the same parameter budget, data and updates, reading both ways wins
# clearly, on accuracy and on F1:

handson.check("F1 of the bidirectional tagger minus the unidirectional",
              tag_scores["bidirectional"][1] - tag_scores["unidirectional"][1],
              ">", 0.05, quick=True)
handson.check("held-out F1 of the bidirectional tagger",
              tag_scores["bidirectional"][1], ">", 0.8)

# %%
# Here are the first held-out characters with the spaces each tagger puts back:


def restore(X, pred):
    return "".join(c + (" " if p else "")
                   for c, p in zip(vocab.to_tokens(X[: len(pred)]), pred.tolist()))


n_show = 128
print("original:      ", "".join(vocab.to_tokens(valid[:150])).strip()[:96])
for name, net in taggers.items():
    restored = restore(X_valid[:n_show], tag(net, X_valid[:n_show]))
    print(f"{name + ':':15s}", restored[:96])

# %%
# Summary
# -------
#
# * A deep RNN stacks layers: layer :math:`l` reads the state sequence of layer
#   :math:`l-1` and its own previous state. Running whole layers one after the
#   other is exactly ``nn.GRU(num_layers=2)``. On one epoch of *The Time
#   Machine* a second layer lowers the held-out perplexity, for more than twice
#   the parameters.
# * A bidirectional layer is a second layer run on the reversed sequence, its
#   outputs flipped back and concatenated with the forward ones; exactly
#   ``nn.GRU(bidirectional=True)``.
# * Every output of a bidirectional layer depends on the whole input, the
#   future included. Trained to predict the next character it copies it: its
#   perplexity with the future visible falls toward 1, while read left to
#   right it is worse than a bigram count and it cannot generate text.
# * Bidirectional layers belong where the whole input is given and each
#   position needs a label: restoring spaces, with a similar number of
#   parameters, the bidirectional tagger beats the unidirectional one on
#   held-out F1 by a wide margin.
#
# Exercises
# ---------
#
# 1. How many parameters does ``nn.GRU(28, 128, num_layers=2)`` have? Why does
#    the second layer have more than the first?
#
#    .. dropdown:: Answer
#
#       A GRU layer has three parts (update gate, reset gate, candidate state),
#       each with an input matrix, a recurrent matrix and two bias vectors:
#       :math:`3(hd + h^2 + 2h)` parameters. The first layer reads the :math:`d`
#       one-hot features, the second the :math:`h` outputs of the first, so its
#       input matrices are :math:`h \times h` instead of :math:`h \times d`.
#       Evaluate the formula and compare it with
#       ``sum(p.numel() for p in nn.GRU(28, 128, num_layers=2).parameters())``.
#
# 2. In the bidirectional language model above, which positions of a window
#    of 35 characters does the cheat *not* help, and what does that mean for
#    the perplexity measured with the future visible?
#
#    .. dropdown:: Answer
#
#       The last position: its target :math:`x_{36}` is outside the window, so
#       the backward state has not read it. One position in 35 must still be
#       predicted honestly (and badly), which alone keeps the future-visible
#       perplexity above 1 even if every other position is copied perfectly.
#
# 3. Why is it *not* cheating for the space-restoring tagger to read the
#    characters to the right of position :math:`t`, when it was cheating for
#    the language model?
#
#    .. dropdown:: Answer
#
#       What matters is whether the input contains the target. The language
#       model's target :math:`x_{t+1}` is one of its inputs. The tagger's target
#       (was there a space after :math:`x_t`?) is not an input: the spaces were
#       removed, and at test time the tagger gets exactly the same kind of
#       input as in training. A model may use any input it will also have when
#       it is used.
#
# 4. ``nn.GRU(V, 64, num_layers=2, bidirectional=True)`` is a deep
#    bidirectional network. What is the input width of its second layer, and
#    what shape has its final state for a batch of 8?
#
#    .. dropdown:: Answer
#
#       Each layer concatenates its two directions, so the second layer reads
#       :math:`2 \times 64 = 128` features. The final state has one entry per
#       layer and direction: ``(4, 8, 64)``, ordered layer 1 forward, layer 1
#       backward, layer 2 forward, layer 2 backward.
#
# 5. Programming: give the unidirectional tagger a *delay*. Let it read the
#    space-less text and predict the label of position :math:`t - k` at step
#    :math:`t`, so that it has seen :math:`k` characters of right context. Train
#    it for :math:`k = 0, 1, 2, 4` with the same budget as above and compare its
#    held-out F1 with the bidirectional tagger's.
#
#    .. dropdown:: Hint
#
#       Shift the labels, not the inputs: train on ``logits[:, k:]`` against
#       ``y[:, :-k]`` (for :math:`k > 0`), and score the predictions the same
#       way, dropping the first :math:`k` outputs of every window.
#
#       .. code-block:: python
#
#          def delayed_loss(net, X, y, k):
#              logits = net(X)
#              if k > 0:
#                  logits, y = logits[:, k:], y[:, :-k]
#              return F.cross_entropy(logits.reshape(-1, 2), y.reshape(-1))
#
#       A delay of a few characters gives a unidirectional network the right
#       context that matters most here, and it is the usual remedy when a
#       stream must be tagged online, where a bidirectional network cannot
#       wait for the end of the input.
