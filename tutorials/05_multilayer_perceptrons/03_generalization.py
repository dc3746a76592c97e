"""
Generalisation: under- and overfitting, model selection, weight decay, dropout
==============================================================================

A model is useful only if it does well on examples it has never seen. The training
loss cannot tell us that: a model flexible enough can drive it to zero by
memorising the training set, noise included, and then fail on new data. This page
makes both failures happen on purpose, with polynomials fitted to a known cubic:
one too simple to fit even the training data (*underfitting*), one so flexible that
it fits the noise of its ten training examples (*overfitting*). Then it shows the
tools that the rest of the course uses against them: a validation set to choose a
model, weight decay to keep the weights small (and its cousin, the L1 penalty, to
set some of them to zero), dropout to keep a network's hidden units from relying
on each other, and early stopping. Each tool is written from scratch, then with
``torch.nn`` and ``torch.optim`` where they have it, and checked against the
from-scratch version.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * training error versus generalisation error, and what under- and
        overfitting look like, in exact least-squares fits and in loss curves
      * choose a model's complexity with a validation set (and what K-fold
        cross-validation adds)
      * weight decay: the :math:`\\tfrac{\\lambda}{2}\\lVert\\mathbf{w}\\rVert^2`
        penalty from scratch, and ``weight_decay`` in ``torch.optim.SGD``; how an
        L1 penalty differs
      * dropout from scratch (``dropout_layer``) and with ``nn.Dropout``, and why
        ``net.train()`` and ``net.eval()`` matter
      * measure the generalisation gap of an MLP with and without dropout, and
        stop its training early on a validation set

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`02_mlp_fashion_mnist` (an MLP with ``nn.Sequential`` and
        ``handson.train``)
      * :doc:`../03_linear_regression/01_california_housing` (training,
        validation and test sets; minibatch SGD)
      * data: synthetic (a cubic with noise; a 200-feature linear model; a
        sparse 50-feature linear model), and 4,000 Fashion-MNIST training images
        (2,000 to train, 2,000 to validate) with the 10,000 test images
"""

# sphinx_gallery_thumbnail_number = 1

import copy
import math

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson.data import load_fashion_mnist

handson.seed(0)

# %%
# The idea
# --------
#
# We train on :math:`n` examples :math:`(\mathbf{x}^{(i)}, y^{(i)})` drawn from some
# distribution :math:`P`, and we minimise the **training error**, the average loss
# on them:
#
# .. math::
#
#    L_\text{train}(f) = \frac{1}{n} \sum_{i=1}^{n}
#    \ell\left(f(\mathbf{x}^{(i)}), y^{(i)}\right).
#
# What we care about is the **generalisation error**, the expected loss on a fresh
# example from the same distribution,
#
# .. math::
#
#    L_\text{gen}(f) = \mathbb{E}_{(\mathbf{x}, y) \sim P}
#    \left[\ell\left(f(\mathbf{x}), y\right)\right].
#
# We can never compute it, but a :term:`test set` that training never touched gives
# an unbiased estimate. The difference :math:`L_\text{gen} - L_\text{train}` is the
# *generalisation gap*. Two things can go wrong:
#
# * :term:`underfitting`: the model cannot represent the pattern, so the training
#   error itself stays high (and the test error with it);
# * :term:`overfitting`: the training error is low, the test error much higher.
#   The model has fitted the noise of its particular training examples.
#
# Which one we get depends on the model's *complexity* (its number of parameters,
# the size its weights may take) relative to the *amount of data*. A flexible
# model on few examples overfits; the same model on many examples may not.
#
# Polynomial regression: a lab for both failures
# ----------------------------------------------
#
# Following the older edition of D2L (r0.17; the current 1.0 edition describes
# polynomial fitting in words only), the data come from a cubic with Gaussian noise,
#
# .. math::
#
#    y = 5 + 1.2 x - 3.4 \frac{x^2}{2!} + 5.6 \frac{x^3}{3!} + \epsilon,
#    \qquad x \sim \mathcal{N}(0, 1), \quad \epsilon \sim \mathcal{N}(0, 0.1^2),
#
# and a polynomial of degree :math:`k` is a linear model on the :math:`k + 1`
# features :math:`x^j / j!` for :math:`j = 0, \dots, k`:
#
# .. math::
#
#    \hat{y} = \sum_{j=0}^{k} w_j \frac{x^j}{j!}.
#
# The feature :math:`x^0 / 0! = 1` plays the part of the bias. Dividing by
# :math:`j!` keeps the high powers small: :math:`x^{20}` alone can exceed
# :math:`10^8` for :math:`|x| = 3`, and gradients that large would wreck training.
#
# The noise sets a floor. Even the true cubic misses each label by
# :math:`\epsilon`, so no model can have an expected squared error below
# :math:`\operatorname{Var}[\epsilon] = 0.1^2 = 0.01`. We know this number because we
# wrote the generator; it is the floor used below. (On a finite test set the true
# cubic's error scatters around it: the cell prints its value on our 100 test
# examples.) A model whose test error sits near the floor generalises as well as
# anything can.
#
# We draw one set of :math:`x` values and compute all features up to degree 20
# (``max_degree``); a polynomial of degree :math:`k` uses the first :math:`k + 1`
# columns. The examples are split into 100 for training, 100 for validation (used
# in the section on model selection) and 100 for testing.

max_degree = 20
n_train, n_val, n_test = 100, 100, 100
noise_std = 0.1
noise_floor = noise_std ** 2  # Var[epsilon]: the expected loss of the true cubic
true_w = torch.zeros(max_degree + 1)
true_w[:4] = torch.tensor([5.0, 1.2, -3.4, 5.6])

x = torch.randn(n_train + n_val + n_test, 1)
factorials = torch.tensor([math.factorial(j) for j in range(max_degree + 1)],
                          dtype=torch.float32)
poly_features = x ** torch.arange(max_degree + 1) / factorials  # x^j / j!
noise = noise_std * torch.randn(len(x))
labels = (poly_features @ true_w + noise).reshape(-1, 1)

X_train, X_val, X_test = poly_features.split([n_train, n_val, n_test])
y_train, y_val, y_test = labels.split([n_train, n_val, n_test])
print("features:", tuple(poly_features.shape), "| labels:", tuple(labels.shape))
print(f"first example: x = {x[0, 0]:.4f}, features",
      [round(v, 4) for v in poly_features[0, :4].tolist()], "...")
print(f"noise floor (the noise variance): {noise_floor:.5f}; the true cubic's "
      f"loss on our test set: {(noise[-n_test:] ** 2).mean().item():.5f}")
assert torch.all(poly_features[:, 0] == 1)
torch.testing.assert_close(poly_features[:, 3], x[:, 0] ** 3 / 6)

# %%
# Fitting in closed form
# ^^^^^^^^^^^^^^^^^^^^^^
#
# A polynomial is linear in its weights, so minimising the mean squared error is a
# *least-squares* problem, and we do not need gradient descent to solve it:
# :func:`torch.linalg.lstsq` returns the minimiser directly. We compute in float64:
# the columns differ in size by many orders of magnitude (:math:`x^{20}/20!` is
# below :math:`10^{-8}` for :math:`|x| < 3`), and float32 would round the small ones
# away. The ``gelsd`` driver works through a singular value decomposition, so it
# also copes with more weights than examples. Then infinitely many weight vectors
# fit the data exactly, and it returns the one with the smallest norm.


