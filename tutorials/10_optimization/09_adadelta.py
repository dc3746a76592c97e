r"""
Adadelta
========

RMSProp (:doc:`08_rmsprop`) scales each coordinate's gradient by the running RMS of
that coordinate's gradients, and still needs a learning rate :math:`\eta`.
Adadelta replaces :math:`\eta` by a second running RMS, that of the updates the
method itself has made, so the size of past steps calibrates the size of the next
one. It is often described as having no learning rate. This page writes it from
scratch, checks it step by step against ``torch.optim.Adadelta`` and then asks how
free of a learning rate it really is: on the quadratic of :doc:`06_momentum`, the
small constant :math:`\epsilon` turns out to set the speed.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * Adadelta's two leaky averages, of squared gradients and of squared updates
      * why the ratio of the two RMS values has the units of the parameters
      * that ``torch.optim.Adadelta`` with ``lr=1`` takes the same steps
      * how :math:`\epsilon` sets the first steps, and through them the speed:
        "no learning rate" measured

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`08_rmsprop` (leaky average of squared gradients)
      * :doc:`06_momentum` (the quadratic ``f_2d``, ``trace_2d``)
      * data: none; a two-dimensional quadratic
"""

# sphinx_gallery_thumbnail_number = 1

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
# Adadelta (Zeiler, as D2L cites it) keeps two leaky averages per coordinate,
# with the same decay :math:`\rho`: :math:`\mathbf{s}_t` of the squared gradients,
# as RMSProp does, and :math:`\Delta\mathbf{x}_t` of the squared *rescaled
# gradients* :math:`\mathbf{g}_t'`, the updates actually applied:
#
# .. math::
#
#    \begin{aligned}
#    \mathbf{s}_t &= \rho\, \mathbf{s}_{t-1} + (1 - \rho)\, \mathbf{g}_t^2, \\
#    \mathbf{g}_t' &= \frac{\sqrt{\Delta\mathbf{x}_{t-1} + \epsilon}}
#                         {\sqrt{\mathbf{s}_t + \epsilon}} \odot \mathbf{g}_t, \\
#    \mathbf{x}_t &= \mathbf{x}_{t-1} - \mathbf{g}_t', \\
#    \Delta\mathbf{x}_t &= \rho\, \Delta\mathbf{x}_{t-1} + (1 - \rho)\,
#                         {\mathbf{g}_t'}^2,
#    \end{aligned}
#
# from :math:`\mathbf{s}_0 = \Delta\mathbf{x}_0 = \mathbf{0}`, with D2L's
# notation. Compared with RMSProp, :math:`\eta` has become
# :math:`\sqrt{\Delta\mathbf{x}_{t-1} + \epsilon}`, the RMS of recent updates.
#
# Why that choice? Look at units. If :math:`x` is measured in metres and the loss
# in some unit :math:`L`, a gradient is in :math:`L/\text{m}`, and so is
# :math:`\sqrt{s}`. RMSProp's :math:`\mathbf{g}/\sqrt{\mathbf{s}}` has no unit,
# so its step has the unit of :math:`\eta`, which must then carry "metres".
# Adadelta's numerator :math:`\sqrt{\Delta\mathbf{x}}` is in metres already: the
# step has the right unit without a learning rate.
#
# From scratch
# ------------
#
# As an update rule for ``trace_2d``, with both averages in ``state``:


def adadelta(rho, eps=1e-6):
    """Adadelta on f_2d as an update rule for trace_2d (s and delta in state)."""
    def update(x, state):
        g = grad_f_2d(x)
        s = rho * state.get("s", torch.zeros_like(x)) + (1 - rho) * g ** 2
        delta = state.get("delta", torch.zeros_like(x))
        g_rescaled = (delta + eps).sqrt() / (s + eps).sqrt() * g
        state["s"] = s
        state["delta"] = rho * delta + (1 - rho) * g_rescaled ** 2
        return x - g_rescaled
    return update


# %%
# The same steps as ``torch.optim.Adadelta``
# ------------------------------------------
#
# PyTorch computes exactly these four lines (``eps`` :math:`= 10^{-6}` inside both
# roots, ``rho=0.9`` by default) and then steps by ``lr`` times
# :math:`\mathbf{g}_t'`, with ``lr=1.0`` by default. So ``lr=1`` is the original
# method; any other ``lr`` scales the applied step but not the
# :math:`\Delta\mathbf{x}` that is accumulated. We compare every iterate.
# ``torch_path``, written on :doc:`06_momentum`, lives in
# ``handson.optimization``.

for rho, eps in [(0.9, 1e-6), (0.99, 1e-6), (0.9, 1e-2)]:
    ours = trace_2d(adadelta(rho, eps), num_steps=200)
    theirs = torch_path(lambda p: torch.optim.Adadelta(p, lr=1.0, rho=rho, eps=eps),
                        num_steps=200)
    torch.testing.assert_close(theirs, ours, rtol=0, atol=1e-6)
    print(f"rho {rho}, eps {eps}: 200 iterates agree, largest difference "
          f"{(theirs - ours).abs().max().item():.1e}")

