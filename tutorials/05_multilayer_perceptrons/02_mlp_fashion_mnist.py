"""
An MLP on Fashion-MNIST, from scratch and concise
=================================================

Softmax regression scores each class with a weighted sum of the pixels, so it can
only learn one template per class. A multilayer perceptron (MLP) first computes
:math:`h` features of its own from the pixels, with a hidden layer and a ReLU, and
classifies from those. This page trains such a network on Fashion-MNIST, the 70,000
small grey images of clothing met in the previous chapter, twice: once with weight
tensors we create and a forward pass we write ourselves, and once with
``nn.Sequential``. We check that the two compute the same thing (up to rounding),
train both to at least 86% test accuracy, and look at which classes the network
still confuses.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * write an MLP's parameters, ReLU and forward pass by hand
      * wrap hand-made parameters in a small ``nn.Module`` so that
        ``torch.optim.SGD`` and ``handson.train`` can use them
      * build the same network with ``nn.Sequential``, ``nn.Flatten``,
        ``nn.Linear`` and ``nn.ReLU``, and check both take the same steps
      * reach 86% test accuracy, and read per-class accuracy and mistakes

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`01_mlp_basics` (hidden layers, ReLU)
      * :doc:`../04_linear_classification/02_softmax_regression_scratch`, which
        built the training loop kept as ``handson.train``
      * :doc:`../04_linear_classification/01_image_classification_data`
        (Fashion-MNIST as tensors, ``handson.show_images``)
      * data: Fashion-MNIST, 60,000 training and 10,000 test images (fetched once
        by ``handson.data``, then read from disk)
"""

# sphinx_gallery_thumbnail_number = 2

import itertools

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson.data import FASHION_MNIST_CLASSES, load_fashion_mnist

handson.seed(0)
device = handson.device()
print(f"training on {device}")

# %%
# The idea
# --------
#
# Each image is :math:`28 \times 28` grey values; flattened, it is a vector of
# :math:`d = 784` features. For a minibatch :math:`\mathbf{X} \in \mathbb{R}^{n \times
# d}` of flattened images, an MLP with one hidden layer of :math:`h` units and
# :math:`q = 10` outputs computes, as in :doc:`01_mlp_basics`,
#
# .. math::
#
#    \mathbf{H} = \operatorname{ReLU}\left(\mathbf{X} \mathbf{W}^{(1)} +
#    \mathbf{b}^{(1)}\right), \qquad
#    \mathbf{O} = \mathbf{H} \mathbf{W}^{(2)} + \mathbf{b}^{(2)},
#
# with :math:`\mathbf{W}^{(1)} \in \mathbb{R}^{d \times h}`,
# :math:`\mathbf{b}^{(1)} \in \mathbb{R}^{1 \times h}`,
# :math:`\mathbf{W}^{(2)} \in \mathbb{R}^{h \times q}` and
# :math:`\mathbf{b}^{(2)} \in \mathbb{R}^{1 \times q}`. The rows of :math:`\mathbf{O}`
# are the :term:`logits <logit>`, and training minimises the :term:`cross-entropy`
# of their :term:`softmax`, exactly as for softmax regression: only the way the
# logits are computed has changed. Softmax regression is the special case with no
# hidden layer, :math:`\mathbf{O} = \mathbf{X} \mathbf{W} + \mathbf{b}`.
#
# The number of hidden units :math:`h` is a :term:`hyperparameter`. We take
# :math:`h = 256`, as D2L does; powers of two are customary because they map well
# onto hardware, not because they are special.
#
# The data
# --------
#
# ``load_fashion_mnist`` returns the images as a float tensor of shape
# ``(N, 1, 28, 28)`` with values in :math:`[0, 1]`, and the labels as integers. The
# whole set fits in memory, so minibatches are taken by indexing (``handson.batches``
# inside ``handson.train``).

X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
print("train:", tuple(X_train.shape), "| test:", tuple(X_test.shape))

num_inputs, num_outputs, num_hiddens = 784, 10, 256

