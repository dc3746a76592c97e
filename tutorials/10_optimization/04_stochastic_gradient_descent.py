"""
Stochastic gradient descent
===========================

Gradient descent needs the gradient of the loss over the whole training set for
every step. Stochastic gradient descent (SGD) takes a step after every single
example instead, with a gradient that is right only on average. This page shows why
that works, what the noise costs (SGD with a constant learning rate never settles),
and how a decaying learning rate fixes it: we compare constant, exponential and
polynomial decay on the chapter's quadratic over many seeds, check a textbook
convergence bound, and count how much of the data sampling *with* replacement
actually sees.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the SGD update and why a per-example gradient is an unbiased estimate
      * why SGD with a constant learning rate stalls at a noise floor
      * learning-rate decay: constant versus exponential versus polynomial,
        final distance to the optimum averaged over seeds
      * the :math:`O(1/\\sqrt{T})` convergence bound for convex problems, checked
      * sampling with and without replacement: the :math:`1 - 1/e` fraction

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`03_gradient_descent` (the learning rate, ``handson.optimization``)
      * :doc:`02_convexity` (Jensen's inequality)
      * :doc:`../02_preliminaries/06_probability` (expectations, variance)
      * data: none, the gradient noise is simulated
"""

# sphinx_gallery_thumbnail_number = 1

import math

import matplotlib.pyplot as plt
import torch

import handson
from handson.optimization import f_2d, grad_f_2d, show_trace_2d, trace_2d

handson.seed(0)
gen = torch.Generator().manual_seed(handson.reproducibility.seed_offset())

# %%
# Stochastic gradient updates
# ---------------------------
#
# In deep learning the objective is an average over :math:`n` training examples,
#
# .. math::
#
#    f(\mathbf{x}) = \frac{1}{n} \sum_{i=1}^n f_i(\mathbf{x}), \qquad
#    \nabla f(\mathbf{x}) = \frac{1}{n} \sum_{i=1}^n \nabla f_i(\mathbf{x}),
#
# where :math:`f_i` is the loss on example :math:`i` and :math:`\mathbf{x}` now
# stands for the parameters. A gradient-descent step costs :math:`O(n)`. SGD draws
# one index :math:`i` uniformly at random and steps with its gradient alone,
#
# .. math::
#
#    \mathbf{x} \leftarrow \mathbf{x} - \eta \nabla f_i(\mathbf{x}),
#
# at a cost of :math:`O(1)`. The step is right on average:
# :math:`E_i[\nabla f_i(\mathbf{x})] = \frac1n \sum_i \nabla f_i(\mathbf{x}) =
# \nabla f(\mathbf{x})`, an *unbiased* estimate of the full gradient.
#
# Following D2L, we simulate this on the chapter's quadratic
# :math:`f(\mathbf{x}) = 0.1 x_1^2 + 2 x_2^2` by adding noise with mean 0 and
# variance 1 to each coordinate of the exact gradient. This is not a cheat: it is
# exactly SGD on the finite sum with :math:`f_i(\mathbf{x}) = 0.1(x_1 - w_{i1})^2 +
# 2(x_2 - w_{i2})^2` for random centres :math:`\mathbf{w}_i`, since
# :math:`\nabla f_i = \nabla f_{2d} - (0.2 w_{i1}, 4 w_{i2})`. With 10,000 such
# examples whose centres average to zero, the mean of the per-example gradients is
# the gradient of :math:`f_{2d}`, and their spread is the noise:

n = 10_000
w = torch.randn(n, 2, generator=gen, dtype=torch.float64) * torch.tensor(
    [5.0, 0.25], dtype=torch.float64)
w = w - w.mean(dim=0)  # centres averaging to zero, so f = f_2d + a constant
x = torch.tensor([-5.0, -2.0], dtype=torch.float64, requires_grad=True)
f_i = 0.1 * (x[0] - w[:, 0]) ** 2 + 2 * (x[1] - w[:, 1]) ** 2
per_example = torch.stack([torch.autograd.grad(f_i[i], x, retain_graph=True)[0]
                           for i in range(handson.shrink(2000, 500))])
(full,) = torch.autograd.grad(f_i.mean(), x)
per_example_all = grad_f_2d(x.detach()) - w * torch.tensor([0.2, 4.0],
                                                            dtype=torch.float64)
torch.testing.assert_close(per_example, per_example_all[:len(per_example)])
torch.testing.assert_close(per_example_all.mean(dim=0), full)
torch.testing.assert_close(full, grad_f_2d(x.detach()))
print(f"full gradient {full.tolist()}; per-example gradients: mean "
      f"{per_example_all.mean(dim=0).numpy().round(6).tolist()}, standard deviation "
      f"{per_example_all.std(dim=0).numpy().round(3).tolist()}")

