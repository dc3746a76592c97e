"""
Colour images: CIFAR-10
=======================

Fashion-MNIST's clothes are grey, centred and photographed the same way. CIFAR-10's
are not: 32x32 colour photographs of aeroplanes, cars, birds, cats, deer, dogs,
frogs, horses, ships and lorries, at any position, in any light, on any background.
This page moves convolutional networks to such images: three colour channels per
pixel, normalised channel by channel, and, because we train on only 3,000 of them,
*data augmentation*, which makes new training images out of the old ones by
flipping and shifting them. We write the augmentation ourselves with tensor
operations on whole batches, and measure how much it helps when data are scarce.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * colour images as tensors of shape ``(n, 3, h, w)``, and the three channels
        of a photograph
      * per-channel normalisation, with statistics from the training split only
      * random horizontal flips and random crops with padding, written as batched
        tensor operations (no loop over images)
      * augmentation inside the model, active in training mode only
      * measure what augmentation buys on a small training set

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * channels and pooling, from :doc:`01_convolutions`
      * training a convolutional network with batch normalisation, from
        :doc:`02_lenet`
      * overfitting and the gap between training and test accuracy, from
        :doc:`../05_multilayer_perceptrons/03_generalization`
      * data: CIFAR-10, the first 4,000 training images (the course's offline
        subset), loaded with :func:`handson.data.load_cifar10`
"""

# sphinx_gallery_thumbnail_number = 3

# %%
# The idea
# --------
#
# A colour image stores three numbers per pixel: how much red, green and blue light
# it has. As a tensor it has a *channel* axis of length 3, and a batch of :math:`n`
# images is a tensor :math:`\mathsf{X}` of shape :math:`n \times 3 \times h \times w`.
# Nothing new is needed in the network: a convolution with :math:`c_i = 3` input
# channels, as in :doc:`01_convolutions`, mixes the colours in its first layer.
#
# Two things do need care.
#
# * **Normalisation.** Each channel :math:`c` is shifted and scaled with the mean
#   :math:`\mu_c` and the standard deviation :math:`\sigma_c` of that channel over
#   all training images and pixels,
#
#   .. math::
#
#      x'_{c,i,j} = \frac{x_{c,i,j} - \mu_c}{\sigma_c},
#
#   so that every channel enters the network with mean 0 and variance 1. The test
#   images are normalised with the *same* :math:`\mu_c, \sigma_c`, those of the
#   training split: the test set plays the role of data we have not seen yet, so
#   nothing may be computed from it.
# * **Scarce data.** We have 3,000 training images, not 50,000, and even the small
#   network of this page has several weights per training image (counted below):
#   enough to fit the training images far better than new ones. *Data
#   augmentation* trains on
#   random transformations of the images instead, transformations that do not
#   change the label: a cat flipped left to right is still a cat, and so is a cat
#   moved two pixels to the left. Each epoch then sees a new variant of each image,
#   and the network must learn what stays the same.

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

import handson
from handson.data import CIFAR10_CLASSES, load_cifar10

handson.seed(0)

# %%
# The data
# --------
#
# .. warning::
#
#    ``load_cifar10()`` returns the **first 4,000 training images** of CIFAR-10,
#    not the whole data set: that is the subset the course's offline mirror holds,
#    so that every page builds without internet. The full CIFAR-10 has 50,000
#    training and 10,000 test images; on a machine with internet access,
#    ``load_cifar10(full=True)`` and ``load_cifar10("test", full=True)`` download
#    and return them (a 163 MiB archive, verified like every course file).
#
# The loader returns the pixels as ``float32`` in :math:`[0, 1]` and the labels as
# integers 0 to 9; ``CIFAR10_CLASSES`` names them.

X, y = load_cifar10()
print("X:", tuple(X.shape), X.dtype, "| y:", tuple(y.shape), y.dtype)
print("images per class:", torch.bincount(y, minlength=10).tolist())
print("classes:", ", ".join(CIFAR10_CLASSES))

