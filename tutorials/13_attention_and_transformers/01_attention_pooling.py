r"""
Queries, keys and values: attention pooling by similarity
=========================================================

A recurrent network squeezes everything it has read into one state of fixed size.
*Attention* keeps all of it, as a table of *keys* and *values*, and answers a
*query* with a weighted average of the values, the weights saying how well each key
matches the query. This page builds that idea from a database lookup, then meets
its oldest working instance, Nadaraya-Watson kernel regression (1964), on D2L's
synthetic data: four kernels, kernels of different widths and what the width does
to the attention weights, and finally a width *learned* by gradient descent, where
the obvious loss collapses the width to zero and a leave-one-out loss does not.
Every estimate is scored on held-out points against the constant baseline.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * queries, keys and values; attention pooling as a soft database lookup,
        with lookup and averaging as its two extremes
      * Nadaraya-Watson regression as attention pooling, with the Gaussian,
        boxcar, constant and Epanechnikov kernels, and the Gaussian kernel as a
        softmax of scores
      * attention weights drawn as heatmaps, and their sharpness measured by the
        entropy of each row
      * learning the kernel width by gradient descent, why the training loss
        drives it to zero, and how leave-one-out (a masked softmax) fixes it

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * the softmax:
        :doc:`../04_linear_classification/02_softmax_regression_scratch`; entropy:
        :doc:`../04_linear_classification/04_binary_classification_and_information`
      * autograd: :doc:`../02_preliminaries/05_autograd`; Adam:
        :doc:`../10_optimization/10_adam`
      * why a recurrent state is a bottleneck:
        :doc:`../12_modern_recurrent_networks/05_seq2seq`
      * data: D2L's synthetic regression problem, 40 noisy samples of
        :math:`2 \sin x + x`, generated on the page
"""

# sphinx_gallery_thumbnail_number = 4

import matplotlib.pyplot as plt
import torch

import handson
from handson.attention import show_heatmaps

handson.seed(0)

# %%
# A database lookup, made soft
# ----------------------------
#
# A database is a set of (key, value) pairs. D2L's example keeps last names as keys
# and first names as values; an exact query returns the value of the matching key,
# or nothing.

database = {"Zhang": "Aston", "Lipton": "Zachary", "Li": "Mu", "Smola": "Alex",
            "Hu": "Rachel", "Werness": "Brent"}
print("query 'Li' ->", database.get("Li"), "| query 'Lee' ->", database.get("Lee"))

# %%
# Attention replaces the exact match by a graded one. With a database
# :math:`\mathcal{D} = \{(\mathbf{k}_1, \mathbf{v}_1), \dots, (\mathbf{k}_m,
# \mathbf{v}_m)\}` and a query :math:`\mathbf{q}`, *attention pooling* returns
#
# .. math::
#
#    \textrm{Attention}(\mathbf{q}, \mathcal{D}) = \sum_{i=1}^m
#    \alpha(\mathbf{q}, \mathbf{k}_i)\, \mathbf{v}_i ,
#
# a combination of *all* values, weighted by the *attention weights*
# :math:`\alpha(\mathbf{q}, \mathbf{k}_i)`. The usual choice makes the weights
# non-negative and sum to one, a softmax of a *scoring function*
# :math:`a(\mathbf{q}, \mathbf{k})` that is large when query and key match:
#
# .. math::
#
#    \alpha(\mathbf{q}, \mathbf{k}_i) = \frac{\exp a(\mathbf{q}, \mathbf{k}_i)}
#    {\sum_{j=1}^m \exp a(\mathbf{q}, \mathbf{k}_j)} .
#
# Then the output is a convex combination of the values. Two special cases are old
# friends: weight 1 on one key and 0 elsewhere is the exact lookup; equal weights
# :math:`1/m` are plain averaging (average pooling). Everything in between is a
# *soft* lookup. Here keys are numbers (say, positions where something was
# measured), values are what was measured there, and the score is minus the
# squared distance:

keys = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
values = torch.tensor([10.0, 20.0, 30.0, 40.0, 50.0])
query = torch.tensor(2.2)


def attention_pool(weights, values):
    """The weighted sum of the values: one output per row of weights."""
    return weights @ values


