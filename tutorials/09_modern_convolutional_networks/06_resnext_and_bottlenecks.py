"""
ResNeXt: bottlenecks, grouped and dilated convolutions
======================================================

A 3x3 convolution from :math:`c` to :math:`c` channels costs :math:`9c^2`
multiply-accumulates per pixel, so doubling the channels of a network quadruples
its cost. Three tricks make convolutions cheaper, and modern networks use them
everywhere: the *bottleneck* block of deep ResNets squeezes the channels with 1x1
convolutions around the 3x3 one; *grouped* convolutions split the channels into
:math:`g` groups that do not talk to each other, cutting the cost by :math:`g`
(ResNeXt, Xie et al., 2017, as D2L presents it); and *dilated* convolutions
spread a 3x3 kernel over a wider window to see further at the same cost. This page
computes and checks what each one saves, then trains a small ResNeXt with the
chapter's setup.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the bottleneck block (1x1 reduce, 3x3, 1x1 expand) and its parameters and
        MACs against the basic residual block
      * grouped convolutions, ``groups=g``: :math:`g` times fewer parameters, and
        the same as :math:`g` separate convolutions on channel slices (checked)
      * the ResNeXt block: a bottleneck with a grouped 3x3 convolution
      * dilated convolutions, ``dilation=d``: a receptive field of :math:`2d+1`
        for a 3x3 kernel, measured with autograd, growing exponentially in a stack
      * a small ResNeXt for Fashion-MNIST trained with the chapter's setup

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * residual blocks and batch normalisation:
        :doc:`../08_model_development/02_resnet`
      * the chapter's training setup and ``count_macs``: :doc:`01_alexnet`
      * 1x1 convolutions: :doc:`03_nin`; channel-reducing branches:
        :doc:`04_googlenet`
      * receptive fields: :doc:`../07_convolutional_networks/01_convolutions`
      * data: Fashion-MNIST, the first 10,000 training images and all 10,000
        test images, loaded with :func:`handson.data.load_fashion_mnist`
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The bottleneck block
# --------------------
#
# The residual block of :doc:`../08_model_development/02_resnet` has two 3x3
# convolutions on :math:`c` channels: :math:`2 \cdot 9c^2` weights, and as many
# multiply-accumulates (MACs) per output pixel. For deeper networks, D2L notes
# in an exercise, ResNet uses a *bottleneck* block instead: a 1x1 convolution
# reduces the :math:`c` channels to :math:`b < c`, a 3x3 convolution works on
# the :math:`b` channels, and a second 1x1 convolution expands back to :math:`c`:
#
# .. math::
#
#    \underbrace{2 \cdot 9 c^2}_{\text{basic}}
#    \quad\text{versus}\quad
#    \underbrace{cb + 9b^2 + bc}_{\text{bottleneck}}
#    \quad \text{weights (and MACs per pixel).}
#
# With :math:`c = 256, b = 64` (a reduction by 4) the bottleneck costs a small
# fraction of the basic block. We count both blocks at 14x14 pixels, convolution
# weights only (batch normalisation adds :math:`2` parameters per channel and no
# MACs in ``count_macs``). ``modern_cnns.ResNeXtBlock`` with ``groups=1`` is the
# bottleneck block; its argument ``bot_mul`` is :math:`b/c`.

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson import classic_cnns, modern_cnns
from handson.data import load_fashion_mnist
from handson.reproducibility import seed_offset

handson.seed(0)
device = handson.device()


def conv_weights(net):
    """Number of convolution weights in net."""
    return sum(m.weight.numel() for m in net.modules() if isinstance(m, nn.Conv2d))


def block_costs(c, b=None):
    """Weights and MACs at 14x14 of a basic block (b None) or a bottleneck on c."""
    if b is None:
        block = modern_cnns.Residual(c, c)
    else:
        block = modern_cnns.ResNeXtBlock(c, c, groups=1, bot_mul=b / c)
    return conv_weights(block), classic_cnns.count_macs(block, (c, 14, 14))


rows = {"basic, c = 256": (block_costs(256), 2 * 9 * 256**2),
        "bottleneck, c = 256, b = 64": (block_costs(256, 64),
                                        256 * 64 + 9 * 64**2 + 64 * 256),
        "basic, c = 64": (block_costs(64), 2 * 9 * 64**2)}
print(f"{'block':30s}{'weights':>11s}{'formula':>11s}{'MACs at 14x14':>15s}")
for name, ((weights, macs), formula) in rows.items():
    print(f"{name:30s}{weights:>11,d}{formula:>11,d}{macs:>15,d}")
    assert weights == formula
    assert macs == 14 * 14 * formula  # every weight is used once per pixel
saving = rows["basic, c = 256"][1] / rows["bottleneck, c = 256, b = 64"][1]
print(f"on 256 channels the bottleneck needs {saving:.1f} times fewer weights")
handson.check("weights of a basic block over a bottleneck block, c = 256",
              saving, ">", 10, quick=True)

# %%
# Read the table the other way round: a bottleneck block on 256 channels costs
# about as much as a basic block on 64 (last row). For the same price the
# network carries four times the channels from block to block, and the 3x3
# convolution, where the spatial mixing happens, works on the narrow :math:`b`.
#
# Grouped convolutions
# --------------------
#
# A convolution from :math:`c_i` to :math:`c_o` channels connects every output
# channel to every input channel. A *grouped* convolution with :math:`g` groups
# splits the input channels into :math:`g` slices of :math:`c_i/g` and the output
# channels into :math:`g` slices of :math:`c_o/g`, and convolves slice :math:`j`
# of the input only into slice :math:`j` of the output. In D2L's words, the cost
# drops from :math:`\mathcal{O}(c_i c_o)` to :math:`\mathcal{O}(g \cdot (c_i/g)
# (c_o/g)) = \mathcal{O}(c_i c_o / g)`, and so do the parameters. PyTorch's
# ``nn.Conv2d(..., groups=g)`` stores a weight of shape :math:`(c_o, c_i/g, k_h,
# k_w)`:

c_i, c_o = 32, 64
print(f"{'groups':>6s}{'weight shape':>22s}{'weights':>9s}{'MACs at 14x14':>15s}")
for g in [1, 2, 4, 8, 32]:
    conv = nn.Conv2d(c_i, c_o, kernel_size=3, padding=1, groups=g, bias=False)
    weights = classic_cnns.count_params(conv)
    macs = classic_cnns.count_macs(conv, (c_i, 14, 14))
    print(f"{g:6d}{str(tuple(conv.weight.shape)):>22s}{weights:9,d}{macs:15,d}")
    assert weights == c_o * c_i * 9 // g
    assert macs == 14 * 14 * c_o * c_i * 9 // g

# %%
# The extreme :math:`g = c_i` gives each input channel its own filters: a
# *depthwise* convolution.
#
# A grouped convolution *is* :math:`g` ordinary convolutions side by side. We
# check that numerically: cut the grouped weight into its :math:`g` blocks of
# output channels, give each block to its own ``nn.Conv2d`` on its slice of input
# channels, and concatenate the outputs.

g = 4
grouped = nn.Conv2d(c_i, c_o, kernel_size=3, padding=1, groups=g)
separate = [nn.Conv2d(c_i // g, c_o // g, kernel_size=3, padding=1)
            for _ in range(g)]
with torch.no_grad():
    for j, conv in enumerate(separate):
        out = slice(j * c_o // g, (j + 1) * c_o // g)
        conv.weight.copy_(grouped.weight[out])
        conv.bias.copy_(grouped.bias[out])
X = torch.randn(2, c_i, 10, 10)
with torch.no_grad():
    Y_grouped = grouped(X)
    Y_separate = torch.cat([conv(X[:, j * c_i // g:(j + 1) * c_i // g])
                            for j, conv in enumerate(separate)], dim=1)
torch.testing.assert_close(Y_grouped, Y_separate)
print(f"groups={g}: grouped convolution == {g} convolutions on channel slices, "
      f"max difference {(Y_grouped - Y_separate).abs().max():.1e}")

# %%
# The same fact says what is lost: output slice :math:`j` depends only on input
# slice :math:`j`. Change the input channels of the first group and only the
# first group's outputs move:

X2 = X.clone()
X2[:, : c_i // g] += 1.0
with torch.no_grad():
    changed = (grouped(X2) - Y_grouped).abs().amax(dim=(0, 2, 3)) > 0
print("output channels that changed:", changed.nonzero().flatten().tolist())
assert changed[: c_o // g].all() and not changed[c_o // g:].any()

# %%
# The ResNeXt block
# -----------------
#
# ResNeXt repairs that lack of exchange the way D2L describes: the grouped 3x3
# convolution sits between two 1x1 convolutions, which mix all channels. It is
# the bottleneck block with a grouped middle convolution: :math:`cb` weights for
# each 1x1 convolution and :math:`9b^2/g` for the 3x3 one, plus batch
# normalisation after each, and a 1x1 convolution with batch normalisation on the
# shortcut when the shape changes.
#
# .. note::
#
#    D2L's ``ResNeXtBlock(num_channels, groups, bot_mul)`` passes
#    ``groups=bot_channels // groups`` to PyTorch, so its argument ``groups`` is
#    the number of channels per group (the *group width*, which RegNet fixes). In
#    ``modern_cnns.ResNeXtBlock`` ``groups`` means what it means in PyTorch: the
#    number of groups. D2L's ``ResNeXtBlock(32, 16, 1)`` is our
#    ``ResNeXtBlock(32, 32, groups=2)``.
#
# The block keeps the shape (or halves it with ``stride=2``), for any number of
# groups; what changes is the cost of its middle convolution:

c = b = 64
print(f"{'groups':>6s}{'3x3 weights':>13s}{'block weights':>15s}{'MACs at 14x14':>15s}")
for g in [1, 2, 4, 8, 16]:
    blk = modern_cnns.ResNeXtBlock(c, c, groups=g, bot_mul=b / c)
    Y = blk(torch.randn(4, c, 14, 14))
    assert Y.shape == (4, c, 14, 14)
    macs = classic_cnns.count_macs(blk, (c, 14, 14))
    print(f"{g:6d}{blk.conv2.weight.numel():13,d}{conv_weights(blk):15,d}{macs:15,d}")
    assert conv_weights(blk) == 2 * c * b + 9 * b * b // g
print("with stride 2 and 128 output channels:",
      tuple(modern_cnns.ResNeXtBlock(c, 128, 8, 0.5, stride=2)(Y).shape))

# %%
# With many groups the 1x1 convolutions dominate the cost, which is why ResNeXt
# spends the savings on a wider bottleneck :math:`b`.
#
# Dilated convolutions
# --------------------
#
# (Dilation is not part of D2L's chapter; it belongs with these cheap
# convolutions.) A convolution with ``dilation=d`` spaces its kernel entries
# :math:`d` pixels apart: a 3x3 kernel with :math:`d = 2` reads a 5x5 window,
# skipping every other pixel. Its receptive field is :math:`2d + 1` pixels wide,
# still with 9 weights.
#
# Autograd measures a receptive field: the gradient of one output pixel with
# respect to the input is nonzero exactly on the pixels that output depends on.
# With all weights set to 1 no terms cancel by chance.


def receptive_field(convs, size=41):
    """The input pixels the centre output of the stack depends on, as a 0/1 map."""
    X = torch.zeros(1, 1, size, size, requires_grad=True)
    Y = X
    for conv in convs:
        Y = conv(Y)
    Y[0, 0, size // 2, size // 2].backward()
    return (X.grad[0, 0] != 0).float()


def ones_conv(dilation):
    conv = nn.Conv2d(1, 1, kernel_size=3, padding=dilation, dilation=dilation,
                     bias=False)
    nn.init.ones_(conv.weight)
    return conv


for d in [1, 2, 3, 4]:
    mask = receptive_field([ones_conv(d)])
    width = int(mask.any(dim=0).nonzero().max() - mask.any(dim=0).nonzero().min()) + 1
    print(f"dilation {d}: receptive field {width}x{width}, "
          f"{int(mask.sum())} pixels read, 2d + 1 = {2 * d + 1}")
    assert width == 2 * d + 1 and mask.sum() == 9

# %%
# Stacking is where dilation pays. Each 3x3 layer with dilation :math:`d_l`
# widens the receptive field by :math:`2 d_l`, so :math:`L` layers reach
# :math:`1 + 2 \sum_l d_l` pixels: :math:`2L + 1` without dilation, but
# :math:`1 + 2 (1 + 2 + \cdots + 2^{L-1}) = 2^{L+1} - 1` when the dilations
# double from layer to layer. Computed by the formula and measured by autograd:

print(f"{'layers':>6s}{'plain':>7s}{'dilations 1, 2, 4, ...':>24s}")
for L in [1, 2, 3, 4]:
    plain = receptive_field([ones_conv(1) for _ in range(L)], size=41)
    dilated = receptive_field([ones_conv(2**l) for l in range(L)], size=41)
    w_plain = int(plain.any(dim=0).sum())
    w_dilated = int(dilated.any(dim=0).sum())
    print(f"{L:6d}{w_plain:7d}{w_dilated:24d}")
    assert w_plain == 2 * L + 1
    assert w_dilated == 2 ** (L + 1) - 1
    assert dilated.sum() == w_dilated**2  # no holes left once the stack is done

fig, axes = plt.subplots(1, 3, figsize=(9, 3.2))
panels = [("one 3x3, dilation 2", [ones_conv(2)]),
          ("three 3x3, dilation 1", [ones_conv(1) for _ in range(3)]),
          ("three 3x3, dilations 1, 2, 4", [ones_conv(2**l) for l in range(3)])]
for ax, (title, convs) in zip(axes, panels):
    ax.imshow(receptive_field(convs, size=21), cmap="Greys", vmin=0, vmax=1)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("input pixels the centre output depends on (autograd)", fontsize=10)
fig.tight_layout()
plt.show()

# %%
# Three layers with 27 weights in all see a 15x15 window with dilations 1, 2,
# 4, and a 7x7 window without: a wide view without pooling, which keeps the
# resolution (useful when every pixel needs a label, as in segmentation).
#
# A small ResNeXt for 28x28 images
# --------------------------------
#
# ``modern_cnns.resnext_small`` keeps the layout of the small ResNet of
# :doc:`../08_model_development/02_resnet` (stem, three stages of one block, 14,
# 7 and 4 pixels, global average pooling, a linear layer) and uses ResNeXt blocks
# with 8 groups and no bottleneck reduction (``bot_mul=1``). The grouped blocks
# are cheap, so it affords twice the channels of the small ResNet (32, 64, 128):

net = modern_cnns.resnext_small()
resnet = modern_cnns.resnet_small()
costs = {name: (classic_cnns.count_params(m), classic_cnns.count_macs(m, (1, 28, 28)))
         for name, m in [("small ResNet", resnet), ("small ResNeXt", net)]}
for name, (params, macs) in costs.items():
    print(f"{name:14s} {params:8,d} parameters {macs:11,d} MACs per image")
for i, cost in enumerate(["parameters", "MACs"]):
    ratio = costs["small ResNeXt"][i] / costs["small ResNet"][i]
    handson.check(f"{cost} of the small ResNeXt over the small ResNet's", ratio,
                  "<", 1.25, quick=True)

# %%
# Twice the channels at a similar price (printed). D2L trains no ResNeXt in its
# ResNet section (it only checks the block's output shape; its RegNet of
# :doc:`07_design_spaces`, built from ResNeXt blocks, trains on 96x96 upsampled
# images); we use the chapter's setup (:doc:`01_alexnet`): the first 10,000
# training images, 2 epochs, batches of 128 in the shared order, Adam with
# learning rate 0.001.

X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
n_train = handson.shrink(10_000, 1_000)  # 1,000 in quick mode
batch_size, num_epochs = 128, handson.epochs(2)
X_train, y_train = X_train[:n_train], y_train[:n_train]

lr = 0.001
handson.seed(0)
net = modern_cnns.resnext_small().to(device)
trainer = torch.optim.Adam(net.parameters(), lr=lr)
batch_order = torch.Generator().manual_seed(seed_offset())  # 0 unless shifted
history = handson.train(net, (X_train, y_train), (X_test, y_test),
                        nn.CrossEntropyLoss(), trainer, num_epochs, batch_size,
                        device=device, generator=batch_order)

# %%
# Results
# -------

test_acc = history.test_acc[-1]
print(f"small ResNeXt: test accuracy {test_acc:.3f} after {num_epochs} epochs on "
      f"{n_train:,d} images ({sum(history.epoch_time):.1f} s of training)")
handson.check("test accuracy of the small ResNeXt", test_acc, ">=", 0.75)

ax = history.plot(title=f"small ResNeXt, {n_train:,d} training images")
ax.set_xticks(history.epochs)
plt.show()

# %%
# MACs do not tell the time on a CPU: a grouped convolution is many small
# matrix products, and the ResNeXt block adds a third convolution and batch
# normalisation to every block, so its training time (printed) can exceed what
# its MAC count, close to the small ResNet's, suggests. :doc:`08_comparison`
# puts the times of all the networks side by side, measured the same way.
#
# Summary
# -------
#
# * A bottleneck block (1x1 reduce, 3x3, 1x1 expand) on 256 channels needs over
#   ten times fewer weights and MACs than a basic block (computed and checked);
#   for the price of a basic block it carries four times the channels.
# * ``groups=g`` splits a convolution into :math:`g` independent convolutions on
#   channel slices (checked with copied weights) and divides its parameters and
#   MACs by :math:`g`; groups exchange no information, so ResNeXt puts 1x1
#   convolutions around the grouped one.
# * ``dilation=d`` gives a 3x3 kernel a :math:`(2d+1) \times (2d+1)` receptive
#   field with 9 weights; dilations doubling per layer grow the receptive field as
#   :math:`2^{L+1} - 1` (both measured with autograd).
# * The small ResNeXt has twice the channels of the small ResNet at a similar
#   count of parameters and MACs.

# %%
# Exercises
# ---------
#
# 1. For ``modern_cnns.ResNeXtBlock(c, c, groups=g, bot_mul=k)``, find the
#    bottleneck width :math:`b` with which the grouped block costs as many weights
#    as the block with :math:`g = 1` and :math:`b = c/4`, for :math:`g = 8`.
#
#    .. dropdown:: Answer
#
#       Solve :math:`2cb + 9b^2/g = 2c \cdot c/4 + 9 c^2/16`. For :math:`c = 256`
#       and :math:`g = 8` the quadratic :math:`\tfrac{9}{8} b^2 + 512 b - 69632
#       = 0` gives :math:`b \approx 110`: the grouped block affords a
#       bottleneck almost twice as wide.
#
# 2. Grouped convolutions have :math:`g` times fewer MACs. Time a forward and
#    backward pass of ``nn.Conv2d(256, 256, 3, padding=1, groups=g)`` on a batch
#    of 64 at 14x14 for :math:`g = 1, 4, 32, 256`. Is it :math:`g` times faster?
#
#    .. dropdown:: Hint
#
#       Use ``handson.Timer`` and skip the first call. Expect the speed-up to
#       fall short of :math:`g`, more so on a CPU: many small matrix products use
#       the hardware less well than one large one, and the memory traffic does not
#       shrink with :math:`g`.
#
# 3. A stack of dilated convolutions with dilations 2, 2, 2 (no 1 first) leaves
#    holes in its receptive field. Show them with ``receptive_field`` and explain.
#
#    .. dropdown:: Answer
#
#       With every dilation even, each output reads only input pixels at even
#       offsets from the centre, so about three quarters of the window (120 of
#       the 13x13 pixels) are never seen (the "gridding" effect). Starting with
#       dilation 1, as above, fills them.
#
# 4. **Programming task.** Write ``grouped_conv2d(X, weight, g)`` with
#    ``torch.nn.functional.conv2d`` and no ``groups`` argument: slice the input
#    channels and the weight's output channels, convolve, concatenate. Check it
#    against ``F.conv2d(X, weight, groups=g)`` with ``torch.testing.assert_close``.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          from torch.nn import functional as F
#
#          def grouped_conv2d(X, weight, g, padding=1):
#              c_i, c_o = X.shape[1], weight.shape[0]
#              return torch.cat([
#                  F.conv2d(X[:, j * c_i // g:(j + 1) * c_i // g],
#                           weight[j * c_o // g:(j + 1) * c_o // g],
#                           padding=padding)
#                  for j in range(g)], dim=1)
#
#          X = torch.randn(2, 8, 6, 6)
#          weight = torch.randn(12, 8 // 4, 3, 3)
#          torch.testing.assert_close(grouped_conv2d(X, weight, 4),
#                                     F.conv2d(X, weight, padding=1, groups=4))
