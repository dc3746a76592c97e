r"""
Adam and Yogi
=============

Adam combines the two ideas of the previous pages: a leaky average of the gradients,
as in momentum (:doc:`06_momentum`), and a leaky average of their squares to scale
each coordinate, as in RMSProp (:doc:`08_rmsprop`). Both averages start at zero, so
Adam corrects them for that start, a detail worth deriving and measuring. Adam is
the default optimiser of much of deep learning, but not a method without failure
cases: Yogi changes how the average of squares is updated, and a constructed
example with rare gradient spikes shows what that fixes. Adam is written from
scratch and checked step by step against ``torch.optim.Adam``; Yogi has no
``torch.optim`` counterpart and is written from scratch only.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * Adam's update: first and second moment estimates with bias correction
      * why leaky averages started at zero are biased, the correction
        :math:`1/(1-\beta^t)`, and what leaving it out does to the first steps
      * that ``torch.optim.Adam`` takes the same steps, and where its ``eps`` goes
      * Yogi's update of the second moment, and a gradient-spike problem on which
        Adam moves the wrong way and Yogi does not

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`06_momentum` and :doc:`08_rmsprop` (the two leaky averages)
      * data: none; the quadratic ``f_2d`` and a one-dimensional online problem
"""

# sphinx_gallery_thumbnail_number = 3

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
# Adam (Kingma and Ba, as D2L cites it) keeps two leaky averages per coordinate,
# of the gradient and of its square,
#
# .. math::
#
#    \mathbf{v}_t = \beta_1 \mathbf{v}_{t-1} + (1 - \beta_1) \mathbf{g}_t, \qquad
#    \mathbf{s}_t = \beta_2 \mathbf{s}_{t-1} + (1 - \beta_2) \mathbf{g}_t^2,
#    \qquad \mathbf{v}_0 = \mathbf{s}_0 = \mathbf{0},
#
# usually with :math:`\beta_1 = 0.9` (about 10 steps of memory) and
# :math:`\beta_2 = 0.999` (about 1,000 steps). It then corrects both for their start
# at zero and steps along the corrected momentum, scaled per coordinate as in
# RMSProp:
#
# .. math::
#
#    \hat{\mathbf{v}}_t = \frac{\mathbf{v}_t}{1 - \beta_1^t}, \qquad
#    \hat{\mathbf{s}}_t = \frac{\mathbf{s}_t}{1 - \beta_2^t}, \qquad
#    \mathbf{x}_t = \mathbf{x}_{t-1} - \frac{\eta\, \hat{\mathbf{v}}_t}
#    {\sqrt{\hat{\mathbf{s}}_t} + \epsilon}.
#
# Note :math:`\epsilon` outside the root, unlike D2L's RMSProp.
#
# Bias correction, derived
# ^^^^^^^^^^^^^^^^^^^^^^^^
#
# Unroll the first average: :math:`\mathbf{v}_t = (1-\beta_1) \sum_{\tau=0}^{t-1}
# \beta_1^\tau \mathbf{g}_{t-\tau}`. If the gradients have a common mean
# :math:`\mathbb{E}[\mathbf{g}]`, then
#
# .. math::
#
#    \mathbb{E}[\mathbf{v}_t] = (1-\beta_1) \sum_{\tau=0}^{t-1} \beta_1^\tau\,
#    \mathbb{E}[\mathbf{g}] = (1 - \beta_1^t)\, \mathbb{E}[\mathbf{g}],
#
# because the weights sum to :math:`1 - \beta_1^t`, not 1: the missing weight
# :math:`\beta_1^t` sits on :math:`\mathbf{v}_0 = \mathbf{0}`. Dividing by
# :math:`1-\beta_1^t` removes the bias; the same holds for :math:`\mathbf{s}_t`
# and :math:`\mathbb{E}[\mathbf{g}^2]`. At :math:`t = 1`, :math:`\mathbf{v}_1 =
# 0.1\, \mathbf{g}_1` is ten times too small, and :math:`\mathbf{s}_1 = 0.001\,
# \mathbf{g}_1^2` a thousand times. We check the identity on simulated gradients
# of mean 1, averaged over 10,000 streams.

