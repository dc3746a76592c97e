"""
AlexNet: deep convolutional networks
====================================

LeNet read digits in the 1990s, yet for the next two decades hand-crafted image
features fed to kernel methods and other classifiers usually beat neural networks
on real photographs. In 2012 AlexNet, a convolutional network much like LeNet but
deeper, wider and trained on far more data with GPUs, won the ImageNet challenge
by a large margin, and learned features replaced crafted ones. This page follows
Dive into Deep Learning's AlexNet: what changed from LeNet, the network at its full
ImageNet size (built, measured, not trained), and a version shrunk honestly for
28x28 Fashion-MNIST images that trains in under a minute. Along the way we write
``count_macs``, which counts the multiply-accumulates of a network with forward
hooks; every page of this chapter uses it to say what a network costs.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * what AlexNet changed from LeNet: depth, ReLU, max pooling, dropout, data
        augmentation and GPUs
      * count parameters and multiply-accumulates (MACs) with forward hooks,
        checked against the formula for one layer
      * where a classic network keeps its parameters (dense layers) and does its
        arithmetic (convolutions)
      * shrink a network for small images and say exactly what was shrunk
      * the training setup the whole chapter shares, so its networks compare

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * LeNet and the shape walk: :doc:`../07_convolutional_networks/02_lenet`
      * convolutions, padding, stride, pooling and the multiplications of a
        convolution: :doc:`../07_convolutional_networks/01_convolutions`
      * dropout: :doc:`../05_multilayer_perceptrons/03_generalization`; data
        augmentation: :doc:`../07_convolutional_networks/03_cifar10_color_images`
      * forward hooks are new here; modules and ``named_modules``:
        :doc:`../06_builders_guide/01_modules`
      * data: Fashion-MNIST, the first 10,000 training images and all 10,000
        test images, loaded with :func:`handson.data.load_fashion_mnist`
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# From LeNet to AlexNet
# ---------------------
#
# D2L tells the story in two parts: what was missing before 2012, and what AlexNet
# did with it.
#
# * **Data.** ImageNet (2009) offered a million labelled images in 1,000 classes,
#   1,000 per class, at a resolution around 224x224 pixels; most earlier research
#   used data sets of hundreds or thousands of small images.
# * **Hardware.** Krizhevsky and Sutskever wrote fast convolutions for GPUs and
#   trained AlexNet on two NVIDIA GTX 580 cards with 3 GB of memory each. Because
#   one card could not hold the network, the original split it into two streams,
#   one per GPU; D2L's version, which we follow, is a single stream.
# * **Depth and width.** Eight layers with weights instead of five: five
#   convolutional layers, two fully connected hidden layers with 4,096 units each,
#   and the output layer. The first kernel is 11x11 (ImageNet objects cover many
#   more pixels than MNIST digits), then 5x5, then 3x3; and, as D2L puts it, the
#   network has ten times more channels than LeNet.
# * **ReLU** instead of the sigmoid: cheaper to compute (no exponential) and with a
#   gradient of 1 wherever it is active, so training is far less sensitive to the
#   initialisation (:doc:`../05_multilayer_perceptrons/04_numerical_stability`).
# * **Max pooling**, 3x3 windows with stride 2, after the first, second and fifth
#   convolutions.
# * **Dropout** in the fully connected layers, to control their capacity, where
#   LeNet used only weight decay; and a great deal of **data augmentation**
#   (flips, crops, colour changes).
#
# Our version for Fashion-MNIST keeps the depth, the ReLUs, the max pooling and
# the dropout. It does not augment the data (the augmentation of
# :doc:`../07_convolutional_networks/03_cifar10_color_images` would work, and is
# exercise 3), and it trains on a CPU.
#
# .. dropdown:: Why did it take from LeNet (1995) to AlexNet (2012)?
#
#    D2L's answer: the architectures are strikingly similar, but until about 2010
#    there was neither enough data nor enough compute to train a deep network
#    that beats carefully engineered features (SIFT, SURF, HOG, bags of visual
#    words) fed to a linear or kernel classifier. Key training tricks were also
#    missing: initialisation heuristics, variants of SGD, non-squashing
#    activations and effective regularisation such as dropout. AlexNet's first
#    layer learned filters resembling the hand-designed ones, which is what the
#    last section of this page looks for in our small network.

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson import classic_cnns
from handson.data import load_fashion_mnist
from handson.reproducibility import seed_offset

handson.seed(0)
device = handson.device()

# %%
# AlexNet at full size
# --------------------
#
# D2L's AlexNet, here with the input of ImageNet, a 3x224x224 colour image, and its
# 1,000 classes. The first convolution pads by 1, as in D2L, so the output-size
# formula :math:`\lfloor (n + 2p - k)/s \rfloor + 1` gives
# :math:`\lfloor (224 + 2 - 11)/4 \rfloor + 1 = 54`, and after the three poolings
# the last feature maps are 5x5, hence the :math:`256 \times 5 \times 5 = 6400`
# inputs of the first dense layer. We build it to measure it; training it is a
# job for a GPU and ImageNet.


def alexnet_full(in_channels=3, num_classes=1000):
    """D2L's single-stream AlexNet for 224x224 images."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2), nn.Flatten(),
        nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, num_classes))


