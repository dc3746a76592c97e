"""
Layers and modules
==================

A linear model is a single layer; the networks in the rest of this course stack
dozens of them, reuse blocks of layers, and sometimes run loops inside the model.
Writing each network as one long function of its weights would be unreadable and
impossible to reuse. PyTorch organises models as *modules*: a module
(:class:`torch.nn.Module`) holds its parameters and says, in a ``forward`` method,
how it turns an input into an output. A single layer is a module, a block of layers
is a module, and the whole network is a module; modules nest inside each other. This
page builds a multilayer perceptron (MLP) three ways (as a subclass of ``nn.Module``,
with :class:`torch.nn.Sequential`, and with a ``Sequential`` written from scratch),
checks that all three compute the same function on a batch of Fashion-MNIST images,
and then writes modules whose ``forward`` runs ordinary Python control flow.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * write a model as a subclass of ``nn.Module`` with ``__init__`` and
        ``forward``
      * how assigning a layer to an attribute registers its parameters, and how a
        plain Python list loses them
      * build the same network with ``nn.Sequential`` and with a ``MySequential``
        of your own, and check that they agree
      * run loops, constants (buffers) and a reused layer inside ``forward``
      * nest modules and count their parameters layer by layer

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../03_linear_regression/01_california_housing` (``nn.Linear``, a
        training loop)
      * :doc:`../02_preliminaries/05_autograd` (``backward()`` and ``.grad``)
      * data: Fashion-MNIST, test split (one batch of 256 images is pushed through
        untrained networks; nothing is trained)
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# Take a batch of :math:`n` examples with :math:`d` features each, the rows of
# :math:`\mathbf{X} \in \mathbb{R}^{n \times d}`. An MLP with one hidden layer of
# :math:`h` units and :math:`q` outputs computes
#
# .. math::
#
#    \mathbf{H} = \operatorname{ReLU}(\mathbf{X} \mathbf{W}_1 + \mathbf{b}_1),
#    \qquad
#    \mathbf{O} = \mathbf{H} \mathbf{W}_2 + \mathbf{b}_2,
#
# with weights :math:`\mathbf{W}_1 \in \mathbb{R}^{d \times h}`,
# :math:`\mathbf{W}_2 \in \mathbb{R}^{h \times q}`, biases
# :math:`\mathbf{b}_1 \in \mathbb{R}^{1 \times h}`,
# :math:`\mathbf{b}_2 \in \mathbb{R}^{1 \times q}` (added to every row by
# broadcasting), and the rectified linear unit
# :math:`\operatorname{ReLU}(z) = \max(z, 0)` applied to every entry. The hidden
# representation :math:`\mathbf{H} \in \mathbb{R}^{n \times h}` is what the first layer
# hands to the second; :math:`\mathbf{O} \in \mathbb{R}^{n \times q}` holds one score
# per class and example. The network has
#
# .. math::
#
#    \underbrace{d h + h}_{\text{layer 1}} + \underbrace{h q + q}_{\text{layer 2}}
#
# parameters. Each of the three pieces, the two affine maps and the ReLU, is a
# function of its input, and so is their composition. A *module* is such a function
# together with the parameters it owns. It has to do three things:
#
# 1. hold its parameters, so that ``net.parameters()`` can hand them to an
#    optimiser, ``net.to(device)`` can move them, and ``net.state_dict()`` can save
#    them;
# 2. compute the output from the input: the ``forward`` method;
# 3. contain other modules, whose parameters then count as its own.
#
# Autograd (see :doc:`../02_preliminaries/05_autograd`) supplies the backward pass, so
# a module never needs to write one.
#
# .. note::
#
#    :class:`torch.nn.Linear` stores its weight as an ``(out_features, in_features)``
#    matrix, the transpose of :math:`\mathbf{W}_1`, and computes
#    ``X @ weight.T + bias``. The math is the same; only the storage differs.

import copy
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

import handson
from handson.data import FASHION_MNIST_CLASSES, load_fashion_mnist

handson.seed(0)
device = handson.device()
print(f"running on {device}")

# %%
# The data
# --------
#
# *Fashion-MNIST* (Xiao, Rasul and Vollgraf, 2017) holds 28 by 28 grayscale photos of
# clothing in 10 classes. We take the first 256 images of the test split and
# flatten each into a vector of :math:`d = 28 \cdot 28 = 784` pixel values, so
# that a batch is a matrix :math:`\mathbf{X}` with one image per row.

X_images, y_all = load_fashion_mnist("test")
batch_size = 256
X = X_images[:batch_size].reshape(batch_size, -1).to(device)  # (n, d)
y = y_all[:batch_size].to(device)
num_inputs, num_hiddens, num_outputs = X.shape[1], 256, len(FASHION_MNIST_CLASSES)
print("images:", tuple(X_images.shape), "-> batch X:", tuple(X.shape), X.dtype)
print("classes:", FASHION_MNIST_CLASSES)
assert X.shape == (batch_size, 784) and 0 <= X.min() and X.max() <= 1

# %%
# A custom module
# ---------------
#
# To write a module, subclass ``nn.Module`` and define two methods. ``__init__``
# creates the layers and assigns them to attributes; ``forward`` says how to combine
# them. The ReLU has no parameters, so it can be a plain function call,
# :func:`torch.nn.functional.relu`, inside ``forward``.


class MLP(nn.Module):
    """The MLP above: a hidden layer with ReLU, then an output layer."""

    def __init__(self, num_inputs, num_hiddens, num_outputs):
        super().__init__()  # sets up the registries for parameters and children
        self.hidden = nn.Linear(num_inputs, num_hiddens)  # W_1, b_1
        self.output = nn.Linear(num_hiddens, num_outputs)  # W_2, b_2

    def forward(self, X):
        H = F.relu(self.hidden(X))
        return self.output(H)


net = MLP(num_inputs, num_hiddens, num_outputs).to(device)
O = net(X)
print(net)
print("output O:", tuple(O.shape))
assert O.shape == (batch_size, num_outputs)

# %%
# We never told the module which tensors are its parameters, yet it knows them.
# ``nn.Module.__setattr__`` notices when an attribute is set to a module (or to an
# :class:`torch.nn.Parameter`) and records it under the attribute's name. Names of
# nested parameters are joined with dots:

for name, param in net.named_parameters():
    shape = str(tuple(param.shape))
    print(f"{name:15} {shape:12} requires_grad={param.requires_grad}")
num_params = sum(p.numel() for p in net.parameters())
d, h, q = num_inputs, num_hiddens, num_outputs
formula = d * h + h + h * q + q
print(f"parameters: {num_params} counted, {formula} by the formula d h + h + h q + q")
assert num_params == formula

# %%
# .. note::
#
#    Call the module, ``net(X)``, not ``net.forward(X)``. ``nn.Module.__call__`` runs
#    ``forward`` and also any *hooks* registered on the module (used by tools for
#    profiling, pruning or visualisation); calling ``forward`` directly skips them.
#
# .. warning::
#
#    ``super().__init__()`` must come first. It creates the dictionaries in which
#    ``__setattr__`` records parameters and submodules; assign a layer before it and
#    PyTorch stops you:


class Broken(nn.Module):
    def __init__(self):
        self.hidden = nn.Linear(4, 4)  # no super().__init__() yet
        super().__init__()


try:
    Broken()
except AttributeError as err:
    print("AttributeError:", err)

# %%
# What does an *untrained* network make of the images? Its weights are random (the
# default initialisation of ``nn.Linear``, the topic of the parameters page), so the
# hidden pre-activations are a random mix of pixels, centred near zero. The ReLU
# switches off the negative ones, and the output scores are small and about equal:
# the softmax turns them into nearly uniform class probabilities. The accuracy of
# such a guess is near chance, one in ten.

with torch.no_grad():
    Z = net.hidden(X)  # pre-activations, (n, h)
    H = F.relu(Z)
    P = F.softmax(net(X), dim=1)  # class probabilities, (n, q)
frac_off = (H == 0).float().mean().item()
acc = (P.argmax(dim=1) == y).float().mean().item()
print(f"hidden units switched off by the ReLU: {frac_off:.1%}")
p_max = P.max(dim=1).values.mean().item()
print(f"largest class probability, averaged over images: {p_max:.3f}"
      f" (uniform would be {1 / num_outputs:.3f})")
print(f"accuracy of the untrained network: {acc:.1%}")
handson.check("share of hidden units switched off", frac_off, ">", 0.3, quick=True)
handson.check("share of hidden units switched off", frac_off, "<", 0.7, quick=True)
handson.check("accuracy of the untrained network", acc, "<", 0.3, quick=True)

fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
axes[0].hist(Z.flatten().cpu(), bins=60, color="C0")
axes[0].set_title("hidden pre-activations $\\mathbf{XW}_1 + \\mathbf{b}_1$")
axes[1].hist(H.flatten().cpu(), bins=60, color="C1")
axes[1].set_yscale("log")
axes[1].set_title("after ReLU (log count)")
axes[2].bar(range(num_outputs), P.mean(dim=0).cpu(), color="C2")
axes[2].axhline(1 / num_outputs, color="k", ls="--", lw=1, label="uniform")
axes[2].set_xticks(range(num_outputs))
axes[2].set_xticklabels(FASHION_MNIST_CLASSES, rotation=60, ha="right", fontsize=8)
axes[2].set_title("mean softmax probability")
axes[2].set_ylim(0, 1.5 * P.mean(dim=0).max().item())
axes[2].legend(loc="upper right")
fig.suptitle(f"An untrained MLP on {batch_size} Fashion-MNIST images")
fig.tight_layout()
plt.show()

# %%
# ``nn.Sequential``
# -----------------
#
# Our ``forward`` only feeds each layer's output to the next. That pattern is so
# common that PyTorch has a container for it: :class:`torch.nn.Sequential` takes
# modules in order and chains them. The ReLU now has to be a module,
# :class:`torch.nn.ReLU`, so that it can sit in the chain. The layers are named by
# their position and can be indexed like a list.

net_seq = nn.Sequential(
    nn.Linear(num_inputs, num_hiddens), nn.ReLU(), nn.Linear(num_hiddens, num_outputs)
).to(device)
print(net_seq)
print("net_seq[0] is", net_seq[0])
print("parameter names:", list(net_seq.state_dict().keys()))

# %%
# ``net_seq`` drew its own random weights. To compare it with ``net`` we copy
# ``net``'s parameters in, renaming them to ``net_seq``'s names
# (:meth:`~torch.nn.Module.load_state_dict` checks that every name and shape
# matches). Then both compute the same function:

net_seq.load_state_dict({
    "0.weight": net.hidden.weight, "0.bias": net.hidden.bias,
    "2.weight": net.output.weight, "2.bias": net.output.bias,
})
torch.testing.assert_close(net_seq(X), net(X))
print("MLP and nn.Sequential agree on the batch; largest output difference:",
      (net_seq(X) - net(X)).abs().max().item())

# %%
# From scratch: ``MySequential``
# ------------------------------
#
# ``nn.Sequential`` is a short class. Its constructor registers each module under the
# name ``"0"``, ``"1"``, ... with :meth:`~torch.nn.Module.add_module`. Every
# ``nn.Module`` keeps its children in ``self._modules``, a plain Python ``dict`` from
# name to module; ``add_module(name, m)`` stores ``m`` there, and so does an
# assignment such as ``self.hidden = ...`` in ``MLP``, through ``__setattr__``. A
# ``dict`` keeps its insertion order, so ``forward`` can walk it in the order the
# layers were given. (``nn.Sequential.forward`` iterates over ``self``, which yields
# the same values. The leading underscore marks ``_modules`` as internal: code outside
# a module's own class uses :meth:`~torch.nn.Module.named_children` instead.)


class MySequential(nn.Module):
    """A from-scratch nn.Sequential: chain the given modules in order."""

    def __init__(self, *modules):
        super().__init__()
        for idx, module in enumerate(modules):
            self.add_module(str(idx), module)  # stored in self._modules[str(idx)]

    def forward(self, X):
        for module in self._modules.values():
            X = module(X)
        return X


my_net = MySequential(
    nn.Linear(num_inputs, num_hiddens), nn.ReLU(), nn.Linear(num_hiddens, num_outputs)
).to(device)
print("children:", list(my_net._modules.keys()))
print("parameter names:", list(my_net.state_dict().keys()))

# %%
# Because we used the same names as ``nn.Sequential``, ``net_seq``'s state dict loads
# into ``my_net`` unchanged, and the two give the same output:

my_net.load_state_dict(net_seq.state_dict())
torch.testing.assert_close(my_net(X), net_seq(X))
assert list(my_net.state_dict()) == list(net_seq.state_dict())
print("MySequential and nn.Sequential agree on the batch")

# %%
# .. warning::
#
#    Why not keep the layers in a plain Python list, ``self.layers = list(modules)``?
#    Because ``__setattr__`` only registers modules and parameters, not lists of them.
#    The layers still run, but the container does not know it has parameters: an
#    optimiser built from ``net.parameters()`` gets nothing to train,
#    ``net.to(device)`` leaves the layers where they were, and ``state_dict()``
#    saves nothing.


class ListSequential(nn.Module):
    """A broken container: the layers live in a plain Python list."""

    def __init__(self, *modules):
        super().__init__()
        self.layers = list(modules)

    def forward(self, X):
        for layer in self.layers:
            X = layer(X)
        return X


broken = ListSequential(nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                        nn.Linear(num_hiddens, num_outputs)).to(device)
print("output shape:", tuple(broken(X).shape), "| registered parameters:",
      len(list(broken.parameters())), "| state_dict keys:", list(broken.state_dict()))
assert len(list(broken.parameters())) == 0

# %%
# When you need a list of layers, use :class:`torch.nn.ModuleList` (or
# :class:`torch.nn.ModuleDict` for a dictionary): they are lists and dictionaries
# that register what you put in them.
#
# Python inside ``forward``
# -------------------------
#
# ``forward`` is ordinary Python, so it can do more than chain layers. The next
# module, adapted from D2L's ``FixedHiddenMLP``, does three unusual things:
#
# * it multiplies by a *constant* matrix :math:`\mathbf{C}` that is drawn once and
#   never trained;
# * it uses the same ``nn.Linear`` twice, so those parameters appear at two places in
#   the computation (*tied* weights, see :doc:`02_parameters`);
# * it halves its output in a ``while`` loop until the sum of absolute values
#   :math:`\sum_{i,j} |o_{ij}|` is at most 1, so the number of steps depends on the
#   data, and returns the sum of all entries, a scalar.
#
# With :math:`\mathbf{A}` for the shared layer,
#
# .. math::
#
#    \mathbf{O}_0 = \mathbf{A}\big(\operatorname{ReLU}(\mathbf{A}(\mathbf{X})
#    \mathbf{C} + 1)\big),
#    \qquad
#    \mathbf{O} = 2^{-k} \mathbf{O}_0 \text{ with the smallest } k \ge 0
#    \text{ such that } \textstyle\sum_{i,j} |o_{ij}| \le 1.
#
# The constant is stored with :meth:`~torch.nn.Module.register_buffer`. A *buffer* is
# a tensor the module owns but does not train: it moves with ``net.to(device)`` and
# is saved in ``state_dict()``, but ``net.parameters()`` does not list it.


class FixedHiddenMLP(nn.Module):
    """D2L's FixedHiddenMLP: a constant weight, a reused layer and a while loop."""

    def __init__(self, num_features=20):
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(num_features, num_features))
        self.linear = nn.Linear(num_features, num_features)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)  # the same layer again: shared parameters
        self.num_halvings = 0  # kept only so that we can print it
        while X.abs().sum() > 1:
            X = X / 2
            self.num_halvings += 1
        return X.sum()


