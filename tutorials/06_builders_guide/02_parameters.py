"""
Parameters
==========

Training a network means changing its parameters, so sooner or later we need to get
at them: read them to debug a model, count them to judge its size, use one layer's
weights in two places, and, before training starts, choose their values. This page
does all four on a small multilayer perceptron (MLP) fed with Fashion-MNIST images.
We walk through the ways PyTorch exposes parameters (``named_parameters``,
``state_dict``, ``.data``, ``.grad``), check a parameter count against its formula,
tie a layer to itself and verify that its gradient is the sum of the gradients of
its two uses, and initialise weights with ``torch.nn.init``, with ``net.apply``
and with a rule of our own, checking each time that the spread of the weights
matches the formula for it.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * read parameters, their values and their gradients, one layer at a time or
        all at once
      * count the parameters of a network and check the count against a formula
      * share (tie) parameters between layers, and why their gradients add up
      * initialise with ``nn.init.normal_``, ``zeros_``, ``constant_``,
        ``xavier_uniform_`` and ``net.apply``, or with a rule of your own
      * predict the standard deviation of initialised weights, and why hidden
        units that start alike (equal incoming and outgoing weights) stay alike

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`01_modules` (``nn.Module``, ``nn.Sequential``)
      * :doc:`../03_linear_regression/01_california_housing` (``nn.Linear``, a
        training loop)
      * :doc:`../02_preliminaries/05_autograd` (``backward()`` and ``.grad``)
      * data: Fashion-MNIST, test split (one batch of 256 images; nothing is
        trained)
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# A fully connected layer, ``nn.Linear(d_in, d_out)``, maps :math:`d_{\text{in}}`
# inputs to :math:`d_{\text{out}}` outputs with a weight matrix and a bias vector, so
# it has
#
# .. math::
#
#    d_{\text{in}} d_{\text{out}} + d_{\text{out}}
#    = (d_{\text{in}} + 1)\, d_{\text{out}}
#
# parameters, and a stack of such layers has the sum over its layers. Before
# training, every weight :math:`w` is drawn at random from a distribution we choose.
# Two families cover almost everything in this course: the normal distribution
# :math:`\mathcal{N}(0, \sigma^2)`, whose standard deviation is :math:`\sigma`, and
# the uniform distribution :math:`\mathcal{U}(-a, a)`, whose variance is
#
# .. math::
#
#    \operatorname{Var}[w] = \frac{1}{2a} \int_{-a}^{a} w^2 \, \mathrm{d}w
#    = \frac{a^2}{3},
#    \qquad \text{so} \qquad \operatorname{std}[w] = \frac{a}{\sqrt{3}}.
#
# The choice of :math:`a` is what distinguishes the standard schemes:
#
# * PyTorch's default for ``nn.Linear`` draws weights and biases from
#   :math:`\mathcal{U}(-a, a)` with :math:`a = 1 / \sqrt{d_{\text{in}}}`, so
#   :math:`\operatorname{std}[w] = 1 / \sqrt{3 d_{\text{in}}}`;
# * *Xavier* (or Glorot) uniform initialisation (Glorot and Bengio, 2010) uses
#   :math:`a = \sqrt{6 / (d_{\text{in}} + d_{\text{out}})}`, so
#   :math:`\operatorname{std}[w] = \sqrt{2 / (d_{\text{in}} + d_{\text{out}})}`.
#
# Both shrink the weights as the layer gets wider. A unit of the next layer adds up
# :math:`d_{\text{in}}` terms :math:`w_j x_j`; with independent zero-mean weights, the
# variance of that sum is :math:`d_{\text{in}} \operatorname{Var}[w] \,
# \mathbb{E}[x^2]`, and a variance proportional to :math:`1/d_{\text{in}}` keeps it
# from growing with the width. The chapter on numerical stability derives the Xavier
# scheme properly; here we check that the weights PyTorch draws have the spread these
# formulas predict.

import copy

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

import handson
from handson.data import load_fashion_mnist

handson.seed(0)
device = handson.device()
print(f"running on {device}")

# %%
# A network and a batch
# ---------------------
#
# The MLP of :doc:`01_modules`: 784 pixels in, 256 hidden units, 10 class scores out.
# As data, the first 256 test images of Fashion-MNIST, flattened, and their labels.

X_images, y_all = load_fashion_mnist("test")
batch_size = 256
X = X_images[:batch_size].reshape(batch_size, -1).to(device)
y = y_all[:batch_size].to(device)
num_inputs, num_hiddens, num_outputs = X.shape[1], 256, 10

net = nn.Sequential(nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                    nn.Linear(num_hiddens, num_outputs)).to(device)
default_weight = net[0].weight.detach().clone()  # for the initialisation section
print(net)
print("X:", tuple(X.shape), "| net(X):", tuple(net(X).shape))

# %%
# Accessing parameters
# --------------------
#
# One layer at a time
# ~~~~~~~~~~~~~~~~~~~
#
# ``nn.Sequential`` can be indexed like a list. Each layer's
# :meth:`~torch.nn.Module.state_dict` maps parameter names to values:

print(net[2].state_dict().keys())
print("bias of the output layer:", net[2].state_dict()["bias"])

# %%
# The attributes ``weight`` and ``bias`` are the parameters themselves. A
# :class:`torch.nn.Parameter` is a tensor that ``requires_grad`` and that a module
# registers as its own. ``.data`` is the plain tensor inside, without the autograd
# bookkeeping, and ``.grad`` holds the gradient, which does not exist before the
# first backward pass:

bias = net[2].bias
print("type:", type(bias).__name__, "| is a tensor:", isinstance(bias, torch.Tensor),
      "| requires_grad:", bias.requires_grad)
print("type of .data:", type(bias.data).__name__, "| shape:", tuple(bias.data.shape))
print("grad before backward:", bias.grad)
assert isinstance(bias, nn.Parameter) and bias.grad is None

# %%
# To get gradients we need a scalar that depends on the parameters. We use the
# cross-entropy loss of the class scores, :func:`torch.nn.functional.cross_entropy`
# (the classification chapter derives it; any scalar would do here). After
# ``backward()`` every parameter has a gradient of its own shape.

loss = F.cross_entropy(net(X), y)
loss.backward()
print(f"loss on the batch: {loss.item():.4f}")
for name, param in net.named_parameters():
    shape = str(tuple(param.shape))
    print(f"{name:9} value {shape:11} grad {tuple(param.grad.shape)}")
    assert param.grad.shape == param.shape

# %%
# All at once
# ~~~~~~~~~~~
#
# :meth:`~torch.nn.Module.named_parameters` (used above) walks the whole tree of
# modules and yields ``(name, parameter)`` pairs, the names joined with dots;
# :meth:`~torch.nn.Module.parameters` yields the parameters alone, which is what an
# optimiser takes. The network's ``state_dict()`` is the same information as an
# ordered dictionary of tensors (``torch.save`` writes exactly this), so a single
# parameter can also be looked up by name. The tensors in it are not copies: each
# entry is a detached view of the parameter's own memory, so it changes when the
# parameter changes.

state = net.state_dict()
print(list(state.keys()))
entry = state["2.bias"]
print("same memory as net[2].bias:", entry.data_ptr() == net[2].bias.data_ptr(),
      "| requires_grad:", entry.requires_grad)
assert entry.data_ptr() == net[2].bias.data_ptr() and not entry.requires_grad

# %%
# .. warning::
#
#    To keep a snapshot of the weights in memory (say, those of the best epoch so
#    far), copy them: ``copy.deepcopy(net.state_dict())``. A plain
#    ``best = net.state_dict()`` follows every later update of the parameters.

# %%
# Counting parameters
# ~~~~~~~~~~~~~~~~~~~
#
# The number of parameters is the sum of ``numel()`` (number of elements) over
# ``net.parameters()``. It has to match :math:`(d_{\text{in}} + 1)\, d_{\text{out}}`
# summed over the two layers:

num_params = sum(p.numel() for p in net.parameters())
formula = (num_inputs + 1) * num_hiddens + (num_hiddens + 1) * num_outputs
print(f"{num_params} parameters counted, {formula} by the formula")
print(f"of which the first layer holds {net[0].weight.numel() + net[0].bias.numel()}")
assert num_params == formula

# %%
# Changing values by hand
# ~~~~~~~~~~~~~~~~~~~~~~~
#
# To overwrite parameters, do it inside :class:`torch.no_grad`, which tells autograd
# not to record the change:

with torch.no_grad():
    net[0].weight[0, 0] = 42.0
print("net[0].weight[0, 0] =", net[0].weight[0, 0].item())
assert net[0].weight[0, 0].item() == 42.0

# %%
# .. warning::
#
#    Without ``torch.no_grad()`` PyTorch refuses, because a parameter is a leaf of
#    the autograd graph and an in-place change to it would have to be recorded. Old
#    code (and D2L) writes ``net[0].weight.data[0, 0] = 42`` instead, which also
#    works, but ``.data`` switches off autograd's safety checks altogether, so
#    newer code prefers ``torch.no_grad()``.

try:
    net[0].weight[0, 0] = 42.0
except RuntimeError as err:
    print("RuntimeError:", err)
else:
    raise AssertionError("the in-place change outside no_grad() was not refused")

# %%
# Tied parameters
# ---------------
#
# Sometimes two parts of a network should use the *same* weights: the input and
# output embeddings of a language model, or a layer applied several times, as in
# ``FixedHiddenMLP`` on :doc:`01_modules`. In PyTorch we tie parameters by using the
# same layer object twice. The layer ``shared`` below appears at positions 2 and 4.

shared = nn.Linear(8, 8)
net_tied = nn.Sequential(nn.Linear(num_inputs, 8), nn.ReLU(),
                         shared, nn.ReLU(),
                         shared, nn.ReLU(),
                         nn.Linear(8, num_outputs)).to(device)
print("same layer object:    ", net_tied[2] is net_tied[4])
print("same weight object:   ", net_tied[2].weight is net_tied[4].weight)
assert net_tied[2].weight is net_tied[4].weight

# %%
# There is only one weight tensor, so a change made through one position shows at
# the other. The container knows this: ``parameters()`` yields every tensor once,
# whereas the state dict lists the tensor under both names.

with torch.no_grad():
    net_tied[2].weight[0, 0] = 100.0
print("net_tied[4].weight[0, 0] =", net_tied[4].weight[0, 0].item())
assert net_tied[4].weight[0, 0].item() == 100.0

num_tied = sum(p.numel() for p in net_tied.parameters())
num_in_state = sum(t.numel() for t in net_tied.state_dict().values())
tied_formula = ((num_inputs + 1) * 8 + (8 + 1) * 8 + (8 + 1) * num_outputs)
print(f"parameters(): {len(list(net_tied.parameters()))} tensors, {num_tied} numbers "
      f"(formula, shared layer once: {tied_formula})")
print(f"state_dict(): {len(net_tied.state_dict())} entries, {num_in_state} numbers")
assert num_tied == tied_formula
assert num_in_state == num_tied + (8 + 1) * 8

# %%
# What does backpropagation do with a tied weight :math:`\mathbf{W}`? Pretend the
# two uses have weights of their own, :math:`\mathbf{W}_a` and
# :math:`\mathbf{W}_b`, both set equal to :math:`\mathbf{W}`. The loss depends on
# :math:`\mathbf{W}` through both, and the chain rule for a function of two
# arguments adds the two paths:
#
# .. math::
#
#    \frac{\partial L}{\partial \mathbf{W}}
#    = \frac{\partial L}{\partial \mathbf{W}_a}
#    + \frac{\partial L}{\partial \mathbf{W}_b}.
#
# We check this numerically. ``untied`` is a copy of ``net_tied`` in which position 4
# gets its own copy of the shared layer, with the same values. The two networks
# compute the same output; the tied gradient must equal the sum of the two untied
# ones.
#
# .. note::
#
#    :func:`copy.deepcopy` of the whole network keeps the tie (it copies the shared
#    layer once and uses the copy twice), so we untie position 4 explicitly.

untied = copy.deepcopy(net_tied)
assert untied[2] is untied[4]  # deepcopy kept the tie
untied[4] = copy.deepcopy(untied[2])  # now a separate layer with equal values
assert untied[2] is not untied[4]

F.cross_entropy(net_tied(X), y).backward()
F.cross_entropy(untied(X), y).backward()
torch.testing.assert_close(untied(X), net_tied(X))
grad_tied = net_tied[2].weight.grad
grad_a, grad_b = untied[2].weight.grad, untied[4].weight.grad
torch.testing.assert_close(grad_tied, grad_a + grad_b)
print("first use: ", grad_a[0, :3])
print("second use:", grad_b[0, :3])
print("tied:      ", grad_tied[0, :3])
print("tied gradient == sum of the gradients of the two uses")

# %%
# Initialisation
# --------------
#
# Built-in initialisers
# ~~~~~~~~~~~~~~~~~~~~~
#
# :mod:`torch.nn.init` holds functions that fill a tensor in place (hence the
# trailing underscore): :func:`~torch.nn.init.normal_`,
# :func:`~torch.nn.init.zeros_`, :func:`~torch.nn.init.constant_`,
# :func:`~torch.nn.init.xavier_uniform_` and more. To apply one to a whole network,
# write a function that takes a module and initialises it if it is of the right
# kind, and pass it to :meth:`~torch.nn.Module.apply`, which calls it on every
# module in the tree (the children first, then the network itself).
#
# For each scheme we store the first layer's weights, :math:`784 \cdot 256` draws,
# enough to measure a standard deviation to well under one per cent. The default
# initialisation was saved as ``default_weight`` right after ``net`` was created.

weights = {"default": default_weight}


def init_normal(module):
    """Weights from N(0, 0.01^2), biases zero."""
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, mean=0.0, std=0.01)
        nn.init.zeros_(module.bias)


net.apply(init_normal)
weights["normal"] = net[0].weight.detach().clone()
print("first weights:", net[0].weight.data[0, :4])
print("bias all zero:", bool((net[0].bias == 0).all()))
assert (net[0].bias == 0).all()

# %%
# Different layers can get different schemes: apply a function to a single layer.
# Following D2L, Xavier for the first layer and the constant 42 for the last:


def init_xavier(module):
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)


def init_42(module):
    if isinstance(module, nn.Linear):
        nn.init.constant_(module.weight, 42)


net[0].apply(init_xavier)
net[2].apply(init_42)
weights["xavier uniform"] = net[0].weight.detach().clone()
print("first layer:", net[0].weight.data[0, :4])
print("last layer: ", net[2].weight.data[0, :4])
assert (net[2].weight == 42).all()

# %%
# .. warning::
#
#    Do not initialise the hidden units of a layer so that they are
#    interchangeable. Two hidden units with the same incoming weights and bias
#    compute the same function of the input. If they also have the same outgoing
#    weights, they receive the same gradient, take the same step, and stay copies
#    of each other for ever: a layer of 256 units that behaves like one. Setting
#    every weight of the hidden layer to one constant does the first half; an
#    output layer whose weights do not depend on the hidden unit does the second.
#
# Here is such a network. The hidden layer gets the constant weight 0.001 and zero
# biases. The output layer keeps a random weight per class: we copy the first
# column of its default initialisation into every column, so each of the 256
# hidden units has the same outgoing weights. (A *constant* output layer, weight
# :math:`c` everywhere, would not do: the gradient reaching each hidden unit would be
# :math:`c \sum_k (p_k - y_k)`, summed over the classes :math:`k`, which is zero up
# to rounding because the predicted probabilities :math:`p_k` and the one-hot label
# :math:`y_k` both sum to 1. The hidden layer would get no gradient at all, and the
# symmetry we want to show would be hidden behind a gradient of zero.)
#
# ``nn.Linear`` stores its weight as ``(out_features, in_features)``, so hidden
# unit :math:`i` owns *row* :math:`i` of the first layer's weight (its incoming
# weights) and *column* :math:`i` of the output layer's weight (its outgoing
# weights). The claim is that the gradient has 256 identical rows in the first
# layer and 256 identical columns in the second, and that they are not zero.


def init_symmetric(net):
    """Hidden units all alike: constant incoming, equal outgoing weights."""
    with torch.no_grad():
        nn.init.constant_(net[0].weight, 0.001)
        nn.init.zeros_(net[0].bias)
        first_column = net[2].weight[:, :1].clone()  # one random value per class
        net[2].weight.copy_(first_column.expand(-1, net[2].in_features))


def max_rel_spread(G, dim):
    """Largest difference between the rows (dim=0) or columns (dim=1) of G,
    relative to G's largest entry."""
    first = G[:1] if dim == 0 else G[:, :1]
    return ((G - first).abs().max() / G.abs().max()).item()