alexnet = alexnet_full()
X = torch.zeros(1, 3, 224, 224)
with torch.no_grad():
    for layer in alexnet:
        X = layer(X)
        if not isinstance(layer, (nn.ReLU, nn.Dropout)):
            print(f"{layer.__class__.__name__:10s} output shape: {tuple(X.shape)}")
assert X.shape == (1, 1000)

# %%
# Counting parameters and multiply-accumulates
# --------------------------------------------
#
# Two numbers describe what a network costs. Its **parameters** are the memory it
# needs and what training must fit. Its **multiply-accumulates** (MACs) per
# image, the :math:`a \leftarrow a + w x` steps of its matrix products and
# convolutions, are the arithmetic of one forward pass. (One MAC is two
# floating-point operations; the backward pass costs about twice the forward.)
#
# For a convolution with :math:`c_i` input and :math:`c_o` output channels, a
# :math:`k_h \times k_w` kernel and an output of :math:`n_h \times n_w` pixels,
# each of the :math:`c_o n_h n_w` outputs is a sum of :math:`c_i k_h k_w`
# products (exercise 3 of :doc:`../07_convolutional_networks/01_convolutions`):
#
# .. math::
#
#    \text{MACs} = c_o \, n_h n_w \cdot c_i k_h k_w,
#    \qquad
#    \text{parameters} = c_o c_i k_h k_w + c_o .
#
# A fully connected layer with :math:`d_i` inputs and :math:`d_o` outputs does
# :math:`d_o d_i` MACs and has :math:`d_o d_i + d_o` parameters.
#
# The output size :math:`n_h \times n_w` depends on the input size, so the MACs
# need a forward pass. A *forward hook* is a function that PyTorch calls after a
# module's ``forward``, with the module, its inputs and its output:
# ``module.register_forward_hook(hook)`` installs it and returns a handle whose
# ``remove()`` uninstalls it. One hook on every ``nn.Conv2d`` and ``nn.Linear``,
# one image through the network, and every layer reports its MACs.


def count_params(net):
    """Number of scalar parameters (weights and biases)."""
    return sum(p.numel() for p in net.parameters())


