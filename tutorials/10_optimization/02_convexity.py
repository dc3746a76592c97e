"""
Convexity
=========

Deep-learning losses are not convex, yet convexity is the lens through which
optimisation algorithms are designed and analysed: on a convex problem every local
minimum is global, constraints can be handled cleanly, and an algorithm that fails
there is unlikely to do well elsewhere. This page defines convex sets and functions,
checks Jensen's inequality and the second-derivative test numerically, shows that
gradient descent on a convex function ends at the same value from every start, and
turns constraints into penalties (weight decay) or projections (gradient clipping),
with a projected gradient method whose iterates never leave the feasible set.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * convex sets and convex functions, and how to test both by sampling
      * Jensen's inequality, :math:`E[f(X)] \\geq f(E[X])`, checked on samples
      * why local minima of convex functions are global; the Hessian test
      * constraints: the Lagrangian, penalties (weight decay) and projections
        (gradient clipping), and projected gradient descent

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`01_optimization_and_deep_learning` (local minima, Hessians)
      * :doc:`../02_preliminaries/04_calculus` and
        :doc:`../02_preliminaries/06_probability` (expectations)
      * weight decay, from :doc:`../05_multilayer_perceptrons/03_generalization`
      * data: none, every example is synthetic
"""

# sphinx_gallery_thumbnail_number = 1

import math

import matplotlib.pyplot as plt
import torch

import handson

handson.seed(0)
gen = torch.Generator().manual_seed(handson.reproducibility.seed_offset())

# %%
# Convex sets
# -----------
#
# A set :math:`\mathcal{X}` in a vector space is *convex* if the segment between any
# two of its points stays in it: for all :math:`a, b \in \mathcal{X}` and
# :math:`\lambda \in [0, 1]`,
#
# .. math::
#
#    \lambda a + (1 - \lambda) b \in \mathcal{X}.
#
# A definition like this can be tested by sampling: draw pairs of points of the set
# and points on the segment between them, and look for one that falls outside. We
# try the unit disc, a ring (the disc with a hole) and the intersection of the disc
# with a half-plane. The intersection of convex sets is convex, since a segment that
# lies in both sets lies in their intersection; a union need not be.


def in_disc(x):
    return x.norm(dim=-1) <= 1


def in_ring(x):
    return (x.norm(dim=-1) <= 1) & (x.norm(dim=-1) >= 0.5)


def in_disc_and_halfplane(x):
    return in_disc(x) & (x[..., 0] + 2 * x[..., 1] <= 0.5)


def segment_test(member, num_pairs=20_000):
    """Fraction of sampled segment points that stay in the set (1.0 if convex)."""
    points = torch.rand(8 * num_pairs, 2, generator=gen, dtype=torch.float64) * 2 - 1
    points = points[member(points)]
    a, b = points[:num_pairs], points[num_pairs:2 * num_pairs]
    lam = torch.rand(len(a), 1, generator=gen, dtype=torch.float64)
    return member(lam * a + (1 - lam) * b).double().mean().item()


inside = {name: segment_test(member) for name, member in
          [("disc", in_disc), ("ring", in_ring),
           ("disc and half-plane", in_disc_and_halfplane)]}
for name, frac in inside.items():
    print(f"{name:20s}: fraction of segment points inside the set {frac:.4f}")
assert inside["disc"] == 1.0 and inside["disc and half-plane"] == 1.0
handson.check("fraction of ring segment points inside the ring", inside["ring"],
              "<", 0.99, quick=True)

# %%
# Sampling can only refute convexity (one segment point outside is a proof), never
# prove it; for the disc the proof is the triangle inequality,
# :math:`\|\lambda a + (1-\lambda) b\| \leq \lambda \|a\| + (1-\lambda)\|b\|
# \leq 1`. The whole space :math:`\mathbb{R}^d`, where network parameters live,
# is convex, and so are balls :math:`\{\mathbf{x} : \|\mathbf{x}\| \leq r\}`.
#
# Convex functions
# ----------------
#
# A function :math:`f` on a convex set :math:`\mathcal{X}` is *convex* if, for all
# :math:`x, x' \in \mathcal{X}` and :math:`\lambda \in [0, 1]`,
#
# .. math::
#
#    \lambda f(x) + (1 - \lambda) f(x') \geq f(\lambda x + (1 - \lambda) x'):
#
# every chord lies above the graph. D2L's three examples: :math:`\frac12 x^2` and
# :math:`\exp(x/2)` are convex, :math:`\cos(\pi x)` is not. We draw them with one
# chord each, and count violations of the inequality over many random chords.

