"""
Linear regression on California housing
=======================================

What is a house worth? Given a few numbers about a Californian district (where it
lies, how old its houses are, how many people live there and what they earn), we
predict the district's median house value with the simplest model there is: a
weighted sum of the features plus a constant. The model is easy; this page is about
the workflow around it, which every later model reuses: look at the data, split it,
preprocess it without peeking at the held-out examples, train with :term:`minibatch`
stochastic gradient descent (SGD), and report an error that means something in
dollars. The data set is *California housing*, built from the 1990 US census by Pace
and Barry (1997), in the copy from Aurélien Géron's *handson-ml2* repository, which
keeps missing values and a categorical column in so that we have to deal with them.
The page runs in under a minute on a 2-core CPU.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * Split data into :term:`training <training set>`,
        :term:`validation <validation set>` and :term:`test sets <test set>`, and fit
        all preprocessing on the training split only (no data leakage)
      * Fill missing values, one-hot encode a category, standardise features
      * Write linear regression and minibatch SGD from scratch with autograd
      * Write the same with ``nn.Linear``, ``nn.MSELoss`` and ``torch.optim.SGD``
      * Check SGD against the closed-form least-squares solution and a trivial
        baseline, and report the mean absolute error in dollars

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../01_getting_started/01_fit_a_line` (tensors, autograd,
        ``torch.device``)
      * Reading a table with pandas
"""

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from matplotlib.ticker import MaxNLocator
from torch import nn

import handson
from handson.data import load_california_housing

handson.seed(0)
device = handson.device()
print(f"training on {device}")

# %%
# The idea
# --------
#
# We have :math:`n` examples (districts). Example :math:`i` is described by a
# vector of :math:`d` features :math:`\mathbf{x}^{(i)} \in \mathbb{R}^d` and has a
# label :math:`y^{(i)}`, its median house value. Linear regression predicts
#
# .. math::
#
#    \hat{y}^{(i)} = \mathbf{w}^\top \mathbf{x}^{(i)} + b,
#
# with a weight vector :math:`\mathbf{w} \in \mathbb{R}^d` and a bias :math:`b`.
# Stacking the examples as the rows of a design matrix
# :math:`\mathbf{X} \in \mathbb{R}^{n \times d}` gives all predictions at once:
# :math:`\hat{\mathbf{y}} = \mathbf{X}\mathbf{w} + b`.
#
# We train on the **mean squared error** (MSE)
#
# .. math::
#
#    L(\mathbf{w}, b) = \frac{1}{n} \sum_{i=1}^{n}
#    \left(\hat{y}^{(i)} - y^{(i)}\right)^2 .
#
# **Minibatch SGD** repeatedly draws a minibatch :math:`\mathcal{B}` of examples and
# takes a step of size :math:`\eta` (the learning rate) against the gradient of the
# loss on that minibatch only:
#
# .. math::
#
#    (\mathbf{w}, b) \leftarrow (\mathbf{w}, b) - \frac{\eta}{|\mathcal{B}|}
#    \sum_{i \in \mathcal{B}} \partial_{(\mathbf{w}, b)}
#    \left(\hat{y}^{(i)} - y^{(i)}\right)^2 .
#
# Because :math:`L` is a quadratic function of the parameters, it also has a
# **closed-form** minimiser. Append a column of ones to :math:`\mathbf{X}`, so that
# :math:`\tilde{\mathbf{X}} = [\mathbf{X}, \mathbf{1}]` and
# :math:`\boldsymbol{\theta} = (\mathbf{w}, b)`; setting the gradient to zero gives
# the *normal equations*
#
# .. math::
#
#    \tilde{\mathbf{X}}^\top \tilde{\mathbf{X}} \, \boldsymbol{\theta}
#    = \tilde{\mathbf{X}}^\top \mathbf{y} .
#
# We will solve them too, as a yardstick for SGD.
#
# Finally, we **report** the mean absolute error (MAE)
#
# .. math::
#
#    \mathrm{MAE} = \frac{1}{n} \sum_{i=1}^{n} \left|\hat{y}^{(i)} - y^{(i)}\right| .
#
# Why train on one error and report another? MSE is smooth, its gradient shrinks as
# the error shrinks (so SGD settles down), and it gives the closed form above. But a
# squared dollar means nothing to a reader, and a few large misses dominate it. MAE
# is in dollars and answers the question a user asks: "by how much is the estimate
# off, on average?"
#
# .. dropdown:: A little history
#
#    Least squares was published by Adrien-Marie Legendre in 1805 and by Carl
#    Friedrich Gauss in 1809, who used it to predict the orbits of celestial bodies
#    from noisy observations and justified it by assuming Gaussian noise. The word
#    *regression* comes later, from Francis Galton's studies of heredity in the
#    1880s, where the children of unusually tall parents "regressed" towards the
#    average height. A linear model trained by gradient descent is also the
#    simplest neural network: one layer, no activation.

