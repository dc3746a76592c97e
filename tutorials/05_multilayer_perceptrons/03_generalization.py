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
model, weight decay to keep the weights small, and dropout to keep a network's
hidden units from relying on each other. Each tool is written from scratch, then
with ``torch.nn`` and ``torch.optim``, and checked against the from-scratch
version.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * training error versus generalisation error, and what under- and
        overfitting look like in loss curves
      * choose a model's complexity with a validation set (and what K-fold
        cross-validation adds)
      * weight decay: the :math:`\\tfrac{\\lambda}{2}\\lVert\\mathbf{w}\\rVert^2`
        penalty from scratch, and ``weight_decay`` in ``torch.optim.SGD``
      * dropout from scratch (``dropout_layer``) and with ``nn.Dropout``, and why
        ``net.train()`` and ``net.eval()`` matter
      * measure the generalisation gap of an MLP with and without dropout

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`02_mlp_fashion_mnist` (an MLP with ``nn.Sequential`` and
        ``handson.train``)
      * :doc:`../03_linear_regression/01_california_housing` (training,
        validation and test sets; minibatch SGD)
      * data: synthetic (a cubic with noise; a 200-feature linear model), and
        2,000 Fashion-MNIST training images with the 10,000 test images
      * run time: about half a minute on a 2-core CPU