def fit_poly(degree, X, y):
    """Least-squares weights (float64) of the polynomial of the given degree."""
    return torch.linalg.lstsq(X[:, : degree + 1].double(), y.double(),
                              driver="gelsd").solution


def poly_loss(w, X, y):
    """Mean squared error of the polynomial with weights w on (X, y)."""
    return ((X[:, : len(w)].double() @ w - y.double()) ** 2).mean().item()


# %%
# Three fits:
#
# * degree 3 on the 100 training examples: the right model;
# * degree 1 on the same examples: a straight line, too simple for a cubic;
# * degree 20 on only the first **10** training examples: 21 weights, so the
#   polynomial can pass through every one of the 10 points.

fits = {
    "degree 3": (3, n_train),
    "degree 1": (1, n_train),
    "degree 20, 10 examples": (20, 10),
}
exact = {}
print(f"{'fit':24}{'train loss':>12}{'test loss':>12}")
for name, (degree, n) in fits.items():
    w = fit_poly(degree, X_train[:n], y_train[:n])
    exact[name] = (w, poly_loss(w, X_train[:n], y_train[:n]),
                   poly_loss(w, X_test, y_test))
    print(f"{name:24}{exact[name][1]:12.4g}{exact[name][2]:12.4g}")
print("degree-3 weights:", [round(v, 3) for v in exact["degree 3"][0][:, 0].tolist()])
print("true weights:    ", [round(v, 3) for v in true_w[:4].tolist()])

# %%
# The table tells the story in numbers:
#
# * degree 3 has a test loss close to the noise floor and recovers the true
#   coefficients closely;
# * degree 1 has a *training* loss far above the floor: no straight line fits a
#   cubic. That is underfitting;
# * degree 20 on 10 examples has a training loss of zero, up to rounding: it
#   passes through every training point, noise included, far below the floor that
#   no honest model can beat. Its test loss is astronomical. That is overfitting.
#
# These claims are checked (no training is involved, so they hold in quick mode
# too):

_, train_3, test_3 = exact["degree 3"]
_, train_1, _ = exact["degree 1"]
w_20, train_20, test_20 = exact["degree 20, 10 examples"]
handson.check("degree 3: test loss / noise floor", test_3 / noise_floor, "<", 2,
              quick=True)
handson.check("degree 3: largest weight error",
              (exact["degree 3"][0][:, 0].float() - true_w[:4]).abs().max(), "<", 0.1,
              quick=True)
handson.check("degree 1: training loss / noise floor", train_1 / noise_floor, ">", 10,
              quick=True)
handson.check("degree 20 on 10 examples: training loss / noise floor",
              train_20 / noise_floor, "<", 1e-6, quick=True)
handson.check("degree 20 on 10 examples: test loss / noise floor",
              test_20 / noise_floor, ">", 1000, quick=True)

# %%
# A picture shows what the numbers mean. The degree-20 polynomial (red) goes through
# all ten training points, and between and beyond them it swings far away from the
# true cubic (dashed). The degree-3 fit lies on top of the true cubic.

x_plot = torch.linspace(x[:10].min().item() - 0.3, x[:10].max().item() + 0.3, 400)
X_plot = x_plot.reshape(-1, 1) ** torch.arange(max_degree + 1) / factorials
y_true_plot = X_plot @ true_w
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(x_plot, y_true_plot, "k--", label="true cubic")
ax.plot(x_plot, X_plot[:, :4].double() @ exact["degree 3"][0], "C0",
        label="degree 3, 100 examples")
ax.plot(x_plot, X_plot.double() @ w_20, "C3", label="degree 20, 10 examples")
ax.plot(x[:10, 0], y_train[:10, 0], "ko", label="the 10 training points")
margin = (y_true_plot.max() - y_true_plot.min()).item()
ax.set_ylim(y_true_plot.min().item() - margin, y_true_plot.max().item() + margin)
ax.set_xlabel("$x$")
ax.set_ylabel("$y$")
ax.set_title("An interpolant through ten noisy points")
ax.legend()
plt.show()

# %%
# The same fits by gradient descent
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
#
# Networks have no closed form, so they are trained by gradient steps, and the loss
# curves of such a run are how under- and overfitting show themselves in practice.
# The training function fits a polynomial of a given degree: an ``nn.Linear``
# without bias on the first ``degree + 1`` columns, the mean squared error, and
# ``torch.optim.SGD``. The data sets are tiny, so every step uses all training
# examples (full-batch gradient descent; one step is one epoch). The weights start
# at zero, which is safe for a linear model. After every step we record the
# training loss and the loss on a second set, for the loss curves.


def train_poly(degree, X, y, X_eval, y_eval, num_epochs, lr=0.1):
    """Fit a polynomial of the given degree by gradient descent.

    Returns the model and two tensors: the loss on (X, y) and on (X_eval, y_eval)
    after every epoch.
    """
    net = nn.Linear(degree + 1, 1, bias=False)  # the feature x^0 = 1 is the bias
    nn.init.zeros_(net.weight)
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    X, X_eval = X[:, : degree + 1], X_eval[:, : degree + 1]
    train_losses, eval_losses = [], []
    for epoch in range(num_epochs):
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
        with torch.no_grad():
            train_losses.append(loss(net(X), y))
            eval_losses.append(loss(net(X_eval), y_eval))
    return net, torch.stack(train_losses), torch.stack(eval_losses)


num_epochs = handson.epochs(400)
results = {}
print(f"{'fit':24}{'train loss':>12}{'test loss':>12}")
for name, (degree, n) in fits.items():
    net, train_curve, test_curve = train_poly(degree, X_train[:n], y_train[:n],
                                              X_test, y_test, num_epochs)
    results[name] = (net, train_curve, test_curve)
    print(f"{name:24}{train_curve[-1].item():12.5f}{test_curve[-1].item():12.5f}")

w_cubic = results["degree 3"][0].weight.detach().reshape(-1)
print("degree-3 weights after gradient descent:",
      [round(v, 3) for v in w_cubic.tolist()])

# %%
# The loss curves, on a log scale, with the noise floor as a dotted line:

fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharey=True)
epochs = range(1, num_epochs + 1)
for ax, (name, (_, train_curve, test_curve)) in zip(axes, results.items()):
    ax.semilogy(epochs, train_curve, label="train")
    ax.semilogy(epochs, test_curve, "--", label="test")
    ax.axhline(noise_floor, color="gray", ls=":", label="noise floor")
    ax.set_title(name)
    ax.set_xlabel("epoch")
axes[0].set_ylabel("mean squared error")
axes[0].legend()
fig.tight_layout()
plt.show()

