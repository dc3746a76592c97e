"""
From linear models to multilayer perceptrons
============================================

A linear classifier splits its input space with a straight boundary: a line in two
dimensions, a plane in three. Many problems cannot be split that way, and the
smallest of them has four points: XOR, where a point belongs to class 1 when exactly
one of its two coordinates is positive. This page proves that no linear classifier
gets more than three of the four XOR points right, then adds a *hidden layer* with a
nonlinear :term:`activation function` and watches the problem disappear. On the way
we check why the nonlinearity cannot be left out (a stack of linear layers is one
linear layer again), meet the usual activation functions and their derivatives, and
see how the width of a single hidden layer lets it follow any curve.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * why no linear classifier solves XOR, and how one hidden layer of ReLUs does
      * the equations of a multilayer perceptron (MLP) with one hidden layer
      * that linear layers stacked without an activation collapse into one
      * ReLU, sigmoid, tanh and GELU, and their derivatives from autograd
      * how the width of a hidden layer sets what it can represent

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../01_getting_started/01_fit_a_line` (``nn.Linear``, ``optim.SGD``,
        least squares)
      * :doc:`../02_preliminaries/05_autograd` (``torch.autograd.grad``)
      * :doc:`../04_linear_classification/02_softmax_regression_scratch`
        (softmax regression, the cross-entropy loss)
      * data: synthetic (noisy XOR points and a 1-D curve), no download
"""

# sphinx_gallery_thumbnail_number = 1

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
# A linear classifier with :math:`q` classes computes one score per class,
# :math:`\mathbf{o} = \mathbf{W}^\top \mathbf{x} + \mathbf{b}`, and predicts the class
# with the largest score. With two classes the prediction is class 1 exactly when
# :math:`o_2 - o_1 > 0`, and :math:`o_2 - o_1 = \mathbf{w}^\top \mathbf{x} + b` for
# :math:`\mathbf{w}` the difference of the two weight columns and :math:`b` the
# difference of the biases. So the two classes are separated by the straight line
# :math:`\mathbf{w}^\top \mathbf{x} + b = 0`, whatever the weights. A linear model
# also assumes *monotonicity*: raising one feature always pushes the score the same
# way, no matter what the other features are.
#
# XOR breaks both. Take the four corners :math:`\mathbf{x} \in \{-1, 1\}^2` and give
# class 1 to the two where the coordinates differ:
#
# .. math::
#
#    y = \begin{cases} 1 & \text{if } x_1 x_2 < 0, \\
#                      0 & \text{otherwise.} \end{cases}
#
# Raising :math:`x_1` helps class 1 when :math:`x_2 = -1` and hurts it when
# :math:`x_2 = 1`. No line has both class-1 corners on one side and both class-0
# corners on the other (the dropdown has the two-line proof), so the best any linear
# classifier can do is three corners out of four: 75% accuracy.
#
# .. dropdown:: Proof: no line separates XOR
#
#    Suppose :math:`\mathbf{w}^\top \mathbf{x} + b > 0` on the class-1 corners
#    :math:`(-1, 1)` and :math:`(1, -1)`, that is :math:`-w_1 + w_2 + b > 0` and
#    :math:`w_1 - w_2 + b > 0`. Adding the two gives :math:`b > 0`. On the class-0
#    corners :math:`(-1, -1)` and :math:`(1, 1)` we need :math:`-w_1 - w_2 + b \le 0`
#    and :math:`w_1 + w_2 + b \le 0`, and adding these gives :math:`b \le 0`. Both
#    cannot hold, so every line misclassifies at least one corner.
#
# A *multilayer perceptron* (MLP) puts a *hidden layer* between input and output.
# For a minibatch :math:`\mathbf{X} \in \mathbb{R}^{n \times d}` (one example per row)
# and :math:`h` hidden units,
#
# .. math::
#
#    \mathbf{H} = \phi\left(\mathbf{X} \mathbf{W}^{(1)} + \mathbf{b}^{(1)}\right),
#    \qquad
#    \mathbf{O} = \mathbf{H} \mathbf{W}^{(2)} + \mathbf{b}^{(2)},
#
# with weights :math:`\mathbf{W}^{(1)} \in \mathbb{R}^{d \times h}`,
# :math:`\mathbf{W}^{(2)} \in \mathbb{R}^{h \times q}`, biases
# :math:`\mathbf{b}^{(1)} \in \mathbb{R}^{1 \times h}`,
# :math:`\mathbf{b}^{(2)} \in \mathbb{R}^{1 \times q}` (added to every row by
# broadcasting), the hidden representations :math:`\mathbf{H} \in \mathbb{R}^{n \times
# h}` and the output scores :math:`\mathbf{O} \in \mathbb{R}^{n \times q}`. The
# superscript :math:`(1)` or :math:`(2)` on a weight names its layer. The activation
# function :math:`\phi` is applied to every entry; the most common choice is the
# *rectified linear unit*, :math:`\operatorname{ReLU}(x) = \max(x, 0)`.
#
# .. note::
#
#    ``nn.Linear(d, h)`` stores its weight as an ``(h, d)`` matrix and computes
#    ``X @ weight.T + bias``. So :math:`\mathbf{W}^{(1)}` of the math is
#    ``layer.weight.T`` in the code.
#
# The XOR data
# ------------
#
# We draw 400 points around the four corners, with a little Gaussian noise so that
# the pictures have something to show between the corners. Each point takes the label
# of its corner.