net_const = nn.Sequential(nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                          nn.Linear(num_hiddens, num_outputs)).to(device)
init_symmetric(net_const)
F.cross_entropy(net_const(X), y).backward()
G_hidden = net_const[0].weight.grad  # (256, 784): row i belongs to hidden unit i
G_out = net_const[2].weight.grad  # (10, 256): column i belongs to hidden unit i
print(f"first layer:  largest |gradient| {G_hidden.abs().max():.3e}, "
      f"rows differ by at most {max_rel_spread(G_hidden, 0):.1e} of that")
print(f"output layer: largest |gradient| {G_out.abs().max():.3e}, "
      f"columns differ by at most {max_rel_spread(G_out, 1):.1e} of that")
handson.check("largest |gradient| entry of the constant first layer",
              G_hidden.abs().max(), ">", 1e-4, quick=True)
handson.check("relative spread between the first layer's gradient rows",
              max_rel_spread(G_hidden, 0), "<", 1e-5, quick=True)
handson.check("relative spread between the output layer's gradient columns",
              max_rel_spread(G_out, 1), "<", 1e-5, quick=True)

# %%
# Identical gradients mean identical steps, so the units stay alike. We train this
# network and a twin with PyTorch's default (random) initialisation for 50 steps
# of SGD on the batch and then count how many different hidden units each has,
# as the rank of the first layer's weight matrix: 1 if all rows are multiples of
# one row, 256 if they are linearly independent.