functions = {"0.5 x^2": lambda x: 0.5 * x**2,
             "cos(pi x)": lambda x: torch.cos(math.pi * x),
             "exp(x / 2)": lambda x: torch.exp(0.5 * x)}


def chord_violations(f, num=20_000):
    """Fraction of random chords on [-2, 2] that dip below the graph of f."""
    x, x2, lam = (torch.rand(3, num, generator=gen, dtype=torch.float64)
                  * torch.tensor([[4.0], [4.0], [1.0]], dtype=torch.float64)
                  - torch.tensor([[2.0], [2.0], [0.0]], dtype=torch.float64))
    chord = lam * f(x) + (1 - lam) * f(x2)
    return (chord < f(lam * x + (1 - lam) * x2) - 1e-12).double().mean().item()


violations = {name: chord_violations(f) for name, f in functions.items()}
for name, frac in violations.items():
    print(f"{name:10s}: fraction of chords below the graph {frac:.4f}")
assert violations["0.5 x^2"] == 0 and violations["exp(x / 2)"] == 0
handson.check("fraction of chords of cos(pi x) below its graph",
              violations["cos(pi x)"], ">", 0.1, quick=True)

fig, axes = plt.subplots(1, 3, figsize=(10, 3))
xs = torch.linspace(-2, 2, 401, dtype=torch.float64)
segment = torch.tensor([-1.5, 1.0], dtype=torch.float64)
titles = [r"$\frac{1}{2} x^2$: convex", r"$\cos(\pi x)$: not convex",
          r"$\exp(x/2)$: convex"]
for ax, f, title in zip(axes, functions.values(), titles):
    ax.plot(xs, f(xs))
    ax.plot(segment, f(segment), "o-")
    ax.set_title(title)
    ax.set_xlabel("$x$")
fig.tight_layout()
plt.show()

# %%
# The chord of :math:`\cos(\pi x)` from :math:`-1.5` to :math:`1` passes below the
# graph in places; the other two chords stay above everywhere.
#
# Jensen's inequality
# ^^^^^^^^^^^^^^^^^^^
#
# Applying the definition repeatedly gives *Jensen's inequality*: for a convex
# :math:`f`, weights :math:`\alpha_i \geq 0` with :math:`\sum_i \alpha_i = 1`, and
# a random variable :math:`X`,
#
# .. math::
#
#    \sum_i \alpha_i f(x_i) \geq f\Big(\sum_i \alpha_i x_i\Big)
#    \quad\text{and}\quad E[f(X)] \geq f(E[X]).
#
# We check the first form with 10,000 random sets of 5 points and random weights,
# and the second with :math:`f = \exp` and :math:`X \sim \mathcal{N}(0, 1)`, where
# :math:`E[e^X] = e^{1/2}` exactly while :math:`e^{E[X]} = 1`.

f = functions["exp(x / 2)"]
points = torch.randn(10_000, 5, generator=gen, dtype=torch.float64) * 2
alpha = torch.rand(10_000, 5, generator=gen, dtype=torch.float64)
alpha = alpha / alpha.sum(dim=1, keepdim=True)
gap = (alpha * f(points)).sum(dim=1) - f((alpha * points).sum(dim=1))
print(f"weighted Jensen gap over 10,000 draws: min {gap.min():.2e}, "
      f"mean {gap.mean():.3f}")
assert gap.min() >= -1e-12

X = torch.randn(100_000, generator=gen, dtype=torch.float64)
print(f"E[exp(X)] ~ {X.exp().mean():.4f} (exact {math.exp(0.5):.4f}) >= "
      f"exp(E[X]) ~ {X.mean().exp():.4f}")