corners = torch.tensor([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
corner_labels = torch.tensor([0, 1, 1, 0])  # class 1 where the coordinates differ

n = 400
which = torch.randint(0, 4, (n,))
X = corners[which] + 0.3 * torch.randn(n, 2)
y = corner_labels[which]
print("X:", tuple(X.shape), "| y:", tuple(y.shape), "| class 1 fraction:",
      f"{y.float().mean().item():.3f}")

# %%
# A linear classifier fails
# -------------------------
#
# First, brute force on the four corners: draw 100,000 random lines
# :math:`\mathbf{w}^\top \mathbf{x} + b = 0` and score each one. All of them are
# evaluated at once: ``corners @ w_lines.T`` has one column per line.

w_lines = torch.randn(100_000, 2)
b_lines = torch.randn(100_000)
predicted = (corners @ w_lines.T + b_lines > 0).long()  # (4 corners, 100,000 lines)
line_acc = (predicted == corner_labels[:, None]).float().mean(dim=0)
print(f"best accuracy of 100,000 random lines on the corners: "
      f"{line_acc.max().item():.2f}")
best_fraction = (line_acc == line_acc.max()).float().mean().item()
print(f"fraction of lines that reach it: {best_fraction:.3f}")
assert line_acc.max().item() == 0.75  # three corners out of four, never four

# %%
# The same lines on the 400 noisy points. The theorem is about the four corners;
# around them, the noise carries a few points of the corner that a line gets
# wrong over to its good side, so the best line can score a little above 3/4, but
# it still gives up most of one corner's cloud:

points_acc = ((X @ w_lines.T + b_lines > 0).long() == y[:, None]).float().mean(dim=0)
print(f"best accuracy of the same lines on the noisy points: "
      f"{points_acc.max().item():.3f}")
handson.check("best accuracy of 100,000 random lines on the noisy points",
              points_acc.max(), "<", 0.85, quick=True)

# %%
# Now train one. A linear classifier for two classes is ``nn.Linear(2, 2)``
# followed by the softmax cross-entropy loss, exactly the softmax regression of the
# previous chapter. The data set is tiny, so every step uses all :math:`n` points
# (full-batch gradient descent), and one step is one epoch.


def fit(net, X, y, num_epochs, lr):
    """Full-batch gradient descent on the cross-entropy; returns the final loss."""
    loss = nn.CrossEntropyLoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for epoch in range(num_epochs):
        trainer.zero_grad()
        l = loss(net(X), y)
        l.backward()
        trainer.step()
    return loss(net(X), y).item()


linear = nn.Linear(2, 2)
linear_loss = fit(linear, X, y, num_epochs=handson.epochs(500), lr=0.5)
with torch.no_grad():
    linear_acc = handson.accuracy(linear(X), y)
    linear_corner_acc = handson.accuracy(linear(corners), corner_labels)
print(f"linear: loss {linear_loss:.4f} (log 2 = {math.log(2):.4f}), "
      f"accuracy {linear_acc:.3f} on the points, "
      f"{linear_corner_acc:.2f} on the corners")
assert linear_corner_acc <= 0.75  # the theorem: no line gets all four corners
handson.check("accuracy of the trained line on the noisy points", linear_acc,
              "<", 0.85)
handson.check("|loss of the trained line - log 2|", abs(linear_loss - math.log(2)),
              "<", 0.03)

# %%
# The printed loss sits near :math:`\log 2`, the loss of a classifier that gives
# both classes probability one half everywhere: with the data symmetric about the
# origin, the best the line can do for the *loss* is to hedge, and its accuracy lands
# wherever the small leftover tilt puts it.
#
# From scratch: a hidden layer solves XOR by hand
# -----------------------------------------------
#
# Before training anything, here is an MLP whose weights we choose ourselves. Two
# hidden ReLUs, :math:`h_1 = \operatorname{ReLU}(x_1 - x_2)` and
# :math:`h_2 = \operatorname{ReLU}(x_2 - x_1)`, add up to :math:`|x_1 - x_2|`, which
# is 2 on the class-1 corners and 0 on the class-0 corners. The output scores
# :math:`o_1 = 0` for class 0 and :math:`o_2 = h_1 + h_2 - 1` for class 1 then pick
# the right class at every corner. In the matrix form above:


def relu(X):
    """The rectified linear unit, max(x, 0) entry by entry."""
    return torch.where(X > 0, X, torch.zeros_like(X))


W1 = torch.tensor([[1.0, -1.0], [-1.0, 1.0]])  # column j holds hidden unit j
b1 = torch.zeros(2)
W2 = torch.tensor([[0.0, 1.0], [0.0, 1.0]])  # class-0 score 0, class-1 score h1 + h2
b2 = torch.tensor([0.0, -1.0])

H = relu(corners @ W1 + b1)
O = H @ W2 + b2
print("hidden units H:\n", H)
print("scores O:\n", O)
print("predicted:", O.argmax(dim=1).tolist(), "| labels:", corner_labels.tolist())
assert torch.equal(O.argmax(dim=1), corner_labels)
torch.testing.assert_close(relu(X), torch.relu(X))  # our ReLU is PyTorch's

# %%
# Each hidden unit draws one line, :math:`x_1 - x_2 = 0` here (the two units look at
# opposite sides of it), and ReLU keeps only one side of its line. The output layer
# then adds these bent pieces, and a sum of bent pieces need not be linear.
#
# Concise: learn the hidden layer
# -------------------------------
#
# Nobody sets weights by hand for real problems. ``nn.Sequential`` chains
# ``nn.Linear(2, num_hiddens)``, ``nn.ReLU()`` and ``nn.Linear(num_hiddens, 2)``,
# which is the MLP of the equations above, and the same training loop learns the
# weights. We give it a few more hidden units than the two it needs, which makes
# training from a random start more reliable.

num_hiddens = 8
mlp = nn.Sequential(nn.Linear(2, num_hiddens), nn.ReLU(), nn.Linear(num_hiddens, 2))
mlp_loss = fit(mlp, X, y, num_epochs=handson.epochs(1000), lr=0.5)
with torch.no_grad():
    mlp_acc = handson.accuracy(mlp(X), y)
    mlp_corner_acc = handson.accuracy(mlp(corners), corner_labels)
print(f"MLP:    loss {mlp_loss:.4f}, accuracy {mlp_acc:.3f} on the points, "
      f"{mlp_corner_acc:.2f} on the corners")
handson.check("MLP accuracy on the noisy points", mlp_acc, ">=", 0.97)
handson.check("MLP accuracy on the four corners", mlp_corner_acc, "==", 1.0)

# %%
# The decision regions show the difference. We classify every point of a fine grid
# and colour it by the predicted class: the linear classifier can only cut the plane
# in two half-planes, the MLP carves out the two class-1 quadrants.

grid = torch.linspace(-2.2, 2.2, 201)
gx1, gx2 = torch.meshgrid(grid, grid, indexing="xy")
X_grid = torch.stack([gx1.reshape(-1), gx2.reshape(-1)], dim=1)

fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), sharey=True)
panels = [(linear, "linear classifier", linear_acc),
          (mlp, f"MLP, {num_hiddens} hidden ReLUs", mlp_acc)]
