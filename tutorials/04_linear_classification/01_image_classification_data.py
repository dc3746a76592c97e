"""
Image classification data sets
==============================

Before we train a classifier we should know what it will see: how an image is stored
as a tensor, how large the data set is in memory, what values the pixels take, how
many examples each class has, and what a typical example of each class looks like.
This page answers these questions for the two data sets that the next pages train on:
*MNIST*, small grayscale images of handwritten digits (LeCun et al., 1998), and
*Fashion-MNIST*, images of clothing from Zalando's catalogue in exactly the same
format (Xiao, Rasul and Vollgraf, 2017), made as a harder drop-in replacement for
MNIST. We also set up the two habits every later page relies on: a training set, a
validation set carved out of it and a test set kept for the final number; and reading
minibatches straight out of an in-memory tensor by indexing.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * load MNIST and Fashion-MNIST as tensors and read their shape, dtype,
        value range and memory size
      * draw a grid of images with their labels, by hand and then with
        ``handson.show_images``
      * summarise a data set: pixel mean and standard deviation, class balance,
        the mean image of every class
      * split off a validation set, and why the test set is only for the end
      * read a minibatch by indexing a tensor, and how fast that is

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../02_preliminaries/01_tensors` (shapes, indexing, reductions)
      * :doc:`../03_linear_regression/01_california_housing` (training,
        validation and test splits; minibatches)
      * data: MNIST and Fashion-MNIST, loaded by ``handson.data``
"""

# sphinx_gallery_thumbnail_number = 2

import time

import matplotlib.pyplot as plt
import torch

import handson
from handson.data import FASHION_MNIST_CLASSES, load_fashion_mnist, load_mnist

handson.seed(0)

# %%
# The idea
# --------
#
# An image classification data set is a pile of :math:`n` images, each with a label
# that names one of :math:`q` classes. A grayscale image of :math:`h \times w`
# pixels is a matrix of brightness values; with :math:`c` colour channels (1 for
# gray, 3 for red, green and blue) it is a tensor of shape :math:`c \times h \times
# w`. Stacking the :math:`n` images gives a tensor
# :math:`\mathsf{X} \in \mathbb{R}^{n \times c \times h \times w}`, and the labels
# form a vector :math:`\mathbf{y}` of :math:`n` class numbers. The linear models of
# this chapter ignore where a pixel sits and see each image as one long vector
# :math:`\mathbf{x}^{(i)} \in \mathbb{R}^d` with
#
# .. math::
#
#    d = c \cdot h \cdot w
#
# features, one per pixel. The convolutional networks of
# :doc:`../07_convolutional_networks/01_convolutions` use the layout that this
# flattening throws away.

# %%
# Loading the data
# ----------------
#
# :func:`handson.data.load_mnist` and :func:`handson.data.load_fashion_mnist` read the
# original files (verified against their checksums) and return a pair of tensors
# ``(X, y)``: the images as ``float32`` of shape ``(n, 1, 28, 28)`` with values
# scaled to :math:`[0, 1]`, and the labels as ``int64``. Each data set comes in two
# splits, ``"train"`` and ``"test"``, made by its authors.

X_mnist, y_mnist = load_mnist("train")
X_mnist_test, y_mnist_test = load_mnist("test")
X_fashion, y_fashion = load_fashion_mnist("train")
X_fashion_test, y_fashion_test = load_fashion_mnist("test")


def describe(name, X, y):
    """Print the shape, dtype, value range and memory size of images X, labels y."""
    num_bytes = X.element_size() * X.nelement() + y.element_size() * y.nelement()
    megabytes = num_bytes / 1e6
    print(f"{name:22s} X {str(tuple(X.shape)):18s} {X.dtype}  "
          f"values in [{X.min().item():.1f}, {X.max().item():.1f}]  "
          f"y {tuple(y.shape)} {y.dtype}  {megabytes:6.1f} MB")
    return megabytes