one_hot = torch.nn.functional.one_hot((query - keys).abs().argmin(), len(keys))
uniform = torch.full((len(keys),), 1 / len(keys))
soft = torch.softmax(-(query - keys) ** 2, dim=0)
for name, weights in [("hard lookup", one_hot.float()), ("average", uniform),
                      ("softmax of -(q-k)^2", soft)]:
    print(f"{name:20s} weights {weights.numpy().round(3)} -> "
          f"{attention_pool(weights, values):.2f}")
assert attention_pool(one_hot.float(), values) == values[1]   # the nearest key's value
torch.testing.assert_close(attention_pool(uniform, values), values.mean())

# %%
# The soft lookup answers between the nearest value and its neighbour, closer to
# the nearest. Nothing in the formula depends on the number of pairs: the same
# query works on a database of five pairs or of five million, and nothing has to be
# compressed. Where queries, keys and values come from is the subject of the rest
# of the chapter; the oldest answer is a regression problem.
#
# Nadaraya-Watson regression is attention pooling
# -----------------------------------------------
#
# Given observations :math:`(x_i, y_i)`, Nadaraya (1964) and Watson (1964)
# estimate :math:`f` at a new point :math:`x` by averaging the :math:`y_i`,
# weighted by a *kernel* :math:`\kappa` that is large when :math:`x_i` is close to
# :math:`x`:
#
# .. math::
#
#    \hat f(x) = \sum_{i=1}^n y_i \,
#    \frac{\kappa(x - x_i)}{\sum_{j=1}^n \kappa(x - x_j)} .
#
# This is attention pooling with the new point as the query, the training inputs as
# keys and the training labels as values. D2L's kernels, all of width 1:
#
# .. math::
#
#    \kappa(u) = \exp\!\left(-\tfrac{u^2}{2}\right) \ \textrm{(Gaussian)},\quad
#    \mathbf{1}[|u| < 1] \ \textrm{(boxcar)},\quad
#    1 \ \textrm{(constant)},\quad
#    \max(0, 1 - |u|) \ \textrm{(Epanechnikov)}.
#
# The Gaussian one *is* the softmax form above, with the score
# :math:`a(q, k) = -(q - k)^2 / 2`, since :math:`\exp` of the score is the kernel.
# The constant kernel ignores the query and returns the mean of all labels: the
# baseline every other kernel must beat.


def gaussian(u):
    return torch.exp(-u**2 / 2)


def boxcar(u):
    return (u.abs() < 1).float()


def constant(u):
    return torch.ones_like(u)


def epanechnikov(u):
    return (1 - u.abs()).clamp(min=0)


kernels = {"Gaussian": gaussian, "Boxcar": boxcar, "Constant": constant,
           "Epanechnikov": epanechnikov}

# %%
# D2L's data: 40 inputs drawn uniformly from :math:`[0, 5]`, labels
# :math:`y = 2\sin x + x + \epsilon` with standard normal noise :math:`\epsilon`.
# We score every estimate on 50 *held-out* points, the grid :math:`0, 0.1, \dots,
# 4.9` D2L draws its curves on, against the noise-free :math:`f`: the mean squared
# distance between the estimate and the function it estimates.


def f(x):
    return 2 * torch.sin(x) + x


def make_data(n=40, generator=None):
    x, _ = torch.sort(torch.rand(n, generator=generator) * 5)
    return x, f(x) + torch.randn(n, generator=generator)


x_train, y_train = make_data()
x_val = torch.arange(0, 5, 0.1)
y_val = f(x_val)


def nadaraya_watson(x_train, y_train, x_query, kernel):
    """Estimates at x_query and the attention weights (queries x keys)."""
    k = kernel(x_query[:, None] - x_train[None, :])  # one row per query
    assert bool((k.sum(dim=1) > 0).all()), "a query with no key inside the kernel"
    weights = k / k.sum(dim=1, keepdim=True)
    return weights @ y_train, weights


def held_out_mse(y_hat):
    return float(((y_hat - y_val) ** 2).mean())


