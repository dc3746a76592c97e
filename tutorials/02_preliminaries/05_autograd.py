"""
Automatic differentiation
=========================

Training a network means following the gradient of a loss with respect to every
parameter, and nobody derives those gradients by hand. PyTorch's :term:`autograd`
records
the operations that produce a value, then runs the chain rule backwards through that
record. This page opens the box: what the recorded graph looks like, what
``backward()`` computes when the output is a scalar and when it is a vector, how to
cut a value out of the graph, why Python ``if`` and ``while`` do not get in the way,
and why gradients add up until you clear them. Then we write a tiny reverse-mode
autodiff for scalars, one short class, and check it against PyTorch.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * read the computation graph: ``grad_fn``, leaf tensors, ``requires_grad``
      * what ``backward()`` computes for a scalar, and why a vector output needs a
        ``gradient`` argument (vector-Jacobian products)
      * stop gradients with ``detach()`` and differentiate through Python control
        flow
      * how gradients accumulate, when to clear them, and how accumulation
        simulates a large batch
      * write reverse-mode autodiff for scalars from scratch

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../01_getting_started/01_fit_a_line` (tensors, a first
        ``backward()``, ``torch.no_grad()``)
      * :doc:`04_calculus` (partial derivatives, gradients, the chain rule,
        the Jacobian)
      * data: a few synthetic tensors made by the page (no download)
"""

# sphinx_gallery_thumbnail_number = 1

import inspect
import math

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson

handson.seed(0)

# %%
# The idea
# --------
#
# A program that computes a loss is a chain of simple operations. Write it as
# :math:`y = f(\mathbf{u})`, :math:`\mathbf{u} = g(\mathbf{x})`. The chain rule says
# that the derivative of the whole is the product of the derivatives of the parts:
#
# .. math::
#
#    \frac{\partial y}{\partial \mathbf{x}}
#    = \frac{\partial y}{\partial \mathbf{u}} \,
#      \frac{\partial \mathbf{u}}{\partial \mathbf{x}}.
#
# For a chain of many operations the product has many factors, and the order in which
# we multiply them matters for the cost. *Reverse mode* starts at the output, where the
# derivative is a single row vector (:math:`y` is a scalar), and multiplies it by one
# Jacobian after another going backwards. Every product is then a vector times a
# matrix, never a matrix times a matrix. This is what ``backward()`` does, and it is
# why one backward pass costs a small constant multiple of one forward pass (each
# operation's local derivatives cost about as much as the operation itself, a few
# times at most), however many parameters there are.
#
# To go backwards, PyTorch must remember the forward pass. While it computes, it
# builds a *computation graph*: each result stores the operation that made it
# (``grad_fn``) and links to the operations that made its inputs.
#
# A first gradient
# ----------------
#
# We differentiate :math:`y = 2 \mathbf{x}^\top \mathbf{x}` with respect to a column
# vector :math:`\mathbf{x}`. By hand, :math:`y = 2 \sum_i x_i^2`, so
# :math:`\partial y / \partial x_i = 4 x_i`, that is
# :math:`\nabla_{\mathbf{x}} y = 4 \mathbf{x}`.
#
# ``requires_grad=True`` asks PyTorch to record every operation that uses ``x``.

x = torch.arange(4.0, requires_grad=True)
y = 2 * torch.dot(x, x)
print("x =", x)
print("y =", y)
print("x.grad before backward():", x.grad)
assert x.grad is None

# %%
# ``y`` shows ``grad_fn=<MulBackward0>``: it was made by a multiplication, and
# PyTorch knows how to differentiate through it. Each ``grad_fn`` links to the nodes
# that produced its inputs in ``next_functions``. We walk the graph from ``y`` down:


def show_graph(fn, depth=0):
    """Print the autograd graph below the node ``fn``, one node per line."""
    name = type(fn).__name__
    if hasattr(fn, "variable"):  # an AccumulateGrad node: it ends at a leaf tensor
        name += f"  -> stores into the leaf of shape {tuple(fn.variable.shape)}"
    print("    " * depth + name)
    for next_fn, _ in fn.next_functions:
        if next_fn is not None:  # None: an input that needs no gradient (the 2)
            show_graph(next_fn, depth + 1)


show_graph(y.grad_fn)

# %%
# Read it bottom up as the forward pass: ``x`` enters the dot product twice (both
# arguments), the product is multiplied by 2. ``AccumulateGrad`` is where the graph
# ends: it adds the incoming gradient into ``x.grad``. A tensor that we created
# ourselves, rather than computed from tensors that require gradients, is a *leaf*;
# only leaves get their ``.grad`` filled. Anything computed from a tensor that
# requires gradients requires them too; the constant 2 does not, and shows up as
# ``None`` in ``next_functions``.

print(f"x: leaf {x.is_leaf}, requires_grad {x.requires_grad}, grad_fn {x.grad_fn}")
print(f"y: leaf {y.is_leaf}, requires_grad {y.requires_grad}, "
      f"grad_fn {y.grad_fn.name()}")
assert x.is_leaf and not y.is_leaf and y.requires_grad

# %%
# Now run the chain rule backwards and compare with :math:`4 \mathbf{x}`:

y.backward()
print("x.grad =", x.grad)
print("4 x    =", 4 * x.detach())
torch.testing.assert_close(x.grad, 4 * x.detach())

# %%
# .. note::
#
#    Intermediate results such as ``y`` are not leaves, so their ``.grad`` stays
#    ``None`` (PyTorch warns if you read it). Call ``y.retain_grad()`` before
#    ``backward()`` if you want to see the gradient that reaches an intermediate
#    value. And ``torch.autograd.grad(y, x)`` returns the gradient as a tuple
#    instead of storing it in ``x.grad``.
#
# Backward for a non-scalar output
# --------------------------------
#
# Take a vector output :math:`\mathbf{y} = f(\mathbf{x})` with
# :math:`\mathbf{y} \in \mathbb{R}^m` and :math:`\mathbf{x} \in \mathbb{R}^d`. Its
# derivative is the :math:`m \times d` *Jacobian* matrix
#
# .. math::
#
#    \mathbf{J} = \frac{\partial \mathbf{y}}{\partial \mathbf{x}}, \qquad
#    J_{ij} = \frac{\partial y_i}{\partial x_j},
#
# not a vector of the shape of ``x``, so there is nothing natural to store in
# ``x.grad``. PyTorch refuses:

x = torch.tensor([1.0, -2.0, 0.5, 3.0], requires_grad=True)
W = torch.randn(3, 4)


def f(x):
    """A vector-valued function from R^4 to R^3: W (x squared elementwise)."""
    return W @ (x**2)


y = f(x)
try:
    y.backward()
except RuntimeError as err:
    print("RuntimeError:", err)

# %%
# What reverse mode can compute cheaply is a *vector-Jacobian product*: give it a
# vector :math:`\mathbf{v} \in \mathbb{R}^m` (the ``gradient`` argument) and it
# returns
#
# .. math::
#
#    \mathbf{J}^\top \mathbf{v} = \nabla_{\mathbf{x}} \left(\mathbf{v}^\top
#    \mathbf{y}\right),
#
# the gradient of the scalar :math:`\mathbf{v}^\top \mathbf{y}`. In deep learning
# :math:`\mathbf{y}` is usually a vector of per-example losses and we want the
# gradient of their sum or mean, so :math:`\mathbf{v}` is all ones (or all
# :math:`1/n`). That is why ``y.sum().backward()`` and
# ``y.backward(gradient=torch.ones_like(y))`` are the same thing.
#
# We check this against the full Jacobian, which
# :func:`torch.autograd.functional.jacobian` builds (at the cost of one backward pass
# per output). Here :math:`y_i = \sum_j W_{ij} x_j^2`, so
# :math:`J_{ij} = 2 W_{ij} x_j` by hand.

