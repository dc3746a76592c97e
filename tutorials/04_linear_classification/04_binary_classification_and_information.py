"""
Binary classification and information
=====================================

Many questions have only two answers: spam or not, tumour or not, coat or
pullover. For them softmax regression is more than we need. *Logistic regression*
computes a single score per example, turns it into a probability with the sigmoid
function, and is trained with the *binary cross-entropy*. On this page we derive
that loss from the Bernoulli likelihood, write the model from scratch and then with
``nn.Linear(784, 1)`` and ``nn.BCEWithLogitsLoss``, and train it to tell Fashion-MNIST
coats from pullovers. We then show that a two-class softmax *is* a sigmoid, and
finish with the second road to the cross-entropy, information theory: entropy,
cross-entropy, the Kullback-Leibler divergence, and what nats and bits are.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the sigmoid and its inverse, the logit (log-odds)
      * derive the binary cross-entropy as the negative log of the Bernoulli
        likelihood, and its gradient :math:`(\\sigma(z) - y)\\,\\mathbf{x}`
      * write logistic regression from scratch, then with ``nn.Linear(d, 1)`` and
        ``nn.BCEWithLogitsLoss``, checked equal; and why the loss must take logits
      * see that a two-class softmax is a sigmoid, so one output suffices
      * entropy, cross-entropy, KL divergence, Gibbs' inequality; the
        classification loss as :math:`H(\\text{one-hot label}, \\hat{\\mathbf{y}})`;
        nats and bits

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`02_softmax_regression_scratch` (softmax, cross-entropy, the gradient
        :math:`\\hat{\\mathbf{y}} - \\mathbf{y}`, the training loop)
      * :doc:`03_softmax_regression_concise` (``nn.Linear``, fused losses,
        ``torch.optim.SGD``)
      * :doc:`01_image_classification_data` (Fashion-MNIST)
      * data: two classes of Fashion-MNIST, loaded by ``handson.data``
"""

# sphinx_gallery_thumbnail_number = 2

import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

import handson
from handson.data import FASHION_MNIST_CLASSES, load_fashion_mnist

handson.seed(0)
device = handson.device()
print(f"training on {device}")

# %%
# One score, one probability
# --------------------------
#
# In binary classification the label is :math:`y \in \{0, 1\}`: 1 for the
# *positive* class, 0 for the other. Instead of :math:`q` logits, the model
# computes one score per example,
#
# .. math::
#
#    z = \mathbf{w}^\top \mathbf{x} + b, \qquad \mathbf{w} \in \mathbb{R}^d,\
#    b \in \mathbb{R},
#
# and reads it as the probability of the positive class through the *sigmoid*
# (logistic) function
#
# .. math::
#
#    P(y = 1 \mid \mathbf{x}) = \sigma(z) = \frac{1}{1 + \exp(-z)} .
#
# The sigmoid maps any real number into :math:`(0, 1)`, is 1/2 at :math:`z = 0`,
# and is symmetric: :math:`\sigma(-z) = 1 - \sigma(z)`, so the probability of the
# *negative* class is :math:`\sigma(-z)`. The model predicts class 1 when
# :math:`\sigma(z) > 1/2`, that is when :math:`z > 0`.
#
# Which score gives probability :math:`p`? Solve :math:`p = \sigma(z)` for
# :math:`z`:
#
# .. math::
#
#    z = \operatorname{logit}(p) = \log \frac{p}{1 - p} .
#
# :math:`p / (1 - p)` are the *odds* of the positive class (3 to 1 when
# :math:`p = 3/4`), so the score is the *log-odds*. That is where the word
# :term:`logit` for a classifier's raw score comes from. The two functions are
# inverses; in ``float64``, on a grid of scores and of probabilities:


