"""
A recurrent network from scratch
================================

An :math:`n`-gram model forgets everything older than :math:`n - 1` tokens, and
its table grows as :math:`|\\mathcal{V}|^n`. A recurrent neural network (RNN)
instead carries a *hidden state*, a vector that it updates at every step from the
previous state and the current token, with the same weights at every step. This page
derives that update, writes a character-level language model around it with
``nn.Parameter`` tensors only, trains it on The Time Machine with gradient clipping
written by hand, checks that it beats the bigram model on held-out text, and lets it
continue a prefix.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the hidden-state update
        :math:`\\mathbf{H}_t = \\tanh(\\mathbf{X}_t \\mathbf{W}_{xh} +
        \\mathbf{H}_{t-1} \\mathbf{W}_{hh} + \\mathbf{b}_h)` and the output layer
      * why tokens enter by indexing an embedding table, not as one-hot vectors
        multiplied by a matrix (the same numbers, measured faster)
      * gradient clipping by the global norm, written by hand and checked against
        ``torch.nn.utils.clip_grad_norm_``
      * training by perplexity, against the bigram baseline, and greedy
        generation from a prefix

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * tokens, the vocabulary and the train/held-out split:
        :doc:`02_text_sequences`; minibatches of subsequences, perplexity and
        :math:`n`-grams: :doc:`03_language_models`
      * exploding and vanishing gradients:
        :doc:`../05_multilayer_perceptrons/04_numerical_stability`
      * Adam: :doc:`../10_optimization/10_adam`; custom modules with
        ``nn.Parameter``: :doc:`../06_builders_guide/04_custom_layers`
      * data: The Time Machine by H. G. Wells, as 28 characters
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# A language model predicts token :math:`x_t` from all tokens before it. An
# :math:`n`-gram model cuts the history to the last :math:`n - 1` tokens. A
# *latent variable model* keeps a summary instead,
#
# .. math::
#
#    P(x_t \mid x_{t-1}, \ldots, x_1) \approx P(x_t \mid \mathbf{h}_{t-1}),
#    \qquad \mathbf{h}_t = f(x_t, \mathbf{h}_{t-1}),
#
# where the *hidden state* :math:`\mathbf{h}_t` is computed from the current input
# and the previous state only. (A hidden *state* is not a hidden *layer*: it is an
# input to the next step, computed at the step before.)
#
# Take a minibatch of :math:`n` sequences and write the inputs of step :math:`t`
# as the rows of :math:`\mathbf{X}_t \in \mathbb{R}^{n \times d}` (one
# :math:`d`-dimensional vector per token) and the hidden states as
# :math:`\mathbf{H}_t \in \mathbb{R}^{n \times h}`. A hidden layer of an MLP would
# compute :math:`\phi(\mathbf{X}_t \mathbf{W}_{xh} + \mathbf{b}_h)`. The recurrent
# layer adds one term, the previous state times a new :math:`h \times h` matrix:
#
# .. math::
#
#    \mathbf{H}_t = \tanh(\mathbf{X}_t \mathbf{W}_{xh} + \mathbf{H}_{t-1}
#    \mathbf{W}_{hh} + \mathbf{b}_h),
#    \qquad \mathbf{H}_0 = \mathbf{0}.
#
# The output layer reads every state, as in an MLP:
#
# .. math::
#
#    \mathbf{O}_t = \mathbf{H}_t \mathbf{W}_{hq} + \mathbf{b}_q,
#
# and :math:`\operatorname{softmax}(\mathbf{O}_t)` is the model's distribution of
# token :math:`t + 1`; the loss is the cross-entropy against the true next token,
# averaged over all steps and sequences. The parameters
# :math:`\mathbf{W}_{xh} \in \mathbb{R}^{d \times h}`,
# :math:`\mathbf{W}_{hh} \in \mathbb{R}^{h \times h}`,
# :math:`\mathbf{b}_h \in \mathbb{R}^{h}`,
# :math:`\mathbf{W}_{hq} \in \mathbb{R}^{h \times q}` and
# :math:`\mathbf{b}_q \in \mathbb{R}^{q}` (:math:`q` = vocabulary size) are shared
# by all time steps, so their number does not grow with the length of the text.
# Unrolled, :math:`\mathbf{H}_t` depends on :math:`\mathbf{X}_1, \ldots,
# \mathbf{X}_t`: in principle, on the whole history.
#
# The language model of this page reads characters: ``"machin"`` as input,
# ``"achine"`` as targets, one prediction per step.

import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.nn import functional as F

import handson
import handson.recurrent
from handson.language_models import (
    clip_gradients,
    evaluate_perplexity,
    generate,
)
from handson.sequences import random_batches
from handson.text import time_machine

handson.seed(0)
device = handson.device()

vocab, train, valid = time_machine("char")
# Quick mode (smoke tests) trains on a slice of the book; the full run on all of it.
train = train[: handson.shrink(len(train), 15_000)]
valid = valid[: handson.shrink(len(valid), 5_000)]
V = len(vocab)
print(f"{V} tokens in the vocabulary, {len(train):,} training and "
      f"{len(valid):,} held-out characters")

# %%
# Tokens as vectors: indexing, not one-hot products
# -------------------------------------------------
#
# A token is an index, an integer below :math:`|\mathcal{V}|`. Feeding the index
# itself as a number would make tokens with neighbouring indices "close", which
# means nothing: the order of the vocabulary is only an order of frequency.
# D2L's ``rnn-scratch`` section turns each index into a *one-hot* vector
# of length :math:`|\mathcal{V}|` and multiplies it by the input weights. But a
# one-hot row times a matrix is just one row of the matrix:
#
# .. math::
#
#    \operatorname{onehot}(x)\, \mathbf{E} = \mathbf{E}_{x,:},
#
# so the product does :math:`|\mathcal{V}|` multiply-adds per output entry, all
# but one of them with a zero, and first builds a tensor :math:`|\mathcal{V}|`
# times larger than the batch of indices. Indexing ``E[X]`` copies the rows
# directly; in PyTorch it is what ``nn.Embedding`` does. We give each token a
# learned vector of :math:`d = 32` numbers, the rows of an *embedding table*
# :math:`\mathbf{E} \in \mathbb{R}^{|\mathcal{V}| \times d}`, and feed
# :math:`\mathbf{X}_t = \mathbf{E}[x_t]` to the recurrent layer. First the two
# are the same numbers, on one batch of the page:

batch_size, num_steps, num_embed = 32, 35, 32
generator = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
X, Y = next(random_batches(train, batch_size, num_steps, generator))
E = torch.randn(V, num_embed)

by_product = F.one_hot(X, V).float() @ E
by_index = E[X]
torch.testing.assert_close(by_product, by_index, rtol=0, atol=0)
print("batch of indices:", tuple(X.shape), "-> vectors:", tuple(by_index.shape),
      "| one-hot product == indexing exactly:", torch.equal(by_product, by_index))


# %%
# Then their cost, on the CPU, for this vocabulary and for a word-level one of
# 10,000 tokens (the batch of indices is the same size; only the table grows):


def best_time(f, repeat=handson.shrink(5, 2)):
    """The fastest of ``repeat`` calls of f, in seconds (the least disturbed)."""
    timer = handson.Timer()
    for _ in range(repeat):
        timer.start()
        f()
        timer.stop()
    return min(timer.times)


for size in (V, 10_000):
    table = torch.randn(size, num_embed)
    idx = torch.randint(size, X.shape)
    t_onehot = best_time(lambda: F.one_hot(idx, size).float() @ table)
    t_index = best_time(lambda: table[idx])
    onehot_mb = idx.numel() * size * 4 / 1e6
    print(f"|V| = {size:>6,}: one-hot product {t_onehot * 1e6:9.1f} us "
          f"({onehot_mb:7.2f} MB of one-hot floats), indexing "
          f"{t_index * 1e6:6.1f} us: {t_onehot / t_index:6.1f} times faster")

# %%
# The product does :math:`|\mathcal{V}|` multiply-adds for every number the copy
# merely moves, and at a word-level vocabulary the one-hot tensor alone takes the
# megabytes printed above for one small batch; the printed ratios show what that
# costs on the machine that built this page. (The gradient of indexing is cheap
# too: it adds the output gradients into the rows that were used.) So this course
# feeds tokens by indexing, and a one-hot model is the special case
# :math:`d = |\mathcal{V}|`, :math:`\mathbf{E} = \mathbf{I}`.
#
# .. note::
#
#    Embedding then :math:`\mathbf{W}_{xh}` composes into one
#    :math:`|\mathcal{V}| \times h` matrix :math:`\mathbf{E}\mathbf{W}_{xh}`, the
#    matrix a one-hot model would learn. With :math:`d < |\mathcal{V}|` the
#    embedding is a low-rank factorisation of it, which is what makes word-level
#    models with large vocabularies affordable; for 28 characters it is mainly a
#    convenience that keeps this model the same as ``nn.Embedding`` followed by
#    ``nn.RNN`` on :doc:`05_rnn_concise`.
#
# The recurrent layer from scratch
# --------------------------------
#
# The layer holds :math:`\mathbf{W}_{xh}`, :math:`\mathbf{W}_{hh}` and
# :math:`\mathbf{b}_h` as ``nn.Parameter`` tensors. Initialisation matters more than
# in an MLP, because :math:`\mathbf{W}_{hh}` is applied once per step:
#
# * :math:`\mathbf{W}_{xh}` and later :math:`\mathbf{W}_{hq}` get Xavier's normal
#   initialisation, variance :math:`2 / (\text{fan-in} + \text{fan-out})`, which
#   keeps the scale of the signal roughly constant through a linear map
#   (:doc:`../05_multilayer_perceptrons/04_numerical_stability`);
# * :math:`\mathbf{W}_{hh}` gets normal entries of variance :math:`1 / h`: then
#   :math:`\mathbf{H}_{t-1}\mathbf{W}_{hh}` has about the scale of
#   :math:`\mathbf{H}_{t-1}`, so the state neither dies out nor saturates the tanh
#   within a few steps;
# * biases start at zero; the embedding table at standard normal entries (as
#   ``nn.Embedding`` does).
#
# D2L's version draws all weights from a normal distribution with standard
# deviation 0.01 instead, which starts the network nearly silent (all states and
# logits near zero); the scaled start keeps its meaning when :math:`h` changes.
# The input part :math:`\mathbf{X}_t \mathbf{W}_{xh} + \mathbf{b}_h` does
# not depend on the state, so we compute it for all steps in one matrix product;
# only :math:`\mathbf{H}_{t-1}\mathbf{W}_{hh}` and the tanh run in the Python
# loop over time. We keep the time axis second, as ``nn.RNN(batch_first=True)``
# does.


class RNNScratch(nn.Module):
    """H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h) for every step t."""

    def __init__(self, num_inputs, num_hiddens):
        super().__init__()
        self.num_hiddens = num_hiddens
        self.W_xh = nn.Parameter(torch.randn(num_inputs, num_hiddens)
                                 * math.sqrt(2 / (num_inputs + num_hiddens)))
        self.W_hh = nn.Parameter(torch.randn(num_hiddens, num_hiddens)
                                 * math.sqrt(1 / num_hiddens))
        self.b_h = nn.Parameter(torch.zeros(num_hiddens))

    def forward(self, inputs, state=None):
        # inputs: (batch, num_steps, num_inputs); state: (batch, num_hiddens)
        if state is None:
            state = torch.zeros(inputs.shape[0], self.num_hiddens,
                                device=inputs.device)
        XW = inputs @ self.W_xh + self.b_h  # the input part of all steps at once
        outputs = []
        for t in range(inputs.shape[1]):
            state = torch.tanh(XW[:, t] + state @ self.W_hh)
            outputs.append(state)
        return torch.stack(outputs, dim=1), state


num_hiddens = 128
rnn = RNNScratch(num_embed, num_hiddens)
outputs, state = rnn(by_index)
assert outputs.shape == (batch_size, num_steps, num_hiddens)
assert state.shape == (batch_size, num_hiddens)
print("hidden states:", tuple(outputs.shape), "| last state:", tuple(state.shape))

# %%
# The language model
# ------------------
#
# The model wraps the layer between the embedding table and the output layer and
# follows the convention every language model of the course shares:
# ``net(X, state)`` takes indices of shape ``(batch, num_steps)`` and the state
# left by the previous call (``None`` to start afresh) and returns the logits,
# ``(batch, num_steps, vocab_size)``, and the new state.


class RNNLMScratch(nn.Module):
    """Embedding by indexing, the recurrent layer, a linear output layer."""

    def __init__(self, vocab_size, num_embed=32, num_hiddens=128):
        super().__init__()
        self.E = nn.Parameter(torch.randn(vocab_size, num_embed))
        self.rnn = RNNScratch(num_embed, num_hiddens)
        self.W_hq = nn.Parameter(torch.randn(num_hiddens, vocab_size)
                                 * math.sqrt(2 / (num_hiddens + vocab_size)))
        self.b_q = nn.Parameter(torch.zeros(vocab_size))

    def forward(self, X, state=None):
        outputs, state = self.rnn(self.E[X], state)
        return outputs @ self.W_hq + self.b_q, state


handson.seed(1)
net = RNNLMScratch(V, num_embed, num_hiddens).to(device)
logits, state = net(X.to(device), None)
assert logits.shape == (batch_size, num_steps, V)
num_params = sum(p.numel() for p in net.parameters())
print(f"logits {tuple(logits.shape)}, {num_params:,} parameters")

# %%
# Perplexity, the exponential of the mean cross-entropy per token
# (:doc:`03_language_models`), is our measure. On held-out text we read the corpus
# as 16 contiguous streams, carry the state from one chunk to the next, and
# predict every token once, from everything before it in its stream. Untrained,
# the model should do no better than uniform guessing among the
# :math:`|\mathcal{V}|` tokens; with random weights its logits are not all equal,
# so it can do worse, as the number printed below shows.


def perplexity(net, corpus, num_steps=64, batch_size=16):
    """exp(mean NLL) of corpus, read as batch_size streams, state carried."""
    n = (len(corpus) - 1) // batch_size * batch_size
    Xs = corpus[:n].reshape(batch_size, -1).to(device)
    Ys = corpus[1: n + 1].reshape(batch_size, -1).to(device)
    state, nll = None, 0.0
    net.eval()
    with torch.no_grad():
        for j in range(0, Xs.shape[1], num_steps):
            logits, state = net(Xs[:, j: j + num_steps], state)
            nll += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                         Ys[:, j: j + num_steps].reshape(-1),
                                         reduction="sum"))
    net.train()
    return math.exp(nll / Ys.numel())


ppl_init = perplexity(net, valid)
# the course's helper computes the same number
assert math.isclose(ppl_init, evaluate_perplexity(net, valid), rel_tol=1e-6)
print(f"held-out perplexity before training: {ppl_init:.2f} "
      f"(uniform guessing: {V})")

# %%
# The baseline: a bigram model
# ----------------------------
#
# To mean anything, the RNN must beat the simplest model that uses the previous
# character: the bigram model :math:`\hat P(x_t \mid x_{t-1})`, estimated by
# counting pairs in the training text with add-one (Laplace) smoothing,
# :math:`\hat P(b \mid a) = (n(a, b) + 1) / (n(a) + |\mathcal{V}|)`, so that no
# held-out pair gets probability zero. Its held-out perplexity, on the same split:

counts = torch.zeros(V, V)
counts.index_put_((train[:-1], train[1:]), torch.ones(len(train) - 1),
                  accumulate=True)
P_bigram = (counts + 1) / (counts.sum(dim=1, keepdim=True) + V)
ppl_bigram = math.exp(-P_bigram[valid[:-1], valid[1:]].log().mean())
print(f"held-out perplexity of the bigram model: {ppl_bigram:.2f}")

# %%
# Gradient clipping
# -----------------
#
# Backpropagation through :math:`T` steps multiplies :math:`T` Jacobians that all
# contain :math:`\mathbf{W}_{hh}` (:doc:`06_bptt` works this out). Their product
# can shrink or grow exponentially with :math:`T`, so now and then a minibatch
# produces a gradient :math:`\mathbf{g}` (all parameters' gradients as one long
# vector) far larger than usual, and one step can undo many. D2L's argument: if the
# loss is Lipschitz with constant :math:`L`, one step of size :math:`\eta` changes it
# by at most :math:`L \eta \|\mathbf{g}\|`. Shrinking :math:`\eta` for all steps to
# guard against rare large :math:`\|\mathbf{g}\|` would slow every step; *clipping*
# instead rescales only the large gradients, keeping their direction:
#
# .. math::
#
#    \mathbf{g} \leftarrow \min\left(1, \frac{\theta}{\|\mathbf{g}\|}\right)
#    \mathbf{g}.
#
# The norm is taken over all parameters together, not per tensor, so clipping never
# changes the direction of the gradient. It is a heuristic, not the true gradient, and
# it does nothing about *vanishing* gradients (the next chapter's gated cells do).


def clip_grads(params, theta):
    """Scale all gradients so that their joint norm is at most theta.

    Returns the norm before clipping.
    """
    grads = [p.grad for p in params if p.grad is not None]
    norm = torch.sqrt(sum((g ** 2).sum() for g in grads))
    if norm > theta:
        for g in grads:
            g.mul_(theta / norm)
    return float(norm)


# %%
# Checked against the course's helper and PyTorch's own, on gradients of the
# untrained model made large on purpose (the loss times 100):


def grads_of(net, scale=100.0):
    net.zero_grad()
    logits, _ = net(X.to(device), None)
    (scale * F.cross_entropy(logits.reshape(-1, V), Y.to(device).reshape(-1))
     ).backward()
    return [p.grad.clone() for p in net.parameters()]


results = {}
for name, clip in [("by hand", lambda: clip_grads(list(net.parameters()), 1.0)),
                   ("handson", lambda: clip_gradients(net, 1.0)),
                   ("torch", lambda: float(torch.nn.utils.clip_grad_norm_(
                       net.parameters(), 1.0)))]:
    grads_of(net)
    norm_before = clip()
    results[name] = [p.grad.clone() for p in net.parameters()]
    norm_after = torch.sqrt(sum((g ** 2).sum() for g in results[name]))
    print(f"{name:>7}: norm {norm_before:9.3f} -> {float(norm_after):.6f}")
for name in ("handson", "torch"):
    for a, b in zip(results["by hand"], results[name]):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-7)
net.zero_grad()

# %%
# The three agree to rounding (the library versions add :math:`10^{-6}` to the norm
# before dividing). ``handson.language_models.clip_gradients`` is the one later
# pages use.
#
# Training
# --------
#
# The course's setting for every character language model: minibatches of 32
# random subsequences of 35 characters (*random partitioning*, so the state starts
# at zero for every batch: neighbouring rows are unrelated text), Adam with
# learning rate 0.01, clipping at :math:`\theta = 1`, two epochs. (D2L trains its
# 32-unit RNN for 100 epochs with minibatch SGD and a learning rate of 1; we use
# Adam and 128 units and stop after two epochs so that the page runs in a minute
# or two on a CPU; :doc:`05_rnn_concise` measures what our Python loop costs.) The
# loop records the training perplexity and the gradient norm of every update and
# evaluates on held-out text a few times per epoch.

num_epochs, lr, theta, eval_every = handson.epochs(2), 0.01, 1.0, 50
optimizer = torch.optim.Adam(net.parameters(), lr=lr)
generator = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
train_losses, grad_norms, valid_curve = [], [], []
epoch_train, epoch_valid = [], []
timer = handson.Timer()
for epoch in range(num_epochs):
    timer.start()
    total, count = 0.0, 0
    for X, Y in random_batches(train, batch_size, num_steps, generator):
        X, Y = X.to(device), Y.to(device)
        logits, _ = net(X, None)  # random partitioning: a fresh state per batch
        loss = F.cross_entropy(logits.reshape(-1, V), Y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        grad_norms.append(clip_grads(list(net.parameters()), theta))
        optimizer.step()
        train_losses.append(loss.item())
        total, count = total + loss.item() * Y.numel(), count + Y.numel()
        if len(train_losses) % eval_every == 0:
            valid_curve.append((len(train_losses), perplexity(net, valid)))
    timer.stop()
    epoch_train.append(math.exp(total / count))
    epoch_valid.append(perplexity(net, valid))
    valid_curve.append((len(train_losses), epoch_valid[-1]))
    print(f"epoch {epoch + 1}: train perplexity {epoch_train[-1]:.2f}, held-out "
          f"{epoch_valid[-1]:.2f}, {count / timer.times[-1]:,.0f} tokens/s")

# %%
# .. note::
#
#    With *sequential* partitioning (``handson.sequences.sequential_batches``),
#    row :math:`i` of a batch continues row :math:`i` of the previous one, so the
#    state may be carried over, but it must be *detached* from the graph first
#    (``handson.language_models.detach_state``), or every backward pass would run
#    through all batches since the start. :doc:`06_bptt` shows what the detach
#    does to the gradient.
#
# Results
# -------
#
# The training perplexity of each update (the exponential of its loss, averaged over
# 10 updates) and the held-out perplexity, against the bigram baseline; on the
# right, the gradient norm of every update before clipping.

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
smooth = torch.tensor(train_losses).unfold(0, 10, 1).mean(dim=1).exp()
axes[0].plot(range(10, len(train_losses) + 1), smooth, label="train (10 updates)")
steps, ppls = zip(*valid_curve)
axes[0].plot(steps, ppls, "o-", label="held-out")
axes[0].axhline(ppl_bigram, color="gray", ls="--", label="bigram, held-out")
axes[0].set(xlabel="update", ylabel="perplexity", yscale="log",
            title="Scratch RNN on The Time Machine")
axes[0].legend()
axes[1].plot(range(1, len(grad_norms) + 1), grad_norms, lw=0.8)
axes[1].axhline(theta, color="red", ls="--", label=r"clipping threshold $\theta$")
axes[1].set(xlabel="update", ylabel="gradient norm before clipping",
            yscale="log", title="Gradient norms")
axes[1].legend()
fig.tight_layout()
plt.show()

# %%
# How often did clipping act, and is the RNN better than the bigram model on text
# it never saw?

norms = torch.tensor(grad_norms)
share_clipped = float((norms > theta).float().mean())
print(f"clipping acted in {share_clipped:.1%} of {len(norms)} updates "
      f"(largest norm {float(norms.max()):.2f}, median {float(norms.median()):.3f})")
print(f"held-out perplexity: RNN {epoch_valid[-1]:.2f}, bigram {ppl_bigram:.2f}, "
      f"uniform {V}")
handson.check("held-out perplexity of the scratch RNN", epoch_valid[-1], "<",
              0.7 * ppl_bigram)
handson.check("held-out perplexity of the scratch RNN (vs uniform guessing)",
              epoch_valid[-1], "<", V, quick=True)

# %%
# The RNN beats the bigram model by the margin shown: its state carries more than
# the last character. The share of clipped updates tells what clipping did here:
# a large share would mean a constant brake on every step, a small one a safety net
# against occasional spikes; the right panel shows whether and when they occurred.
#
# Generation from a prefix
# ------------------------
#
# To continue a prefix, the model first reads it (the *warm-up*: the state
# absorbs the prefix, its predictions are not used), then repeatedly picks the most
# likely next character (*greedy decoding*) and feeds it back in as the next
# input.


def predict(net, prefix, num_chars):
    """prefix continued by num_chars greedily chosen characters."""
    net.eval()
    out = list(prefix)
    with torch.no_grad():
        logits, state = net(torch.tensor([vocab[out]], device=device), None)
        for _ in range(num_chars):
            token = int(logits[0, -1].argmax())
            out.append(vocab.to_tokens(token))
            logits, state = net(torch.tensor([[token]], device=device), state)
    net.train()
    return "".join(out)


for prefix in ("time traveller ", "the machine "):
    text = predict(net, prefix, 40)
    assert text == generate(net, vocab, prefix, 40)  # the course's helper agrees
    print(repr(text))

# %%
# Greedy decoding tends to loop on frequent words: the most likely next character
# is chosen every time, so the model never takes a less likely turn. Sampling from
# the softmax instead (exercise 3) gives more varied text.
#
# What the course keeps
# ---------------------
#
# ``handson.recurrent`` keeps ``RNNScratch`` and ``RNNLMScratch`` exactly as
# written here, and ``handson.language_models`` keeps ``clip_gradients``,
# ``evaluate_perplexity``, ``generate`` and a training loop like ours (it
# evaluates once per epoch) as
# ``train_language_model(net, train, valid, optimizer, num_epochs, batch_size,
# num_steps, clip=1.0, generator=...)``, which returns the perplexities per epoch,
# the tokens per second and the gradient norms. With the same weights the kept
# model computes the same logits:

kept = handson.recurrent.RNNLMScratch(V, num_embed, num_hiddens).to(device)
kept.load_state_dict(net.state_dict())
X_test = valid[:70].reshape(2, 35).to(device)
with torch.no_grad():
    torch.testing.assert_close(kept(X_test)[0], net(X_test)[0])
print("handson.recurrent.RNNLMScratch == this page's model:",
      [name for name, _ in kept.named_parameters()])

# %%
# Summary
# -------
#
# * An RNN updates a hidden state with the same weights at every step,
#   :math:`\mathbf{H}_t = \tanh(\mathbf{X}_t \mathbf{W}_{xh} + \mathbf{H}_{t-1}
#   \mathbf{W}_{hh} + \mathbf{b}_h)`, and reads its predictions off each state with
#   :math:`\mathbf{O}_t = \mathbf{H}_t \mathbf{W}_{hq} + \mathbf{b}_q`; its size does
#   not grow with the length of the text.
# * A one-hot vector times a matrix is a row of the matrix: indexing an embedding
#   table gives the same numbers without building the one-hot tensor, faster, and
#   the gap grows with the vocabulary.
# * Clipping rescales the joint gradient to norm at most :math:`\theta`; ours equals
#   ``clip_grad_norm_``. Here it acted in the share of updates printed above.
# * Trained for two epochs, the scratch RNN's held-out perplexity is checked below
#   70 % of the bigram model's. Greedy generation continues a prefix with the
#   most likely character at each step, and so tends to repeat itself.

# %%
# Exercises
# ---------
#
# 1. Show that :math:`\mathbf{X}_t \mathbf{W}_{xh} + \mathbf{H}_{t-1}
#    \mathbf{W}_{hh}` equals one matrix product of the concatenation
#    :math:`[\mathbf{X}_t, \mathbf{H}_{t-1}]` with the stacked weights.
#
#    .. dropdown:: Answer
#
#       Block multiplication: :math:`[\mathbf{X}_t, \mathbf{H}_{t-1}]
#       \begin{bmatrix} \mathbf{W}_{xh} \\ \mathbf{W}_{hh} \end{bmatrix} =
#       \mathbf{X}_t \mathbf{W}_{xh} + \mathbf{H}_{t-1} \mathbf{W}_{hh}`. In code,
#       ``torch.cat((X, H), 1) @ torch.cat((W_xh, W_hh), 0)``. The recurrent layer
#       is therefore a fully connected layer whose input is the current token's
#       vector and the previous state side by side.
#
# 2. Does the trained model predict each character from *all* earlier characters
#    of the book? Which setting limits the history during training, and which
#    during evaluation?
#
#    .. dropdown:: Answer
#
#       No. In training, random partitioning starts every subsequence from a zero
#       state, so a prediction sees at most ``num_steps`` earlier characters.
#       Evaluation carries the state through each stream, so there a prediction
#       may depend on everything earlier in its stream, but the model was never
#       trained to use more than ``num_steps`` characters, and a tanh state
#       tends to forget (the next chapter's LSTM and GRU are built to remember
#       longer).
#
# 3. Replace the greedy choice in ``predict`` by sampling from
#    :math:`\operatorname{softmax}(\mathbf{o} / \tau)` with a temperature
#    :math:`\tau`. What do :math:`\tau = 1`, :math:`\tau \to 0` and large
#    :math:`\tau` give?
#
#    .. dropdown:: Hint
#
#       ``token = int(torch.multinomial(F.softmax(logits[0, -1] / tau, 0), 1))``.
#       :math:`\tau \to 0` is greedy decoding; :math:`\tau = 1` samples from the
#       model's distribution (more varied, more misspellings); large :math:`\tau`
#       tends to uniform characters.
#
# 4. Train without clipping (``clip_grads`` removed) with learning rate 0.01, then
#    with Adam's learning rate 0.1, with and without clipping. When does clipping
#    matter?
#
#    .. dropdown:: Hint
#
#       Record ``grad_norms`` in each run and plot them as on this page. With a
#       small learning rate the few large gradients do little harm; with a large
#       one a single unclipped spike can throw the model far off, and the
#       perplexity curve shows jumps.
#
# 5. (Programming) Replace tanh by ReLU in ``RNNScratch`` and train with and without
#    clipping, for one epoch each, with the same ``generator`` seed. Report the
#    held-out perplexity and the largest gradient norm of each run. Why might the
#    ReLU network need clipping more?
#
#    .. dropdown:: Hint
#
#       Only the line ``state = torch.tanh(...)`` changes (``torch.relu``).
#       A ReLU state is not bounded: if :math:`\mathbf{W}_{hh}` has an eigenvalue
#       above 1, the state and the gradient can grow exponentially with the number
#       of steps, whereas tanh keeps the state in :math:`(-1, 1)`.