for ax, (net, name, acc) in zip(axes, panels):
    with torch.no_grad():
        region = net(X_grid).argmax(dim=1).reshape(gx1.shape)
    ax.contourf(gx1, gx2, region, levels=[-0.5, 0.5, 1.5], colors=["C0", "C1"],
                alpha=0.25)
    for label, marker in [(0, "o"), (1, "^")]:
        ax.scatter(X[y == label, 0], X[y == label, 1], s=12, marker=marker,
                   color=f"C{label}", label=f"class {label}")
    ax.set_title(f"{name}: accuracy {acc:.2f}")
    ax.set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")
axes[0].legend(loc="lower left")
fig.tight_layout()
plt.show()

# %%
# Without an activation, layers collapse
# --------------------------------------
#
# Why the ReLU? Drop :math:`\phi` from the equations and substitute the first into
# the second:
#
# .. math::
#
#    \mathbf{O} = (\mathbf{X} \mathbf{W}^{(1)} + \mathbf{b}^{(1)}) \mathbf{W}^{(2)}
#    + \mathbf{b}^{(2)}
#    = \mathbf{X} \underbrace{\mathbf{W}^{(1)} \mathbf{W}^{(2)}}_{\mathbf{W}}
#    + \underbrace{\mathbf{b}^{(1)} \mathbf{W}^{(2)} + \mathbf{b}^{(2)}}_{\mathbf{b}}.
#
# Two linear layers are one linear layer with weight :math:`\mathbf{W}` and bias
# :math:`\mathbf{b}`, and by induction so are any number of them. We check it on a
# stack of three, with the weights transposed into the math's convention:

deep_linear = nn.Sequential(nn.Linear(2, 16), nn.Linear(16, 16), nn.Linear(16, 2))
W = torch.eye(2)
b = torch.zeros(2)
with torch.no_grad():
    for layer in deep_linear:
        W = W @ layer.weight.T  # W <- W W^(k)
        b = b @ layer.weight.T + layer.bias  # b <- b W^(k) + b^(k)
    torch.testing.assert_close(deep_linear(X), X @ W + b)
print("three stacked linear layers == one linear layer with W of shape",
      tuple(W.shape))

# %%
# So a deep network without activations has exactly the power of softmax regression:
# on the four XOR corners it gets at most three right, and on the noisy points it
# does no better than the single lines above. The nonlinearity is what makes depth
# worth having.
#
# Activation functions and their derivatives
# ------------------------------------------
#
# Training needs the derivative of :math:`\phi` (backpropagation multiplies by it at
# every hidden unit), so we look at both. The four activations seen most often:
#
# .. math::
#
#    \operatorname{ReLU}(x) = \max(x, 0), \qquad
#    \operatorname{sigmoid}(x) = \frac{1}{1 + e^{-x}}, \qquad
#    \tanh(x) = \frac{1 - e^{-2x}}{1 + e^{-2x}}, \qquad
#    \operatorname{GELU}(x) = x \, \Phi(x),
#
# where :math:`\Phi` is the distribution function of the standard normal
# distribution. Their derivatives, with
# :math:`\Phi'(x) = e^{-x^2/2} / \sqrt{2\pi}` the standard normal density:
#
# .. math::
#
#    \operatorname{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x < 0 \end{cases},
#    \quad
#    \operatorname{sigmoid}'(x) = \operatorname{sigmoid}(x)\,(1 -
#    \operatorname{sigmoid}(x)),
#    \quad
#    \tanh'(x) = 1 - \tanh^2(x),
#    \quad
#    \operatorname{GELU}'(x) = \Phi(x) + x \, \Phi'(x).
#
# ReLU has no derivative at 0; PyTorch uses 0 there, and since the input is almost
# never exactly 0 the choice does not matter. Autograd computes all four derivatives
# on a grid of inputs. Each output entry depends only on the matching input entry,
# so the gradient of the *sum* of the outputs is the vector of derivatives.