J = torch.autograd.functional.jacobian(f, x.detach())
print("Jacobian, shape", tuple(J.shape))
print(J)
torch.testing.assert_close(J, 2 * W * x.detach())  # column j scaled by 2 x_j

v = torch.randn(3)
y.backward(gradient=v)
print("backward(gradient=v):", x.grad)
print("J^T v:               ", J.T @ v)
torch.testing.assert_close(x.grad, J.T @ v)

x.grad = None  # start the next gradient from scratch (see the section on accumulation)
f(x).sum().backward()
print("y.sum().backward():  ", x.grad)
print("column sums of J:    ", J.sum(dim=0))
torch.testing.assert_close(x.grad, J.sum(dim=0))

# %%
# For an *elementwise* function, :math:`y_i = g(x_i)`, the Jacobian is diagonal and
# its column sums are exactly the derivatives :math:`g'(x_i)`. So one
# ``y.sum().backward()`` gives the derivative at every point at once. We use it to
# differentiate :math:`\sin` on a grid and compare with :math:`\cos`:

x = torch.linspace(-2 * math.pi, 2 * math.pi, 200, requires_grad=True)
y = torch.sin(x)
y.sum().backward()
max_err = (x.grad - torch.cos(x.detach())).abs().max().item()
print(f"largest |autograd derivative - cos(x)| on the grid: {max_err:.2e}")
torch.testing.assert_close(x.grad, torch.cos(x.detach()))

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.plot(x.detach(), y.detach(), label=r"$f(x) = \sin x$")
ax.plot(x.detach(), x.grad, lw=5, alpha=0.35, label="autograd: x.grad")
ax.plot(x.detach(), torch.cos(x.detach()), "k:", label=r"$\cos x$ (by hand)")
ax.set_xlabel("$x$")
ax.set_ylim(-1.2, 1.6)  # room for the legend
ax.set_title("The derivative of sin, computed by autograd")
ax.legend(loc="upper center", ncol=3, fontsize=9)
plt.show()

# %%
# .. warning::
#
#    The sum trick gives per-point derivatives only when output :math:`i` depends on
#    input :math:`i` alone. For ``f`` above it gave column sums of a full Jacobian,
#    which mix the outputs. Use :func:`torch.autograd.functional.jacobian` when you
#    really need every entry.
#
# Detaching a computation
# -----------------------
#
# Sometimes part of a computation should count as a constant. Say
# :math:`y = x^2` and :math:`z = u x` with :math:`u = y` held fixed; then
# :math:`\partial z / \partial x = u`, not :math:`3x^2`. ``y.detach()`` returns a
# tensor with the same values (it even shares the memory) but no history, so the
# gradient stops there.

x = torch.arange(4.0, requires_grad=True)
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
print("u:", u, "| requires_grad", u.requires_grad)
print("x.grad with u detached:", x.grad)
assert not u.requires_grad and u.data_ptr() == y.data_ptr()  # same memory, no graph
torch.testing.assert_close(x.grad, u)

# %%
# The graph of ``y`` itself is untouched, so we can still differentiate it:

x.grad = None
y.sum().backward()
print("x.grad of sum(x * x):  ", x.grad)
torch.testing.assert_close(x.grad, 2 * x.detach())

# %%
# ``detach()`` cuts one tensor out of the graph; ``with torch.no_grad():`` (from
# :doc:`../01_getting_started/01_fit_a_line`) stops recording for a whole block, which
# is what parameter updates and evaluation use.
#
# Gradients through Python control flow
# -------------------------------------
#
# The graph is built while the code runs, one operation at a time. So the code may
# use loops and ``if`` statements whose outcome depends on the data: the graph simply
# records the path that was taken. This function doubles its input until the norm
# reaches 1000, then keeps the result or multiplies it by 100 depending on its sign
# (the example of D2L):


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