fixed = FixedHiddenMLP().to(device)
print("parameters:", [name for name, _ in fixed.named_parameters()])
print("buffers:   ", [name for name, _ in fixed.named_buffers()])
print("state_dict:", list(fixed.state_dict()))
assert "rand_weight" in fixed.state_dict()
assert "rand_weight" not in dict(fixed.named_parameters())

# %%
# .. note::
#
#    D2L stores the constant as a plain attribute,
#    ``self.rand_weight = torch.rand(20, 20)``. That also keeps it out of training,
#    but a plain tensor attribute stays on the CPU when the module moves to a GPU,
#    and it is not saved with the model. ``register_buffer`` avoids both problems;
#    it is how :class:`torch.nn.BatchNorm2d` keeps its running averages.
#
# Nesting modules
# ---------------
#
# ``FixedHiddenMLP`` expects 20 features, not 784 pixels. Modules are
# interchangeable parts, so we put it behind others. ``NestMLP`` holds an
# ``nn.Sequential`` and a ``Linear`` as children; the outer ``nn.Sequential`` (D2L
# calls it the *chimera*) holds a ``NestMLP``, a ``Linear`` and a
# ``FixedHiddenMLP``. Every level is a module, and the outer one treats the inner ones
# exactly like layers.


class NestMLP(nn.Module):
    """A module whose children include an nn.Sequential."""

    def __init__(self, num_inputs):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(num_inputs, 64), nn.ReLU(),
                                 nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, X):
        return self.linear(self.net(X))