# The Gaussian kernel's weights are a softmax of the scores -(q - k)^2 / 2.
_, w_gauss = nadaraya_watson(x_train, y_train, x_val, gaussian)
scores = -(x_val[:, None] - x_train[None, :]) ** 2 / 2
torch.testing.assert_close(w_gauss, torch.softmax(scores, dim=1))

fig, axes = plt.subplots(2, 4, figsize=(12, 5), sharey="row")
u = torch.arange(-2.5, 2.5, 0.01)
mse = {}
for (name, kernel), ax_k, ax in zip(kernels.items(), axes[0], axes[1]):
    ax_k.plot(u, kernel(u))
    ax_k.set_title(f"{name} kernel")
    y_hat, weights = nadaraya_watson(x_train, y_train, x_val, kernel)
    mse[name] = held_out_mse(y_hat)
    ax.plot(x_train, y_train, "o", alpha=0.4, label="training data")
    ax.plot(x_val, y_val, "m--", label="f")
    ax.plot(x_val, y_hat, label="estimate")
    ax.set_xlabel("x")
    ax.set_title(f"held-out MSE {mse[name]:.2f}")
axes[1, 0].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
# The three kernels that look at the query follow the curve; the constant one draws
# a flat line at the mean label. Their held-out errors against that baseline:

for name, error in mse.items():
    print(f"{name:13s} held-out MSE {error:.3f}  ({error / mse['Constant']:.2f} of "
          f"the constant kernel's)")
for name in ("Gaussian", "Boxcar", "Epanechnikov"):
    handson.check(f"held-out MSE of the {name} kernel / constant kernel's",
                  mse[name] / mse["Constant"], "<", 0.95, quick=True)

# %%
# The threshold leaves room: with only 40 noisy points, a different draw of the
# data moves these ratios a lot (the last section measures how much over 20 draws,
# for the Gaussian kernel among others). D2L calls the three estimates "very
# similar"; their held-out errors above are not alike, and the reason shows in
# their attention weights.
#
# Attention weights as a heatmap
# ------------------------------
#
# Each row of ``weights`` belongs to one query (a held-out point) and holds its
# weights over the 40 keys (training points, sorted by :math:`x`). Drawn as an
# image, with colour for weight, a matrix of attention weights shows at a glance
# which keys each query reads. ``handson.attention.show_heatmaps`` draws a grid of
# such images: it takes a tensor of shape ``(rows, columns, queries, keys)``, draws
# each matrix with ``plt.imshow`` on one colour scale from 0 to the largest weight,
# labels the axes and adds one colour bar. We use it through the chapter.

all_weights = torch.stack([nadaraya_watson(x_train, y_train, x_val, kernel)[1]
                           for kernel in kernels.values()])
show_heatmaps(all_weights[None], xlabel="key (training point)",
              ylabel="query (held-out point)", titles=list(kernels),
              figsize=(12, 3.2))
plt.show()

# %%
# The Gaussian, boxcar and Epanechnikov weights are all bands along the diagonal:
# each query reads the keys near it (both are sorted by :math:`x`), hence
# estimates of the same shape. The bands differ in width, though: the Gaussian's
# tails reach well past distance 1 (it is the :math:`\sigma = 1` kernel of the
# next section, whose effective number of keys is printed there), the boxcar
# stops at distance 1, and the Epanechnikov's weights also end there but fall off
# towards the edge: the narrowest band. A wider band averages over more of the
# curve and flattens its bumps, which is why the Gaussian, the widest, has the
# largest held-out error of the three. The constant kernel spreads :math:`1/40`
# evenly over every key.
#
# Sharp and flat weights
# ----------------------
#
# The width of the kernel sets how many neighbours a query averages. D2L gives the
# Gaussian a width :math:`\sigma`,
#
# .. math::
#
#    \kappa_\sigma(u) = \exp\!\left(-\frac{u^2}{2\sigma^2}\right),
#    \qquad a(q, k) = -\frac{(q - k)^2}{2 \sigma^2},
#
# and tries :math:`\sigma \in \{0.1, 0.2, 0.5, 1\}`. To put a number on
# "sharp", we use the entropy of each row of weights,
# :math:`H = -\sum_i \alpha_i \log \alpha_i`: it is 0 when one key takes all the
# weight and :math:`\log m` when :math:`m` keys share it equally, so
# :math:`e^{H}` is an *effective number of keys* the query averages.