x = torch.linspace(-5, 5, 201, requires_grad=True)
activations = {
    "ReLU": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "GELU": nn.functional.gelu,
}
x_ = x.detach()
normal_cdf = 0.5 * (1 + torch.erf(x_ / math.sqrt(2)))
normal_pdf = torch.exp(-x_ ** 2 / 2) / math.sqrt(2 * math.pi)
by_hand = {
    "ReLU": (x_ > 0).float(),
    "sigmoid": torch.sigmoid(x_) * (1 - torch.sigmoid(x_)),
    "tanh": 1 - torch.tanh(x_) ** 2,
    "GELU": normal_cdf + x_ * normal_pdf,
}

values, derivatives = {}, {}
for name, phi in activations.items():
    out = phi(x)
    (grad,) = torch.autograd.grad(out.sum(), x)
    values[name], derivatives[name] = out.detach(), grad
    torch.testing.assert_close(grad, by_hand[name])
    print(f"{name:8s} derivative: min {grad.min().item():7.4f}, "
          f"max {grad.max().item():7.4f}  (autograd == formula)")
torch.testing.assert_close(derivatives["sigmoid"].max(), torch.tensor(0.25))
torch.testing.assert_close(derivatives["tanh"].max(), torch.tensor(1.0))

fig, axes = plt.subplots(1, 4, figsize=(12, 3), sharey=True)
for ax, name in zip(axes, activations):
    ax.plot(x_, values[name], label=name)
    ax.plot(x_, derivatives[name], "--", label="derivative")
    ax.axhline(0, color="k", lw=0.5)
    ax.set_title(name)
    ax.set_xlabel("$x$")
    ax.set_ylim(-1.2, 2.2)
    ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()

# %%
# The printed maxima are worth remembering. The derivative of the sigmoid is never
# above one quarter and that of tanh never above one, and both go to zero for large
# inputs: a gradient that passes through many such units shrinks. ReLU passes the
# gradient unchanged wherever the unit is active, which is the main reason it
# replaced the sigmoid in hidden layers. GELU is a smooth ReLU (it dips slightly
# below zero for negative inputs) and is the activation of many transformer models,
# BERT and GPT-2 among them (PyTorch's ``nn.TransformerEncoderLayer`` still defaults
# to ReLU).
# :doc:`04_numerical_stability` follows the shrinking gradients through a deep
# network.
#
# How wide? One hidden layer can follow any curve
# -----------------------------------------------
#
# With one input and one output, a hidden ReLU unit
# :math:`\operatorname{ReLU}(w_j x + b_j)` is a *hinge*: zero on one side of the kink
# at :math:`x = -b_j / w_j` and a straight line on the other. The output layer adds
# :math:`h` hinges with weights :math:`w^{(2)}_j` and a constant, so the network is a
# piecewise-linear function with up to :math:`h` kinks. With kinks close enough
# together, a piecewise-linear function follows any continuous curve on an interval
# as closely as we like. That is the intuition behind the *universal approximation
# theorem* (Cybenko 1989, Hornik 1991): one hidden layer, if wide enough, can
# approximate any continuous function on a bounded region.
#
# The theorem says the weights *exist*; it does not say training finds them. To see
# what width alone buys, we fix the hidden layer to :math:`h` random hinges (random
# kink positions in the interval, random direction) and solve for the output layer
# exactly by least squares, as in :doc:`../01_getting_started/01_fit_a_line`. Each
# width uses the first :math:`h` hinges of the same list, so a wider layer can always
# do at least as well as a narrower one. Nearby kinks make the least-squares problem
# badly conditioned, so we work in double precision and with an SVD-based solver.


def target(x):
    """The curve to approximate."""
    return torch.sin(2 * x) + 0.3 * x ** 2 - 1


x_curve = torch.linspace(-3, 3, 400, dtype=torch.float64).reshape(-1, 1)
y_curve = target(x_curve)

max_hiddens = 128
direction = torch.where(torch.rand(max_hiddens) < 0.5, -1.0, 1.0).double()
kinks = (torch.rand(max_hiddens) * 6 - 3).double()
W1_hinges = direction.reshape(1, -1)  # (1, h): weight w_j of hidden unit j
b1_hinges = -direction * kinks  # so that the kink of unit j sits at kinks[j]


