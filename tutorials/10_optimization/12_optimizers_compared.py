r"""
The optimisers side by side
===========================

The pages of this chapter introduced one optimiser at a time, each on its own
settings. This page puts them next to each other under the same rules: minibatch
SGD, SGD with momentum, AdaGrad, RMSProp, Adadelta, Adam and Yogi, first on the
ill-conditioned quadratic of :doc:`06_momentum`, then on a small regression task
with the same data, the same minibatches in the same order and the same number of
steps for every method. Each method gets its learning rate from the same small
grid, chosen on a validation split; the test split is used once, to report. The
result is a measurement of these methods on these two problems, not a ranking of
optimisers in general.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * how to compare optimisers fairly: same problem, start, batches and
        budget, and a learning rate tuned for each on the same grid
      * why the learning rate must be chosen on validation data, not test data
      * what per-coordinate scaling buys on an ill-conditioned problem
      * that on a small, well-scaled regression the tuned methods end close
        together

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * the chapter's optimiser pages, :doc:`05_minibatch_sgd` to
        :doc:`10_adam`
      * :doc:`../03_linear_regression/01_california_housing` (linear regression,
        squared loss)
      * data: the NASA airfoil self-noise data, 1,503 rows, as D2L uses it for
        this chapter
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson.data import load_airfoil
from handson.optimization import f_2d, show_trace_2d

handson.seed(0)

# %%
# The methods
# -----------
#
# Every method except Yogi is a ``torch.optim`` class, each checked step by step
# against a from-scratch version on its own page. Yogi has no ``torch.optim``
# class, so we wrap the update of :doc:`10_adam` in a small ``Optimizer`` subclass
# (``step`` updates every parameter in place from its gradient, keeping the step
# count and the two averages in ``self.state``). Hyperparameters other than the
# learning rate are the common defaults: momentum :math:`\beta = 0.9`, RMSProp's
# :math:`\gamma = 0.9` (D2L's choice), Adam's and Yogi's :math:`(0.9, 0.999)`.
# Adadelta's "learning rate" is PyTorch's multiplier of its step, 1 by default
# (:doc:`09_adadelta`).


class Yogi(torch.optim.Optimizer):
    """Yogi as in D2L: Adam with s += (1 - beta2) g^2 sign(g^2 - s)."""

    def __init__(self, params, lr=0.01, betas=(0.9, 0.999), eps=1e-3):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                state = self.state[p]
                if not state:
                    state.update(t=0, v=torch.zeros_like(p), s=torch.zeros_like(p))
                state["t"] += 1
                t, v, s, g = state["t"], state["v"], state["s"], p.grad
                v.mul_(beta1).add_((1 - beta1) * g)
                s.add_((1 - beta2) * g ** 2 * torch.sign(g ** 2 - s))
                v_hat, s_hat = v / (1 - beta1 ** t), s / (1 - beta2 ** t)
                p.sub_(group["lr"] * v_hat / (s_hat.sqrt() + group["eps"]))


methods = {
    "SGD": lambda params, lr: torch.optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "AdaGrad": lambda params, lr: torch.optim.Adagrad(params, lr=lr),
    "RMSProp": lambda params, lr: torch.optim.RMSprop(params, lr=lr, alpha=0.9),
    "Adadelta": lambda params, lr: torch.optim.Adadelta(params, lr=lr),
    "Adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
    "Yogi": lambda params, lr: Yogi(params, lr=lr),
}

# %%
# (a) The ill-conditioned quadratic
# ---------------------------------
#
# All methods start at :math:`(-5, -2)` on :math:`f(\mathbf{x}) = 0.1 x_1^2 +
# 2 x_2^2` and take :math:`N = 50` steps with the exact gradient. Several methods
# keep bouncing around the optimum with a constant learning rate
# (:doc:`08_rmsprop`), so a single final distance can be lucky; we score a run by
# its *largest* distance :math:`\|\mathbf{x}_t - \mathbf{x}^*\|` over the last 10
# steps, and give each method the learning rate from the grid
# :math:`\{0.01, 0.03, 0.1, 0.3, 1, 3\}` with the best score. Here the objective
# is the quantity we care about, so choosing on it is legitimate: there is no
# held-out data to fool.


def quadratic_path(make_optimizer, lr, num_steps=50):
    x = torch.tensor([-5.0, -2.0], dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([x], lr)
    points = [x.detach().clone()]
    for _ in range(num_steps):
        optimizer.zero_grad()
        f_2d(x).backward()
        optimizer.step()
        points.append(x.detach().clone())
    return torch.stack(points)


def score(path):
    d = path[-10:].norm(dim=1).max().item()
    return d if d == d else float("inf")  # a NaN (diverged) run scores inf


quad_grid = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
quad = {}
for name, make in methods.items():
    paths = {lr: quadratic_path(make, lr) for lr in quad_grid}
    best_lr = min(quad_grid, key=lambda lr: score(paths[lr]))
    quad[name] = (best_lr, paths[best_lr])
print(f"{'method':10}{'best lr':>9}{'worst distance, last 10 steps':>32}")
for name, (lr, path) in quad.items():
    print(f"{name:10}{lr:9g}{score(path):32.3g}")

fig, axes = plt.subplots(2, 4, figsize=(14, 5.6), sharex=True, sharey=True)
for ax, (name, (lr, path)) in zip(axes.flat, quad.items()):
    show_trace_2d(f_2d, path, ax=ax, title=f"{name}, lr {lr:g}")
    ax.set_xlim(-5.5, 5.5)
    ax.set_ylim(-3.3, 3.3)
    ax.label_outer()
axes.flat[-1].set_visible(False)
fig.tight_layout()
plt.show()

sgd_score = score(quad["SGD"][1])
ratio = {name: score(path) / sgd_score for name, (_, path) in quad.items()}
print("distance relative to SGD: "
      + ", ".join(f"{name} {r:.3g}" for name, r in ratio.items()))
for name in ["AdaGrad", "RMSProp"]:
    handson.check(f"distance after 50 steps, {name} / SGD (each with its best lr)",
                  ratio[name], "<", 0.01, quick=True)
for name in ["momentum", "Adam", "Yogi"]:
    handson.check(f"distance after 50 steps, {name} / SGD (each with its best lr)",
                  ratio[name], ">", 0.3, quick=True)

# %%
# The table and the checks give a mixed picture, which is the honest one.
# AdaGrad and RMSProp end many orders of magnitude closer than gradient descent
# with its best rate: on this problem the steep and the flat direction are the
# coordinate axes, so per-coordinate scaling is exactly the preconditioning the
# problem needs (:doc:`07_adagrad`). Momentum with the usual
# :math:`\beta = 0.9`, Adam and Yogi, each with its best rate from the grid,
# end at a distance of the same order as gradient descent's (within the checked
# factor): with :math:`\beta = 0.9` the iterates spiral in at a rate of about
# :math:`\sqrt{0.9}` per step (:doc:`06_momentum`), and Adam's constant rate
# keeps it bouncing. Adadelta has hardly moved in 50 steps: its steps start at a
# size set by :math:`\epsilon` (:doc:`09_adadelta`). AdaGrad and Adadelta chose
# the largest rate of the grid, so a wider grid might help them further. With
# another budget the picture changes (exercise 1 asks for 100 steps), and exact
# gradients on a two-dimensional quadratic are a friendly setting; the next
# problem has noisy minibatch gradients.
#
# (b) Linear regression on the airfoil data, with minibatches
# -----------------------------------------------------------
#
# D2L compares its optimisers on the NASA airfoil self-noise data: five features
# of a wind-tunnel test (frequency, angle of attack, chord length, free-stream
# velocity, suction-side displacement thickness) and the sound pressure level, the
# target. As D2L does, we standardise every column and fit a linear model with the
# loss :math:`\frac12 (\hat y - y)^2`, with minibatches of 10. Unlike D2L, we
# split the rows at random into 1,000 for training, 250 for validation and 253
# for testing, and standardise with the training rows' statistics.

data = torch.tensor(load_airfoil().to_numpy(), dtype=torch.float32)
split_gen = torch.Generator().manual_seed(int(torch.randint(2**31, ())))
perm = torch.randperm(len(data), generator=split_gen)
idx_train, idx_val, idx_test = perm[:1000], perm[1000:1250], perm[1250:]
mean, std = data[idx_train].mean(0), data[idx_train].std(0)
data = (data - mean) / std
X, y = data[:, :-1], data[:, -1:]
print(f"{len(data)} rows: train {len(idx_train)}, validation {len(idx_val)}, "
      f"test {len(idx_test)}; {X.shape[1]} features")

# %%
# Every run takes the same 300 steps (3 epochs of 100 minibatches; 2 epochs in
# quick mode), on the same minibatches in the same order: we draw the batch
# indices once from a shared generator and replay them for every method and
# learning rate. Every run starts from the same initial weights. A linear model
# with squared loss has a closed-form optimum, the least-squares fit, so we also
# know the best training loss any optimiser could reach and how close each came.

batch_size, num_epochs = 10, handson.epochs(3)
batch_gen = torch.Generator().manual_seed(int(torch.randint(2**31, ())))
order = torch.cat([torch.randperm(len(idx_train), generator=batch_gen)
                   for _ in range(num_epochs)])
batches = [idx_train[order[i:i + batch_size]]
           for i in range(0, len(order), batch_size)]
init = nn.Linear(5, 1)
nn.init.normal_(init.weight, std=0.01)
nn.init.zeros_(init.bias)


def half_mse(net, idx):
    return ((net(X[idx]) - y[idx]) ** 2).mean() / 2


A = torch.cat([X[idx_train], torch.ones(len(idx_train), 1)], dim=1).double()
w_ls = torch.linalg.lstsq(A, y[idx_train].double()).solution
ls_net = nn.Linear(5, 1)
with torch.no_grad():
    ls_net.weight.copy_(w_ls[:5].T)
    ls_net.bias.copy_(w_ls[5])
    best_train, start_val = half_mse(ls_net, idx_train).item(), half_mse(init, idx_val)
print(f"least-squares optimum: training loss {best_train:.4f}; "
      f"validation loss at the start: {start_val.item():.4f}")


def train_run(make_optimizer, lr, record_every=10):
    net = nn.Linear(5, 1)
    net.load_state_dict(init.state_dict())
    optimizer = make_optimizer(net.parameters(), lr)
    curve = []
    for step, idx in enumerate(batches):
        if step % record_every == 0:
            with torch.no_grad():
                curve.append(half_mse(net, idx_train).item())
        loss = half_mse(net, idx)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        curve.append(half_mse(net, idx_train).item())
        val, test = half_mse(net, idx_val).item(), half_mse(net, idx_test).item()
    return curve, (val if val == val else float("inf")), test


# %%
# The grid is the same for every method, :math:`\{0.003, 0.01, \dots, 1\}` in
# factors of about 3; it contains the usual defaults of AdaGrad, RMSProp and
# Adadelta, while Adam's default 0.001 lies just below it. The
# learning rate with the lowest *validation* loss wins; only then do we look at
# the test loss of that one run. Choosing by test loss would make the test
# number optimistic: with six rates to pick from, the best of six noisy
# measurements is biased downwards. (A best rate at either edge of the grid
# means that the method's best rate may lie outside it: check the chosen rates
# in the table below; any method that sits at 0.003 or at 1 was limited by the
# grid, not tuned.)

lr_grid = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
timer = handson.Timer()
timer.start()
results = {}
for name, make in methods.items():
    runs = {lr: train_run(make, lr) for lr in lr_grid}
    best_lr = min(lr_grid, key=lambda lr: runs[lr][1])
    results[name] = (best_lr, *runs[best_lr])
print(f"{len(methods) * len(lr_grid)} training runs in {timer.stop():.1f} s")
print(f"{'method':10}{'chosen lr':>10}{'train loss':>12}{'val loss':>10}"
      f"{'test loss':>11}")
for name, (lr, curve, val, test) in results.items():
    print(f"{name:10}{lr:10g}{curve[-1]:12.4f}{val:10.4f}{test:11.4f}")

fig, ax = plt.subplots(figsize=(7, 3.8))
steps = list(range(0, len(batches), 10)) + [len(batches)]
for name, (lr, curve, _, _) in results.items():
    ax.plot(steps, curve, label=f"{name} (lr {lr:g})")
ax.axhline(best_train, color="black", linestyle=":", label="least-squares optimum")
ax.set_xlabel("step")
ax.set_ylabel("training loss (full training set)")
ax.set_ylim(best_train - 0.02, start_val.item() + 0.05)
ax.legend(fontsize=8, ncol=2)
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

gap = {name: (curve[-1] - best_train) / (curve[0] - best_train)
       for name, (_, curve, _, _) in results.items()}
print("remaining fraction of the initial gap to the optimum: "
      + ", ".join(f"{name} {g:.3f}" for name, g in gap.items()))
handson.check("largest remaining fraction of the gap to the least-squares loss",
              max(gap.values()), "<", 0.2, quick=True)
vals = [val for _, _, val, _ in results.values()]
handson.check("spread of the tuned methods' validation losses (max - min)",
              max(vals) - min(vals), "<", 0.1, quick=True)
chosen = [lr for lr, _, _, _ in results.values()]
handson.check("largest / smallest chosen learning rate", max(chosen) / min(chosen),
              ">=", 10)

# %%
# Every tuned method closes most of the gap between the starting loss and the
# least-squares optimum within 300 steps (the first check: what remains is at
# most a fifth of the initial gap, and the printed fractions are mostly far
# smaller), and the validation and test losses of the tuned methods sit close
# together (the second check bounds the spread of the validation losses; the
# test losses are printed). On this small, well-scaled,
# convex problem, once each method has its tuned rate, the choice of method
# matters little. Whether the small differences left in the table mean anything
# would take several splits and batch orders to tell (exercise 2).
# The chosen rates differ by a factor of ten and more between methods
# (checked): a learning rate is only meaningful together with its method, and
# copying one from another optimiser is a common mistake.
#
# .. note::
#
#    **What this comparison does not show.** Two problems, one seed, 300 steps,
#    one grid. Which optimiser trains a large network best depends on the
#    network, the data, the schedule (:doc:`11_learning_rate_scheduling`) and the
#    tuning budget, and published comparisons disagree. Adam and SGD with
#    momentum are the usual defaults; try both, each with a tuned rate, on your
#    own validation data.
#
# Summary
# -------
#
# * A fair comparison fixes the problem, the start, the minibatches and the
#   number of steps, and tunes each method's learning rate on the same grid.
# * Choose on validation data; report the test loss of the chosen runs only.
# * On the axis-aligned ill-conditioned quadratic, AdaGrad and RMSProp end far
#   closer to the optimum than gradient descent with its best rate; momentum
#   with :math:`\beta = 0.9`, Adam and Yogi end at a similar distance.
# * On the airfoil regression, all tuned methods close most of the gap to the
#   least-squares optimum and end close together; their tuned rates differ by
#   factors of ten and more.

# %%
# Exercises
# ---------
#
# 1. Rerun part (a) with 100 steps instead of 50, and then with the quadratic
#    rotated by 45 degrees (and doubled), :math:`f(\mathbf{x}) = 0.1 (x_1 +
#    x_2)^2 + 2 (x_1 - x_2)^2`. Which methods keep their advantage?
#
#    .. dropdown:: Hint
#
#       With more steps, gradient descent's slow contraction along :math:`x_1`
#       has time to work, and methods that bounce with a constant rate stop
#       improving. AdaGrad, RMSProp, Adam and Yogi scale coordinates: when the
#       steep direction is diagonal, both coordinates see large gradients and
#       get similar scales. Momentum does not depend on the axes.
#
# 2. Rerun part (b) with ``HANDSON_SEED_OFFSET=1`` and ``2`` (a different split
#    and batch order). Does the order of the methods in the table stay the same?
#
#    .. dropdown:: Hint
#
#       Compare the differences between methods with the changes from one seed
#       to the next. If they are of the same size, the table does not rank the
#       methods.
#
# 3. Make the grid coarser (factors of 10 only). Which methods suffer most?
#
#    .. dropdown:: Answer
#
#       Those whose good rates form a narrow band: plain SGD and momentum, whose
#       step grows with the gradient's scale, diverge just above their best rate.
#       The scaled methods (AdaGrad, RMSProp, Adam) take steps of about the
#       learning rate whatever the gradient, so they degrade more gracefully.
#
# 4. **Programming task.** Replace the linear model by a small MLP
#    (``nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 1))``), keep
#    everything else, and rerun part (b). Add a third column to the table with
#    the number of grid rates for which each method ends below the starting
#    validation loss, a rough measure of how forgiving it is.
#
#    .. dropdown:: Hint
#
#       ``init`` must then be an MLP created once (its ``state_dict`` is copied
#       into every run). In ``train_run`` return all validation losses, not only
#       the best, and count ``val < start_val``. There is no closed-form optimum
#       any more, so drop the gap check.
