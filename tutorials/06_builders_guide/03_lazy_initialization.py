"""
Lazy initialisation
===================

Every ``nn.Linear`` asks for its number of inputs, ``in_features``. For the first
layer of an MLP that is the number of pixels; for a layer that follows a stack of
convolutions and a flatten, it is a product of channel counts and image sizes that
has to be worked out by hand, and worked out again whenever the image size or the
stack changes. *Lazy* modules remove this chore: they are built without knowing
their input size, and create their weights when the first batch arrives, from the
shape of that batch. This page shows what a lazy layer looks like before and after
that first batch of Fashion-MNIST images, uses one to skip the arithmetic after a
convolution stack, writes a minimal lazy linear layer from scratch (checked against
``nn.Linear``), and walks through the two mistakes lazy layers invite: initialising
weights before they exist, and building the optimiser too early.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * build networks with :class:`torch.nn.LazyLinear` and let the first batch
        fix the shapes (a *dry run*)
      * recognise ``UninitializedParameter`` and what you cannot do with it
      * skip the ``in_features`` arithmetic after a flatten, for any image size
      * write a lazy linear layer from scratch and check it against ``nn.Linear``
      * the safe order: move to the device, dry run, initialise, then create the
        optimiser; and why the same seed gives other weights with lazy layers

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`02_parameters` (``named_parameters``, ``nn.init``, ``net.apply``)
      * :doc:`01_modules` (``nn.Module``, ``nn.Sequential``)
      * :doc:`../03_linear_regression/01_california_housing` (an optimiser and a
        training step)
      * data: Fashion-MNIST, test split (a batch of 256 images; one SGD step,
        no real training)
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# A fully connected layer with :math:`d_{\text{out}}` outputs computes
# :math:`\mathbf{X}\mathbf{W} + \mathbf{b}` with
# :math:`\mathbf{W} \in \mathbb{R}^{d_{\text{in}} \times d_{\text{out}}}`. The
# output width :math:`d_{\text{out}}` is a design choice, but the input width
# :math:`d_{\text{in}}` is not: it must equal the number of columns of whatever
# reaches the layer. For a batch :math:`\mathbf{X} \in \mathbb{R}^{n \times d}` the
# first layer needs :math:`d_{\text{in}} = d`, the second needs the first one's
# :math:`d_{\text{out}}`, and so on. All of it can be read off the first batch.
#
# *Lazy initialisation* (the title of the matching section of D2L 1.0, "Lazy
# Initialization") uses exactly that. A lazy layer is created with
# :math:`d_{\text{out}}` only. Its weight is a placeholder until the first call;
# then it reads :math:`d_{\text{in}}` from the last dimension of its input, creates
# :math:`\mathbf{W}` and :math:`\mathbf{b}`, and draws their initial values with the
# usual default, :math:`\mathcal{U}(-1/\sqrt{d_{\text{in}}},
# 1/\sqrt{d_{\text{in}}})` (see :doc:`02_parameters`). A layer deeper in the network
# is called with the output of the layers before it, so one forward pass fixes every
# shape in order. That first pass, whose only purpose is to create the parameters,
# is called a *dry run*.

import math
import re
import textwrap

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

import handson
from handson.data import load_fashion_mnist

handson.seed(0)
device = handson.device()
print(f"running on {device}")


def expect_error(error_type, action):
    """Run action(); it must raise error_type. Print the whole message, return it."""
    try:
        action()
    except error_type as err:
        message = re.sub(r" at 0x[0-9a-f]+", "", str(err))  # drop memory addresses
        print(textwrap.fill(f"{error_type.__name__}: {message}", 86))
        return message
    raise AssertionError(f"expected a {error_type.__name__}, but none was raised")


X_images, y_all = load_fashion_mnist("test")
batch_size = 256
X = X_images[:batch_size].reshape(batch_size, -1).to(device)  # (n, d) = (256, 784)
y = y_all[:batch_size].to(device)
print("X:", tuple(X.shape))

# %%
# ``nn.LazyLinear``: before and after the first batch
# ---------------------------------------------------
#
# The MLP of the previous pages, but without a single input size:

net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10)).to(device)
print(net)

# %%
# ``in_features=0`` means "not known yet". The parameters exist as objects, so
# ``named_parameters`` lists them, but they are of class
# :class:`torch.nn.parameter.UninitializedParameter`: no shape, no values.


def describe(net):
    """Print each parameter's class and shape (if it has one yet)."""
    for name, param in net.named_parameters():
        lazy = isinstance(param, nn.parameter.UninitializedParameter)
        shape = "unknown" if lazy else tuple(param.shape)
        print(f"  {name:9} {type(param).__name__:24} shape {shape}")