# %%
# How free of a learning rate?
# ----------------------------
#
# At the first step :math:`\Delta\mathbf{x}_0 = \mathbf{0}` and
# :math:`\mathbf{s}_1 = (1-\rho)\mathbf{g}_1^2`, so each coordinate moves by
#
# .. math::
#
#    |g_1'| = \frac{\sqrt{\epsilon}\, |g_1|}{\sqrt{(1-\rho) g_1^2 + \epsilon}}
#    \approx \sqrt{\frac{\epsilon}{1-\rho}} \quad \text{when } g_1^2 \gg \epsilon.
#
# With the defaults, :math:`\sqrt{10^{-6}/0.1} \approx 0.003`: a step of a few
# thousandths, whatever the problem. Later steps can only grow from there as
# :math:`\Delta\mathbf{x}` accumulates the steps taken. So :math:`\epsilon`,
# introduced only against division by zero, sets the initial step size, the job
# of a learning rate. We check the first step and then run 3,000 steps on
# ``f_2d`` from :math:`(-5, -2)` with :math:`\rho = 0.9` and three values of
# :math:`\epsilon`.

rho, num_steps = 0.9, handson.shrink(3000, 3000)
g1 = grad_f_2d(torch.tensor([-5.0, -2.0], dtype=torch.float64))
for eps in [1e-6, 1e-4, 1e-2]:
    first = trace_2d(adadelta(rho, eps), num_steps=1)
    step = (first[1] - first[0]).abs()
    predicted = eps ** 0.5 * g1.abs() / ((1 - rho) * g1 ** 2 + eps).sqrt()
    torch.testing.assert_close(step, predicted)
    print(f"eps {eps:.0e}: first step {step.tolist()}, "
          f"sqrt(eps / (1 - rho)) = {(eps / (1 - rho)) ** 0.5:.4f}")

paths = {eps: trace_2d(adadelta(rho, eps), num_steps=num_steps)
         for eps in [1e-6, 1e-4, 1e-2]}
print(f"{'eps':>7}{'f(x_20)':>11}{'f(x_200)':>11}{'f(x_1000)':>11}"
      f"{'min f':>11}{'f(x_3000)':>11}")
for eps, path in paths.items():
    f = f_2d(path)
    print(f"{eps:7.0e}{f[20].item():11.3g}{f[200].item():11.3g}"
          f"{f[1000].item():11.3g}{f.min().item():11.3g}{f[-1].item():11.3g}")

# %%
# The table reads like a learning-rate sweep: the larger :math:`\epsilon`, the
# faster the start (after 20 steps; by step 200 :math:`\epsilon = 10^{-2}` is
# already swinging and :math:`10^{-4}` leads), and the default
# :math:`\epsilon = 10^{-6}` needs hundreds of steps to make progress on a
# problem that gradient descent solves in tens. Nor does any of the three settle
# at the optimum: the best :math:`f` of each run is several times lower than its
# :math:`f` at the end, and with :math:`\epsilon = 10^{-2}` the final :math:`f` is
# back at the level of the start. The paths and the step sizes:

fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
show_trace_2d(f_2d, paths[1e-6][:1001:10], ax=axes[0],
              title="eps 1e-6: every 10th of 1,000 steps")
show_trace_2d(f_2d, paths[1e-2][:201], ax=axes[1], title="eps 1e-2: 200 steps")
for eps, path in paths.items():
    axes[2].semilogy((path[1:] - path[:-1]).abs()[:, 1], label=f"eps {eps:.0e}",
                     linewidth=0.8)
axes[2].set_xlabel("step")
axes[2].set_ylabel(r"$|x_{2,t} - x_{2,t-1}|$")
axes[2].set_ylim(1e-6, 10)
axes[2].legend(fontsize=8)
axes[2].grid(alpha=0.3)
fig.tight_layout()
plt.show()

f_at = {eps: f_2d(path) for eps, path in paths.items()}
handson.check("f after 200 steps, eps 1e-4 / eps 1e-6",
              (f_at[1e-4][200] / f_at[1e-6][200]).item(), "<", 0.01, quick=True)
handson.check("f after 200 steps with the default eps 1e-6 (start: 10.5)",
              f_at[1e-6][200].item(), ">", 1.0, quick=True)
for eps, f in f_at.items():
    handson.check(f"f at step 3000 / best f of the run, eps {eps:.0e}",
                  (f[-1] / f.min()).item(), ">", 3, quick=True)
handson.check("f at step 3000 / f at the start, eps 1e-2",
              (f_at[1e-2][-1] / f_at[1e-2][0]).item(), ">", 0.5, quick=True)