"""

# sphinx_gallery_thumbnail_number = 2

import math

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson.data import load_fashion_mnist

torch.manual_seed(0)

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
# Following D2L, the data come from a cubic with Gaussian noise,
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
# :math:`\operatorname{Var}[\epsilon] = 0.1^2`. A model whose test error sits near
# this floor generalises as well as anything can.
#
# We draw one set of :math:`x` values and compute all features up to degree 20
# (``max_degree``); a polynomial of degree :math:`k` uses the first :math:`k + 1`
# columns. The examples are split into 100 for training, 100 for validation (used
# in the next section) and 100 for testing.

max_degree = 20
n_train, n_val, n_test = 100, 100, 100
noise_std = 0.1
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
noise_floor = (noise[-n_test:] ** 2).mean().item()  # test MSE of the true cubic
print("features:", tuple(poly_features.shape), "| labels:", tuple(labels.shape))
print(f"first example: x = {x[0, 0]:.4f}, features",
      [round(v, 4) for v in poly_features[0, :4].tolist()], "...")
print(f"noise floor on the test set: {noise_floor:.5f} (noise variance "
      f"{noise_std ** 2:.5f})")
assert torch.all(poly_features[:, 0] == 1)
torch.testing.assert_close(poly_features[:, 3], x[:, 0] ** 3 / 6)

# %%
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


# %%
# Three fits:
#
# * degree 3 on the 100 training examples: the right model;
# * degree 1 on the same examples: a straight line, too simple for a cubic;
# * degree 20 on only the first **10** training examples: 21 weights, so the
#   polynomial can pass through every one of the 10 points.

num_epochs = handson.epochs(400)
fits = {
    "degree 3": (3, n_train),
    "degree 1": (1, n_train),
    "degree 20, 10 examples": (20, 10),
}
results = {}
print(f"{'fit':24}{'train loss':>12}{'test loss':>12}")
for name, (degree, n) in fits.items():
    net, train_curve, test_curve = train_poly(degree, X_train[:n], y_train[:n],
                                              X_test, y_test, num_epochs)
    results[name] = (net, train_curve, test_curve)
    print(f"{name:24}{train_curve[-1].item():12.5f}{test_curve[-1].item():12.5f}")

w_cubic = results["degree 3"][0].weight.detach().reshape(-1)
print("degree-3 weights:", [round(v, 3) for v in w_cubic.tolist()])
print("true weights:    ", [round(v, 3) for v in true_w[:4].tolist()])

# %%
# The table tells the story in numbers:
#
# * degree 3 ends with a test loss close to the noise floor printed above, and
#   recovers the true coefficients closely;
# * degree 1 has a *training* loss far above the noise floor: no straight line fits
#   a cubic, however long we train. That is underfitting;
# * degree 20 on 10 examples has a training loss *below* the noise floor (it has
#   fitted part of the noise) and a test loss many times larger. That is
#   overfitting.
#
# These claims are checked (at full settings; the two-epoch smoke test cannot fit
# anything):

train_3, test_3 = (c[-1].item() for c in results["degree 3"][1:])
train_1, test_1 = (c[-1].item() for c in results["degree 1"][1:])
train_20, test_20 = (c[-1].item() for c in results["degree 20, 10 examples"][1:])
print(f"test loss / noise floor: degree 3 {test_3 / noise_floor:.2f}")
print(f"train loss / noise floor: degree 1 {train_1 / noise_floor:.1f}")
print(f"test loss / train loss: degree 20 on 10 examples {test_20 / train_20:.1f}")
handson.check(test_3 < 1.5 * noise_floor,
              "degree 3 reaches a test loss within 50% of the noise floor")
handson.check(torch.allclose(w_cubic, true_w[:4], atol=0.1),
              "degree 3 recovers the true weights to within 0.1")
handson.check(train_1 > 10 * noise_floor,
              "degree 1 underfits: its training loss is over 10 times the floor")
handson.check(train_20 < noise_floor and test_20 > 10 * train_20,
              "degree 20 overfits: training loss below the floor, test loss "
              "more than 10 times the training loss")

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
# On the left both curves fall to the floor together. In the middle they stay
# high together: more training would not help, a more flexible model would. On the
# right the training curve dives below the floor while the test curve levels off
# far above it; the space between the two curves is the generalisation gap.
#
# .. dropdown:: Why does degree 20 not overfit *all* the way?
#
#    With 21 weights and 10 examples, some polynomial passes exactly through all 10
#    points, with training loss 0. Gradient descent does not find it in 400 steps:
#    the high-power features are tiny for most :math:`x`, so their weights get tiny
#    gradients and move slowly from zero. Starting small and stopping early is
#    itself a mild form of regularisation (*early stopping*). The exact
#    least-squares solution does pass through all 10 points; compute it with
#    ``torch.linalg.lstsq(X_train[:10].double(), y_train[:10].double(),
#    driver="gelsd")`` and look at its test loss.
#
# Model selection with a validation set
# -------------------------------------
#
# Above we knew the answer (degree 3). Usually we do not: the degree, the number of
# hidden units, the weight decay below are :term:`hyperparameters <hyperparameter>`
# that we must *choose*. Choosing them by the test loss would be cheating. Every
# choice made on the test set adapts the model a little to the test examples, and
# after enough choices the test loss no longer estimates the error on new data.
#
# So we hold out a third set, the :term:`validation set`: train each candidate on
# the training set, compare the candidates on the validation set, and look at the
# test set **once**, for the chosen model. Here the candidates are the degrees 1 to
# 10, all trained on the same 100 training examples.

degrees = range(1, 11)
val_nets, train_losses, val_losses = {}, {}, {}
for degree in degrees:
    net, train_curve, val_curve = train_poly(degree, X_train, y_train,
                                             X_val, y_val, num_epochs)
    val_nets[degree] = net
    train_losses[degree] = train_curve[-1].item()
    val_losses[degree] = val_curve[-1].item()

best_degree = min(val_losses, key=val_losses.get)
print(f"{'degree':>6}{'train loss':>12}{'val loss':>12}")
for degree in degrees:
    mark = "  <- smallest validation loss" if degree == best_degree else ""
    print(f"{degree:6d}{train_losses[degree]:12.5f}{val_losses[degree]:12.5f}{mark}")

with torch.no_grad():
    best_net = val_nets[best_degree]
    test_loss_best = nn.MSELoss()(best_net(X_test[:, : best_degree + 1]), y_test).item()
print(f"chosen degree {best_degree}: test loss {test_loss_best:.5f} "
      f"(noise floor {noise_floor:.5f})")
handson.check(best_degree in (3, 4, 5),
              "the validation set picks degree 3, 4 or 5")

# %%
# The validation loss in the printed table drops sharply at degree 3; beyond it,
# the extra weights bring no gain, and the smallest validation loss picks the
# degree printed above. The training loss does not keep falling with the degree
# either, although an exact fit could only get better with more features: in 400
# steps gradient descent hardly moves the weights of the high powers (see the
# dropdown above), and the extra columns slow down the fit of the others. In a
# picture:

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(list(degrees), list(train_losses.values()), "o-", label="train")
ax.semilogy(list(degrees), list(val_losses.values()), "s--", label="validation")
ax.axhline(noise_floor, color="gray", ls=":", label="noise floor")
ax.axvline(best_degree, color="C3", alpha=0.3, lw=6, label="chosen degree")
ax.set_xlabel("degree of the polynomial (model complexity)")
ax.set_ylabel("mean squared error after training")
ax.set_title("Choosing the degree on a validation set")
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
handson.check(test_decay < 0.01 * test_plain,
              "weight decay (lambda = 3) cuts the test loss at least a hundredfold")

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
# Three properties hold whatever the random draw, and we check them: :math:`p = 0`
# changes nothing, :math:`p = 1` zeroes everything, and on a large tensor of ones
# the fraction of zeros is close to :math:`p` while the mean stays close to 1 (its
# standard deviation is :math:`\sqrt{p / ((1-p) N)}` for :math:`N` entries, about
# 0.003 here, so the tolerance of 0.02 is generous).

assert torch.equal(dropout_layer(X, 0.0), X)
assert torch.equal(dropout_layer(X, 1.0), torch.zeros_like(X))
ones = torch.ones(100_000)
for p in (0.2, 0.5, 0.8):
    dropped = dropout_layer(ones, p)
    zero_fraction, mean = (dropped == 0).float().mean().item(), dropped.mean().item()
    print(f"p = {p}: fraction of zeros {zero_fraction:.4f}, mean {mean:.4f}")
    assert abs(zero_fraction - p) < 0.02 and abs(mean - 1) < 0.02

# %%
# The network is D2L's: an MLP for Fashion-MNIST with two hidden layers of 256
# units and dropout after each, with probabilities :math:`p_1` and :math:`p_2`. D2L
# takes :math:`p_1 = 0.2, p_2 = 0.5` (less dropout close to the input); we take
# :math:`p_1 = p_2 = 0.5`, the value Srivastava et al. recommend for hidden units,
# because with the small training set below the stronger setting shows its effect
# more clearly (try D2L's values yourself). ``self.training`` is a flag that every
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
# the network start from the same weights; one has dropout
# (:math:`p_1 = p_2 = 0.5`), the other has none (:math:`p = 0` makes
# ``nn.Dropout`` the identity).
#
# We train with :class:`torch.optim.Adam`, a variant of SGD that adapts the step
# size of each parameter on its own (a later chapter explains it). Plain SGD works
# too, but on 2,000 images its accuracy jumps by several points from one epoch to
# the next, which would hide the difference we want to measure. We call
# ``handson.train`` for one epoch at a time so that after every epoch we can
# measure the training and the test accuracy in evaluation mode.

device = handson.device()
X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
n_subset = 2_000
X_train, y_train = X_train[:n_subset], y_train[:n_subset]
print(f"training on {len(X_train)} images, testing on {len(X_test)}, on {device}")

lr, num_epochs, batch_size = 0.001, handson.epochs(30), 64
loss = nn.CrossEntropyLoss()


def fit(net):
    """Train net with Adam; return its training and test accuracy after each epoch.

    Both accuracies are measured in evaluation mode (dropout off).
    """
    trainer = torch.optim.Adam(net.parameters(), lr=lr)
    train_acc, test_acc = [], []
    for epoch in range(num_epochs):
        handson.train(net, (X_train, y_train), None, loss, trainer, 1, batch_size,
                      device=device, progress=False, verbose=False)
        train_acc.append(handson.evaluate_accuracy(net, X_train, y_train))
        test_acc.append(handson.evaluate_accuracy(net, X_test, y_test))
        if (epoch + 1) % 5 == 0 or epoch + 1 == num_epochs:
            print(f"epoch {epoch + 1:3d}  train acc {train_acc[-1]:.4f}  "
                  f"test acc {test_acc[-1]:.4f}")
    return torch.tensor(train_acc), torch.tensor(test_acc)


torch.manual_seed(1)
net_plain = make_mlp(0.0, 0.0).to(device)
net_dropout = make_mlp(dropout1, dropout2).to(device)
net_dropout.load_state_dict(net_plain.state_dict())  # the same starting weights

print("without dropout:")
torch.manual_seed(2)
train_plain, test_plain = fit(net_plain)
print("with dropout:")
torch.manual_seed(2)
train_dropout, test_dropout = fit(net_dropout)

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

handson.check(gaps["without dropout"] > 0.1,
              "without dropout the network overfits: a gap of more than 0.1")
handson.check(gaps["with dropout"] < gaps["without dropout"] - 0.02,
              "dropout shrinks the generalisation gap by more than 0.02")
handson.check(test_dropout[last].mean() > test_plain[last].mean() - 0.01,
              "dropout costs no test accuracy (within 0.01)")

# %%
# The printed table shows the network without dropout fitting its 2,000 training
# images far better than the test images: a large gap. Dropout makes the training
# set harder to memorise, so the training accuracy rises more slowly, and the gap
# is smaller, while the test accuracy is at least as good. With this little data
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
#   ``torch.optim.SGD(..., weight_decay=lambd)`` does exactly that.
# * Dropout zeroes each hidden unit with probability :math:`p` during training and
#   scales the rest by :math:`1/(1-p)`; ``nn.Dropout`` does it only in training
#   mode, so call ``net.eval()`` before evaluating.

# %%
# Exercises
# ---------
#
# 1. Fit the degree-20 polynomial on all 100 training examples instead of 10. What
#    happens to the gap between training and test loss? What does that say about
#    the relation between model complexity and the amount of data? (Later sections
#    reuse the names ``X_train``, ...: take the polynomial data from
#    ``poly_features`` and ``labels``, whose first 100 rows are the training
#    examples and last 100 the test examples.)
#
#    .. dropdown:: Answer
#
#       The gap closes: with 100 examples, 21 weights are no longer enough to fit
#       the noise of each point, and the training and test losses end close to each
#       other and to the noise floor. Whether a model overfits depends on its
#       complexity *relative to* the data; more data is the most reliable cure.
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
# 5. **Programming task.** Put weight decay and model selection together. Fit the
#    degree-20 polynomial on the 10 examples again, now with weight decay, for
#    :math:`\lambda` in ``[0, 0.001, 0.01, 0.1, 1]``; choose :math:`\lambda` by the
#    loss on the 100 validation examples; report the test loss of the chosen fit
#    and compare it with the fit without decay. (The polynomial data were renamed
#    above, so rebuild the splits from ``poly_features`` and ``labels``.)
#
#    .. dropdown:: Worked answer
#
#       ``train_poly`` needs only one more argument, passed on to the optimiser.
#       There is no bias to exempt here; the weight of the constant feature is
#       decayed too, which is harmless for small :math:`\lambda`.
#
#       .. code-block:: python
#
#          Xp_train, Xp_val, Xp_test = poly_features.split([100, 100, 100])
#          yp_train, yp_val, yp_test = labels.split([100, 100, 100])
#
#          def train_poly_wd(lambd, num_epochs=400, lr=0.1):
#              net = nn.Linear(max_degree + 1, 1, bias=False)
#              nn.init.zeros_(net.weight)
#              trainer = torch.optim.SGD(net.parameters(), lr=lr,
#                                        weight_decay=lambd)
#              loss = nn.MSELoss()
#              for epoch in range(num_epochs):
#                  l = loss(net(Xp_train[:10]), yp_train[:10])
#                  trainer.zero_grad()
#                  l.backward()
#                  trainer.step()
#              return net
#
#          loss = nn.MSELoss()
#          val_loss, nets = {}, {}
#          for lambd in [0, 0.001, 0.01, 0.1, 1]:
#              nets[lambd] = train_poly_wd(lambd)
#              with torch.no_grad():
#                  val_loss[lambd] = loss(nets[lambd](Xp_val), yp_val).item()
#              print(f"lambda = {lambd}: validation loss {val_loss[lambd]:.4f}")
#          best = min(val_loss, key=val_loss.get)
#          with torch.no_grad():
#              test_best = loss(nets[best](Xp_test), yp_test).item()
#              test_plain = loss(nets[0](Xp_test), yp_test).item()
#          print(f"chosen lambda = {best}: test loss {test_best:.4f}, "
#                f"without decay {test_plain:.4f}")
#
#       The validation set picks a small :math:`\lambda`, and its test loss comes
#       out a little below that of the fit without decay, but only a little: after
#       400 steps from zero the high-power weights have barely moved anyway (the
#       dropdown on degree 20 explains why), so there is little left for the penalty
#       to remove. The large values pull every weight, the cubic's included,
#       towards zero, and the validation loss shoots up: underfitting.