# %%
# Autograd's per-example gradients (checked on the first examples) match the
# formula, their mean is the full gradient, and each coordinate scatters around it
# with standard deviation close to 1. From here on we draw the noise directly.
#
# SGD with the tools of :doc:`03_gradient_descent`: the update keeps its step count
# in ``state``, and the learning rate is :math:`\eta(t) = \eta_0 \cdot
# \text{schedule}(t)`, constant for now, with :math:`\eta_0 = 0.1`.


def sgd_update(schedule, eta0=0.1, generator=None):
    """One SGD step on f_2d with N(0, 1) gradient noise, as a trace_2d update."""
    def update(x, state):
        state["t"] = state.get("t", 0) + 1
        g = grad_f_2d(x) + torch.randn(2, generator=generator, dtype=x.dtype)
        return x - eta0 * schedule(state["t"]) * g
    return update


def constant_lr(t):
    return 1.0


def exponential_lr(t):
    return math.exp(-0.1 * t)


def polynomial_lr(t):
    return (1 + 0.1 * t) ** -0.5


schedules = {"constant": constant_lr, "exponential": exponential_lr,
             "polynomial": polynomial_lr}
num_steps = handson.shrink(1000, 500)
traces = {name: trace_2d(sgd_update(s, generator=gen), num_steps=num_steps)
          for name, s in schedules.items()}
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
for ax, (name, trace) in zip(axes, traces.items()):
    show_trace_2d(f_2d, trace, ax, f"SGD, {name} learning rate")
    print(f"{name:11s}: after {num_steps} steps x = {trace[-1].numpy().round(3)}")
fig.tight_layout()
plt.show()

# %%
# With a constant learning rate the path reaches the neighbourhood of the minimum
# and then wanders around it for ever: near :math:`\mathbf{0}` the true gradient
# is tiny but the noise is not. This is the reason for a time-dependent learning
# rate.
#
# Dynamic learning rate
# ---------------------
#
# Common choices for :math:`\eta(t)`:
#
# .. math::
#
#    \begin{aligned}
#    \eta(t) &= \eta_i \text{ if } t_i \leq t < t_{i+1}
#       && \text{piecewise constant} \\
#    \eta(t) &= \eta_0 \cdot e^{-\lambda t} && \text{exponential decay} \\
#    \eta(t) &= \eta_0 \cdot (\beta t + 1)^{-\alpha} && \text{polynomial decay}
#    \end{aligned}
#
# We use D2L's settings, :math:`\lambda = 0.1` and :math:`\beta = 0.1,
# \alpha = 0.5`, drawn above. One path is one sample of a random process, so we
# measure instead: 200 independent runs of each schedule (one tensor row per run),
# and the mean distance :math:`\|\mathbf{x}_t - \mathbf{0}\|` to the optimum
# after every step.

num_runs = 200
distance = {}
for name, schedule in schedules.items():
    x = torch.tensor([-5.0, -2.0], dtype=torch.float64).repeat(num_runs, 1)
    dist = []
    for t in range(1, num_steps + 1):
        g = grad_f_2d(x) + torch.randn(num_runs, 2, generator=gen,
                                       dtype=torch.float64)
        x = x - 0.1 * schedule(t) * g
        dist.append(x.norm(dim=1).mean())
    distance[name] = torch.stack(dist)
    print(f"{name:11s}: mean distance to the optimum after 50, 200, {num_steps} "
          f"steps: {dist[49]:.3f}, {dist[199]:.3f}, {dist[-1]:.3f}")
final = {name: d[-1].item() for name, d in distance.items()}
handson.check("final distance, polynomial over constant learning rate",
              final["polynomial"] / final["constant"], "<", 0.7)
handson.check("final distance with exponential decay", final["exponential"],
              ">", 3.0, quick=True)

fig, ax = plt.subplots(figsize=(5, 3.2))
for name, d in distance.items():
    ax.plot(torch.arange(1, num_steps + 1), d, label=name)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("step $t$")