# %%
# The data
# --------
#
# :func:`handson.data.load_california_housing` returns the table as published, one
# row per census block group ("district"). Prices are in dollars and
# ``median_income`` is in tens of thousands of dollars.

df = load_california_housing()
print(f"{df.shape[0]} districts, {df.shape[1]} columns")
df.head()

# %%
# Summary statistics of the numeric columns:

df.describe().T

# %%
# Two things need attention before any model sees the table. Some values of
# ``total_bedrooms`` are missing, and ``ocean_proximity`` is a category, not a
# number:

print("missing values per column:")
print(df.isna().sum())
print()
print(df["ocean_proximity"].value_counts())

# %%
# .. note::
#
#    Look at the maximum of ``median_house_value`` in the summary above: the census
#    data were **capped**, so every district worth more than the cap is recorded at
#    the cap. The model cannot know this; expect it to be off for the most
#    expensive districts. The count below tells how many districts sit there.

cap = df["median_house_value"].max()
print(f"districts at the cap of ${cap:,.0f}: "
      f"{(df['median_house_value'] == cap).sum()}")

# %%
# Split and preprocess
# --------------------
#
# We split the districts at random into three parts: 60% for **training** (fitting
# :math:`\mathbf{w}, b`), 20% for **validation** (choosing things such as the
# learning rate or the number of epochs, and comparing models), and 20% for
# **test**, looked at once at the very end to estimate the error on new districts.
# The permutation has its own seeded generator, so the split stays the same even if
# cells above draw random numbers.

n = len(df)
perm = torch.randperm(n, generator=torch.Generator().manual_seed(42)).numpy()
n_train, n_val = int(0.6 * n), int(0.2 * n)
train_df = df.iloc[perm[:n_train]]
val_df = df.iloc[perm[n_train : n_train + n_val]]
test_df = df.iloc[perm[n_train + n_val :]]
print(f"train {len(train_df)}, validation {len(val_df)}, test {len(test_df)}")

# %%
# Preprocessing turns the table into a matrix of numbers. Three steps:
#
# 1. **Fill** the missing ``total_bedrooms`` with the median of the training split.
# 2. **One-hot encode** ``ocean_proximity``: one 0/1 column per category. We drop
#    the first category, which becomes the reference level (see the dropdown).
# 3. **Standardise** each numeric column, :math:`x \leftarrow (x - \mu) / \sigma`,
#    with the mean :math:`\mu` and standard deviation :math:`\sigma` of the
#    training split. The 0/1 columns are left as they are.
#
# The label is expressed in units of $100,000 so that the numbers are readable.
#
# .. warning::
#
#    :term:`Data leakage <data leakage>`. Every statistic that preprocessing uses
#    (the median that fills the gaps, the list of categories, the means and standard
#    deviations) is
#    *fitted on the training split only*, then *applied* unchanged to all three
#    splits. Fitting it on the whole table lets the validation and test examples
#    influence training, and their error then no longer measures how the model does
#    on districts it has never seen. Here the damage would be small, but the habit
#    matters: leakage through the labels or through time order can make a useless
#    model look excellent.

numeric = [c for c in df.columns if c not in ("ocean_proximity", "median_house_value")]
fill_value = train_df["total_bedrooms"].median()
categories = sorted(train_df["ocean_proximity"].unique())
train_numbers = train_df[numeric].fillna({"total_bedrooms": fill_value})
mean, std = train_numbers.mean(), train_numbers.std()
feature_names = numeric + [f"ocean_proximity={c}" for c in categories[1:]]
print("reference category:", categories[0])