def train_steps(net, num_steps=50, lr=0.1):
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(num_steps):
        trainer.zero_grad()
        l = F.cross_entropy(net(X), y)
        l.backward()
        trainer.step()
    return l.item()


net_random = nn.Sequential(nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                           nn.Linear(num_hiddens, num_outputs)).to(device)
ranks, final_loss = {}, {}
for name, model in [("constant hidden layer", net_const), ("random", net_random)]:
    final_loss[name] = train_steps(model)
    ranks[name] = torch.linalg.matrix_rank(model[0].weight.detach()).item()
    print(f"{name:22} loss after 50 steps {final_loss[name]:.3f}, "
          f"rank of the first layer's weight {ranks[name]}")
handson.check("rank of the first layer trained from the symmetric start",
              ranks["constant hidden layer"], "==", 1, quick=True)
handson.check("rank of the first layer trained from a random start",
              ranks["random"], ">", 200, quick=True)
handson.check("loss after 50 steps, symmetric start minus random start",
              final_loss["constant hidden layer"] - final_loss["random"], ">", 0.5,
              quick=True)

# %%
# The symmetric network's weights did move (its gradient is not zero), yet after 50
# steps it still has one distinct hidden unit, and its loss stays far above that of
# the random twin. Random initialisation breaks the symmetry. (Dropout, in a later
# chapter, is another way.)
#
# Custom initialisation
# ~~~~~~~~~~~~~~~~~~~~~
#
# When ``nn.init`` has no function for what we want, we write one. D2L's example
# draws weights from the unusual distribution
#
# .. math::
#
#    w \sim \begin{cases}
#    \mathcal{U}(5, 10) & \text{with probability } \tfrac14, \\
#    0 & \text{with probability } \tfrac12, \\
#    \mathcal{U}(-10, -5) & \text{with probability } \tfrac14,
#    \end{cases}
#
# which is :math:`\mathcal{U}(-10, 10)` with every weight of absolute value below 5
# set to zero. Its standard deviation follows from the same integral as above,
# restricted to :math:`5 \le |w| \le 10`:
#
# .. math::
#
#    \operatorname{Var}[w] = \frac{1}{20} \cdot 2 \int_{5}^{10} w^2 \, \mathrm{d}w
#    = \frac{10^3 - 5^3}{30}.