print("before the first batch:")
describe(net)
assert all(isinstance(p, nn.parameter.UninitializedParameter)
           for p in net.parameters())
assert net[0].has_uninitialized_params()

# %%
# Almost anything that needs the values fails, with a message that says what to do.
# Counting parameters is one such thing. The small helper ``expect_error`` runs an
# action that must fail: it prints the whole message, and it stops the page if no
# error comes, so the claim "this fails" is checked, not just shown.

message = expect_error(ValueError, lambda: sum(p.numel() for p in net.parameters()))
assert "dummy batch" in message

# %%
# The last sentence of the message is the advice: call ``forward`` with a dummy
# batch first. That is the dry run.
#
# Here it is: one forward pass with a batch of real images. Afterwards every
# parameter has a shape, the module has even changed its class to plain
# ``nn.Linear``, and the count matches the formula for a 784-256-10 MLP.

net(X)
print("after the first batch:")
describe(net)
print("class of net[0]:", type(net[0]).__name__, "| in_features:", net[0].in_features)
num_params = sum(p.numel() for p in net.parameters())
formula = (X.shape[1] + 1) * 256 + (256 + 1) * 10
print(f"{num_params} parameters, formula (d + 1) * 256 + (256 + 1) * 10 = {formula}")
assert type(net[0]) is nn.Linear and net[0].weight.shape == (256, X.shape[1])
assert not any(isinstance(p, nn.parameter.UninitializedParameter)
               for p in net.parameters())
assert num_params == formula

# %%
# .. note::
#
#    The first batch fixes the shapes for good. A later batch of another width is an
#    error (exercise 1), just as for a network built with ``nn.Linear``.
#    PyTorch's documentation also asks for the order *device and dtype first, then
#    the dry run*: ``net.to(device)`` before the first batch, and that batch on the
#    same device, as above.
#
# Why bother: a flatten after convolutions
# ----------------------------------------
#
# With two layers of an MLP the input width is easy. It is not after convolutions,
# the layers of the CNN chapter. For now we only need one fact about them: a
# convolution with a :math:`k \times k` kernel and padding :math:`p` turns an image
# of side :math:`s` into one of side :math:`s + 2p - k + 1`, and a
# :math:`2 \times 2` max-pooling halves the side, rounding down. The network below,
# in the style of LeNet (LeCun et al., 1998), ends in fully connected layers after
# :class:`torch.nn.Flatten`; the first of them receives
#
# .. math::
#
#    d_{\text{in}} = 16 \cdot s_2^2, \qquad
#    s_1 = \lfloor (s + 2 \cdot 2 - 5 + 1) / 2 \rfloor, \quad
#    s_2 = \lfloor (s_1 - 5 + 1) / 2 \rfloor
#
# features for input images of side :math:`s` (16 is the number of channels of the
# last convolution). With lazy layers we never write that formula in the model.