def preprocess(frame):
    """Turn a raw table into tensors ``X, y``, with statistics fitted on train_df."""
    numbers = frame[numeric].fillna({"total_bedrooms": fill_value})
    numbers = (numbers - mean) / std
    category = pd.Categorical(frame["ocean_proximity"], categories=categories)
    one_hot = pd.get_dummies(category, dtype="float32").iloc[:, 1:]
    X = np.concatenate([numbers.to_numpy("float32"), one_hot.to_numpy()], axis=1)
    y = frame["median_house_value"].to_numpy("float32").reshape(-1, 1) / 100_000
    return torch.tensor(X, device=device), torch.tensor(y, device=device)


X_train, y_train = preprocess(train_df)
X_val, y_val = preprocess(val_df)
X_test, y_test = preprocess(test_df)
print("X_train:", tuple(X_train.shape), " y_train:", tuple(y_train.shape))

# %%
# A few checks that hold whatever the settings: the shapes, no missing values
# left, and the mark of a scaler fitted on the training split alone: the
# standardised training columns have mean 0 and standard deviation 1 (up to
# rounding), while the validation columns only come close.

d, num_numeric = len(feature_names), len(numeric)
assert X_train.shape == (n_train, d) and y_train.shape == (n_train, 1)
assert X_val.shape == (n_val, d) and X_test.shape == (n - n_train - n_val, d)
for t in (X_train, y_train, X_val, y_val, X_test, y_test):
    assert not t.isnan().any(), "preprocessing left a NaN"
train_numeric = X_train[:, :num_numeric]
zeros = torch.zeros(num_numeric, device=device)
torch.testing.assert_close(train_numeric.mean(0), zeros, atol=1e-4, rtol=0)
torch.testing.assert_close(train_numeric.std(0), zeros + 1, atol=1e-4, rtol=0)
print("largest |column mean|, train:      "
      f"{train_numeric.mean(0).abs().max():.1e}")
print("largest |column mean|, validation: "
      f"{X_val[:, :num_numeric].mean(0).abs().max():.1e}")

# %%
# .. dropdown:: Why standardise?
#
#    The gradient with respect to :math:`w_j` is proportional to feature
#    :math:`j`. Raw ``total_rooms`` runs into the thousands while ``median_income``
#    is a single-digit number, so one learning rate would be far too large for the
#    first weight and far too small for the second. After standardisation all
#    features have the same scale, the loss surface is much rounder, and one
#    :math:`\eta` suits every weight. The weights also get a common unit (price
#    per standard deviation of the feature), which does not yet make each of them
#    readable on its own (see below). The closed-form solution does not need
#    standardisation, but it does not mind it either.
#
# .. dropdown:: Why drop one category?
#
#    Each district belongs to exactly one category, so the full set of one-hot
#    columns always sums to 1, which is exactly the column of ones that carries the
#    bias :math:`b`. With all of them, :math:`\tilde{\mathbf{X}}` has linearly
#    dependent columns (the "dummy-variable trap") and the normal equations have
#    infinitely many solutions. SGD would not care, but a least-squares solver
#    that assumes full rank (as ``torch.linalg.lstsq`` does on a GPU) would. Without
#    the first column, the reference category is absorbed into :math:`b`, and each
#    remaining weight measures the difference from that reference.

# %%
# From scratch
# ------------
#
# The model :math:`\hat{\mathbf{y}} = \mathbf{X}\mathbf{w} + b` and the MSE loss,
# written as plain tensor operations:


def linreg(X, w, b):
    """The linear regression model."""
    return X @ w + b


def mse(y_hat, y):
    """Mean squared error."""
    return ((y_hat - y) ** 2).mean()


# %%
# The minibatch iterator shuffles the example indices once per :term:`epoch` and walks
# through them ``batch_size`` at a time; indexing a tensor with a tensor of indices
# gathers the rows. (The permutation is drawn on the CPU, so the shuffles are the
# same on every device.) The last minibatch may be smaller, which is fine since
# the loss is a mean.