ax.set_ylabel(r"mean $\|\mathbf{x}_t - \mathbf{x}^*\|$")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Three behaviours, as the curves show:
#
# * **constant**: fast at first, then stuck at a noise floor whose height is set
#   by :math:`\eta`; a smaller :math:`\eta` lowers the floor but slows the start.
# * **exponential**: the learning rates sum to a finite total,
#   :math:`\sum_t \eta_0 e^{-0.1t} \approx \eta_0 / 0.1 = 1`, so :math:`x_1` can only
#   shrink by about :math:`e^{-0.2 \cdot 1}` overall: it stops far from the
#   optimum, *premature stopping*.
# * **polynomial**: the learning rates still sum to infinity (so any distance can be
#   covered) while the noise they inject, which grows with :math:`\sum_t \eta_t^2`
#   per unit of progress, keeps shrinking; the distance keeps falling.
#
# The usual recipe in deep learning is a piecewise-constant or a cosine schedule;
# :mod:`torch.optim.lr_scheduler` has them, and a later page of this chapter
# compares them.
#
# Convergence analysis for convex objectives
# ------------------------------------------
#
# D2L proves a bound (after Nesterov and Vial) for convex problems. Let
# :math:`f(\boldsymbol{\xi}, \mathbf{x})` be convex in :math:`\mathbf{x}` for each
# example :math:`\boldsymbol{\xi}`, the risk :math:`R(\mathbf{x}) =
# E_{\boldsymbol{\xi}}[f(\boldsymbol{\xi}, \mathbf{x})]` minimal at
# :math:`\mathbf{x}^*` with value :math:`R^*`, stochastic gradients bounded,
# :math:`\|\partial_{\mathbf{x}} f\| \leq L`, and :math:`r = \|\mathbf{x}_1 -
# \mathbf{x}^*\|`. Expanding :math:`\|\mathbf{x}_{t+1} - \mathbf{x}^*\|^2`, using
# convexity, summing over :math:`t` and applying Jensen's inequality gives, for the
# weighted average :math:`\bar{\mathbf{x}} = \sum_t \eta_t \mathbf{x}_t / \sum_t
# \eta_t`,
#
# .. math::
#
#    E[R(\bar{\mathbf{x}})] - R^* \leq
#    \frac{r^2 + L^2 \sum_{t=1}^T \eta_t^2}{2 \sum_{t=1}^T \eta_t}.
#
# Progress needs :math:`\sum_t \eta_t \to \infty` (the exponential schedule fails
# this) with :math:`\sum_t \eta_t^2` growing more slowly (a constant rate fails
# this). For a fixed budget of :math:`T` steps the constant rate
# :math:`\eta = r / (L\sqrt{T})` gives :math:`E[R(\bar{\mathbf{x}})] - R^* \leq
# rL/\sqrt{T}`, a rate of :math:`O(1/\sqrt{T})`.
#
# We check it on a convex problem with bounded gradients: the absolute loss
# :math:`f(\xi, x) = |x - \xi|` with :math:`\xi \sim \mathcal{N}(0, 1)`, whose
# gradient :math:`\operatorname{sign}(x - \xi)` has :math:`L = 1`. Its risk has a
# closed form, :math:`R(x) = x(2\Phi(x) - 1) + 2\varphi(x)` with the standard normal
# distribution and density :math:`\Phi, \varphi`, minimal at the median
# :math:`x^* = 0`. We start at :math:`x_1 = 5` and run 200 runs at once.

normal = torch.distributions.Normal(0.0, 1.0)


def risk_abs(x):
    return x * (2 * normal.cdf(x) - 1) + 2 * normal.log_prob(x).exp()


for T in [100, 1000]:
    r, L = 5.0, 1.0
    eta = r / (L * math.sqrt(T))
    x = torch.full((num_runs,), 5.0, dtype=torch.float64)
    x_sum = torch.zeros_like(x)
    for _ in range(T):
        x_sum += x  # constant eta: the weighted average is the plain average
        xi = torch.randn(num_runs, generator=gen, dtype=torch.float64)
        x = x - eta * torch.sign(x - xi)
    excess = (risk_abs(x_sum / T) - risk_abs(torch.tensor(0.0))).mean().item()
    print(f"T = {T:4d}: E[R(x_bar)] - R* = {excess:.4f} <= bound r L / sqrt(T) = "
          f"{r * L / math.sqrt(T):.4f}")
    handson.check(f"excess risk of SGD's average over the bound, T={T}",
                  excess / (r * L / math.sqrt(T)), "<=", 1.0, quick=True)

# %%
# The bound holds, with room to spare: it is a worst case over all convex problems
# with these :math:`r` and :math:`L`, and this one is benign. It is stated for the
# *average* iterate :math:`\bar{\mathbf{x}}`, a smoothed version of the path, not
# for the last one. For deep learning, which is not convex, no such guarantee
# exists; the lesson that carries over is to reduce the learning rate progressively,
# but not too quickly.
#
# Stochastic gradients and finite samples
# ---------------------------------------
#
# The analysis draws every example afresh from the data distribution: sampling
# *with replacement*. In practice we shuffle the data and pass through it: sampling
# *without replacement*. How much of the data does an "epoch" of :math:`n` draws
# with replacement see? Example :math:`i` is missed by all :math:`n` draws with
# probability :math:`(1 - 1/n)^n \approx e^{-1}`, so the fraction seen is about
# :math:`1 - e^{-1} \approx 0.63`; the fraction drawn *exactly once* is
# :math:`(1 - 1/n)^{n-1} \approx e^{-1}`.