def lenet():
    """LeNet with lazy fully connected layers: no in_features anywhere."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.LazyLinear(120), nn.ReLU(),
        nn.LazyLinear(84), nn.ReLU(),
        nn.LazyLinear(10))


def flat_features(s):
    """The formula above: features after the flatten for images of side s."""
    s1 = (s + 2 * 2 - 5 + 1) // 2
    s2 = (s1 - 5 + 1) // 2
    return 16 * s2 * s2


cnn = lenet().to(device)
X_28 = X_images[:batch_size].to(device)  # (256, 1, 28, 28), not flattened
print("output:", tuple(cnn(X_28).shape))
print("first dense layer:", cnn[7])
assert cnn[7].in_features == flat_features(28)

# %%
# The same code handles other image sizes. Padding the images with a border of 2
# black pixels gives 32 by 32 images, the size of LeNet's original input; a fresh
# network adapts without a change:

X_32 = F.pad(X_28, (2, 2, 2, 2))
cnn_32 = lenet().to(device)
cnn_32(X_32)
print("32 x 32 images -> first dense layer:", cnn_32[7])
assert cnn_32[7].in_features == flat_features(32)

# %%
# How much arithmetic did that save? We dry-run a fresh LeNet for every image side
# from the smallest one the network accepts up to 64, read off ``in_features`` and
# the total number of parameters, and compare with the formula. The dense part
# grows with the square of the side, in steps of four because of the two
# poolings; the printed shares show it holding nearly all of the parameters.

sides = list(range(12, handson.shrink(64, 28) + 1))
inferred, conv_params, dense_params = [], [], []
for s in sides:
    model = lenet().to(device)
    with torch.no_grad():
        model(torch.zeros(1, 1, s, s, device=device))
    inferred.append(model[7].in_features)
    conv_params.append(sum(p.numel() for p in model[:6].parameters()))
    dense_params.append(sum(p.numel() for p in model[7:].parameters()))
assert inferred == [flat_features(s) for s in sides]
print(f"sides {sides[0]}..{sides[-1]}: in_features from {inferred[0]} to "
      f"{inferred[-1]}, all equal to the formula")
for s in [28, sides[-1]]:
    i = sides.index(s)
    share = dense_params[i] / (conv_params[i] + dense_params[i])
    print(f"side {s}: {conv_params[i]} parameters in the convolutions, "
          f"{dense_params[i]} in the dense layers ({share:.1%})")
    assert share > 0.9

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].plot(sides, [flat_features(s) for s in sides], "k-", lw=1, label="formula")
axes[0].plot(sides, inferred, "o", ms=4, color="C0", label="inferred by LazyLinear")
axes[0].axvline(28, color="C3", ls=":", label="Fashion-MNIST (28)")
axes[0].set_xlabel("image side $s$ (pixels)")
axes[0].set_ylabel("in_features of the first dense layer")
axes[0].set_title("What a lazy layer works out for you")
axes[0].legend()
axes[1].semilogy(sides, dense_params, "o-", ms=3, color="C0", label="dense layers")
axes[1].semilogy(sides, conv_params, "-", color="C1", label="convolutions")
axes[1].axvline(28, color="C3", ls=":")
axes[1].set_xlabel("image side $s$ (pixels)")
axes[1].set_ylabel("parameters (log scale)")
axes[1].set_title("Parameters of LeNet by part")
axes[1].legend(loc="upper left")
fig.tight_layout()
plt.show()

# %%
# From scratch: a lazy linear layer
# ---------------------------------
#
# A lazy layer needs only a few lines. The weight and bias start as ``None``,
# registered with :meth:`~torch.nn.Module.register_parameter` so that the module
# knows the names; the first call creates them with the input's width, device and
# dtype, and draws them from the same distribution as ``nn.Linear``.


class MyLazyLinear(nn.Module):
    """A linear layer that creates its weight on the first call."""

    def __init__(self, out_features):
        super().__init__()
        self.out_features = out_features
        self.register_parameter("weight", None)  # unknown until the first batch
        self.register_parameter("bias", None)

    def reset_parameters(self):
        """nn.Linear's default: U(-1/sqrt(d_in), 1/sqrt(d_in)), weight then bias."""
        bound = 1 / math.sqrt(self.weight.shape[1])
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)
            self.bias.uniform_(-bound, bound)

    def forward(self, X):
        if self.weight is None:  # the dry run
            d_in = X.shape[-1]
            self.weight = nn.Parameter(
                torch.empty(self.out_features, d_in, device=X.device, dtype=X.dtype))
            self.bias = nn.Parameter(
                torch.empty(self.out_features, device=X.device, dtype=X.dtype))
            self.reset_parameters()
        return X @ self.weight.T + self.bias


# %%
# Check: with the same seed, an ``nn.Linear(784, 10)`` and our layer after one batch
# must hold the same numbers and compute the same outputs. (``nn.Linear`` reaches
# the same bound through ``kaiming_uniform_``; both draw the weight first, then the
# bias.)