# %%
# From scratch
# ------------
#
# Parameters
# ^^^^^^^^^^
#
# The four parameters are plain tensors. Their entries start as small random numbers,
# drawn from :math:`\mathcal{N}(0, 0.01^2)`, and the biases start at zero. Random
# starting weights matter: if every hidden unit started with the same weights, every
# unit would compute the same feature and receive the same gradient, for ever
# (:doc:`04_numerical_stability` checks this).
#
# We wrap each tensor in :class:`torch.nn.Parameter`. A parameter *is* a tensor, with
# ``requires_grad=True``; the wrapper only tells an ``nn.Module`` that holds it to
# list it in ``net.parameters()``. That list is all ``torch.optim.SGD`` and
# ``handson.train`` need from us.
#
# The forward pass
# ^^^^^^^^^^^^^^^^
#
# ReLU is one line: keep an entry where it is positive, put 0 elsewhere.
# ``X.reshape(-1, num_inputs)`` flattens each :math:`1 \times 28 \times 28` image
# into a row of 784 numbers, and then the two equations above are two lines.
#
# .. note::
#
#    ``torch.where(X > 0, X, 0)`` and ``torch.maximum(X, zeros)`` give the same
#    values, but not the same gradient at exactly 0. There ``torch.maximum`` sees a
#    tie and splits the gradient, half to each argument, so its ReLU has slope 0.5
#    at 0; ``torch.where`` takes the zero branch, slope 0, as ``torch.relu`` does.
#    The inputs are rarely exactly 0, but the from-scratch and library networks
#    below should agree everywhere, so we check the gradient at 0 too.


def relu(X):
    """max(x, 0) entry by entry, with slope 0 at x = 0 like torch.relu."""
    return torch.where(X > 0, X, torch.zeros_like(X))


class MLPScratch(nn.Module):
    """One hidden ReLU layer, written with our own parameters and forward pass."""

    def __init__(self, num_inputs, num_hiddens, num_outputs, sigma=0.01):
        super().__init__()
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * sigma)
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.reshape(-1, self.W1.shape[0])  # (n, 1, 28, 28) -> (n, 784)
        H = relu(X @ self.W1 + self.b1)
        return H @ self.W2 + self.b2


net_scratch = MLPScratch(num_inputs, num_hiddens, num_outputs).to(device)
for name, param in net_scratch.named_parameters():
    print(f"{name}: shape {tuple(param.shape)}, requires_grad={param.requires_grad}")
num_params = sum(p.numel() for p in net_scratch.parameters())
print(f"{num_params:,} parameters")
assert num_params == (num_inputs + 1) * num_hiddens + (num_hiddens + 1) * num_outputs

X_batch = X_train[:5].to(device)
torch.testing.assert_close(relu(X_batch), torch.relu(X_batch))
z = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
slopes = {name: torch.autograd.grad(f(z).sum(), z)[0].tolist()
          for name, f in [("relu", relu), ("torch.relu", torch.relu),
                          ("torch.maximum", lambda t: torch.maximum(t, 0 * t))]}
print("slopes at -1, 0, 1:", slopes)
assert slopes["relu"] == slopes["torch.relu"] == [0.0, 0.0, 1.0]
print("logits of 5 images:", tuple(net_scratch(X_batch).shape))

# %%
# Nothing in ``MLPScratch`` is hidden: ``nn.Module`` only collects the four tensors.
# We could as well keep them in a list ``params = [W1, b1, W2, b2]`` and write
# ``torch.optim.SGD(params, lr=lr)``; the module is the shape that ``handson.train``
# expects (it calls ``net.train()``, ``net.eval()`` and ``net.parameters()``).
#
# Training
# ^^^^^^^^
#
# The loss is the cross-entropy from :func:`torch.nn.functional.cross_entropy`, which
# takes the logits (it applies the softmax itself, in a numerically stable way) and
# returns the mean over the batch, as ``handson.train`` requires. The optimiser is
# minibatch SGD over the four parameters.
#
# .. note::
#
#    D2L trains this network with learning rate 0.1 and batches of 256 for 10
#    epochs, and shows the learning curves in a plot. We want at least 0.86 test
#    accuracy in the same 10 epochs, so we take twice the learning rate and
#    batches half the size: four times as much movement per epoch. Exercise 1
#    explores the choice.

lr, num_epochs, batch_size = 0.2, handson.epochs(10), 128
loss = nn.functional.cross_entropy
trainer = torch.optim.SGD(net_scratch.parameters(), lr=lr)
history_scratch = handson.train(net_scratch, (X_train, y_train), (X_test, y_test),
                                loss, trainer, num_epochs, batch_size)

# %%
# Concise
# -------
#
# ``torch.nn`` has every piece ready-made: :class:`~torch.nn.Flatten` does our
# ``reshape``, :class:`~torch.nn.Linear` holds a weight and a bias and computes
# ``X @ weight.T + bias``, and :class:`~torch.nn.ReLU` is our ``relu``.
# :class:`~torch.nn.Sequential` applies them in order.