n, num_epochs = 1000, 100
draws = torch.randint(0, n, (num_epochs, n), generator=gen)
counts = torch.zeros(num_epochs, n).scatter_add_(1, draws, torch.ones(num_epochs, n))
seen = (counts > 0).float().mean().item()
once = (counts == 1).float().mean().item()
print(f"with replacement, {num_epochs} epochs of n = {n} draws: fraction seen "
      f"{seen:.4f} (1 - (1 - 1/n)^n = {1 - (1 - 1 / n) ** n:.4f}, "
      f"1 - 1/e = {1 - math.exp(-1):.4f}); seen exactly once {once:.4f} "
      f"(1/e = {math.exp(-1):.4f})")
handson.check("|fraction seen - (1 - 1/e)|", abs(seen - (1 - math.exp(-1))),
              "<", 0.01, quick=True)
handson.check("|fraction seen exactly once - 1/e|", abs(once - math.exp(-1)),
              "<", 0.01, quick=True)
order = torch.randperm(n, generator=gen)
assert torch.equal(order.sort().values, torch.arange(n))
print("without replacement (a random permutation): every example exactly once")

# %%
# With replacement, a third of the data goes unused in each epoch while other
# examples are used twice or more; this adds variance and wastes data, which is why
# training loops (``handson.batches`` included) shuffle with ``torch.randperm`` and
# walk through the permutation, in a new random order every epoch.
#
# Summary
# -------
#
# * SGD steps with the gradient of one random example, an unbiased estimate of
#   the full gradient, at :math:`1/n` of the cost.
# * With a constant learning rate SGD stalls at a noise floor; the learning rate
#   must decay, but not so fast that its sum stays finite (exponential decay stops
#   early, polynomial decay keeps converging).
# * For convex problems with bounded gradients, the averaged iterate converges at
#   rate :math:`O(1/\sqrt{T})`.
# * Sampling with replacement sees only about :math:`1 - 1/e \approx 63\%` of the
#   data per epoch; shuffling and passing through the data is better.

# %%
# Exercises
# ---------
#
# 1. Plot the mean distance to the optimum for constant learning rates
#    :math:`\eta_0 = 0.02, 0.1, 0.3`. How does the noise floor depend on
#    :math:`\eta_0`?
#
#    .. dropdown:: Answer
#
#       For the coordinate with curvature :math:`a`, the update
#       :math:`x \leftarrow (1 - \eta a) x - \eta \epsilon` has stationary variance
#       :math:`\eta / (a (2 - \eta a))`: roughly proportional to :math:`\eta`. The
#       floor of the distance falls like :math:`\sqrt{\eta}`, and the time to reach
#       it grows like :math:`1/\eta`.
#
# 2. Why does the exponential schedule leave :math:`x_1` so far from 0? Compute
#    the product :math:`\prod_t (1 - 0.02\, e^{-0.1 t})`.
#
#    .. dropdown:: Answer
#
#       :math:`x_1` is multiplied by :math:`1 - \eta_t \cdot 0.2` at step
#       :math:`t`, and :math:`\prod_t (1 - 0.02 e^{-0.1t}) \approx \exp(-0.02
#       \sum_t e^{-0.1t}) \approx \exp(-0.02 \cdot 9.5) \approx 0.83`, with
#       :math:`\sum_{t \geq 1} e^{-0.1t} = 1 / (e^{0.1} - 1) \approx 9.5`: without
#       noise, :math:`x_1` would end near :math:`-5 \cdot 0.83`.
#
# 3. If one coordinate of the gradient is consistently much larger than the others,
#    how would you change SGD?
#
#    .. dropdown:: Answer
#
#       Give each coordinate its own learning rate, scaled down where gradients
#       are large: a diagonal preconditioner (:doc:`03_gradient_descent`). AdaGrad,
#       RMSProp and Adam, later in this chapter, estimate the scale from the
#       gradients themselves.
#
# 4. **Programming task.** Make a least-squares problem with :math:`n = 50`
#    examples, :math:`y_i = \mathbf{a}_i^\top \mathbf{x}_{true} + \epsilon_i`, and
#    run SGD for 20 epochs with the same constant learning rate, once drawing indices
#    with replacement (``torch.randint``) and once passing through a fresh
#    ``torch.randperm`` each epoch. Compare the final loss over 20 seeds.
#
#    .. dropdown:: Hint
#
#       Average the final training loss over the seeds for each scheme and compare
#       the means relative to their spread, not single runs. Passing through a
#       permutation usually ends lower: every example pulls once per epoch, so the
#       noise partly cancels within an epoch.