beta1, beta2, num_streams = 0.9, 0.999, 10_000
g = 1.0 + torch.randn(50, num_streams, dtype=torch.float64)
v = torch.zeros(num_streams, dtype=torch.float64)
mean_v = []
for t in range(1, 51):
    v = beta1 * v + (1 - beta1) * g[t - 1]
    mean_v.append(v.mean())
mean_v = torch.stack(mean_v)
t = torch.arange(1, 51, dtype=torch.float64)
for k in [1, 5, 20, 50]:
    print(f"t = {k:2d}: mean v_t {mean_v[k - 1].item():.3f}, "
          f"1 - beta1^t = {1 - beta1 ** k:.3f}, "
          f"corrected {(mean_v[k - 1] / (1 - beta1 ** k)).item():.3f}")
corrected = mean_v / (1 - beta1 ** t)
handson.check("largest |mean corrected v_t - 1| over 50 steps",
              (corrected - 1).abs().max().item(), "<", 0.05, quick=True)
handson.check("mean uncorrected v_1 (the gradients have mean 1)",
              mean_v[0].item(), "<", 0.2, quick=True)

# %%
# What leaving it out does to the steps
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
#
# The step is a ratio, so the two corrections partly cancel. Leaving out both
# multiplies the corrected step by :math:`(1-\beta_1^t)/\sqrt{1-\beta_2^t}`;
# leaving out only the first moment's correction multiplies it by
# :math:`1 - \beta_1^t`. We write Adam from scratch with switches for the two
# corrections and measure the step sizes on ``f_2d``.


def adam(lr, beta1=0.9, beta2=0.999, eps=1e-8, correct_v=True, correct_s=True):
    """Adam on f_2d as an update rule for trace_2d (t, v, s in state)."""
    def update(x, state):
        t = state["t"] = state.get("t", 0) + 1
        g = grad_f_2d(x)
        v = beta1 * state.get("v", torch.zeros_like(x)) + (1 - beta1) * g
        s = beta2 * state.get("s", torch.zeros_like(x)) + (1 - beta2) * g ** 2
        state["v"], state["s"] = v, s
        v_hat = v / (1 - beta1 ** t) if correct_v else v
        s_hat = s / (1 - beta2 ** t) if correct_s else s
        return x - lr * v_hat / (s_hat.sqrt() + eps)
    return update


lr, num_steps = 0.3, 100
variants = {"corrected (Adam)": adam(lr),
            "no correction of v": adam(lr, correct_v=False),
            "no correction at all": adam(lr, correct_v=False, correct_s=False)}
paths = {name: trace_2d(rule, num_steps=num_steps) for name, rule in variants.items()}
steps = {name: (p[1:] - p[:-1]).abs().max(dim=1).values for name, p in paths.items()}
print(f"{'lr = 0.3':24}{'step 1':>8}{'step 5':>8}{'largest':>9}"
      f"{'f(x_20)':>10}{'f(x_100)':>10}")
for name, p in paths.items():
    st = steps[name]
    print(f"{name:24}{st[0].item():8.3f}{st[4].item():8.3f}{st.max().item():9.3f}"
          f"{f_2d(p[20]).item():10.3g}{f_2d(p[-1]).item():10.3g}")
handson.check("first step without correcting v / lr",
              steps["no correction of v"][0].item() / lr, "<", 0.15, quick=True)
handson.check("first step without any correction / lr",
              steps["no correction at all"][0].item() / lr, ">", 2, quick=True)
handson.check("largest step of Adam over 100 steps / lr",
              steps["corrected (Adam)"].max().item() / lr, "<=", 1.01, quick=True)

# %%
# With both corrections, the first step has size exactly :math:`\eta` in each
# coordinate (:math:`\hat{\mathbf{v}}_1 = \mathbf{g}_1`, :math:`\hat{\mathbf{s}}_1 =
# \mathbf{g}_1^2`), and here no step exceeds :math:`\eta`: the learning rate is a
# reliable bound on the step, which makes it easy to choose. Without correcting
# :math:`\mathbf{v}` the first steps are tiny, a tenth of :math:`\eta`. Without
# either correction they are too *large*, because :math:`\sqrt{\mathbf{s}_t}` in
# the denominator is even more biased than :math:`\mathbf{v}_t`. The factors over
# the first 2,000 steps:

t = torch.arange(1, 2001, dtype=torch.float64)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
axes[0].semilogx(t, (1 - beta1 ** t) / (1 - beta2 ** t).sqrt(),
                 label="no correction at all")
axes[0].semilogx(t, 1 - beta1 ** t, label="no correction of v")
axes[0].axhline(1.0, color="black", linewidth=0.8)
axes[0].set_xlabel("step t")
axes[0].set_ylabel("step / corrected step")
axes[0].legend()
axes[0].grid(alpha=0.3)
for name, p in paths.items():
    axes[1].semilogy(f_2d(p), label=name)
axes[1].set_xlabel("step")
axes[1].set_ylabel(r"$f(\mathbf{x}_t)$ on f_2d, lr 0.3")
axes[1].legend()
axes[1].grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %%
# Without any correction the steps start more than three times too large and
# stay too large for hundreds of steps, because :math:`\beta_2^t` decays slowly.
# On ``f_2d`` the three variants all reach a small loss within 100 steps (right);
# what the correction buys is a predictable step size at the start, which
# matters most when large early steps can wreck a network.
#
# Adam on the ill-conditioned quadratic
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

fig, ax = plt.subplots(figsize=(5, 3.4))
show_trace_2d(f_2d, paths["corrected (Adam)"][:51], ax=ax,
              title="Adam, lr 0.3, 50 steps")
fig.tight_layout()
plt.show()

# %%
# The per-coordinate scaling gives both coordinates steps of similar size at
# first, as for AdaGrad and RMSProp; momentum then carries the iterate along the
# flat valley, overshooting and curling back near the optimum.
#
# The same steps as ``torch.optim.Adam``
# --------------------------------------
#
# ``torch.optim.Adam`` computes :math:`\eta / (1-\beta_1^t)\, \mathbf{v}_t /
# (\sqrt{\mathbf{s}_t} / \sqrt{1-\beta_2^t} + \epsilon)`, the same expression
# rearranged, with ``eps`` :math:`= 10^{-8}` outside the root and
# ``betas=(0.9, 0.999)``. We compare every iterate.
# ``torch_path``, written on :doc:`06_momentum`, lives in
# ``handson.optimization``.

for lr, betas in [(0.3, (0.9, 0.999)), (0.05, (0.8, 0.99)), (1.0, (0.5, 0.9))]:
    ours = trace_2d(adam(lr, *betas), num_steps=200)
    theirs = torch_path(lambda p: torch.optim.Adam(p, lr=lr, betas=betas),
                        num_steps=200)
    torch.testing.assert_close(theirs, ours, rtol=0, atol=1e-6)
    print(f"lr {lr}, betas {betas}: 200 iterates agree, largest difference "
          f"{(theirs - ours).abs().max().item():.1e}")

# %%
# Yogi
# ----
#
# Rewrite Adam's second moment as :math:`\mathbf{s}_t = \mathbf{s}_{t-1} +
# (1-\beta_2)(\mathbf{g}_t^2 - \mathbf{s}_{t-1})`: it moves towards
# :math:`\mathbf{g}_t^2` by a fraction of the gap. After one large gradient,
# followed by small ones, the gap is almost :math:`-\mathbf{s}_{t-1}`, so
# :math:`\mathbf{s}` decays geometrically, by :math:`\beta_2` per step: Adam
# forgets the spike within about :math:`1/(1-\beta_2)` steps and its effective
# rate :math:`\eta/\sqrt{\hat{\mathbf{s}}_t}` climbs back. Yogi (Zaheer, Reddi,
# Sachan and others, as D2L cites it) makes the size of the change independent of
# the gap,
#
# .. math::
#
#    \mathbf{s}_t = \mathbf{s}_{t-1} + (1-\beta_2)\, \mathbf{g}_t^2 \odot
#    \operatorname{sgn}(\mathbf{g}_t^2 - \mathbf{s}_{t-1}),
#
# so after a spike :math:`\mathbf{s}` falls only by :math:`(1-\beta_2)
# \mathbf{g}_t^2` per step, little when the new gradients are small. The rest is
# Adam's update; we follow D2L's code, bias corrections included. PyTorch has no
# Yogi in ``torch.optim``, so there is nothing to compare it with but the formula.
#
# A problem where this matters, in the spirit of D2L's exercise "construct a case
# for which Adam diverges and Yogi converges": a one-dimensional online problem
# with linear losses :math:`f_t(x) = g_t x` on :math:`x \in [-1, 1]`, where every
# 50th gradient is a spike :math:`g_t = 100` and the others are :math:`g_t = -1`.
# Over a period of 50 steps the losses add up to :math:`(100 - 49)\, x`, so the
# best point is :math:`x^* = -1`. The 49 small gradients push the other way. After
# each step :math:`x` is clipped back into :math:`[-1, 1]`. We take
# :math:`\beta_2 = 0.9`, a short memory that makes the failure show within a few
# thousand steps (with the default 0.999 the same failure needs rarer, larger
# spikes; exercise 3).