handson.check("E[exp X] - exp(E[X]) on 100,000 samples",
              (X.exp().mean() - X.mean().exp()).item(), ">", 0.5, quick=True)

# %%
# Jensen's inequality bounds a hard quantity by an easier one. An example D2L
# gives: for a latent variable :math:`Y`, since :math:`\sum_y P(y) P(x \mid y) =
# P(x)` and :math:`-\log` is convex,
# :math:`E_{Y}[-\log P(x \mid Y)] \geq -\log P(x)`, a bound used by variational
# methods. With three clusters:

p_y = torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64)
p_x_given_y = torch.tensor([0.01, 0.2, 0.6], dtype=torch.float64)
lhs = (p_y * -p_x_given_y.log()).sum()
rhs = -(p_y * p_x_given_y).sum().log()
print(f"E_Y[-log P(x|Y)] = {lhs:.3f} >= -log P(x) = {rhs:.3f}")
assert lhs >= rhs

# %%
# Properties
# ----------
#
# Local minima are global minima
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
#
# Suppose :math:`x^*` is a local minimum of a convex :math:`f` but some :math:`x'`
# has :math:`f(x') < f(x^*)`. Then every point :math:`\lambda x^* + (1-\lambda) x'`
# on the segment, however close to :math:`x^*`, has
# :math:`f \leq \lambda f(x^*) + (1-\lambda) f(x') < f(x^*)`, so :math:`x^*` was
# not a local minimum after all. Hence gradient descent on a convex function
# cannot get stuck: from any start it reaches the same minimum *value*. We run it
# from eleven starts on the convex
# :math:`f(x) = \log(e^x + e^{-2x-3})` (from D2L's exercises) and on the
# non-convex :math:`x \cos(\pi x)` of the previous page.


def descend(f, x0, lr=0.1, num_steps=500):
    """Gradient descent from every start in x0 at once (one tensor of starts)."""
    x = x0.clone().requires_grad_(True)
    for _ in range(num_steps):
        (grad,) = torch.autograd.grad(f(x).sum(), x)
        with torch.no_grad():
            x -= lr * grad
    return x.detach()


def convex_f(x):
    return torch.logaddexp(x, -2 * x - 3)


def nonconvex_f(x):
    return x * torch.cos(math.pi * x)


starts = torch.linspace(-1, 2, 11, dtype=torch.float64)
end_convex = convex_f(descend(convex_f, starts))
end_nonconvex = nonconvex_f(descend(nonconvex_f, starts, lr=0.02))
print("final f, convex:    ", [round(v, 4) for v in end_convex.tolist()])
print("final f, non-convex:", [round(v, 4) for v in end_nonconvex.tolist()])
spread_convex = (end_convex.max() - end_convex.min()).item()
spread_nonconvex = (end_nonconvex.max() - end_nonconvex.min()).item()
assert spread_convex < 1e-8 and spread_nonconvex > 0.5

# %%
# Every start reaches the same value on the convex function; on the non-convex one
# the end depends on the start. The minimum value is unique, the minimiser need not
# be: :math:`\max(|x| - 1, 0)` is minimal on all of :math:`[-1, 1]`, and
# :math:`\exp(x)` is convex with no minimum at all.
#
# Below sets and the second-derivative test
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
#
# For convex :math:`f` the *below set* :math:`\{x : f(x) \leq b\}` is convex: if
# :math:`f(x), f(x') \leq b` then :math:`f(\lambda x + (1-\lambda)x') \leq b` by the
# definition. (The contour lines of the quadratics in this chapter enclose
# ellipses, convex sets.)
#
# A twice-differentiable :math:`f` is convex if and only if its Hessian is positive
# semidefinite everywhere, :math:`\nabla^2 f \succeq 0`: in one dimension, if and
# only if :math:`f'' \geq 0` (D2L proves both directions). A numerical test is the
# smallest Hessian eigenvalue at many random points. For the softmax normaliser
# :math:`\log \sum_i e^{x_i}` it is never negative; for
# :math:`\sum_i \cos(x_i)` it is negative somewhere.

from torch.autograd.functional import hessian  # noqa: E402