sizes = [
    describe("MNIST train", X_mnist, y_mnist),
    describe("MNIST test", X_mnist_test, y_mnist_test),
    describe("Fashion-MNIST train", X_fashion, y_fashion),
    describe("Fashion-MNIST test", X_fashion_test, y_fashion_test),
]
print(f"all four together: {sum(sizes):.1f} MB")

# %%
# The printed lines show the format: one channel of 28 by 28 pixels per image, so
# :math:`d` is the number below. A ``float32`` takes 4 bytes, so each image costs
# :math:`4d` bytes and the whole training set the size printed above; that fits
# easily in memory, which is why this course keeps data sets as tensors rather than
# reading them from disk batch by batch. These facts hold for all four tensors, and
# we check them:

c, h, w = X_mnist.shape[1:]
d = c * h * w
q = 10  # number of classes
print(f"c = {c}, h = {h}, w = {w}, so d = {d} features per image; q = {q} classes")
for X, y in [(X_mnist, y_mnist), (X_mnist_test, y_mnist_test),
             (X_fashion, y_fashion), (X_fashion_test, y_fashion_test)]:
    assert X.shape[1:] == (1, 28, 28) and X.dtype == torch.float32
    assert y.shape == (len(X),) and y.dtype == torch.int64
    assert X.min() >= 0 and X.max() <= 1, "pixels are scaled to [0, 1]"
    assert y.min() >= 0 and y.max() <= q - 1, "labels are 0, ..., 9"
assert d == 784

# %%
# The published sizes of the splits hold only at full settings (quick mode loads a
# small slice):

handson.check("MNIST training images", len(X_mnist), "==", 60_000)
handson.check("MNIST test images", len(X_mnist_test), "==", 10_000)
handson.check("Fashion-MNIST training images", len(X_fashion), "==", 60_000)
handson.check("Fashion-MNIST test images", len(X_fashion_test), "==", 10_000)

# %%
# .. note::
#
#    The labels are class *numbers*. For MNIST the number is the digit itself. For
#    Fashion-MNIST it indexes the list of names
#    ``handson.data.FASHION_MNIST_CLASSES``:

print(dict(enumerate(FASHION_MNIST_CLASSES)))

# %%
# Looking at the images
# ---------------------
#
# A grid of images is a grid of matplotlib axes, one ``imshow`` per axis. Each image
# has shape ``(1, 28, 28)``; ``imshow`` wants a plain ``(28, 28)`` matrix for a
# grayscale picture, so we drop the channel axis with ``image[0]``.

fig, axes = plt.subplots(2, 8, figsize=(8 * 1.2, 2 * 1.6))
for ax, image, label in zip(axes.flat, X_mnist[:16], y_mnist[:16]):
    ax.imshow(image[0], cmap="gray")
    ax.set_title(f"label {label.item()}", fontsize=9)
    ax.axis("off")
fig.suptitle("The first 16 MNIST training images")
fig.tight_layout()
plt.show()

# %%
# We will draw such grids on many pages, so the loop above is kept in the course
# library as :func:`handson.show_images`. It takes a tensor of images of shape
# ``(n, 1, h, w)``, ``(n, 3, h, w)`` or ``(n, h, w)`` with values in :math:`[0, 1]`,
# optional titles and the number of columns, and returns the figure. Here it shows
# Fashion-MNIST with the class names as titles:

titles = [FASHION_MNIST_CLASSES[label] for label in y_fashion[:16].tolist()]
fig = handson.show_images(X_fashion[:16], titles=titles, ncols=8)
fig.suptitle("The first 16 Fashion-MNIST training images")
fig.tight_layout()
plt.show()

# %%
# Pixel statistics
# ----------------
#
# Numbers that summarise a data set: the mean and standard deviation of all pixel
# values of the training set, and the fraction of pixels that are exactly 0 (pure
# black background).