def make_mlp():
    """Flatten, Linear(784, 256), ReLU, Linear(256, 10)."""
    return nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                         nn.Linear(num_hiddens, num_outputs))


net = make_mlp().to(device)
print(net)

# %%
# Same network, same steps
# ^^^^^^^^^^^^^^^^^^^^^^^^
#
# Are the two networks really the same? Give the concise one the starting
# parameters of a fresh ``MLPScratch`` (transposed, because ``nn.Linear`` stores its
# weight as ``(out, in)``), feed both the same 20 minibatches, and compare. If the
# forward passes and the gradients agree, every SGD step agrees too.

twin = MLPScratch(num_inputs, num_hiddens, num_outputs).to(device)
with torch.no_grad():
    net[1].weight.copy_(twin.W1.T)
    net[1].bias.copy_(twin.b1)
    net[3].weight.copy_(twin.W2.T)
    net[3].bias.copy_(twin.b2)
torch.testing.assert_close(net(X_batch), twin(X_batch))

trainers = [torch.optim.SGD(twin.parameters(), lr=lr),
            torch.optim.SGD(net.parameters(), lr=lr)]
losses = {"scratch": [], "concise": []}
for X, y in itertools.islice(handson.batches(X_train, y_train, batch_size), 20):
    X, y = X.to(device), y.to(device)
    for model, opt, key in [(twin, trainers[0], "scratch"),
                            (net, trainers[1], "concise")]:
        opt.zero_grad()
        l = nn.CrossEntropyLoss()(model(X), y)
        l.backward()
        opt.step()
        losses[key].append(l.detach())
torch.testing.assert_close(torch.stack(losses["concise"]),
                           torch.stack(losses["scratch"]))
torch.testing.assert_close(net[1].weight, twin.W1.T)
torch.testing.assert_close(net[3].weight, twin.W2.T)
print(f"{len(losses['scratch'])} SGD steps: loss {losses['scratch'][0].item():.4f} -> "
      f"{losses['scratch'][-1].item():.4f} for both; parameters agree")

# %%
# Training
# ^^^^^^^^
#
# For the real run we start the concise network from PyTorch's own initialisation of
# ``nn.Linear``, which draws weights uniformly from
# :math:`[-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}}]` for a layer with
# :math:`n_\text{in}` inputs (:doc:`04_numerical_stability` explains why the scale
# should depend on :math:`n_\text{in}`). ``nn.CrossEntropyLoss()`` is the module form
# of the same loss.

net = make_mlp().to(device)
loss = nn.CrossEntropyLoss()
trainer = torch.optim.SGD(net.parameters(), lr=lr)
history = handson.train(net, (X_train, y_train), (X_test, y_test), loss, trainer,
                        num_epochs, batch_size)

# %%
# Results
# -------
#
# For comparison we also train softmax regression, the same recipe without the
# hidden layer, on the same batches for the same number of epochs. It gets a
# learning rate of its own: D2L trains it with 0.1 on batches of 256, which is
# 0.05 on our batches of 128 (twice the steps per epoch, each half as long: the
# same distance per epoch). Softmax regression on raw pixels has a long, narrow
# loss valley (:doc:`../04_linear_classification/02_softmax_regression_scratch`),
# across which steps that are too large make SGD zigzag.
#
# The training accuracy that ``handson.train`` prints is a running average over an
# epoch of changing weights, so for the table we score each *final* model on the
# training and the test set alike, with :func:`handson.evaluate_accuracy`.

lr_softmax = 0.05
softmax_net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_outputs))
softmax_net = softmax_net.to(device)
history_softmax = handson.train(
    softmax_net, (X_train, y_train), (X_test, y_test), loss,
    torch.optim.SGD(softmax_net.parameters(), lr=lr_softmax), num_epochs,
    batch_size, verbose=False)

models = {"MLP, from scratch": (net_scratch, history_scratch),
          "MLP, concise": (net, history),
          "softmax regression": (softmax_net, history_softmax)}
print(f"{'model':20}{'parameters':>11}{'train loss':>11}{'train acc':>10}"
      f"{'test acc':>9}{'time':>8}")