def row_entropy(weights):
    """Entropy of each row of attention weights (0 log 0 counts as 0)."""
    return -torch.special.xlogy(weights, weights).sum(dim=-1)


# For the boxcar, the weights are uniform over the keys inside the window, so the
# effective number of keys is exactly how many lie within distance 1.
_, w_box = nadaraya_watson(x_train, y_train, x_val, boxcar)
inside = ((x_val[:, None] - x_train[None, :]).abs() < 1).sum(dim=1).float()
torch.testing.assert_close(row_entropy(w_box).exp(), inside)

sigmas = (0.1, 0.2, 0.5, 1.0)
width_weights, width_mse, width_entropy = [], [], []
fig, axes = plt.subplots(1, 4, figsize=(12, 3), sharey=True)
for sigma, ax in zip(sigmas, axes):
    y_hat, weights = nadaraya_watson(x_train, y_train, x_val,
                                     lambda u, s=sigma: torch.exp(-u**2 / (2 * s**2)))
    width_weights.append(weights)
    width_mse.append(held_out_mse(y_hat))
    width_entropy.append(float(row_entropy(weights).mean()))
    ax.plot(x_train, y_train, "o", alpha=0.4)
    ax.plot(x_val, y_val, "m--")
    ax.plot(x_val, y_hat)
    ax.set_title(f"sigma = {sigma}: MSE {width_mse[-1]:.2f}")
    ax.set_xlabel("x")
fig.tight_layout()
plt.show()

# %%
# The narrowest kernel follows the noise; the widest smooths the bumps away. The
# weights and their entropies:

show_heatmaps(torch.stack(width_weights)[None], xlabel="key (training point)",
              ylabel="query (held-out point)",
              titles=[f"sigma = {s}" for s in sigmas], figsize=(12, 3.2))
plt.show()
for sigma, h, error in zip(sigmas, width_entropy, width_mse):
    print(f"sigma {sigma:3}: mean row entropy {h:.2f} nats = "
          f"{torch.tensor(h).exp():5.1f} effective keys; held-out MSE {error:.3f}")
handson.check("entropy increase from sigma 0.1 to 1 (smallest step, nats)",
              min(b - a for a, b in zip(width_entropy, width_entropy[1:])), ">", 0.2,
              quick=True)
handson.check("best held-out MSE of sigma 0.2, 0.5 / best of sigma 0.1, 1",
              min(width_mse[1:3]) / min(width_mse[0], width_mse[3]), "<", 1.0,
              quick=True)

# %%
# Every step up in width raises the entropy: wider kernels spread the weight over
# more keys. Neither extreme wins: at :math:`\sigma = 0.1` a query averages only a
# few noisy labels (high variance), at :math:`\sigma = 1` it averages over a
# stretch where :math:`f` bends (bias). D2L stops here and notes that picking the
# same width everywhere might not be ideal; its exercise 2 asks to *learn* the
# width with gradient descent. We do that next.
#
# Learning the width
# ------------------
#
# Make the width a parameter, :math:`\sigma = e^{w}` (so it stays positive), and
# minimise the squared error of the estimates at the training points,
# :math:`L(w) = \frac1n \sum_i (\hat f(x_i) - y_i)^2`, with Adam. In softmax form
# the estimate is ``softmax(scores) @ y`` with ``scores`` :math:`= -(x_i -
# x_j)^2 / 2\sigma^2`; the softmax subtracts the largest score before
# exponentiating, so it stays finite even for a tiny :math:`\sigma`, where
# ``k / k.sum()`` would divide zero by zero.
#
# There is a trap, which D2L's exercise hints at: :math:`y_i` is one of the values
# pooled to predict :math:`y_i`. As :math:`\sigma \to 0` the query :math:`x_i`
# puts all its weight on its own key, :math:`\hat f(x_i) \to y_i` and the loss goes
# to zero, a perfect score for memorising the noise. The cure is to predict each
# training point from the *others*: *leave-one-out*. Key :math:`i` gets score
# :math:`-\infty` for query :math:`i`, hence weight exactly zero: a *mask* on the
# softmax, the tool :doc:`02_scoring_functions` builds in general.
#
# ``fit_width`` handles a batch of data sets at once, inputs of shape ``(R, n)``
# and one width per data set; Adam updates each width by its own gradient (it
# works elementwise), so this is :math:`R` independent fits run together.