def count_macs(net, input_shape):
    """Multiply-accumulates of the Conv2d and Linear layers for one input."""
    total = 0

    def hook(layer, inputs, output):
        nonlocal total
        if isinstance(layer, nn.Conv2d):
            k_h, k_w = layer.kernel_size
            total += output.numel() * layer.in_channels // layer.groups * k_h * k_w
        else:
            total += output.numel() * layer.in_features

    handles = [m.register_forward_hook(hook) for m in net.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    was_training = net.training
    net.eval()
    with torch.no_grad():
        net(torch.zeros(1, *input_shape, device=next(net.parameters()).device))
    net.train(was_training)
    for handle in handles:
        handle.remove()
    return total


# %%
# ``layer.groups`` is 1 for every convolution of this chapter (grouped
# convolutions come with ResNeXt later in the chapter). First check the hook
# against the formula on AlexNet's first layer: :math:`c_o = 96`, a 54x54 output,
# :math:`c_i = 3` and an 11x11 kernel.

conv1 = alexnet[0]
macs_formula = 96 * 54 * 54 * 3 * 11 * 11
params_formula = 96 * 3 * 11 * 11 + 96
print(f"first layer: {count_macs(conv1, (3, 224, 224)):,d} MACs by the hook, "
      f"{macs_formula:,d} by the formula; {count_params(conv1):,d} parameters")
assert count_macs(conv1, (3, 224, 224)) == macs_formula
assert count_params(conv1) == params_formula

# %%
# Now the whole network, split into its convolutional and its dense part.

conv_part, dense_part = alexnet[:13], alexnet[13:]  # up to and after the Flatten
full_params, full_macs = count_params(alexnet), count_macs(alexnet, (3, 224, 224))
conv_params, dense_params = count_params(conv_part), count_params(dense_part)
conv_macs = count_macs(conv_part, (3, 224, 224))
dense_macs = count_macs(dense_part, (256, 5, 5))
print(f"AlexNet, 3x224x224 input, 1,000 classes: {full_params:,d} parameters, "
      f"{full_macs:,d} MACs per image")
print(f"  convolutions: {conv_params / full_params:6.1%} of the parameters, "
      f"{conv_macs / full_macs:6.1%} of the MACs")
print(f"  dense layers: {dense_params / full_params:6.1%} of the parameters, "
      f"{dense_macs / full_macs:6.1%} of the MACs")
assert conv_params + dense_params == full_params
assert conv_macs + dense_macs == full_macs
handson.check("share of AlexNet's parameters in its dense layers",
              dense_params / full_params, ">", 0.9, quick=True)
handson.check("share of AlexNet's MACs in its convolutions",
              conv_macs / full_macs, ">", 0.9, quick=True)

# %%
# The two parts are opposites: the dense layers hold most of the parameters and
# do little of the arithmetic, the convolutions do most of the arithmetic with
# few parameters, because each kernel weight is used at every position. D2L
# singles out the two hidden dense layers, with weight matrices of
# :math:`6400 \times 4096` and :math:`4096 \times 4096`: in 32-bit floats (4
# bytes each) they take

hidden_weights = alexnet[14].weight.numel() + alexnet[17].weight.numel()
print(f"{hidden_weights:,d} weights = {hidden_weights * 4 / 2**20:.0f} MiB; "
      f"{hidden_weights:,d} MACs per image")
assert round(hidden_weights * 4 / 2**20) == 164  # D2L's figure, in MiB

# %%
# which is D2L's "164 MB" (read as mebibytes, :math:`2^{20}` bytes): a large
# outlay for a phone, and one reason later networks (NiN, GoogLeNet, on the next
# pages) got rid of them.
#
# We keep the hand-written functions' twins in ``handson.classic_cnns`` for the
# rest of the chapter; they do the same (and restore the training flag even if
# the forward pass fails):

assert classic_cnns.count_params(alexnet) == full_params
assert classic_cnns.count_macs(alexnet, (3, 224, 224)) == full_macs

# %%
# Shrinking AlexNet for Fashion-MNIST
# -----------------------------------
#
# D2L trains its AlexNet on Fashion-MNIST by upsampling the 28x28 images to
# 224x224 (with one input channel and 10 classes). Upsampling adds no
# information, only arithmetic: let us count it.

d2l_alexnet = alexnet_full(in_channels=1, num_classes=10)
d2l_params = count_params(d2l_alexnet)
d2l_macs = count_macs(d2l_alexnet, (1, 224, 224))
print(f"D2L's AlexNet on upsampled Fashion-MNIST: {d2l_params:,d} parameters, "
      f"{d2l_macs:,d} MACs per image")
del alexnet, d2l_alexnet  # 0.2 GB each; we only needed their counts

# %%
# Instead we keep AlexNet's *layout* and shrink its sizes so that 28x28 images
# fit. Here is everything that changes, and why:
#
# ==========================  =====================  =========================
# part                        D2L's AlexNet          ``alexnet_small()``
# ==========================  =====================  =========================
# input                       3x224x224 (ImageNet)   1x28x28
# first convolution           11x11, stride 4        5x5, stride 1, padding 2
# second convolution          5x5                    3x3
# convolution channels        96, 256, 384, 384,     12, 32, 48, 48, 32
#                             256                    (an eighth)
# max pooling                 3x3, stride 2          3x3, stride 2, padding 1
# hidden dense layers         4,096 units, dropout   256 units, dropout 0.5
#                             0.5
# classes                     1,000                  10
# ==========================  =====================  =========================
#
# A stride of 4 would leave a 28x28 image at 7x7 after one layer, so the first
# convolution keeps stride 1 and a smaller kernel; the padding of the poolings
# makes the sizes 28, 14, 7, 4. The channels shrink eightfold and the dense
# layers sixteenfold, so that the network trains in under a minute on a CPU
# (the time is printed below); what stays is the order of the layers, the kernel
# sizes shrinking from the first layer to the later ones, ReLU, overlapping max
# pooling, and two dropout-regularised hidden dense layers.
#
# ``classic_cnns.alexnet_small`` builds it. Its shape walk:

net = classic_cnns.alexnet_small()
print(net)
X = torch.zeros(1, 1, 28, 28)
with torch.no_grad():
    for layer in net.eval():
        X = layer(X)
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d, nn.Linear)):
            print(f"{layer.__class__.__name__:10s} output shape: {tuple(X.shape)}")
