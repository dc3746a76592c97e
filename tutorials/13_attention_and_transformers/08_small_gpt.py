r"""
A small GPT from scratch
========================

The Transformer of :doc:`06_transformer` translates: an encoder reads the source,
a decoder writes the target. A *language model* needs only the second half. Drop the
encoder and the decoder's cross-attention, keep masked self-attention so that every
position sees only the positions before it, and train on plain text to predict the
next token: that is a *decoder-only* Transformer, the design of the GPT models. This
page writes one from scratch for characters, checks that its mask really hides the
future, trains it on *The Time Machine* against a plain RNN and an LSTM with the same
data, batches, sequence length, optimizer and number of updates, samples text from it
with a temperature and top-:math:`k`, and speeds up generation with a *key-value
cache* that is checked to give the same tokens.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the decoder-only Transformer: token and position embeddings, pre-norm
        blocks with causal multi-head self-attention, an output layer tied to the
        embedding
      * the causal mask, and a check that a future token cannot change earlier
        predictions
      * how it compares with an RNN and an LSTM on a small, equal budget
      * sampling with a temperature and top-:math:`k`, and their greedy limits
      * the key-value cache: why generation without it repeats work, and how much
        it saves

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * masked softmax and scaled dot-product attention:
        :doc:`02_scoring_functions`; multi-head attention:
        :doc:`04_multi_head_attention`; self-attention and positions:
        :doc:`05_self_attention_and_positional_encoding`; the Transformer
        decoder: :doc:`06_transformer`
      * the character language model, perplexity and the held-out split:
        :doc:`../11_recurrent_networks/04_rnn_from_scratch`; the LSTM:
        :doc:`../12_modern_recurrent_networks/01_lstm`
      * data: *The Time Machine* by H. G. Wells, as 28 characters, the course's
        split (the last 10 % held out)
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# A language model factorises the probability of a text as
# :math:`P(x_1, \ldots, x_T) = \prod_t P(x_t \mid x_1, \ldots, x_{t-1})`. An RNN
# squeezes the history into a state; a decoder-only Transformer instead lets the
# representation of position :math:`t` *attend* to the representations of all
# positions :math:`s \le t` directly. For a window of :math:`T` tokens with
# representations :math:`\mathbf{X} \in \mathbb{R}^{T \times d}`, one head computes
# :math:`\mathbf{Q} = \mathbf{X}\mathbf{W}_q`, :math:`\mathbf{K} =
# \mathbf{X}\mathbf{W}_k`, :math:`\mathbf{V} = \mathbf{X}\mathbf{W}_v` and
#
# .. math::
#
#    \operatorname{CausalAttention}(\mathbf{X}) = \operatorname{softmax}\!\left(
#    \frac{\mathbf{Q}\mathbf{K}^\top}{\sqrt{d_h}} + \mathbf{M}\right)\mathbf{V},
#    \qquad M_{ts} = \begin{cases} 0 & s \le t,\\ -\infty & s > t, \end{cases}
#
# where :math:`d_h` is the width of a head. The mask :math:`\mathbf{M}` gives every
# future key weight exactly zero, so the output at position :math:`t` depends on
# tokens :math:`1, \ldots, t` only, and one forward pass over the window makes
# :math:`T` predictions at once, each from its own prefix: the targets are the
# inputs shifted by one, as for the RNN. This is the mask of the Transformer
# decoder's self-attention (:doc:`06_transformer`); with
# :func:`handson.attention.masked_softmax` it is the valid length :math:`t` for
# query :math:`t`.
#
# With :math:`h` heads of width :math:`d_h = d / h`, the model is
#
# .. math::
#
#    \begin{aligned}
#    \mathbf{H}^{(0)}_t &= \mathbf{E}_{x_t} + \mathbf{P}_t
#      && \text{token embedding plus a learned position embedding,}\\
#    \mathbf{Z} &= \mathbf{H}^{(l-1)} + \operatorname{MultiHead}
#      (\operatorname{LN}(\mathbf{H}^{(l-1)}))
#      && \text{causal self-attention, residual,}\\
#    \mathbf{H}^{(l)} &= \mathbf{Z} + \operatorname{MLP}(\operatorname{LN}(\mathbf{Z}))
#      && \text{MLP } d \to 4d \to d \text{ with a GELU, residual,}\\
#    \mathbf{O} &= \operatorname{LN}(\mathbf{H}^{(L)})\, \mathbf{E}^\top
#      && \text{logits: the output layer reuses } \mathbf{E}.
#    \end{aligned}
#
# Three choices differ from the Transformer of :doc:`06_transformer`:
#
# * *Pre-normalisation*: the layer norm sits at the entrance of each branch, and the
#   residual stream :math:`\mathbf{H}` itself is never normalised until the end. D2L
#   notes that GPT-2 adopted pre-normalisation (the vision Transformer of
#   :doc:`07_vision_transformer` uses it too).
# * *Learned positions*: :math:`\mathbf{P}` is a trained table with one row per
#   position up to a maximum context ``max_len``, instead of sinusoids. The model
#   cannot read a window longer than the table.
# * *Tied output layer*: the logits are scores against the same vectors that embed
#   the tokens, which saves :math:`|\mathcal{V}| \times d` parameters (few here, with
#   28 characters; many with GPT-2's vocabulary of about 50,000 subword tokens).

import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.nn import functional as F

import handson
import handson.gpt
from handson.attention import masked_softmax
from handson.language_models import clip_gradients, evaluate_perplexity
from handson.sequences import random_batches
from handson.text import time_machine

handson.seed(0)
device = handson.device()

vocab, train, valid = time_machine("char")
train = train[: handson.shrink(len(train), 20_000)]  # quick mode: a slice of the book
valid = valid[: handson.shrink(len(valid), 5_000)]
V = len(vocab)
print(f"{V} tokens; {len(train):,} training and {len(valid):,} held-out characters")

# %%
# From scratch
# ------------
#
# Causal multi-head self-attention. One linear map produces queries, keys and values
# of all heads at once (a :math:`d \times 3d` matrix: the three maps side by side),
# the heads are split off as an extra axis, and the scores go through
# ``masked_softmax`` with valid length :math:`t` for query :math:`t`. The argument
# ``cache`` is for generation and is explained at the end of the page; the flag
# ``causal`` exists only to show, below, what goes wrong without the mask.


class CausalSelfAttention(nn.Module):
    def __init__(self, num_hiddens, num_heads):
        super().__init__()
        self.num_heads, self.causal = num_heads, True
        self.W_qkv = nn.Linear(num_hiddens, 3 * num_hiddens)
        self.W_o = nn.Linear(num_hiddens, num_hiddens)

    def forward(self, X, cache=None):
        b, T, d = X.shape
        # (b, T, 3d) -> (3, b, heads, T, d_h): queries, keys, values of every head
        Q, K, V = (self.W_qkv(X).view(b, T, 3, self.num_heads, d // self.num_heads)
                   .permute(2, 0, 3, 1, 4))
        if cache is not None:  # keys and values of earlier positions
            K, V = torch.cat((cache[0], K), dim=2), torch.cat((cache[1], V), dim=2)
        past = K.shape[2] - T
        scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])  # (b, h, T, past+T)
        # query t (0-based) may see keys 0 .. past + t: valid length past + t + 1
        lens = past + torch.arange(1, T + 1, device=X.device).expand(b, T)
        weights = masked_softmax(scores, lens if self.causal else None)
        out = (weights @ V).transpose(1, 2).reshape(b, T, d)  # heads side by side
        return self.W_o(out), (K, V)


# %%
# A block is a pre-norm attention branch and a pre-norm MLP branch, each added to
# the residual stream. The model adds the two embeddings, runs the blocks, and
# scores the final representations against the token embedding. The
# initialisation follows common GPT practice: normal weights with standard
# deviation 0.02, and the two maps that write into the residual stream (``W_o`` and
# the MLP's second layer) scaled down by :math:`\sqrt{2L}`, so that the stream's
# variance does not grow with the number of blocks.


class GPTBlock(nn.Module):
    def __init__(self, num_hiddens, num_heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(num_hiddens)
        self.attention = CausalSelfAttention(num_hiddens, num_heads)
        self.ln2 = nn.LayerNorm(num_hiddens)
        self.mlp = nn.Sequential(nn.Linear(num_hiddens, 4 * num_hiddens), nn.GELU(),
                                 nn.Linear(4 * num_hiddens, num_hiddens))

    def forward(self, X, cache=None):
        Y, cache = self.attention(self.ln1(X), cache)
        X = X + Y
        return X + self.mlp(self.ln2(X)), cache


class GPT(nn.Module):
    def __init__(self, vocab_size, num_hiddens, num_heads, num_layers, max_len):
        super().__init__()
        self.vocab_size, self.max_len = vocab_size, max_len
        self.token_embedding = nn.Embedding(vocab_size, num_hiddens)
        self.position_embedding = nn.Embedding(max_len, num_hiddens)
        self.blocks = nn.ModuleList(GPTBlock(num_hiddens, num_heads)
                                    for _ in range(num_layers))
        self.ln_f = nn.LayerNorm(num_hiddens)
        self.head = nn.Linear(num_hiddens, vocab_size, bias=False)
        self.head.weight = self.token_embedding.weight  # tied
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif p.dim() == 2:  # embeddings and linear weights; layer norms stay 1
                std = 0.02
                if name.endswith(("W_o.weight", "mlp.2.weight")):
                    std /= math.sqrt(2 * num_layers)
                nn.init.normal_(p, std=std)

    def forward_with_cache(self, X, cache=None):
        past = 0 if cache is None else cache[0][0].shape[2]
        if past + X.shape[1] > self.max_len:
            raise ValueError(f"{past + X.shape[1]} positions, the table has "
                             f"{self.max_len}")
        positions = torch.arange(past, past + X.shape[1], device=X.device)
        H = self.token_embedding(X) + self.position_embedding(positions)
        new_cache = []
        for i, block in enumerate(self.blocks):
            H, layer_cache = block(H, None if cache is None else cache[i])
            new_cache.append(layer_cache)
        return self.head(self.ln_f(H)), new_cache

    def forward(self, X, state=None):  # the course's LM convention; no state
        return self.forward_with_cache(X)[0], None


# %%
# The course's model: width :math:`d = 64`, 4 heads of 16, 2 blocks, a context of
# 64 characters. Its parameters, counted by hand: the two embedding tables
# (:math:`|\mathcal{V}| d + 64 d`), per block :math:`3d^2 + 3d` for queries, keys
# and values, :math:`d^2 + d` for ``W_o``, :math:`8d^2 + 5d` for the MLP and
# :math:`4d` for two layer norms, that is :math:`12 d^2 + 13 d`, then :math:`2d` for
# the final layer norm and nothing for the tied output layer.

num_hiddens, num_heads, num_layers, max_len = 64, 4, 2, 64
gpt = GPT(V, num_hiddens, num_heads, num_layers, max_len).to(device)
d = num_hiddens
by_hand = V * d + max_len * d + num_layers * (12 * d * d + 13 * d) + 2 * d
num_params = sum(p.numel() for p in gpt.parameters())  # a tied matrix counts once
assert num_params == by_hand, (num_params, by_hand)
X = valid[:2 * max_len].reshape(2, max_len).to(device)
logits, state = gpt(X, None)
assert logits.shape == (2, max_len, V) and state is None
print(f"{num_params:,} parameters (by hand: {by_hand:,}); logits "
      f"{tuple(logits.shape)}")

# %%
# The mask, checked
# -----------------
#
# If the mask works, changing the token at position 40 cannot change any prediction
# at positions 0 to 39, and changes those from 40 on. Without the mask (the
# ``causal`` flag off), the earlier predictions change too: the check can fail, and
# a model trained that way would learn to copy the next character, which it can see.


def future_leak(net, position=40):
    """Largest change of the logits before and from `position` when it changes."""
    X2 = X.clone()
    X2[:, position] = (X2[:, position] + 1) % V
    with torch.no_grad():
        change = (net(X, None)[0] - net(X2, None)[0]).abs()
    return float(change[:, :position].max()), float(change[:, position:].max())


before, after = future_leak(gpt)
print(f"causal mask:    earlier logits change by {before:.1e}, later by {after:.1e}")
assert before == 0.0 and after > 1e-4
for block in gpt.blocks:
    block.attention.causal = False
leak, _ = future_leak(gpt)
for block in gpt.blocks:
    block.attention.causal = True
print(f"no causal mask: earlier logits change by {leak:.1e}")
assert leak > 1e-4

# %%
# The earlier logits are *exactly* equal with the mask: a masked key gets weight 0,
# not a small number, so no trace of the future enters the sums.
#
# Training against an RNN and an LSTM
# ------------------------------------
#
# The competitors are the course's character models of
# :doc:`../12_modern_recurrent_networks/01_lstm`: an embedding of 32 numbers per
# character, ``nn.RNN`` or ``nn.LSTM`` with 128 hidden units, a linear head. All
# three models get the *same* budget: the same minibatches (32 random subsequences,
# drawn with the same generator seed for each model), the same number of updates,
# Adam with learning rate 0.01 and gradients clipped to norm 1. Two settings differ
# from chapters 11 and 12, for all three models alike:
#
# * subsequences of 64 characters instead of 35, because held-out text is scored
#   in windows of 64 (``evaluate_perplexity``'s default), and a model with a
#   position table must have seen every position it is scored on;
# * the learning rate rises linearly over the first 30 updates (*warm-up*), a
#   common remedy for the often erratic first steps of a Transformer trained with
#   Adam at its full rate; the recurrent models get the same schedule, so that the
#   optimizer stays the same for all three.
#
# Four epochs of 64-character windows are about 300 updates (the count is printed
# with the curves below). D2L trains nothing at this point (its section on large
# pretrained Transformers describes GPT without code); our budget is tiny by any
# Transformer standard, and the result below is about *this* budget.


class RNNLM(nn.Module):
    """Embedding, one recurrent layer (nn.RNN or nn.LSTM), linear head."""

    def __init__(self, rnn_class, vocab_size, num_hiddens=128, embed_size=32):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = rnn_class(embed_size, num_hiddens, batch_first=True)
        self.head = nn.Linear(num_hiddens, vocab_size)

    def forward(self, X, state=None):
        outputs, state = self.rnn(self.embedding(X), state)
        return self.head(outputs), state


batch_size, num_steps, lr, warmup = 32, 64, 0.01, 30
num_epochs = handson.epochs(4)
updates_per_epoch = (len(train) - 1) // num_steps // batch_size
num_updates = num_epochs * updates_per_epoch
eval_every = max(1, num_updates // 6)


def train_lm(net):
    """Train net for num_updates; held-out perplexity every eval_every updates."""
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup))
    generator = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
    curve, step, timer = [], 0, handson.Timer()
    while step < num_updates:
        for X, Y in random_batches(train, batch_size, num_steps, generator):
            X, Y = X.to(device), Y.to(device)
            timer.start()
            logits, _ = net(X, None)
            loss = F.cross_entropy(logits.reshape(-1, V), Y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            clip_gradients(net, 1.0)
            optimizer.step()
            schedule.step()
            timer.stop()
            step += 1
            if step % eval_every == 0 or step == num_updates:
                curve.append((step, evaluate_perplexity(net, valid)))
            if step == num_updates:
                break
    return curve, timer.sum()


results = {}
for name in ("RNN", "LSTM", "GPT"):
    handson.seed(0)
    if name == "GPT":
        net = GPT(V, num_hiddens, num_heads, num_layers, max_len)
    else:
        net = RNNLM(nn.RNN if name == "RNN" else nn.LSTM, V)
    net = net.to(device)
    curve, seconds = train_lm(net)
    results[name] = dict(net=net, curve=curve, seconds=seconds,
                         params=sum(p.numel() for p in net.parameters()))
    print(f"{name:4s}: {results[name]['params']:7,} parameters, "
          f"{seconds:5.1f} s of training; held-out perplexity after "
          + ", ".join(f"{step}: {p:.2f}" for step, p in curve) + " updates")
gpt = results["GPT"]["net"]
ppl = {name: r["curve"][-1][1] for name, r in results.items()}

# %%
# The baseline that every model must beat is the add-one bigram model of
# :doc:`../11_recurrent_networks/03_language_models`, counted on the same training
# text:

counts = torch.ones(V, V)
counts.index_put_((train[:-1], train[1:]), torch.ones(len(train) - 1),
                  accumulate=True)
log_probs = (counts / counts.sum(dim=1, keepdim=True)).log()
bigram_ppl = math.exp(-log_probs[valid[:-1], valid[1:]].mean())
print(f"add-one bigram: held-out perplexity {bigram_ppl:.2f}")

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for name, r in results.items():
    ax.plot(*zip(*r["curve"]), "o-", label=f"{name} ({r['params']:,} parameters)")
ax.axhline(bigram_ppl, color="gray", ls="--", label="add-one bigram")
ax.set(xlabel="update", ylabel="held-out perplexity", yscale="log",
       title="Same batches, optimizer and number of updates")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# What the numbers say (the perplexities along each curve are printed above). The
# recurrent models fall fast and end far below the bigram model. The GPT falls
# slowly: for about the first third of the budget it is no better than the bigram
# model, then it pulls below it, and it is still falling steeply late in the
# budget, where the recurrent models' curves are flattening. At this budget the
# recurrent models are clearly ahead; the ratios are printed and checked below:

print(f"held-out perplexity: RNN {ppl['RNN']:.2f}, LSTM {ppl['LSTM']:.2f}, "
      f"GPT {ppl['GPT']:.2f}, bigram {bigram_ppl:.2f}")
print(f"GPT / bigram {ppl['GPT'] / bigram_ppl:.2f}, GPT / LSTM "
      f"{ppl['GPT'] / ppl['LSTM']:.2f}; training time GPT / LSTM "
      f"{results['GPT']['seconds'] / results['LSTM']['seconds']:.1f}")
handson.check("LSTM held-out perplexity / bigram's", ppl["LSTM"] / bigram_ppl, "<",
              0.7)
handson.check("GPT held-out perplexity / bigram's", ppl["GPT"] / bigram_ppl, "<", 1.0)
handson.check("GPT held-out perplexity / LSTM's (recurrent ahead at 4 epochs)",
              ppl["GPT"] / ppl["LSTM"], ">", 1.25)

# %%
# Why would a Transformer lose here? Two likely reasons, both about this small
# budget and neither about Transformers in general. First, an RNN is built to look
# at the previous character: its update combines the new input with the state at
# every step. The GPT must *learn* where the previous characters are: its attention
# sees a set of positions, and which one is "just before" is only known through
# the position table, which starts random and has 64 rows to train. Second, the
# held-out measure reads each stream in windows of 64: the RNN carries its state
# across windows, the GPT starts every window with no context, so its first
# predictions in a window are made almost blind. What the Transformer buys is
# different: every position of a window is computed in parallel (no loop over
# time), and every earlier position is one attention step away, not a chain of
# state updates. The printed training times (GPT / LSTM) show what that
# parallelism is worth for models this small on the machine that built this page;
# :doc:`09_efficient_attention_and_scaling` measures what a larger model and more
# compute buy.
#
# .. note::
#
#    The GPT's curve has not flattened: train it for more updates (exercise 4)
#    before drawing conclusions about the architecture. The models also differ in
#    size (printed above); equal updates is not equal capacity or equal time.
#
# Sampling: temperature and top-:math:`k`
# ---------------------------------------
#
# Greedy decoding (:doc:`../11_recurrent_networks/04_rnn_from_scratch`) always takes
# the most likely character and tends to loop. *Sampling* draws the next token from
# the model's distribution, reshaped by a *temperature* :math:`\tau`,
#
# .. math::
#
#    P_\tau(x) = \frac{\exp(o_x / \tau)}{\sum_{x'} \exp(o_{x'} / \tau)},
#
# which sharpens the distribution for :math:`\tau < 1` and flattens it for
# :math:`\tau > 1`. As :math:`\tau \to 0` all mass goes to the largest logit:
# greedy decoding. *Top-*:math:`k` sampling keeps only the :math:`k` largest logits
# (the others get probability 0) before the softmax, cutting off the long tail of
# unlikely tokens that a temperature only thins; :math:`k = 1` is greedy again.


def sample(logits, temperature=1.0, top_k=None, generator=None):
    """One token per row of logits (batch, vocab); temperature 0 is greedy."""
    if temperature == 0 or top_k == 1:
        return logits.argmax(dim=-1)
    logits = logits / temperature
    if top_k is not None:
        kth = logits.topk(top_k, dim=-1).values[:, -1:]  # the k-th largest per row
        logits = logits.masked_fill(logits < kth, float("-inf"))
    return torch.multinomial(F.softmax(logits, dim=-1), 1,
                             generator=generator).squeeze(-1)


# the greedy limits, on the GPT's logits at every position of two windows
with torch.no_grad():
    rows = gpt(X, None)[0].reshape(-1, V)
greedy = rows.argmax(dim=-1)
tiny_t = sample(rows, temperature=1e-3, generator=torch.Generator().manual_seed(0))
top1 = sample(rows, temperature=1.0, top_k=1)
assert torch.equal(tiny_t, greedy) and torch.equal(top1, greedy)
top5 = torch.stack([sample(rows, 1.0, 5, torch.Generator().manual_seed(s))
                    for s in range(20)])
allowed = rows.topk(5, dim=-1).indices
assert (top5[..., None] == allowed).any(-1).all()  # never outside the top 5
print(f"{len(rows)} positions: temperature 1e-3 and top-1 give the greedy token at "
      f"every one; 20 top-5 draws per position never leave the top 5")

# %%
# Generation reads the prefix, then appends one sampled character at a time and
# feeds the text back in, keeping at most the last ``max_len`` characters (the
# position table's size). Two samples per setting, from the same prefix:


def generate(net, prefix, num_chars, temperature=0.0, top_k=None, generator=None):
    """prefix continued by num_chars sampled characters; no cache."""
    tokens = vocab[list(prefix)]
    net.eval()
    with torch.no_grad():
        for _ in range(num_chars):
            window = torch.tensor([tokens[-net.max_len:]], device=device)
            logits = net(window, None)[0][:, -1]
            tokens.append(int(sample(logits, temperature, top_k, generator)))
    net.train()
    return "".join(vocab.to_tokens(tokens))


prefix, num_chars = "the time traveller ", handson.shrink(80, 20)
settings = [("greedy", 0.0, None), ("temperature 0.5", 0.5, None),
            ("temperature 1.0", 1.0, None), ("temperature 1.0, top-5", 1.0, 5)]
samples = {}
for label, temperature, top_k in settings:
    generator = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
    samples[label] = [generate(gpt, prefix, num_chars, temperature, top_k, generator)
                      for _ in range(2)]
    for text in samples[label]:
        print(f"{label:>23}: {text[len(prefix):]!r}")
assert samples["greedy"][0] == samples["greedy"][1]  # no randomness at all
book_words = set("".join(vocab.to_tokens(train.tolist())).split())
for label, texts in samples.items():
    words = [w for text in texts for w in text[len(prefix):].split()[:-1]]
    real = sum(w in book_words for w in words) / max(1, len(words))
    print(f"{label:>23}: {real:.0%} of {len(words)} generated words occur in "
          f"the training text")

# %%
# Greedy decoding gives the same text twice; the sampled settings differ between
# draws. The lower the temperature, the closer sampling comes to greedy decoding
# and its repetitions; the higher, the more the model invents. Top-:math:`k` cuts
# the rarest characters from the draw. The share of generated words that occur
# in the book is a rough measure of misspelling, from two short samples per
# setting (the last, possibly unfinished, word of each left out), so it is noisy
# and not checked.
#
# A key-value cache for generation
# --------------------------------
#
# ``generate`` above recomputes the whole window for every new character: to emit
# character :math:`n + 1` it runs all blocks on :math:`n` positions, although the
# representations of the first :math:`n - 1` positions are exactly those of the
# previous step (the mask guarantees that a position never sees what comes later).
# Emitting :math:`n` characters thus processes about :math:`n^2/2` positions. The
# only thing a new position needs from the old ones is their keys and values in
# every layer. A *key-value cache* keeps them: each step feeds only the newest
# token, computes its query, key and value, appends the key and value to the cache
# and attends over all of them. That is what ``cache`` in our attention does; the
# position of the new token is the cache's length. (D2L's Transformer decoder,
# :doc:`06_transformer`, keeps a similar state for prediction: the *inputs* of each
# decoder block at earlier steps, from which it recomputes keys and values at every
# step; caching the keys and values themselves saves those projections too.)
#
# When the context reaches ``max_len`` the window must slide, every position
# shifts by one, and cached keys (computed with the old positions) become invalid;
# from then on we rebuild the cache from the window at each step, exactly what the
# version without cache computes.


def generate_cached(net, prefix, num_chars, temperature=0.0, top_k=None,
                    generator=None):
    """As generate, but each step feeds one token and reuses keys and values."""
    tokens, cache = vocab[list(prefix)], None
    net.eval()
    with torch.no_grad():
        for _ in range(num_chars):
            if cache is None:  # read the window once
                X_new = torch.tensor([tokens[-net.max_len:]], device=device)
            else:  # only the newest token
                X_new = torch.tensor([tokens[-1:]], device=device)
            logits, cache = net.forward_with_cache(X_new, cache)
            if cache[0][0].shape[2] == net.max_len:
                cache = None  # the table is full: slide the window next step
            tokens.append(int(sample(logits[:, -1], temperature, top_k, generator)))
    net.train()
    return "".join(vocab.to_tokens(tokens))


# %%
# First the cache must not change the result. Greedily, and sampling with the same
# generator seed, well past the 64 positions of the table:

for label, temperature, top_k in settings:
    texts = [f(gpt, prefix, handson.shrink(100, 50), temperature, top_k,
               torch.Generator().manual_seed(1))
             for f in (generate, generate_cached)]
    assert texts[0] == texts[1], label
print("with and without the cache: identical text for all four settings")

# %%
# Then its speed. Our model's table has 64 positions, too few to show how the
# costs grow, so we time an untrained GPT of the same width and depth with a table
# of 512 positions (speed does not depend on the weights), generating greedily
# from a one-character prefix:

long_gpt = GPT(V, num_hiddens, num_heads, num_layers, max_len=512).to(device)
lengths = [64, 128, 256] if not handson.is_quick() else [32, 64]
times = {}
for n in lengths:
    for f in (generate, generate_cached):
        runs = []
        for _ in range(3):  # the best of three: other programs slow some runs down
            timer = handson.Timer()
            timer.start()
            f(long_gpt, "t", n - 1)
            runs.append(timer.stop())
        times[n, f.__name__] = min(runs)
    print(f"{n:4d} characters: without cache {times[n, 'generate']:.3f} s, with "
          f"cache {times[n, 'generate_cached']:.3f} s, speed-up "
          f"{times[n, 'generate'] / times[n, 'generate_cached']:.1f}x")
speedups = [times[n, "generate"] / times[n, "generate_cached"] for n in lengths]
if all(b > a for a, b in zip(speedups, speedups[1:])):
    print("On this run the speed-up grows with the length of the text.")
else:
    print("On this run the speed-up does not grow steadily with the length: "
          "these timings are short, and noisy on a busy machine.")

# %%
# Without the cache the work per character grows with the length of the text
# (doubling the length would quadruple the total if the products dominated, and
# does less while per-step overhead is a large share);
# with it, each step handles one position, and the total grows roughly linearly,
# plus the attention over a growing cache. For short texts and a model this small
# much of each step is Python and per-operation overhead that the cache does not
# remove, so we expect modest speed-ups at 64 characters that grow with the
# length; the sentence printed above says whether this run shows it. The cache
# costs memory instead: two tensors of :math:`n \times d` numbers
# per layer per sequence, which for large models and long contexts is what limits
# how many sequences can be generated at once.
#
# What the course keeps
# ---------------------
#
# :mod:`handson.gpt` keeps this model as ``handson.gpt.GPT(vocab_size,
# num_hiddens=64, num_heads=4, num_layers=2, max_len=64, dropout=0.0,
# fused=True)``, with ``forward_with_cache``, plus ``sample_next`` (our
# ``sample``) and ``generate(net, vocab, prefix, num_chars, *, temperature=0.0,
# top_k=None, use_cache=True, generator=None)`` (both versions above in one),
# with errors for a
# context longer than the table or a bad temperature or :math:`k`. By default its
# attention is PyTorch's fused ``F.scaled_dot_product_attention``, which
# :doc:`09_efficient_attention_and_scaling` checks equal to ours and measures;
# ``fused=False`` computes it as on this page. With the same weights, both give
# our logits (to 1e-5), and the fused one, through ``generate``, our text:

for fused in (False, True):
    kept = handson.gpt.GPT(V, num_hiddens, num_heads, num_layers, max_len,
                           fused=fused).to(device)
    kept.load_state_dict(gpt.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(kept(X, None)[0], gpt(X, None)[0],
                                   atol=1e-5, rtol=1e-5)
text = handson.gpt.generate(kept, vocab, prefix, 40, temperature=1.0, top_k=5,
                            generator=torch.Generator().manual_seed(3))
assert text == generate_cached(gpt, prefix, 40, 1.0, 5, torch.Generator().manual_seed(3))
print("handson.gpt.GPT == this page's GPT (scratch and fused attention):", repr(text))

# %%
# Summary
# -------
#
# * A decoder-only Transformer embeds tokens and positions, runs pre-norm blocks of
#   causal multi-head self-attention and an MLP on a residual stream, and scores the
#   result against the token embedding; one pass over a window makes a prediction
#   at every position.
# * The causal mask gives future keys weight exactly 0: changing a later token
#   leaves every earlier logit bit-for-bit unchanged, checked, while without the
#   mask it does not.
# * With the same batches, optimizer and number of updates (four epochs of the
#   book), the small GPT beats the bigram model but trails the RNN and the LSTM
#   by far, likely because their recurrence is built to read the previous
#   characters while the GPT must learn where they are, and because the held-out
#   score gives it no context at the start of each window. Its curve is still
#   falling steeply late in the budget.
# * Temperature reshapes the distribution and top-:math:`k` truncates it; a
#   temperature near 0 and :math:`k = 1` are greedy decoding, checked.
# * A key-value cache makes each generation step process one position instead of
#   the whole context; it gives identical tokens, checked, and saves time that
#   grows with the length of the text (the speed-ups are printed, not checked).

# %%
# Exercises
# ---------
#
# 1. Count the multiply-adds of one forward pass of a block over a window of
#    :math:`T` positions. Which terms grow with :math:`T^2`, and for which
#    :math:`T` do they match the :math:`12 d^2` terms of the linear maps?
#
#    .. dropdown:: Answer
#
#       The linear maps cost :math:`12 d^2` per position (:math:`3d^2` for queries,
#       keys and values, :math:`d^2` for ``W_o``, :math:`8d^2` for the MLP), so
#       :math:`12 d^2 T` in all. The scores :math:`\mathbf{Q}\mathbf{K}^\top` and
#       the weighted sum of values cost :math:`d T^2` each, :math:`2 d T^2` (half
#       of it masked, but computed anyway by the scratch version). They match when
#       :math:`T = 6d`: 384 positions for :math:`d = 64`. Below that, the linear
#       maps dominate.
#
# 2. Why does the test of the mask change a token in the *middle* of the window,
#    and why must the earlier logits be exactly equal, not only close?
#
#    .. dropdown:: Answer
#
#       Changing the last token would test nothing about positions after it, and
#       changing the first would leave no earlier positions; the middle tests both
#       halves. Masked keys get weight exactly 0 after ``-inf`` in the softmax, and
#       the earlier positions' computations never read the changed token, so the
#       floating-point results are identical; a tiny difference would mean that
#       some information leaks.
#
# 3. The GPT is scored in windows of 64 that start without context, the RNN carries
#    its state across windows. Write a fairer score for the GPT: slide a window of
#    64 by 32 and count only the predictions in the second half of each window
#    (every one then has at least 32 characters of context). How much does the
#    GPT's perplexity change?
#
#    .. dropdown:: Hint
#
#       For each start ``s`` in ``range(0, len(valid) - 65, 32)``, feed
#       ``valid[s: s + 64]`` and add the cross-entropy of the logits at positions
#       32 to 63 against ``valid[s + 33: s + 65]``; treat the first window
#       entirely. The score costs twice the computation of the standard one.
#
# 4. (Programming) Train the GPT for four times as many updates, with the RNN and
#    the LSTM on the same longer budget, and plot the three held-out curves. Does
#    the order of the models change? Then try sinusoidal position encodings
#    (:doc:`05_self_attention_and_positional_encoding`) instead of the learned
#    table at the original budget.
#
#    .. dropdown:: Hint
#
#       Set ``num_epochs = 16`` and rerun the training cell (about four times as
#       long). For the sinusoids, replace ``self.position_embedding(positions)``
#       by rows of :class:`handson.attention.PositionalEncoding`'s table (its
#       ``P`` buffer) and drop the learned table; compare the curves at equal
#       updates, over more than one seed.