fig = handson.show_images(X[:16], titles=[CIFAR10_CLASSES[int(c)] for c in y[:16]],
                          ncols=8)
plt.show()

# %%
# At 32x32 pixels even a person needs a moment for some of them. Now the three
# channels of one image. ``X[k]`` has shape ``(3, 32, 32)``; ``X[k, 0]`` is the red
# channel, a 32x32 matrix like a grey image. For ``imshow`` a colour image must be
# laid out height x width x channels, so we permute the axes.

k = 7
fig, axes = plt.subplots(1, 4, figsize=(9, 2.6))
axes[0].imshow(X[k].permute(1, 2, 0))
axes[0].set_title(f"{CIFAR10_CLASSES[int(y[k])]} (RGB)", fontsize=9)
for c, (ax, name, cmap) in enumerate(zip(axes[1:], ["red", "green", "blue"],
                                         ["Reds_r", "Greens_r", "Blues_r"])):
    ax.imshow(X[k, c], cmap=cmap, vmin=0, vmax=1)
    ax.set_title(f"channel {c}: {name}", fontsize=9)
for ax in axes:
    ax.axis("off")
fig.tight_layout()
plt.show()

# %%
# Each channel is bright where the photograph has much of that colour. The channels
# of natural photographs are strongly alike (a shadow is dark in all three), which
# the printed correlations show:

flat = X.permute(1, 0, 2, 3).reshape(3, -1)  # one row per channel, all pixels
print("correlation of the R, G, B channels over all pixels:")
print(torch.corrcoef(flat))

# %%
# Train and test split, normalisation
# -----------------------------------
#
# The subset has no test images of its own, so we make a split: the first 3,000
# images for training, the last 1,000 for testing. (In quick mode the loader
# returns fewer images and the split keeps the same proportions.)

n_train = len(X) * 3 // 4
X_train, y_train = X[:n_train], y[:n_train]
X_test, y_test = X[n_train:], y[n_train:]
print(f"train: {len(X_train)} images | test: {len(X_test)} images")

# %%
# The per-channel mean and standard deviation, over the training images and all
# their pixels: reduce over axes 0 (images), 2 and 3 (height, width), keep axis 1
# (channels). ``keepdim=True`` leaves shape ``(1, 3, 1, 1)``, which broadcasts
# against ``(n, 3, 32, 32)``.

mean = X_train.mean(dim=(0, 2, 3), keepdim=True)
std = X_train.std(dim=(0, 2, 3), keepdim=True)
print("mean per channel:", mean.flatten())
print("std per channel: ", std.flatten())
X_train = (X_train - mean) / std
X_test = (X_test - mean) / std

train_stats = X_train.mean(dim=(0, 2, 3)), X_train.std(dim=(0, 2, 3))
test_stats = X_test.mean(dim=(0, 2, 3)), X_test.std(dim=(0, 2, 3))
print("after: train mean", train_stats[0], "std", train_stats[1])
print("       test mean ", test_stats[0], "std", test_stats[1])
torch.testing.assert_close(train_stats[0], torch.zeros(3), atol=1e-5, rtol=0)
torch.testing.assert_close(train_stats[1], torch.ones(3), atol=1e-5, rtol=0)

# %%
# The training channels now have mean 0 and standard deviation 1 exactly (up to
# rounding). The test channels are close, not exact: they were normalised with
# statistics they did not contribute to, as new images will be.
#
# To show normalised images we undo the normalisation:


def denormalize(X):
    """Map normalised images back to [0, 1] for display."""
    return (X * std + mean).clamp(0, 1)


# %%
# Augmentation with tensor operations
# -----------------------------------
#
# Both transformations below act on a whole batch at once: one random number per
# image, and tensor operations instead of a Python loop over the images.
#
# **Random horizontal flip.** ``X.flip(3)`` mirrors every image left to right (axis
# 3 is the width). Draw a random boolean per image and let :func:`torch.where` pick,
# image by image, the flipped or the original version; the mask of shape ``(n,)``
# is reshaped to ``(n, 1, 1, 1)`` so that it broadcasts over channels and pixels.