def data_iter(batch_size, X, y):
    """Yield shuffled minibatches ``(X[batch], y[batch])`` covering X once."""
    num_examples = len(X)
    indices = torch.randperm(num_examples).to(X.device)
    for i in range(0, num_examples, batch_size):
        batch = indices[i : i + batch_size]
        yield X[batch], y[batch]


# %%
# The parameters are tensors that require gradients. Starting from zeros is fine
# here because the loss is convex: there is a single minimum to find from anywhere.
# (Deep networks will need random initial values.)

w = torch.zeros(d, 1, device=device, requires_grad=True)
b = torch.zeros(1, device=device, requires_grad=True)

# %%
# Training: for each minibatch, compute the loss, let autograd fill ``w.grad`` and
# ``b.grad``, and apply the SGD update. After each epoch (one pass over the training
# split) we record the MSE on the training and validation splits.
#
# .. note::
#
#    ``handson.epochs(20)`` is simply 20; it only shrinks, to 2, in the smoke tests
#    (``HANDSON_QUICK=1``), where the results are then reported rather than checked.
#
# .. warning::
#
#    Two classic mistakes. Updating the parameters outside ``torch.no_grad()``
#    makes autograd try to record the update itself (PyTorch refuses the in-place
#    change of a leaf tensor that requires grad). And forgetting
#    ``param.grad.zero_()`` makes the gradients of successive minibatches *add up*,
#    since ``backward`` accumulates into ``.grad``.

lr, num_epochs, batch_size = 0.01, handson.epochs(20), 64


def evaluate(predict, X, y):
    """MSE of the predictions ``predict(X)`` against ``y``, without autograd."""
    with torch.no_grad():
        return mse(predict(X), y).item()


def scratch_net(X):
    """The from-scratch model with the current parameters."""
    return linreg(X, w, b)


handson.seed(1)  # the concise version below reuses these shuffles
history_scratch = {"train": [], "val": []}
for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, X_train, y_train):
        l = mse(linreg(X, w, b), y)
        l.backward()
        with torch.no_grad():
            for param in (w, b):
                param -= lr * param.grad
                param.grad.zero_()
    history_scratch["train"].append(evaluate(scratch_net, X_train, y_train))
    history_scratch["val"].append(evaluate(scratch_net, X_val, y_val))
    if (epoch + 1) % 5 == 0 or epoch + 1 == num_epochs:
        print(f"epoch {epoch + 1:2d}: train MSE {history_scratch['train'][-1]:.4f}, "
              f"validation MSE {history_scratch['val'][-1]:.4f}")

# %%
# Concise
# -------
#
# The same model with PyTorch's building blocks: ``nn.Linear`` holds
# :math:`\mathbf{w}` (as ``weight``, of shape :math:`1 \times d`) and :math:`b`,
# ``nn.MSELoss`` is the mean squared error, and ``torch.optim.SGD`` performs the
# update and the zeroing of gradients. We start from the same zeros and replay the
# same shuffles, so both versions should follow the same path.

net = nn.Linear(d, 1).to(device)
nn.init.zeros_(net.weight)
nn.init.zeros_(net.bias)
loss = nn.MSELoss()
trainer = torch.optim.SGD(net.parameters(), lr=lr)

handson.seed(1)
history_concise = {"train": [], "val": []}
for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, X_train, y_train):
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    history_concise["train"].append(evaluate(net, X_train, y_train))
    history_concise["val"].append(evaluate(net, X_val, y_val))

print(f"validation MSE after {num_epochs} epochs: "
      f"from scratch {history_scratch['val'][-1]:.6f}, "
      f"concise {history_concise['val'][-1]:.6f}")
with torch.no_grad():
    print(f"largest weight difference: {(net.weight.T - w).abs().max():.1e}")

# %%
# The two loss curves agree up to floating-point rounding, epoch by epoch, whatever
# the settings; only the order of a few floating-point operations differs:

torch.testing.assert_close(
    torch.tensor(history_concise["val"]), torch.tensor(history_scratch["val"]),
    rtol=1e-3, atol=1e-5,
)

