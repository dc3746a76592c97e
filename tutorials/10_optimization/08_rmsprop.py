r"""
RMSProp
=======

AdaGrad (:doc:`07_adagrad`) gives every coordinate its own step size, but it divides
by the root of a *sum* of squared gradients that only grows: its steps shrink like
:math:`1/\sqrt{t}` whether or not that suits the problem. RMSProp keeps AdaGrad's
per-coordinate scaling and replaces the sum by a leaky average, as momentum does
for the gradient (:doc:`06_momentum`), so the scaling adapts to recent gradients and
the learning rate is again the experimenter's to schedule. This page writes it from
scratch, runs it on the ill-conditioned quadratic, checks it step by step against
``torch.optim.RMSprop`` and shows what a constant learning rate does to it near the
optimum.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the leaky average of squared gradients
        :math:`\mathbf{s} \leftarrow \gamma \mathbf{s} + (1-\gamma) \mathbf{g}^2`
        and its weights
      * why RMSProp's effective step settles where AdaGrad's keeps falling,
        measured on noisy gradients
      * RMSProp from scratch on the quadratic ``f_2d``, and its behaviour near the
        optimum with a constant learning rate
      * that ``torch.optim.RMSprop(alpha=gamma)`` takes the same steps, and where
        its ``eps`` goes

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`07_adagrad` (per-coordinate step sizes)
      * :doc:`06_momentum` (leaky averages, ``f_2d``)
      * data: none; a two-dimensional quadratic and simulated gradients
"""

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import torch

import handson
from handson.optimization import (
    f_2d,
    grad_f_2d,
    show_trace_2d,
    torch_path,
    trace_2d,
)

handson.seed(0)

# %%
# The algorithm
# -------------
#
# AdaGrad's state is :math:`\mathbf{s}_t = \mathbf{s}_{t-1} + \mathbf{g}_t^2`.
# Dividing by :math:`t` would give the mean squared gradient, but a mean over the
# whole history reacts slowly when the gradients change. RMSProp (Tieleman and
# Hinton, as D2L cites it) uses a leaky average instead:
#
# .. math::
#
#    \mathbf{s}_t = \gamma \mathbf{s}_{t-1} + (1 - \gamma) \mathbf{g}_t^2, \qquad
#    \mathbf{x}_t = \mathbf{x}_{t-1} - \frac{\eta}{\sqrt{\mathbf{s}_t} + \epsilon}
#    \odot \mathbf{g}_t, \qquad \mathbf{s}_0 = \mathbf{0}.
#
# Unrolled, :math:`\mathbf{s}_t = (1-\gamma) \sum_{\tau=0}^{t-1} \gamma^\tau
# \mathbf{g}_{t-\tau}^2`: weights :math:`(1-\gamma)\gamma^\tau` that add up to 1
# (for long runs), spread over roughly the last :math:`1/(1-\gamma)` steps. So
# :math:`\sqrt{\mathbf{s}_t}` is a running root-mean-square (RMS) of each
# coordinate's gradient, and the step :math:`\eta\, \mathbf{g}_t /
# \sqrt{\mathbf{s}_t}` is of size about :math:`\eta` whatever the scale of the
# gradient. The weights for a few :math:`\gamma`:

tau = torch.arange(40)
fig, ax = plt.subplots(figsize=(5.5, 3.2))
for gamma in [0.95, 0.9, 0.8, 0.7]:
    weights = (1 - gamma) * gamma ** tau.double()
    ax.plot(tau, weights, label=f"gamma = {gamma:.2f}")
    total = ((1 - gamma) * gamma ** torch.arange(5000).double()).sum().item()
    assert abs(total - 1) < 1e-9
ax.set_xlabel(r"steps ago $\tau$")
ax.set_ylabel(r"weight $(1-\gamma)\gamma^\tau$")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %%
# A larger :math:`\gamma` spreads the weight over more steps, with a lower peak.
#
# AdaGrad's step keeps falling, RMSProp's settles
# -----------------------------------------------
#
# Feed both rules the same stream of gradients of constant scale: independent
# standard normal numbers, 500 independent streams at once, 2,000 steps. We track
# the effective learning rate :math:`\eta / \sqrt{s_t}` (with :math:`\eta = 1`)
# averaged over the streams.