for name, X in [("MNIST", X_mnist), ("Fashion-MNIST", X_fashion)]:
    print(f"{name:14s} pixel mean {X.mean().item():.4f}  std {X.std().item():.4f}  "
          f"exactly zero: {(X == 0).float().mean().item():.1%}")
assert X_mnist.mean() < X_fashion.mean()
assert (X_mnist == 0).float().mean() > 0.5, "most MNIST pixels are background"

# %%
# The printed values show that MNIST is mostly background: a thin stroke on black.
# Clothing fills much more of its frame, so Fashion-MNIST is brighter on average.
# These two means and standard deviations are the numbers people plug into
# "normalise MNIST" recipes; the next page standardises with statistics of its own.
#
# The same statistics *per pixel* (a mean and a standard deviation over the
# :math:`n` images for each of the :math:`d` positions) show where the information
# is. Some pixels near the border are 0 in *every* MNIST training image: their
# standard deviation is 0, and they cannot help to tell digits apart.

fig, axes = plt.subplots(1, 4, figsize=(10, 2.8))
for i, (name, X) in enumerate([("MNIST", X_mnist), ("Fashion-MNIST", X_fashion)]):
    for j, (stat, values) in enumerate([("mean", X.mean(0)[0]), ("std", X.std(0)[0])]):
        ax = axes[2 * i + j]
        image = ax.imshow(values, cmap="viridis")
        fig.colorbar(image, ax=ax, fraction=0.046)
        ax.set_title(f"{name}: per-pixel {stat}", fontsize=9)
        ax.axis("off")
    never_varies = (X.std(0) == 0).sum().item()
    print(f"{name}: {never_varies} of {d} pixels are the same in every training image")
fig.tight_layout()
plt.show()
assert (X_mnist.std(0) == 0).any(), "some MNIST pixels never vary"

# %%
# **Class balance.** How many training examples has each class? ``torch.bincount``
# counts how often each value 0, 1, 2, ... occurs in a tensor of non-negative
# integers; ``minlength=q`` makes sure there is a count for every class, even one
# that never occurs.

counts_mnist = torch.bincount(y_mnist, minlength=q)
counts_fashion = torch.bincount(y_fashion, minlength=q)
print("MNIST training images per digit:        ", counts_mnist.tolist())
print("Fashion-MNIST training images per class:", counts_fashion.tolist())
assert counts_mnist.sum() == len(y_mnist) and counts_fashion.sum() == len(y_fashion)
assert len(counts_mnist) == q and len(counts_fashion) == q

fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
axes[0].bar(range(q), counts_mnist.tolist())
axes[0].set_xticks(range(q))
axes[0].set_xlabel("digit")
axes[0].set_title("MNIST")
axes[1].bar(range(q), counts_fashion.tolist(), color="C1")
axes[1].set_xticks(range(q), FASHION_MNIST_CLASSES, rotation=45, ha="right")
axes[1].set_title("Fashion-MNIST")
axes[0].set_ylabel("training images")
fig.tight_layout()
plt.show()

# %%
# Fashion-MNIST was built to be perfectly balanced; MNIST, collected from real
# writers, is only roughly balanced: the rarest and the most common digit are printed
# below. Balance matters for reading accuracies: on a balanced set, always guessing
# the same class scores :math:`1/q`, and that is the floor any classifier must beat.

rarest, commonest = counts_mnist.argmin().item(), counts_mnist.argmax().item()
ratio = (counts_mnist.max() / counts_mnist.min()).item()
print(f"MNIST: rarest digit {rarest} ({counts_mnist[rarest].item()} images), "
      f"most common digit {commonest} ({counts_mnist[commonest].item()} images), "
      f"ratio {ratio:.2f}")
print(f"accuracy of always guessing the most common class: "
      f"MNIST {counts_mnist.max().item() / len(y_mnist):.3f}, "
      f"Fashion-MNIST {counts_fashion.max().item() / len(y_fashion):.3f}")
handson.check("Fashion-MNIST classes without exactly 6,000 training images",
              int((counts_fashion != 6_000).sum()), "==", 0)