# %%
# Whatever path is taken, :math:`f(a) = k a` for some constant :math:`k` that depends
# on the path (a power of two, times 100 for negative inputs). So
# :math:`f'(a) = k = f(a) / a`, which we can check without knowing :math:`k`. We try a
# random input and two fixed ones that take different paths:

slopes = set()
for a0 in [torch.randn(()).item(), 0.3, -0.3]:
    a = torch.tensor(a0, requires_grad=True)
    d = f(a)
    d.backward()
    print(f"a = {a0:+.4f}   f(a) = {d.item():+11.2f}   a.grad = {a.grad.item():9.1f}"
          f"   f(a) / a = {(d / a).item():9.1f}")
    torch.testing.assert_close(a.grad, (d / a).detach())
    slopes.add(a.grad.item())
assert len(slopes) > 1  # different inputs took different paths

# %%
# The printed values show different slopes :math:`k` for different inputs, and
# autograd finds the right one every time: it differentiates the path the code
# actually took.
#
# Gradients accumulate
# --------------------
#
# ``backward()`` *adds* into ``.grad``; it never overwrites. Three backward passes of
# :math:`\sum_i x_i^2`, whose gradient is :math:`2\mathbf{x}`, leave
# :math:`6\mathbf{x}`:

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
for call in range(1, 4):
    (x**2).sum().backward()
    print(f"after backward() number {call}: x.grad = {x.grad}")
torch.testing.assert_close(x.grad, 3 * 2 * x.detach())

# %%
# To start over, clear the gradient: ``x.grad.zero_()`` fills it with zeros, and
# ``x.grad = None`` drops it, so that the next ``backward()`` stores a fresh tensor.

x.grad.zero_()
print("after x.grad.zero_():", x.grad)
x.grad = None
(x**2).sum().backward()
print("after x.grad = None and one backward():", x.grad)
torch.testing.assert_close(x.grad, 2 * x.detach())

# %%
# In a training loop you rarely touch ``.grad`` yourself: an optimizer's
# ``trainer.zero_grad()`` clears every parameter it updates, and ``net.zero_grad()``
# every parameter of a module. Both drop the gradients (set them to ``None``) unless
# told otherwise, as their signatures show:

for method in [torch.optim.Optimizer.zero_grad, nn.Module.zero_grad]:
    print(method.__qualname__, inspect.signature(method))
    assert inspect.signature(method).parameters["set_to_none"].default is True

# %%
# .. warning::
#
#    Forget to clear, and each training step follows the sum of all gradients so far.
#    Nothing warns you; the loss just behaves strangely
#    (:doc:`../01_getting_started/01_fit_a_line`, exercise 3). Put
#    ``trainer.zero_grad()`` at the top of every training step.
#
# Accumulation is not only a trap. Suppose we want the gradient of the mean loss over
# a batch of :math:`n` examples, but only a quarter of the batch fits in memory at
# once. Split the batch into micro-batches :math:`\mathcal{B}_1, \dots,
# \mathcal{B}_K`. The mean over the batch is a weighted sum of the micro-batch means,
#
# .. math::
#
#    L = \frac{1}{n} \sum_{i=1}^{n} \ell^{(i)}
#      = \sum_{k=1}^{K} \frac{|\mathcal{B}_k|}{n}
#        \left(\frac{1}{|\mathcal{B}_k|} \sum_{i \in \mathcal{B}_k} \ell^{(i)}\right),
#
# and the gradient of a sum is the sum of the gradients. So calling ``backward()`` on
# each micro-batch loss, scaled by :math:`|\mathcal{B}_k| / n`, and *not* clearing in
# between, accumulates exactly the full-batch gradient. We check it on a small
# synthetic linear regression (``batch_size`` is the micro-batch size here):