chimera = nn.Sequential(NestMLP(num_inputs), nn.Linear(16, 20), FixedHiddenMLP())
chimera = chimera.to(device)
print(chimera)

# %%
# The real images now flow through all three levels. The loop ran as many times as
# this batch needed. Halving is exact in floating point, so the sum of absolute
# values after :math:`k` halvings is exactly :math:`S_0 / 2^k`, with
# :math:`S_0 = \sum_{i,j} |(\mathbf{O}_0)_{ij}|`, and the loop stops at
# :math:`k = \max(0, \lceil \log_2 S_0 \rceil)`. We recompute :math:`\mathbf{O}_0`
# by hand, without the loop, and check the count. A single image contributes one row
# instead of 256, so its :math:`S_0` is smaller and it needs fewer halvings: the
# printed counts differ, and so do the computations that ran.


def expected_halvings(Z, fixed):
    """The loop count from the formula: Z is the input that reaches `fixed`."""
    with torch.no_grad():
        O_0 = fixed.linear(F.relu(fixed.linear(Z) @ fixed.rand_weight + 1))
        S_0 = O_0.abs().sum().item()
    return max(0, math.ceil(math.log2(S_0)))


fixed_part = chimera[2]
with torch.no_grad():
    Z = chimera[1](chimera[0](X))  # what reaches the FixedHiddenMLP, (n, 20)
