"""
Custom layers
=============

``torch.nn`` has a layer for most things, but sooner or later a paper asks for one it
does not have: a normalisation nobody has packaged yet, a linear layer with a twist,
an activation whose gradient you want to control. In PyTorch a layer is just a
module: a class with a ``forward`` method and, if it learns, some parameters. This
page writes three: a layer without parameters, a layer with parameters, and an
activation with a hand-written backward pass for when autograd's own gradient is not
good enough, and uses them inside ``nn.Sequential``. Every one is checked against
the built-in layer it imitates.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * write a layer without parameters by subclassing ``nn.Module``
      * give a layer parameters with ``nn.Parameter``, and why a plain tensor
        attribute is not enough
      * use custom layers inside ``nn.Sequential`` like built-in ones
      * write a ``torch.autograd.Function`` with its own ``forward`` and
        ``backward``, and verify the backward with ``torch.autograd.gradcheck``

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`01_modules` (``nn.Module`` and ``forward``) and
        :doc:`02_parameters` (``parameters()``, ``state_dict()``)
      * autograd and a training loop, from
        :doc:`../01_getting_started/01_fit_a_line`
      * data: synthetic tensors drawn by the page itself (no download)
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# A layer maps an input tensor to an output tensor. To PyTorch it is a subclass of
# :class:`torch.nn.Module` that does two things:
#
# * ``__init__`` creates whatever the layer keeps: sub-layers, and *parameters*,
#   the tensors that training changes;
# * ``forward(X)`` computes the output from the input :math:`\mathbf{X}` and those
#   parameters.
#
# You never call ``forward`` yourself: ``layer(X)`` calls it (and runs any hooks).
# Because ``forward`` is built from tensor operations, autograd differentiates it
# for free. Only when that automatic gradient is wrong for your purpose, or
# numerically poor, do you write the backward pass by hand; the last part of the
# page does that.

import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

import handson

handson.seed(0)

# %%
# A layer without parameters
# --------------------------
#
# The simplest layer has nothing to learn. ``CenteredLayer`` subtracts the mean of
# its input from every entry, so its output has mean zero:
#
# .. math::
#
#    \operatorname{center}(\mathbf{X}) = \mathbf{X} - \bar{x}, \qquad
#    \bar{x} = \frac{1}{N} \sum_{j=1}^{N} x_j,
#
# where the sum runs over all :math:`N` entries :math:`x_j` of :math:`\mathbf{X}`.


class CenteredLayer(nn.Module):
    """Subtract the mean of the whole input from every entry."""

    def forward(self, X):
        return X - X.mean()


layer = CenteredLayer()
x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
print("input: ", x)
print("output:", layer(x))
print("parameters:", list(layer.parameters()))
torch.testing.assert_close(layer(x), torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]))
assert len(list(layer.parameters())) == 0

# %%
# ``CenteredLayer`` needs no ``__init__`` of its own: ``nn.Module.__init__`` is
# inherited. As soon as a class defines ``__init__``, though, its first line must be
# ``super().__init__()``, or PyTorch has nowhere to register parameters and
# sub-layers (the next layer does it).
#
# Custom layers in ``nn.Sequential``
# ----------------------------------
#
# A custom layer goes wherever a built-in one goes. Here it follows a linear layer
# with a random start; the linear layer's outputs have some mean, the centred ones
# have mean zero up to floating-point rounding.

net = nn.Sequential(nn.Linear(8, 128), CenteredLayer())
X = torch.rand(4, 8)
Y_lin = net[0](X)
Y = net(X)
print(f"mean after the linear layer:   {Y_lin.mean().item():+.3e}")
print(f"mean after the centered layer: {Y.mean().item():+.3e}")
print("output shape:", tuple(Y.shape))
assert abs(Y.mean().item()) < 1e-6
assert Y.shape == (4, 128)

# %%
# A layer with parameters
# -----------------------
#
# Now a fully connected layer followed by a ReLU, written by hand. For an input
# :math:`\mathbf{X} \in \mathbb{R}^{n \times d}` (one example per row) and
# ``units`` outputs :math:`q`, the layer holds a weight matrix
# :math:`\mathbf{W} \in \mathbb{R}^{d \times q}` and a bias
# :math:`\mathbf{b} \in \mathbb{R}^{q}` and computes
#
# .. math::
#
#    \operatorname{MyLinear}(\mathbf{X}) = \operatorname{ReLU}(\mathbf{X}\mathbf{W}
#    + \mathbf{b}), \qquad \operatorname{ReLU}(z) = \max(z, 0),
#
# with :math:`\mathbf{b}` broadcast to every row. The weight and the bias are
# wrapped in :class:`torch.nn.Parameter`. That wrapper does two things: it sets
# ``requires_grad=True``, and, when assigned as an attribute of a module, it
# *registers* the tensor, so that ``parameters()``, ``state_dict()``, ``.to(device)``
# and every optimiser see it.


class MyLinear(nn.Module):
    """A fully connected layer with a ReLU: relu(X @ weight + bias)."""

    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        return F.relu(X @ self.weight + self.bias)


linear = MyLinear(5, 3)
for name, param in linear.named_parameters():
    print(f"{name:6s} shape {tuple(param.shape)}  requires_grad={param.requires_grad}")
print("state_dict keys:", list(linear.state_dict()))

# %%
# Does it compute what it should? PyTorch's functional
# :func:`torch.nn.functional.linear` computes :math:`\mathbf{X}\mathbf{A}^\top +
# \mathbf{b}` with the weight stored as ``(out_features, in_features)``, the
# transpose of our layout, so we hand it ``linear.weight.T``. Same tensors in, same
# numbers out:

X = torch.randn(2, 5)
Y = linear(X)
Y_ref = F.relu(F.linear(X, linear.weight.T, linear.bias))
print(Y)
torch.testing.assert_close(Y, Y_ref)

# %%
# Autograd differentiates the layer with no extra code: after a backward pass both
# parameters have a gradient of their own shape.

Y.sum().backward()
print("weight.grad:", tuple(linear.weight.grad.shape),
      "| bias.grad:", tuple(linear.bias.grad.shape))
assert linear.weight.grad.shape == linear.weight.shape
assert linear.bias.grad.shape == linear.bias.shape

# %%
# .. warning::
#
#    Store a learnable tensor as a *plain* tensor attribute and it silently
#    drops out: the layer still computes, but ``parameters()`` does not list the
#    tensor, so the optimiser never updates it, ``state_dict()`` does not save it
#    and ``.to(device)`` does not move it.

class ForgotParameter(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        # a plain tensor, not an nn.Parameter: not registered
        self.weight = torch.randn(in_units, units, requires_grad=True)

    def forward(self, X):
        return X @ self.weight


print("registered parameters of ForgotParameter:",
      len(list(ForgotParameter(5, 3).parameters())))
print("registered parameters of MyLinear:       ",
      len(list(MyLinear(5, 3).parameters())))
assert len(list(ForgotParameter(5, 3).parameters())) == 0

# %%
# .. note::
#
#    A tensor that belongs to the layer but is *not* trained (a running mean, a fixed
#    mask) goes in with ``self.register_buffer("name", tensor)``: it is saved in the
#    ``state_dict`` and moved by ``.to(device)``, but it is not a parameter.
#
# Stacking our own layers works as for built-in ones. A two-layer network from two
# ``MyLinear`` layers, and one that mixes our layers with PyTorch's:

net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))
print(net(torch.rand(2, 64)))
net = nn.Sequential(nn.Linear(64, 8), CenteredLayer(), MyLinear(8, 1))
print(net)
print("parameters:", sum(p.numel() for p in net.parameters()),
      "=", 64 * 8 + 8, "+", 8 * 1 + 1)
assert sum(p.numel() for p in net.parameters()) == 64 * 8 + 8 + 8 * 1 + 1

# %%
# A custom gradient: a stable softplus
# ------------------------------------
#
# Sometimes the layer is fine but autograd's gradient is not. Take the *softplus*
# activation, a smooth relative of the ReLU:
#
# .. math::
#
#    \operatorname{softplus}(x) = \log\left(1 + e^{x}\right), \qquad
#    \frac{d}{dx}\operatorname{softplus}(x) = \frac{e^x}{1 + e^x}
#    = \sigma(x) = \frac{1}{1 + e^{-x}},
#
# where :math:`\sigma` is the logistic sigmoid. Typed in literally, the formula
# breaks for large :math:`x`: :math:`e^{x}` overflows (in ``float32``
# :math:`e^{89}` is already infinite), so the value becomes ``inf`` and autograd's
# gradient, :math:`e^x / (1 + e^x) = \infty / \infty`, becomes ``nan``.

def softplus_naive(x):
    return torch.log(1 + torch.exp(x))


x = torch.tensor([-100.0, 0.0, 100.0], requires_grad=True)
y = softplus_naive(x)
y.sum().backward()
print("exp(89) in float32:", torch.exp(torch.tensor(89.0)))
print("naive softplus:", y.detach())
print("naive gradient:", x.grad)
assert torch.isinf(torch.exp(torch.tensor(89.0)))
assert torch.isinf(y[2]) and torch.isnan(x.grad[2])

# %%
# Both the value and the gradient have a stable form. For the value, pull the
# larger of :math:`0` and :math:`x` out of the logarithm:
#
# .. math::
#
#    \operatorname{softplus}(x) = \max(x, 0) + \log\left(1 + e^{-|x|}\right),
#
# where the exponent is never positive, so nothing overflows (``torch.log1p``
# computes :math:`\log(1 + u)` accurately for small :math:`u`). For the gradient we
# skip autograd's chain of ``max``, ``abs``, ``exp`` and ``log1p`` and return
# :math:`\sigma(x)` directly: one ``torch.sigmoid``, stable for every :math:`x`.
#
# A hand-written gradient lives in a subclass of :class:`torch.autograd.Function`
# with two static methods:
#
# * ``forward(ctx, x)`` computes the output and stores in ``ctx`` whatever the
#   backward pass needs (``ctx.save_for_backward`` for tensors);
# * ``backward(ctx, grad_output)`` receives :math:`\partial L / \partial y`, the
#   gradient of the final loss with respect to the output, and returns
#   :math:`\partial L / \partial x` by the chain rule,
#
#   .. math::
#
#      \frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}
#      \odot \sigma(x),
#
#   elementwise, since each output entry depends only on its own input entry.
#
# Inside ``forward`` autograd does not record anything, so the operations there
# need no gradient of their own.


class SoftplusFunction(torch.autograd.Function):
    """softplus(x) = log(1 + exp(x)): a stable forward, a hand-written backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * torch.sigmoid(x)