n, d, batch_size = 64, 3, 16
X = torch.randn(n, d)
y = X @ torch.tensor([2.0, -3.4, 1.0]) + 4.2 + 0.1 * torch.randn(n)
net = nn.Linear(d, 1)
loss = nn.MSELoss()

net.zero_grad()
loss(net(X).reshape(-1), y).backward()  # the whole batch at once
full_grads = [p.grad.clone() for p in net.parameters()]

net.zero_grad()
assert all(p.grad is None for p in net.parameters())  # cleared
for X_mb, y_mb in zip(X.split(batch_size), y.split(batch_size)):
    l = loss(net(X_mb).reshape(-1), y_mb) * len(y_mb) / n
    l.backward()  # adds this micro-batch's share into .grad
accumulated_grads = [p.grad.clone() for p in net.parameters()]

for name, g_full, g_acc in zip(["weight", "bias"], full_grads, accumulated_grads):
    print(f"{name:>6}  full batch:  {g_full.flatten()}")
    print(f"{'':>6}  accumulated: {g_acc.flatten()}")
    torch.testing.assert_close(g_acc, g_full)

# %%
# Without the scaling factor each micro-batch contributes a full mean, and the result
# is :math:`K` times too large:

net.zero_grad()
for X_mb, y_mb in zip(X.split(batch_size), y.split(batch_size)):
    loss(net(X_mb).reshape(-1), y_mb).backward()
ratio = (net.weight.grad / full_grads[0]).mean().item()
num_micro = n // batch_size
print(f"unscaled: gradient / full-batch gradient = {ratio:.4f} "
      f"(number of micro-batches K = {num_micro})")
assert abs(ratio - num_micro) < 1e-4

# %%
# .. note::
#
#    The equality needs a loss that is an average of per-example terms. Layers that
#    mix the examples of a batch (batch normalisation, met later in the course)
#    compute different statistics on a micro-batch, and then accumulation only
#    approximates the large batch.
#
# From scratch: reverse mode for scalars
# --------------------------------------
#
# Autograd has no magic in it. Every operation knows its *local* derivatives: for
# :math:`v = a + b` they are :math:`1` and :math:`1`, for :math:`v = a b` they are
# :math:`b` and :math:`a`, for :math:`v = \tanh a` it is :math:`1 - v^2`, for
# :math:`v = e^a` it is :math:`v`. Write :math:`\bar{v} = \partial L / \partial v` for
# the derivative of the final output :math:`L` with respect to an intermediate value
# :math:`v` (the *adjoint* of :math:`v`). The chain rule says that an input :math:`a`
# of :math:`v` receives :math:`\bar{v}\, \partial v / \partial a` from it, and that
# the contributions of all the values that use :math:`a` add up:
#
# .. math::
#
#    \bar{a} = \sum_{v \text{ uses } a} \bar{v} \, \frac{\partial v}{\partial a},
#    \qquad \bar{L} = 1.
#
# So: record the local derivatives during the forward pass, then visit the values from
# the output backwards (every value after all the values that use it, a *reverse
# topological order*) and add up. The ``+=`` below is the same accumulation we saw in
# ``.grad``.


class Value:
    """A scalar that remembers how it was computed, for reverse-mode autodiff."""

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0.0  # dL/d(this value), filled in by backward()
        self.children = children  # the Values this one was computed from
        self.local_grads = local_grads  # d(this value)/d(child), one per child

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    __radd__ = __add__  # so that 2 + v and 2 * v work too
    __rmul__ = __mul__

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t * t,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def backward(self):
        order, seen = [], set()

        def visit(v):  # depth first: children are appended before their parents
            if id(v) not in seen:
                seen.add(id(v))
                for child in v.children:
                    visit(child)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):  # from the output back to the inputs
            for child, local in zip(v.children, v.local_grads):
                child.grad += local * v.grad

    def __repr__(self):
        return f"Value(data={self.data:.6f}, grad={self.grad:.6f})"