handson.seed(1)
ref = nn.Linear(X.shape[1], 10).to(device)
handson.seed(1)
mine = MyLazyLinear(10).to(device)
print("before:", dict(mine.named_parameters()))
out_mine = mine(X)
print("after: ", {name: tuple(p.shape) for name, p in mine.named_parameters()})
torch.testing.assert_close(mine.weight, ref.weight)
torch.testing.assert_close(mine.bias, ref.bias)
torch.testing.assert_close(out_mine, ref(X))
print("MyLazyLinear equals nn.Linear: largest weight difference",
      (mine.weight - ref.weight).abs().max().item(), "| largest output difference",
      (out_mine - ref(X)).abs().max().item())

# %%
# Pitfall 1: initialising before the dry run
# ------------------------------------------
#
# A custom initialisation (:doc:`02_parameters`) needs values to overwrite, and
# before the dry run there are none. Applied too early, it fails loudly if it checks
# the layer with ``isinstance``:


def init_xavier(module):
    if isinstance(module, nn.Linear):  # LazyLinear is a subclass of Linear
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10)).to(device)
expect_error(ValueError, lambda: net.apply(init_xavier))

# %%
# and, worse, silently if it checks with ``type(module) == nn.Linear``, a test D2L
# and much code on the web use. Before the dry run the class is ``LazyLinear``, so
# the test is false, nothing happens, and after the dry run the network has
# PyTorch's default weights, not the ones we asked for:


def init_xavier_by_type(module):
    if type(module) == nn.Linear:  # noqa: E721 (false for LazyLinear)
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


net.apply(init_xavier_by_type)  # no error...
net(X)
bias_zero = bool((net[0].bias == 0).all())
print("after the dry run, are the biases zero as requested?", bias_zero)
assert not bias_zero  # ...and no effect

# %%
# The fix is the order: dry run first, then initialise.

net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10)).to(device)
net(X)  # dry run: the parameters now exist
net.apply(init_xavier)
bound = math.sqrt(6 / (X.shape[1] + 256))
print(f"after dry run + init: biases zero: {bool((net[0].bias == 0).all())}, "
      f"max |w| = {net[0].weight.abs().max():.4f} <= Xavier bound {bound:.4f}")
assert (net[0].bias == 0).all() and net[0].weight.abs().max() <= bound

# %%
# Pitfall 2: the optimiser before the dry run
# -------------------------------------------
#
# An optimiser receives ``net.parameters()`` when it is created and from then on
# updates exactly those tensor objects. What if some of them do not exist yet?
#
# Our ``MyLazyLinear`` shows the danger most clearly, because it *creates new*
# ``Parameter`` objects on the first call. Put it behind an ordinary layer, create
# the optimiser, then run a training step:

handson.seed(2)
mixed = nn.Sequential(nn.Linear(X.shape[1], 256), nn.ReLU(), MyLazyLinear(10))
mixed = mixed.to(device)
trainer = torch.optim.SGD(mixed.parameters(), lr=0.1)  # too early
n_given = len(trainer.param_groups[0]["params"])
F.cross_entropy(mixed(X), y).backward()  # first call: the lazy weights appear
before = {name: p.detach().clone() for name, p in mixed.named_parameters()}
trainer.step()
changed = {name: not torch.equal(p, before[name])
           for name, p in mixed.named_parameters()}
print(f"the optimiser was given {n_given} tensors; the network now has "
      f"{len(before)}")
for name, c in changed.items():
    print(f"  {name:9} updated by the step: {c}")
assert changed["0.weight"] and not changed["2.weight"] and not changed["2.bias"]

# %%
# No error and no warning: the step trained the first layer and silently skipped the
# last one, whose weights the optimiser never heard of. Training would run without
# complaint, and the bug could go unnoticed for a long time.
#
# PyTorch's own lazy modules are built to soften this: the placeholder *is* the
# parameter, and the dry run fills it in place instead of replacing it, so an
# optimiser that only stores references still ends up with the right tensors.

net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10)).to(device)
placeholder = net[0].weight
trainer = torch.optim.SGD(net.parameters(), lr=0.1)  # too early, but...
net(X)
print("same object after the dry run:", placeholder is net[0].weight,
      "| now a", type(placeholder).__name__)
assert placeholder is net[0].weight
assert trainer.param_groups[0]["params"][0] is net[0].weight