def spike_gradients(num_steps, period=50, spike=100.0):
    g = -torch.ones(num_steps, dtype=torch.float64)
    g[::period] = spike
    return g


def run_online(second_moment, gradients, lr=0.02, beta1=0.9, beta2=0.9, eps=1e-8):
    """Adam-style steps on f_t(x) = g_t x, x clipped to [-1, 1]; returns x_t, s_t.

    Plain Python floats: a scalar problem runs faster without tensors.
    """
    x = v = s = 0.0
    xs, ss = [], []
    for t, g in enumerate(gradients.tolist(), start=1):
        v = beta1 * v + (1 - beta1) * g
        if second_moment == "adam":
            s = beta2 * s + (1 - beta2) * g ** 2
        else:  # yogi: sign(g^2 - s) is +1, 0 or -1
            s = s + (1 - beta2) * g ** 2 * ((g ** 2 > s) - (g ** 2 < s))
        v_hat, s_hat = v / (1 - beta1 ** t), s / (1 - beta2 ** t)
        x = min(1.0, max(-1.0, x - lr * v_hat / (s_hat ** 0.5 + eps)))
        xs.append(x)
        ss.append(s_hat)
    return torch.tensor(xs), torch.tensor(ss)


gradients = spike_gradients(handson.shrink(5000, 5000))
x_adam, s_adam = run_online("adam", gradients)
x_yogi, s_yogi = run_online("yogi", gradients)
print(f"mean gradient {gradients.mean().item():.3f} (> 0: the loss falls as x falls)")
print(f"x after {len(gradients)} steps: Adam {x_adam[-1].item():+.3f}, "
      f"Yogi {x_yogi[-1].item():+.3f}  (best: -1)")
handson.check("Adam's final x on the spike problem (best -1)",
              x_adam[-1].item(), ">", 0.5, quick=True)
handson.check("Yogi's final x on the spike problem (best -1)",
              x_yogi[-1].item(), "<", -0.5, quick=True)

fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
axes[0].plot(x_adam, label="Adam")
axes[0].plot(x_yogi, label="Yogi")
axes[0].set_xlabel("step")
axes[0].set_ylabel("$x_t$")
axes[0].legend()
axes[0].grid(alpha=0.3)
window = slice(0, 200)
axes[1].semilogy(range(200), 0.02 / s_adam[window].sqrt(), label="Adam")
axes[1].semilogy(range(200), 0.02 / s_yogi[window].sqrt(), label="Yogi")
axes[1].set_xlabel("step")
axes[1].set_ylabel(r"effective rate $\eta / \sqrt{\hat{s}_t}$")
axes[1].legend()
axes[1].grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %%
# Adam walks to the wrong end of the interval and stays there; Yogi goes to the
# best point (both checked). The right panel shows why, over the first four
# periods: after each spike Adam's :math:`\hat{s}_t` forgets it within a few
# dozen steps, so the 49 small gradients get large steps; the spike itself gets a
# step limited by the :math:`\hat{s}` it has just raised. Yogi's :math:`\hat{s}`
# stays high between spikes, so the small gradients move :math:`x` little and
# the spike wins. This is a constructed example: with the usual
# :math:`\beta_2 = 0.999` and ordinary gradients Adam works well, and nothing
# here says Yogi is better in general; it shows which failure Yogi's update
# addresses.
#
# Summary
# -------
#
# * Adam keeps leaky averages of the gradient (:math:`\beta_1`) and of its square
#   (:math:`\beta_2`), divides them by :math:`1-\beta^t` to undo their start at
#   zero, and steps by :math:`\eta\, \hat{\mathbf{v}}_t / (\sqrt{\hat{\mathbf{s}}_t}
#   + \epsilon)`.
# * With the corrections the first step is :math:`\eta` per coordinate; without
#   correcting :math:`\mathbf{v}` it is ten times smaller, without either
#   correction more than three times larger.
# * ``torch.optim.Adam`` takes the same steps; ``eps`` sits outside the root.
# * Yogi changes :math:`\mathbf{s}` by :math:`(1-\beta_2)\mathbf{g}^2` in the
#   direction of :math:`\mathbf{g}^2`, so it does not forget large gradients
#   geometrically; on a rare-spike problem where Adam moves the wrong way, Yogi
#   does not. ``torch.optim`` has no Yogi.