def pooled(x_query, x_keys, y_keys, sigma, leave_one_out=False):
    """Gaussian attention pooling for a batch of data sets: (R, q), (R, n) -> (R, q)."""
    scores = -(x_query[:, :, None] - x_keys[:, None, :]) ** 2 \
        / (2 * sigma[:, None, None] ** 2)
    if leave_one_out:  # query i must not see key i
        eye = torch.eye(x_keys.shape[1], dtype=torch.bool)
        scores = scores.masked_fill(eye, float("-inf"))
    return torch.bmm(torch.softmax(scores, dim=-1), y_keys[:, :, None])[..., 0]


def fit_width(x, y, leave_one_out, num_steps=100, lr=0.1):
    """Learn log sigma by Adam from sigma = 1; returns the widths and their path."""
    log_sigma = torch.zeros(x.shape[0], requires_grad=True)
    optimizer = torch.optim.Adam([log_sigma], lr=lr)
    path = []
    for _ in range(num_steps):
        y_hat = pooled(x, x, y, log_sigma.exp(), leave_one_out)
        loss = ((y_hat - y) ** 2).mean(dim=1).sum()  # sum over data sets
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        path.append(log_sigma.detach().exp())
    return log_sigma.detach().exp(), torch.stack(path)


sigma_naive, path_naive = fit_width(x_train[None], y_train[None], leave_one_out=False)
sigma_loo, path_loo = fit_width(x_train[None], y_train[None], leave_one_out=True)


def held_out_at(sigma):
    with torch.no_grad():
        return held_out_mse(pooled(x_val[None], x_train[None], y_train[None],
                                   sigma.reshape(1))[0])


print(f"width learned on the training loss: {float(sigma_naive):.4f}, held-out MSE "
      f"{held_out_at(sigma_naive):.3f}")
print(f"width learned leave-one-out:        {float(sigma_loo):.4f}, held-out MSE "
      f"{held_out_at(sigma_loo):.3f}")
print(f"constant kernel:                                  held-out MSE "
      f"{mse['Constant']:.3f}")

# %%
# To see why, evaluate both losses and the held-out error over a grid of widths,
# and mark where gradient descent stopped:

grid = torch.logspace(-3, 0.5, 71)
with torch.no_grad():
    R = len(grid)
    x_rep, y_rep = x_train.expand(R, -1), y_train.expand(R, -1)
    train_loss = ((pooled(x_rep, x_rep, y_rep, grid) - y_rep) ** 2).mean(dim=1)
    loo_loss = ((pooled(x_rep, x_rep, y_rep, grid, True) - y_rep) ** 2).mean(dim=1)
    held_out = ((pooled(x_val.expand(R, -1), x_rep, y_rep, grid) - y_val) ** 2
                ).mean(dim=1)

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].plot(grid, train_loss, label="training loss (own label included)")
axes[0].plot(grid, loo_loss, label="leave-one-out loss")
axes[0].plot(grid, held_out, "k--", label="held-out MSE (vs. f)")
for sigma, style in [(sigma_naive, "C0o"), (sigma_loo, "C1o")]:
    axes[0].plot(float(sigma), held_out_at(sigma), style, ms=8)
axes[0].axhline(mse["Constant"], color="gray", lw=0.8, label="constant kernel")
axes[0].set_xscale("log")
axes[0].set_xlim(float(grid[0]), float(grid[-1]))
axes[0].set_xlabel("kernel width sigma")
axes[0].set_ylabel("mean squared error")
axes[0].legend(fontsize=8)
axes[0].set_title("Dots: learned widths, at their held-out error")
axes[1].plot(path_naive[:, 0], label="training loss")
axes[1].plot(path_loo[:, 0], label="leave-one-out loss")
axes[1].set_yscale("log")
axes[1].set_xlabel("Adam step")
axes[1].set_ylabel("sigma")
axes[1].legend(fontsize=8)
axes[1].set_title("The width during training")
fig.tight_layout()
plt.show()

