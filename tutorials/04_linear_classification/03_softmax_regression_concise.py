"""
Softmax regression, concise
===========================

The :doc:`previous page <02_softmax_regression_scratch>` built softmax regression
from tensors: the model, a stable softmax, the cross-entropy and a training loop.
Here we write the same model the way PyTorch code usually looks, with
``nn.Sequential``, ``nn.Flatten`` and ``nn.Linear`` for the model,
``nn.CrossEntropyLoss`` for the loss, ``torch.optim.SGD`` for the update and
``handson.train`` for the loop, and apply it to a harder data set, Fashion-MNIST.
Before training we check that each library piece computes what our own code
computed, up to floating-point rounding. After training, a confusion matrix shows
*which* classes the model mixes up, not just how often it is wrong.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * write softmax regression as
        ``nn.Sequential(nn.Flatten(), nn.Linear(784, 10))``
      * why ``nn.CrossEntropyLoss`` takes logits: it fuses log-softmax and the
        negative log-likelihood, which keeps it stable
      * check that the library loss and one ``torch.optim.SGD`` step match the
        from-scratch code up to rounding
      * train with ``handson.train`` and plot the history
      * compute a confusion matrix with ``torch.bincount`` and read it

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`02_softmax_regression_scratch` (softmax, cross-entropy, the training
        loop)
      * :doc:`01_image_classification_data` (Fashion-MNIST, validation sets)
      * :doc:`../01_getting_started/01_fit_a_line` (``nn.Linear`` and
        ``torch.optim.SGD``)
      * data: Fashion-MNIST, loaded by ``handson.data``
"""

# sphinx_gallery_thumbnail_number = 2

import copy

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
# The data
# --------
#
# Fashion-MNIST has the format of MNIST (see
# :doc:`01_image_classification_data`): ``(n, 1, 28, 28)`` images in
# :math:`[0, 1]` and labels ``0, ..., 9`` that index ``FASHION_MNIST_CLASSES``. As on
# the previous page, we standardise each pixel with the mean :math:`\mu_j` and
# standard deviation :math:`\sigma_j` of the training images,
# :math:`x_j \leftarrow (x_j - \mu_j) / (\sigma_j + \epsilon)` with
# :math:`\epsilon = 0.1`; the statistics are now computed over the image axis, so
# they have the shape ``(1, 28, 28)`` of one image and broadcast over the batch.
# The unchanged test images are kept for drawing.
#
# .. note::
#
#    D2L trains this model on the raw pixels, with the learning rate 0.1 used below.
#    We standardise, for the reason given on the previous page (one learning rate
#    then suits every pixel's weight); exercise 1 asks you to compare.

X_train, y_train = load_fashion_mnist("train")
X_test_img, y_test = load_fashion_mnist("test")
mu, sigma, eps = X_train.mean(dim=0), X_train.std(dim=0), 0.1
X_train = ((X_train - mu) / (sigma + eps)).to(device)
X_test = ((X_test_img - mu) / (sigma + eps)).to(device)
y_train, y_test = y_train.to(device), y_test.to(device)
print("train", tuple(X_train.shape), "| test", tuple(X_test.shape),
      "| pixel statistics", tuple(mu.shape))
assert mu.shape == (1, 28, 28) and X_train.shape[1:] == (1, 28, 28)

# %%
# The model
# ---------
#
# Softmax regression computes :math:`\mathbf{O} = \mathbf{X}\mathbf{W} +
# \mathbf{b}` from flattened images. Two ``torch.nn`` layers do this:
#
# * ``nn.Flatten()`` reshapes each ``(1, 28, 28)`` image into a vector of 784
#   pixels, keeping the batch axis: ``X.reshape(len(X), -1)``.
# * ``nn.Linear(784, 10)`` holds the weights and the bias and computes the logits.
#   It stores the weights as ``weight`` of shape :math:`q \times d` (outputs by
#   inputs), that is :math:`\mathbf{W}^\top`, and computes
#   ``X @ weight.T + bias``, which is :math:`\mathbf{X}\mathbf{W} + \mathbf{b}`.
#
# ``nn.Sequential`` chains layers: its output is the last layer applied to the
# output of the one before. ``net[1]`` is the second layer, the ``nn.Linear``. We
# start the weights, like on the previous page, from :math:`\mathcal{N}(0, 0.01^2)`
# and the bias from 0.

