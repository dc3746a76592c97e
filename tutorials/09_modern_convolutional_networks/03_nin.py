"""
NiN: 1x1 convolutions and global average pooling
================================================

LeNet, AlexNet and VGG all end the same way: the feature maps are flattened and
fed to large fully connected layers, which hold most of the parameters and throw
away the spatial layout. *Network in Network* (NiN, Lin, Chen and Yan, 2013)
removes them with two ideas: a small fully connected network applied at every
pixel, which is a 1x1 convolution, and *global average pooling*, which turns a
final map per class into that class's score. This page checks that a 1x1
convolution is a dense layer at every pixel, builds the NiN block and a NiN for
28x28 images, compares its parameters with the small AlexNet's, trains it with the
chapter's shared setup, and looks at the per-class maps that the pooling
averages.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * a 1x1 convolution is a fully connected layer applied at every pixel,
        checked numerically
      * the NiN block: one convolution, then two 1x1 convolutions
      * global average pooling instead of the dense head, and what it saves
        in parameters
      * per-class evidence maps before the pooling

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * AlexNet, ``count_params``, ``count_macs`` and the chapter's training
        setup: :doc:`01_alexnet`; VGG blocks: :doc:`02_vgg`
      * the 1x1 convolution as a matrix product:
        :doc:`../07_convolutional_networks/01_convolutions`
      * data: Fashion-MNIST, the first 10,000 training images and all 10,000 test
        images
"""

# sphinx_gallery_thumbnail_number = 2

# %%
# The idea
# --------
#
# D2L names two problems of the dense head. It is big: the first dense layer of
# VGG-11 alone takes almost 400 MB in 32-bit floats, and the dense layers hold
# most of AlexNet's parameters (:doc:`01_alexnet`). And it cannot be moved
# earlier to add nonlinearity, because flattening destroys the spatial structure.
#
# NiN answers both.
#
# * **A dense layer at every pixel.** A convolutional layer's input has shape
#   (examples, channels, height, width). Treat each pixel's vector of
#   :math:`c_i` channel values as the input of a fully connected layer with
#   :math:`c_o` outputs, the same weights at every pixel: the output at pixel
#   :math:`(i, j)` is
#
#   .. math::
#
#      \mathbf{h}_{:, i, j} = \mathbf{W} \mathbf{x}_{:, i, j} + \mathbf{b},
#      \qquad \mathbf{W} \in \mathbb{R}^{c_o \times c_i},
#
#   which is exactly a convolution with a 1x1 kernel. Two of them with ReLUs
#   after an ordinary convolution make a *NiN block*: a small MLP on top of each
#   pixel's features, the "network in the network".
# * **Global average pooling.** The last NiN block has one output channel per
#   class, and the score of class :math:`q` is the average of its map over all
#   :math:`h \times w` positions, :math:`o_q = \frac{1}{hw} \sum_{i,j}
#   h_{q,i,j}`. Averaging has no parameters. D2L notes that it would not work
#   without the nonlinearity the 1x1 convolutions add.

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson import classic_cnns
from handson.classic_cnns import count_macs, count_params
from handson.data import FASHION_MNIST_CLASSES, load_fashion_mnist
from handson.reproducibility import seed_offset

handson.seed(0)
device = handson.device()

# %%
# A 1x1 convolution is a dense layer at every pixel
# -------------------------------------------------
#
# Take a ``nn.Conv2d`` with a 1x1 kernel and a ``nn.Linear`` with the same
# weights: the convolution's weight has shape :math:`(c_o, c_i, 1, 1)`, the
# linear layer's :math:`(c_o, c_i)`. Move the channel axis last, so that every
# pixel is a row of :math:`c_i` features, apply the linear layer, and move the
# axis back.

c_i, c_o = 6, 4
conv = nn.Conv2d(c_i, c_o, kernel_size=1)
dense = nn.Linear(c_i, c_o)
with torch.no_grad():
    dense.weight.copy_(conv.weight[:, :, 0, 0])
    dense.bias.copy_(conv.bias)