def random_flip(X):
    """Flip each image of the batch left to right with probability 1/2."""
    flip = torch.rand(len(X), device=X.device) < 0.5
    return torch.where(flip[:, None, None, None], X.flip(3), X)


X_batch = X_train[:8]
X_flip = random_flip(X_batch)
for k in range(len(X_batch)):  # every image is either itself or its mirror image
    assert (torch.equal(X_flip[k], X_batch[k])
            or torch.equal(X_flip[k], X_batch[k].flip(2)))
print("flipped:", sum(not torch.equal(a, b) for a, b in zip(X_flip, X_batch)),
      "of", len(X_batch))

# %%
# We flip left to right only. Upside-down lorries and frogs do not occur in the
# test set, so a vertical flip would teach the network about images it will never
# see.
#
# **Random crop with padding.** Pad every image with :math:`p` pixels of zeros on
# each side, so a 32x32 image becomes :math:`(32 + 2p) \times (32 + 2p)`, then cut
# a 32x32 window at a random position: a random shift of up to :math:`p` pixels in
# each direction, with zeros (after normalisation: the mean colour) moving in at
# the border.
#
# Cutting a different window from each image looks like a job for a loop. It is
# not: ``Tensor.unfold(dim, size, step)`` returns *all* windows of length
# ``size`` along ``dim`` as a view, without copying. Unfold the height and then
# the width, and the padded batch of shape ``(n, 3, 36, 36)`` (for :math:`p = 2`)
# becomes a view of shape ``(n, 3, 5, 5, 32, 32)``: for every image and channel,
# the 5 x 5 possible 32x32 crops. Indexing with one random row offset and one
# random column offset per image then picks one crop per image.


def crop_at(X, padding, oy, ox):
    """Pad X with zeros and cut, from image k, the window at offset (oy[k], ox[k])."""
    n, c, h, w = X.shape
    X_pad = F.pad(X, (padding, padding, padding, padding))
    windows = X_pad.unfold(2, h, 1).unfold(3, w, 1)  # (n, c, 2p+1, 2p+1, h, w)
    return windows[torch.arange(n, device=X.device), :, oy, ox]


def random_crop(X, padding=2):
    """Shift each image by up to `padding` pixels in each direction, at random."""
    oy = torch.randint(0, 2 * padding + 1, (len(X),), device=X.device)
    ox = torch.randint(0, 2 * padding + 1, (len(X),), device=X.device)
    return crop_at(X, padding, oy, ox)


# %%
# The indexing deserves a check against the obvious loop, which slices each padded
# image separately. Offset :math:`(p, p)` is the centre crop, the image itself.

oy = torch.randint(0, 5, (8,))
ox = torch.randint(0, 5, (8,))
X_pad = F.pad(X_batch, (2, 2, 2, 2))
expected = torch.stack([X_pad[k, :, oy[k]:oy[k] + 32, ox[k]:ox[k] + 32]
                        for k in range(8)])
torch.testing.assert_close(crop_at(X_batch, 2, oy, ox), expected)
centre = torch.full((8,), 2)
torch.testing.assert_close(crop_at(X_batch, 2, centre, centre), X_batch)
print("crop_at agrees with slicing image by image; the centre crop is the image")

# %%
# How fast is it? Augmenting the whole training set takes a fraction of a second,
# small next to an epoch of training:

timer = handson.Timer()
timer.start()
X_aug = random_crop(random_flip(X_train))
print(f"augmented {len(X_aug)} images in {timer.stop() * 1000:.0f} ms")
assert X_aug.shape == X_train.shape

# %%
# Six training images (left column) and five random augmentations of each. The
# grey borders are the zero padding, which is the mean colour after normalisation.