def smallest_eigenvalue(f, num_points=200, dim=4):
    xs = torch.randn(num_points, dim, generator=gen, dtype=torch.float64) * 3
    return min(torch.linalg.eigvalsh(hessian(f, x)).min().item() for x in xs)


lam_lse = smallest_eigenvalue(lambda x: torch.logsumexp(x, dim=0))
lam_cos = smallest_eigenvalue(lambda x: torch.cos(x).sum())
print(f"smallest Hessian eigenvalue at 200 random points: logsumexp {lam_lse:.2e}, "
      f"sum of cosines {lam_cos:.3f}")
assert lam_lse > -1e-10 and lam_cos < -0.5

# %%
# The logsumexp Hessian has smallest eigenvalue (numerically) zero: it is flat along
# :math:`(1, 1, \ldots, 1)`, since adding a constant to every :math:`x_i` adds that
# constant to :math:`f`. Positive *semi*-definite is exactly what convexity needs.
#
# Constraints
# -----------
#
# A *constrained* problem is
#
# .. math::
#
#    \min_{\mathbf{x}} f(\mathbf{x}) \quad\text{subject to}\quad
#    c_i(\mathbf{x}) \leq 0 \text{ for } i = 1, \ldots, n.
#
# With :math:`c_1(\mathbf{x}) = \|\mathbf{x}\|^2 - 1` the parameters must lie in the
# unit ball. Our example: :math:`f(\mathbf{x}) = \|\mathbf{x} - \mathbf{a}\|^2`
# with :math:`\mathbf{a} = (2, 1)` outside the ball, whose constrained minimiser is
# the point of the ball nearest to :math:`\mathbf{a}`,
# :math:`\mathbf{x}^* = \mathbf{a} / \|\mathbf{a}\|`.
#
# Lagrangian and penalties
# ^^^^^^^^^^^^^^^^^^^^^^^^
#
# The *Lagrangian* adds each constraint to the objective with a multiplier
# :math:`\alpha_i \geq 0`:
#
# .. math::
#
#    L(\mathbf{x}, \alpha) = f(\mathbf{x}) + \sum_i \alpha_i c_i(\mathbf{x}).
#
# Think of a ball in a box: at the solution, gravity (:math:`-\nabla f`) is balanced
# by the force of the walls it touches (:math:`\alpha_i \nabla c_i`); walls it does
# not touch get :math:`\alpha_i = 0`. For our problem
# :math:`\nabla_{\mathbf{x}} L = 2(\mathbf{x} - \mathbf{a}) + 2\alpha\mathbf{x} = 0`
# gives :math:`\mathbf{x} = \mathbf{a} / (1 + \alpha)`, which lies on the sphere
# for :math:`\alpha^* = \|\mathbf{a}\| - 1`.
#
# A *penalty* method fixes :math:`\alpha` instead and minimises
# :math:`f + \alpha c` without constraint. That is exactly weight decay:
# :math:`\frac{\lambda}{2}\|\mathbf{w}\|^2` added to the loss keeps :math:`\mathbf{w}`
# in some ball whose radius :math:`\lambda` controls. We minimise the penalised
# objective by gradient descent for several :math:`\alpha`:

a = torch.tensor([2.0, 1.0], dtype=torch.float64)
x_star = a / a.norm()
alpha_star = (a.norm() - 1).item()
print(f"constrained minimiser a/|a| = {x_star.tolist()}, alpha* = {alpha_star:.4f}")
for alpha in [0.5, alpha_star, 3.0]:
    x = descend(lambda x: ((x - a) ** 2).sum() + alpha * ((x**2).sum() - 1),
                torch.zeros(2, dtype=torch.float64), lr=0.05, num_steps=300)
    print(f"penalty alpha = {alpha:.3f}: minimiser {x.numpy().round(4)}, "
          f"norm {x.norm():.4f}")
    if alpha == alpha_star:
        torch.testing.assert_close(x, x_star)