# %%
# That is a property of the optimiser, not a guarantee. An optimiser that sets up
# per-parameter state when it is created, such as Adagrad
# (:doc:`../10_optimization/07_adagrad`),
# needs the shapes at once and fails:

net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10)).to(device)
expect_error(ValueError, lambda: torch.optim.Adagrad(net.parameters(), lr=0.1))

# %%
# The fix, for every lazy layer and every optimiser: dry run first, then create the
# optimiser. With ``mixed`` rebuilt in that order, one step updates every
# parameter:

handson.seed(2)
mixed = nn.Sequential(nn.Linear(X.shape[1], 256), nn.ReLU(), MyLazyLinear(10))
mixed = mixed.to(device)
with torch.no_grad():
    mixed(X[:1])  # dry run: one example is enough to fix the shapes
trainer = torch.optim.SGD(mixed.parameters(), lr=0.1)
before = {name: p.detach().clone() for name, p in mixed.named_parameters()}
trainer.zero_grad()
F.cross_entropy(mixed(X), y).backward()
trainer.step()
changed = {name: not torch.equal(p, before[name])
           for name, p in mixed.named_parameters()}
print(f"the optimiser was given {len(trainer.param_groups[0]['params'])} tensors")
for name, c in changed.items():
    print(f"  {name:9} updated by the step: {c}")
assert all(changed.values())

# %%
# Pitfall 3: the same seed, other weights
# ---------------------------------------
#
# An ordinary layer draws its initial values when it is built, a lazy layer when
# the dry run reaches it. A seed fixes the *sequence* of random numbers, and each
# layer takes the next ones in that sequence; so which values a layer gets depends
# on when it draws. PyTorch's documentation of lazy modules
# (``torch.nn.modules.lazy.LazyModuleMixin``) warns about exactly this. We
# build the MLP twice from the same seed, once with ``nn.Linear`` everywhere and
# once with a lazy first layer. (On the CPU: a layer created on a GPU draws from
# the GPU's generator, a different sequence.)

handson.seed(3)
eager = nn.Sequential(nn.Linear(X.shape[1], 256), nn.ReLU(), nn.Linear(256, 10))
handson.seed(3)
lazy = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.Linear(256, 10))
with torch.no_grad():
    lazy(X.cpu())  # dry run: the first layer draws now, after the last one
same = {i: (eager[i].weight == lazy[i].weight).float().mean().item() for i in (0, 2)}
print(f"share of equal weights, eager vs lazy: first layer {same[0]:.2%}, "
      f"last layer {same[2]:.2%}")
handson.check("share of first-layer weights equal in the eager and lazy MLP",
              same[0], "<", 0.01, quick=True)
handson.check("share of last-layer weights equal in the eager and lazy MLP",
              same[2], "<", 0.01, quick=True)

# %%
# Both layers differ, not only the lazy one: the eager last layer drew the numbers
# that the eager network gives to its first layer. Building ordinary layers in the
# lazy network's order of draws, last layer first, reproduces it exactly:

handson.seed(3)
drawn_first = nn.Linear(256, 10)  # built with the network
drawn_second = nn.Linear(X.shape[1], 256)  # drawn by the dry run
assert torch.equal(lazy[2].weight, drawn_first.weight)
assert torch.equal(lazy[0].weight, drawn_second.weight)
print("lazy MLP == ordinary layers drawn in the order: last layer, then first")

# %%
# The same happens with lazy layers only, whenever anything draws random numbers
# between building the network and the dry run: a random dry-run batch, dropout in
# the dry run, another model built in between. When the weights must match a
# network without lazy layers (to compare two versions of a model, say), reseed
# *after* the dry run and redraw every layer in order with its
# ``reset_parameters()``:

handson.seed(3)
lazy = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.Linear(256, 10))
with torch.no_grad():
    lazy(X.cpu())
handson.seed(3)
for module in lazy.modules():
    if hasattr(module, "reset_parameters"):
        module.reset_parameters()  # nn.Linear's default draw, in module order
for i in (0, 2):
    assert torch.equal(lazy[i].weight, eager[i].weight)
    assert torch.equal(lazy[i].bias, eager[i].bias)
print("after reseeding and reset_parameters(): lazy MLP == eager MLP")

