"""
DenseNet: concatenate instead of add
====================================

A residual block adds its input to its output, :math:`\\mathbf{x} +
g(\\mathbf{x})`. DenseNet (Huang et al., 2017) keeps the input *beside* the output
instead: every layer of a dense block receives the concatenation of the block's
input and of all the outputs of the layers before it, and adds a few channels of
its own, the *growth rate*. Transition layers with a 1x1 convolution and average
pooling then shrink the channels and the resolution again. This page follows Dive
into Deep Learning's DenseNet: dense blocks from scratch (their channel count
checked), transition layers, and a small DenseNet for 28x28 images trained with
the chapter's setup.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * why DenseNet concatenates where ResNet adds, and what that does to the
        number of channels: :math:`c_0 + k \\cdot n` after :math:`n` layers with
        growth rate :math:`k`
      * the pre-activation unit "batch norm, ReLU, convolution"
      * transition layers that keep the channels in check
      * a small DenseNet for Fashion-MNIST, its parameters and multiply-accumulates
        next to the small ResNet, trained with the chapter's setup

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * residual blocks and batch normalisation:
        :doc:`../08_model_development/02_resnet`
      * the chapter's training setup and ``count_macs``: :doc:`01_alexnet`
      * global average pooling: :doc:`03_nin`; concatenating branches:
        :doc:`04_googlenet`
      * data: Fashion-MNIST, the first 10,000 training images and all 10,000
        test images, loaded with :func:`handson.data.load_fashion_mnist`
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# From ResNet to DenseNet
# -----------------------
#
# D2L starts from the Taylor expansion, which writes a function as terms of
# growing order, :math:`f(x) = f(0) + x f'(0) + \frac{x^2}{2!} f''(0) + \cdots`.
# ResNet splits a function into two terms, a linear one and a nonlinear one,
# :math:`f(\mathbf{x}) = \mathbf{x} + g(\mathbf{x})`. DenseNet keeps *all* the
# terms, side by side: with :math:`[\cdot, \cdot]` for concatenation along the
# channels, a dense block maps
#
# .. math::
#
#    \mathbf{x} \to \left[\mathbf{x},\; f_1(\mathbf{x}),\;
#    f_2([\mathbf{x}, f_1(\mathbf{x})]),\;
#    f_3([\mathbf{x}, f_1(\mathbf{x}), f_2([\mathbf{x}, f_1(\mathbf{x})])]),
#    \ldots\right].
#
# Layer :math:`i` sees everything computed before it in the block, so later
# layers can reuse early features directly instead of recomputing them. The price
# is width: if the block's input has :math:`c_0` channels and every layer adds
# :math:`k` channels (the **growth rate**), layer :math:`i` (counting from 1) reads
# :math:`c_0 + (i - 1) k` channels and the block outputs
#
# .. math::
#
#    c_0 + n k \quad \text{channels after } n \text{ layers.}
#
# Each layer :math:`f_i` is D2L's ``conv_block``: batch normalisation, ReLU,
# then a 3x3 convolution with :math:`k` output channels (the "pre-activation"
# order, normalisation first, that ResNet's later version uses).

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson import classic_cnns, modern_cnns
from handson.data import load_fashion_mnist
from handson.reproducibility import seed_offset

handson.seed(0)
device = handson.device()


def conv_block(in_channels, out_channels):
    return nn.Sequential(
        nn.BatchNorm2d(in_channels), nn.ReLU(),
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    def __init__(self, num_convs, in_channels, growth_rate):
        super().__init__()
        self.net = nn.Sequential(*[
            conv_block(in_channels + i * growth_rate, growth_rate)
            for i in range(num_convs)])

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((X, Y), dim=1)  # concatenate along the channels
        return X


# %%
# D2L's example: a block of 2 layers with growth rate 10 on a 3-channel input
# gives :math:`3 + 2 \cdot 10 = 23` channels. We check the formula for a few
# more shapes, and that the input survives unchanged in the first :math:`c_0`
# channels of the output (concatenation keeps it; addition would not).

X = torch.randn(4, 3, 8, 8)
Y = DenseBlock(2, 3, 10)(X)
print("D2L's example:", tuple(X.shape), "->", tuple(Y.shape))
assert Y.shape == (4, 23, 8, 8)
for num_convs, c0, k in [(1, 5, 4), (3, 8, 12), (6, 16, 32)]:
    X = torch.randn(2, c0, 6, 6)
    Y = DenseBlock(num_convs, c0, k)(X)
    print(f"n = {num_convs}, c0 = {c0:2d}, k = {k:2d}: {Y.shape[1]:3d} channels, "
          f"c0 + n k = {c0 + num_convs * k}")
    assert Y.shape[1] == c0 + num_convs * k
    assert torch.equal(Y[:, :c0], X)  # the input is passed on untouched

# %%
# The block is the same as ``modern_cnns.DenseBlock``, which the rest of the
# chapter uses: with the same weights both give the same output.

block = DenseBlock(3, 8, 12)
twin = modern_cnns.DenseBlock(3, 8, 12)
twin.load_state_dict(block.state_dict())
X = torch.randn(2, 8, 6, 6)
torch.testing.assert_close(twin(X), block(X))

# %%
# The cost of concatenation
# -------------------------
#
# Layer :math:`i` of a block reads :math:`c_0 + (i - 1) k` channels, so its
# 3x3 convolution has :math:`9 k (c_0 + (i-1)k) + k` parameters: each layer
# costs more than the one before, and a block of :math:`n` layers costs a sum
# that grows with :math:`n^2`. Counted, against that formula:

c0, k = 16, 12
for n in [2, 4, 8, 16]:
    conv_params = sum(9 * k * (c0 + i * k) + k for i in range(n))  # i from 0
    block_params = classic_cnns.count_params(DenseBlock(n, c0, k))
    bn_params = sum(2 * (c0 + i * k) for i in range(n))  # gamma and beta
    print(f"{n:2d} layers: {block_params:7,d} parameters "
          f"({conv_params:7,d} in convolutions), {c0 + n * k:3d} channels out")
    assert block_params == conv_params + bn_params

# %%
# Doubling the layers more than triples the parameters, and the factor creeps
# towards four as the block grows (the :math:`n^2` term wins); the channels keep
# growing too. Two things keep this in check: a small growth rate, and a
# **transition layer** between blocks. D2L's transition is batch normalisation,
# ReLU, a 1x1 convolution that sets the number of channels (D2L halves it) and
# average pooling with stride 2 that halves the height and width:


def transition_block(in_channels, out_channels):
    return nn.Sequential(
        nn.BatchNorm2d(in_channels), nn.ReLU(),
        nn.Conv2d(in_channels, out_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2))


Y = DenseBlock(2, 3, 10)(torch.randn(4, 3, 8, 8))
Z = transition_block(23, 10)(Y)
print("dense block:", tuple(Y.shape), "-> transition:", tuple(Z.shape))
assert Z.shape == (4, 10, 4, 4)

# %%
# A small DenseNet for 28x28 images
# ---------------------------------
#
# D2L's DenseNet has ResNet's stem (7x7 convolution with 64 channels and stride
# 2, max pooling), four dense blocks of 4 layers with growth rate 32, a transition
# halving the channels after each block but the last, then batch normalisation,
# ReLU, global average pooling and a dense layer; it trains on images upsampled to
# 96x96. We keep the plan and shrink it:
#
# ==================  ================================  =============================
# part                D2L's DenseNet                    ``densenet_small()``
# ==================  ================================  =============================
# input               1x96x96 (upsampled)               1x28x28
# stem                7x7, 64 channels, stride 2,       3x3, 16 channels, stride 1,
#                     max pooling                       2x2 max pooling
# dense blocks        4, of 4 layers                    2, of 4 layers
# growth rate         32                                12
# transitions         halve channels and resolution     the same
# ==================  ================================  =============================
#
# ``modern_cnns.densenet_small`` builds it. Its shape walk and channel count:

net = modern_cnns.densenet_small()
X = torch.zeros(1, 1, 28, 28)
with torch.no_grad():
    for layer in net.eval():
        X = layer(X)
        if isinstance(layer, (modern_cnns.DenseBlock, nn.Sequential, nn.MaxPool2d,
                              nn.Linear)):
            print(f"{layer.__class__.__name__:12s} output shape: {tuple(X.shape)}")
assert X.shape == (1, 10)
# stem 16; block 1: 16 + 4 * 12 = 64; transition: 32; block 2: 32 + 4 * 12 = 80
assert net[-1].in_features == (16 + 4 * 12) // 2 + 4 * 12

# %%
# What it costs, next to the small ResNet of
# :doc:`../08_model_development/02_resnet` (``modern_cnns.resnet_small``) at the
# same input size:

resnet = modern_cnns.resnet_small()
costs = {name: (classic_cnns.count_params(m), classic_cnns.count_macs(m, (1, 28, 28)))
         for name, m in [("small ResNet", resnet), ("small DenseNet", net)]}
for name, (params, macs) in costs.items():
    print(f"{name:15s} {params:8,d} parameters {macs:11,d} MACs per image")
handson.check("parameters of the small DenseNet over the small ResNet's",
              costs["small DenseNet"][0] / costs["small ResNet"][0], "<", 0.75,
              quick=True)
handson.check("MACs of the small DenseNet over the small ResNet's",
              costs["small DenseNet"][1] / costs["small ResNet"][1], ">", 1.2,
              quick=True)

# %%
# The DenseNet has fewer parameters (its layers are narrow: 12 new channels each)
# but does more arithmetic, since its first block works at 14x14 on channels that
# grow up to 64. DenseNet's parameter efficiency comes with a cost D2L points
# out: every concatenated feature map stays in memory for the backward pass.
#
# Training
# --------
#
# The chapter's setup (:doc:`01_alexnet`): the first 10,000 training images, 2
# epochs, batches of 128 in the shared order, Adam with learning rate 0.001,
# Adam's default, as for AlexNet. (D2L trains its DenseNet with SGD at learning
# rate 0.01 for 10 epochs on all 60,000 images, upsampled to 96x96.)

X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
n_train = handson.shrink(10_000, 1_000)  # 1,000 in quick mode
batch_size, num_epochs = 128, handson.epochs(2)
X_train, y_train = X_train[:n_train], y_train[:n_train]

lr = 0.001
handson.seed(0)
net = modern_cnns.densenet_small().to(device)
trainer = torch.optim.Adam(net.parameters(), lr=lr)
batch_order = torch.Generator().manual_seed(seed_offset())  # 0 unless shifted
history = handson.train(net, (X_train, y_train), (X_test, y_test),
                        nn.CrossEntropyLoss(), trainer, num_epochs, batch_size,
                        device=device, generator=batch_order)

# %%
# Results
# -------

test_acc = history.test_acc[-1]
print(f"small DenseNet: test accuracy {test_acc:.3f} after {num_epochs} epochs on "
      f"{n_train:,d} images ({sum(history.epoch_time):.1f} s of training)")
handson.check("test accuracy of the small DenseNet", test_acc, ">=", 0.68)

ax = history.plot(title=f"small DenseNet, {n_train:,d} training images")
ax.set_xticks(history.epochs)
plt.show()

# %%
# How it ranks against the other networks of the chapter on the same batches is
# the subject of :doc:`08_comparison`.
#
# Summary
# -------
#
# * A dense block concatenates each layer's output to its input, so every layer
#   sees all earlier features; after :math:`n` layers with growth rate :math:`k`
#   a block has :math:`c_0 + nk` channels (checked above).
# * Its layers are "batch norm, ReLU, 3x3 convolution"; their parameters grow
#   with the channels they read, so a long block costs about :math:`n^2`.
# * Transition layers (1x1 convolution, average pooling) halve the channels and
#   the resolution between blocks.
# * The small DenseNet has fewer parameters than the small ResNet but more
#   multiply-accumulates, and it keeps every feature map of a block in memory.

# %%
# Exercises
# ---------
#
# 1. Why does the transition layer use average pooling rather than max pooling?
#    Try ``nn.MaxPool2d`` in ``transition_block`` and train with the page's setup.
#
#    .. dropdown:: Hint
#
#       After the 1x1 convolution every channel is a mix of all the concatenated
#       features; averaging keeps a bit of each position, which suits features
#       that later layers reuse. Compare the difference with the spread between
#       seeds (``HANDSON_SEED_OFFSET=1``) before drawing a conclusion.
#
# 2. D2L notes that DenseNet uses a lot of memory. Count the entries of all
#    feature maps a dense block of :math:`n` layers keeps for the backward pass,
#    as a function of :math:`n`, :math:`c_0`, :math:`k` and the size
#    :math:`h \times w`.
#
#    .. dropdown:: Answer
#
#       Each concatenation writes a new tensor with :math:`c_0 + ik` channels,
#       :math:`i = 1, \ldots, n`, so the concatenations alone hold
#       :math:`hw \sum_{i=1}^n (c_0 + ik) = hw (n c_0 + k n(n+1)/2)` entries:
#       quadratic in :math:`n`. Memory-efficient implementations recompute them
#       in the backward pass instead of storing them.
#
# 3. Change the growth rate of ``densenet_small`` to 6 and to 24. How do the
#    parameters, the MACs and the accuracy change?
#
#    .. dropdown:: Hint
#
#       ``modern_cnns.densenet_small(growth_rate=24)``; count with
#       ``classic_cnns.count_params`` and ``count_macs``. The convolution
#       parameters grow about with :math:`k^2` in a long block and with :math:`k`
#       in the first layers.
#
# 4. **Programming task.** DenseNet-B puts a 1x1 convolution with :math:`4k`
#    output channels (and its own batch norm and ReLU) in front of each 3x3
#    convolution. Write ``bottleneck_conv_block(in_channels, k)`` and a dense
#    block that uses it, check that the output still has :math:`c_0 + nk`
#    channels, and compare the parameters of a 16-layer block with and without
#    the bottleneck for :math:`c_0 = 16, k = 12`.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def bottleneck_conv_block(in_channels, k):
#              return nn.Sequential(
#                  nn.BatchNorm2d(in_channels), nn.ReLU(),
#                  nn.Conv2d(in_channels, 4 * k, kernel_size=1),
#                  nn.BatchNorm2d(4 * k), nn.ReLU(),
#                  nn.Conv2d(4 * k, k, kernel_size=3, padding=1))
#
#          class DenseBlockB(DenseBlock):
#              def __init__(self, num_convs, in_channels, k):
#                  nn.Module.__init__(self)
#                  self.net = nn.Sequential(*[
#                      bottleneck_conv_block(in_channels + i * k, k)
#                      for i in range(num_convs)])
#
#          Y = DenseBlockB(16, 16, 12)(torch.randn(2, 16, 8, 8))
#          assert Y.shape[1] == 16 + 16 * 12
#          print(classic_cnns.count_params(DenseBlock(16, 16, 12)),
#                classic_cnns.count_params(DenseBlockB(16, 16, 12)))
#
#       The 1x1 convolution reads all the channels but the expensive 3x3 one
#       reads only :math:`4k`, so the long block gets cheaper; for short blocks
#       with few input channels the extra layers can cost more than they save.