# %%
# A small :math:`\alpha` lets the solution leave the ball, a large one pulls it
# inside, and the right multiplier gives the constrained solution exactly. In
# practice the penalty weight is a hyperparameter and the constraint is met only
# approximately, which is usually all we want.
#
# Projections
# ^^^^^^^^^^^
#
# The *projection* onto a convex set returns its nearest point,
#
# .. math::
#
#    \operatorname{Proj}_{\mathcal{X}}(\mathbf{x}) =
#    \operatorname*{argmin}_{\mathbf{x}' \in \mathcal{X}} \|\mathbf{x} - \mathbf{x}'\|,
#
# for a ball of radius :math:`r`:
# :math:`\mathbf{x} \cdot \min(1, r / \|\mathbf{x}\|)`. Gradient clipping is this
# projection applied to the gradient, and
# :func:`torch.nn.utils.clip_grad_norm_` computes it:


def project_ball(x, r=1.0):
    return x * torch.clamp(r / x.norm(), max=1.0)


p = torch.nn.Parameter(torch.zeros(5))
p.grad = torch.randn(5, generator=gen) * 10
clipped = project_ball(p.grad, r=1.0)
torch.nn.utils.clip_grad_norm_([p], max_norm=1.0)
torch.testing.assert_close(p.grad, clipped)
print(f"clip_grad_norm_ equals the projection onto the ball of radius 1 "
      f"(norm {p.grad.norm():.4f})")

# %%
# *Projected gradient descent* takes a gradient step and projects back,
# :math:`\mathbf{x} \leftarrow \operatorname{Proj}_{\mathcal{X}}(\mathbf{x} - \eta
# \nabla f(\mathbf{x}))`, so every iterate is feasible. We use it on the
# ill-conditioned quadratic :math:`f(\mathbf{x}) = 0.1 (x_1 - 4)^2 + 2 (x_2 - 1)^2`,
# whose unconstrained minimum :math:`(4, 1)` is outside the unit disc, and compare
# with the best point on the unit circle found by a fine grid of angles.


def f_shifted(x):
    return 0.1 * (x[..., 0] - 4) ** 2 + 2 * (x[..., 1] - 1) ** 2


def grad_shifted(x):
    return torch.stack([0.2 * (x[0] - 4), 4 * (x[1] - 1)])


x = torch.tensor([-0.5, -0.5], dtype=torch.float64)
iterates = [x]
for _ in range(100):
    x = project_ball(x - 0.2 * grad_shifted(x))
    iterates.append(x)
iterates = torch.stack(iterates)
angles = torch.linspace(0, 2 * math.pi, 200_001, dtype=torch.float64)
circle = torch.stack([angles.cos(), angles.sin()], dim=1)
best = circle[f_shifted(circle).argmin()]
print(f"projected GD after 100 steps: {iterates[-1].numpy().round(4)}, "
      f"f = {f_shifted(iterates[-1]):.5f}; best on the circle: "
      f"{best.numpy().round(4)}, f = {f_shifted(best):.5f}")
print(f"largest norm of any iterate: {iterates.norm(dim=1).max():.6f}")
nearest = torch.tensor([4.0, 1.0], dtype=torch.float64)
nearest = nearest / nearest.norm()
print(f"point of the circle nearest to (4, 1): {nearest.numpy().round(4)}, "
      f"f = {f_shifted(nearest):.5f}")
assert (iterates.norm(dim=1) <= 1 + 1e-12).all()
torch.testing.assert_close(iterates[-1], best, atol=1e-4, rtol=0)
assert (best - nearest).norm() > 0.3 and f_shifted(nearest) > f_shifted(best)

fig, ax = plt.subplots(figsize=(4.5, 3.5))
g1, g2 = torch.meshgrid(torch.linspace(-1.5, 4.5, 121), torch.linspace(-1.5, 2, 101),
                        indexing="xy")
ax.contour(g1, g2, f_shifted(torch.stack([g1, g2], dim=-1)), levels=20,
           colors="#1f77b4", linewidths=0.6)
ax.plot(circle[::1000, 0], circle[::1000, 1], "k-", lw=1)
ax.plot(iterates[:, 0], iterates[:, 1], "-o", color="#ff7f0e", markersize=3)
ax.plot(4, 1, "k*")
ax.set_aspect("equal")
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.set_title("projected gradient descent, unit disc")
fig.tight_layout()
plt.show()