rows = [X_train[:6]] + [random_crop(random_flip(X_train[:6])) for _ in range(5)]
grid = torch.stack(rows, dim=1).reshape(-1, 3, 32, 32)  # image by image
titles = ["original"] + [f"augmented {v}" for v in range(1, 6)]
fig = handson.show_images(denormalize(grid), titles=titles + [""] * 30, ncols=6,
                          scale=1.3)
plt.show()

# %%
# Augmentation as a layer
# -----------------------
#
# Where should the augmentation run? It must draw new random transformations for
# every batch, and it must *not* touch the test images. A module that augments in
# training mode and passes its input through in evaluation mode does both, and it
# fits in front of any network. ``handson.train`` switches the network to
# ``net.train()`` for the training steps and evaluates in ``net.eval()`` mode, as
# for batch normalisation on the previous page.


class Augment(nn.Module):
    """Random flip and crop in training mode; the identity in evaluation mode."""

    def __init__(self, padding=2):
        super().__init__()
        self.padding = padding

    def forward(self, X):
        if not self.training:
            return X
        return random_crop(random_flip(X), self.padding)


augment = Augment()
augment.eval()
assert torch.equal(augment(X_batch), X_batch)  # evaluation mode: no change
augment.train()
print("training mode changes the batch:", not torch.equal(augment(X_batch), X_batch))

# %%
# The four pieces of this section, ``random_flip``, ``crop_at``, ``random_crop``
# and ``Augment``, are saved in :mod:`handson.augmentation` (``Augment`` also as
# ``handson.Augment``, with a ``flip`` switch), and the rest of the course uses
# them from there; so does the experiment below. Given the same random numbers,
# they must produce the same images as the versions written here:

rng_state = torch.get_rng_state()
ours = Augment(padding=2)(X_train[:256])
torch.set_rng_state(rng_state)  # replay the same random numbers
theirs = handson.Augment(padding=2)(X_train[:256])
assert torch.equal(ours, theirs)
print("Augment of this page == handson.Augment on", len(ours), "images")

# %%
# .. note::
#
#    Libraries have such transformations ready-made, for example
#    ``torchvision.transforms.v2.RandomCrop(32, padding=2)`` and
#    ``RandomHorizontalFlip()``. They are written for one image at a time, as a
#    data loader hands them out: applied to a batch tensor of shape
#    ``(n, 3, 32, 32)``, such a transform treats the leading axes as a batch and
#    draws its random parameters *once per call*, so the whole batch gets the same
#    crop, and is flipped or not as a whole. The functions of this page draw one
#    crop and one flip per image.

# %%
# The network and the experiment
# ------------------------------
#
# A small convolutional network in the style of the modern LeNet: three blocks of a
# 3x3 convolution with padding 1 (which keeps the size), batch normalisation, ReLU
# and 2x2 max pooling, with 8, 16 and 32 channels. The image goes from 32x32 to
# 16x16, 8x8 and 4x4, and a linear layer maps the :math:`32 \times 4 \times 4 = 512`
# features to the 10 classes. It is deliberately small: every epoch must be cheap
# enough for this page to train it twice.


def make_cnn():
    """Three conv-BN-ReLU-pool blocks (8, 16, 32 channels) and a linear layer."""
    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, kernel_size=3, padding=1),
                nn.BatchNorm2d(c_out), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*block(3, 8), *block(8, 16), *block(16, 32),
                         nn.Flatten(), nn.Linear(32 * 4 * 4, 10))


net = make_cnn()
X_walk = torch.zeros(2, 3, 32, 32)
for layer in net:
    X_walk = layer(X_walk)
    if isinstance(layer, (nn.MaxPool2d, nn.Flatten, nn.Linear)):
        print(f"{layer.__class__.__name__:10s} output shape: {tuple(X_walk.shape)}")
num_params = sum(p.numel() for p in net.parameters())
print(f"{num_params:,d} parameters, {num_params / len(X_train):.1f} per training "
      "image")