class StableSoftplus(nn.Module):
    """The softplus activation as a layer, built on SoftplusFunction."""

    def forward(self, X):
        return SoftplusFunction.apply(X)


# %%
# A ``Function`` is called through ``.apply``, never by instantiating it; the
# module wrapper makes it a layer like any other. The large input that broke the
# naive formula is now fine:

x = torch.tensor([-100.0, 0.0, 100.0], requires_grad=True)
y = StableSoftplus()(x)
y.sum().backward()
print("stable softplus:", y.detach())
print("stable gradient:", x.grad)
assert torch.isfinite(y).all() and torch.isfinite(x.grad).all()
torch.testing.assert_close(y.detach(), torch.tensor([0.0, math.log(2.0), 100.0]))
torch.testing.assert_close(x.grad, torch.tensor([0.0, 0.5, 1.0]))

# %%
# Checking the backward pass
# --------------------------
#
# A hand-written backward is a hand-written bug waiting to happen: nothing forces it
# to be the derivative of the forward. :func:`torch.autograd.gradcheck` compares it
# with finite differences,
#
# .. math::
#
#    \frac{\partial y}{\partial x} \approx
#    \frac{\operatorname{softplus}(x + \varepsilon)
#    - \operatorname{softplus}(x - \varepsilon)}{2 \varepsilon},
#
# for every input entry, and returns ``True`` only if all agree. Run it in
# ``float64``: with ``float32`` rounding, finite differences are too inaccurate to
# tell a correct gradient from a slightly wrong one.

