"""
VGG: networks built from blocks
===============================

AlexNet showed that deep convolutional networks work, but every one of its layers
was designed by hand. The Visual Geometry Group (VGG) at Oxford proposed a
template instead: a *block* of several 3x3 convolutions followed by a pooling
layer that halves the resolution, repeated with more channels each time. A
network is then a list of blocks, and a family of networks (VGG-11, VGG-16,
VGG-19) is a family of lists. This page writes the VGG block, measures why a stack
of small kernels beats one large kernel (receptive field and parameters, checked),
builds a VGG for 28x28 images from a list, and trains it with the chapter's
shared setup.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the VGG block: 3x3 convolutions that keep the size, then 2x2 max pooling
      * a network as a list of ``(num_convs, out_channels)`` blocks
      * why two 3x3 convolutions instead of one 5x5: the same receptive field,
        measured with a gradient, for fewer parameters and MACs
      * a VGG for 28x28 images, trained with the chapter's setup

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * AlexNet, ``count_params``, ``count_macs`` and the chapter's training
        setup: :doc:`01_alexnet`
      * the receptive field, :math:`r \\leftarrow r + (k - 1)\\, j`:
        :doc:`../07_convolutional_networks/01_convolutions`
      * lazy layers (``nn.LazyConv2d``) and the dry run:
        :doc:`../06_builders_guide/03_lazy_initialization`
      * data: Fashion-MNIST, the first 10,000 training images and all 10,000 test
        images
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# The building block of LeNet and AlexNet is a convolution, a ReLU and a pooling
# layer. Each pooling with stride 2 halves the height and width, so a
# :math:`d \times d` image allows at most :math:`\log_2 d` such blocks before
# nothing is left: :math:`\log_2 224 \approx 7.8` for ImageNet, so 7 blocks
# (D2L states the looser bound of 8), and :math:`\log_2 28 \approx 4.8` for
# Fashion-MNIST, so 4. Simonyan and Zisserman's key idea, as D2L puts it, was to
# put *several* convolutions between two poolings. A VGG block is
#
# * ``num_convs`` convolutions with 3x3 kernels and padding 1, each followed by a
#   ReLU; they keep the height and width, and
# * a 2x2 max pooling with stride 2, which halves them.
#
# They were asking whether deep and narrow networks beat shallow and wide ones;
# they found that they do, and stacks of 3x3 convolutions became the standard of
# the decade that followed. The next section measures why small kernels are a
# good bargain.

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson import classic_cnns
from handson.classic_cnns import count_macs, count_params
from handson.data import load_fashion_mnist
from handson.reproducibility import seed_offset

handson.seed(0)
device = handson.device()

# %%
# Two 3x3 convolutions or one 5x5?
# --------------------------------
#
# With stride 1, each layer with a :math:`k \times k` kernel widens the receptive
# field by :math:`k - 1` (:doc:`../07_convolutional_networks/01_convolutions`).
# Two 3x3 layers therefore see :math:`1 + 2 + 2 = 5` pixels across, as one 5x5
# layer does, and three see 7, as one 7x7. We measure it: an output pixel depends
# on exactly the input pixels where its gradient is non-zero. (The weights are
# set to 1 so that no gradient cancels by chance.)


def receptive_field(net, size=15):
    """Boolean map of the input pixels that the centre output pixel depends on."""
    X = torch.zeros(1, 1, size, size, requires_grad=True)
    Y = net(X)
    Y[0, 0, Y.shape[2] // 2, Y.shape[3] // 2].backward()
    return X.grad[0, 0] != 0


def conv_stack(*kernel_sizes):
    """One-channel convolutions with all weights 1, no padding."""
    convs = [nn.Conv2d(1, 1, k) for k in kernel_sizes]
    for conv in convs:
        nn.init.ones_(conv.weight)
    return nn.Sequential(*convs)


fields = {"two 3x3": receptive_field(conv_stack(3, 3)),
          "one 5x5": receptive_field(conv_stack(5)),
          "three 3x3": receptive_field(conv_stack(3, 3, 3)),
          "one 7x7": receptive_field(conv_stack(7))}
for name, field in fields.items():
    rows, cols = field.any(dim=1).sum().item(), field.any(dim=0).sum().item()
    print(f"{name:10s} receptive field: {rows} x {cols} pixels")
assert torch.equal(fields["two 3x3"], fields["one 5x5"])
assert torch.equal(fields["three 3x3"], fields["one 7x7"])
assert fields["two 3x3"].sum() == 25 and fields["three 3x3"].sum() == 49

# %%
# The same window, at what price? Between layers of :math:`c` channels, a
# :math:`k \times k` convolution has :math:`k^2 c^2` weights (plus :math:`c`
# biases), and as many MACs per output pixel. So two 3x3 layers cost
# :math:`18 c^2` where one 5x5 costs :math:`25 c^2`, and three 3x3 cost
# :math:`27 c^2` where one 7x7 costs :math:`49 c^2`. (D2L compares three 3x3
# layers with one 5x5, "approximately as many parameters", :math:`27 c^2` against
# :math:`25 c^2`; but three 3x3 layers see a 7x7 window.) With :math:`c = 64` on a
# 28x28 feature map, padded to keep the size:

c, shape = 64, (64, 28, 28)
pairs = {"5x5": ([3, 3], [5]), "7x7": ([3, 3, 3], [7])}
for window, (small, large) in pairs.items():
    stacks = [nn.Sequential(*[nn.Conv2d(c, c, k, padding=k // 2) for k in ks])
              for ks in (small, large)]
    (p_small, m_small), (p_large, m_large) = [
        (count_params(s), count_macs(s, shape)) for s in stacks]
    print(f"{window} window: {len(small)} x 3x3: {p_small:7,d} parameters "
          f"{m_small:12,d} MACs | one {window}: {p_large:7,d} parameters "
          f"{m_large:12,d} MACs | ratio {p_small / p_large:.2f}")
    assert p_small == len(small) * (9 * c * c + c)
    assert m_large == large[0] ** 2 * c * c * 28 * 28
    handson.check(f"parameters of 3x3 stacks over one {window} layer",
                  p_small / p_large, "<", 1, quick=True)

# %%
# The stacks are cheaper (the ratios are printed), and they put a ReLU between
# their layers, so they compute more nonlinear functions of the same window.
# Stacking 3x3 convolutions became a gold standard, as D2L says, and GPU
# libraries grew fast implementations for small kernels. The receptive fields we
# measured, drawn:

fig, axes = plt.subplots(1, 4, figsize=(9, 2.6))
for ax, (name, field) in zip(axes, fields.items()):
    ax.imshow(field, cmap="Blues", vmin=0, vmax=1.5)
    ax.set_title(f"{name}: {int(field.sum())} pixels", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("input pixels that one output pixel depends on", fontsize=10)
fig.tight_layout()
plt.show()

# %%
# The VGG block
# -------------
#
# As in D2L, the block's convolutions are lazy (``nn.LazyConv2d``): the block only
# needs the number of convolutions and of output channels, and the first batch
# fixes the input channels.


def vgg_block(num_convs, out_channels):
    """num_convs 3x3 convolutions with ReLU, then 2x2 max pooling with stride 2."""
    layers = []
    for _ in range(num_convs):
        layers.append(nn.LazyConv2d(out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


block = vgg_block(2, 16)
Y = block(torch.zeros(1, 8, 14, 14))
print("vgg_block(2, 16) on an input of shape (1, 8, 14, 14):", tuple(Y.shape))
assert Y.shape == (1, 16, 7, 7)

# %%
# The VGG network
# ---------------
#
# Like AlexNet, VGG is a convolutional part and a dense part, the same two
# 4,096-unit hidden layers with dropout. The convolutional part is a list
# ``arch`` of ``(num_convs, out_channels)`` pairs, one per block, and a loop
# builds it. The original VGG-11 has five blocks, ``((1, 64), (1, 128), (2, 256),
# (2, 512), (2, 512))``: eight convolutions and three dense layers, eleven layers
# with weights. For Fashion-MNIST upsampled to 224x224, D2L divides the channels by
# four, ``((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))``.
#
# At 28x28 five blocks are impossible: 28, 14, 7, 3, 1 and then nothing. We keep
# the first three blocks of D2L's list, ending at 3x3 feature maps, and hidden
# dense layers of 256 units instead of 4,096, as for the small AlexNet.


def vgg(arch, num_classes=10):
    """VGG blocks from arch, then two hidden dense layers with dropout."""
    blocks = [vgg_block(num_convs, out_channels) for num_convs, out_channels in arch]
    net = nn.Sequential(
        *blocks, nn.Flatten(),
        nn.LazyLinear(256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, num_classes))
    net.eval()
    with torch.no_grad():
        net(torch.zeros(1, 1, 28, 28))  # the dry run creates the lazy weights
    return net.train()


arch = ((1, 16), (1, 32), (2, 64))
net = vgg(arch)
X = torch.zeros(1, 1, 28, 28)
net.eval()
with torch.no_grad():
    for layer in net:
        X = layer(X)
        print(f"{layer.__class__.__name__:10s} output shape: {tuple(X.shape)}")
net.train()
assert X.shape == (1, 10)

# %%
# Each ``Sequential`` line above is a whole block: the shape walk sees blocks,
# not layers. ``handson.classic_cnns.vgg_small`` builds the same network (and
# initialises it with ``init_kaiming``, like every network we train in this
# chapter); loaded with our weights, it computes the same scores:

twin = classic_cnns.vgg_small(arch)
twin.load_state_dict(net.state_dict())
X = torch.rand(4, 1, 28, 28)
net.eval()
twin.eval()
torch.testing.assert_close(twin(X), net(X))
net.train()

params, macs = count_params(net), count_macs(net, (1, 28, 28))
alex = classic_cnns.alexnet_small()
print(f"small VGG:     {params:9,d} parameters {macs:12,d} MACs per image")
print(f"small AlexNet: {count_params(alex):9,d} parameters "
      f"{count_macs(alex, (1, 28, 28)):12,d} MACs per image")

# %%
# Training
# --------
#
# The chapter's setup (:doc:`01_alexnet`): the first 10,000 training images, 2
# epochs, batches of 128 in the shared order, Adam. The learning rate for VGG is
# 0.001, as for AlexNet.

X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
n_train = handson.shrink(10_000, 1_000)  # 1,000 in quick mode
batch_size, num_epochs = 128, handson.epochs(2)
X_train, y_train = X_train[:n_train], y_train[:n_train]

lr = 0.001
handson.seed(0)
net = classic_cnns.vgg_small().to(device)
trainer = torch.optim.Adam(net.parameters(), lr=lr)
batch_order = torch.Generator().manual_seed(seed_offset())  # 0 unless shifted
history = handson.train(net, (X_train, y_train), (X_test, y_test),
                        nn.CrossEntropyLoss(), trainer, num_epochs, batch_size,
                        device=device, generator=batch_order)

# %%
# Results
# -------

test_acc = history.test_acc[-1]
print(f"small VGG: test accuracy {test_acc:.3f} after {num_epochs} epochs on "
      f"{n_train:,d} images ({sum(history.epoch_time):.1f} s of training)")
handson.check("test accuracy of the small VGG", test_acc, ">=", 0.7)

ax = history.plot(title=f"small VGG, {n_train:,d} training images")
ax.set_xticks(history.epochs)
plt.show()

# %%
# The small VGG learns with the same setup as the small AlexNet. Which of the two
# is better on this budget is a question for the last page of the chapter,
# which trains all of them on the same batches and compares the differences
# with the spread between seeds.
#
# Summary
# -------
#
# * A VGG block is several 3x3 convolutions that keep the resolution, each with
#   a ReLU, and a 2x2 max pooling that halves it.
# * A VGG network is a list of blocks plus AlexNet's dense head; changing the list
#   gives a family of networks (VGG-11, VGG-16, VGG-19).
# * Two 3x3 convolutions see the same 5x5 window as one 5x5 convolution
#   (measured with a gradient) with fewer parameters and MACs, and with an extra
#   nonlinearity between them.
# * At 28x28 five blocks do not fit; we kept the first three blocks of D2L's
#   reduced VGG-11 and a 256-unit head.

# %%
# Exercises
# ---------
#
# 1. Print the shape walk of ``vgg(arch)``: why does it show fewer lines than the
#    network has layers with weights? (D2L asks the same about its VGG-11.)
#
#    .. dropdown:: Answer
#
#       The loop over ``net`` visits the top-level modules, and each VGG block is
#       one ``nn.Sequential`` holding several layers. Iterate over
#       ``net.modules()`` (or each block) to see every layer.
#
# 2. Use Table 1 of the VGG paper to write the ``arch`` of VGG-16:
#    ``((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))``. Build it for 224x224
#    colour images with 1,000 classes (``nn.LazyConv2d`` accepts any number of
#    input channels) and count its parameters and MACs with ``count_params`` and
#    ``count_macs``. Where are its parameters, and where its MACs?
#
#    .. dropdown:: Hint
#
#       The dry run needs a 3x224x224 zero image instead of the 1x28x28 one of
#       ``vgg``. Expect well over a hundred million parameters, most of them in
#       the first dense layer (512 x 7 x 7 inputs), and billions of MACs, almost
#       all of them in the convolutions. Building it takes a moment and about
#       half a gigabyte of memory.
#
# 3. Try a wider or a deeper small VGG: ``((1, 32), (1, 64), (2, 128))`` and
#    ``((2, 16), (2, 32), (3, 64))``. Train each with the page's setup. Which
#    costs more per epoch, and does either gain accuracy beyond the spread
#    between seeds?
#
#    .. dropdown:: Hint
#
#       Compare ``count_macs`` first: doubling every width multiplies the MACs
#       of the convolutions between wide layers by four. Then time an epoch and
#       rerun each with ``HANDSON_SEED_OFFSET=1``.
#
# 4. **Programming task.** D2L suggests working on 56x56 or 84x84 inputs instead of
#    upsampling to 224. Write ``vgg_for(size, arch)`` whose dry run uses a zero
#    image of the given size, upsample Fashion-MNIST to 56x56 with
#    ``torch.nn.functional.interpolate(X, size=56, mode="bilinear")``, and train
#    ``vgg_for(56, ((1, 16), (1, 32), (2, 64), (2, 128)))`` with the page's setup.
#    Is the extra arithmetic per image (count it) worth it?
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          from torch.nn import functional as F
#
#          def vgg_for(size, arch, num_classes=10):
#              blocks = [vgg_block(n, c) for n, c in arch]
#              net = nn.Sequential(
#                  *blocks, nn.Flatten(),
#                  nn.LazyLinear(256), nn.ReLU(), nn.Dropout(0.5),
#                  nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.5),
#                  nn.Linear(256, num_classes))
#              net.eval()
#              with torch.no_grad():
#                  net(torch.zeros(1, 1, size, size))
#              return net.train()
#
#          X56 = F.interpolate(X_train, size=56, mode="bilinear")
#          X56_test = F.interpolate(X_test, size=56, mode="bilinear")
#          handson.seed(0)
#          net56 = vgg_for(56, ((1, 16), (1, 32), (2, 64), (2, 128)))
#          print(f"{count_macs(net56, (1, 56, 56)):,d} MACs per image")
#          trainer = torch.optim.Adam(net56.parameters(), lr=0.001)
#          h = handson.train(net56, (X56, y_train), (X56_test, y_test),
#                            nn.CrossEntropyLoss(), trainer, num_epochs, batch_size,
#                            generator=torch.Generator().manual_seed(0))
#
#       Compare its final test accuracy and its training time with the page's
#       run. Upsampling adds no information; what it adds is room for one more
#       block and more positions for each kernel, so any gain has to be weighed
#       against the spread between seeds and the extra time.