net.train()
assert X.shape == (1, 10)

# %%
# And what it costs, next to LeNet (the modern form of
# :doc:`../07_convolutional_networks/02_lenet`, without its batch normalisation,
# whose few parameters do not matter here) and the full-size AlexNet:

lenet = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
small_params, small_macs = count_params(net), count_macs(net, (1, 28, 28))
rows = [("LeNet, 28x28", count_params(lenet), count_macs(lenet, (1, 28, 28))),
        ("alexnet_small, 28x28", small_params, small_macs),
        ("D2L's AlexNet, 1x224x224", d2l_params, d2l_macs),
        ("AlexNet, 3x224x224", full_params, full_macs)]
print(f"{'network':26s}{'parameters':>14s}{'MACs per image':>17s}")
for name, params, macs in rows:
    print(f"{name:26s}{params:>14,d}{macs:>17,d}")
print(f"the full AlexNet has {full_params / small_params:.0f} times the parameters "
      f"and does {full_macs / small_macs:.0f} times the MACs of the small one; "
      f"D2L's upsampled run does {d2l_macs / small_macs:.0f} times its MACs")
handson.check("MACs of D2L's upsampled AlexNet over alexnet_small's",
              d2l_macs / small_macs, ">", 100, quick=True)

# %%
# The small network is still a big step up from LeNet in arithmetic (printed),
# and hundreds of times cheaper than the upsampled network of D2L: that
# difference is what lets us train it here.
#
# The training setup of this chapter
# ----------------------------------
#
# Every page of this chapter trains its network the same way, so that the last
# page can compare them:
#
# * the first 10,000 Fashion-MNIST training images (roughly balanced between the
#   classes, printed below) and all 10,000 test images, as in
#   :doc:`../07_convolutional_networks/02_lenet`;
# * 2 epochs with minibatches of 128, drawn in the same order on every page: the
#   batches come from a ``torch.Generator`` seeded with the page's seed, passed
#   to ``handson.train``;
# * :class:`torch.optim.Adam`, which adapts each parameter's step and needs little
#   tuning (D2L uses plain SGD for 10 epochs on all 60,000 images, many times our
#   number of updates, printed below); the learning rate is set per network and
#   stated on each page. For AlexNet it is 0.001, Adam's default;
# * Kaiming's initialisation for ReLU networks
#   (:doc:`../05_multilayer_perceptrons/04_numerical_stability`): normal weights
#   with variance :math:`2 / n_\text{in}` in every convolutional and dense layer,
#   zero biases. PyTorch's default initialisation is smaller, so a deep ReLU
#   network without batch normalisation starts with a signal from the image
#   that fades layer by layer; with fewer than two hundred updates (printed
#   below) that costs accuracy (exercise 2 of :doc:`03_nin` shows how much).
#   The constructors of ``handson.classic_cnns`` apply this function to every
#   network they build;
# * no weight decay, no augmentation, no learning-rate schedule.