x64 = torch.randn(20, 3, dtype=torch.float64, requires_grad=True)
ok = torch.autograd.gradcheck(SoftplusFunction.apply, (x64,), eps=1e-6, atol=1e-4)
print("gradcheck passed:", ok)
assert ok

# %%
# A deliberately wrong backward, one that returns :math:`\sigma(x)^2` instead of
# :math:`\sigma(x)`, is caught:


class WrongSoftplus(SoftplusFunction):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * torch.sigmoid(x) ** 2


ok_wrong = torch.autograd.gradcheck(WrongSoftplus.apply, (x64,), eps=1e-6,
                                    atol=1e-4, raise_exception=False)
print("gradcheck of the wrong backward passed:", ok_wrong)
assert not ok_wrong

# %%
# Finally, against PyTorch's own :class:`torch.nn.Softplus` on a wide range of
# inputs, values and gradients. (PyTorch's version switches to the identity above
# :math:`x = 20`, where the two differ by :math:`\log(1 + e^{-20})`, about
# :math:`2 \times 10^{-9}`, far below ``float32`` resolution at that size.)

x = torch.linspace(-30, 30, 601, requires_grad=True)
y_ours = StableSoftplus()(x)
(grad_ours,) = torch.autograd.grad(y_ours.sum(), x)
y_torch = nn.Softplus()(x)
(grad_torch,) = torch.autograd.grad(y_torch.sum(), x)
torch.testing.assert_close(y_ours, y_torch)
torch.testing.assert_close(grad_ours, grad_torch)
print(f"largest difference from nn.Softplus: value "
      f"{(y_ours - y_torch).abs().max().item():.2e}, gradient "
      f"{(grad_ours - grad_torch).abs().max().item():.2e}")