def hinge_fit(num_hiddens):
    """Least-squares output layer on the first num_hiddens hinges; returns MSE, fit."""
    H = relu(x_curve @ W1_hinges[:, :num_hiddens] + b1_hinges[:num_hiddens])
    A = torch.cat([H, torch.ones(len(H), 1, dtype=H.dtype)], dim=1)  # bias column
    # driver="gelsd" solves via the SVD: robust when columns are nearly dependent
    W2_and_b2 = torch.linalg.lstsq(A, y_curve, driver="gelsd").solution
    y_fit = A @ W2_and_b2
    return ((y_fit - y_curve) ** 2).mean().item(), y_fit


widths = [1, 2, 4, 8, 16, 32, 64, 128]
mses, fits = [], {}
for num_hiddens in widths:
    mse, fits[num_hiddens] = hinge_fit(num_hiddens)
    mses.append(mse)
    print(f"h = {num_hiddens:4d} hidden units: mean squared error {mse:.2e}")
assert all(b <= a + 1e-12 for a, b in zip(mses, mses[1:]))  # never worse when wider
handson.check("MSE with 128 hinges over MSE with 1", mses[-1] / mses[0], "<", 1e-3,
              quick=True)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
axes[0].plot(x_curve, y_curve, "k", lw=4, alpha=0.3, label="target")
for num_hiddens in [2, 8, 32]:
    axes[0].plot(x_curve, fits[num_hiddens], label=f"$h$ = {num_hiddens}")
axes[0].set_xlabel("$x$")
axes[0].set_title("Sums of $h$ ReLU hinges")
axes[0].legend(fontsize=8)
axes[1].loglog(widths, mses, "o-")
axes[1].set_xlabel("hidden units $h$")
axes[1].set_ylabel("mean squared error")
axes[1].set_title("Wider hidden layer, smaller error")
fig.tight_layout()
plt.show()

# %%
# The printed errors fall with the width, by orders of magnitude over the range.
# Two hinges give a crude bend, a few dozen trace the curve. Width is not the only
# way to add kinks: stacking hidden layers multiplies the number of linear pieces
# rather than adding to it, which is one reason deep networks are preferred over a
# single very wide layer.
#
# .. note::
#
#    Representing a function is not learning it. The last exercise trains all the
#    weights of such a network by gradient descent and compares the result with the
#    least-squares hinges. The next page trains an MLP on real images.

# %%
# Summary
# -------
#
# * A linear classifier separates classes with a straight boundary; on XOR no
#   boundary gets more than three of the four corners right.
# * An MLP with one hidden layer computes
#   :math:`\mathbf{O} = \phi(\mathbf{X} \mathbf{W}^{(1)} + \mathbf{b}^{(1)})
#   \mathbf{W}^{(2)} + \mathbf{b}^{(2)}`; two hidden ReLUs solve XOR.
# * Without the activation :math:`\phi`, any stack of linear layers equals one linear
#   layer, so the nonlinearity is what gives depth its power.
# * ReLU, sigmoid, tanh and GELU differ most in their derivatives: sigmoid's is at
#   most 1/4 and tanh's at most 1, ReLU's is 1 wherever the unit is active.
# * A wide enough hidden layer can approximate any continuous function (universal
#   approximation); a ReLU layer does it with piecewise-linear hinges.