# %%
# .. note::
#
#    The whole safe order, for any network with lazy layers:
#
#    1. build the network, and move it to its device and dtype (``net.to(device)``);
#    2. dry run: ``net(X[:1])`` with a real (or zero) batch of the right shape,
#       under ``torch.no_grad()`` since no gradient is needed;
#    3. initialise (``net.apply(...)``) if the default is not wanted, seeding
#       just before it when the weights must be reproducible;
#    4. create the optimiser from ``net.parameters()``.
#
# Summary
# -------
#
# * ``nn.LazyLinear(d_out)`` leaves ``in_features`` open; its parameters are
#   ``UninitializedParameter`` placeholders until the first forward pass.
# * The first batch (a dry run) fixes every shape in order, layer by layer; after it
#   the module is a plain ``nn.Linear``.
# * Lazy layers save the ``in_features`` arithmetic after a flatten, for any input
#   size, and a from-scratch lazy layer is a ``None`` parameter filled on the first
#   call.
# * Dry run before initialising and before creating the optimiser: otherwise an
#   initialisation fails or is silently skipped, and an optimiser may fail or
#   silently leave layers untrained.
# * Lazy layers draw their weights at the dry run, after the ordinary layers, so
#   the same seed gives other weights than for the same network without them.

# %%
# Exercises
# ---------
#
# 1. After the dry run with images of 784 pixels, call the lazy MLP with a batch of
#    width 100. What happens? Could a lazy layer sensibly re-create its weights for
#    the new width?
#
#    .. dropdown:: Answer
#
#       ``RuntimeError: mat1 and mat2 shapes cannot be multiplied (...x100 and
#       784x256)``. Recreating the weights would throw away everything learned so
#       far and, for a trained model, silently return garbage; the input width is
#       part of the model, fixed once.
#
# 2. Why does PyTorch fill the placeholder parameter in place rather than create a
#    new ``Parameter`` as ``MyLazyLinear`` does? List the things that hold references
#    to a parameter.
#
#    .. dropdown:: Answer
#
#       Optimisers (their parameter groups and state), gradient hooks, parameter
#       lists made by the user (for weight decay groups, for example), and a second
#       module that shares the parameter by assignment
#       (``decoder.weight = encoder.weight``, how input and output embeddings are
#       usually tied) all hold the parameter object itself. Filling in place keeps
#       every reference valid; replacing the object leaves them pointing at a
#       stale ``None`` or a stale tensor, as the ``mixed`` example showed. A layer
#       *object* used twice (tied as on :doc:`02_parameters`) is safe either way:
#       both uses look the parameter up in the same module.
#
# 3. Does ``load_state_dict`` work on a lazy network that has not seen a batch yet?
#    Dry-run one lazy MLP, load its state dict into a second, fresh one, and compare
#    the outputs of the two.
#
#    .. dropdown:: Answer
#
#       Yes: loading a state dict materialises the placeholders with the shapes
#       stored in the file (``describe`` shows them), so a saved model can be
#       restored without a dry run. The outputs are identical.
#
# 4. **Programming task.** Write ``prepare(net, X_example, init=None,
#    lr=0.1)`` that performs the safe order of the note above (device, dry run,
#    optional ``net.apply(init)``, optimiser) and returns ``(net, trainer)``. Add an
#    assertion that no ``UninitializedParameter`` is left after the dry run. Test it
#    on ``lenet()`` with Fashion-MNIST images and ``init_xavier``, and check that one
#    training step changes every parameter.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def prepare(net, X_example, init=None, lr=0.1):
#              net = net.to(X_example.device)
#              with torch.no_grad():
#                  net(X_example[:1])
#              assert not any(isinstance(p, nn.parameter.UninitializedParameter)
#                             for p in net.parameters()), "dry run missed a layer"
#              if init is not None:
#                  net.apply(init)
#              return net, torch.optim.SGD(net.parameters(), lr=lr)
#
#          cnn, trainer = prepare(lenet(), X_28, init_xavier)
#          before = [p.detach().clone() for p in cnn.parameters()]
#          F.cross_entropy(cnn(X_28), y).backward()
#          trainer.step()
#          assert all(not torch.equal(p, b) for p, b in zip(cnn.parameters(), before))