# %%
# The picture: the softplus next to the ReLU it smooths, and its gradient as our
# ``backward`` computes it, which is the sigmoid.

x = torch.linspace(-6, 6, 241, requires_grad=True)
y = StableSoftplus()(x)
(grad,) = torch.autograd.grad(y.sum(), x)
x, y = x.detach(), y.detach()

fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
axes[0].plot(x, torch.relu(x), "k--", lw=1, label="ReLU")
axes[0].plot(x, y, "C0", lw=2, label="softplus (our Function)")
axes[0].set_title("forward")
axes[1].plot(x, (x > 0).float(), "k--", lw=1, label="ReLU gradient")
axes[1].plot(x, grad, "C3", lw=4, alpha=0.4, label="our backward")
axes[1].plot(x, torch.sigmoid(x), "k:", lw=1.5, label=r"$\sigma(x)$")
axes[1].set_title("backward")
for ax in axes:
    ax.set_xlabel("$x$")
    ax.legend()
plt.tight_layout()
plt.show()

# %%
# Training with custom layers
# ---------------------------
#
# Custom layers train like any others. We fit a small network to
# :math:`y = \sin(3x)` twice, from the same starting weights: once with our
# ``StableSoftplus`` and ``MyLinear`` in it, once with their built-in twins
# ``nn.Softplus`` and ``nn.Linear`` followed by ``nn.ReLU``. The only difference in
# the weights is their layout (``nn.Linear`` stores :math:`\mathbf{W}^\top`), so we
# copy the transpose across. If our layers are right, the two runs take the same
# steps, up to floating-point rounding (``X @ W`` and ``nn.Linear``'s product with
# the transpose of :math:`\mathbf{W}^\top` may add up the same numbers in a
# different order). Training can amplify such differences from step to step, so
# both runs use ``float64`` (``net.double()``), whose rounding errors are about
# :math:`10^{-16}` instead of :math:`10^{-7}`, and the comparison stays a test of
# the layers rather than of the rounding. Both runs use
# :class:`torch.optim.Adam`, a variant of SGD that adapts the step size of each
# parameter on its own (derived in :doc:`../10_optimization/10_adam`).

num_hiddens, lr = 32, 0.01
num_epochs = handson.epochs(300)
X = torch.linspace(-1, 1, 100).reshape(-1, 1)
y = torch.sin(3 * X)