# %%
# On the left both curves fall to the floor together, and the weights approach the
# closed-form ones. In the middle they stay high together: more training would not
# help, a more flexible model would. On the right the training curve falls to the
# floor and below it (the printed training loss: it fits part of the noise) while
# the test curve levels off far above it; the space between the
# two curves is the generalisation gap.
#
# But compare the right panel with the table of exact fits: after 400 steps the
# degree-20 polynomial is nowhere near the interpolant, and its test loss, large as
# it is, is orders of magnitude below the interpolant's. Gradient descent fits the
# large, low-power features first; the weights of the high powers, whose features
# are tiny for most :math:`x`, get tiny gradients and move slowly from zero.
# Stopping after a limited number of steps kept them small. That is a regulariser
# of its own, *early stopping*, and the section on it below uses it on purpose.
#
# .. dropdown:: Where would gradient descent end?
#
#    Started at zero, every gradient step of a least-squares problem adds a
#    combination of the training rows to the weights, so the weights never leave
#    the span of those rows. If the steps converge to an exact fit, it is the exact
#    fit of smallest norm: the solution ``lstsq`` returned. So gradient descent
#    heads for the interpolant, but along the directions of the high powers it
#    moves so slowly that getting there would take far more steps than anyone
#    would run.
#
# These claims are checked at full settings (two steps of the quick mode fit
# nothing):

test_3_gd = results["degree 3"][2][-1].item()
train_1_gd = results["degree 1"][1][-1].item()
test_20_gd = results["degree 20, 10 examples"][2][-1].item()
handson.check("gradient descent, degree 3: test loss / noise floor",
              test_3_gd / noise_floor, "<", 2)
handson.check("gradient descent, degree 3: largest weight error",
              (w_cubic - true_w[:4]).abs().max(), "<", 0.2)
handson.check("gradient descent, degree 1: training loss / noise floor",
              train_1_gd / noise_floor, ">", 10, quick=True)
handson.check("gradient descent, degree 20: test loss / noise floor",
              test_20_gd / noise_floor, ">", 5)
handson.check("gradient descent, degree 20: test loss / the interpolant's",
              test_20_gd / test_20, "<", 1e-3, quick=True)

# %%
# Model selection with a validation set
# -------------------------------------
#
# Above we knew the answer (degree 3). Usually we do not: the degree, the number of
# hidden units, the weight decay below are :term:`hyperparameters <hyperparameter>`
# that we must *choose*. Choosing them by the test loss would be cheating. Every
# choice made on the test set adapts the model a little to the test examples, and
# after enough choices the test loss no longer estimates the error on new data.
#
# So we hold out a third set, the :term:`validation set`: fit each candidate on
# the training set, compare the candidates on the validation set, and look at the
# test set **once**, for the chosen model. Here the candidates are the degrees 0 to
# 20, each fitted in closed form on the first 20 training examples. (With fewer
# examples, flexibility shows its cost at lower degrees; the exercises try other
# sizes.)

n_select = 20
degrees = range(max_degree + 1)
train_losses, val_losses, sel_weights = {}, {}, {}
for degree in degrees:
    w = fit_poly(degree, X_train[:n_select], y_train[:n_select])
    sel_weights[degree] = w
    train_losses[degree] = poly_loss(w, X_train[:n_select], y_train[:n_select])
    val_losses[degree] = poly_loss(w, X_val, y_val)

best_degree = min(val_losses, key=val_losses.get)
print(f"{'degree':>6}{'train loss':>12}{'val loss':>12}")
for degree in degrees:
    mark = "  <- smallest validation loss" if degree == best_degree else ""
    print(f"{degree:6d}{train_losses[degree]:12.3g}{val_losses[degree]:12.3g}{mark}")

test_loss_best = poly_loss(sel_weights[best_degree], X_test, y_test)
print(f"chosen degree {best_degree}: test loss {test_loss_best:.5f} "
      f"(noise floor {noise_floor:.5f})")
handson.check("degree chosen on the validation set", best_degree, "<=", 6,
              quick=True)
handson.check("degree chosen on the validation set", best_degree, ">=", 3,
              quick=True)
handson.check("chosen degree: test loss / noise floor",
              test_loss_best / noise_floor, "<", 3, quick=True)
handson.check("validation loss of degree 1 / of the chosen degree",
              val_losses[1] / val_losses[best_degree], ">", 100, quick=True)
handson.check("validation loss of degree 20 / of the chosen degree",
              val_losses[max_degree] / val_losses[best_degree], ">", 1e4, quick=True)
num_rises = sum(train_losses[d + 1] > 1.01 * train_losses[d]
                for d in range(max_degree))
handson.check("number of degrees at which the training loss rises by over 1%",
              num_rises, "==", 0, quick=True)

# %%
# The training loss does not rise with the degree: each degree adds a column, and
# the best fit with more columns is at least as good. (In exact arithmetic, that
# is. The columns of the highest powers are so small that, even in float64,
# ``lstsq`` cuts off the directions they add, as directions too small to resolve.
# So the training loss does not reach zero where there are as many weights as
# examples, and at the highest degrees it can wobble by a fraction of a percent.)
# The validation loss falls steeply up to degree 3, stays
# near the floor for a degree or a few, and then rises by orders of magnitude: the
# U-shaped curve of model selection, lopsided on this log scale. The smallest
# validation loss picks the degree printed above, and its test loss, measured once,
# is close to the floor. In a picture:

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(list(degrees), list(train_losses.values()), "o-", label="train")
ax.semilogy(list(degrees), list(val_losses.values()), "s--", label="validation")
ax.axhline(noise_floor, color="gray", ls=":", label="noise floor")
ax.axvline(best_degree, color="C3", alpha=0.3, lw=6, label="chosen degree")
ax.set_xlabel("degree of the polynomial (model complexity)")
ax.set_ylabel("mean squared error of the exact fit")
ax.set_title(f"Choosing the degree on a validation set ({n_select} training examples)")
ax.legend()
plt.show()

# %%
# .. note::
#
#    **K-fold cross-validation.** A validation set of 100 examples is itself
#    noisy, and with little data we would rather not set a third of it aside.
#    *K-fold cross-validation* splits the training data into :math:`K`
#    non-overlapping parts (*folds*), trains :math:`K` times, each time validating
#    on one fold and training on the other :math:`K - 1`, and averages the
#    :math:`K` validation losses. Every example is used for validation exactly
#    once, at the price of :math:`K` trainings per candidate.
#    :doc:`05_kaggle_house_prices` writes it by hand, with :math:`K = 5`.
#
# Weight decay
# ------------
#
# Choosing the degree is a blunt way to limit complexity: one step from 3 to 4 adds
# a whole feature. **Weight decay** (L2 regularisation) keeps all features but
# makes large weights expensive. We minimise the loss plus a penalty on the
# squared norm of the weights,
#
# .. math::
#
#    L(\mathbf{w}, b) + \frac{\lambda}{2} \lVert \mathbf{w} \rVert^2,
#
# with a hyperparameter :math:`\lambda \ge 0`. (The bias is usually not penalised:
# it only shifts the output and does not make the model more flexible.) The
# gradient of the penalty is :math:`\lambda \mathbf{w}`, so one SGD step becomes
#
# .. math::
#
#    \mathbf{w} \leftarrow (1 - \eta \lambda)\, \mathbf{w}
#    - \eta\, \partial_{\mathbf{w}} L(\mathbf{w}, b):
#
# before the usual step, every weight shrinks by the factor
# :math:`1 - \eta\lambda`. That is the *decay* in the name.
#
# A problem made to overfit: linear regression with :math:`d = 200` features
# and only :math:`n = 20` training examples (D2L's example),
#
# .. math::
#
#    y = 0.05 + \sum_{j=1}^{d} 0.01\, x_j + \epsilon,
#    \qquad \epsilon \sim \mathcal{N}(0, 0.01^2).
#
# With 201 parameters and 20 equations, infinitely many weight vectors fit the
# training set exactly; almost all of them are far from the true one.
# (New data, so the names ``X_train``, ``y_train``, ... now refer to this problem.)