net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
nn.init.normal_(net[1].weight, mean=0.0, std=0.01)
nn.init.zeros_(net[1].bias)
net = net.to(device)
print(net)
num_params = sum(param.numel() for param in net.parameters())
print("weight", tuple(net[1].weight.shape), "| bias", tuple(net[1].bias.shape),
      f"| {num_params} parameters for {len(X_train)} training images")
print("logits", tuple(net(X_train[:4]).shape))

# %%
# The loss
# --------
#
# ``nn.CrossEntropyLoss`` takes the **logits** and the integer labels, not
# probabilities. Internally it computes the log-softmax of each row and then the
# *negative log-likelihood* (``nn.NLLLoss``): minus the entry at the label's
# column, averaged over the batch. It is one fused computation of
#
# .. math::
#
#    \ell = -\log \hat{y}_y = \operatorname{LSE}(\mathbf{o}) - o_y ,
#
# where :math:`y` is the true class and :math:`\operatorname{LSE}` is the
# log-sum-exp of the logits. Fused, the loss never forms a probability at all, so
# no probability can round to 0 and no exponential can overflow. Splitting it into
# "softmax, then log, then pick" brings back the first problem, *underflow*:
# ``torch.softmax`` subtracts the largest logit itself, so it cannot overflow, but
# a probability below the smallest positive ``float32`` still rounds to 0, and its
# logarithm is :math:`-\infty`. On logits of an ordinary size the three ways agree;
# on large ones only the fused forms stay finite:

loss = nn.CrossEntropyLoss()
O = net(X_train[:256])
y = y_train[:256]
torch.testing.assert_close(loss(O, y), F.nll_loss(F.log_softmax(O, dim=1), y))
torch.testing.assert_close(loss(O, y),
                           F.nll_loss(torch.log(torch.softmax(O, dim=1)), y))

O_big = torch.tensor([[0.0, 200.0, -200.0], [1000.0, 0.0, 0.0]])
y_big = torch.tensor([2, 0])
print("fused CrossEntropyLoss:     ", loss(O_big, y_big))
print("log-softmax, then NLL:      ", F.nll_loss(F.log_softmax(O_big, dim=1), y_big))
print("softmax, log, then NLL:     ",
      F.nll_loss(torch.log(torch.softmax(O_big, dim=1)), y_big))
print("softmax of the large logits:", torch.softmax(O_big, dim=1))
assert torch.isfinite(loss(O_big, y_big))
assert torch.isinf(F.nll_loss(torch.log(torch.softmax(O_big, dim=1)), y_big))

# %%
# .. warning::
#
#    Do **not** end the network with ``nn.Softmax`` when you train it with
#    ``nn.CrossEntropyLoss``: the loss applies its own softmax, and the model would
#    then be trained on the softmax of probabilities (exercise 2). Apply
#    ``torch.softmax`` to the logits only where you need probabilities, after
#    training.
#
# .. dropdown:: The LogSumExp trick
#
#    For any constant :math:`c`,
#
#    .. math::
#
#       \log \sum_{k=1}^{q} \exp(o_k) = c + \log \sum_{k=1}^{q} \exp(o_k - c),
#
#    because :math:`\exp(o_k) = \exp(c)\exp(o_k - c)` and the factor
#    :math:`\exp(c)` leaves the logarithm as the summand :math:`c`. Choosing
#    :math:`c = m = \max_k o_k` makes every exponent at most 0: the largest term of
#    the sum is exactly 1, so the sum lies between 1 and :math:`q`, cannot overflow,
#    and its logarithm is between 0 and :math:`\log q`. The loss
#    :math:`m + \log \sum_k \exp(o_k - m) - o_y` is then a sum of moderate numbers,
#    accurate in floating point even when :math:`\hat{y}_y` itself would be far
#    below the smallest positive ``float32``. PyTorch's
#    :func:`torch.logsumexp`, :func:`torch.nn.functional.log_softmax` and
#    ``nn.CrossEntropyLoss`` all compute it this way.