out = chimera(X)
halvings_batch = fixed_part.num_halvings
out_one = chimera(X[:1])
halvings_one = fixed_part.num_halvings
print(f"batch of {batch_size}: output {out.item():.4f}, {halvings_batch} halvings "
      f"(formula: {expected_halvings(Z, fixed_part)})")
print(f"one image:        output {out_one.item():.4f}, {halvings_one} halvings "
      f"(formula: {expected_halvings(Z[:1], fixed_part)})")
assert halvings_batch == expected_halvings(Z, fixed_part)
assert halvings_one == expected_halvings(Z[:1], fixed_part)
handson.check("halvings for one image", halvings_one, "<", halvings_batch, quick=True)

# %%
# Autograd records the operations that actually ran, loop iterations included, so
# the backward pass needs no help. Every parameter gets a gradient, and the buffer
# gets none:

out.backward()
first_layer = chimera[0].net[0]
print("gradient of the first layer's weight:", tuple(first_layer.weight.grad.shape),
      "| finite:", bool(first_layer.weight.grad.isfinite().all()))
print("gradient of the buffer:", fixed_part.rand_weight.grad)
assert all(p.grad is not None for p in chimera.parameters())
assert fixed_part.rand_weight.grad is None

# %%
# The shared layer :math:`\mathbf{A}` receives gradient from *both* of its uses: its
# gradient is the sum of the gradients that two separate copies would get, one
# standing in for each use (:doc:`02_parameters` derives why). We rebuild the
# computation of ``FixedHiddenMLP`` with two copies, ``A_first`` and ``A_second``,
# on the same input ``Z`` and with the same number of halvings, and compare.