n_train, n_test, num_inputs, batch_size = 20, 100, 200, 5
true_w, true_b = torch.full((num_inputs, 1), 0.01), 0.05
X = torch.randn(n_train + n_test, num_inputs)
y = X @ true_w + true_b + 0.01 * torch.randn(n_train + n_test, 1)
X_train, X_test = X.split([n_train, n_test])
y_train, y_test = y.split([n_train, n_test])
print("train:", tuple(X_train.shape), "| test:", tuple(X_test.shape))

# %%
# From scratch
# ^^^^^^^^^^^^
#
# The penalty is one line. The loop is minibatch SGD from
# :doc:`../03_linear_regression/01_california_housing`, with the penalty added to
# the loss of each minibatch. Two details let us compare runs exactly: every run
# starts from the same random weights (``init_params`` draws them with its own
# seeded generator), and every run sees the same minibatches in the same order
# (``handson.batches`` shuffles with a generator seeded the same way).


def l2_penalty(w):
    """Half the squared L2 norm of w."""
    return (w ** 2).sum() / 2


def mse(y_hat, y):
    """Mean squared error."""
    return ((y_hat - y) ** 2).mean()


def init_params():
    """The same random starting weights for every run: w ~ N(0, 1), b = 0."""
    w = torch.randn(num_inputs, 1, generator=torch.Generator().manual_seed(1))
    return w, torch.zeros(1)


lr, num_epochs = 0.003, handson.epochs(100)


def train_scratch(lambd):
    """Minibatch SGD on the MSE plus lambd * l2_penalty(w).

    Returns w, b and the training and test MSE (without penalty) after each epoch.
    """
    w, b = init_params()
    w.requires_grad_(True)
    b.requires_grad_(True)
    shuffle = torch.Generator().manual_seed(2)  # the same minibatches in every run
    train_curve, test_curve = [], []
    for epoch in range(num_epochs):
        for X, y in handson.batches(X_train, y_train, batch_size, generator=shuffle):
            l = mse(X @ w + b, y) + lambd * l2_penalty(w)
            l.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
                w.grad.zero_()
                b.grad.zero_()
        with torch.no_grad():
            train_curve.append(mse(X_train @ w + b, y_train))
            test_curve.append(mse(X_test @ w + b, y_test))
    return w.detach(), b.detach(), torch.stack(train_curve), torch.stack(test_curve)


lambdas = (0, 3)
scratch = {lambd: train_scratch(lambd) for lambd in lambdas}
print(f"{'lambda':>6}{'train loss':>12}{'test loss':>12}{'||w||':>8}")
for lambd, (w, b, train_curve, test_curve) in scratch.items():
    print(f"{lambd:6}{train_curve[-1].item():12.2e}{test_curve[-1].item():12.2e}"
          f"{torch.linalg.norm(w).item():8.3f}")
print(f"norm of the true weights: {torch.linalg.norm(true_w).item():.3f}")

# %%
# Without the penalty the training loss falls to almost nothing and the test loss
# stays huge: the weights stay close to their random start, in a direction the 20
# training examples cannot see. With :math:`\lambda = 3` the printed norm of
# :math:`\mathbf{w}` shrinks towards that of the true weights, and the test loss
# drops by orders of magnitude.
#
# Concise: ``weight_decay``
# ^^^^^^^^^^^^^^^^^^^^^^^^^
#
# ``torch.optim.SGD(params, lr, weight_decay=wd)`` adds ``wd * param`` to each
# gradient before the step, which is exactly the gradient of
# :math:`\tfrac{\lambda}{2}\lVert\mathbf{w}\rVert^2` with :math:`\lambda` = ``wd``.
# To decay the weight and not the bias, give the optimiser two *parameter groups*,
# each with its own settings.


def train_concise(wd):
    """The same fit with nn.Linear and SGD's weight_decay (on the weight only)."""
    net = nn.Linear(num_inputs, 1)
    w, b = init_params()
    with torch.no_grad():
        net.weight.copy_(w.T)  # nn.Linear stores the weight as (out, in)
        net.bias.copy_(b)
    loss = nn.MSELoss()
    trainer = torch.optim.SGD([{"params": net.weight, "weight_decay": wd},
                               {"params": net.bias}], lr=lr)
    shuffle = torch.Generator().manual_seed(2)
    train_curve, test_curve = [], []
    for epoch in range(num_epochs):
        for X, y in handson.batches(X_train, y_train, batch_size, generator=shuffle):
            l = loss(net(X), y)
            trainer.zero_grad()
            l.backward()
            trainer.step()
        with torch.no_grad():
            train_curve.append(loss(net(X_train), y_train))
            test_curve.append(loss(net(X_test), y_test))
    return (net.weight.detach().T, net.bias.detach(), torch.stack(train_curve),
            torch.stack(test_curve))


concise = {wd: train_concise(wd) for wd in lambdas}

# %%
# Same start, same minibatches, same gradient: the two versions must take the same
# steps. They agree, for both values of :math:`\lambda`, in the final weights and in
# every point of the test curve:

for lambd in lambdas:
    w_s, b_s, _, test_s = scratch[lambd]
    w_c, b_c, _, test_c = concise[lambd]
    torch.testing.assert_close(w_c, w_s)
    torch.testing.assert_close(b_c, b_s)
    torch.testing.assert_close(test_c, test_s)
    print(f"lambda = {lambd}: largest weight difference "
          f"{(w_c - w_s).abs().max().item():.1e}")

test_plain, test_decay = (scratch[lambd][3][-1].item() for lambd in lambdas)
handson.check("test loss with weight decay (lambda = 3) / without",
              test_decay / test_plain, "<", 0.01)

# %%
# The curves:

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
epochs = range(1, num_epochs + 1)
for ax, lambd in zip(axes, lambdas):
    _, _, train_curve, test_curve = scratch[lambd]
    ax.semilogy(epochs, train_curve, label="train")
    ax.semilogy(epochs, test_curve, "--", label="test")
    ax.set_title(f"$\\lambda = {lambd}$")
    ax.set_xlabel("epoch")
axes[0].set_ylabel("mean squared error")
axes[0].legend()
fig.tight_layout()
plt.show()