def my_init(module):
    """D2L's custom init: U(-10, 10), then zero every weight with |w| < 5."""
    if isinstance(module, nn.Linear):
        print("init", *[(name, tuple(p.shape))
                         for name, p in module.named_parameters()])
        nn.init.uniform_(module.weight, -10, 10)
        with torch.no_grad():
            module.weight *= module.weight.abs() >= 5


net.apply(my_init)
weights["custom"] = net[0].weight.detach().clone()
w = weights["custom"]
frac_zero = (w == 0).float().mean().item()
print("first weights:", net[0].weight.data[0, :4])
print(f"weights set to zero: {frac_zero:.1%} (the distribution says 50%)")
assert ((w == 0) | (w.abs() >= 5)).all() and w.abs().max() <= 10
handson.check("distance of the share of zeros from 1/2", abs(frac_zero - 0.5),
              "<", 0.01, quick=True)

# %%
# Checking the spread against the formulas
# ----------------------------------------
#
# For every scheme we now compare the standard deviation of the 200,704 stored
# weights with the formula from the top of the page
# (:math:`d_{\text{in}} = 784`, :math:`d_{\text{out}} = 256` for the first layer).

d_in, d_out = num_inputs, num_hiddens
predicted = {
    "default": (1 / (3 * d_in)) ** 0.5,
    "normal": 0.01,
    "xavier uniform": (2 / (d_in + d_out)) ** 0.5,
    "custom": ((10**3 - 5**3) / 30) ** 0.5,
}
print(f"{'scheme':16}{'measured std':>14}{'formula':>10}{'ratio':>8}")
for scheme, W in weights.items():
    measured = W.std().item()
    ratio = measured / predicted[scheme]
    print(f"{scheme:16}{measured:14.5f}{predicted[scheme]:10.5f}{ratio:8.4f}")
    handson.check(f"relative error of the {scheme} std", abs(ratio - 1), "<", 0.01,
                  quick=True)