# %%
# Exercises
# ---------
#
# 1. Train the XOR MLP with ``num_hiddens`` equal to 1, 2 and 8, and with
#    ``nn.Sigmoid()`` or ``nn.Tanh()`` in place of ``nn.ReLU()``. Which settings reach
#    100% accuracy? Can one hidden unit ever be enough?
#
#    .. dropdown:: Answer
#
#       One hidden unit can never solve XOR: the output is a monotone function of a
#       single linear score :math:`w_1 x_1 + w_2 x_2 + b`, so the classes are still
#       separated by a line. Two units suffice in principle (the hand-made network),
#       but from a random start training sometimes gets stuck, for example when a
#       ReLU unit is inactive on every point and so receives no gradient. With 8
#       units all three activations can get the four corners right. The sigmoid
#       learns most slowly, because its derivative is at most 1/4: after the same
#       1,000 steps it may still misclassify a few of the noisy points near the
#       axes, and it needs more steps or a larger learning rate to catch up.
#
# 2. What does autograd return as the derivative of ReLU at exactly 0? Of
#    :math:`|x|` at 0? Why does the choice almost never matter in training?
#
#    .. dropdown:: Answer
#
#       Both are 0:
#
#       .. code-block:: python
#
#          z = torch.zeros((), requires_grad=True)
#          print(torch.autograd.grad(torch.relu(z), z))
#          print(torch.autograd.grad(z.abs(), z))
#
#       Any value between 0 and 1 is a valid *subgradient* of ReLU at 0. The
#       pre-activations are sums of products of floating-point numbers and are
#       exactly 0 with probability close to zero, so the value at 0 is almost never
#       used.
#
# 3. In the hinge experiment, how fast does the error fall with :math:`h`? Fit a
#    straight line to the log-log plot. Then place the kinks evenly
#    (``kinks = torch.linspace(-3, 3, max_hiddens)``, in the order
#    ``0, 64, 32, 96, ...`` so that every prefix is spread out, or simply refit each
#    width with its own evenly spaced kinks) and compare.
#
#    .. dropdown:: Hint
#
#       For a smooth curve, the best piecewise-linear function with kinks a distance
#       :math:`\delta` apart misses by about :math:`\delta^2` times the curvature,
#       so the *squared* error falls like :math:`\delta^4 \propto h^{-4}` with evenly
#       spaced kinks: a slope of about :math:`-4` on the log-log plot. Random kinks
#       leave some gaps wide, and the error falls more slowly and less regularly.
#
# 4. Count the parameters of an MLP with :math:`d` inputs, one hidden layer of
#    :math:`h` units and :math:`q` outputs. How many does the next page's network
#    (:math:`d = 784` pixels, :math:`h = 256`, :math:`q = 10` classes) have, and how
#    many does softmax regression on the same images have?
#
#    .. dropdown:: Answer
#
#       :math:`\mathbf{W}^{(1)}` has :math:`dh` entries, :math:`\mathbf{b}^{(1)}` has
#       :math:`h`, :math:`\mathbf{W}^{(2)}` has :math:`hq` and :math:`\mathbf{b}^{(2)}`
#       has :math:`q`: in all :math:`(d + 1) h + (h + 1) q`, that is
#       :math:`785 \cdot 256 + 257 \cdot 10` for the next page. Softmax regression
#       has :math:`(d + 1) q = 785 \cdot 10`. The next page counts both with
#       ``sum(p.numel() for p in net.parameters())`` and prints their ratio.
#
# 5. **Programming task.** Train a network with one hidden layer of 64 ReLUs on the
#    curve ``target`` by full-batch gradient descent (all weights learned, starting
#    from PyTorch's default initialisation) and compare its mean squared error after
#    2,000 steps with the least-squares hinge fit for :math:`h = 64`. Try a few
#    learning rates.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          x32, y32 = x_curve.float(), y_curve.float()
#          torch.manual_seed(0)
#          net = nn.Sequential(nn.Linear(1, 64), nn.ReLU(), nn.Linear(64, 1))
#          loss = nn.MSELoss()
#          trainer = torch.optim.SGD(net.parameters(), lr=0.05)
#          for step in range(2000):
#              trainer.zero_grad()
#              l = loss(net(x32), y32)
#              l.backward()
#              trainer.step()
#          print(f"trained: {l.item():.2e}   least-squares hinges: {mses[-2]:.2e}")
#
#       Plain gradient descent ends orders of magnitude above the least-squares fit
#       of the same width, and with ``lr=0.1`` it diverges to ``nan``. Given the
#       kinks, the output layer is an easy least-squares problem; moving the kinks
#       is the hard part, and a learning rate large enough to move them quickly
#       makes the steps unstable.
#       The representation exists; finding it is the optimiser's problem, which
#       the optimisation chapter attacks (:doc:`../10_optimization/06_momentum`,
#       :doc:`../10_optimization/10_adam`,
#       :doc:`../10_optimization/11_learning_rate_scheduling`).