train_acc, test_acc = {}, {}
for name, (model, hist) in models.items():
    train_acc[name] = handson.evaluate_accuracy(model, X_train, y_train)
    test_acc[name] = handson.evaluate_accuracy(model, X_test, y_test)
    size = sum(p.numel() for p in model.parameters())
    print(f"{name:20}{size:11,}{hist.train_loss[-1]:11.4f}{train_acc[name]:10.4f}"
          f"{test_acc[name]:9.4f}{sum(hist.epoch_time):7.1f}s")
num_params_softmax = sum(p.numel() for p in softmax_net.parameters())
print(f"the MLP has {num_params / num_params_softmax:.1f} times as many parameters "
      f"as softmax regression")

acc_scratch, acc_concise = test_acc["MLP, from scratch"], test_acc["MLP, concise"]
acc_softmax = test_acc["softmax regression"]
assert acc_concise == history.test_acc[-1]  # the same measurement as in the log
handson.check("test accuracy of the MLP from scratch", acc_scratch, ">=", 0.86)
handson.check("test accuracy of the concise MLP", acc_concise, ">=", 0.86)
handson.check("test accuracy of the weaker MLP minus softmax regression's",
              min(acc_scratch, acc_concise) - acc_softmax, ">", 0.01)
handson.check("|test accuracy of the scratch MLP - the concise MLP's|",
              abs(acc_scratch - acc_concise), "<", 0.02)
for name, hist in [("MLP from scratch", history_scratch), ("concise MLP", history)]:
    handson.check(f"last over first epoch's training loss, {name}",
                  hist.train_loss[-1] / hist.train_loss[0], "<", 0.8)
for name in ("MLP, from scratch", "MLP, concise"):
    handson.check(f"train minus test accuracy, {name}",
                  train_acc[name] - test_acc[name], ">", 0)

# %%
# The printed table shows both MLPs above the 0.86 target and above softmax
# regression, and close to each other: they are the same model, started from
# different random weights. Their training accuracy is a little above their test
# accuracy, a *generalisation gap* that :doc:`03_generalization` examines. The
# training curves:

fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
history_scratch.plot(ax=axes[0], title="MLP from scratch")
history.plot(ax=axes[1], title="MLP with nn.Sequential")
fig.tight_layout()
plt.show()

# %%
# The test accuracy wobbles from epoch to epoch while the training loss falls
# steadily: with a constant learning rate SGD keeps jittering around a minimum, and
# a 10,000-image test set notices. A learning rate that decays over training (a
# *schedule*, later in the course) smooths the end of the curve.
#
# Which classes are hard? We compute the accuracy on the test images of each class.

with torch.no_grad():
    net.eval()
    y_pred = torch.cat([net(X_test[i:i + 1024].to(device)).argmax(dim=1).cpu()
                        for i in range(0, len(X_test), 1024)])
per_class = torch.stack([(y_pred[y_test == c] == c).float().mean()
                         for c in range(num_outputs)])
for c in per_class.argsort().tolist():
    print(f"{FASHION_MNIST_CLASSES[c]:12s} {per_class[c].item():.3f}")
hardest_four = {FASHION_MNIST_CLASSES[c] for c in per_class.argsort()[:4].tolist()}
handson.check("kinds of top among the four hardest classes",
              len(hardest_four & {"shirt", "t-shirt", "pullover", "coat"}), "==", 4)

# %%
# The printed list, hardest class first, starts with the four kinds of top (shirt,
# t-shirt, pullover, coat): at 28 by 28 grey pixels they differ in details
# (sleeves, collars, buttons) that cover only a few pixels. Trousers, bags and
# footwear have shapes of their own. Some test images, the first eight with the
# network's prediction and then eight that it gets wrong:

wrong = (y_pred != y_test).nonzero().reshape(-1)
show = torch.cat([torch.arange(8), wrong[:8]])
titles = [f"{FASHION_MNIST_CLASSES[y_test[i]]}\n-> {FASHION_MNIST_CLASSES[y_pred[i]]}"
          for i in show.tolist()]
fig = handson.show_images(X_test[show], titles=titles, ncols=8)
plt.show()

# %%
# Each title reads "true label -> prediction". Many of the mistakes are ones a person
# could make at this resolution.
#
# Summary
# -------
#
# * An MLP for images flattens each image, applies
#   :math:`\operatorname{ReLU}(\mathbf{X} \mathbf{W}^{(1)} + \mathbf{b}^{(1)})` and
#   a second linear layer, and is trained with the same cross-entropy and SGD as
#   softmax regression.
# * ``nn.Parameter`` marks tensors that a module lists in ``parameters()``; with it,
#   hand-written parameters and forward passes work with ``torch.optim`` and
#   ``handson.train``.
# * ``nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256,
#   10))`` is the same model: from the same start it takes the same steps.
# * One hidden layer lifts the test accuracy above softmax regression's; the tops
#   remain the classes the network confuses most.