# %%
# The right panel follows the steps of the steep coordinate :math:`x_2`. They
# start at :math:`\sqrt{\epsilon/(1-\rho)}`, stay near that size while
# :math:`x_2` travels, and collapse as :math:`x_2` reaches 0 (the left panel
# shows the path turning along the valley; the middle one, with
# :math:`\epsilon = 10^{-2}`, the swing that follows). Then they grow again: near
# the optimum, :math:`\mathbf{s}` (recent squared gradients) shrinks, while
# :math:`\Delta\mathbf{x}` remembers the recent steps, so the ratio rises until
# the effective rate for :math:`x_2` reaches :math:`2/\lambda_2 = 0.5`, where
# gradient descent on that coordinate stops converging, and :math:`x_2` swings
# from side to side. Adadelta has nothing that makes its steps decay, so it does
# not settle. "No learning rate" means one hyperparameter less, not that the step
# size takes care of itself.
#
# D2L trains a linear regression with Adadelta on minibatches;
# :doc:`12_optimizers_compared` runs it next to the other methods on a common task.
#
# Summary
# -------
#
# * Adadelta keeps leaky averages of squared gradients and of squared updates,
#   and steps by :math:`\sqrt{\Delta\mathbf{x}_{t-1}+\epsilon} /
#   \sqrt{\mathbf{s}_t + \epsilon}` times the gradient, with no learning rate.
# * ``torch.optim.Adadelta`` with its default ``lr=1`` takes the same steps.
# * Its first step is about :math:`\sqrt{\epsilon/(1-\rho)}` per coordinate, and
#   later steps grow from there: :math:`\epsilon` acts as the learning rate.
# * Its steps do not decay near an optimum; on ``f_2d`` it ends up swinging
#   across the steep direction.

# %%
# Exercises
# ---------
#
# 1. Run ``adadelta`` with :math:`\rho \in \{0.5, 0.9, 0.99\}` and
#    :math:`\epsilon = 10^{-4}` for 1,000 steps. How does :math:`\rho` change the
#    speed of the start and the behaviour near the optimum?
#
#    .. dropdown:: Hint
#
#       The first step is :math:`\sqrt{\epsilon/(1-\rho)}`, larger for larger
#       :math:`\rho`; the averages also remember more, so the steps react more
#       slowly to changes in the gradient.
#
# 2. Show that Adadelta can be written without :math:`\mathbf{g}_t'` as a separate
#    variable, by keeping :math:`\sqrt{\Delta\mathbf{x}_t + \epsilon}` instead of
#    :math:`\Delta\mathbf{x}_t`. Why might one want that?
#
#    .. dropdown:: Answer
#
#       Writing :math:`\mathbf{u}_t = \sqrt{\Delta\mathbf{x}_t + \epsilon}`, the
#       step is :math:`\mathbf{u}_{t-1} \odot \mathbf{g}_t / \sqrt{\mathbf{s}_t +
#       \epsilon}` and :math:`\mathbf{u}_t^2 = \rho\, \mathbf{u}_{t-1}^2 +
#       (1-\rho)(\text{step})^2 + (1-\rho)\epsilon`. It saves no arithmetic (a
#       root is still taken each step, now to get :math:`\mathbf{u}_t`), but
#       the state is then the very factor the next step uses, and the form shows
#       that :math:`\mathbf{u}_t^2` never falls below :math:`\epsilon`.
#
# 3. The check above says that with :math:`\epsilon = 10^{-6}` the loss after
#    200 steps is still above 1. What ``lr`` in ``torch.optim.Adadelta`` would
#    you need for a first step of about 0.1? Is that still Adadelta?
#
#    .. dropdown:: Answer
#
#       The unscaled first step is about 0.003, so ``lr`` around 30. It is then
#       RMSProp-like with a learning rate again, and the accumulated
#       :math:`\Delta\mathbf{x}` (unscaled) no longer matches the steps taken.
#
# 4. **Programming task.** Give ``adadelta`` a schedule: multiply the applied step
#    (not the accumulated one) by :math:`\alpha_t = 1/\sqrt{1 + t/100}` and check
#    whether the swinging across the steep direction dies out in 3,000 steps on
#    ``f_2d`` with :math:`\epsilon = 10^{-4}`.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def adadelta_decay(rho, eps):
#              def update(x, state):
#                  t = state["t"] = state.get("t", 0) + 1
#                  g = grad_f_2d(x)
#                  s = rho * state.get("s", torch.zeros_like(x)) + (1 - rho) * g**2
#                  delta = state.get("delta", torch.zeros_like(x))
#                  g_rescaled = (delta + eps).sqrt() / (s + eps).sqrt() * g
#                  state["s"] = s
#                  state["delta"] = rho * delta + (1 - rho) * g_rescaled ** 2
#                  return x - g_rescaled / (1 + t / 100) ** 0.5
#              return update
#
#          path = trace_2d(adadelta_decay(0.9, 1e-4), num_steps=3000)
#          f = f_2d(path)
#          print(f"best f {f.min().item():.3g}, final f {f[-1].item():.3g}")