A_first = copy.deepcopy(fixed_part.linear)
A_second = copy.deepcopy(fixed_part.linear)
O_0 = A_second(F.relu(A_first(Z) @ fixed_part.rand_weight + 1))
(O_0 / 2**halvings_batch).sum().backward()
g_first, g_second = A_first.weight.grad, A_second.weight.grad
g_shared = fixed_part.linear.weight.grad
print(f"norm of the gradient from the first use:  {g_first.norm():.3e}")
print(f"norm of the gradient from the second use: {g_second.norm():.3e}")
print(f"norm of the shared layer's gradient:      {g_shared.norm():.3e}")
torch.testing.assert_close(g_shared, g_first + g_second)
assert g_first.norm() > 0 and g_second.norm() > 0
print("shared gradient == first use + second use")

# %%
# Where do the parameters live? ``named_modules`` walks the tree; we count the
# parameters that each module holds directly (``recurse=False``) and compare the
# total with the formula :math:`(d_{\text{in}} + 1)\, d_{\text{out}}` summed over the
# ``nn.Linear`` layers, :math:`d_{\text{in}}` and :math:`d_{\text{out}}` being each
# layer's input and output widths.

counts = {name: sum(p.numel() for p in module.parameters(recurse=False))
          for name, module in chimera.named_modules()}