# %%
# Scratch and concise agree
# -------------------------
#
# The small functions of the previous page, written again so that this page runs on
# its own:


def logsumexp(O):
    """log(sum(exp(O))) of each row of O, as a column; stable for any logits."""
    m = O.max(dim=1, keepdim=True).values
    return m + torch.log(torch.exp(O - m).sum(dim=1, keepdim=True))


def log_softmax(O):
    """Logarithm of the softmax of each row of O, computed stably."""
    return O - logsumexp(O)


def softmax(O):
    """Softmax of each row of O, computed stably."""
    return torch.exp(log_softmax(O))


def cross_entropy(O, y):
    """Mean cross-entropy of logits O (n, q) against integer labels y (n,)."""
    return -log_softmax(O)[torch.arange(len(y)), y].mean()


def sgd(params, lr):
    """Minibatch SGD step for the mean loss of a batch; then zero the gradients."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad
            param.grad.zero_()


# %%
# On a batch of the model's logits and on the extreme logits above, the
# from-scratch softmax and cross-entropy equal PyTorch's:

torch.testing.assert_close(softmax(O), torch.softmax(O, dim=1))
torch.testing.assert_close(cross_entropy(O, y), loss(O, y))
torch.testing.assert_close(cross_entropy(O_big, y_big), loss(O_big, y_big))
print(f"batch loss: from scratch {cross_entropy(O, y).item():.6f}, "
      f"nn.CrossEntropyLoss {loss(O, y).item():.6f}")

# %%
# Now one training step both ways, from identical parameters. The from-scratch
# weights are a copy of the layer's, transposed to :math:`d \times q`; the
# concise side works on a copy of the whole network (``copy.deepcopy``), so that
# ``net`` itself still starts training from its initial values.
# ``torch.optim.SGD(params, lr)`` is our ``sgd`` as an object: ``zero_grad()``
# clears the gradients and ``step()`` applies
# :math:`\theta \leftarrow \theta - \eta \, \partial_\theta L` to every parameter.

lr = 0.1
W = net[1].weight.detach().T.clone().requires_grad_()
b = net[1].bias.detach().clone().requires_grad_()
net_copy = copy.deepcopy(net)
trainer_copy = torch.optim.SGD(net_copy.parameters(), lr=lr)
X_batch, y_batch = X_train[:256], y_train[:256]

# from scratch
cross_entropy(X_batch.reshape(len(X_batch), -1) @ W + b, y_batch).backward()
sgd([W, b], lr)
# concise
trainer_copy.zero_grad()
loss(net_copy(X_batch), y_batch).backward()
trainer_copy.step()

torch.testing.assert_close(net_copy[1].weight, W.T)
torch.testing.assert_close(net_copy[1].bias, b)
assert not torch.equal(net_copy[1].weight, net[1].weight), "the step changed it"
largest_change = (net_copy[1].weight - net[1].weight).abs().max().item()
print(f"after one step: largest weight change {largest_change:.2e}, largest "
      f"difference scratch vs concise {(net_copy[1].weight - W.T).abs().max():.1e}")

# %%
# Training
# --------
#
# The optimizer for the real run, and :func:`handson.train`, the loop written on the
# previous page. It takes the network, the training and test data as ``(X, y)``
# pairs, the loss (which must return the batch *mean*, as ``nn.CrossEntropyLoss``
# does), the optimizer, the number of epochs and the batch size; it prints one line
# per epoch and returns a ``handson.History`` with the per-epoch lists
# ``train_loss``, ``train_acc``, ``test_acc`` and ``epoch_time``. As before, we only
# watch the test accuracy; the settings were fixed beforehand.

trainer = torch.optim.SGD(net.parameters(), lr=lr)
num_epochs, batch_size = handson.epochs(10), 256
history = handson.train(net, (X_train, y_train), (X_test, y_test), loss, trainer,
                        num_epochs, batch_size)

# %%
# Results
# -------
#
# D2L's current edition shows this model's learning curves in a plot rather than
# quoting a final number. Ours, checked at full settings, with the time per epoch:

test_acc = history.test_acc[-1]
print(f"final: train loss {history.train_loss[-1]:.4f}, test acc {test_acc:.4f}")
print(f"{num_epochs} epochs in {sum(history.epoch_time):.1f} s")
assert all(torch.isfinite(torch.tensor(history.train_loss)))
handson.check("test accuracy after 10 epochs", test_acc, ">=", 0.82)
handson.check("training loss of the last epoch over that of the first",
              history.train_loss[-1] / history.train_loss[0], "<", 1, quick=True)

# %%
# How close are the training and test accuracies? The ``train acc`` that
# ``handson.train`` prints is not the number to compare: it is a running average
# over the epoch's minibatches, each scored by the weights of that moment, which
# are still changing. For a fair comparison we score the *final* model on both
# sets in the same way, with :func:`handson.evaluate_accuracy` (which returns the
# same test accuracy as the last line of the log):

train_acc = handson.evaluate_accuracy(net, X_train, y_train)
assert handson.evaluate_accuracy(net, X_test, y_test) == test_acc
print(f"final model: train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}, "
      f"gap {train_acc - test_acc:+.4f}")
handson.check("train minus test accuracy of the final model", train_acc - test_acc,
              "<", 0.03)

# %%
# ``History.plot`` draws the three curves (its training accuracy is the running
# average described above). Training and test accuracy stay close together: the
# model has far fewer parameters than there are training images (both numbers
# were printed above), too few to memorise them, so what it learns on the
# training set carries over to the test set.

ax = history.plot(title="Softmax regression on Fashion-MNIST")
ax.figure.tight_layout()
plt.show()

# %%
# The confusion matrix
# --------------------
#
# Accuracy is one number; the *confusion matrix* shows where the errors go. Its
# entry in row :math:`i` and column :math:`j` counts the test images of true class
# :math:`i` that the model predicted as class :math:`j`; the diagonal holds the
# correct predictions. ``torch.bincount`` counts it in one call: encode each pair
# (true class, predicted class) as the single number ``true * q + pred``, which
# runs from 0 to :math:`q^2 - 1`, count how often each number occurs, and reshape
# the :math:`q^2` counts into a :math:`q \times q` matrix.

q = len(FASHION_MNIST_CLASSES)
with torch.no_grad():
    y_pred = net(X_test).argmax(dim=1)
confusion = torch.bincount(y_test * q + y_pred, minlength=q * q).reshape(q, q).cpu()
assert confusion.sum() == len(y_test)
assert torch.equal(confusion.sum(dim=1), torch.bincount(y_test.cpu(), minlength=q))
assert confusion.trace().item() / len(y_test) == handson.evaluate_accuracy(
    net, X_test, y_test)

per_class = confusion.diag() / confusion.sum(dim=1)
for k in per_class.argsort().tolist():
    print(f"{FASHION_MNIST_CLASSES[k]:>11s}: {per_class[k].item():.3f} correct")
off_diagonal = confusion - torch.diag(confusion.diag())
true_k, pred_k = divmod(off_diagonal.argmax().item(), q)
print(f"most frequent mistake: {FASHION_MNIST_CLASSES[true_k]} predicted as "
      f"{FASHION_MNIST_CLASSES[pred_k]} ({off_diagonal[true_k, pred_k].item()} times)")

# %%
# The list runs from the hardest class to the easiest. As the mean images of
# :doc:`01_image_classification_data` suggested, the hardest classes and the most
# frequent mistakes are among the upper-body garments, which share one silhouette;
# trousers, bags and the shoes are easy. (Checked at full settings.)

upper_body = {"t-shirt", "pullover", "coat", "shirt"}
hardest = FASHION_MNIST_CLASSES[per_class.argmin().item()]
mistake = {FASHION_MNIST_CLASSES[true_k], FASHION_MNIST_CLASSES[pred_k]}
handson.check("hardest classes that are not upper-body garments",
              len({hardest} - upper_body), "==", 0)
handson.check("classes in the most frequent mistake that are not upper-body garments",
              len(mistake - upper_body), "==", 0)

fig, ax = plt.subplots(figsize=(7, 6))
image = ax.imshow(confusion / confusion.sum(dim=1, keepdim=True), cmap="Blues")
for i in range(q):
    for j in range(q):
        share = confusion[i, j].item() / confusion[i].sum().item()
        ax.text(j, i, confusion[i, j].item(), ha="center", va="center", fontsize=7,
                color="white" if share > 0.5 else "black")
ax.set_xticks(range(q), FASHION_MNIST_CLASSES, rotation=45, ha="right")
ax.set_yticks(range(q), FASHION_MNIST_CLASSES)
ax.set_xlabel("predicted class")
ax.set_ylabel("true class")
ax.set_title("Confusion matrix on the test set (colour: share of the row)")
fig.colorbar(image, ax=ax, fraction=0.046)
fig.tight_layout()
plt.show()

# %%
# Finally, the first test images with the model's predictions, drawn with
# ``handson.show_images``. Each title gives the true class, then the prediction.

titles = [f"{FASHION_MNIST_CLASSES[t]}\n-> {FASHION_MNIST_CLASSES[p]}"
          for t, p in zip(y_test[:16].tolist(), y_pred[:16].tolist())]
fig = handson.show_images(X_test_img[:16], titles=titles, ncols=8, scale=1.6)
fig.suptitle("Test images: true class -> predicted class")
fig.tight_layout()
plt.show()

# %%
# Summary
# -------
#
# * ``nn.Sequential(nn.Flatten(), nn.Linear(784, 10))`` is softmax regression;
#   ``nn.Linear`` stores :math:`\mathbf{W}^\top` as its ``weight``.
# * ``nn.CrossEntropyLoss`` takes logits and fuses log-softmax with the negative
#   log-likelihood, using the log-sum-exp trick; never put a softmax before it.
# * Library and scratch code agree to rounding: the same loss on a batch, the same
#   parameters after one ``torch.optim.SGD`` step.
# * ``handson.train`` runs the loop of the previous page and returns a ``History``
#   to plot; a confusion matrix from ``torch.bincount`` shows which classes are
#   confused.

# %%
# Exercises
# ---------
#
# 1. **Raw pixels.** Train on the raw pixels, as D2L does: skip the standardisation
#    and keep ``lr = 0.1``. How do the curves and the final test accuracy change?
#
#    .. dropdown:: Answer
#
#       Expect a lower final test accuracy and a curve that moves up and down
#       more from epoch to epoch, so that where the last epoch happens to land
#       decides much of the final number; run it with two or three seeds to see
#       the spread. The raw inputs are all positive and their scales differ from
#       pixel to pixel, which makes the loss surface elongated; SGD then zigzags
#       across the narrow valley instead of moving along it.
#
# 2. **A softmax too many.** Append ``nn.Softmax(dim=1)`` to ``net`` and train with
#    the same ``nn.CrossEntropyLoss``. What is the smallest loss the model can now
#    possibly reach?
#
#    .. dropdown:: Answer
#
#       The loss now receives probabilities in :math:`[0, 1]` as its "logits". The
#       best it can see is a 1 at the true class and 0 elsewhere, whose
#       cross-entropy is :math:`\log(e + q - 1) - 1 = \log(1 + (q - 1)/e)`,
#       about 1.46 for :math:`q = 10`, far above 0, and the gradient passing
#       through two softmaxes is damped. Yet the outer softmax does not change
#       which logit is largest, so the accuracy still looks reasonable, only a
#       little worse than with the correct model. That is what makes this bug easy
#       to miss: watch the loss, which is stuck far above its usual values.
#
# 3. **Batch size.** Train with ``batch_size`` 32 and 2048, keeping ``lr = 0.1``.
#    Compare the time per epoch (``history.epoch_time``) and the final accuracy.
#
#    .. dropdown:: Answer
#
#       With 32 an epoch makes eight times as many steps; each step does little
#       work and has a fixed overhead, so on a CPU the epoch takes clearly longer.
#       The small batches give noisy gradients, and with the same learning rate
#       the test accuracy bounces around from epoch to epoch and ends no higher
#       (smaller batches want a smaller learning rate). With 2048 an epoch is
#       fast and the curve smooth, but an epoch makes few steps, so after 10
#       epochs the model is a little further from the minimum; raising the
#       learning rate compensates in part.
#
# 4. **Chapter exercise: the whole protocol.** Put the chapter together, on MNIST
#    *and* on Fashion-MNIST, without looking at the test set until the end:
#
#    * carve 10,000 validation images out of each training split
#      (:doc:`01_image_classification_data`), and standardise with statistics of
#      the remaining training images only;
#    * for each learning rate in ``(0.03, 0.1, 0.3, 1.0)`` train the concise model
#      for 5 epochs with ``handson.train``, passing the *validation* set where the
#      test set went, and keep the learning rate with the best final validation
#      accuracy;
#    * report the chosen model's test accuracy, once, and its accuracy per class
#      from a confusion matrix (:doc:`02_softmax_regression_scratch` for the model,
#      this page for the matrix).
#
#    Which data set is harder, and which class is hardest in each?
#
#    .. dropdown:: Worked answer
#
#       One function runs the protocol for either data set.
#
#       .. code-block:: python
#
#          from handson.data import load_mnist
#
#          def study(loader, class_names, lrs=(0.03, 0.1, 0.3, 1.0), num_epochs=5):
#              """Choose lr on validation, then report test accuracy per class."""
#              X, y = loader("train")
#              X_test, y_test = loader("test")
#              generator = torch.Generator().manual_seed(42)
#              perm = torch.randperm(len(X), generator=generator)
#              val_idx, train_idx = perm[: len(X) // 6], perm[len(X) // 6 :]
#              X_tr, y_tr = X[train_idx], y[train_idx]
#              X_val, y_val = X[val_idx], y[val_idx]
#              mu, sigma = X_tr.mean(dim=0), X_tr.std(dim=0)
#              X_tr, X_val, X_test = [(Z - mu) / (sigma + 0.1)
#                                     for Z in (X_tr, X_val, X_test)]
#              best_acc, best_lr, best_net = -1.0, None, None
#              for lr in lrs:
#                  torch.manual_seed(0)
#                  net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
#                  nn.init.normal_(net[1].weight, std=0.01)
#                  nn.init.zeros_(net[1].bias)
#                  history = handson.train(
#                      net, (X_tr, y_tr), (X_val, y_val), nn.CrossEntropyLoss(),
#                      torch.optim.SGD(net.parameters(), lr=lr), num_epochs, 256,
#                      verbose=False)
#                  print(f"lr {lr}: validation accuracy {history.test_acc[-1]:.4f}")
#                  if history.test_acc[-1] > best_acc:
#                      best_acc, best_lr, best_net = history.test_acc[-1], lr, net
#              with torch.no_grad():
#                  y_pred = best_net(X_test).argmax(dim=1)
#              q = len(class_names)
#              confusion = torch.bincount(y_test * q + y_pred, minlength=q * q)
#              confusion = confusion.reshape(q, q)
#              per_class = confusion.diag() / confusion.sum(dim=1)
#              hardest = per_class.argmin().item()
#              print(f"chosen lr {best_lr}: test accuracy "
#                    f"{confusion.trace().item() / len(y_test):.4f}; hardest class "
#                    f"{class_names[hardest]} ({per_class[hardest]:.3f} correct)")
#
#          study(load_mnist, [str(k) for k in range(10)])
#          study(load_fashion_mnist, FASHION_MNIST_CLASSES)
#
#       The smallest learning rate learns too slowly in 5 epochs and the largest
#       is too noisy, so both data sets pick one in the middle of the range,
#       MNIST a larger one than Fashion-MNIST. Fashion-MNIST is clearly the
#       harder data set, by about ten points of test accuracy. Its hardest class
#       is *shirt*, mistaken for t-shirts, pullovers and coats. On MNIST the
#       weakest digits are those whose strokes overlap other digits' templates,
#       such as 8, 5 or 9; which one comes last can change with the seed.