# %%
# Closed form
# -----------
#
# ``torch.linalg.lstsq`` solves the least-squares problem
# :math:`\min_{\boldsymbol{\theta}} \|\tilde{\mathbf{X}}\boldsymbol{\theta} -
# \mathbf{y}\|^2` directly, from an orthogonal (QR-type) factorisation of
# :math:`\tilde{\mathbf{X}}`, without ever forming
# :math:`\tilde{\mathbf{X}}^\top \tilde{\mathbf{X}}`. The last entry of
# :math:`\boldsymbol{\theta}` is the bias (math indexes from 1, so it is
# :math:`\theta_{d+1}`; in code it is ``theta[d]``, or ``theta[-1]``).

X_tilde = torch.cat([X_train, torch.ones(n_train, 1, device=device)], dim=1)
theta = torch.linalg.lstsq(X_tilde, y_train).solution
w_lstsq, b_lstsq = theta[:-1], theta[-1]

print(f"{'feature':34s} {'SGD':>8s} {'lstsq':>8s}")
weights = zip(feature_names, net.weight[0].tolist(), w_lstsq[:, 0].tolist())
for name, w_sgd, w_ls in weights:
    print(f"{name:34s} {w_sgd:8.3f} {w_ls:8.3f}")
print(f"{'bias':34s} {net.bias.item():8.3f} {b_lstsq.item():8.3f}")
with torch.no_grad():
    worst = (net.weight[0] - w_lstsq[:, 0]).abs().argmax().item()
print("weights differ most for:", feature_names[worst])
print("training districts in each category:",
      train_df["ocean_proximity"].value_counts().to_dict())

# %%
# SGD and least squares agree on most weights, but not all. The largest
# disagreement is for the rarest category, ``ISLAND``: its 0/1 column is zero in
# almost every minibatch, so its weight receives a gradient only in the few steps
# that happen to contain such a district, and SGD has barely moved it from zero.
# Least squares uses every district in one go, however rare its category.
#
# This is the *smallest-curvature direction* of exercise 2. Gradient descent on a
# quadratic moves along each eigenvector of the Hessian
# :math:`\mathbf{H} = \frac{2}{n}\tilde{\mathbf{X}}^\top\tilde{\mathbf{X}}`
# separately: with eigenvalue :math:`\lambda`, each step removes a fraction
# :math:`\eta\lambda` of the distance still to go, so after :math:`T` steps it has
# covered :math:`1 - (1 - \eta\lambda)^T` of the way. A column that is nonzero for
# 4 of the training districts gives a tiny :math:`\lambda`. The cell below finds
# the flattest eigenvector, names the column it lies along, and compares that
# fraction with the ratio of the two ``ISLAND`` weights (minibatch SGD follows
# gradient descent on average, so the two should be of the same size).

hessian = 2 / n_train * X_tilde.T @ X_tilde
eigenvalues, eigenvectors = torch.linalg.eigh(hessian)  # ascending order
flattest = eigenvectors[:, 0]
names = feature_names + ["bias"]
island = names.index("ocean_proximity=ISLAND")
print(f"curvature: smallest {eigenvalues[0]:.2e}, largest {eigenvalues[-1]:.2f}")
print(f"flattest direction lies along {names[flattest.abs().argmax()]} "
      f"({flattest[island] ** 2:.5f} of its squared length)")