def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z))."""
    return 1 / (1 + torch.exp(-z))


def logit(p):
    """The log-odds log(p / (1 - p)), the inverse of the sigmoid."""
    return torch.log(p) - torch.log1p(-p)


z_grid = torch.linspace(-20, 20, 401, dtype=torch.float64)
p_grid = torch.linspace(0.001, 0.999, 999, dtype=torch.float64)
torch.testing.assert_close(logit(sigmoid(z_grid)), z_grid)
torch.testing.assert_close(sigmoid(logit(p_grid)), p_grid)
torch.testing.assert_close(sigmoid(-z_grid), 1 - sigmoid(z_grid))
torch.testing.assert_close(sigmoid(z_grid), torch.sigmoid(z_grid))
torch.testing.assert_close(logit(p_grid), torch.logit(p_grid))
print(f"sigmoid(0) = {sigmoid(torch.tensor(0.0)).item()}, "
      f"logit(3/4) = log 3 = {logit(torch.tensor(0.75)).item():.4f}")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
axes[0].plot(z_grid, sigmoid(z_grid))
axes[0].set(xlim=(-8, 8), xlabel="score z", ylabel=r"$\sigma(z)$",
            title="sigmoid: score to probability")
axes[1].plot(p_grid, logit(p_grid), color="C1")
axes[1].set(xlabel="probability p", ylabel="logit(p)",
            title="logit: probability to log-odds")
for ax in axes:
    ax.axhline(0.5 if ax is axes[0] else 0, color="gray", lw=0.8, ls="--")
    ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %%
# The binary cross-entropy
# ------------------------
#
# The model gives probability :math:`\sigma(z)` to :math:`y = 1` and
# :math:`1 - \sigma(z)` to :math:`y = 0`. Both cases fit in one formula, the
# *Bernoulli* distribution (the exponent that is 0 makes its factor 1):
#
# .. math::
#
#    P(y \mid \mathbf{x}) = \sigma(z)^{y} \, (1 - \sigma(z))^{1 - y} .
#
# Maximum likelihood, as on the softmax page: the examples are independent, so the
# likelihood is a product; we minimise its negative logarithm, a sum of per-example
# terms, the *binary cross-entropy*
#
# .. math::
#
#    \ell(y, z) = -y \log \sigma(z) - (1 - y) \log (1 - \sigma(z)) .
#
# Written as above, the loss computes a probability and then takes its log, which
# we know from the softmax pages to be fragile. Rewrite it in terms of :math:`z`.
# With the *softplus* :math:`\operatorname{softplus}(z) = \log(1 + e^{z})`,
#
# .. math::
#
#    -\log \sigma(z) = \log(1 + e^{-z}) = \operatorname{softplus}(-z), \qquad
#    -\log(1 - \sigma(z)) = -\log \sigma(-z) = \operatorname{softplus}(z),
#
# and :math:`\operatorname{softplus}(-z) = \operatorname{softplus}(z) - z` (take
# :math:`e^{-z}` out of the logarithm). Hence
#
# .. math::
#
#    \ell(y, z) = \operatorname{softplus}(z) - y z ,
#    \qquad
#    \frac{\partial \ell}{\partial z} = \sigma(z) - y ,
#    \qquad
#    \frac{\partial \ell}{\partial \mathbf{w}} = (\sigma(z) - y)\, \mathbf{x},
#    \quad \frac{\partial \ell}{\partial b} = \sigma(z) - y ,
#
# because the derivative of :math:`\log(1 + e^{z})` is
# :math:`e^{z} / (1 + e^{z}) = \sigma(z)`, and :math:`\partial z / \partial
# \mathbf{w} = \mathbf{x}`. It is *probability minus truth* again, exactly as for
# softmax regression. The softplus itself is a log-sum-exp,
# :math:`\log(e^{0} + e^{z})`, of the two numbers 0 and :math:`z`, so we compute it
# with the trick of :doc:`02_softmax_regression_scratch`: subtract the larger one,
# :math:`m = \max(0, z)`, so that no exponent is positive. The result does not
# depend on :math:`m`, so autograd may treat it as a constant (``.detach()``).


def softplus(z):
    """log(1 + exp(z)) = log(exp(0) + exp(z)), by the log-sum-exp trick."""
    m = torch.clamp(z, min=0).detach()
    return m + torch.log(torch.exp(-m) + torch.exp(z - m))


def bce_naive(z, y):
    """Mean binary cross-entropy through probabilities, as in the first formula."""
    p = sigmoid(z)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def bce(z, y):
    """Mean binary cross-entropy of scores z against labels y in {0, 1}, stably."""
    return (softplus(z) - y * z).mean()


z_toy = torch.tensor([-3.0, -0.5, 0.0, 1.0, 4.0], requires_grad=True)
y_toy = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0])
torch.testing.assert_close(bce(z_toy, y_toy), bce_naive(z_toy, y_toy))
torch.testing.assert_close(softplus(z_grid), F.softplus(z_grid))
bce(z_toy, y_toy).backward()
torch.testing.assert_close(z_toy.grad, (sigmoid(z_toy) - y_toy) / len(y_toy))
print(f"loss {bce(z_toy, y_toy).item():.4f}; d loss / dz = (sigmoid(z) - y) / n = "
      f"{z_toy.grad.tolist()}")

# %%
# The data: coats and pullovers
# -----------------------------
#
# We need a real two-class task. We take two Fashion-MNIST classes that a linear
# model finds hard to tell apart: *pullover* and *coat*. Both are long-sleeved
# upper-body garments with the same silhouette, the group in which the confusion
# matrix of :doc:`03_softmax_regression_concise` found the hardest class and the
# most frequent mistake; what separates them, such as an opening down the front,
# buttons or pockets, is a matter of details rather than outline. Exercise 4 tries
# other pairs. The two classes have about the same number
# of images (the shares are printed below), so guessing scores about one half.
#
# ``coat`` is the positive class, :math:`y = 1`. The labels are stored as
# ``float32``, because the loss multiplies them with scores. As before, we
# flatten the images and standardise each pixel with the statistics of the
# training images.

POSITIVE, NEGATIVE = "coat", "pullover"
pos_label = FASHION_MNIST_CLASSES.index(POSITIVE)
neg_label = FASHION_MNIST_CLASSES.index(NEGATIVE)


def two_classes(split):
    """Images of the two classes, flattened, and labels 1.0 (coat) or 0.0."""
    X, labels = load_fashion_mnist(split)
    keep = (labels == pos_label) | (labels == neg_label)
    return X[keep].reshape(int(keep.sum()), -1), (labels[keep] == pos_label).float()


X_train, y_train = two_classes("train")
X_test_raw, y_test = two_classes("test")
mu, sigma, eps = X_train.mean(dim=0), X_train.std(dim=0), 0.1
X_train = ((X_train - mu) / (sigma + eps)).to(device)
X_test = ((X_test_raw - mu) / (sigma + eps)).to(device)
y_train, y_test = y_train.to(device), y_test.to(device)
num_inputs = X_train.shape[1]
print(f"train {tuple(X_train.shape)}, share of coats {y_train.mean().item():.3f} | "
      f"test {tuple(X_test.shape)}, share of coats {y_test.mean().item():.3f}")
assert abs(y_test.mean().item() - 0.5) < 0.1, "the classes are (nearly) balanced"

# %%
# Logistic regression from scratch
# --------------------------------
#
# The model is softmax regression with one output: a weight vector and a scalar
# bias, started as on the previous pages. Its scores have shape ``(n,)``, one per
# example. The accuracy counts the examples where the sign of the score matches the
# label.

w = torch.normal(0, 0.01, size=(num_inputs,)).to(device).requires_grad_()
b = torch.zeros((), device=device, requires_grad=True)


def net(X):
    """Logistic regression's scores z = X w + b, one per example."""
    return X @ w + b