counts = {name: c for name, c in counts.items() if c > 0}
for name, c in counts.items():
    print(f"{name:12} {c:7d}")
linears = [m for m in chimera.modules() if isinstance(m, nn.Linear)]
formula = sum((m.in_features + 1) * m.out_features for m in linears)
total = sum(p.numel() for p in chimera.parameters())
print(f"total {total} parameters; formula over the {len(linears)} Linear layers: "
      f"{formula}; the first layer holds {counts['0.net.0'] / total:.1%}")
assert total == sum(counts.values()) == formula

fig, ax = plt.subplots(figsize=(6.5, 3.4))
ax.bar(list(counts), list(counts.values()), color="C0")
ax.set_yscale("log")
ax.set_ylim(top=3 * max(counts.values()))
ax.set_ylabel("parameters (log scale)")
ax.set_xlabel("module (name from named_modules)")
ax.set_title("Parameters per layer of the chimera")
for i, c in enumerate(counts.values()):
    ax.text(i, c, f"{c:,}", ha="center", va="bottom", fontsize=9)
fig.tight_layout()
plt.show()

# %%
# The printed share shows the usual picture for an MLP on images: the first layer,
# which sees every pixel, holds almost all of the parameters.
#
# Summary
# -------
#
# * A module is a function with state: ``__init__`` creates the layers, ``forward``
#   computes the output, and autograd derives the backward pass.
# * Assigning a module or ``nn.Parameter`` to an attribute registers it; a plain
#   Python list does not (use ``nn.ModuleList``), and unregistered parameters are
#   invisible to optimisers, ``.to(device)`` and ``state_dict()``.
# * ``nn.Sequential`` chains modules; our ``MySequential`` does the same with
#   ``add_module`` and ``self._modules``, and loads the same state dict.
# * ``forward`` may hold loops, branches, reused layers and constant tensors
#   (buffers, via ``register_buffer``); autograd differentiates whatever ran.
# * Modules nest: a block of layers is used exactly like a single layer.