num_steps, num_runs, gamma = 2000, 500, 0.99
g = torch.randn(num_steps, num_runs, dtype=torch.float64)
s_adagrad = torch.cumsum(g ** 2, dim=0)
s_rmsprop = torch.zeros_like(g)
s = torch.zeros(num_runs, dtype=torch.float64)
for t in range(num_steps):
    s = gamma * s + (1 - gamma) * g[t] ** 2
    s_rmsprop[t] = s
eff = {"AdaGrad": (1 / s_adagrad.sqrt()).mean(1),
       "RMSProp": (1 / s_rmsprop.sqrt()).mean(1)}
for name, e in eff.items():
    print(f"{name:8}: effective lr at step 200 {e[199].item():.3f}, "
          f"at step 2000 {e[-1].item():.3f}, ratio {(e[-1] / e[199]).item():.2f}")
handson.check("AdaGrad's effective lr, step 2000 / step 200",
              (eff["AdaGrad"][-1] / eff["AdaGrad"][199]).item(), "<", 0.4,
              quick=True)
handson.check("RMSProp's effective lr, step 2000 / step 200",
              (eff["RMSProp"][-1] / eff["RMSProp"][199]).item(), ">", 0.8,
              quick=True)

# %%
# AdaGrad's rate has fallen by about :math:`\sqrt{10}` between steps 200 and
# 2,000, as :math:`1/\sqrt{t}` predicts; RMSProp's stays at the level set by the
# recent RMS of the gradient, :math:`\eta` here. (At step 200 it is still a bit
# higher: :math:`\mathbf{s}` started at 0 and has reached only a fraction
# :math:`1-\gamma^t` of its full size, a bias that Adam corrects,
# :doc:`10_adam`.) With RMSProp, any decay of the step is up to the learning-rate
# schedule (:doc:`11_learning_rate_scheduling`).
#
# From scratch, on the ill-conditioned quadratic
# ----------------------------------------------
#
# As update rule for ``trace_2d``, with :math:`\mathbf{s}` kept in ``state``. We put
# :math:`\epsilon` outside the root, as PyTorch does (D2L writes
# :math:`\sqrt{\mathbf{s}_t + \epsilon}` with :math:`\epsilon = 10^{-6}`; the note
# on :doc:`07_adagrad` measures how little that changes).


def rmsprop(lr, gamma, eps=1e-8):
    """RMSProp on f_2d as an update rule for trace_2d (s in state)."""
    def update(x, state):
        g = grad_f_2d(x)
        s = gamma * state.get("s", torch.zeros_like(x)) + (1 - gamma) * g ** 2
        state["s"] = s
        return x - lr * g / (s.sqrt() + eps)
    return update


def adagrad(lr, eps=1e-10):
    """AdaGrad, from the previous page, for comparison."""
    def update(x, state):
        g = grad_f_2d(x)
        state["s"] = state.get("s", torch.zeros_like(x)) + g ** 2
        return x - lr * g / (state["s"].sqrt() + eps)
    return update


# %%
# D2L's setting is :math:`\eta = 0.4`, :math:`\gamma = 0.9`, the learning rate at
# which AdaGrad stalled on the previous page. We run 20 steps of both, and also
# follow both (and RMSProp with :math:`\eta = 0.1`) for 200 steps.

runs_20 = {"AdaGrad, lr 0.4": trace_2d(adagrad(0.4), num_steps=20),
           "RMSProp, lr 0.4, gamma 0.9": trace_2d(rmsprop(0.4, 0.9), num_steps=20)}