# %%
# The training loss falls all the way to zero as :math:`\sigma` shrinks, so
# gradient descent follows it down, and the held-out error at that width is that of
# a nearest-neighbour rule, which copies the noise. The leave-one-out loss has a
# minimum near the held-out one: it is an honest estimate of the error on new
# points, computed from the training data alone. A learned width of this kind is
# the simplest *trained* attention: one parameter that decides how sharp the
# weights are.
#
# One draw of 40 points is a small sample, so we repeat the whole fit on 20 fresh
# data sets (same :math:`f`, new inputs and noise) and compare, per data set, the
# held-out errors of both learned widths with the constant kernel and with D2L's
# fixed :math:`\sigma = 1`; "best fixed width" is the best :math:`\sigma` on the
# grid above, chosen *by looking at the held-out error*, which no method may do:
# a lower bound.

num_sets = handson.shrink(20, 8)
generator = torch.Generator().manual_seed(1000 + handson.reproducibility.seed_offset())
x_sets, y_sets = map(torch.stack, zip(*[make_data(generator=generator)
                                        for _ in range(num_sets)]))
widths = {"training loss": fit_width(x_sets, y_sets, False)[0],
          "leave-one-out": fit_width(x_sets, y_sets, True)[0],
          "fixed sigma = 1": torch.ones(num_sets)}
with torch.no_grad():
    x_queries = x_val.expand(num_sets, -1)
    errors = {name: ((pooled(x_queries, x_sets, y_sets, s) - y_val) ** 2).mean(dim=1)
              for name, s in widths.items()}
    errors["constant"] = ((y_sets.mean(dim=1, keepdim=True) - y_val) ** 2).mean(dim=1)
    errors["best fixed width"] = torch.stack(
        [((pooled(x_queries, x_sets, y_sets, g.expand(num_sets)) - y_val) ** 2
          ).mean(dim=1) for g in grid]).min(dim=0).values
ratio = {name: e / errors["constant"] for name, e in errors.items()}
print(f"over {num_sets} data sets: median learned width "
      f"{widths['training loss'].median():.4f} (training loss), "
      f"{widths['leave-one-out'].median():.3f} (leave-one-out)")
for name, r in ratio.items():
    print(f"{name:17s} held-out MSE / constant kernel's: median {r.median():.2f}, "
          f"range {r.min():.2f} to {r.max():.2f}")
loo_wins = (errors["leave-one-out"] < errors["fixed sigma = 1"]).float().mean()
print(f"leave-one-out beats sigma = 1 on {loo_wins:.0%} of the data sets")

# %%
# The checks, on medians over the data sets so that one unlucky draw cannot decide
# them: the training loss drives the width far below the leave-one-out one, and its
# held-out error stays near the constant kernel's (a nearest-neighbour rule copies
# the noise), while the leave-one-out width is far better than both.

handson.check("median width, training loss / leave-one-out",
              float(widths["training loss"].median()
                    / widths["leave-one-out"].median()),
              "<", 0.1, quick=True)
handson.check("median held-out MSE / constant's, width from training loss",
              float(ratio["training loss"].median()), ">", 0.7, quick=True)
handson.check("median held-out MSE / constant's, leave-one-out width",
              float(ratio["leave-one-out"].median()), "<", 0.45, quick=True)

# %%
# Leave-one-out does not find the best width every time (the range above shows its
# worst data sets): with 40 noisy points its loss curve is itself noisy, and a fixed
# :math:`\sigma = 1` happens to be a reasonable guess for this :math:`f`. What it
# buys is a width chosen from the training data alone, without the collapse. Later
# pages learn much more than one width: the queries and keys themselves.
#
# Summary
# -------
#
# * Attention pooling answers a query with :math:`\sum_i \alpha(\mathbf{q},
#   \mathbf{k}_i) \mathbf{v}_i`, weights from a softmax of scores; one-hot weights
#   are a database lookup, equal weights an average.
# * Nadaraya-Watson regression is attention pooling with inputs as keys and labels
#   as values; the Gaussian kernel is a softmax of :math:`-(q - k)^2 / 2\sigma^2`.
#   On D2L's data the Gaussian, boxcar and Epanechnikov kernels all beat the
#   constant kernel (the mean label) on held-out points by a checked margin.
# * The kernel width sets the sharpness of the weights: the mean entropy of the
#   rows grows with :math:`\sigma`, and the held-out error is worst at both ends.
# * Learning the width on the training loss collapses it to zero (each point
#   predicts itself); leave-one-out, a mask on the softmax, learns a useful
#   width, checked on medians over 20 data sets.