X = torch.randn(2, c_i, 5, 5)
Y_conv = conv(X)
Y_dense = dense(X.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)  # (n, h, w, c) and back
print("1x1 convolution:", tuple(Y_conv.shape), "| dense layer per pixel:",
      tuple(Y_dense.shape))
torch.testing.assert_close(Y_conv, Y_dense)
print("largest difference:", (Y_conv - Y_dense).abs().max().item())

# %%
# They agree to rounding error (printed): same parameters, same function. The
# 1x1 convolution mixes channels and never looks at a neighbouring pixel, so it
# keeps the spatial layout that a flatten would destroy.
#
# Global average pooling is as simple: ``nn.AdaptiveAvgPool2d((1, 1))`` averages
# each channel over all positions, whatever the size of the maps.

gap = nn.AdaptiveAvgPool2d((1, 1))
torch.testing.assert_close(gap(Y_conv).flatten(1), Y_conv.mean(dim=(2, 3)))

# %%
# The NiN block and the network
# -----------------------------
#
# As in D2L, a NiN block is one convolution with a chosen kernel size, stride and
# padding, then two 1x1 convolutions, each followed by a ReLU; the convolutions
# are lazy like the VGG block's.


def nin_block(out_channels, kernel_size, strides, padding):
    """A convolution, then two 1x1 convolutions, each followed by a ReLU."""
    return nn.Sequential(
        nn.LazyConv2d(out_channels, kernel_size, strides, padding), nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU())


# %%
# D2L's NiN copies AlexNet's first convolutions: kernels of 11x11, 5x5 and 3x3
# with 96, 256 and 384 channels, each block followed by a 3x3 max pooling with
# stride 2; then dropout, a last NiN block with 10 channels, one per class, and
# global average pooling. Ours copies the small AlexNet of :doc:`01_alexnet` in the
# same way: kernels of 5x5, 3x3 and 3x3 with 12, 32 and 48 channels, and poolings
# padded by 1, so the maps go 28, 14, 7, 4.