runs_200 = {"AdaGrad, lr 0.4": trace_2d(adagrad(0.4), num_steps=200),
            "RMSProp, lr 0.4": trace_2d(rmsprop(0.4, 0.9), num_steps=200),
            "RMSProp, lr 0.1": trace_2d(rmsprop(0.1, 0.9), num_steps=200)}
for name, path in runs_20.items():
    print(f"{name:28} f(x_20) = {f_2d(path[-1]).item():.3g}")
for name, path in runs_200.items():
    print(f"{name:28} f(x_200) = {f_2d(path[-1]).item():.3g}, "
          f"smallest f over the run = {f_2d(path).min().item():.3g}")

fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
for ax, (name, path) in zip(axes[:2], runs_20.items()):
    show_trace_2d(f_2d, path, ax=ax, title=name + ", 20 steps")
for name, path in runs_200.items():
    axes[2].semilogy(path.norm(dim=1), label=name)
axes[2].set_xlabel("step")
axes[2].set_ylabel(r"$\|\mathbf{x}_t - \mathbf{x}^*\|$")
axes[2].legend(fontsize=8)
axes[2].grid(alpha=0.3)
fig.tight_layout()
plt.show()

f20 = {name: f_2d(path[-1]).item() for name, path in runs_20.items()}
handson.check("f after 20 steps, RMSProp / AdaGrad (both lr 0.4)",
              f20["RMSProp, lr 0.4, gamma 0.9"] / f20["AdaGrad, lr 0.4"], "<", 0.01,
              quick=True)
path = runs_200["RMSProp, lr 0.4"]
handson.check("f after 200 steps / smallest f over the run, RMSProp lr 0.4",
              (f_2d(path[-1]) / f_2d(path).min()).item(), ">", 100, quick=True)
f200 = {name: f_2d(path[-1]).item() for name, path in runs_200.items()}
handson.check("f after 200 steps, AdaGrad / RMSProp with lr 0.1",
              f200["AdaGrad, lr 0.4"] / f200["RMSProp, lr 0.1"], "<", 0.5,
              quick=True)

# %%
# In 20 steps RMSProp gets far closer than AdaGrad with the same :math:`\eta`
# (checked). The right panel shows the other side of a step that does not decay:
# near the optimum the gradients shrink, :math:`\mathbf{s}_t` shrinks with them,
# and the step stays of size about :math:`\eta`. RMSProp with :math:`\eta = 0.4`
# reaches a tiny :math:`f` and then climbs back to bounce around the optimum at a
# distance set by :math:`\eta` (the last check compares :math:`f` at step 200 with
# the best :math:`f` of the run); with :math:`\eta = 0.1` it bounces closer. After
# 200 steps the slow but steadily decaying AdaGrad is in fact the closest of the
# three (the printed :math:`f(\mathbf{x}_{200})`): which method "wins" depends on
# when we stop. RMSProp is used with a learning rate that decays, or a small one.
#
# The same steps as ``torch.optim.RMSprop``
# -----------------------------------------
#
# PyTorch names :math:`\gamma` ``alpha`` (default 0.99, where D2L and we use 0.9)
# and computes :math:`\eta\, \mathbf{g}_t / (\sqrt{\mathbf{s}_t} + \epsilon)` with
# ``eps`` :math:`= 10^{-8}` outside the root. Its extra options (``momentum``,
# ``centered``, ``weight_decay``) are off by default. We compare every iterate.
# ``torch_path``, written on :doc:`06_momentum`, lives in
# ``handson.optimization``.

for lr, gamma in [(0.4, 0.9), (0.1, 0.99), (0.05, 0.5)]:
    ours = trace_2d(rmsprop(lr, gamma), num_steps=100)
    theirs = torch_path(lambda p: torch.optim.RMSprop(p, lr=lr, alpha=gamma),
                        num_steps=100)
    torch.testing.assert_close(theirs, ours, rtol=0, atol=1e-6)
    print(f"lr {lr}, gamma (alpha) {gamma}: 100 iterates agree, largest "
          f"difference {(theirs - ours).abs().max().item():.1e}")