net = nn.Sequential(nn.Linear(1, num_hiddens), StableSoftplus(),
                    MyLinear(num_hiddens, num_hiddens), nn.Linear(num_hiddens, 1))
net_torch = nn.Sequential(nn.Linear(1, num_hiddens), nn.Softplus(),
                          nn.Linear(num_hiddens, num_hiddens), nn.ReLU(),
                          nn.Linear(num_hiddens, 1))
with torch.no_grad():
    net[2].weight.mul_(1 / math.sqrt(num_hiddens))  # a gentler start than randn
    net_torch[0].load_state_dict(net[0].state_dict())
    net_torch[2].weight.copy_(net[2].weight.T)
    net_torch[2].bias.copy_(net[2].bias)
    net_torch[4].load_state_dict(net[3].state_dict())
net, net_torch = net.double(), net_torch.double()
X, y = X.double(), y.double()

loss = nn.MSELoss()
histories = []
for model in (net, net_torch):
    trainer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for epoch in range(num_epochs):
        trainer.zero_grad()
        l = loss(model(X), y)
        history.append(l.item())
        l.backward()
        trainer.step()
    histories.append(history)

torch.testing.assert_close(torch.tensor(histories[0]), torch.tensor(histories[1]),
                           rtol=1e-6, atol=1e-9)
print(f"loss: first epoch {histories[0][0]:.4f}, last epoch {histories[0][-1]:.4f}")
print(f"built-in twin:    first epoch {histories[1][0]:.4f}, "
      f"last epoch {histories[1][-1]:.4f}")
handson.check("last-epoch loss over first-epoch loss with the custom layers",
              histories[0][-1] / histories[0][0], "<", 0.1)

# %%
# The two loss curves lie on top of each other, and the printed losses show the
# network learning the sine:

fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
axes[0].semilogy(histories[0], lw=5, alpha=0.35, label="StableSoftplus + MyLinear")
axes[0].semilogy(histories[1], "k:", lw=2, label="nn.Softplus + nn.Linear")
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("mean squared error")
axes[0].legend()
with torch.no_grad():
    axes[1].plot(X, y, "k--", label=r"$\sin(3x)$")
    axes[1].plot(X, net(X), "C0", label="fitted net")
axes[1].set_xlabel("$x$")
axes[1].legend()
plt.tight_layout()
plt.show()

# %%
# .. dropdown:: When is a custom ``Function`` worth it?
#
#    Most custom layers need only ``forward``; autograd handles the rest, and a
#    hand-written backward is one more thing to get wrong. Write one when the
#    automatic gradient is numerically poor (as for the naive softplus), when you
#    *want* a gradient that is not the true derivative (the straight-through
#    estimator of exercise 5, used to train quantised networks), or when the
#    backward pass can reuse work or save memory that autograd cannot see (fused
#    kernels, checkpointing). In each case check it with ``gradcheck`` where the
#    gradient is meant to be exact.

# %%
# Summary
# -------
#
# * A layer is an ``nn.Module``: ``__init__`` creates what it keeps (starting with
#   ``super().__init__()``), ``forward`` computes the output; call it as
#   ``layer(X)``.
# * Learnable tensors must be ``nn.Parameter`` attributes, so that ``parameters()``,
#   ``state_dict()``, ``.to()`` and the optimiser find them; a plain tensor
#   attribute is silently left out.
# * Custom layers mix freely with built-in ones in ``nn.Sequential``, and autograd
#   differentiates them with no extra code.
# * A ``torch.autograd.Function`` gives full control of the gradient: ``forward``
#   saves what ``backward`` needs, ``backward`` returns one gradient per input;
#   verify it with ``torch.autograd.gradcheck`` in ``float64``.