num_steps = num_epochs * -(-n_train // batch_size)  # minibatches, rounded up
covered = 1 - (1 - lr * eigenvalues[0]) ** num_steps
island_ratio = net.weight[0, island].item() / w_lstsq[island, 0].item()
print(f"after {num_steps} steps, gradient descent covers {covered:.3f} of the way "
      f"along it; SGD's ISLAND weight is {island_ratio:.3f} of least squares'")
handson.check("share of the flattest direction on the ISLAND column",
              flattest[island] ** 2, ">=", 0.99, quick=True)
handson.check("SGD's ISLAND weight as a fraction of the least-squares one",
              island_ratio, "<", 0.1, quick=True)

# %%
# It hardly matters for the error (almost no district is affected), but it is a
# frank reminder that SGD learns slowly what it sees rarely.
#
# Reading the other weights one by one is risky too. The four count columns
# (rooms, bedrooms, people and households of a district) all grow with the size
# of the district, so they are strongly correlated with each other (printed
# below). The fit can then shift weight between them, a positive weight on one
# column offsetting a negative weight on a near copy, and only their combination
# is pinned down. ``total_rooms`` goes with *higher* prices on its own (positive
# correlation with the label) yet gets a *negative* weight: the weight is not
# "the effect of rooms", it is a correction given the three other counts.

counts = ["total_rooms", "total_bedrooms", "population", "households"]
print(train_numbers[counts].corr().round(2))
price_corr = np.corrcoef(train_numbers["total_rooms"],
                         train_df["median_house_value"])[0, 1]
print(f"total_rooms: correlation with the price {price_corr:+.3f}, "
      f"least-squares weight {w_lstsq[numeric.index('total_rooms'), 0]:+.3f}")

# %%
# What matters most is the predictions, compared below.
#
# .. dropdown:: Why not always use the closed form?
#
#    For this problem you could, and you should: it is exact and fast. But it
#    costs :math:`O(nd^2)` time and needs all the data in memory at once; with
#    millions of examples or features that stops being an option, and solving the
#    normal equations by inverting :math:`\tilde{\mathbf{X}}^\top\tilde{\mathbf{X}}`
#    also squares the condition number, losing precision. Above all, the closed form
#    exists only for a linear model with squared loss. Minibatch SGD needs nothing
#    but gradients on small batches, so it carries over unchanged to every network
#    in this course. Here the closed form tells us how close SGD gets.

# %%
# Results
# -------
#
# The trivial **baseline** ignores the features and predicts the mean price of the
# training districts for everyone. A model that does not beat it learned nothing.
# We compute the MAE (converted back to dollars) on validation and test for the
# baseline, both SGD versions and least squares.


def mae(y_hat, y):
    """Mean absolute error, in the units of y."""
    return (y_hat - y).abs().mean().item()


def dollars(value):
    """Format an amount given in units of $100,000 as whole dollars."""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value) * 100_000:,.0f}"


predictors = {
    "baseline (train mean)": lambda X: y_train.mean().expand(len(X), 1),
    "SGD from scratch": scratch_net,
    "SGD concise": net,
    "least squares": lambda X: linreg(X, w_lstsq, b_lstsq),
}
val_mae, test_mae = {}, {}
print(f"{'model':24s} {'validation MAE':>15s} {'test MAE':>10s}")
with torch.no_grad():
    for name, predict in predictors.items():
        val_mae[name] = mae(predict(X_val), y_val)
        test_mae[name] = mae(predict(X_test), y_test)
        print(f"{name:24s} {dollars(val_mae[name]):>15s} "
              f"{dollars(test_mae[name]):>10s}")

baseline_mae = test_mae["baseline (train mean)"]
test_mae_sgd, test_mae_lstsq = test_mae["SGD concise"], test_mae["least squares"]
gap = test_mae_sgd - test_mae_lstsq
print(f"\ntest MAE, SGD minus least squares: {dollars(gap)}")

# %%
# The two SGD versions land on the same error, and both are within a small gap of
# the exact least-squares fit, a fraction of the improvement over the baseline.
# (Validation and test errors differ a little simply because they are different
# random samples of districts.) These claims are checked:

handson.check("SGD's test MAE as a fraction of the mean baseline's",
              test_mae_sgd / baseline_mae, "<", 0.6, quick=True)
handson.check("|test MAE of SGD - test MAE of least squares| in dollars",
              abs(gap) * 100_000, "<", 1_000)

# %%
# One more fact holds at any setting: least squares minimises the *training* MSE
# exactly, so no SGD run can beat it there (up to rounding). On the test split it
# can, by luck, and sometimes does.

train_mse_lstsq = evaluate(lambda X: linreg(X, w_lstsq, b_lstsq), X_train, y_train)
train_mse_sgd = evaluate(net, X_train, y_train)
print(f"training MSE: least squares {train_mse_lstsq:.5f}, SGD {train_mse_sgd:.5f}")
assert train_mse_lstsq <= train_mse_sgd + 1e-4

