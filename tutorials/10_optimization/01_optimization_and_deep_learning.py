"""
Optimisation and deep learning
==============================

Training a network means minimising a loss with an *optimisation algorithm*. This
chapter studies those algorithms, and this first page says what they can and cannot
do for us. Optimisation minimises the loss on the training data, while deep learning
wants a model that does well on data it has not seen: the two goals differ, and we
measure by how much on a small example. Then we meet the three obstacles an optimiser
runs into on a deep-learning loss: local minima, saddle points (classified with the
eigenvalues of the Hessian, computed by autograd) and vanishing gradients.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * empirical risk versus risk: the minimiser of one is not the minimiser of
        the other, and the gap shrinks with more data (measured)
      * local and global minima, and how the starting point decides which one
        gradient descent finds
      * saddle points: Hessians with ``torch.autograd.functional.hessian`` and the
        signs of their eigenvalues; why saddles outnumber minima in high dimension
      * vanishing gradients: why gradient descent crawls on :math:`\\tanh` far
        from 0

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../02_preliminaries/04_calculus` (derivatives, gradients) and
        :doc:`../02_preliminaries/05_autograd`
      * :doc:`../05_multilayer_perceptrons/03_generalization` (training versus
        generalisation error)
      * :doc:`../05_multilayer_perceptrons/04_numerical_stability` (vanishing
        gradients in deep networks)
      * data: none, every example is synthetic
"""

# sphinx_gallery_thumbnail_number = 2

import math

import matplotlib.pyplot as plt
import torch

import handson

handson.seed(0)

# %%
# Goal of optimisation
# --------------------
#
# The function an optimiser minimises is its *objective*; in deep learning it is the
# loss averaged over the :math:`n` training examples, the *empirical risk*
#
# .. math::
#
#    \hat R(\mathbf{w}) = \frac{1}{n} \sum_{i=1}^n l(\mathbf{w}; \mathbf{x}_i, y_i).
#
# What we really care about is the *risk*, the expected loss on a new example drawn
# from the same distribution, :math:`R(\mathbf{w}) = E_{(\mathbf{x}, y)}[l(\mathbf{w};
# \mathbf{x}, y)]`. An optimiser sees only :math:`\hat R`, so its best answer is the
# minimiser of :math:`\hat R`, not of :math:`R`. D2L draws this with two made-up
# curves; here both risks can be computed exactly.
#
# Take one feature :math:`x \sim \mathcal{N}(0, 1)`, labels :math:`y = 2x + \epsilon`
# with noise :math:`\epsilon \sim \mathcal{N}(0, \sigma^2)`, the model
# :math:`\hat y = w x` and the squared loss. Then
#
# .. math::
#
#    R(w) = E[(wx - y)^2] = (w - 2)^2 + \sigma^2,
#
# minimised at :math:`w^* = 2`, while :math:`\hat R(w)` is a parabola through
# :math:`n` random points, minimised at
# :math:`\hat w = \sum_i x_i y_i / \sum_i x_i^2`.

w_star, sigma = 2.0, 1.0


def make_data(n, generator=None):
    """n examples of y = 2 x + noise."""
    x = torch.randn(n, generator=generator, dtype=torch.float64)
    return x, w_star * x + sigma * torch.randn(n, generator=generator,
                                               dtype=torch.float64)


def risk(w):
    """The expected squared loss of the model w * x, in closed form."""
    return (w - w_star) ** 2 + sigma**2


def empirical_risk(w, x, y):
    """The mean squared loss on the data (x, y), for each w in a tensor of ws."""
    return ((w.reshape(-1, 1) * x - y) ** 2).mean(dim=1)