# %%
# Exercises
# ---------
#
# 1. Change ``CenteredLayer`` so that it centres each *row* (each example)
#    separately rather than the whole batch. Why does the batch-wide version make
#    one example's output depend on the other examples in the batch, and why is
#    that a problem at test time?
#
#    .. dropdown:: Answer
#
#       ``return X - X.mean(dim=-1, keepdim=True)``: the mean over the last
#       dimension, the features of each example, so it also works on the 1-D
#       example ``x`` above (a single example; ``dim=1`` would fail on it, as a 1-D
#       tensor has only dimension 0). With the batch-wide mean, the
#       output for an example changes with whatever else happens to be in its
#       batch, so the same test image can get different predictions in different
#       batches (or alone). Batch normalisation, which also uses batch statistics,
#       solves this by switching to running averages in ``eval()`` mode.
#
# 2. ``MyLinear`` starts from ``torch.randn``, entries of variance 1. Stack ten
#    ``MyLinear(64, 64)`` layers, feed ``torch.randn(128, 64)`` and print the
#    standard deviation of the output after each layer. What goes wrong, and what
#    scale of initial weights would keep it steady?
#
#    .. dropdown:: Hint
#
#       Each layer multiplies the variance by about
#       :math:`d \cdot \operatorname{Var}(w) / 2` (the ReLU keeps half of it), so
#       with :math:`d = 64` and variance 1 the outputs grow by about a factor 32 in
#       variance per layer. Weights of variance
#       :math:`2/d` (He initialisation, ``torch.randn(...) * math.sqrt(2 / d)``)
#       keep the variance roughly constant.
#
# 3. Write a layer ``Scale`` with one learnable scalar :math:`s` (start at 1) that
#    returns :math:`s \mathbf{X}`. Check that ``list(Scale().parameters())`` has one
#    entry of shape ``()`` and that it appears in ``state_dict()``.
#
#    .. dropdown:: Answer
#
#       .. code-block:: python
#
#          class Scale(nn.Module):
#              def __init__(self):
#                  super().__init__()
#                  self.s = nn.Parameter(torch.tensor(1.0))
#
#              def forward(self, X):
#                  return self.s * X
#
#          assert [p.shape for p in Scale().parameters()] == [torch.Size([])]
#          assert list(Scale().state_dict()) == ["s"]
#
# 4. Remove ``ctx.save_for_backward(x)`` from ``SoftplusFunction.forward`` and
#    store ``ctx.x = x`` instead. It still runs; look up in the documentation of
#    :class:`torch.autograd.Function` why ``save_for_backward`` is nonetheless the
#    right way.
#
#    .. dropdown:: Answer
#
#       ``save_for_backward`` lets autograd check that a saved tensor was not
#       modified in place between forward and backward (it raises an error instead
#       of silently using the changed values), and avoids reference cycles that keep
#       memory alive. Non-tensor values (shapes, flags) can go on ``ctx`` directly.
#
# 5. **Programming task.** A *straight-through* round: the forward pass rounds to
#    the nearest integer (the true gradient of that is zero almost everywhere, which
#    stops learning), the backward pass pretends the layer was the identity. Write
#    ``RoundSTE`` as a ``torch.autograd.Function`` and a ``RoundLayer`` module around
#    it. Check that ``x.grad`` after ``RoundLayer()(x).sum().backward()`` is all
#    ones, and that ``gradcheck`` *fails*. Why is that failure expected?
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          class RoundSTE(torch.autograd.Function):
#              @staticmethod
#              def forward(ctx, x):
#                  return torch.round(x)
#
#              @staticmethod
#              def backward(ctx, grad_output):
#                  return grad_output  # pretend d round(x) / dx = 1
#
#          class RoundLayer(nn.Module):
#              def forward(self, X):
#                  return RoundSTE.apply(X)
#
#          x = torch.tensor([0.2, 1.7, -2.4], requires_grad=True)
#          RoundLayer()(x).sum().backward()
#          assert torch.equal(x.grad, torch.ones(3))
#          x64 = (torch.rand(10, dtype=torch.float64) + 0.25).requires_grad_()
#          print(torch.autograd.gradcheck(RoundSTE.apply, (x64,),
#                                         raise_exception=False))  # False
#
#       ``gradcheck`` compares with the true derivative, which is zero between the
#       jumps; the straight-through gradient is deliberately *not* that derivative.
#       It is an estimator that lets a learning signal pass through a step
#       function, so it cannot pass a test for exactness.