# %%
# Exercises
# ---------
#
# 1. Rerun the concise training with ``lr = 0.1`` and ``batch_size = 256`` (D2L's
#    settings), then with ``lr = 0.5``. How do the curves and the final test accuracy
#    change? Why does a smaller batch act a bit like a larger learning rate?
#
#    .. dropdown:: Hint
#
#       One epoch takes :math:`N / |\mathcal{B}|` steps of size :math:`\eta`, so
#       halving the batch and doubling the learning rate moves the parameters about
#       four times as far per epoch. Smaller batches also make each step noisier. Too
#       large a learning rate makes the test accuracy jump around or the loss
#       diverge.
#
# 2. Change ``num_hiddens`` to 32, 64, 512 and 1024. How do the test accuracy and the
#    time per epoch change?
#
#    .. dropdown:: Answer
#
#       The accuracy changes surprisingly little: 32 hidden units already come
#       close to 256, and 1024 add only a little more. The time per epoch grows with
#       :math:`h` once the two matrix products, about :math:`n (d + q) h`
#       multiplications per batch, dominate; for small :math:`h` copying the batches
#       costs as much as the arithmetic, so 32 units are not eight times faster
#       than 256.
#
# 3. Add a second hidden layer (``nn.Linear(256, 256)`` and another ``nn.ReLU()``)
#    to the concise model. Does it help in 10 epochs? Then remove the ``nn.ReLU()``
#    right after the first ``nn.Linear``. Which model do you get?
#
#    .. dropdown:: Answer
#
#       Compare the final test accuracies, keeping in mind the epoch-to-epoch
#       wobble of the curves above: a difference of that size says nothing
#       either way, and a second layer also has more weights to fit in the same
#       10 epochs. Without the first ReLU, the first two linear layers
#       collapse into one map from 784 to 256 numbers (see :doc:`01_mlp_basics`), so
#       the model is again a one-hidden-layer MLP, only with more parameters.
#
# 4. Initialise ``MLPScratch`` with ``sigma=0`` (all weights zero) and train it for
#    two epochs. What accuracy do you get, and why?
#
#    .. dropdown:: Answer
#
#       With all weights zero the hidden units are all 0 and the gradient of
#       :math:`\mathbf{W}^{(1)}` is zero too (it is multiplied by
#       :math:`\mathbf{W}^{(2)} = 0`), while :math:`\mathbf{W}^{(2)}` gets zero
#       gradient because :math:`\mathbf{H} = 0`. Only the output bias learns, so the
#       model predicts the same class for every image: about 10% accuracy.
#
# 5. **Programming task.** Write the training loop for ``net_scratch`` yourself,
#    without ``handson.train``: SGD updates of the four tensors inside
#    ``torch.no_grad()``, gradients zeroed after each step, and the test accuracy
#    printed after each epoch. Check that it reproduces ``handson.train``'s training
#    loss for one epoch from the same start and the same shuffling.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          torch.manual_seed(2)
#          a = MLPScratch(num_inputs, num_hiddens, num_outputs)
#          b = MLPScratch(num_inputs, num_hiddens, num_outputs)
#          b.load_state_dict(a.state_dict())  # the same start
#          torch.manual_seed(3)  # same shuffling for both runs
#          h = handson.train(a, (X_train, y_train), None, nn.CrossEntropyLoss(),
#                            torch.optim.SGD(a.parameters(), lr=lr), 1, batch_size,
#                            verbose=False)
#          torch.manual_seed(3)
#          params = [b.W1, b.b1, b.W2, b.b2]
#          total = torch.zeros(())
#          for X, y in handson.batches(X_train, y_train, batch_size):
#              l = nn.functional.cross_entropy(b(X), y)
#              l.backward()
#              with torch.no_grad():
#                  for p in params:
#                      p -= lr * p.grad
#                      p.grad.zero_()
#              total += l.detach() * len(y)
#          # equal to about four digits: the two updates round differently
#          print(total.item() / len(y_train), h.train_loss[0])
#          print("test accuracy", handson.evaluate_accuracy(b, X_test, y_test))