# %%
# .. dropdown:: Weight decay in other optimisers
#
#    For SGD, "add :math:`\lambda\mathbf{w}` to the gradient" and "shrink the
#    weights by :math:`1 - \eta\lambda`" are the same thing. For optimisers that
#    rescale the gradient, such as Adam, they are not: ``torch.optim.Adam``'s
#    ``weight_decay`` adds :math:`\lambda\mathbf{w}` to the gradient *before* the
#    rescaling, while ``torch.optim.AdamW`` shrinks the weights directly
#    (*decoupled* weight decay, Loshchilov and Hutter, 2019), which usually works
#    better.

# %%
# L1 versus L2: shrinking or zeroing
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
#
# Weight decay penalises the squared :math:`\ell_2` norm. Penalising the
# :math:`\ell_1` norm instead, :math:`\lambda \lVert\mathbf{w}\rVert_1 = \lambda
# \sum_j |w_j|` (the *lasso*), behaves differently: it sets many weights *exactly*
# to zero and so selects features. The two update rules show why. After the
# gradient step on the loss, the :math:`\ell_2` penalty multiplies every weight by
# :math:`1 - \eta\lambda`, which never reaches zero. The :math:`\ell_1` penalty is
# handled by *soft thresholding*: every weight moves towards zero by
# :math:`\eta\lambda`, and one that would cross zero stops at zero,
#
# .. math::
#
#    w_j \leftarrow \operatorname{sign}(w_j) \max(|w_j| - \eta\lambda, 0).
#
# (Adding ``lambd * w.abs().sum()`` to the loss and letting autograd take the
# gradient :math:`\lambda \operatorname{sign}(w_j)` does not do this: a weight near
# zero is pushed back and forth across it and almost never lands on it.) A weight
# whose gradient from the loss is weaker than :math:`\lambda` ends at zero and stays
# there. A check on data made for it: 50 features, of which only the first 5
# influence the label.

gen = torch.Generator().manual_seed(3 + handson.reproducibility.seed_offset())
n_sparse, d_sparse = 100, 50
w_sparse = torch.zeros(d_sparse, 1)
w_sparse[:5, 0] = torch.tensor([3.0, -2.0, 1.5, -1.0, 0.5])
X_sparse = torch.randn(n_sparse, d_sparse, generator=gen)
y_sparse = X_sparse @ w_sparse + 0.5 * torch.randn(n_sparse, 1, generator=gen)


def fit_penalised(penalty, lambd, lr=0.1, num_steps=1000):
    """Full-batch gradient steps on the MSE, then the penalty's own update."""
    w = torch.zeros(d_sparse, 1)
    for _ in range(num_steps):
        grad = 2 / n_sparse * X_sparse.T @ (X_sparse @ w - y_sparse)  # of the MSE
        w = w - lr * grad
        if penalty == "L2":  # weight decay: shrink by a factor
            w = (1 - lr * lambd) * w
        else:  # L1: soft thresholding, move towards 0 by lr * lambd, stop at 0
            w = torch.sign(w) * torch.clamp(w.abs() - lr * lambd, min=0)
    return w


w_l1, w_l2 = fit_penalised("L1", 0.4), fit_penalised("L2", 0.4)
print(f"{'':4}{'exact zeros (of 45 irrelevant)':>32}{'smallest |w_j|':>16}"
      f"{'first 5 weights':>20}")
for name, w in [("L1", w_l1), ("L2", w_l2)]:
    print(f"{name:4}{int((w[5:] == 0).sum()):32d}{w.abs().min().item():16.1e}   ",
          [round(v, 2) for v in w[:5, 0].tolist()])
handson.check("L1: exact zeros among the 45 irrelevant weights",
              int((w_l1[5:] == 0).sum()), ">=", 40, quick=True)
handson.check("L1: exact zeros among the 5 relevant weights",
              int((w_l1[:5] == 0).sum()), "==", 0, quick=True)
handson.check("L2: exact zeros among all 50 weights", int((w_l2 == 0).sum()), "==", 0,
              quick=True)

# %%
# The :math:`\ell_1` fit keeps the five features that matter and sets (nearly) all
# others exactly to zero; the :math:`\ell_2` fit, with the same :math:`\lambda`,
# leaves every weight nonzero, the irrelevant ones merely small. Both shrink the
# weights that matter (compare them with 3, -2, 1.5, -1, 0.5). For neural networks
# the :math:`\ell_2` penalty is the usual choice: it is smooth, and sparsity of
# individual weights rarely helps there; the :math:`\ell_1` penalty is the tool
# when we believe that few features matter and want to know which.
#
# Dropout
# -------
#
# Weight decay limits the size of the weights. **Dropout** (Srivastava et al.,
# 2014) attacks overfitting in a network from another side: during training, each
# hidden unit is switched off at random, so no unit can rely on particular other
# units being there. Each activation :math:`h` is replaced by
#
# .. math::
#
#    h' = \begin{cases} 0 & \text{with probability } p, \\
#         \dfrac{h}{1 - p} & \text{otherwise,} \end{cases}
#
# with the dropout probability :math:`p`. Dividing the survivors by :math:`1 - p`
# keeps the expectation unchanged,
# :math:`\mathbb{E}[h'] = p \cdot 0 + (1 - p) \frac{h}{1 - p} = h`, so the next
# layer sees inputs of the same size on average. At test time dropout is switched
# off and the network is used whole.
#
# From scratch
# ^^^^^^^^^^^^
#
# A mask of independent coin flips, :math:`\mathbb{I}[u > p]` with
# :math:`u \sim \mathcal{U}(0, 1)`, keeps each entry with probability
# :math:`1 - p`:


def dropout_layer(X, p):
    """Zero each entry of X with probability p; scale the rest by 1 / (1 - p)."""
    assert 0 <= p <= 1
    if p == 1:  # everything dropped (and no division by zero)
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape, device=X.device) > p).float()
    return mask * X / (1 - p)


X = torch.arange(16, dtype=torch.float32).reshape(2, 8)
print("p = 0:\n", dropout_layer(X, 0.0))
print("p = 0.5:\n", dropout_layer(X, 0.5))
print("p = 1:\n", dropout_layer(X, 1.0))

# %%
# Two properties hold whatever the random draw: :math:`p = 0` changes nothing and
# :math:`p = 1` zeroes everything. Two more hold on average, and we check them on
# :math:`N = 100{,}000` ones: the fraction of zeros should be close to :math:`p` and
# the mean close to 1. How close? Each entry is 0 with probability :math:`p`, so
# the fraction of zeros has standard deviation :math:`\sqrt{p(1-p)/N}`. Each entry
# is :math:`1/(1-p)` with probability :math:`1-p`, so its variance is
# :math:`(1-p)/(1-p)^2 - 1 = p/(1-p)`, and the mean of :math:`N` entries has
# standard deviation :math:`\sqrt{p / ((1-p) N)}`, which grows quickly as
# :math:`p` approaches 1. We allow five standard deviations for each :math:`p`.