# %%
# The printed ratios are all close to 1. The uniform schemes also have a hard bound
# :math:`a`, which no weight may exceed:

bounds = {"default": 1 / d_in**0.5, "xavier uniform": (6 / (d_in + d_out)) ** 0.5}
for scheme, a in bounds.items():
    print(f"{scheme:16} max |w| = {weights[scheme].abs().max():.5f} <= a = {a:.5f}")
    assert weights[scheme].abs().max() <= a

# %%
# The histograms show the four distributions as densities, with the density that
# the formulas assume drawn on top. The three built-in schemes share the left axis
# and the same bins, so their widths can be compared directly; the custom one needs
# a far wider axis of its own.


def density(scheme, grid):
    """The density each scheme draws from (for custom: the part without the zeros)."""
    if scheme == "normal":
        return torch.exp(-grid**2 / (2 * 0.01**2)) / (0.01 * (2 * torch.pi) ** 0.5)
    if scheme == "custom":
        return ((grid.abs() >= 5) & (grid.abs() <= 10)).float() / 20
    a = predicted[scheme] * 3**0.5  # uniform U(-a, a): std a / sqrt(3)
    return (grid.abs() <= a).float() / (2 * a)


fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), width_ratios=[3, 2])
for k, scheme in enumerate(["default", "normal", "xavier uniform", "custom"]):
    values = weights[scheme].flatten().cpu()
    limit = 11.0 if scheme == "custom" else 0.085
    ax = axes[1] if scheme == "custom" else axes[0]
    bins = torch.linspace(-limit, limit, 171)
    # Each weight adds 1 / (count * bin width): the bars are a density. For custom we
    # drop the zeros but keep that normalisation, so the bars integrate to one half.
    per_weight = torch.full_like(values, 1 / (len(values) * (bins[1] - bins[0])))
    keep = values != 0 if scheme == "custom" else torch.ones_like(values, dtype=bool)
    ax.hist(values[keep], bins=bins, weights=per_weight[keep], histtype="stepfilled",
            alpha=0.35, color=f"C{k}", label=f"{scheme}, std {values.std():.3g}")
    grid = torch.linspace(-limit, limit, 1000)
    ax.plot(grid, density(scheme, grid), color=f"C{k}", lw=1.5)