# %%
# .. warning::
#
#    Forgetting ``alpha=`` is an easy slip when porting code: PyTorch's default
#    ``alpha=0.99`` averages over about 100 steps, D2L's :math:`\gamma = 0.9`
#    over about 10. Keras calls the same number ``rho``.
#
# Summary
# -------
#
# * RMSProp divides each coordinate's step by the root of a leaky average of its
#   squared gradients, :math:`\mathbf{s}_t = \gamma \mathbf{s}_{t-1} +
#   (1-\gamma)\mathbf{g}_t^2`, a running RMS over about :math:`1/(1-\gamma)` steps.
# * Its effective step does not decay by itself (AdaGrad's falls as
#   :math:`1/\sqrt{t}`), so it keeps moving but also keeps bouncing near an
#   optimum: pair it with a decaying or small learning rate.
# * ``torch.optim.RMSprop(lr, alpha=gamma)`` takes the same steps, with ``eps``
#   outside the root and ``alpha=0.99`` by default.

# %%
# Exercises
# ---------
#
# 1. Set :math:`\gamma = 1` in ``rmsprop``. What happens, and why? What about
#    :math:`\gamma = 0`?
#
#    .. dropdown:: Answer
#
#       With :math:`\gamma = 1`, :math:`\mathbf{s}_t = \mathbf{s}_0 = \mathbf{0}`
#       for ever, so the step is :math:`\eta \mathbf{g} / \epsilon`: enormous, the
#       iterates blow up. With :math:`\gamma = 0`, :math:`\sqrt{\mathbf{s}_t} =
#       |\mathbf{g}_t|` and the update is :math:`\eta\,
#       \operatorname{sign}(\mathbf{g}_t)`: sign descent, steps of exactly
#       :math:`\eta` per coordinate.
#
# 2. Rotate the problem by 45 degrees (and double it), :math:`f(\mathbf{x}) =
#    0.1 (x_1 + x_2)^2 + 2 (x_1 - x_2)^2`. How does RMSProp's path change?
#
#    .. dropdown:: Hint
#
#       As for AdaGrad: the scaling is per coordinate. When the steep and the flat
#       direction no longer coincide with the axes, both coordinates see large
#       gradients and get similar scales, and the zigzag returns.
#
# 3. Combine RMSProp with a schedule: run ``rmsprop`` on ``f_2d`` for 200 steps
#    with :math:`\eta_t = 0.4 / \sqrt{t}`. Does the bouncing near the optimum stop?
#
#    .. dropdown:: Hint
#
#       Pass the step count through ``state`` (``state["t"] = state.get("t", 0) +
#       1``) and compute the rate inside the update rule. The bounce has an
#       amplitude of the order of the step, so it shrinks with :math:`\eta_t`.
#
# 4. **Programming task.** *Centered* RMSProp divides by the root of
#    :math:`\mathbf{s}_t - \mathbf{m}_t^2`, an estimate of the gradient's variance,
#    where :math:`\mathbf{m}_t = \gamma \mathbf{m}_{t-1} + (1-\gamma)\mathbf{g}_t`.
#    Write it as an update rule and check it against
#    ``torch.optim.RMSprop(p, lr=0.1, alpha=0.9, centered=True)``.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def rmsprop_centered(lr, gamma, eps=1e-8):
#              def update(x, state):
#                  g = grad_f_2d(x)
#                  s = gamma * state.get("s", torch.zeros_like(x)) + (1 - gamma) * g**2
#                  m = gamma * state.get("m", torch.zeros_like(x)) + (1 - gamma) * g
#                  state["s"], state["m"] = s, m
#                  return x - lr * g / ((s - m ** 2).sqrt() + eps)
#              return update
#
#          ours = trace_2d(rmsprop_centered(0.1, 0.9), num_steps=50)
#          theirs = torch_path(lambda p: torch.optim.RMSprop(
#              p, lr=0.1, alpha=0.9, centered=True), num_steps=50)
#          torch.testing.assert_close(theirs, ours, rtol=0, atol=1e-6)