x, y = make_data(10)
w_hat = (x * y).sum() / (x * x).sum()
ws = torch.linspace(0.5, 3.5, 301, dtype=torch.float64)
emp = empirical_risk(ws, x, y)
torch.testing.assert_close(ws[emp.argmin()], w_hat, atol=0.01, rtol=0)
print(f"n = 10 examples: empirical-risk minimiser w_hat = {w_hat:.3f} (w* = {w_star})")
print(f"  empirical risk: at w_hat {empirical_risk(w_hat, x, y).item():.3f}, "
      f"at w* {empirical_risk(torch.tensor(w_star), x, y).item():.3f}")
print(f"  risk:           at w_hat {risk(w_hat):.3f}, at w* {risk(w_star):.3f}")

# %%
# On the training data :math:`\hat w` looks better than the true :math:`w^*`; on new
# data it is worse. How far the two minimisers are apart depends on :math:`n`: we
# draw 500 training sets of each size and average the extra risk
# :math:`R(\hat w) - R(w^*)`.

gen = torch.Generator().manual_seed(1 + handson.reproducibility.seed_offset())
sizes = [10, 100, 1000]
excess = {}
for n in sizes:
    x, y = make_data(500 * n, generator=gen)
    x, y = x.reshape(500, n), y.reshape(500, n)
    w_hats = (x * y).sum(dim=1) / (x * x).sum(dim=1)
    excess[n] = (risk(w_hats) - risk(w_star)).mean().item()
    print(f"n = {n:5d}: mean excess risk R(w_hat) - R(w*) = {excess[n]:.5f}")
handson.check("excess risk at n=10 over excess risk at n=1000",
              excess[10] / excess[1000], ">", 30, quick=True)

# %%
# The excess risk falls about tenfold for every tenfold more data (it is close to
# :math:`\sigma^2 / n`). Minimising the training loss perfectly is therefore not the
# goal: what matters is the risk, and fighting overfitting
# (:doc:`../05_multilayer_perceptrons/03_generalization`) is a separate job. The
# rest of this chapter is about the optimiser's own job, minimising the objective
# it is given, quickly.

fig, ax = plt.subplots(figsize=(5, 3))
x, y = make_data(10, generator=gen)
ax.plot(ws, risk(ws), label="risk $R(w)$")
ax.plot(ws, empirical_risk(ws, x, y), label=r"empirical risk $\hat R(w)$, $n=10$")
ax.axvline(w_star, color="gray", ls=":")
ax.set_xlabel("$w$")
ax.set_ylabel("loss")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Local minima
# ------------
#
# A point :math:`x^*` is a *local minimum* of :math:`f` if :math:`f(x^*)` is smaller
# than :math:`f` at every other point near it, and the *global minimum* if it is the
# smallest value anywhere. D2L's example is :math:`f(x) = x \cos(\pi x)` on
# :math:`[-1, 2]`. Gradient descent, :math:`x \leftarrow x - \eta f'(x)` (the next
# pages study it in detail), stops wherever :math:`f'(x) = 0`, and which minimum
# that is depends on where it starts.


def f(x):
    return x * torch.cos(math.pi * x)