handson.check("count of MNIST's most common digit over its rarest's", ratio, "<", 1.3)

# %%
# **The mean image of every class.** ``X[y == k]`` selects the images of class
# :math:`k` (a boolean mask indexes the first axis), and ``.mean(0)`` averages them
# pixel by pixel. The result is again an image in :math:`[0, 1]`, so
# ``show_images`` can draw it.

mean_images = torch.stack(
    [X[y == k].mean(0) for X, y in [(X_mnist, y_mnist), (X_fashion, y_fashion)]
     for k in range(q)]
)
assert mean_images.shape == (2 * q, 1, 28, 28)
titles = [f"digit {k}" for k in range(q)] + list(FASHION_MNIST_CLASSES)
fig = handson.show_images(mean_images, titles=titles, ncols=q)
fig.suptitle("Mean training image of each class")
fig.tight_layout()
plt.show()

# %%
# The averages are blurry but easy to recognise, which says something about the
# task: a good part of it can be solved by comparing an image with a template per
# class. We can measure how large a part: label every test image with the class
# whose mean image is nearest (smallest Euclidean distance between the two vectors
# of :math:`d` pixels), and count how often that is right, overall and per class.

templates = mean_images.reshape(2, q, d)
for t, (name, X, y) in enumerate([("MNIST", X_mnist_test, y_mnist_test),
                                  ("Fashion-MNIST", X_fashion_test, y_fashion_test)]):
    nearest = torch.cdist(X.reshape(len(X), d), templates[t]).argmin(1)
    template_acc = (nearest == y).float().mean().item()
    print(f"{name}: nearest class mean is right for {template_acc:.3f} of the test "
          f"images (guessing: {1 / q:.1f})")
    handson.check(f"test accuracy of the nearest {name} class mean",
                  template_acc, ">", 0.5)
# the loop ended on Fashion-MNIST: its per-class accuracies, weakest first
per_class = torch.stack([(nearest[y == k] == k).float().mean() for k in range(q)])
weakest = per_class.argsort()[:4].tolist()
for k in per_class.argsort().tolist():
    print(f"  {FASHION_MNIST_CLASSES[k]:12s} {per_class[k].item():.3f}")
upper_body = {"t-shirt", "pullover", "coat", "shirt"}
handson.check("upper-body garments among the 4 weakest classes",
              len({FASHION_MNIST_CLASSES[k] for k in weakest} & upper_body), "==", 4)

# %%
# Templates alone get most of MNIST and more than half of Fashion-MNIST right,
# far above guessing. The weakest classes are the four upper-body garments
# (*t-shirt*, *pullover*, *coat* and *shirt*), which share one silhouette; the
# shoes look alike too, but each keeps enough of its own shape for the template.
# The linear classifier of the next page also scores every class by a weighted sum
# of the pixels, so it too holds one template per class, but it *learns* those
# weights to tell the classes apart (with negative weights where a rival class has
# ink), and it does clearly better than the class means.
#
# Training, validation and test sets
# ----------------------------------
#
# Both data sets come with a test split made by their authors. It exists to answer
# one question at the very end: *how well does the finished model do on images it
# has never seen?* That answer is only honest if nothing about the model was chosen
# by looking at the test set.
#
# .. warning::
#
#    Every decision made by looking at test accuracy (the learning rate, the number
#    of epochs, which of two models to keep) fits the model a little to the test
#    set, and the final test number becomes optimistic. Make such choices on a
#    :term:`validation set`: examples held out of the *training* split. Touch the
#    :term:`test set` once, for the number you report.
#
# We carve the validation set out of the training split at random, with a generator
# of its own so that the split is the same in every run whatever else draws random
# numbers. A sixth of the training images (10,000 at full size) go to validation,
# the rest stay for training.