# %%
# The experiment trains this network twice, with the same seed (so the same initial
# weights), the same optimiser, the same number of epochs and the same order of the
# batches: once on the plain training images, once with ``handson.Augment()`` in
# front. The augmentation draws random numbers from PyTorch's global generator, so
# the batch order comes from a generator of its own (the ``generator`` argument of
# ``handson.train``), which the augmentation does not touch. The only difference is
# what the network sees during training.
#
# We train with :class:`torch.optim.Adam`, the variant of SGD that adapts the step size
# of every weight to the size of its recent gradients (as in
# :doc:`../05_multilayer_perceptrons/03_generalization`; derived in
# :doc:`../10_optimization/10_adam`), and lower its learning rate along a cosine to
# zero, as on the previous page. Twenty epochs of 3,000 images keep the two runs within
# the page's budget.
#
# .. note::
#
#    The crop shifts by at most 2 pixels here. The usual choice for CIFAR-10 is 4,
#    for much longer training; stronger augmentation makes the training task
#    harder, and we chose the milder shift for a short run. Exercise 2 compares
#    them.

device = handson.device()
lr, num_epochs, batch_size = 0.003, handson.epochs(20), 128
loss = nn.CrossEntropyLoss()


def train_cnn(augmentation):
    """Train a fresh make_cnn() from the same seed, with or without augmentation."""
    handson.seed(0)
    net = make_cnn()
    if augmentation:
        net = nn.Sequential(handson.Augment(padding=2), net)
    net = net.to(device)
    trainer = torch.optim.Adam(net.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(trainer, T_max=num_epochs)
    order = torch.Generator().manual_seed(1 + handson.reproducibility.seed_offset())
    history = handson.train(net, (X_train, y_train), (X_test, y_test), loss, trainer,
                            num_epochs, batch_size, scheduler=scheduler, device=device,
                            generator=order)
    return net, history


print("without augmentation")
net_plain, history_plain = train_cnn(augmentation=False)
print("with augmentation")
net_aug, history_aug = train_cnn(augmentation=True)

# %%
# Results
# -------
#
# The training accuracy that ``handson.train`` prints is a running average over
# the epoch's batches, in training mode, and with augmentation it is measured on
# the augmented images: it does not compare like with like. For the gap between
# training and test accuracy we measure both afresh, with
# ``handson.evaluate_accuracy``, in evaluation mode (no augmentation, batch
# normalisation with its running averages) and on the plain images of both splits.

results = {}
print(f"{'':22s}{'train acc':>10s}{'test acc':>10s}{'gap':>8s}{'time (s)':>10s}")
for name, net, h in [("without augmentation", net_plain, history_plain),
                     ("with augmentation", net_aug, history_aug)]:
    train_acc = handson.evaluate_accuracy(net, X_train, y_train)
    test_acc = handson.evaluate_accuracy(net, X_test, y_test)
    results[name] = train_acc, test_acc
    print(f"{name:22s}{train_acc:10.3f}{test_acc:10.3f}{train_acc - test_acc:8.3f}"
          f"{sum(h.epoch_time):10.1f}")
(train_plain, acc_plain), (train_aug, acc_aug) = results.values()
gap_plain, gap_aug = train_plain - acc_plain, train_aug - acc_aug
standard_error = (acc_plain * (1 - acc_plain) / len(y_test)) ** 0.5
gain = acc_aug - acc_plain
print(f"augmentation changes the gap by {gap_aug - gap_plain:+.3f} and the test "
      f"accuracy by {gain:+.3f}, that is {gain / standard_error:+.1f} times the "
      f"standard error of one test accuracy ({standard_error:.3f})")
handson.check("train-test gap with augmentation", gap_aug, "<", gap_plain / 2)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
history_plain.plot(ax=axes[0], title="without augmentation")
history_aug.plot(ax=axes[1], title="with augmentation (flip, crop)")
fig.tight_layout()
plt.show()

# %%
# Without augmentation the network fits its 3,000 training images far better than
# the test images: the printed gap between training and test accuracy is large, and
# in the plot the training accuracy keeps climbing while the test accuracy levels
# off. With augmentation the training task is harder, since no image is seen twice
# in the same form, so the training accuracy is lower, but more of what the network
# learns carries over: the gap shrinks to less than half (checked above). The
# curves in the plot show the on-the-fly training accuracy of ``handson.train``,
# which for the second run is measured on augmented images; the table above is the
# fair comparison.
#
# The test accuracy changes much less than the gap. The test set has only 1,000
# images, so a single test accuracy :math:`a` is uncertain by about its standard
# error :math:`\sqrt{a (1 - a) / 1000}`, and the printed change is only a few such
# standard errors at most: how large it comes out depends on the seed (rerun the
# page with ``HANDSON_SEED_OFFSET=1`` or ``2``), so the page checks the gap, not the
# test accuracy. With the full CIFAR-10 (``full=True``) and longer training,
# augmentation is one of the most effective single changes for a small network.

# %%
# Summary
# -------
#
# * A batch of colour images is a tensor of shape ``(n, 3, h, w)``; the first
#   convolution of a network simply has 3 input channels.
# * Normalise each channel with the mean and standard deviation of the *training*
#   split, and apply the same numbers to the test split.
# * Random flips and crops can be written for a whole batch with ``torch.where``,
#   ``F.pad``, ``unfold`` and indexing: one random number per image, no loop.
# * An augmentation module that acts only in training mode draws new variants for
#   every batch and leaves evaluation untouched.
# * With scarce data, augmentation narrows the gap between training and test
#   accuracy; on a small test set its gain in test accuracy is of the order of the
#   noise. Measure the gap with ``handson.evaluate_accuracy`` on both splits, in
#   evaluation mode.

# %%
# Exercises
# ---------
#
# 1. Compute the normalisation statistics from all 4,000 images instead of the
#    3,000 training images. What is wrong with that, even though the accuracy
#    hardly changes here?
#
#    .. dropdown:: Answer
#
#       The test images then influence the preprocessing, so the test accuracy no
#       longer measures performance on data the whole pipeline has never seen. With
#       one mean and one standard deviation per channel the leak is tiny; with
#       preprocessing that learns more from the data (a vocabulary, a feature
#       selection, a tuned hyperparameter) the same mistake can inflate the test
#       score a lot. Fit every preprocessing step on the training split only.
#
# 2. Train with ``Augment(padding=4)``, the usual choice for CIFAR-10, for 15 and
#    for 25 epochs, and with the flip alone (no crop) for 15 epochs. Which
#    augmentation is best for which budget?
#
#    .. dropdown:: Answer
#
#       Use ``handson.Augment(padding=4)`` and ``handson.Augment(padding=0)`` (the
#       flip alone) in ``train_cnn``, and compare the test accuracies with the
#       standard error above: on 1,000 test images, differences of a point or two
#       can be noise, so repeat with ``HANDSON_SEED_OFFSET=1, 2`` before you
#       conclude. What to look for: augmentation makes the training task harder,
#       so stronger augmentation needs longer training to pay off, and a model that
#       is still underfitting gains little from it.
#
# 3. Add a random change of brightness: multiply each image by a random factor
#    between 0.8 and 1.2, one factor per image, with a tensor operation on the whole
#    batch. On which tensor should it act, the normalised images or the originals
#    in :math:`[0, 1]`?
#
#    .. dropdown:: Answer
#
#       Brightness is a property of the original pixels, so act there:
#       ``factor = 0.8 + 0.4 * torch.rand(len(X), 1, 1, 1)`` and
#       ``X01 = (denormalize(X) * factor).clamp(0, 1)``, then normalise again.
#       Multiplying the normalised tensor instead would scale the *deviations from
#       the mean*, which changes the contrast, not the brightness.
#
# 4. **Chapter exercise.** Put the chapter together on CIFAR-10.
#
#    a. Write ``conv2d_im2col(X, K, padding)``, a convolution for a batch ``X`` of
#       shape ``(n, c_i, h, w)`` and kernels ``K`` of shape
#       ``(c_o, c_i, k_h, k_w)``, as *one* matrix product: ``F.unfold`` cuts every
#       :math:`c_i \times k_h \times k_w` patch into a column (as the 1x1
#       convolution of :doc:`01_convolutions` did with single pixels). Check it
#       against ``F.conv2d`` with ``torch.testing.assert_close``.
#    b. Adapt the modern LeNet of :doc:`02_lenet` to colour images of 32x32 pixels.
#       Which layers must change? Verify with a shape walk.
#    c. Train it on the 3,000 training images of this page with and without
#       ``Augment()``, and compare with the small network of this page.
#
#    .. dropdown:: Worked answer
#
#       a. ``F.unfold`` returns shape ``(n, c_i k_h k_w, L)`` with one column per
#          output position (:math:`L = h' w'` of them); the kernels flattened to
#          ``(c_o, c_i k_h k_w)`` multiply all columns at once.
#       b. The first convolution needs 3 input channels, and its 5x5 kernel with
#          padding 2 keeps 32x32, so the second block ends at 6x6 instead of 5x5
#          and the first linear layer needs :math:`16 \cdot 6 \cdot 6 = 576`
#          inputs. The shape walk shows it.
#       c. The colour LeNet has several times as many parameters as the small
#          network of this page, most of them in its dense layers (count them
#          with ``sum(p.numel() for p in net.parameters())``). Train both with
#          the same recipe, with and without augmentation, and read the
#          differences against the standard error. More parameters do not by
#          themselves mean a higher test accuracy: where they sit matters.
#
#       .. code-block:: python
#
#          def conv2d_im2col(X, K, padding=0):
#              n, c_i, h, w = X.shape
#              c_o, _, k_h, k_w = K.shape
#              cols = F.unfold(X, (k_h, k_w), padding=padding)  # (n, c_i*k_h*k_w, L)
#              Y = K.reshape(c_o, -1) @ cols                      # (n, c_o, L)
#              h_out = h + 2 * padding - k_h + 1
#              w_out = w + 2 * padding - k_w + 1
#              return Y.reshape(n, c_o, h_out, w_out)
#
#          X_r, K_r = torch.randn(4, 3, 32, 32), torch.randn(6, 3, 5, 5)
#          torch.testing.assert_close(conv2d_im2col(X_r, K_r, padding=2),
#                                     F.conv2d(X_r, K_r, padding=2),
#                                     atol=1e-4, rtol=1e-4)
#
#          def make_color_lenet():
#              return nn.Sequential(
#                  nn.Conv2d(3, 6, kernel_size=5, padding=2), nn.BatchNorm2d(6),
#                  nn.ReLU(), nn.MaxPool2d(2),
#                  nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.ReLU(),
#                  nn.MaxPool2d(2), nn.Flatten(),
#                  nn.Linear(16 * 6 * 6, 120), nn.ReLU(),
#                  nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
#
#          X_walk = torch.zeros(2, 3, 32, 32)
#          for layer in make_color_lenet():
#              X_walk = layer(X_walk)
#              print(f"{layer.__class__.__name__:11s} {tuple(X_walk.shape)}")
#
#          for augmentation in (False, True):
#              handson.seed(0)
#              net = make_color_lenet()
#              if augmentation:
#                  net = nn.Sequential(handson.Augment(padding=2), net)
#              trainer = torch.optim.Adam(net.parameters(), lr=lr)
#              scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
#                  trainer, T_max=num_epochs)
#              h = handson.train(net, (X_train, y_train), (X_test, y_test), loss,
#                                trainer, num_epochs, batch_size,
#                                scheduler=scheduler, verbose=False)
#              train_acc = handson.evaluate_accuracy(net, X_train, y_train)
#              test_acc = handson.evaluate_accuracy(net, X_test, y_test)
#              print(f"augmentation={augmentation}: "
#                    f"{sum(p.numel() for p in net.parameters()):,d} parameters, "
#                    f"train acc {train_acc:.3f}, test acc {test_acc:.3f}")