# %%
# Exercises
# ---------
#
# 1. Run ``adam`` on ``f_2d`` with :math:`\eta \in \{0.01, 0.1, 1\}` for 200
#    steps. Why does Adam with a constant :math:`\eta` bounce near the optimum, as
#    RMSProp did?
#
#    .. dropdown:: Hint
#
#       Near the optimum :math:`\hat{\mathbf{v}}_t` and
#       :math:`\sqrt{\hat{\mathbf{s}}_t}` shrink together, so the step stays of
#       order :math:`\eta` (once :math:`\hat{\mathbf{s}}_t`, which remembers
#       about 1,000 steps, has caught up). A decaying learning rate
#       (:doc:`11_learning_rate_scheduling`) removes the bounce.
#
# 2. Rewrite the two averages so that no bias correction is needed.
#
#    .. dropdown:: Answer
#
#       Use the running mean with the weights renormalised:
#       :math:`\hat{\mathbf{v}}_t = \hat{\mathbf{v}}_{t-1} + \frac{1-\beta_1}
#       {1-\beta_1^t} (\mathbf{g}_t - \hat{\mathbf{v}}_{t-1})`. At :math:`t = 1`
#       the factor is 1, so :math:`\hat{\mathbf{v}}_1 = \mathbf{g}_1`, and by
#       induction :math:`\hat{\mathbf{v}}_t = \mathbf{v}_t / (1-\beta_1^t)`.
#
# 3. Repeat the spike experiment with :math:`\beta_2 = 0.999`. Does Adam still
#    move the wrong way? Make the spikes rarer and larger (period 2,000, spike
#    2,100) and run 40,000 steps.
#
#    .. dropdown:: Hint
#
#       With :math:`\beta_2 = 0.999` the memory is about 1,000 steps; the spikes
#       must be rarer than that for Adam to forget them in between. Also look
#       at how far Yogi gets in 40,000 steps.
#
# 4. **Programming task.** Write Yogi for the parameters of an ``nn.Module``, as
#    a loop over ``net.parameters()`` with a step counter and two states per
#    tensor, and train a small linear regression (as in the programming task of
#    :doc:`07_adagrad`) with it and with ``torch.optim.Adam`` for 200 steps. (The
#    answer shows the Yogi loop; Adam's is the usual ``torch.optim`` loop.)
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          from torch import nn
#
#          def yogi_step(params, states, t, lr=0.01, beta1=0.9, beta2=0.999,
#                        eps=1e-3):
#              with torch.no_grad():
#                  for p, (v, s) in zip(params, states):
#                      g = p.grad
#                      v.mul_(beta1).add_((1 - beta1) * g)
#                      s.add_((1 - beta2) * g ** 2 * torch.sign(g ** 2 - s))
#                      v_hat = v / (1 - beta1 ** t)
#                      s_hat = s / (1 - beta2 ** t)
#                      p -= lr * v_hat / (s_hat.sqrt() + eps)
#
#          X, y = torch.randn(256, 3), torch.randn(256, 1)
#          net = nn.Linear(3, 1)
#          params = list(net.parameters())
#          states = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
#          for t in range(1, 201):
#              net.zero_grad()
#              loss = nn.functional.mse_loss(net(X), y)
#              loss.backward()
#              yogi_step(params, states, t)
#          print(f"Yogi: final loss {loss.item():.4f}")