# %%
# The loss curves: SGD reaches the least-squares level within a few epochs, after
# which it jitters around it, because a constant learning rate keeps taking
# noisy steps. Training and validation losses stay close: a linear model with a
# dozen weights is far too simple to overfit thousands of examples.

epochs = np.arange(1, num_epochs + 1)
val_mse_lstsq = evaluate(lambda X: linreg(X, w_lstsq, b_lstsq), X_val, y_val)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(epochs, history_scratch["train"], "o-", label="train, from scratch")
ax.plot(epochs, history_scratch["val"], "s-", label="validation, from scratch")
ax.plot(epochs, history_concise["val"], "k:", label="validation, concise")
ax.axhline(val_mse_lstsq, color="gray", ls="--", label="validation, least squares")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_xlabel("epoch")
ax.set_ylabel("MSE (in units of ($100,000)²)")
ax.set_title("Minibatch SGD on California housing")
ax.legend()
fig.tight_layout()

# %%
# Predicted against true values on the test split. Points on the diagonal are
# perfect predictions. The vertical stripe on the right is the cap on the
# label: those districts are worth more than recorded, and the model cannot
# tell. A straight line also misses the curvature of the cloud, and nothing stops
# it from predicting a negative price (the count is printed below): linear
# regression is a baseline, not the end of the story.

with torch.no_grad():
    y_hat_test = net(X_test).cpu().numpy().ravel()
y_true_test = y_test.cpu().numpy().ravel()
print(f"negative predicted prices on test: {(y_hat_test < 0).sum()}")
fig, ax = plt.subplots(figsize=(5, 5))
ax.scatter(y_true_test, y_hat_test, s=4, alpha=0.3, label="test district")
lims = [min(y_true_test.min(), y_hat_test.min()),
        max(y_true_test.max(), y_hat_test.max())]
ax.plot(lims, lims, "k--", label="perfect prediction")
ax.set_xlabel("true median house value ($100,000)")
ax.set_ylabel("predicted value ($100,000)")
ax.set_title(f"SGD on the test split: MAE {dollars(test_mae_sgd)}")
ax.set_aspect("equal")
ax.legend(loc="upper left")
fig.tight_layout()

# %%
# Summary
# -------
#
# * Split first (train / validation / test), then fit every preprocessing statistic
#   on the training split only and apply it to all splits; anything else leaks.
# * Real tables need work before a model sees them: fill missing values, one-hot
#   encode categories (dropping one when there is a bias), standardise numbers.
# * Linear regression from scratch is a matrix product, a mean of squares, autograd
#   and an update under ``torch.no_grad()``; ``nn.Linear``, ``nn.MSELoss`` and
#   ``torch.optim.SGD`` do the same thing, step for step.
# * Minibatch SGD gets within a whisker of the exact least-squares solution, and
#   unlike the closed form it will carry over to every network in this course.
# * Train on a loss that is easy to optimise (MSE); report an error people
#   understand (MAE in dollars), next to a trivial baseline.