assert torch.equal(dropout_layer(X, 0.0), X)
assert torch.equal(dropout_layer(X, 1.0), torch.zeros_like(X))
N = 100_000
ones = torch.ones(N)
for p in (0.2, 0.5, 0.8):
    dropped = dropout_layer(ones, p)
    zero_fraction, mean = (dropped == 0).float().mean().item(), dropped.mean().item()
    sd_fraction, sd_mean = math.sqrt(p * (1 - p) / N), math.sqrt(p / ((1 - p) * N))
    print(f"p = {p}: fraction of zeros {zero_fraction:.4f} (sd {sd_fraction:.4f}), "
          f"mean {mean:.4f} (sd {sd_mean:.4f})")
    handson.check(f"p = {p}: |fraction of zeros - p| in standard deviations",
                  abs(zero_fraction - p) / sd_fraction, "<", 5, quick=True)
    handson.check(f"p = {p}: |mean - 1| in standard deviations",
                  abs(mean - 1) / sd_mean, "<", 5, quick=True)

# %%
# The network is D2L's: an MLP for Fashion-MNIST with two hidden layers of 256
# units and dropout after each, with probabilities :math:`p_1` and :math:`p_2`. Like
# the current edition of D2L (1.0), we take :math:`p_1 = p_2 = 0.5`, the value
# Srivastava et al. recommend for hidden units. D2L also notes that a common choice
# is less dropout close to the input, and its older edition (r0.17) used
# :math:`p_1 = 0.2, p_2 = 0.5`; try those values yourself. ``self.training`` is a
# flag that every
# ``nn.Module`` carries; ``net.train()`` sets it and ``net.eval()`` clears it.
# Dropout is applied only while it is set.

num_inputs, num_outputs, num_hiddens = 784, 10, 256
dropout1, dropout2 = 0.5, 0.5


class DropoutMLPScratch(nn.Module):
    """Two hidden ReLU layers with our dropout_layer after each (training only)."""

    def __init__(self, dropout1, dropout2):
        super().__init__()
        self.lin1 = nn.Linear(num_inputs, num_hiddens)
        self.lin2 = nn.Linear(num_hiddens, num_hiddens)
        self.lin3 = nn.Linear(num_hiddens, num_outputs)
        self.dropout1, self.dropout2 = dropout1, dropout2

    def forward(self, X):
        H1 = torch.relu(self.lin1(X.reshape(-1, num_inputs)))
        if self.training:
            H1 = dropout_layer(H1, self.dropout1)
        H2 = torch.relu(self.lin2(H1))
        if self.training:
            H2 = dropout_layer(H2, self.dropout2)
        return self.lin3(H2)


# %%
# Concise: ``nn.Dropout``
# ^^^^^^^^^^^^^^^^^^^^^^^
#
# :class:`torch.nn.Dropout` is the same layer, and it looks at ``self.training``
# itself, so it simply goes into ``nn.Sequential``:


def make_mlp(dropout1, dropout2):
    """Flatten, two hidden layers of 256 ReLUs with dropout, 10 outputs."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(num_inputs, num_hiddens), nn.ReLU(), nn.Dropout(dropout1),
        nn.Linear(num_hiddens, num_hiddens), nn.ReLU(), nn.Dropout(dropout2),
        nn.Linear(num_hiddens, num_outputs),
    )


net = make_mlp(dropout1, dropout2)
print(net)

# %%
# Do the two networks compute the same thing? Copy the weights of the scratch
# network into the concise one. In evaluation mode (no dropout) the outputs must
# agree exactly; in training mode each call draws new masks, so two calls on the
# same images differ, in both networks.

X_batch = torch.rand(4, 1, 28, 28)  # four random "images"
scratch_net = DropoutMLPScratch(dropout1, dropout2)
with torch.no_grad():
    for mine, theirs in [(scratch_net.lin1, net[1]), (scratch_net.lin2, net[4]),
                         (scratch_net.lin3, net[7])]:
        theirs.load_state_dict(mine.state_dict())

scratch_net.eval()
net.eval()
torch.testing.assert_close(net(X_batch), scratch_net(X_batch))
assert torch.equal(net(X_batch), net(X_batch))  # eval mode: deterministic
scratch_net.train()
net.train()
for model in (scratch_net, net):
    assert not torch.equal(model(X_batch), model(X_batch))  # new masks every call
print("eval mode: same outputs; train mode: a new random mask on every call")

# %%
# .. warning::
#
#    ``nn.Dropout`` is active whenever the module is in training mode, which is the
#    mode every new module starts in. Evaluate a network without ``net.eval()`` and
#    every prediction is made by a random, thinned network: the accuracy is lower
#    and changes from run to run. ``handson.evaluate_accuracy`` switches to
#    evaluation mode (and back) for us. The *training* accuracy that
#    ``handson.train`` reports is measured on the fly, with dropout on, so it
#    understates what the trained network does on the training set. To compare
#    training and test accuracy fairly, we measure both with
#    ``evaluate_accuracy``.
#
# With and without dropout
# ^^^^^^^^^^^^^^^^^^^^^^^^
#
# To see dropout fight overfitting we need a network that overfits, and to keep the
# page fast we take a small training set: the first 2,000 Fashion-MNIST training
# images. (On all 60,000 the network overfits much later, and the page would take
# many minutes to show it.) The test set is the full 10,000 images. Two copies of
# the network start from the same weights and see the same minibatches in the same
# order (``handson.train`` draws the order from the generator we pass); one has
# dropout (:math:`p_1 = p_2 = 0.5`), the other has none (:math:`p = 0` makes
# ``nn.Dropout`` the identity). We also set aside the *last* 2,000 training images
# as a validation set: ``fit`` records the validation loss after every epoch and
# keeps a copy of the weights where it was lowest, for the section on early
# stopping below.
#
# We train with :class:`torch.optim.Adam`, a variant of SGD that adapts the step
# size of each parameter on its own (derived in :doc:`../10_optimization/10_adam`).
# Plain SGD would serve too; what matters for the comparison is that both networks
# get the same optimiser, start and minibatches. We call
# ``handson.train`` for one epoch at a time so that after every epoch we can
# measure the training and the test accuracy in evaluation mode.

device = handson.device()
X_full, y_full = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
n_subset, n_valid = handson.shrink(2_000, 1_500), handson.shrink(2_000, 500)
X_train, y_train = X_full[:n_subset], y_full[:n_subset]
X_valid, y_valid = X_full[-n_valid:], y_full[-n_valid:]  # disjoint from X_train
print(f"training on {len(X_train)} images, validating on {len(X_valid)}, "
      f"testing on {len(X_test)}, on {device}")

lr, num_epochs, batch_size = 0.001, handson.epochs(30), 64
loss = nn.CrossEntropyLoss()


def mean_loss(net, X, y):
    """Cross-entropy of net on (X, y) in evaluation mode (dropout off)."""
    net.eval()
    with torch.no_grad():
        value = loss(net(X.to(device)), y.to(device)).item()
    net.train()
    return value


def fit(net):
    """Train net with Adam. Return its training and test accuracy after each epoch,
    its validation loss after each epoch, and a copy of its weights at the epoch
    with the lowest validation loss. Everything is measured in evaluation mode.
    """
    trainer = torch.optim.Adam(net.parameters(), lr=lr)
    order = torch.Generator().manual_seed(2 + handson.reproducibility.seed_offset())
    train_acc, test_acc, valid_loss = [], [], []
    for epoch in range(num_epochs):
        handson.train(net, (X_train, y_train), None, loss, trainer, 1, batch_size,
                      device=device, progress=False, verbose=False, generator=order)
        train_acc.append(handson.evaluate_accuracy(net, X_train, y_train))
        test_acc.append(handson.evaluate_accuracy(net, X_test, y_test))
        valid_loss.append(mean_loss(net, X_valid, y_valid))
        if valid_loss[-1] == min(valid_loss):  # a new best: keep these weights
            best_state = copy.deepcopy(net.state_dict())
        if (epoch + 1) % 5 == 0 or epoch + 1 == num_epochs:
            print(f"epoch {epoch + 1:3d}  train acc {train_acc[-1]:.4f}  "
                  f"test acc {test_acc[-1]:.4f}  validation loss {valid_loss[-1]:.4f}")
    return (torch.tensor(train_acc), torch.tensor(test_acc), torch.tensor(valid_loss),
            best_state)


handson.seed(1)
net_plain = make_mlp(0.0, 0.0).to(device)
net_dropout = make_mlp(dropout1, dropout2).to(device)
net_dropout.load_state_dict(net_plain.state_dict())  # the same starting weights

print("without dropout:")
handson.seed(2)
train_plain, test_plain, valid_plain, best_state_plain = fit(net_plain)
print("with dropout:")
handson.seed(2)
train_dropout, test_dropout, _, _ = fit(net_dropout)

# %%
# Results
# ^^^^^^^
#
# The accuracies move a little from epoch to epoch, so we compare the
# generalisation gap (training accuracy minus test accuracy) averaged over the last
# five epochs:

last = slice(-5, None)
print(f"{'':18}{'train acc':>10}{'test acc':>10}{'gap':>8}")
gaps = {}
for name, train_acc, test_acc in [("without dropout", train_plain, test_plain),
                                  ("with dropout", train_dropout, test_dropout)]:
    gaps[name] = (train_acc[last] - test_acc[last]).mean().item()
    print(f"{name:18}{train_acc[last].mean().item():10.4f}"
          f"{test_acc[last].mean().item():10.4f}{gaps[name]:8.4f}")

handson.check("generalisation gap without dropout", gaps["without dropout"], ">", 0.1)
handson.check("gap without dropout - gap with dropout",
              gaps["without dropout"] - gaps["with dropout"], ">", 0.01)
handson.check("test accuracy with dropout - without",
              (test_dropout[last].mean() - test_plain[last].mean()).item(), ">", -0.01)

# %%
# The printed table shows the network without dropout fitting its 2,000 training
# images far better than the test images: a large gap. Dropout makes the training
# set harder to memorise, so the training accuracy rises more slowly, and the gap
# is smaller, while the test accuracy is about as good (at worst 0.01 lower, as
# checked above). With this little data
# and this short a run, dropout narrows the gap more than it raises the test
# accuracy. In the curves, the space between the solid (train) and dashed (test)
# lines is the gap:

fig, ax = plt.subplots(figsize=(6, 4))
epochs = range(1, num_epochs + 1)
ax.plot(epochs, train_plain, "C0-", label="train, no dropout")
ax.plot(epochs, test_plain, "C0--", label="test, no dropout")
ax.plot(epochs, train_dropout, "C1-", label="train, dropout")
ax.plot(epochs, test_dropout, "C1--", label="test, dropout")
ax.set_xlabel("epoch")
ax.set_ylabel("accuracy (evaluation mode)")
ax.set_title("An MLP on 2,000 Fashion-MNIST images")
ax.legend()
plt.show()

# %%
# .. dropdown:: Why does dropout help?
#
#    Srivastava et al. give two views. Each minibatch trains a different random
#    "thinned" subnetwork, and the full network at test time (with the
#    :math:`1/(1-p)` scaling) approximates the average of all these
#    :math:`2^{\text{number of units}}` subnetworks, an ensemble for the price of one
#    network. And since any unit may vanish, no unit can depend on a fragile
#    combination of others (*co-adaptation*); each must be useful on its own. A
#    third view, from Bishop (1995): training with noise injected into the inputs
#    is a form of regularisation, and dropout injects noise into the hidden
#    layers.

# %%
# Early stopping
# --------------
#
# The polynomial fitted by gradient descent showed a third regulariser, one that
# changes neither the model nor the loss: stop training before the flexible model
# has fitted the noise. Used on purpose, it goes like this. Hold out a validation
# set; after every epoch compute the validation loss, and whenever it reaches a new
# minimum keep a copy of the weights; at the end, use that copy instead of the last
# weights. (In practice one also stops once the validation loss has not improved
# for a number of epochs, the *patience*; here we train to the end to see the whole
# curve.) ``fit`` did this bookkeeping for the network without dropout above. How
# do the weights of the best epoch compare with the last ones on the test set?

best_epoch = int(valid_plain.argmin()) + 1
net_early = make_mlp(0.0, 0.0).to(device)
net_early.load_state_dict(best_state_plain)
print(f"lowest validation loss {valid_plain.min().item():.4f} after epoch "
      f"{best_epoch}; after the last epoch ({num_epochs}): "
      f"{valid_plain[-1].item():.4f}")
test_loss_early, test_loss_last = (mean_loss(m, X_test, y_test)
                                   for m in (net_early, net_plain))
test_acc_early, test_acc_last = (handson.evaluate_accuracy(m, X_test, y_test)
                                 for m in (net_early, net_plain))
print(f"{'':22}{'test loss':>10}{'test acc':>10}")
print(f"{'early stopping':22}{test_loss_early:10.4f}{test_acc_early:10.4f}")
print(f"{'last epoch':22}{test_loss_last:10.4f}{test_acc_last:10.4f}")
handson.check("validation loss: last epoch / its minimum",
              valid_plain[-1] / valid_plain.min(), ">", 1.1)
handson.check("test loss: early-stopped weights / last weights",
              test_loss_early / test_loss_last, "<", 0.9)
handson.check("test accuracy: early-stopped - last", test_acc_early - test_acc_last,
              ">", -0.02)

fig, ax = plt.subplots(figsize=(6, 3.6))
ax.plot(range(1, num_epochs + 1), valid_plain, "C0-", label="validation loss")
ax.axvline(best_epoch, color="C3", alpha=0.3, lw=6, label="epoch kept")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy (evaluation mode)")
ax.set_title("Early stopping: the MLP without dropout")
ax.legend()
plt.show()

# %%
# The validation loss falls at first and then climbs, while the training accuracy
# keeps rising: fitting its 2,000 training images ever more closely, the network
# makes ever more confident predictions, the wrong ones on new images included.
# The weights kept at the minimum have a clearly lower test loss than the last ones
# (by at least 10%, checked). Their test accuracy is about the same (at worst 0.02
# lower, checked), because accuracy only asks whether the largest output is the
# right one, while the loss also punishes confident mistakes. Early stopping costs
# nothing but a validation set, it saves the epochs after the minimum, and it
# combines with the other regularisers.
#
# Summary
# -------
#
# * The training error measures fit; the error on held-out data measures
#   generalisation. High training error is underfitting; low training error with a
#   much higher test error is overfitting.
# * Choose models and hyperparameters on a validation set, and look at the test set
#   once; with little data, K-fold cross-validation uses every example for both.
# * Weight decay adds :math:`\frac{\lambda}{2}\lVert\mathbf{w}\rVert^2` to the loss,
#   which shrinks the weights by :math:`1 - \eta\lambda` at every SGD step;
#   ``torch.optim.SGD(..., weight_decay=lambd)`` does exactly that. An
#   :math:`\ell_1` penalty instead sets many weights exactly to zero.
# * Dropout zeroes each hidden unit with probability :math:`p` during training and
#   scales the rest by :math:`1/(1-p)`; ``nn.Dropout`` does it only in training
#   mode, so call ``net.eval()`` before evaluating.
# * Early stopping keeps the weights of the epoch with the lowest validation loss;
#   a flexible model trained past that point fits the noise of its training set.

# %%
# Exercises
# ---------
#
# 1. With ``fit_poly``, fit the degree-5 polynomial on the first 6, 10, 20 and 100
#    training examples and print the training and validation loss of each. How
#    does the gap between them change with the amount of data? (Later sections
#    reuse the names ``X_train``, ...: take the polynomial data from
#    ``poly_features`` and ``labels``, whose first 100 rows are the training
#    examples and the next 100 the validation examples.)
#
#    .. dropdown:: Answer
#
#       With 6 examples the 6 weights pass through every point: training loss
#       zero, validation loss large. As the number of examples grows, the
#       training loss rises towards the noise floor (the model can no longer fit
#       every point's noise) and the validation loss falls towards it, on the
#       whole (with few examples it depends much on where they happen to lie, so
#       not necessarily at every step); the gap closes. Whether a model overfits
#       depends on its complexity *relative to* the data; more data is the most
#       reliable cure.
#
# 2. In the weight-decay experiment, train with :math:`\lambda` in
#    ``[0, 0.3, 1, 3, 10, 30, 100]`` and plot the final training and test loss
#    against :math:`\lambda` (log scale). Is larger always better? (The
#    Fashion-MNIST part reuses the names ``X_train``, ``num_inputs``, ``lr`` and
#    ``num_epochs``: rerun the cells of the weight-decay section first.)
#
#    .. dropdown:: Answer
#
#       The training loss rises steadily with :math:`\lambda`. The test loss falls
#       by orders of magnitude and then levels off: the true weights here are tiny
#       (their norm is printed above), so even :math:`\mathbf{w} = 0` predicts
#       well, and a huge :math:`\lambda` costs almost nothing. That is a property of
#       this toy problem. In general, a :math:`\lambda` too large pulls the weights
#       far below what the data need, the model underfits and the test loss rises
#       again (the last exercise shows it on the polynomial). Choosing
#       :math:`\lambda` is model selection, so do it on a validation set.
#
# 3. Dropout divides the kept activations by :math:`1 - p` during training ("inverted
#    dropout"). The original paper instead multiplied the weights by :math:`1 - p` at
#    test time. Why are the two equivalent, and why is the inverted form more
#    convenient?
#
#    .. dropdown:: Answer
#
#       Both make the expected input of the next layer during training equal to
#       its input at test time. Scaling during training leaves the test-time
#       network untouched: evaluation, export and deployment need no knowledge of
#       dropout at all, and a model trained with any :math:`p` is used the same way.
#
# 4. Evaluate ``net_dropout`` on the test set *in training mode* (call
#    ``net_dropout.train()`` and compute the accuracy by hand, without
#    ``evaluate_accuracy``). Repeat a few times. What do you observe?
#
#    .. dropdown:: Answer
#
#       The accuracy is lower than in evaluation mode and changes with every run,
#       because each forward pass uses a different random subnetwork. Averaging the
#       softmax outputs of many such passes (*Monte Carlo dropout*, Gal and
#       Ghahramani, 2016) is another way to use the whole ensemble, and the spread
#       of the passes is a rough measure of the network's uncertainty.
#
# 5. **Programming task.** Put weight decay and model selection together. Weight
#    decay has a closed form too: minimising
#    :math:`\frac{1}{n}\lVert\mathbf{X}\mathbf{w} - \mathbf{y}\rVert^2 +
#    \frac{\lambda}{2}\lVert\mathbf{w}\rVert^2` is the least-squares problem of
#    the stacked system :math:`[\mathbf{X}; \sqrt{n\lambda/2}\,\mathbf{I}]\,
#    \mathbf{w} \approx [\mathbf{y}; \mathbf{0}]` (multiply out the squared norm
#    to see it). Fit the degree-20 polynomial on the 10 examples again this way,
#    for :math:`\lambda` in ``[0, 1e-4, 1e-3, 1e-2, 0.1, 1]``; choose
#    :math:`\lambda` by the loss on the 100 validation examples; report the test
#    loss of the chosen fit and compare it with the interpolant's
#    (:math:`\lambda = 0`). (The polynomial data were renamed above, so rebuild
#    the splits from ``poly_features`` and ``labels``.)
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          Xp_train, Xp_val, Xp_test = poly_features.split([100, 100, 100])
#          yp_train, yp_val, yp_test = labels.split([100, 100, 100])
#          X10, y10 = Xp_train[:10].double(), yp_train[:10].double()
#
#          def fit_ridge(lambd):
#              n, d = X10.shape
#              A = torch.cat([X10, math.sqrt(n * lambd / 2)
#                             * torch.eye(d, dtype=torch.float64)])
#              b = torch.cat([y10, torch.zeros(d, 1, dtype=torch.float64)])
#              return torch.linalg.lstsq(A, b, driver="gelsd").solution
#
#          weights = {lambd: fit_ridge(lambd)
#                     for lambd in [0, 1e-4, 1e-3, 1e-2, 0.1, 1]}
#          val_loss = {lambd: poly_loss(w, Xp_val, yp_val)
#                      for lambd, w in weights.items()}
#          for lambd, v in val_loss.items():
#              print(f"lambda = {lambd}: validation loss {v:.4g}")
#          best = min(val_loss, key=val_loss.get)
#          print(f"chosen lambda = {best}: test loss "
#                f"{poly_loss(weights[best], Xp_test, yp_test):.4g}, "
#                f"interpolant {poly_loss(weights[0], Xp_test, yp_test):.4g}")
#
#       Look at the validation column from top to bottom. The interpolant
#       (:math:`\lambda = 0`) is off the scale, as in the table of exact fits; a
#       tiny penalty already keeps the high-power weights from the huge values the
#       interpolant needs, and the loss drops by orders of magnitude. Towards
#       :math:`\lambda = 1` the penalty pulls every weight, the cubic's included,
#       towards zero, and the loss rises again: underfitting. The validation set
#       picks a small positive value. With ten examples its choice, and the test loss
#       that comes with it, vary from draw to draw, which is the case for K-fold
#       cross-validation.