# %%
# Exercises
# ---------
#
# 1. (D2L) Parzen windows estimate a density by :math:`\hat p(x) = \frac1n \sum_i
#    \kappa(x - x_i)`. Show that classifying a point by the sign of
#    :math:`\hat p(x, y{=}1) - \hat p(x, y{=}-1)` gives the same decisions as
#    Nadaraya-Watson regression on labels :math:`\pm 1`.
#
#    .. dropdown:: Answer
#
#       :math:`\hat p(x, y{=}\pm 1) = \frac1n \sum_{i: y_i = \pm 1} \kappa(x -
#       x_i)`, so their difference is :math:`\frac1n \sum_i y_i \kappa(x - x_i)`.
#       Nadaraya-Watson divides the same sum by :math:`\sum_j \kappa(x - x_j) > 0`,
#       which does not change the sign.
#
# 2. Without leave-one-out, what does :math:`\hat f(x_i)` tend to as
#    :math:`\sigma \to 0`, and what does the training loss tend to? What if two
#    training points had the same input?
#
#    .. dropdown:: Answer
#
#       Key :math:`i` has score 0 and every other key a score that goes to
#       :math:`-\infty`, so the softmax puts weight 1 on key :math:`i`:
#       :math:`\hat f(x_i) \to y_i` and the loss goes to 0. Two points at the same
#       input share the weight equally: both are predicted by the mean of their
#       labels, so the loss tends to :math:`(y_i - y_j)^2 / 2n` instead of 0. That
#       raises the floor of the loss; it does not stop the other points from
#       rewarding a tiny width.
#
# 3. (D2L) Suppose every input lies on the unit sphere, :math:`\|\mathbf{x}\| = 1`.
#    Simplify the Gaussian score :math:`-\|\mathbf{q} - \mathbf{k}\|^2 /
#    2\sigma^2`.
#
#    .. dropdown:: Answer
#
#       :math:`\|\mathbf{q} - \mathbf{k}\|^2 = 2 - 2\, \mathbf{q}^\top \mathbf{k}`,
#       so the score is :math:`\mathbf{q}^\top \mathbf{k} / \sigma^2 - 1/\sigma^2`,
#       and the constant drops out of the softmax: the weights are a softmax of the
#       *dot product*, scaled. That is the scoring function of
#       :doc:`02_scoring_functions`.
#
# 4. With :math:`n` points on an interval, the estimate at a point averages about
#    :math:`n\sigma` labels (its variance shrinks like :math:`1/(n\sigma)`) over a
#    stretch where a smooth :math:`f` bends (its bias grows like
#    :math:`\sigma^2`). How fast should :math:`\sigma` shrink as :math:`n` grows?
#
#    .. dropdown:: Hint
#
#       Minimise :math:`\sigma^4 + c/(n\sigma)` over :math:`\sigma`: the best width
#       falls like :math:`n^{-1/5}`, much more slowly than the spacing
#       :math:`1/n` between points. In :math:`d` dimensions a ball of radius
#       :math:`\sigma` holds about :math:`n\sigma^d` points; redo the calculation.
#
# 5. Programming: give each *training point* its own width, :math:`\kappa(q - k_i)
#    = \exp(-(q - k_i)^2 / 2\sigma_i^2)` with 40 learned :math:`\sigma_i`, trained
#    leave-one-out as above. Over the same 20 data sets, is its median held-out
#    error below that of the single learned width?
#
#    .. dropdown:: Hint
#
#       ``log_sigma`` becomes shape ``(R, n)`` and the scores divide by
#       ``2 * sigma[:, None, :] ** 2`` (one width per key). With 40 widths and 40
#       points, watch for overfitting the leave-one-out loss itself; compare the
#       medians, not one data set.