# %%
# Every iterate stays inside the disc, and the method ends on the boundary at the
# constrained minimum, which is *not* the point of the circle nearest to the
# unconstrained minimum (the star): with an ill-conditioned :math:`f` the contours
# are elongated ellipses, and the constrained optimum is where one of them touches
# the circle.
#
# Summary
# -------
#
# * A set is convex if it contains every segment between its points; a function is
#   convex if every chord lies above its graph. Sampling refutes convexity, proofs
#   establish it.
# * Jensen's inequality, :math:`E[f(X)] \geq f(E[X])` for convex :math:`f`, turns
#   hard expectations into bounds.
# * On a convex function every local minimum is global, and gradient descent
#   reaches the same value from every start; the Hessian test is
#   :math:`\nabla^2 f \succeq 0`.
# * Constraints become a Lagrangian, an approximate penalty (weight decay) or a
#   projection (gradient clipping, projected gradient descent).

# %%
# Exercises
# ---------
#
# 1. Show that the ball :math:`\{\mathbf{x} : \|\mathbf{x}\|_p \leq r\}` is convex
#    for every :math:`p \geq 1`. What goes wrong for :math:`p = 1/2`?
#
#    .. dropdown:: Answer
#
#       For :math:`p \geq 1`, :math:`\|\cdot\|_p` is a norm: by the triangle
#       inequality and homogeneity :math:`\|\lambda a + (1-\lambda) b\|_p \leq
#       \lambda\|a\|_p + (1-\lambda)\|b\|_p \leq r`. For :math:`p = 1/2` the
#       "ball" is a star with inward-curving sides: :math:`(1, 0)` and
#       :math:`(0, 1)` are in the unit ball but their midpoint has
#       :math:`(\sqrt{0.5} + \sqrt{0.5})^2 = 2 > 1`.
#
# 2. Given convex :math:`f` and :math:`g`, show that :math:`\max(f, g)` is convex.
#    Find convex :math:`f, g` whose :math:`\min(f, g)` is not.
#
#    .. dropdown:: Answer
#
#       :math:`\max(f, g)(\lambda x + (1-\lambda)x') \leq \max(\lambda f(x) +
#       (1-\lambda) f(x'), \lambda g(x) + (1-\lambda) g(x')) \leq \lambda
#       \max(f, g)(x) + (1-\lambda)\max(f, g)(x')`. For the minimum take
#       :math:`f(x) = (x-1)^2`, :math:`g(x) = (x+1)^2`: :math:`\min(f, g)` has two
#       minima at :math:`\pm 1` and value 1 at 0, above the chord.
#
# 3. Show that a projection onto a convex set never increases distances:
#    :math:`\|\operatorname{Proj}(\mathbf{x}) - \operatorname{Proj}(\mathbf{y})\|
#    \leq \|\mathbf{x} - \mathbf{y}\|`. Check it with ``project_ball`` on 10,000
#    random pairs.
#
#    .. dropdown:: Hint
#
#       The projection :math:`\mathbf{p}` of :math:`\mathbf{x}` satisfies
#       :math:`\langle \mathbf{x} - \mathbf{p}, \mathbf{z} - \mathbf{p} \rangle
#       \leq 0` for every :math:`\mathbf{z}` in the set. Write it for both points
#       and add. For the check, apply ``project_ball`` row by row (or write a
#       batched version with ``x.norm(dim=1, keepdim=True)``).
#
# 4. **Programming task.** Replace the projection above by the penalty
#    :math:`\alpha \max(0, \|\mathbf{x}\|^2 - 1)` and plain gradient descent. For
#    :math:`\alpha = 1, 10, 100`, how far outside the disc does the final iterate
#    lie, and what learning rate does each :math:`\alpha` tolerate?
#
#    .. dropdown:: Hint
#
#       Larger :math:`\alpha` pushes the iterate closer to the circle but makes the
#       penalised function steeper (curvature about :math:`2\alpha`), so the
#       learning rate must shrink like :math:`1/\alpha`: the projection needs no
#       such compromise.