# %%
# One expression in which every input is used twice, so the sums matter:
#
# .. math::
#
#    L = a \tanh(a b + c) + e^{b c} + 2 a.
#
# We evaluate it with ``Value`` and with PyTorch (in double precision, so the two agree
# to rounding) and compare the three derivatives.


def expression(a, b, c):
    """The same formula for Value objects and for torch tensors."""
    return a * (a * b + c).tanh() + (b * c).exp() + 2 * a


inputs = [0.5, -1.2, 0.8]
a, b, c = (Value(t) for t in inputs)
L = expression(a, b, c)
L.backward()

a_t, b_t, c_t = (torch.tensor(t, dtype=torch.float64, requires_grad=True)
                 for t in inputs)
L_t = expression(a_t, b_t, c_t)
L_t.backward()

print(f"{'':8}{'Value':>12}{'torch':>12}")
print(f"{'L':8}{L.data:12.6f}{L_t.item():12.6f}")
for name, mine, theirs in [("dL/da", a, a_t), ("dL/db", b, b_t), ("dL/dc", c, c_t)]:
    print(f"{name:8}{mine.grad:12.6f}{theirs.grad.item():12.6f}")
    assert abs(mine.grad - theirs.grad.item()) < 1e-12
assert abs(L.data - L_t.item()) < 1e-12

# %%
# The printed columns agree to every digit shown. PyTorch does the same thing with
# tensors instead of numbers: each ``grad_fn`` node holds what it needs for its local
# derivatives (its *saved tensors*), ``backward()`` visits the nodes in reverse
# topological order, and ``AccumulateGrad`` is the ``+=`` into a leaf.
#
# .. dropdown:: Forward mode, and why deep learning runs backwards
#
#    The chain rule can also be applied from the inputs forwards: carry
#    :math:`\partial v / \partial x_j` along with every value :math:`v`. One forward
#    pass then gives the derivatives of *all outputs* with respect to *one input*
#    (a column of :math:`\mathbf{J}`), while one reverse pass gives the derivatives of
#    *one output* with respect to *all inputs* (a row). A loss is one output and a
#    network has millions of inputs (its parameters), so reverse mode wins by a factor
#    of millions. The price is memory: the forward pass must keep the values that the
#    backward pass needs. PyTorch has forward mode too, in :mod:`torch.func`
#    (``torch.func.jvp``).
#
# Summary
# -------
#
# * With ``requires_grad=True`` PyTorch records a graph while the code runs: every
#   result has a ``grad_fn``, and the graph ends at the leaves, whose ``.grad``
#   ``backward()`` fills.
# * ``backward()`` computes a vector-Jacobian product :math:`\mathbf{J}^\top
#   \mathbf{v}`; for a scalar :math:`\mathbf{v} = 1`, for a vector output pass
#   ``gradient=v`` or reduce it first (``y.sum().backward()``).
# * ``detach()`` turns a value into a constant for the gradient; Python loops and
#   branches are fine, because the graph records the path actually taken.
# * Gradients accumulate in ``.grad`` until cleared (``zero_grad()``); scaled by
#   :math:`|\mathcal{B}_k| / n`, accumulation over micro-batches gives exactly the
#   full-batch gradient.
# * Reverse mode is local derivatives plus a sum over the uses of every value,
#   visited from the output backwards: one short class for scalars.

