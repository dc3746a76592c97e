"""
GoogLeNet: multi-branch networks
================================

Which kernel size is best for a layer, 1x1, 3x3 or 5x5? GoogLeNet (Szegedy et
al., 2015), which won the ImageNet challenge of 2014, does not choose: its
*Inception block* runs several branches side by side, each with another kernel
size, and concatenates their outputs along the channels. 1x1 convolutions borrowed
from NiN shrink the channels before the expensive branches, and global average
pooling replaces the dense head. This page builds the Inception block and checks
its shapes, measures what the 1x1 reductions save, builds a reduced GoogLeNet for
28x28 images (stem, body, head) and trains it with the chapter's shared setup.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the Inception block: four branches that keep the spatial size,
        concatenated along the channels
      * how 1x1 convolutions make large kernels affordable, measured
      * the stem, body and head of a network
      * a reduced GoogLeNet for 28x28 images, trained with the chapter's setup

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * ``count_params``, ``count_macs`` and the chapter's training setup:
        :doc:`01_alexnet`
      * 1x1 convolutions and global average pooling: :doc:`03_nin`
      * writing a module with its own ``forward``:
        :doc:`../06_builders_guide/01_modules`
      * data: Fashion-MNIST, the first 10,000 training images and all 10,000 test
        images
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# The Inception block has four parallel branches, all fed the same input:
#
# 1. a 1x1 convolution;
# 2. a 1x1 convolution that reduces the channels, then a 3x3 convolution;
# 3. a 1x1 convolution that reduces the channels, then a 5x5 convolution;
# 4. a 3x3 max pooling with stride 1, then a 1x1 convolution.
#
# Each convolution is followed by a ReLU. Padding keeps the height and width in
# every branch (padding 1 for the 3x3 kernels, 2 for the 5x5), so the four
# outputs can be concatenated along the channel axis. The block's
# hyperparameters are the channels of each branch: how much capacity to give to
# each kernel size. D2L's intuition: filters of several sizes explore the image
# at several extents at once, and the network can learn which to use.
#
# GoogLeNet also made a pattern explicit that has stayed: a *stem* (the first
# convolutions, on the raw image), a *body* of repeated blocks, and a *head* that
# turns the features into the prediction. D2L, which we follow, leaves out the
# auxiliary classifiers that the original attached to intermediate layers to
# help training; D2L notes that better training algorithms made them
# unnecessary.

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.nn import functional as F

import handson
from handson import classic_cnns
from handson.classic_cnns import count_macs, count_params
from handson.data import load_fashion_mnist
from handson.reproducibility import seed_offset

handson.seed(0)
device = handson.device()

# %%
# The Inception block
# -------------------
#
# ``c1`` to ``c4`` are the output channels of the four branches; ``c2`` and
# ``c3`` are pairs, the reduced channels and the output channels. The
# convolutions are lazy, as in D2L.


class Inception(nn.Module):
    """Four branches (1x1; 1x1, 3x3; 1x1, 5x5; pool, 1x1), concatenated."""

    def __init__(self, c1, c2, c3, c4):
        super().__init__()
        self.b1_1 = nn.LazyConv2d(c1, kernel_size=1)
        self.b2_1 = nn.LazyConv2d(c2[0], kernel_size=1)
        self.b2_2 = nn.LazyConv2d(c2[1], kernel_size=3, padding=1)
        self.b3_1 = nn.LazyConv2d(c3[0], kernel_size=1)
        self.b3_2 = nn.LazyConv2d(c3[1], kernel_size=5, padding=2)
        self.b4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.b4_2 = nn.LazyConv2d(c4, kernel_size=1)

    def branches(self, X):
        """The outputs of the four branches, before concatenation."""
        b1 = F.relu(self.b1_1(X))
        b2 = F.relu(self.b2_2(F.relu(self.b2_1(X))))
        b3 = F.relu(self.b3_2(F.relu(self.b3_1(X))))
        b4 = F.relu(self.b4_2(self.b4_1(X)))
        return b1, b2, b3, b4

    def forward(self, X):
        return torch.cat(self.branches(X), dim=1)


# %%
# D2L's first Inception block takes 192 channels at 28x28 and has branches of
# 64, 128, 32 and 32 channels, with reductions to 96 and 16. Every branch must
# keep the 28x28 size, and the output must have :math:`64 + 128 + 32 + 32 = 256`
# channels:

block = Inception(64, (96, 128), (16, 32), 32)
X = torch.randn(2, 192, 28, 28)
with torch.no_grad():
    outputs = block.branches(X)
    Y = block(X)
for k, out in enumerate(outputs, start=1):
    print(f"branch {k}: {tuple(out.shape)}")
print(f"block:    {tuple(Y.shape)}")
assert all(out.shape[2:] == X.shape[2:] for out in outputs)
assert Y.shape == (2, 64 + 128 + 32 + 32, 28, 28)
torch.testing.assert_close(Y[:, 64:192], outputs[1])  # branch 2 sits at 64..191

# %%
# What the 1x1 reductions save
# ----------------------------
#
# Branch 3 could apply its 5x5 kernels to all 192 input channels directly.
# Instead it first reduces them to 16 with a 1x1 convolution. Count both ways
# for this block (weights :math:`c_o c_i k^2`, plus biases; MACs per pixel the
# same without the biases, times the 28x28 positions):

direct = nn.Conv2d(192, 32, kernel_size=5, padding=2)
reduced = nn.Sequential(nn.Conv2d(192, 16, kernel_size=1), nn.ReLU(),
                        nn.Conv2d(16, 32, kernel_size=5, padding=2))
shape = (192, 28, 28)
for name, branch in [("5x5 on 192 channels", direct),
                     ("1x1 to 16, then 5x5", reduced)]:
    print(f"{name:20s} {count_params(branch):8,d} parameters "
          f"{count_macs(branch, shape):12,d} MACs")
assert count_macs(direct, shape) == 32 * 192 * 25 * 28 * 28
assert count_macs(reduced, shape) == (16 * 192 + 32 * 16 * 25) * 28 * 28
saving = count_macs(direct, shape) / count_macs(reduced, shape)
print(f"the reduction divides the MACs of branch 3 by {saving:.1f}")
handson.check("MACs of a direct 5x5 branch over the reduced one", saving, ">", 5,
              quick=True)

# %%
# The reduction squeezes the information through 16 channels, a bottleneck, and
# in exchange makes the 5x5 kernels affordable (the ratio is printed). The
# whole block costs:

block_params, block_macs = count_params(block), count_macs(block, shape)
print(f"whole block: {block_params:,d} parameters, {block_macs:,d} MACs")

# %%
# A reduced GoogLeNet for 28x28 images
# ------------------------------------
#
# D2L's GoogLeNet has five modules:
#
# * ``b1``, the stem: a 7x7 convolution with 64 channels and stride 2, then 3x3
#   max pooling with stride 2;
# * ``b2``: a 1x1 convolution with 64 channels, a 3x3 convolution with 192, max
#   pooling;
# * ``b3``: two Inception blocks (256 and 480 channels), max pooling;
# * ``b4``: five Inception blocks (512, 512, 512, 528 and 832 channels), max
#   pooling;
# * ``b5``: two Inception blocks (832 and 1,024 channels), global average pooling,
#   and the head, one dense layer with one output per class.
#
# D2L already shrinks its input from 224x224 to 96x96 for Fashion-MNIST. For our
# 28x28 images we keep the plan and shrink it further, and say exactly how:
#
# * every channel count divided by four, in the Inception blocks and elsewhere
#   (the first block has branches of 16, 32, 8 and 8 channels instead of 64,
#   128, 32 and 32);
# * a 5x5 stem convolution with stride 1 instead of 7x7 with stride 2, so the maps
#   go 28, 14, 7, 4, 2 through the poolings (each 3x3 with stride 2 and padding 1);
# * the first two of the five Inception blocks of ``b4``, and the last of the two
#   of ``b5``.


def googlenet(num_classes=10):
    """GoogLeNet for 28x28 grey images: a quarter of the channels, 5 Inceptions."""
    b1 = nn.Sequential(nn.LazyConv2d(16, kernel_size=5, padding=2), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(nn.LazyConv2d(16, kernel_size=1), nn.ReLU(),
                       nn.LazyConv2d(48, kernel_size=3, padding=1), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(Inception(16, (24, 32), (4, 8), 8),
                       Inception(32, (32, 48), (8, 24), 16),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(Inception(48, (24, 52), (4, 12), 16),
                       Inception(40, (28, 56), (6, 16), 16),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(Inception(96, (48, 96), (12, 32), 32),
                       nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    net = nn.Sequential(b1, b2, b3, b4, b5, nn.LazyLinear(num_classes))
    net.eval()
    with torch.no_grad():
        net(torch.zeros(1, 1, 28, 28))  # the dry run creates the lazy weights
    return net.train()


net = googlenet()
X = torch.zeros(1, 1, 28, 28)
net.eval()
with torch.no_grad():
    for name, module in zip(["b1 (stem)", "b2", "b3", "b4", "b5", "head"], net):
        X = module(X)
        print(f"{name:10s} output shape: {tuple(X.shape)}")
net.train()
assert X.shape == (1, 10)

twin = classic_cnns.googlenet_small()  # the same, with init_kaiming
twin.load_state_dict(net.state_dict())
X = torch.rand(4, 1, 28, 28)
scores_twin, scores_net = twin.eval()(X), net.eval()(X)
net.train()
torch.testing.assert_close(scores_twin, scores_net)

# %%
# The head is a single dense layer on 256 averaged channels. Next to the other
# small networks of this chapter (built, not trained here):

rows = [("small AlexNet", classic_cnns.alexnet_small()),
        ("small VGG", classic_cnns.vgg_small()),
        ("small NiN", classic_cnns.nin_small()),
        ("small GoogLeNet", net)]
print(f"{'network':16s}{'parameters':>12s}{'MACs per image':>16s}")
for name, model in rows:
    print(f"{name:16s}{count_params(model):12,d}{count_macs(model, (1, 28, 28)):16,d}")

# %%
# Training
# --------
#
# The chapter's setup (:doc:`01_alexnet`): the first 10,000 training images, 2
# epochs, batches of 128 in the shared order, Adam. The learning rate for
# GoogLeNet is 0.001, as for AlexNet and VGG.

X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
n_train = handson.shrink(10_000, 1_000)  # 1,000 in quick mode
batch_size, num_epochs = 128, handson.epochs(2)
X_train, y_train = X_train[:n_train], y_train[:n_train]

lr = 0.001
handson.seed(0)
net = classic_cnns.googlenet_small().to(device)
trainer = torch.optim.Adam(net.parameters(), lr=lr)
batch_order = torch.Generator().manual_seed(seed_offset())  # 0 unless shifted
history = handson.train(net, (X_train, y_train), (X_test, y_test),
                        nn.CrossEntropyLoss(), trainer, num_epochs, batch_size,
                        device=device, generator=batch_order)

# %%
# Results
# -------

test_acc = history.test_acc[-1]
print(f"small GoogLeNet: test accuracy {test_acc:.3f} after {num_epochs} epochs on "
      f"{n_train:,d} images ({sum(history.epoch_time):.1f} s of training)")
handson.check("test accuracy of the small GoogLeNet", test_acc, ">=", 0.6)

ax = history.plot(title=f"small GoogLeNet, {n_train:,d} training images")
ax.set_xticks(history.epochs)
plt.show()

# %%
# The reduced GoogLeNet trains with the same setup as the other networks of the
# chapter. Whether its branches buy accuracy on 28x28 clothes, and at what price
# in time, is for the comparison at the end of the chapter, which trains all the
# networks on the same batches and several seeds.
#
# The next ideas in D2L's chapter, batch normalisation and residual connections,
# are the subject of :doc:`../08_model_development/02_resnet`; the pages after
# this one build on them.
#
# Summary
# -------
#
# * An Inception block runs a 1x1, a 3x3, a 5x5 convolution and a max pooling
#   side by side, each keeping the spatial size, and concatenates their outputs
#   along the channels (checked above).
# * 1x1 convolutions that reduce the channels before the 3x3 and 5x5 kernels make
#   the large kernels affordable (the saving is printed and checked).
# * GoogLeNet is a stem, a body of Inception blocks with max pooling between
#   groups, and a head of global average pooling and one dense layer.
# * For 28x28 images we kept the plan with a quarter of the channels, a smaller
#   stem and five of the nine Inception blocks.

# %%
# Exercises
# ---------
#
# 1. Build D2L's full GoogLeNet (all nine Inception blocks, the channels of
#    D2L) for 1x96x96 inputs, as D2L trains it, and count its parameters and
#    MACs. How do they compare with the small network's?
#
#    .. dropdown:: Hint
#
#       Use ``Inception`` with D2L's arguments, for example ``Inception(192,
#       (96, 208), (16, 48), 64)`` for the first block of ``b4``, and a dry run
#       on ``torch.zeros(1, 1, 96, 96)``. Both counts grow by large factors: four
#       times the channels multiply the weights of most layers by sixteen.
#
# 2. What is the smallest input for which D2L's full GoogLeNet still works?
#
#    .. dropdown:: Answer
#
#       The stem's convolution with stride 2 and the four max poolings with
#       stride 2 each halve the size, rounding up (padding 1). The network runs
#       as long as every stage keeps at least one pixel, which happens for any
#       size of at least 1. But five halvings take 32 pixels to 1, so for inputs
#       of 32 pixels or fewer the blocks of ``b5`` see a single position, and
#       their 3x3 and 5x5 branches see mostly padding. Try it with dry runs of
#       several sizes.
#
# 3. Add batch normalisation (:doc:`../08_model_development/02_resnet`) after
#    each convolution of the Inception block, as the next version of GoogLeNet
#    did, and train with the page's setup. Does the network learn faster in
#    the first epoch?
#
#    .. dropdown:: Hint
#
#       Put ``nn.LazyBatchNorm2d()`` between each ``nn.LazyConv2d`` and its ReLU
#       (the block's ``forward`` applies the ReLUs, so wrap each convolution and
#       its normalisation in an ``nn.Sequential``). Compare the test accuracy
#       after the first epoch, and read the difference against the spread
#       between seeds.
#
# 4. **Programming task.** Write ``Inception`` without the reductions (branch 2 a
#    3x3 convolution and branch 3 a 5x5 convolution, straight on the input) and
#    build the small GoogLeNet with it. How many parameters and MACs do the
#    reductions save in the whole network?
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          class InceptionNoReduce(Inception):
#              def __init__(self, c1, c2, c3, c4):
#                  super().__init__(c1, c2, c3, c4)
#                  self.b2_1 = nn.Identity()
#                  self.b3_1 = nn.Identity()
#
#              def branches(self, X):
#                  b1 = F.relu(self.b1_1(X))
#                  b2 = F.relu(self.b2_2(X))
#                  b3 = F.relu(self.b3_2(X))
#                  b4 = F.relu(self.b4_2(self.b4_1(X)))
#                  return b1, b2, b3, b4
#
#       Replace ``Inception`` by ``InceptionNoReduce`` in ``googlenet`` (for
#       instance with a parameter ``block=Inception``), then compare
#       ``count_params`` and ``count_macs`` of the two networks. The lazy 3x3
#       and 5x5 convolutions now see all the input channels, so expect both
#       counts to more than double, the parameters most, and the growth to sit
#       in the blocks with many input channels.