def init_kaiming(module):
    """Kaiming-normal weights and zero biases for Conv2d and Linear layers."""
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        nn.init.zeros_(module.bias)


layer = nn.Linear(512, 256)  # the size of alexnet_small's first dense layer
handson.seed(0)
init_kaiming(layer)
weight_here = layer.weight.detach().clone()
handson.seed(0)
classic_cnns.init_kaiming(layer)
assert torch.equal(weight_here, layer.weight)  # the same function in handson

dense1 = classic_cnns.alexnet_small()[14]  # the constructor applied it
print(f"first dense layer of alexnet_small: weight std {dense1.weight.std():.4f}, "
      f"Kaiming sqrt(2/512) = {(2 / 512) ** 0.5:.4f}, PyTorch's default "
      f"1/sqrt(3*512) = {(1 / (3 * 512)) ** 0.5:.4f}")
handson.check("std of the Kaiming-initialised weights over sqrt(2/n_in)",
              dense1.weight.std().item() / (2 / 512) ** 0.5, ">", 0.95, quick=True)

# %%
# Now the data and the training.

X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
n_train = handson.shrink(10_000, 1_000)  # 1,000 in quick mode
batch_size, num_epochs = 128, handson.epochs(2)
X_train, y_train = X_train[:n_train], y_train[:n_train]
num_updates = num_epochs * -(-n_train // batch_size)  # -(-a // b) rounds up
d2l_updates = 10 * -(-60_000 // 128)
print(f"{n_train:,d} training images, {num_epochs} epochs, {num_updates} updates; "
      f"D2L: {d2l_updates}, {d2l_updates / num_updates:.0f} times as many")
print("training images per class:", torch.bincount(y_train, minlength=10).tolist())

lr = 0.001
handson.seed(0)
net = classic_cnns.alexnet_small().to(device)
trainer = torch.optim.Adam(net.parameters(), lr=lr)
batch_order = torch.Generator().manual_seed(seed_offset())  # 0 unless shifted
history = handson.train(net, (X_train, y_train), (X_test, y_test),
                        nn.CrossEntropyLoss(), trainer, num_epochs, batch_size,
                        device=device, generator=batch_order)

# %%
# Results
# -------

# The training accuracy that ``handson.train`` records is averaged over each
# epoch, in training mode (dropout active) while the weights change; for a fair
# comparison with the test accuracy we also measure it afresh in evaluation mode,
# on the first 2,000 training images.

test_acc = history.test_acc[-1]
train_acc = handson.evaluate_accuracy(net, X_train[:2000], y_train[:2000])
print(f"small AlexNet after {num_epochs} epochs on {n_train:,d} images "
      f"({sum(history.epoch_time):.1f} s of training): test accuracy {test_acc:.3f}, "
      f"training accuracy {train_acc:.3f} (evaluation mode), "
      f"{history.train_acc[-1]:.3f} (during the last epoch)")
handson.check("test accuracy of the small AlexNet", test_acc, ">=", 0.68)
handson.check("training minus test accuracy of the small AlexNet",
              train_acc - test_acc, "<", 0.06)

ax = history.plot(title=f"small AlexNet, {n_train:,d} training images")
ax.set_xticks(history.epochs)
plt.show()

# %%
# After two epochs the network has not begun to overfit: its accuracy on
# training images is close to its test accuracy. D2L
# makes the same observation for its ten epochs on all 60,000 images, and credits
# dropout for it. (This is not the number to compare with
# :doc:`../07_convolutional_networks/02_lenet`, whose networks trained for ten
# epochs; the last page of this chapter compares its networks on one budget.)
#
# Dropout is the one layer of the network that behaves differently in the two
# modes. In training mode each call zeroes a different random half of the
# hidden units (and doubles the others), so the same image gets different
# scores; in evaluation mode the network is deterministic:

image = X_test[:1].to(device)
with torch.no_grad():
    net.train()
    scores_train = [net(image) for _ in range(2)]
    net.eval()
    scores_eval = [net(image) for _ in range(2)]
print("training mode, two calls:  ", scores_train[0][0, :4].cpu().numpy().round(2),
      scores_train[1][0, :4].cpu().numpy().round(2))
print("evaluation mode, two calls:", scores_eval[0][0, :4].cpu().numpy().round(2),
      scores_eval[1][0, :4].cpu().numpy().round(2))
assert not torch.equal(scores_train[0], scores_train[1])
assert torch.equal(scores_eval[0], scores_eval[1])

# %%
# Looking inside
# --------------
#
# D2L shows first-layer filters of the original AlexNet: many look like
# the edge and colour detectors that hand-crafted pipelines used. Ours has 12
# kernels of 5x5, learned from grey clothes in two epochs:

kernels = net[0].weight.detach().cpu()[:, 0]  # shape (12, 5, 5)
fig, axes = plt.subplots(2, 6, figsize=(8, 3))
for k, ax in enumerate(axes.flat):
    vmax = kernels[k].abs().max()
    ax.imshow(kernels[k], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    ax.set_title(f"kernel {k}", fontsize=9)
    ax.axis("off")
fig.suptitle("first-layer kernels of the small AlexNet", fontsize=10)
fig.tight_layout()
plt.show()

# %%
# Red weights add the pixels under them, blue ones subtract them. Look for
# kernels with a band of red next to a band of blue: edge detectors, as in
# :doc:`../07_convolutional_networks/02_lenet`. After so little training many
# kernels are still noisy.
#
# Summary
# -------
#
# * AlexNet is LeNet made deeper and wider (five convolutions, two 4,096-unit
#   hidden layers), with ReLU, max pooling, dropout and data augmentation, and
#   trained on a million ImageNet images with GPUs.
# * Forward hooks count the multiply-accumulates of every layer in one forward
#   pass; for a convolution they match :math:`c_o n_h n_w \cdot c_i k_h k_w`.
# * In AlexNet the dense layers hold most of the parameters and the
#   convolutions do most of the arithmetic (both printed and checked above).
# * For 28x28 images we keep the layout and shrink the channels, kernels, stride
#   and dense layers (a table above lists every change), instead of upsampling
#   the images as D2L does, which multiplies the arithmetic without adding
#   information.
# * The chapter trains every network with the same subset, epochs, batch order and
#   optimiser, with a learning rate per network.

# %%
# Exercises
# ---------
#
# 1. Which layer of the full-size AlexNet does the most MACs, and which holds the
#    most parameters? Use ``count_macs`` on slices of ``alexnet_full()``, or write
#    a hook that records per-layer counts in a list.
#
#    .. dropdown:: Answer
#
#       The formula gives the convolutions (54x54, 26x26 and 12x12 outputs):
#       :math:`96 \cdot 54^2 \cdot 3 \cdot 121 \approx 102` million,
#       :math:`256 \cdot 26^2 \cdot 96 \cdot 25 \approx 415` million, then
#       :math:`384 \cdot 12^2 \cdot 256 \cdot 9 \approx 127` million,
#       :math:`191` million and :math:`127` million. The second convolution does
#       the most arithmetic; the first dense layer, :math:`6400 \times 4096`,
#       holds the most parameters, about half of the network.
#
# 2. Remove the two ``nn.Dropout`` layers from ``alexnet_small`` (rebuild it
#    without them) and train with the page's setup. Compare the training and test
#    accuracy with the page's run. What do you expect after 2 epochs, and what
#    after 20?
#
#    .. dropdown:: Answer
#
#       Without dropout the training accuracy rises faster, and for a few epochs
#       the test accuracy may even be higher: dropout slows fitting down. With
#       more epochs the network without dropout fits the 10,000 training images
#       more and more closely and the gap between training and test accuracy
#       (both measured with ``handson.evaluate_accuracy``) grows. Compare the
#       differences with the spread between seeds (``HANDSON_SEED_OFFSET``).
#
# 3. Add data augmentation: put ``handson.Augment(padding=2)`` (random flips and
#    shifts of up to 2 pixels, from
#    :doc:`../07_convolutional_networks/03_cifar10_color_images`) in front of the
#    network, ``nn.Sequential(handson.Augment(2), classic_cnns.alexnet_small())``.
#    Does it help after 2 epochs? After 10?
#
#    .. dropdown:: Hint
#
#       Augmentation makes the training task harder and pays off when the network
#       would otherwise overfit, so expect little or a loss after 2 epochs and a
#       gain only with longer training. Left-right flips suit clothes; they
#       would not suit digits.
#
# 4. D2L trains its AlexNet on images upsampled to 224x224. Use the MACs printed
#    above to estimate how long one epoch of that network on 60,000 images would
#    take on your machine, from the time of one epoch of the small network.
#
#    .. dropdown:: Answer
#
#       Training time grows roughly with the MACs per image (a forward and a
#       backward pass are about three forward passes). Multiply the small
#       network's time per image (``history.epoch_time`` over ``n_train``, which
#       also includes the test evaluation) by the ratio of MACs printed above,
#       and by 60,000. Small convolutions use a CPU less efficiently than big
#       ones, so the real ratio is usually smaller, but the order of magnitude
#       holds: expect hours on a laptop CPU for D2L's ten epochs, which is why
#       D2L trains AlexNet on a GPU.
#
# 5. **Programming task.** Write ``count_activations(net, input_shape)``: a
#    forward hook on every module without children that adds up the number of
#    entries of its output for one image. Training has to keep these
#    activations for the backward pass. Compare the full-size AlexNet with the
#    small one: which dominates memory during training with batches of 128,
#    parameters or activations?
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def count_activations(net, input_shape):
#              total = 0
#
#              def hook(module, inputs, output):
#                  nonlocal total
#                  total += output.numel()
#
#              leaves = [m for m in net.modules() if not list(m.children())]
#              handles = [m.register_forward_hook(hook) for m in leaves]
#              net.eval()
#              with torch.no_grad():
#                  net(torch.zeros(1, *input_shape))
#              for h in handles:
#                  h.remove()
#              return total
#
#          for name, model, shape in [
#                  ("AlexNet", alexnet_full(), (3, 224, 224)),
#                  ("small", classic_cnns.alexnet_small(), (1, 28, 28))]:
#              acts = count_activations(model, shape)
#              print(f"{name}: {count_params(model):,d} parameters, {acts:,d} "
#                    f"activations per image, {128 * acts:,d} per batch of 128")
#
#       For the full AlexNet the activations of a batch of 128 outnumber the
#       parameters; both are far beyond the small network. (In-place ReLUs and
#       the reuse of buffers change the real memory, so treat these counts as
#       an estimate.)