axes[0].set_title("built-in schemes (shaded: measured, line: formula)", fontsize=10)
axes[0].legend(fontsize=9)
axes[1].set_title(f"custom: nonzero part ({frac_zero:.1%} zeros not drawn)",
                  fontsize=10)
for ax in axes:
    ax.set_xlabel("weight value")
    ax.set_ylabel("density")
fig.suptitle("First-layer weights (784 x 256) under four initialisations")
fig.tight_layout()
plt.show()

# %%
# Summary
# -------
#
# * ``net[i].weight``, ``.data`` and ``.grad`` give one layer's parameters, values and
#   gradients; ``named_parameters()`` and ``state_dict()`` give all of them by name.
# * A network of ``nn.Linear`` layers has :math:`\sum (d_{\text{in}} + 1)\,
#   d_{\text{out}}` parameters; ``sum(p.numel() for p in net.parameters())`` counts
#   them, each shared tensor once.
# * Using the same layer object twice ties its parameters; their gradient is the sum
#   of the gradients of the two uses.
# * ``nn.init`` functions and ``net.apply`` set initial values; a uniform
#   :math:`\mathcal{U}(-a, a)` has standard deviation :math:`a / \sqrt{3}`, and the
#   default and Xavier schemes scale :math:`a` with the layer widths.
# * Hidden units with equal incoming and equal outgoing weights get equal gradients
#   and stay copies of each other for ever: initialise at random.