n = len(X_fashion)
n_val = n // 6
perm = torch.randperm(n, generator=torch.Generator().manual_seed(42))
train_idx, val_idx = perm[n_val:], perm[:n_val]
X_train, y_train = X_fashion[train_idx], y_fashion[train_idx]
X_val, y_val = X_fashion[val_idx], y_fashion[val_idx]
print(f"Fashion-MNIST: {len(X_train)} training, {len(X_val)} validation, "
      f"{len(X_fashion_test)} test images")

# %%
# The two index sets must not overlap and must together cover the training split
# once; sorted, they are exactly :math:`0, 1, \dots, n - 1`:

assert len(train_idx) + len(val_idx) == n
assert torch.equal(torch.cat([train_idx, val_idx]).sort().values, torch.arange(n))

# %%
# A random split keeps the class proportions *roughly* as they were. The largest
# difference between the share of a class in the validation set and in the whole
# training split is printed below; with thousands of validation images it is a
# fraction of a percentage point.

share_all = counts_fashion / n
share_val = torch.bincount(y_val, minlength=q) / len(y_val)
print("share of each class in validation:", [f"{s:.3f}" for s in share_val.tolist()])
print(f"largest difference from the training split: "
      f"{(share_val - share_all).abs().max().item():.4f}")
handson.check("largest class-share difference, validation vs training split",
              (share_val - share_all).abs().max(), "<", 0.01)

# %%
# Reading minibatches
# -------------------
#
# Training reads the data in small random :term:`minibatches <minibatch>`. With the
# data in one tensor, a minibatch is one indexing operation: draw a random order of
# the examples once per :term:`epoch`, cut it into pieces of ``batch_size``
# indices, and index. ``X[idx]`` with a tensor of indices ``idx`` gathers those rows
# into a new tensor of shape ``(len(idx), 1, 28, 28)``; the same ``idx`` picks the
# matching labels. This is the ``data_iter`` of
# :doc:`../03_linear_regression/01_california_housing`.

batch_size = 256
indices = torch.randperm(len(X_train))
idx = indices[:batch_size]
X_batch, y_batch = X_train[idx], y_train[idx]
print("one minibatch:", tuple(X_batch.shape), tuple(y_batch.shape))
assert X_batch.shape == (batch_size, 1, 28, 28) and torch.equal(y_batch, y_train[idx])

# %%
# How long does one *epoch* of minibatches take, one pass over all training images?
# ``time.perf_counter()`` reads a precise clock; the difference of two readings is
# the elapsed time in seconds. We also collect every batch's indices to check that
# the epoch sees each example exactly once.

start = time.perf_counter()
seen = []
for i in range(0, len(X_train), batch_size):
    idx = indices[i : i + batch_size]
    X_batch, y_batch = X_train[idx], y_train[idx]
    seen.append(idx)
epoch_seconds = time.perf_counter() - start
num_batches = len(seen)
print(f"{num_batches} minibatches in {epoch_seconds * 1000:.1f} ms: "
      f"{len(X_train) / epoch_seconds:,.0f} images per second")
assert torch.equal(torch.cat(seen).sort().values, torch.arange(len(X_train)))
assert len(seen[-1]) == len(X_train) - (num_batches - 1) * batch_size
handson.check("seconds for one epoch of minibatches", epoch_seconds, "<", 2.0,
              quick=True)

# %%
# The printed time shows how little a whole epoch of batching costs: copying the
# training images (the size printed at the top of the page) in memory is quick,
# and far cheaper than the training steps the batches will feed. So on these
# pages minibatches are always read by indexing in-memory tensors.
#
# .. note::
#
#    PyTorch's ``torch.utils.data.DataLoader`` builds batches one example at a time,
#    in a Python loop, and can spread that work over worker processes. That pays
#    off when every example must be read from disk and decoded. For a data set that
#    fits in memory as one tensor, indexing is simpler and faster, and it behaves
#    the same in a script, a notebook and the documentation build.