# %%
# Exercises
# ---------
#
# 1. Compute the second derivative of :math:`\sin` on the grid of the figure and
#    compare it with :math:`-\sin x`. Why does a second derivative need
#    ``create_graph=True``?
#
#    .. dropdown:: Answer
#
#       ``backward()`` computes the derivative without recording how; with
#       ``create_graph=True`` the backward pass is itself recorded, so its result
#       can be differentiated again.
#
#       .. code-block:: python
#
#          x = torch.linspace(-2 * math.pi, 2 * math.pi, 200, requires_grad=True)
#          (dy,) = torch.autograd.grad(torch.sin(x).sum(), x, create_graph=True)
#          (d2y,) = torch.autograd.grad(dy.sum(), x)
#          torch.testing.assert_close(d2y, -torch.sin(x.detach()))
#
#       The second pass runs through a graph that contains the first backward pass,
#       so it costs more time and memory than the first. For a function of
#       :math:`d` inputs the full matrix of second derivatives (the Hessian) has
#       :math:`d^2` entries and needs :math:`d` such passes.
#
# 2. Call ``y.backward()`` twice on the same ``y = 2 * torch.dot(x, x)``, without
#    recomputing ``y``. What happens, and why? (In
#    :doc:`../01_getting_started/01_fit_a_line` the second call worked: what was
#    different?)
#
#    .. dropdown:: Answer
#
#       The second call raises a ``RuntimeError``: to save memory, ``backward()``
#       frees the tensors that the graph saved for the backward pass (here ``x``,
#       needed for the derivative of the dot product). Pass
#       ``retain_graph=True`` to the first call to keep them. In the fit-a-line page
#       the loss was recomputed before the second call, which built a new graph.
#
# 3. In the control-flow example, make ``a`` a random vector,
#    ``torch.randn(3, requires_grad=True)``. Which lines must change, and is
#    ``a.grad`` still ``f(a) / a``?
#
#    .. dropdown:: Answer
#
#       ``d = f(a)`` is now a vector, so reduce it: ``d.sum().backward()``. The
#       function is still :math:`k \mathbf{a}` with one :math:`k` for the whole
#       vector (the loop tests the norm, the branch tests the sum), so its Jacobian
#       is :math:`k` times the identity, the column sums are :math:`k`, and
#       ``a.grad`` equals ``d / a`` elementwise.
#
# 4. For ``f(x) = W @ (x**2)`` above, which vector :math:`\mathbf{v}` makes
#    ``y.backward(gradient=v)`` return the gradient of :math:`y_2` alone? Check your
#    answer against the row of ``J``.
#
#    .. dropdown:: Answer
#
#       :math:`\mathbf{v} = (0, 1, 0)^\top`, the second unit vector: then
#       :math:`\mathbf{J}^\top \mathbf{v}` is the second row of :math:`\mathbf{J}`,
#       which is ``J[1]`` in code (math counts from 1). Repeating this for every unit
#       vector builds the whole Jacobian one row at a time, which is what
#       :func:`torch.autograd.functional.jacobian` does.
#
# 5. **Programming task.** Give ``Value`` a subtraction and a power with a constant
#    exponent (``__neg__``, ``__sub__``, ``__pow__``), then compute the gradient of
#    the squared error of one neuron, :math:`(\tanh(w x + b) - y)^2`, with respect to
#    :math:`w` and :math:`b`, and check it against PyTorch.
#
#    .. dropdown:: Worked answer
#
#       The local derivative of :math:`a^p` is :math:`p a^{p-1}`; subtraction is
#       addition of the negative, and :math:`-a` is :math:`(-1) a`.
#
#       .. code-block:: python
#
#          def __pow__(self, p):  # p is a Python number
#              return Value(self.data**p, (self,), (p * self.data ** (p - 1),))
#
#          Value.__pow__ = __pow__
#          Value.__neg__ = lambda self: self * -1.0
#          Value.__sub__ = lambda self, other: self + (-other)
#
#          def sq_error(w, b, x=1.5, y=0.3):
#              return ((w * x + b).tanh() - y) ** 2
#
#          w, b = Value(-0.7), Value(0.2)
#          sq_error(w, b).backward()
#          w_t = torch.tensor(-0.7, dtype=torch.float64, requires_grad=True)
#          b_t = torch.tensor(0.2, dtype=torch.float64, requires_grad=True)
#          sq_error(w_t, b_t).backward()
#          assert abs(w.grad - w_t.grad.item()) < 1e-12
#          assert abs(b.grad - b_t.grad.item()) < 1e-12
#          print(w, b)