def accuracy(z, y):
    """Fraction of examples whose predicted class (z > 0) equals the label."""
    return ((z > 0).float() == y).sum().item() / len(y)


def sgd(params, lr):
    """Minibatch SGD step for the mean loss of a batch; then zero the gradients."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad
            param.grad.zero_()


X_batch, y_batch = X_train[:256], y_train[:256]
l = bce(net(X_batch), y_batch)
print(f"loss of the untrained model: {l.item():.4f}, log 2 = {math.log(2):.4f}")
assert abs(l.item() - math.log(2)) < 0.1, "scores near 0: probability 1/2 each"

# %%
# Before training, the scores are near 0 and every probability is near 1/2, so the
# loss is near :math:`\log 2`, the two-class version of the :math:`\log q` check of
# :doc:`02_softmax_regression_scratch`. The gradient with respect to the
# parameters, derived above as :math:`\frac{1}{n}\sum_i (\sigma(z_i) - y_i)
# \mathbf{x}_i`, is the matrix product :math:`\frac{1}{n}\mathbf{X}^\top
# (\sigma(\mathbf{z}) - \mathbf{y})`. Autograd agrees:

l.backward()
with torch.no_grad():
    residual = sigmoid(net(X_batch)) - y_batch
torch.testing.assert_close(w.grad, X_batch.T @ residual / len(y_batch))
torch.testing.assert_close(b.grad, residual.mean())
w.grad.zero_()
b.grad.zero_()
print("d loss / d w equals X^T (sigmoid(z) - y) / n")

# %%
# The training loop is the one of the softmax pages, with the new loss and
# accuracy. It takes an ``updater`` that performs one step, so that the concise
# model below can use it too, and a random generator for the order of the
# minibatches, so that both models can be shown the same batches.


def train(net, loss, updater, num_epochs, batch_size, generator):
    """Train a binary classifier; return per-epoch train loss and test accuracy."""
    history = {"train_loss": [], "test_acc": []}
    for epoch in range(num_epochs):
        loss_sum = torch.zeros((), device=device)
        for X, y in handson.batches(X_train, y_train, batch_size, generator=generator):
            l = loss(net(X), y)
            l.backward()
            updater()
            loss_sum += l.detach() * len(y)
        with torch.no_grad():
            test_acc = accuracy(net(X_test), y_test)
        history["train_loss"].append(loss_sum.item() / len(y_train))
        history["test_acc"].append(test_acc)
        print(f"epoch {epoch + 1}  loss {history['train_loss'][-1]:.4f}  "
              f"test acc {test_acc:.4f}")
    return history


lr, num_epochs, batch_size = 0.1, handson.epochs(10), 256
w0, b0 = w.detach().clone(), b.detach().clone()  # the start, for the concise model
batch_seed = int(torch.randint(0, 2**31, ()))  # the order of the batches, for both
history = train(net, bce, lambda: sgd([w, b], lr), num_epochs, batch_size,
                torch.Generator().manual_seed(batch_seed))

# %%
# Logistic regression, concise
# ----------------------------
#
# In ``torch.nn`` the model is ``nn.Linear(784, 1)``: one output, whose ``weight``
# of shape ``(1, 784)`` is :math:`\mathbf{w}^\top`. The loss is
# ``nn.BCEWithLogitsLoss``: it takes the **scores** (logits) and float labels, and
# computes :math:`\operatorname{softplus}(z) - yz` in one fused, stable step, as
# ``nn.CrossEntropyLoss`` does for the softmax. The layer returns a column of shape
# ``(n, 1)``; ``.squeeze(1)`` makes it the vector of shape ``(n,)`` that matches
# the labels.
#
# .. warning::
#
#    ``nn.BCEWithLogitsLoss`` refuses a score column of shape ``(n, 1)`` with
#    labels of shape ``(n,)``, which is good: the elementwise losses of
#    ``nn.MSELoss`` *broadcast* these two shapes to an :math:`n \times n` matrix
#    and compute the wrong thing, with no more than a warning.

net_concise = nn.Sequential(nn.Linear(num_inputs, 1), nn.Flatten(0)).to(device)
loss = nn.BCEWithLogitsLoss()
with torch.no_grad():  # start where the scratch model started
    net_concise[0].weight.copy_(w0[None, :])
    net_concise[0].bias.copy_(b0[None])
print(net_concise)
try:
    loss(net_concise[0](X_batch), y_batch)
except ValueError as err:
    print("shape (n, 1) against (n,):", err)

# %%
# ``nn.Flatten(0)`` flattens the ``(n, 1)`` column into a vector of shape
# ``(n,)``, so that ``net_concise`` returns scores shaped like those of ``net``.
# On the same batch and from the same parameters, the scratch and the library
# versions must give the same loss and the same gradients, to 1e-6:

w_s = w0.clone().requires_grad_()
b_s = b0.clone().requires_grad_()
l_scratch = bce(X_batch @ w_s + b_s, y_batch)
l_scratch.backward()
l_concise = loss(net_concise(X_batch), y_batch)
l_concise.backward()
tol = {"atol": 1e-6, "rtol": 0}
torch.testing.assert_close(l_concise, l_scratch, **tol)
torch.testing.assert_close(net_concise[0].weight.grad[0], w_s.grad, **tol)
torch.testing.assert_close(net_concise[0].bias.grad[0], b_s.grad, **tol)
torch.testing.assert_close(F.binary_cross_entropy_with_logits(
    net_concise(X_batch), y_batch), l_scratch, **tol)
print(f"batch loss: from scratch {l_scratch.item():.7f}, "
      f"BCEWithLogitsLoss {l_concise.item():.7f}; largest gradient difference "
      f"{(net_concise[0].weight.grad[0] - w_s.grad).abs().max().item():.1e}")

# %%
# Trained with ``torch.optim.SGD``, the same learning rate and the same order of
# minibatches, the concise model follows the scratch one step by step; after all
# epochs the two weight vectors still agree up to rounding:

trainer = torch.optim.SGD(net_concise.parameters(), lr=lr)


def concise_updater():
    trainer.step()
    trainer.zero_grad()


trainer.zero_grad()
history_concise = train(net_concise, loss, concise_updater, num_epochs, batch_size,
                        torch.Generator().manual_seed(batch_seed))
gap = (net_concise[0].weight[0] - w).abs().max().item()
print(f"largest weight difference scratch vs concise after training: {gap:.1e} "
      f"(largest weight {w.abs().max().item():.2f})")
torch.testing.assert_close(net_concise[0].weight[0], w, atol=1e-4, rtol=1e-4)

# %%
# Why the loss must take logits
# -----------------------------
#
# ``nn.BCEWithLogitsLoss`` is not a convenience: the two-step route, first
# ``torch.sigmoid`` then a log, fails in ``float32`` for scores that a trained
# model easily produces. For a very negative :math:`z` the probability
# :math:`\sigma(z)` rounds to 0 and :math:`\log \sigma(z) = -\infty`; for a
# positive :math:`z` as small as 20, :math:`\sigma(z)` rounds to exactly 1 and
# :math:`\log(1 - \sigma(z)) = -\infty`. Per example, with the label that makes each
# score a confident mistake:

z_big = torch.tensor([-200.0, -20.0, 0.0, 20.0, 200.0], requires_grad=True)
y_big = torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0])
naive = -(y_big * torch.log(torch.sigmoid(z_big))
          + (1 - y_big) * torch.log(1 - torch.sigmoid(z_big)))
fused = F.binary_cross_entropy_with_logits(z_big, y_big, reduction="none")
print("sigmoid(z) in float32:  ", torch.sigmoid(z_big).detach())
print("loss via log(sigmoid):  ", naive.detach())
print("BCEWithLogitsLoss:      ", fused.detach())
naive.sum().backward()
print("gradient via sigmoid:   ", z_big.grad)
assert torch.isinf(naive).any() and torch.isnan(z_big.grad).any()
assert torch.isfinite(fused).all()
torch.testing.assert_close(fused, softplus(z_big) - y_big * z_big)
torch.testing.assert_close(fused[[0, 4]].detach(), torch.tensor([200.0, 200.0]))

# %%
# The fused loss returns the exact :math:`|z|` for the confident mistakes and a
# finite gradient :math:`\sigma(z) - y`; the two-step route returns ``inf`` and
# a ``nan`` gradient, which would poison every parameter at the next update.
# PyTorch's ``nn.BCELoss``, which takes probabilities, hides the problem rather
# than solving it: it clamps each log at -100, so it reports a finite but wrong
# loss:

bce_probs = F.binary_cross_entropy(torch.sigmoid(z_big.detach()), y_big,
                                   reduction="none")
print("BCELoss on sigmoid(z):  ", bce_probs)
assert bce_probs[0].item() == 100.0

# %%
# Two classes: softmax is a sigmoid
# ---------------------------------
#
# Could we have used softmax regression with :math:`q = 2` outputs instead? Yes,
# and it computes the same thing. With two logits :math:`o_1, o_2`, divide the
# numerator and the denominator of the softmax by :math:`\exp(o_2)`:
#
# .. math::
#
#    \operatorname{softmax}(\mathbf{o})_2 = \frac{\exp(o_2)}{\exp(o_1) + \exp(o_2)}
#    = \frac{1}{1 + \exp(-(o_2 - o_1))} = \sigma(o_2 - o_1) .
#
# Only the *difference* of the two logits matters (the softmax ignores a constant
# added to all logits), and the cross-entropy of the two-logit model equals the
# binary cross-entropy of the score :math:`z = o_2 - o_1`. Numerically, on random
# logits (in code, class 1 is the second column), with ``nn.CrossEntropyLoss`` on
# the two logits and ``nn.BCEWithLogitsLoss`` (our ``loss``) on their difference:

O2 = torch.randn(1000, 2) * 5
y2 = torch.randint(0, 2, (1000,))
z2 = O2[:, 1] - O2[:, 0]
torch.testing.assert_close(torch.softmax(O2, dim=1)[:, 1], torch.sigmoid(z2))
l_softmax2 = nn.CrossEntropyLoss()(O2, y2)
l_sigmoid = loss(z2, y2.float())
torch.testing.assert_close(l_softmax2, l_sigmoid, **tol)
print(f"largest |softmax(o)[1] - sigmoid(o2 - o1)|: "
      f"{(torch.softmax(O2, dim=1)[:, 1] - torch.sigmoid(z2)).abs().max():.1e}; "
      f"losses {l_softmax2.item():.7f} and {l_sigmoid.item():.7f}")

# %%
# In the other direction, our trained logistic regression *is* a two-class
# softmax regression whose first class has the weights 0 and the second
# :math:`\mathbf{w}`: its ``CrossEntropyLoss`` and accuracy on the test set are
# those of the logistic model.

with torch.no_grad():
    z_test = net(X_test)
    O_test = torch.stack([torch.zeros_like(z_test), z_test], dim=1)
    y_test_int = y_test.long()
    torch.testing.assert_close(F.cross_entropy(O_test, y_test_int),
                               bce(z_test, y_test), **tol)
assert handson.accuracy(O_test, y_test_int) == accuracy(z_test, y_test)
print(f"test loss: two-class softmax {F.cross_entropy(O_test, y_test_int):.6f}, "
      f"logistic {bce(z_test, y_test):.6f}")

# %%
# So a binary classifier needs one output, not two. The second output adds
# :math:`d + 1` parameters that change nothing the model can express: adding the
# same vector to both weight columns leaves every prediction unchanged. It does
# no harm to the predictions, but one output with ``nn.BCEWithLogitsLoss`` is
# the standard form, and it is
# the form that extends to *multi-label* problems, where each of several yes/no
# questions gets its own sigmoid.
#
# Information theory: the second road to cross-entropy
# ----------------------------------------------------
#
# We derived both cross-entropy losses from maximum likelihood. Their name comes
# from information theory, which gives a second reading of the same formulas
# (D2L covers it in a section of its softmax chapter and in more depth in an
# appendix on information theory).
#
# **Self-information.** Shannon measured the information in observing an event
# of probability :math:`p` by its *surprisal*
#
# .. math::
#
#    I = -\log p = \log \frac{1}{p} .
#
# A certain event carries no information; the rarer the event, the more; and the
# information of independent events adds up, because their probabilities
# multiply. With :math:`\log_2` the unit is the *bit*: a fair coin flip is 1 bit.
# D2L's appendix opens with cards: "I see a heart", "this is the 3 of spades",
# and the order of a whole shuffled deck:

cards = {"a heart": 1 / 4, "the 3 of spades": 1 / 52,
         "the order of the deck": math.exp(-math.lgamma(53))}  # 1 / 52!
for event, p in cards.items():
    print(f"{event:>22s}: -log2 p = {-math.log2(p):7.2f} bits")

# %%
# **Entropy.** The *entropy* of a distribution :math:`P` over :math:`k` outcomes
# is its expected surprisal,
#
# .. math::
#
#    H(P) = -\sum_{j=1}^{k} P(j) \log P(j) ,
#
# with :math:`0 \log 0 = 0`. It measures how uncertain the outcome is: 0 for a
# certain outcome, and largest, :math:`\log k`, for the uniform distribution.
# Shannon's source coding theorem, as D2L states it, makes it a limit: encoding
# outcomes drawn from :math:`P` takes at least :math:`H(P)` per outcome on
# average. ``torch.xlogy(p, q)`` computes :math:`p \log q` with the convention
# that it is 0 when :math:`p = 0`, which one-hot vectors need. We check the two
# properties on many random distributions, drawn from a Dirichlet distribution
# (a standard way to sample probability vectors), in ``float64``:


def entropy(P):
    """Entropy -sum_j P_j log P_j of each row of P, in nats."""
    return -torch.xlogy(P, P).sum(dim=-1)


def cross_entropy(P, Q):
    """Cross-entropy -sum_j P_j log Q_j of each row pair, in nats."""
    return -torch.xlogy(P, Q).sum(dim=-1)


def kl_divergence(P, Q):
    """Kullback-Leibler divergence D(P || Q) = H(P, Q) - H(P), in nats."""
    return cross_entropy(P, Q) - entropy(P)


k, num_draws = 10, handson.shrink(20_000, 5_000)
dirichlet = torch.distributions.Dirichlet(torch.full((k,), 0.5, dtype=torch.float64))
P_rand = dirichlet.sample((num_draws,))
H = entropy(P_rand)
uniform = torch.full((k,), 1 / k, dtype=torch.float64)
print(f"{num_draws} random distributions over {k} outcomes: entropy from "
      f"{H.min().item():.3f} to {H.max().item():.3f} nats; uniform: "
      f"{entropy(uniform).item():.4f} = log {k} = {math.log(k):.4f}")
assert (H >= 0).all() and (H <= math.log(k)).all()
assert math.isclose(entropy(uniform).item(), math.log(k), rel_tol=1e-12)
assert entropy(torch.eye(k, dtype=torch.float64)).abs().max() == 0  # certain

# %%
# **Cross-entropy.** If the outcomes come from :math:`P` but we encode them, or
# predict them, with a distribution :math:`Q`, the expected surprisal is the
# *cross-entropy*
#
# .. math::
#
#    H(P, Q) = -\sum_{j=1}^{k} P(j) \log Q(j) \ \ge\ H(P) ,
#
# with equality only for :math:`Q = P`. This is *Gibbs' inequality*: nobody is
# less surprised on average than the one who knows the true distribution. Over
# many random pairs:

Q_rand = dirichlet.sample((num_draws,))
excess = cross_entropy(P_rand, Q_rand) - entropy(P_rand)
print(f"H(P, Q) - H(P) over {num_draws} random pairs: smallest "
      f"{excess.min().item():.4f}, median {excess.median().item():.3f}")
assert (excess >= 0).all()
torch.testing.assert_close(cross_entropy(P_rand, P_rand), entropy(P_rand))

# %%
# **Kullback-Leibler divergence.** The excess is the *KL divergence*
#
# .. math::
#
#    D_{\mathrm{KL}}(P \,\|\, Q) = H(P, Q) - H(P)
#    = \sum_{j=1}^{k} P(j) \log \frac{P(j)}{Q(j)} \ \ge\ 0 ,
#
# the extra surprisal caused by believing :math:`Q` when the truth is :math:`P`.
# It behaves like a distance (0 only when :math:`Q = P`) but is *not symmetric*:
# mistaking a fair coin for a biased one costs a different amount than the
# reverse. PyTorch's :func:`torch.nn.functional.kl_div` computes it, with an
# argument order that trips many people: the *log* of :math:`Q` first, then
# :math:`P`.

P_coin = torch.tensor([0.5, 0.5], dtype=torch.float64)
Q_coin = torch.tensor([0.99, 0.01], dtype=torch.float64)
kl_pq, kl_qp = kl_divergence(P_coin, Q_coin), kl_divergence(Q_coin, P_coin)
print(f"D(fair || biased) = {kl_pq.item():.4f} nats, "
      f"D(biased || fair) = {kl_qp.item():.4f} nats")
torch.testing.assert_close(kl_pq, F.kl_div(Q_coin.log(), P_coin, reduction="sum"))
assert abs(kl_pq.item() - kl_qp.item()) > 0.1, "KL is not symmetric"

# %%
# **Minimising the cross-entropy recovers P.** Gibbs' inequality says that, for a
# fixed :math:`P`, the :math:`Q` with the smallest cross-entropy is :math:`P`
# itself. A small optimisation shows it: let :math:`Q = \operatorname{softmax}
# (\mathbf{o})` and run gradient descent on :math:`H(P, Q)` over the logits
# :math:`\mathbf{o}`, starting from the uniform :math:`Q`, for a target
# :math:`P` drawn at random (from a Dirichlet distribution that avoids tiny
# probabilities, which would take many steps to reach). The gradient is
# :math:`Q - P`, the *probability minus truth* of the softmax pages, with a
# whole distribution as the truth.

P_target = torch.distributions.Dirichlet(torch.full((k,), 2.0, dtype=torch.float64)
                                         ).sample()
o = torch.zeros(k, dtype=torch.float64, requires_grad=True)
num_steps = 2000
for step in range(num_steps):
    l = cross_entropy(P_target, torch.softmax(o, dim=0))
    l.backward()
    if step == 0:
        torch.testing.assert_close(o.grad, torch.softmax(o, dim=0) - P_target)
    with torch.no_grad():
        o -= 1.0 * o.grad
        o.grad.zero_()
Q_fit = torch.softmax(o, dim=0).detach()
print("P:         ", P_target.numpy().round(4))
print("fitted Q:  ", Q_fit.numpy().round(4))
print(f"H(P, Q) - H(P) after {num_steps} steps: "
      f"{kl_divergence(P_target, Q_fit).item():.1e} nats")
assert (Q_fit - P_target).abs().max() < 1e-3

# %%
# **The link to our losses.** The loss of the softmax pages is the
# cross-entropy between two distributions over the :math:`q` classes: the label
# as a one-hot vector :math:`\mathbf{y}`, the distribution that puts all
# probability on the true class, and the prediction :math:`\hat{\mathbf{y}}`.
# Since :math:`H(\mathbf{y}) = 0` for a one-hot vector, it is also the KL
# divergence :math:`D_{\mathrm{KL}}(\mathbf{y} \,\|\, \hat{\mathbf{y}})`: the loss
# measures how far the prediction is from the truth, and is 0 only for a certain,
# correct prediction. The binary cross-entropy is the same with two outcomes,
# :math:`P = (1 - y, y)` and :math:`Q = (1 - \sigma(z), \sigma(z))`.
# ``F.cross_entropy`` also accepts a whole distribution as the target (used, for
# example, with label smoothing) and then computes :math:`H(P, \hat{\mathbf{y}})`.
# All three agree with our ``cross_entropy``:

O10 = torch.randn(64, 10)
y10 = torch.randint(0, 10, (64,))
Y10 = F.one_hot(y10, 10).float()
torch.testing.assert_close(cross_entropy(Y10, torch.softmax(O10, 1)).mean(),
                           F.cross_entropy(O10, y10))
torch.testing.assert_close(kl_divergence(Y10, torch.softmax(O10, 1)).mean(),
                           F.cross_entropy(O10, y10))
P10 = torch.softmax(torch.randn(64, 10), dim=1)
torch.testing.assert_close(cross_entropy(P10, torch.softmax(O10, 1)).mean(),
                           F.cross_entropy(O10, P10))
with torch.no_grad():
    p_test = sigmoid(z_test)
    torch.testing.assert_close(
        cross_entropy(torch.stack([1 - y_test, y_test], 1),
                      torch.stack([1 - p_test, p_test], 1)).mean(),
        bce(z_test, y_test), atol=1e-5, rtol=1e-5)
print("cross-entropy loss = H(one-hot label, prediction) "
      "= D_KL(one-hot label || prediction)")

# %%
# **Nats and bits.** With the natural logarithm, as in all code here, the unit is
# the *nat*; with :math:`\log_2`, the bit. Since :math:`\log_2 x = \ln x / \ln 2`,
# one nat is :math:`1 / \ln 2` bits. This gives the test loss of our coat detector
# a reading: before seeing an image, a label of two balanced classes costs
# :math:`H = 1` bit (the entropy of the test labels is printed below); the
# model's predictions leave, on average over the test images, the number of bits
# printed after it. Any model that beats guessing from the class shares alone
# must come in below the entropy; the ratio does not depend on the unit.

label_share = y_test.mean().item()
H_labels = entropy(torch.tensor([1 - label_share, label_share])).item()
with torch.no_grad():
    test_loss = bce(z_test, y_test).item()
print(f"one nat = {1 / math.log(2):.4f} bits")
print(f"entropy of the test labels: {H_labels:.4f} nats = "
      f"{H_labels / math.log(2):.4f} bits")
print(f"test loss of the model:     {test_loss:.4f} nats = "
      f"{test_loss / math.log(2):.4f} bits per label")
handson.check("test loss over the entropy of the labels (both in nats)",
              test_loss / H_labels, "<", 1, quick=True)
handson.check("test loss over the entropy of the labels, after full training",
              test_loss / H_labels, "<", 0.7)

# %%
# Results
# -------
#
# The training log shows the loss falling; the final test accuracy of logistic
# regression on coats vs pullovers, checked at full settings:

test_acc = history["test_acc"][-1]
print(f"final: train loss {history['train_loss'][-1]:.4f}, "
      f"test accuracy {test_acc:.4f} ({POSITIVE} vs {NEGATIVE})")
print(f"concise model: test accuracy {history_concise['test_acc'][-1]:.4f}")
handson.check(f"test accuracy of logistic regression, {POSITIVE} vs {NEGATIVE}",
              test_acc, ">=", 0.82)
handson.check("test accuracy, clearly above guessing (one half)", test_acc, ">", 0.6,
              quick=True)
handson.check("training loss of the last epoch over that of the first",
              history["train_loss"][-1] / history["train_loss"][0], "<", 1,
              quick=True)

# %%
# The scores tell more than the accuracy. Below, the test scores :math:`z` of the
# two classes, with the decision boundary :math:`z = 0` and, on the right axis,
# the probability :math:`\sigma(z)` that each score stands for. Most coats score
# above 0 and most pullovers below, but the two histograms overlap around the
# boundary: these are the garments the linear model cannot separate. Scores far
# from 0 are confident; those on the wrong side are the confident mistakes that
# the cross-entropy punishes most.

z_cpu, y_cpu = z_test.cpu(), y_test.cpu()
bins = torch.linspace(z_cpu.min().item(), z_cpu.max().item(), 50).numpy()
fig, ax = plt.subplots(figsize=(7, 4))
ax.hist(z_cpu[y_cpu == 0].numpy(), bins=bins, alpha=0.6, label=NEGATIVE)
ax.hist(z_cpu[y_cpu == 1].numpy(), bins=bins, alpha=0.6, label=POSITIVE)
ax.axvline(0, color="black", lw=1, ls="--", label="decision boundary z = 0")
ax.set_xlabel(r"test score $z = \mathbf{w}^\top \mathbf{x} + b$")
ax.set_ylabel("number of test images")
ax.set_title(f"Logistic regression scores: {POSITIVE} (1) vs {NEGATIVE} (0)")
ax.legend(loc="upper left")
ax2 = ax.twinx()
z_line = torch.linspace(bins[0], bins[-1], 200)
ax2.plot(z_line, torch.sigmoid(z_line), color="C3", lw=1.5)
ax2.set_ylabel(r"$\sigma(z)$ = P(coat)", color="C3")
ax2.set_ylim(0, 1.02)
fig.tight_layout()
plt.show()

wrong_side = ((z_cpu > 0).float() != y_cpu)
print(f"{int(wrong_side.sum())} test images on the wrong side of the boundary; "
      f"{int((z_cpu.abs() < 2).sum())} with |z| < 2, i.e. probability "
      f"between {torch.sigmoid(torch.tensor(-2.0)):.2f} and "
      f"{torch.sigmoid(torch.tensor(2.0)):.2f}")
assert int(wrong_side.sum()) == round((1 - test_acc) * len(y_test))

# %%
# What did the model learn? As with the templates of
# :doc:`02_softmax_regression_scratch`, the weight vector drawn as a 28 by 28
# image shows which pixels push the score towards *coat* (red) and which towards
# *pullover* (blue), next to the mean image of each class. (The colour scale is
# clipped at the 99th percentile of the weights' sizes.)

template = w.detach().cpu().reshape(28, 28)
limit = template.abs().quantile(0.99).item()
fig, axes = plt.subplots(1, 3, figsize=(9, 3.2))
for ax, label, name in [(axes[0], 0.0, NEGATIVE), (axes[1], 1.0, POSITIVE)]:
    ax.imshow(X_test_raw[y_test.cpu() == label].mean(dim=0).reshape(28, 28),
              cmap="gray_r")
    ax.set_title(f"mean {name}")
image = axes[2].imshow(template, cmap="RdBu_r", vmin=-limit, vmax=limit)
axes[2].set_title("weights w")
for ax in axes:
    ax.axis("off")
fig.colorbar(image, ax=axes[2], fraction=0.046)
fig.tight_layout()
plt.show()

# %%
# Summary
# -------
#
# * Logistic regression computes one score :math:`z = \mathbf{w}^\top\mathbf{x} +
#   b` and the probability :math:`\sigma(z)`; the score is the log-odds
#   :math:`\operatorname{logit}(p) = \log(p / (1 - p))`, the sigmoid's inverse.
# * The binary cross-entropy is the negative log of the Bernoulli likelihood,
#   :math:`\operatorname{softplus}(z) - yz`, with gradient
#   :math:`(\sigma(z) - y)\,\mathbf{x}`: probability minus truth again.
# * In PyTorch: ``nn.Linear(d, 1)`` with ``nn.BCEWithLogitsLoss`` on the scores and
#   float labels of the same shape. Never take ``log(sigmoid(z))`` yourself:
#   in ``float32`` it gives ``inf`` and ``nan`` gradients for large :math:`|z|`.
# * A two-class softmax is the sigmoid of the logit difference, and its
#   cross-entropy is the binary one; one output suffices.
# * Information theory reads the same loss as a cross-entropy
#   :math:`H(\mathbf{y}, \hat{\mathbf{y}}) = H(\mathbf{y}) + D_{\mathrm{KL}}
#   (\mathbf{y} \,\|\, \hat{\mathbf{y}}) \ge H(\mathbf{y})`, measured in nats
#   (natural log) or bits (:math:`\log_2`).

# %%
# Exercises
# ---------
#
# 1. **Two outputs, one learning rate.** Train softmax regression with two outputs
#    on the same data with ``nn.CrossEntropyLoss`` and learning rate
#    :math:`\eta`, starting from weights 0. Show that the difference of its two
#    weight columns follows logistic regression trained with learning rate
#    :math:`2\eta`.
#
#    .. dropdown:: Answer
#
#       With :math:`z = o_2 - o_1` the loss depends only on :math:`z`, and
#       :math:`\partial \ell / \partial o_2 = \sigma(z) - y = -\partial \ell /
#       \partial o_1`. So the gradient of :math:`\mathbf{w}_2` is
#       :math:`(\sigma(z) - y)\mathbf{x}` and that of :math:`\mathbf{w}_1` its
#       negative, and one SGD step changes the difference
#       :math:`\mathbf{w}_2 - \mathbf{w}_1` by :math:`-2\eta(\sigma(z) -
#       y)\mathbf{x}`: the step of logistic regression with learning rate
#       :math:`2\eta`. The same holds for the biases. Starting both from 0 (or
#       from matching differences), the two models predict the same
#       probabilities after every step, up to rounding.
#
# 2. **Entropy of the cards.** Check the bit counts of the card events above by
#    hand. How many bits does "I see a red card" carry? And the outcome of a
#    fair six-sided die?
#
#    .. dropdown:: Answer
#
#       :math:`-\log_2(1/4) = 2`, :math:`-\log_2(1/52) = \log_2 52 \approx 5.70`,
#       and :math:`\log_2 52! = \sum_{m=1}^{52}\log_2 m \approx 225.6`. A red card
#       has probability 1/2: 1 bit. A die: :math:`\log_2 6 \approx 2.58` bits,
#       which is also its entropy, since all faces are equally likely.
#
# 3. **KL divergence is not a distance.** Find distributions :math:`P, Q` with
#    :math:`D_{\mathrm{KL}}(P \| Q)` finite and :math:`D_{\mathrm{KL}}(Q \| P)`
#    infinite. What does this say about a classifier that gives probability 0
#    to a class that does occur?
#
#    .. dropdown:: Answer
#
#       :math:`P = (1, 0)` and :math:`Q = (1/2, 1/2)`:
#       :math:`D(P \| Q) = \log 2`, but :math:`D(Q \| P)` contains
#       :math:`\tfrac12 \log(\tfrac12 / 0) = \infty`. A model that gives
#       probability 0 to an outcome that happens has infinite cross-entropy
#       loss on it. In exact arithmetic :math:`\sigma(z)` and the softmax are
#       never 0; in ``float32`` they can round to 0 (:math:`\sigma(-200)` above),
#       but a loss computed from logits never forms that 0 and stays finite,
#       which is one more reason to compute losses from logits.
#
# 4. **Another pair.** Repeat the training with *sneaker* vs *ankle boot*, and
#    with MNIST's 3 vs 5 (``load_mnist``). Which pair is easiest for a linear
#    model? Compare the test losses in bits.
#
#    .. dropdown:: Hint
#
#       Only ``POSITIVE``, ``NEGATIVE`` and the loader in ``two_classes`` change
#       (for MNIST, the labels are the digits themselves). Before running, guess:
#       are there pixels that one class of the pair covers and the other never
#       does, such as the shaft of a boot? A single template can use such
#       pixels. The lower the accuracy, the more bits per label the model leaves
#       unexplained.
#
# 5. **Programming task: one-vs-rest.** Fashion-MNIST has ten classes. Train ten
#    logistic regressions, model :math:`j` to answer "is this class :math:`j`?"
#    (labels ``(y == j).float()``), all at once as ``nn.Linear(784, 10)`` with
#    ``nn.BCEWithLogitsLoss`` on a ``(n, 10)`` matrix of 0/1 targets. Predict the
#    class with the largest score, and compare the test accuracy with softmax
#    regression from :doc:`03_softmax_regression_concise`.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          X, y = load_fashion_mnist("train")
#          X_te, y_te = load_fashion_mnist("test")
#          mu, sigma = X.mean(dim=0), X.std(dim=0)
#          X, X_te = (X - mu) / (sigma + 0.1), (X_te - mu) / (sigma + 0.1)
#          ovr = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
#          bce_loss = nn.BCEWithLogitsLoss()
#          trainer = torch.optim.SGD(ovr.parameters(), lr=0.1)
#          for epoch in range(10):
#              for X_b, y_b in handson.batches(X, y, 256):
#                  l = bce_loss(ovr(X_b), F.one_hot(y_b, 10).float())
#                  trainer.zero_grad()
#                  l.backward()
#                  trainer.step()
#          print(f"one-vs-rest test accuracy: "
#                f"{handson.evaluate_accuracy(ovr, X_te, y_te):.4f}")
#
#       The ten scores are trained independently, each against all other
#       classes, and are not forced to form a distribution; ``sigmoid`` of each
#       is that class's own probability, and the ten need not sum to 1. Taking
#       the largest score still gives a classifier; compare its accuracy with
#       that of softmax regression, which trains the classes against each other,
#       as the final ``argmax`` needs. The one-vs-rest form is the right one for
#       *multi-label* data, where an image can carry several labels at once.