# %%
# Exercises
# ---------
#
# 1. Replace ``list(modules)`` in ``ListSequential`` by ``nn.ModuleList(modules)``.
#    Which of the printed checks change? What would happen if you trained the broken
#    version with ``torch.optim.SGD(broken.parameters(), lr=0.1)``?
#
#    .. dropdown:: Answer
#
#       With ``nn.ModuleList`` the three layers are registered: four parameters
#       appear, the state dict gets the keys ``layers.0.weight``, ...,
#       ``layers.2.bias``, and ``.to(device)`` moves them. The broken version does
#       not even get that far: ``SGD`` raises ``ValueError: optimizer got an empty
#       parameter list``. Worse is a model where *some* layers are registered and
#       others hide in a list: then the optimiser silently trains only part of it.
#
# 2. Can ``FixedHiddenMLP.forward`` loop for ever? Think of inputs that make
#    ``X.abs().sum()`` infinite or not a number.
#
#    .. dropdown:: Answer
#
#       If any entry is ``inf``, halving leaves it ``inf`` and the condition stays
#       true for ever. If any entry is ``nan``, the sum is ``nan``, ``nan > 1`` is
#       ``False``, and the loop stops at once and returns ``nan``. Loops whose length
#       depends on data need a guard (a maximum number of steps) in real code.
#
# 3. Swap the order of the ``NestMLP`` and the ``Linear(16, 20)`` in the chimera.
#    What error do you get, and which module raises it?
#
#    .. dropdown:: Answer
#
#       ``nn.Linear(16, 20)`` now receives the 784 pixels and raises
#       ``RuntimeError: mat1 and mat2 shapes cannot be multiplied (256x784 and
#       16x20)``. The traceback goes through ``Sequential.forward`` into
#       ``Linear.forward``. Chaining layers means matching each output width to the
#       next input width by hand; the lazy-initialisation page removes that chore.
#
# 4. Write a module ``Parallel(net1, net2)`` whose ``forward`` runs both networks on
#    the same input and concatenates their outputs along the feature dimension. Test
#    it with two ``MLP`` instances on the Fashion-MNIST batch and check the output
#    shape.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          class Parallel(nn.Module):
#              def __init__(self, net1, net2):
#                  super().__init__()
#                  self.net1, self.net2 = net1, net2  # both registered
#
#              def forward(self, X):
#                  return torch.cat([self.net1(X), self.net2(X)], dim=1)
#
#          par = Parallel(MLP(num_inputs, 64, 10), MLP(num_inputs, 32, 5)).to(device)
#          assert par(X).shape == (batch_size, 15)
#          print(sum(p.numel() for p in par.parameters()))
#
# 5. **Programming task.** Write ``make_deep(make_block, k)`` that calls
#    ``make_block()`` ``k`` times and chains the results in a ``MySequential``.
#    Build a network of ``k = 4`` blocks ``nn.Sequential(nn.Linear(32, 32),
#    nn.ReLU())``, check that it has exactly ``k`` times the parameters of one block,
#    and that its state dict keys look like ``"3.0.weight"``.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def make_deep(make_block, k):
#              return MySequential(*[make_block() for _ in range(k)])
#
#          def block():
#              return nn.Sequential(nn.Linear(32, 32), nn.ReLU())
#
#          deep = make_deep(block, 4)
#          one = sum(p.numel() for p in block().parameters())
#          assert sum(p.numel() for p in deep.parameters()) == 4 * one
#          assert "3.0.weight" in deep.state_dict()
#          print(deep(torch.randn(2, 32)).shape)
#
#       Calling ``make_block`` each time matters: ``MySequential(*[b] * 4)`` with a
#       single block object would chain the same layer four times, with tied
#       parameters and only a quarter of the parameters.
