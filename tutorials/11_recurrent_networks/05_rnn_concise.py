"""
A recurrent network with nn.RNN
===============================

:doc:`04_rnn_from_scratch` wrote the recurrent layer as a Python loop over time
steps. PyTorch's ``nn.RNN`` computes the same recurrence with the loop inside the
library. This page builds the same character language model from ``nn.Embedding``,
``nn.RNN`` and ``nn.Linear``, copies the scratch model's weights into it to show
that both compute the same outputs and the same gradients, then trains both from
the same start on the same batches and compares their perplexity and speed.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * what ``nn.RNN`` computes: its weight layout, its two biases, its state
        shape and ``batch_first``
      * map the weights of a hand-written layer onto a library layer, and check
        outputs and gradients with ``torch.testing.assert_close``
      * a fair comparison: same weights at the start, same batch order, same
        budget; perplexity and tokens per second
      * where the speed difference comes from, measured over hidden sizes

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * the scratch RNN language model, clipping, perplexity and generation:
        :doc:`04_rnn_from_scratch` (kept as ``handson.recurrent`` and
        ``handson.language_models``)
      * the character split of The Time Machine and minibatches of subsequences:
        :doc:`02_text_sequences`, :doc:`03_language_models`
      * data: The Time Machine by H. G. Wells, as 28 characters
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# What nn.RNN computes
# --------------------
#
# The documentation of ``nn.RNN`` gives, for each step :math:`t` (we write its
# :math:`W_{hh}` as :math:`\mathbf{W}_{hh}'` to keep it apart from ours),
#
# .. math::
#
#    \mathbf{h}_t = \tanh(\mathbf{x}_t \mathbf{W}_{ih}^\top + \mathbf{b}_{ih} +
#    \mathbf{h}_{t-1} \mathbf{W}_{hh}^{\prime\top} + \mathbf{b}_{hh}).
#
# Compare it with the scratch layer, written for a batch of row vectors,
# :math:`\mathbf{H}_t = \tanh(\mathbf{X}_t \mathbf{W}_{xh} + \mathbf{H}_{t-1}
# \mathbf{W}_{hh} + \mathbf{b}_h)`:
#
# * **weight layout.** ``weight_ih_l0`` has shape ``(hidden_size, input_size)``,
#   the layout of ``nn.Linear``: it is :math:`\mathbf{W}_{xh}^\top`. Likewise
#   ``weight_hh_l0`` is :math:`\mathbf{W}_{hh}^\top` and the output layer's
#   ``weight`` is :math:`\mathbf{W}_{hq}^\top`.
# * **two biases.** ``bias_ih_l0`` and ``bias_hh_l0`` are always added together, so
#   only their sum matters: it plays :math:`\mathbf{b}_h`. (The layout follows
#   NVIDIA's cuDNN, which keeps one bias per matrix.) Copying :math:`\mathbf{b}_h`
#   into one and zeros into the other gives the same outputs; each of the two gets
#   the gradient of :math:`\mathbf{b}_h`.
# * **batch_first.** By default ``nn.RNN`` takes inputs of shape ``(num_steps,
#   batch, input_size)``; ``batch_first=True`` makes it ``(batch, num_steps,
#   input_size)``, the layout of our minibatches. The state is not affected: it is
#   always ``(num_layers * num_directions, batch, hidden_size)``, here
#   ``(1, batch, 128)``.
# * **outputs.** ``nn.RNN`` returns the hidden states of all steps (of the last
#   layer) and the last state of every layer, as our layer returns its outputs and
#   its last state.

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.nn import functional as F

import handson
from handson.language_models import generate, train_language_model
from handson.recurrent import RNNLMScratch
from handson.sequences import random_batches
from handson.text import time_machine

handson.seed(0)
device = handson.device()

vocab, train, valid = time_machine("char")
# quick mode (smoke tests) uses a slice of the book; the full run all of it
train = train[: handson.shrink(len(train), 15_000)]
valid = valid[: handson.shrink(len(valid), 5_000)]
V, num_embed, num_hiddens, batch_size, num_steps = len(vocab), 32, 128, 32, 35

# %%
# The concise model
# -----------------
#
# The same three parts as :class:`~handson.recurrent.RNNLMScratch`, each a
# ready-made module, with the convention ``net(X, state) -> (logits, state)``:


class RNNLM(nn.Module):
    """nn.Embedding -> nn.RNN (tanh) -> nn.Linear, time axis second."""

    def __init__(self, vocab_size, num_embed=32, num_hiddens=128):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, num_embed)
        self.rnn = nn.RNN(num_embed, num_hiddens, batch_first=True)
        self.linear = nn.Linear(num_hiddens, vocab_size)

    def forward(self, X, state=None):
        outputs, state = self.rnn(self.embedding(X), state)
        return self.linear(outputs), state


net = RNNLM(V, num_embed, num_hiddens).to(device)
for name, p in net.named_parameters():
    print(f"{name:22} {tuple(p.shape)}")

# %%
# Same weights, same outputs, same gradients
# ------------------------------------------
#
# Now the scratch model of :doc:`04_rnn_from_scratch`, with its own initialisation,
# and its weights copied into the concise one, transposed where the layouts
# differ:

handson.seed(1)
scratch = RNNLMScratch(V, num_embed, num_hiddens).to(device)


def copy_scratch_into(net, scratch):
    """Give the concise net the parameters of the scratch model."""
    with torch.no_grad():
        net.embedding.weight.copy_(scratch.E)
        net.rnn.weight_ih_l0.copy_(scratch.rnn.W_xh.T)
        net.rnn.weight_hh_l0.copy_(scratch.rnn.W_hh.T)
        net.rnn.bias_ih_l0.copy_(scratch.rnn.b_h)
        net.rnn.bias_hh_l0.zero_()
        net.linear.weight.copy_(scratch.W_hq.T)
        net.linear.bias.copy_(scratch.b_q)


copy_scratch_into(net, scratch)

# %%
# Two calls on consecutive chunks of text, the second starting from the state the
# first left (so the state is checked too), then one backward pass through both:

generator = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
X, Y = next(random_batches(train, batch_size, 2 * num_steps, generator))
X, Y = X.to(device), Y.to(device)


def two_chunks(model):
    model.zero_grad()
    logits1, state = model(X[:, :num_steps], None)
    logits2, state = model(X[:, num_steps:], state)
    logits = torch.cat((logits1, logits2), dim=1)
    F.cross_entropy(logits.reshape(-1, V), Y.reshape(-1)).backward()
    return logits, state


logits_s, state_s = two_chunks(scratch)
logits_c, state_c = two_chunks(net)
tol = dict(rtol=1e-5, atol=1e-5)
torch.testing.assert_close(logits_c, logits_s, **tol)
torch.testing.assert_close(state_c, state_s[None], **tol)  # (1, batch, hidden)
pairs = [
    (net.embedding.weight.grad, scratch.E.grad),
    (net.rnn.weight_ih_l0.grad, scratch.rnn.W_xh.grad.T),
    (net.rnn.weight_hh_l0.grad, scratch.rnn.W_hh.grad.T),
    (net.rnn.bias_ih_l0.grad, scratch.rnn.b_h.grad),
    (net.rnn.bias_hh_l0.grad, scratch.rnn.b_h.grad),  # each bias gets b_h's
    (net.linear.weight.grad, scratch.W_hq.grad.T),
    (net.linear.bias.grad, scratch.b_q.grad),
]
for g_concise, g_scratch in pairs:
    torch.testing.assert_close(g_concise, g_scratch, **tol)
largest = max(float((a - b).abs().max()) for a, b in pairs)
print(f"outputs, final states and all {len(pairs)} gradients agree; largest "
      f"gradient difference {largest:.1e}")

# %%
# The two models compute the same function with the same parameters; only the order
# of floating-point operations differs, which explains the tiny differences.
#
# Training both, on equal terms
# -----------------------------
#
# Both models start from the same weights (copied as above) and see the same
# batches in the same order (a generator with the same seed for each); both use
# the course's setting, the training loop of ``handson.language_models``
# (:doc:`04_rnn_from_scratch`) with Adam at learning rate 0.01, clipping at 1, and
# two epochs, the budget of the scratch page.
#
# .. note::
#
#    One difference remains, and it is instructive. With two biases whose sum acts
#    as one, Adam gives each the same gradient and so the same step: the sum
#    :math:`\mathbf{b}_{ih} + \mathbf{b}_{hh}` moves twice as far per update as the
#    scratch model's :math:`\mathbf{b}_h`. (With plain SGD the same happens: two
#    equal gradient steps.) The trajectories therefore drift apart, and the
#    comparison below is of two closely related runs, not of two identical
#    ones.

num_epochs = handson.epochs(2)
copy_scratch_into(net, scratch)
histories = {}
for name, model in [("scratch", scratch), ("nn.RNN", net)]:
    generator = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    histories[name] = train_language_model(
        model, train, valid, optimizer, num_epochs, batch_size, num_steps,
        clip=1.0, generator=generator)
    h = histories[name]
    for epoch in range(num_epochs):
        print(f"{name:>7} epoch {epoch + 1}: train perplexity "
              f"{h.train_perplexity[epoch]:.2f}, held-out "
              f"{h.valid_perplexity[epoch]:.2f}, "
              f"{h.tokens_per_sec[epoch]:,.0f} tokens/s")

# %%
# The comparison, at the end of training (speed as the mean over epochs):

ppl = {name: h.valid_perplexity[-1] for name, h in histories.items()}
speed = {name: sum(h.tokens_per_sec) / len(h.tokens_per_sec)
         for name, h in histories.items()}
print(f"held-out perplexity: scratch {ppl['scratch']:.2f}, "
      f"nn.RNN {ppl['nn.RNN']:.2f}")
print(f"training speed: scratch {speed['scratch']:,.0f} tokens/s, nn.RNN "
      f"{speed['nn.RNN']:,.0f} tokens/s ({speed['nn.RNN'] / speed['scratch']:.1f}"
      f" times the scratch speed)")
handson.check("held-out perplexity of nn.RNN relative to the scratch RNN",
              ppl["nn.RNN"] / ppl["scratch"], "<", 1.1)
for prefix in ("time traveller ", "the machine "):
    print(f"{'nn.RNN':>7}: {generate(net, vocab, prefix, 40)!r}")
    print(f"{'scratch':>7}: {generate(scratch, vocab, prefix, 40)!r}")

# %%
# Same data, same budget, same start: the concise model is checked not to be worse
# than the scratch one by more than 10 % in held-out perplexity, and the printed
# speeds show what the library's loop saves.
#
# Where the time goes
# -------------------
#
# Both models do the same arithmetic. The scratch layer launches a few small
# operations per time step from Python in the forward pass; ``nn.RNN`` runs its
# loop over time in PyTorch's C++ code (on an NVIDIA GPU, in the cuDNN library).
# On a CPU, ``nn.RNN`` still performs one matrix product and one tanh per step,
# and autograd records each of them as it does for the scratch loop, so the
# backward passes are alike; what it saves is the interpreter's overhead of the
# forward loop, not the matrix products, so how much it helps depends on how much
# arithmetic each step does. We time one training step (forward and backward) on
# the page's batch for a few hidden sizes, the best of a few repetitions:


def time_step(model, repeat):
    """Best time of one forward and backward pass on the batch X[:, :35]."""
    timer = handson.Timer()
    for _ in range(repeat):
        timer.start()
        logits, _ = model(X[:, :num_steps], None)
        F.cross_entropy(logits.reshape(-1, V), Y[:, :num_steps].reshape(-1)
                        ).backward()
        if device.type == "cuda":
            torch.cuda.synchronize()
        timer.stop()
    return min(timer.times)


sizes = [32, 128, 512]
repeat = handson.shrink(5, 2)
tokens = batch_size * num_steps
rates = {"scratch": [], "nn.RNN": []}
for h in sizes:
    rates["scratch"].append(
        tokens / time_step(RNNLMScratch(V, num_embed, h).to(device), repeat))
    rates["nn.RNN"].append(
        tokens / time_step(RNNLM(V, num_embed, h).to(device), repeat))
    print(f"hidden size {h:4}: scratch {rates['scratch'][-1]:9,.0f} tokens/s, "
          f"nn.RNN {rates['nn.RNN'][-1]:9,.0f} tokens/s, ratio "
          f"{rates['nn.RNN'][-1] / rates['scratch'][-1]:.1f}")

fig, ax = plt.subplots(figsize=(5.5, 3.6))
for name, r in rates.items():
    ax.plot(sizes, r, "o-", label=name)
ax.set(xscale="log", yscale="log", xlabel="hidden size",
       ylabel="tokens per second (forward + backward)",
       title="Scratch loop versus nn.RNN, batch 32 x 35")
ax.set_xticks(sizes, [str(s) for s in sizes])
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The printed ratios are measurements on the machine that built this page, with
# whatever else ran on it at the time, and they vary from run to run (the course's
# benchmarks measure speed properly, on an idle machine); no conclusion of this
# page rests on them. What does not vary: both models do the same arithmetic, so
# any gap is how the loop is run, not mathematics.
#
# Summary
# -------
#
# * ``nn.RNN`` computes :math:`\tanh(\mathbf{x}_t\mathbf{W}_{ih}^\top +
#   \mathbf{b}_{ih} + \mathbf{h}_{t-1}\mathbf{W}_{hh}^{\prime\top} + \mathbf{b}_{hh})`
#   with weights stored in ``nn.Linear``'s layout, transposed relative to our
#   formulas, and two biases whose sum is :math:`\mathbf{b}_h`;
#   ``batch_first=True`` puts the batch axis first, but the state stays
#   ``(num_layers, batch, hidden)``.
# * With the scratch model's weights copied in, ``nn.RNN`` gives the same outputs,
#   states and gradients to :math:`10^{-5}`.
# * Trained from the same start on the same batches for two epochs, the concise
#   model's held-out perplexity is checked to be at most 10 % above the scratch
#   model's; the speeds printed above show what the compiled loop saves.
# * Split biases are not free under Adam or SGD: the pair moves twice as fast as one
#   bias would.

# %%
# Exercises
# ---------
#
# 1. Why does a copy of :math:`\mathbf{b}_h` into ``bias_ih_l0`` and zeros into
#    ``bias_hh_l0`` give the same outputs as any other split with the same sum? Do
#    the two splits also give the same gradients?
#
#    .. dropdown:: Answer
#
#       The biases enter only through their sum, so the output is a function of
#       the sum. The gradient with respect to either bias is the gradient with
#       respect to the sum, whatever the split, so yes: both splits give the same
#       gradients (and the gradient of each equals that of :math:`\mathbf{b}_h`).
#
# 2. Drop ``batch_first=True`` from ``RNNLM`` without changing anything else. Does
#    the code still run? What does it compute?
#
#    .. dropdown:: Answer
#
#       It runs, silently wrong: ``nn.RNN`` now reads the first axis (the
#       sequences) as time and the second (the time steps) as the batch, so it
#       carries a state across different sequences and none along each sequence.
#       Shapes are no protection here; the equality check of this page would
#       catch it.
#
# 3. Set ``bias=False`` in ``nn.RNN`` and in the ``nn.Linear`` and train again. Is
#    the hidden bias needed here?
#
#    .. dropdown:: Hint
#
#       The embedding table can learn a constant offset for every token, which
#       :math:`\mathbf{W}_{xh}` carries into the hidden layer, so the input side
#       can stand in for :math:`\mathbf{b}_h` to a large degree. Compare the
#       held-out perplexities of the two runs with the same generator seed.
#
# 4. (Programming) Use ``nn.RNN(num_embed, num_hiddens, num_layers=2,
#    batch_first=True)``. What shape does the state have now? Write a scratch
#    two-layer model from two ``RNNScratch`` layers (the first layer's outputs are
#    the second layer's inputs), copy its weights into the ``nn.RNN`` (the second
#    layer's parameters end in ``_l1``), and check outputs and gradients as on this
#    page.
#
#    .. dropdown:: Hint
#
#       The state is ``(2, batch, hidden)``: the last state of each layer. In the
#       scratch model keep a tuple of two states and stack them for the
#       comparison. ``weight_ih_l1`` has shape ``(hidden, hidden)``, since the
#       second layer's inputs are the first layer's hidden states.
#       :doc:`../12_modern_recurrent_networks/03_deep_and_bidirectional` builds
#       deep recurrent networks.