# %%
# Exercises
# ---------
#
# 1. **Leakage, measured.** Fit the fill value, means and standard deviations on the
#    *whole* table instead of the training split and recompute the test MAE of the
#    least-squares fit. How much does it change? Why can leakage be far worse in
#    other problems?
#
#    .. dropdown:: Answer
#
#       Hardly at all: with thousands of training districts, the statistics of the
#       training split and of the whole table are almost the same, and they do not
#       involve the label. Leakage becomes severe when the leaked information is
#       about the label (selecting features by their correlation with the price on
#       all data, filling a column with per-group averages of the price), or when
#       future data leak into the past in a time series. The rule costs nothing,
#       so follow it always.
#
# 2. **The learning rate.** Rerun the scratch version with ``lr`` equal to 0.001,
#    0.1 and 0.5. What do the loss curves do? (The checks at the end of the page
#    will rightly fail.)
#
#    .. dropdown:: Hint and answer
#
#       With 0.001 the curves are still falling after 20 epochs: too slow. With 0.1
#       the loss jumps around, above the least-squares level. With 0.5 it
#       diverges to ``inf`` and ``nan``. For full-batch gradient descent on a
#       quadratic, steps are stable only when :math:`\eta < 2/\lambda_{\max}`,
#       where :math:`\lambda_{\max}` is the largest eigenvalue of the Hessian
#       :math:`\frac{2}{n}\tilde{\mathbf{X}}^\top\tilde{\mathbf{X}}`; compute it
#       with ``torch.linalg.eigvalsh``. The correlated count features make it
#       large. Minibatch noise makes the safe range smaller still. The other end
#       of the spectrum is the ``ISLAND`` column seen above: its eigenvalue is so
#       small that no stable learning rate gets that weight far in 20 epochs.
#
# 3. **Train on what you report.** Replace ``nn.MSELoss`` by ``nn.L1Loss`` (the
#    MAE) in the concise version. Does the test MAE go down? Why does the
#    closed-form comparison no longer apply?
#
#    .. dropdown:: Answer
#
#       It goes down a little: the model now minimises the quantity we report,
#       and the absolute error gives the capped, expensive districts less pull
#       than the squared error. But the L1 loss has no closed-form minimiser
#       (its optimum is a median-like fit, found by linear programming or by
#       iterative methods), and its gradient does not shrink near the optimum,
#       so SGD with a constant learning rate keeps jittering; a decaying
#       learning rate helps.
#
# 4. **The cap.** In the scatter plot, what does the model predict for the
#    districts at the cap? Would you drop them from the training split, the test
#    split, or neither?
#
#    .. dropdown:: Answer
#
#       A wide range of values, mostly below the cap, for districts that are
#       worth at least the cap: they are underestimated. Training also treats the
#       capped labels as true prices, which drags the fit down at the top end.
#       Dropping capped districts from *training* stops the cap from bending the
#       fit; dropping them from the *test* split only makes the reported error
#       look better, for districts the system will still meet. Whatever you
#       choose, say so next to the reported number.
#
# 5. **Programming task: better features.** Add three ratio features to the table
#    before splitting: ``rooms_per_household`` (``total_rooms / households``),
#    ``bedrooms_per_room`` and ``population_per_household``. Extend the list of
#    numeric columns, preprocess again, refit with ``torch.linalg.lstsq`` and
#    compare the *validation* MAE with the current one. Only if it helps there,
#    report the test MAE.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          df2 = df.assign(
#              rooms_per_household=df["total_rooms"] / df["households"],
#              bedrooms_per_room=df["total_bedrooms"] / df["total_rooms"],
#              population_per_household=df["population"] / df["households"],
#          )
#          train2 = df2.iloc[perm[:n_train]]
#          val2 = df2.iloc[perm[n_train : n_train + n_val]]
#          numeric2 = numeric + ["rooms_per_household", "bedrooms_per_room",
#                                "population_per_household"]
#          # bedrooms_per_room inherits the missing values of total_bedrooms
#          fill2 = train2[numeric2].median()
#          mean2 = train2[numeric2].fillna(fill2).mean()
#          std2 = train2[numeric2].fillna(fill2).std()
#
#          def preprocess2(frame):
#              numbers = (frame[numeric2].fillna(fill2) - mean2) / std2
#              category = pd.Categorical(frame["ocean_proximity"],
#                                        categories=categories)
#              one_hot = pd.get_dummies(category, dtype="float32").iloc[:, 1:]
#              X = np.concatenate([numbers.to_numpy("float32"), one_hot.to_numpy()], 1)
#              y = frame["median_house_value"].to_numpy("float32").reshape(-1, 1) / 1e5
#              return torch.tensor(X, device=device), torch.tensor(y, device=device)
#
#          X2, y2 = preprocess2(train2)
#          X2_val, y2_val = preprocess2(val2)
#          ones = torch.ones(len(X2), 1, device=device)
#          theta2 = torch.linalg.lstsq(torch.cat([X2, ones], 1), y2).solution
#          val_mae2 = mae(X2_val @ theta2[:-1] + theta2[-1], y2_val)
#          print(f"validation MAE: {dollars(val_mae2)} "
#                f"(was {dollars(val_mae['least squares'])})")
#
#       The validation MAE drops somewhat: the ratios say more about a typical
#       home than the raw counts of a whole district do. Feature engineering
#       matters for a linear model, which cannot form such ratios itself.