def nin(num_classes=10):
    """NiN for 28x28 grey images, with the small AlexNet's kernels and channels."""
    net = nn.Sequential(
        nin_block(12, kernel_size=5, strides=1, padding=2),
        nn.MaxPool2d(3, stride=2, padding=1),
        nin_block(32, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2, padding=1),
        nin_block(48, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2, padding=1),
        nn.Dropout(0.5),
        nin_block(num_classes, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten())
    net.eval()
    with torch.no_grad():
        net(torch.zeros(1, 1, 28, 28))  # the dry run creates the lazy weights
    return net.train()


net = nin()
X = torch.zeros(1, 1, 28, 28)
net.eval()
with torch.no_grad():
    for layer in net:
        X = layer(X)
        print(f"{layer.__class__.__name__:18s} output shape: {tuple(X.shape)}")
net.train()
assert X.shape == (1, 10)

twin = classic_cnns.nin_small()  # the same, with init_kaiming
twin.load_state_dict(net.state_dict())
X = torch.rand(4, 1, 28, 28)
scores_twin, scores_net = twin.eval()(X), net.eval()(X)
net.train()
torch.testing.assert_close(scores_twin, scores_net)

# %%
# Parameters: NiN against AlexNet
# -------------------------------
#
# The two small networks have the same kernels and channels in their first three
# stages, so the comparison is like for like. Where are the parameters?

alex = classic_cnns.alexnet_small()
alex_conv, alex_dense = alex[:13], alex[13:]  # up to and after the Flatten
nin_body, nin_head = net[:7], net[7:]  # before and from the dropout
print(f"{'':14s}{'body':>10s}{'head':>10s}{'total':>10s}{'MACs':>12s}")
for name, model, body, head in [("small AlexNet", alex, alex_conv, alex_dense),
                                ("small NiN", net, nin_body, nin_head)]:
    print(f"{name:14s}{count_params(body):10,d}{count_params(head):10,d}"
          f"{count_params(model):10,d}{count_macs(model, (1, 28, 28)):12,d}")
ratio = count_params(net) / count_params(alex)
print(f"NiN has {ratio:.0%} of AlexNet's parameters")
handson.check("parameters of the small NiN over the small AlexNet's", ratio, "<",
              0.25, quick=True)

# %%
# AlexNet's head, three dense layers, holds most of its parameters (the "head"
# column). NiN's head is one more NiN block and an average, a small fraction of
# AlexNet's head. NiN's body is smaller too: it has three convolutions with 3x3
# or larger kernels where AlexNet has five, and its 1x1 convolutions are cheap.
# So NiN also does fewer MACs here (printed); exercise 4 compares the two at
# full size.

handson.check("head parameters of the small NiN over the small AlexNet's",
              count_params(nin_head) / count_params(alex_dense), "<", 0.1,
              quick=True)

# %%
# Training
# --------
#
# The chapter's setup (:doc:`01_alexnet`): the first 10,000 training images, 2
# epochs, batches of 128 in the shared order, Adam, Kaiming's initialisation.
# For NiN we take a larger learning rate than AlexNet's, 0.003: its scores are
# averages of ReLU outputs and start out small and alike, and it has few
# parameters to move (exercise 2 asks what 0.001 gives).

X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
n_train = handson.shrink(10_000, 1_000)  # 1,000 in quick mode
batch_size, num_epochs = 128, handson.epochs(2)
X_train, y_train = X_train[:n_train], y_train[:n_train]

lr = 0.003
handson.seed(0)
net = classic_cnns.nin_small().to(device)
trainer = torch.optim.Adam(net.parameters(), lr=lr)
batch_order = torch.Generator().manual_seed(seed_offset())  # 0 unless shifted
history = handson.train(net, (X_train, y_train), (X_test, y_test),
                        nn.CrossEntropyLoss(), trainer, num_epochs, batch_size,
                        device=device, generator=batch_order)

# %%
# Results
# -------

test_acc = history.test_acc[-1]
print(f"small NiN: test accuracy {test_acc:.3f} after {num_epochs} epochs on "
      f"{n_train:,d} images ({sum(history.epoch_time):.1f} s of training)")
handson.check("test accuracy of the small NiN", test_acc, ">=", 0.35)

ax = history.plot(title=f"small NiN, {n_train:,d} training images")
ax.set_xticks(history.epochs)
plt.show()

# %%
# Evidence maps
# -------------
#
# Before the global average pooling, the last block gives one 4x4 map per class.
# Global average pooling makes each map's average the class score, so each map
# shows *where* the network found evidence for its class. Here they are for one
# test image of each of four classes (the maps of the true class framed).

net.eval()
maps_net = net[:-2]  # everything before the pooling and the flatten
fig, axes = plt.subplots(4, 11, figsize=(11, 4.4))
for row, q in enumerate([0, 1, 7, 9]):  # t-shirt, trouser, sneaker, ankle boot
    k = int((y_test == q).nonzero()[0])
    with torch.no_grad():
        maps = maps_net(X_test[k:k + 1].to(device))[0].cpu()  # shape (10, 4, 4)
    axes[row, 0].imshow(X_test[k, 0], cmap="gray")
    axes[row, 0].set_ylabel(FASHION_MNIST_CLASSES[q], fontsize=8)
    for c in range(10):
        ax = axes[row, c + 1]
        ax.imshow(maps[c], cmap="viridis", vmin=0, vmax=maps.max())
        if c == q:
            for spine in ax.spines.values():
                spine.set_edgecolor("red")
                spine.set_linewidth(2)
        if row == 0:
            ax.set_title(FASHION_MNIST_CLASSES[c], fontsize=7)
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("per-class maps before global average pooling", fontsize=10)
fig.tight_layout()
plt.show()

# %%
# The maps are non-negative (the last NiN block ends with a ReLU), so a class
# scores high when its map is bright over many positions. For an image that the
# network classifies correctly, the framed map is the brightest on average. The
# same maps, upsampled onto the image, are the *class activation maps* used to
# show which parts of an image a classifier used.
#
# Summary
# -------
#
# * A 1x1 convolution is a fully connected layer applied to every pixel's channel
#   vector with shared weights (checked to rounding error).
# * A NiN block is a convolution followed by two 1x1 convolutions: a small MLP on
#   every pixel, which adds nonlinearity without destroying the spatial layout.
# * Global average pooling over one map per class replaces the dense head; with
#   AlexNet's kernels and channels, NiN needs a fraction of AlexNet's parameters
#   (printed and checked).
# * On the chapter's shared budget NiN trains with a larger learning rate than
#   AlexNet, 0.003 against 0.001.

# %%
# Exercises
# ---------
#
# 1. Why are there two 1x1 convolutions per NiN block? Build blocks with one and
#    with three and compare parameters, MACs and the test accuracy with the
#    page's setup.
#
#    .. dropdown:: Hint
#
#       Each 1x1 layer between :math:`c` channels costs :math:`c^2 + c`
#       parameters and :math:`c^2` MACs per pixel. Read the accuracy differences
#       against the spread between seeds (``HANDSON_SEED_OFFSET=1`` and ``2``).
#
# 2. Train ``classic_cnns.nin_small()`` with the page's setup at learning rate
#    0.001. Then train ``nin()`` of this page, which keeps PyTorch's default
#    initialisation while ``classic_cnns.nin_small()`` applies Kaiming's
#    (:doc:`01_alexnet`), at the page's 0.003. What happens in the first epoch?
#    Compare the standard deviation of the scores of a batch of images at
#    initialisation for the two networks.
#
#    .. dropdown:: Answer
#
#       With 0.001 expect a slower start and a lower accuracy after two
#       epochs than the page's; compare with the spread between seeds.
#
#       PyTorch's default weights have a variance of :math:`1 / (3 n_\text{in})`
#       instead of Kaiming's :math:`2 / n_\text{in}`, so every layer shrinks the
#       signal, and NiN has twelve convolutions before the average. PyTorch's
#       default biases are not zero, so what reaches the scores is mostly a
#       constant: they hardly vary from one image to the next (the standard
#       deviation over the batch is far smaller than with Kaiming's), and the
#       gradients carry little about the images. Expect the first epoch to stay
#       near chance level and the final accuracy to be well below the page's.
#       D2L, which trains NiN with plain SGD, initialises with Xavier's method
#       and trains for 10 epochs on all 60,000 images.
#
# 3. Replace the global average pooling by a dense layer: keep the last NiN
#    block, flatten its :math:`10 \times 4 \times 4` maps and add
#    ``nn.Linear(160, 10)``. How many parameters does that add, and what changes
#    in what the maps mean?
#
#    .. dropdown:: Answer
#
#       :math:`160 \times 10 + 10 = 1{,}610` parameters. The maps are no longer
#       tied to classes: the dense layer can combine any map at any position, so
#       the evidence maps lose their meaning, and the network loses the
#       invariance to where in the image a feature appears that the average
#       gives.
#
# 4. **Programming task.** Build D2L's full-size NiN for 3x224x224 images and
#    1,000 classes (kernels 11, 5, 3 with strides 4, 1, 1 and paddings 0, 2, 1;
#    96, 256, 384 channels; 3x3 poolings with stride 2 and no padding) and
#    compare its parameters and MACs with the full AlexNet of
#    :doc:`01_alexnet`, whose figures that page prints.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          full_nin = nn.Sequential(
#              nin_block(96, kernel_size=11, strides=4, padding=0),
#              nn.MaxPool2d(3, stride=2),
#              nin_block(256, kernel_size=5, strides=1, padding=2),
#              nn.MaxPool2d(3, stride=2),
#              nin_block(384, kernel_size=3, strides=1, padding=1),
#              nn.MaxPool2d(3, stride=2),
#              nn.Dropout(0.5),
#              nin_block(1000, kernel_size=3, strides=1, padding=1),
#              nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
#          full_nin.eval()
#          with torch.no_grad():
#              full_nin(torch.zeros(1, 3, 224, 224))  # dry run
#          print(f"{count_params(full_nin):,d} parameters, "
#                f"{count_macs(full_nin, (3, 224, 224)):,d} MACs")
#
#       Expect its last block, with 1,000 channels, to hold most of its
#       parameters, and the total to be still a fraction of AlexNet's, while its
#       MACs are of the same order as AlexNet's: the first three convolutions
#       are AlexNet's, and the 1x1 convolutions run on the large early maps.