def gradient_descent(f, x0, lr=0.05, num_steps=200):
    """Run x <- x - lr * f'(x) with autograd; return every point."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    path = [x.item()]
    for _ in range(num_steps):
        (grad,) = torch.autograd.grad(f(x), x)
        with torch.no_grad():
            x -= lr * grad
        path.append(x.item())
    return torch.tensor(path)


grid = torch.linspace(-1, 2, 3001, dtype=torch.float64)
values = f(grid)
is_min = (values[1:-1] < values[:-2]) & (values[1:-1] < values[2:])
minima = grid[1:-1][is_min]
print("minima of x cos(pi x) on [-1, 2], from a fine grid:",
      [f"x = {m:.3f}, f = {f(m):.3f}" for m in minima])
ends = {x0: gradient_descent(f, x0)[-1] for x0 in [-0.8, 0.2, 1.6]}
for x0, end in ends.items():
    print(f"gradient descent from x = {x0:4.1f} ends at x = {end:.3f}, "
          f"f = {f(end):.3f}")
assert len(minima) == 2
assert abs(ends[-0.8] - minima[0]) < 0.01 and abs(ends[0.2] - minima[0]) < 0.01
assert abs(ends[1.6] - minima[1]) < 0.01 and f(minima[1]) < f(minima[0])

# %%
# Two starts end in the local minimum, one in the global minimum: gradient descent
# only knows its neighbourhood. A deep-learning loss has very many local minima, and
# an optimiser is usually satisfied with a good one. The noise in *minibatch*
# gradients (page :doc:`04_stochastic_gradient_descent`) can help to shake the
# parameters out of a poor local minimum.
#
# Saddle points
# -------------
#
# A *saddle point* is a point where the gradient vanishes but which is neither a
# minimum nor a maximum. In one dimension, :math:`f(x) = x^3` has
# :math:`f'(0) = f''(0) = 0`. Gradient descent started at :math:`x = 1` slows down as
# it approaches 0 and never gets past it, although :math:`f` keeps decreasing to
# the left.

path = gradient_descent(lambda x: x**3, 1.0, lr=0.1, num_steps=1000)
print(f"x^3 from x = 1: after {len(path) - 1} steps x = {path[-1]:.4f}, "
      f"f'(x) = {3 * path[-1] ** 2:.2e}")
assert 0 < path[-1] < 0.05

# %%
# In several dimensions, the *Hessian* :math:`\mathbf{H} = \nabla^2 f`, the matrix of
# second derivatives, tells them apart at a point where :math:`\nabla f = 0`:
#
# * all eigenvalues of :math:`\mathbf{H}` positive: a local minimum;
# * all negative: a local maximum;
# * some positive and some negative: a saddle point.
#
# (With zero eigenvalues, as for :math:`x^3`, the second derivatives cannot
# decide.) D2L's example is :math:`f(x_1, x_2) = x_1^2 - x_2^2`, a minimum along
# :math:`x_1` and a maximum along :math:`x_2`. We add a function with one of each:
# :math:`g(x_1, x_2) = x_1^2 + x_2^3 - 3 x_2`, whose gradient
# :math:`(2x_1, 3x_2^2 - 3)` vanishes at :math:`(0, 1)` and :math:`(0, -1)`.
# :func:`torch.autograd.functional.hessian` computes the Hessians.
#
# .. math::
#
#    \nabla^2 g = \begin{pmatrix} 2 & 0 \\ 0 & 6 x_2 \end{pmatrix}.

from torch.autograd.functional import hessian  # noqa: E402


def saddle(x):
    return x[0] ** 2 - x[1] ** 2


def g(x):
    return x[0] ** 2 + x[1] ** 3 - 3 * x[1]


def classify(eigenvalues):
    if (eigenvalues > 0).all():
        return "local minimum"
    if (eigenvalues < 0).all():
        return "local maximum"
    return "saddle point"


kinds = {}
for name, fn, point in [("x1^2 - x2^2", saddle, (0.0, 0.0)),
                        ("g", g, (0.0, 1.0)), ("g", g, (0.0, -1.0))]:
    p = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(fn(p), p)
    H = hessian(fn, p.detach())
    eig = torch.linalg.eigvalsh(H)
    kinds[name, point] = classify(eig)
    print(f"{name:12s} at {point}: gradient {grad.tolist()}, Hessian eigenvalues "
          f"{eig.tolist()} -> {kinds[name, point]}")
    assert grad.abs().max() < 1e-12
H_saddle = hessian(g, torch.tensor([0.0, -1.0], dtype=torch.float64))
torch.testing.assert_close(H_saddle, torch.tensor([[2.0, 0.0], [0.0, -6.0]],
                                                  dtype=torch.float64))
assert kinds["x1^2 - x2^2", (0.0, 0.0)] == "saddle point"
assert kinds["g", (0.0, 1.0)] == "local minimum"
assert kinds["g", (0.0, -1.0)] == "saddle point"

# %%
# Why are saddle points the rule in deep learning? Near a stationary point the loss
# of a model with :math:`k` parameters has a :math:`k \times k` Hessian, and a
# minimum needs *all* :math:`k` eigenvalues positive. A crude model of "a random
# stationary point" is a random symmetric matrix whose entries are symmetric around
# zero; we count how often all its eigenvalues are positive.

gen = torch.Generator().manual_seed(2 + handson.reproducibility.seed_offset())
num_draws = handson.shrink(4000, 2000)
frac_min = {}
for k in [1, 2, 3, 4, 6, 8]:
    A = torch.randn(num_draws, k, k, generator=gen)
    eig = torch.linalg.eigvalsh((A + A.transpose(1, 2)) / 2)
    frac_min[k] = (eig > 0).all(dim=1).float().mean().item()
    print(f"k = {k}: fraction of random Hessians with all eigenvalues > 0: "
          f"{frac_min[k]:.4f}")
handson.check("fraction of minima among random stationary points, k=1",
              frac_min[1], ">", 0.45, quick=True)
handson.check("fraction of minima among random stationary points, k=8",
              frac_min[8], "<", 0.002, quick=True)

# %%
# In one dimension half the stationary points are minima; with eight parameters
# essentially none are, and a network has millions. The model is crude (real
# Hessians are not random), but the lesson holds: high-dimensional losses have many
# more saddle points than minima, and an optimiser must not stall at them. Plain
# gradient descent started *exactly* on a saddle stays there; started slightly off
# it, it slides away along the negative-curvature direction. From a point
# :math:`10^{-6}` away from the saddle of :math:`g`:

p = torch.tensor([0.5, -1.0 + 1e-6], dtype=torch.float64, requires_grad=True)
escape = []
for step in range(100):
    (grad,) = torch.autograd.grad(g(p), p)
    with torch.no_grad():
        p -= 0.05 * grad
    escape.append(p[1].item())
print(f"x2 after 10, 40, 100 steps: {escape[9]:.6f}, {escape[39]:.6f}, "
      f"{escape[99]:.4f}  (the minimum is at x2 = 1)")
assert abs(escape[9] + 1) < 1e-4 and abs(escape[99] - 1) < 0.01

# %%
# The escape takes time: the iterate first hovers at the saddle while the small
# offset grows geometrically. Near saddles a loss curve shows a *plateau*, which
# momentum and adaptive methods (later in this chapter) shorten.
#
# Vanishing gradients
# -------------------
#
# The gradient can also be tiny far from any stationary point. Minimising
# :math:`f(x) = \tanh(x)` from :math:`x = 4`, where
# :math:`f'(x) = 1 - \tanh^2(x)`, D2L's example:

print(f"tanh'(4) = {1 - math.tanh(4) ** 2:.5f}, tanh'(0.5) = "
      f"{1 - math.tanh(0.5) ** 2:.3f}")
far = gradient_descent(torch.tanh, 4.0, lr=1.0, num_steps=100)
near = gradient_descent(torch.tanh, 0.5, lr=1.0, num_steps=100)
print(f"100 steps of gradient descent (lr = 1): from x = 4 to {far[-1]:.3f}; "
      f"from x = 0.5 to {near[-1]:.3f}")
assert far[0] - far[-1] < 0.5 and near[0] - near[-1] > 2.5

# %%
# From :math:`x = 4` a hundred steps move :math:`x` by a fraction of a unit; from
# :math:`x = 0.5` the same hundred steps cross the steep middle of the curve. This
# is the same saturation that made deep sigmoid and tanh networks hard to train
# (:doc:`../05_multilayer_perceptrons/04_numerical_stability`), and one reason for
# ReLU, careful initialisation and normalisation layers: they reparametrise the
# problem so that gradients stay usable.

fig, axes = plt.subplots(1, 3, figsize=(11, 3))
xs = torch.linspace(-1, 2, 301, dtype=torch.float64)
axes[0].plot(xs, f(xs))
for x0, end in ends.items():
    axes[0].plot([x0, end], [f(torch.tensor(x0)), f(end)], "o-", markersize=4)
axes[0].set_title(r"$x \cos(\pi x)$: where GD ends")
xs = torch.linspace(-2, 2, 201)
axes[1].plot(xs, xs**3)
axes[1].plot(path[::50], path[::50] ** 3, "o", markersize=4)
axes[1].set_title("$x^3$: GD stalls at the saddle")
xs = torch.linspace(-2, 5, 301)
axes[2].plot(xs, torch.tanh(xs))
axes[2].plot(far[::10], torch.tanh(far[::10]), "o", markersize=4)
axes[2].set_title(r"$\tanh$ from $x=4$: tiny steps")
for ax in axes:
    ax.set_xlabel("$x$")
fig.tight_layout()
plt.show()

# %%
# Summary
# -------
#
# * An optimiser minimises the empirical risk; learning wants a small risk. Their
#   minimisers differ, by less as the data grow.
# * Gradient descent stops at the local minimum its starting point leads to.
# * At a stationary point the signs of the Hessian's eigenvalues tell minima, maxima
#   and saddle points apart; in high dimension saddle points are far more common.
# * Where the gradient is tiny (saturated units, plateaus near saddles) gradient
#   descent crawls; reparametrisation and good initialisation help.

# %%
# Exercises
# ---------
#
# 1. An MLP with one hidden layer of :math:`d` units and one output. Show that every
#    minimum of its loss is one of at least :math:`d!` minima that compute exactly
#    the same function.
#
#    .. dropdown:: Answer
#
#       Permute the hidden units: reorder the rows of :math:`\mathbf{W}^{(1)}`
#       and :math:`\mathbf{b}^{(1)}` and the columns of :math:`\mathbf{W}^{(2)}`
#       by the same permutation. The network's output is unchanged, so the loss is
#       too; there are :math:`d!` permutations, giving distinct parameter vectors
#       whenever the hidden units differ.
#
# 2. For a random symmetric matrix whose entries have distributions symmetric
#    around 0, why is an eigenvalue equally likely to be positive or negative? Why
#    does this *not* make half of all stationary points minima?
#
#    .. dropdown:: Answer
#
#       :math:`\mathbf{M}` and :math:`-\mathbf{M}` have the same distribution, and
#       the eigenvalues of :math:`-\mathbf{M}` are those of :math:`\mathbf{M}` with
#       signs flipped. A minimum needs *all* :math:`k` eigenvalues positive at once,
#       and they are not independent; the table above shows how fast that becomes
#       rare as :math:`k` grows.
#
# 3. Why is it hard to balance a ball on a saddle? How can an optimiser exploit
#    this?
#
#    .. dropdown:: Answer
#
#       The saddle is unstable: any deviation along the negative-curvature direction
#       grows. An optimiser can add a little noise (as SGD does) or use the
#       direction of negative curvature to leave saddle points quickly.
#
# 4. **Programming task.** Start gradient descent (lr 0.05) on
#    :math:`g(x_1, x_2) = x_1^2 + x_2^3 - 3 x_2` from :math:`(0.5, -1 + \delta)` for
#    :math:`\delta = 10^{-2}, 10^{-4}, 10^{-6}, 10^{-8}`, and count the steps until
#    :math:`x_2 > 0.9`. How does the count grow as :math:`\delta` shrinks?
#
#    .. dropdown:: Hint
#
#       Near the saddle the offset :math:`x_2 + 1` grows by a factor
#       :math:`1 + 6 \eta` per step, so the count grows like
#       :math:`\log(1/\delta) / \log(1 + 6\eta)`: every factor of 100 in
#       :math:`\delta` adds the same number of steps.