# %%
# Exercises
# ---------
#
# 1. Compute the standard deviation of the first layer's pre-activations
#    ``net[0](X)`` on the image batch, once with the default initialisation and once
#    with ``init_normal``. Which is larger, and by how much? Use the variance
#    argument at the top of the page to predict the ratio.
#
#    .. dropdown:: Hint
#
#       Each pre-activation is :math:`\sum_j w_j x_j + b`. With independent
#       zero-mean weights its variance is about :math:`d_{\text{in}}
#       \operatorname{Var}[w] \, \overline{x^2}`, where :math:`\overline{x^2}` is the
#       mean squared pixel value (``(X**2).mean()``). Compare
#       :math:`d_{\text{in}} / (3 d_{\text{in}}) = 1/3` with
#       :math:`784 \cdot 0.01^2`: the variances should differ by about their ratio
#       (the default also draws a random bias, which adds a little).
#
# 2. Initialise only the *last* layer to a constant and leave the first one random.
#    Do the hidden units stay alike? And the other way round: a constant first layer
#    under a fully random last layer?
#
#    .. dropdown:: Answer
#
#       What matters is whether the hidden units are interchangeable, and unit
#       :math:`i` owns row :math:`i` of the first weight and *column* :math:`i` of
#       the last. With a random first layer the units compute different functions,
#       so the columns of the last layer's gradient (one per unit) differ, and after
#       one step the last layer is no longer constant: a constant last layer is
#       harmless. With a constant first layer and a random last layer, the units
#       start equal but have different outgoing weights, so the rows of the first
#       layer's gradient differ and the units separate too. Only when both the
#       incoming and the outgoing weights are alike, as in ``net_const``, do the
#       units stay copies (check it with ``torch.linalg.matrix_rank``).
#
# 3. ``net_tied.state_dict()`` lists the shared weight twice. What happens when you
#    load it into a fresh ``net_tied``-shaped network, and into an untied one?
#
#    .. dropdown:: Answer
#
#       Loading into a tied network copies the same values into the shared tensor
#       twice; harmless. Loading into an untied network fills both layers with the
#       same values, but they are then separate tensors and drift apart in
#       training: the tie lives in the structure of the code, not in the file.
#       (``torch.save`` stores the shared tensor once, since both entries point at
#       the same storage.)
#
# 4. **Programming task.** Write ``my_xavier_normal_(weight)`` that fills a weight of
#    shape ``(d_out, d_in)`` in place with draws from
#    :math:`\mathcal{N}(0, 2 / (d_{\text{in}} + d_{\text{out}}))`. Apply it to
#    ``net`` with ``net.apply``, check the measured standard deviation against the
#    formula, and check that with the same seed it gives exactly the weights of
#    :func:`torch.nn.init.xavier_normal_`.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def my_xavier_normal_(weight):
#              d_out, d_in = weight.shape
#              std = (2 / (d_in + d_out)) ** 0.5
#              with torch.no_grad():
#                  return weight.normal_(0.0, std)
#
#          net.apply(lambda m: my_xavier_normal_(m.weight)
#                    if isinstance(m, nn.Linear) else None)
#          print(net[0].weight.std().item(), (2 / (784 + 256)) ** 0.5)
#
#          a, b = torch.empty(256, 784), torch.empty(256, 784)
#          torch.manual_seed(1)
#          my_xavier_normal_(a)
#          torch.manual_seed(1)
#          nn.init.xavier_normal_(b)
#          torch.testing.assert_close(a, b)