# %%
# Summary
# -------
#
# * MNIST and Fashion-MNIST are tensors of shape ``(n, 1, 28, 28)``, ``float32`` in
#   :math:`[0, 1]`, with ``int64`` labels ``0, ..., 9``; flattened, each image is a
#   vector of :math:`d = 784` features.
# * Look before you train: a grid of samples (``handson.show_images``), the pixel
#   mean and standard deviation, the class balance (``torch.bincount``) and the mean
#   image per class.
# * Make choices on a validation set carved out of the training split; use the test
#   set once, for the final number.
# * A minibatch is ``X[idx]`` for a tensor of random indices; a whole epoch of
#   batching takes a fraction of a second.

# %%
# Exercises
# ---------
#
# 1. Look at the mean images of Fashion-MNIST. Which pairs of classes do you expect
#    a linear classifier to confuse most? Write your guess down; the confusion
#    matrix at the end of
#    :doc:`03_softmax_regression_concise` tells you whether you were right.
#
#    .. dropdown:: Hint
#
#       Classes whose mean images nearly coincide give a template matcher the least
#       to go on: the upper-body garments (t-shirt, pullover, coat, shirt), as the
#       nearest-class-mean accuracies above show. The shoes look alike too; whether
#       a learned linear model confuses them is for the confusion matrix to say.
#
# 2. The files store each pixel as one byte (``uint8``, values 0 to 255). How much
#    memory would the MNIST training images take in that form? Convert them with
#    ``(X_mnist * 255).round().to(torch.uint8)`` and check with ``element_size()``.
#    Why do we still train on ``float32``?
#
#    .. dropdown:: Answer
#
#       A quarter of the ``float32`` size: 1 byte per pixel instead of 4. Storing
#       bytes and converting each minibatch with ``.float() / 255`` would save
#       memory, and large image pipelines do exactly that. But the model computes in
#       floating point anyway, and at this size the memory is not worth the extra
#       step.
#
# 3. Why draw the validation set at random instead of simply taking the last sixth
#    of the training split?
#
#    .. dropdown:: Answer
#
#       Because the order of a data file may mean something. MNIST's training set
#       was assembled from two groups of writers, and many data sets are sorted by
#       class, by time or by source. A slice from the end could then differ
#       systematically from the rest, and the validation accuracy would measure
#       something else than what it should. A random split removes that risk.
#       (When the order *is* the point, as in time series, you must instead
#       validate on the most recent data.)
#
# 4. **Programming task.** A random split keeps the class shares only roughly.
#    Write ``stratified_split(y, num_val, generator)`` that returns
#    ``(train_idx, val_idx)`` such that every class has the same share of the
#    validation set as of the whole training split (as nearly as the counts allow).
#    Check it on MNIST with ``torch.bincount``.
#
#    .. dropdown:: Worked answer
#
#       Split every class separately, in proportion, and join the pieces.
#
#       .. code-block:: python
#
#          def stratified_split(y, num_val, generator):
#              """Indices (train_idx, val_idx) with the class shares of y in both."""
#              train_parts, val_parts = [], []
#              for k in range(int(y.max()) + 1):
#                  members = torch.nonzero(y == k).flatten()
#                  members = members[torch.randperm(len(members), generator=generator)]
#                  k_val = round(num_val * len(members) / len(y))
#                  val_parts.append(members[:k_val])
#                  train_parts.append(members[k_val:])
#              return torch.cat(train_parts), torch.cat(val_parts)
#
#          train_idx, val_idx = stratified_split(
#              y_mnist, len(y_mnist) // 6, torch.Generator().manual_seed(42))
#          share_all = torch.bincount(y_mnist, minlength=q) / len(y_mnist)
#          share_val = torch.bincount(y_mnist[val_idx], minlength=q) / len(val_idx)
#          print((share_val - share_all).abs().max())  # below 1e-4
#          assert len(train_idx) + len(val_idx) == len(y_mnist)
#
#       The rounding per class can make the validation set a few images larger or
#       smaller than ``num_val``; the shares then agree to within a few images per
#       class.
