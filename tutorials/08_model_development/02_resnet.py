"""
Residual networks
=================

Stacking more layers should never make a network worse: the extra layers could
always learn to pass their input through unchanged. In practice, plain deep stacks
train *worse* than shallower ones, because gradient descent cannot find that
solution. Two ideas from 2015 fixed this and made networks of a hundred layers and
more routine: the *residual connection*, which adds a block's input to its output so
that doing nothing is the easiest thing a block can learn (He et al., 2016), and
*batch normalisation*, which keeps the signals inside the network at a steady scale
(Ioffe and Szegedy, 2015). This page writes batch normalisation from scratch and
checks it against ``nn.BatchNorm2d``, builds a residual block, measures why deep
plain stacks are hard to train, and trains a small residual network (ResNet) on
Fashion-MNIST.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * batch normalisation: batch statistics in training, moving averages in
        evaluation, written from scratch and checked against ``nn.BatchNorm2d``
      * the residual block, output = input + residual, and a 1 by 1 convolution
        on the shortcut when the shape changes
      * why shortcuts help: gradients of deep plain and residual stacks at
        initialisation, and their first training steps
      * build a small ResNet for 28 by 28 images, walk its shapes, count its
        parameters, and budget its training time on a CPU (with the channels-last
        memory layout)

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * convolutions, padding, stride and pooling:
        :doc:`../07_convolutional_networks/01_convolutions`; ``nn.BatchNorm2d``
        used as a tool: :doc:`../07_convolutional_networks/02_lenet`
      * vanishing and exploding gradients:
        :doc:`../05_multilayer_perceptrons/04_numerical_stability`
      * writing your own layers: :doc:`../06_builders_guide/04_custom_layers`;
        ``state_dict`` and buffers: :doc:`01_saving_and_loading`
      * ``handson.train``:
        :doc:`../04_linear_classification/02_softmax_regression_scratch`
      * data: Fashion-MNIST, a subset of 20,000 training images and the 10,000
        test images
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# A block of layers computes some function of its input. A *residual* block
# computes its input plus a correction, the *residual* :math:`g`:
#
# .. math::
#
#    f(\mathbf{x}) = \mathbf{x} + g(\mathbf{x}).
#
# If the best thing the block can do is nothing, a plain block must learn the
# identity :math:`f(\mathbf{x}) = \mathbf{x}` through its weights and
# nonlinearities, which is hard; a residual block only has to drive :math:`g` to
# zero, which weights near zero already do. A deeper residual network can therefore
# always fall back on the shallower one it contains.
#
# The shortcut also helps the gradient. Stack :math:`L` blocks,
# :math:`\mathbf{x}_l = \mathbf{x}_{l-1} + g_l(\mathbf{x}_{l-1})` for
# :math:`l = 1, \dots, L`. By the chain rule the Jacobian of the output with respect
# to the input is a product, one factor per block:
#
# .. math::
#
#    \frac{\partial \mathbf{x}_L}{\partial \mathbf{x}_0}
#    = \prod_{l=L}^{1} \left( \mathbf{I} + \frac{\partial g_l}{\partial
#      \mathbf{x}_{l-1}} \right)
#    \qquad \text{versus} \qquad
#    \prod_{l=L}^{1} \frac{\partial g_l}{\partial \mathbf{x}_{l-1}}
#    \quad \text{for a plain stack.}
#
# The plain product of :math:`L` matrices tends to shrink or grow exponentially
# with :math:`L`, and so does the gradient that reaches the first layers. The
# residual product contains the identity: multiplied out, one of its terms is
# :math:`\mathbf{I}` itself, so the gradient at the output reaches every block
# directly, whatever the blocks in between do.
#
# That argument is exact for blocks that compute :math:`\mathbf{x} +
# g(\mathbf{x})`. The original ResNet block, which we build below, applies a ReLU
# *after* the sum: :math:`\mathbf{x}_l = \operatorname{ReLU}(\mathbf{x}_{l-1} +
# g_l(\mathbf{x}_{l-1}))`. Its Jacobian is :math:`\mathbf{D}_l (\mathbf{I} +
# \partial g_l / \partial \mathbf{x}_{l-1})`, where :math:`\mathbf{D}_l` is the
# diagonal matrix with 1 where the sum is positive and 0 where the ReLU cuts it.
# The identity term of the product becomes :math:`\mathbf{D}_L \cdots
# \mathbf{D}_1`: the gradient passes straight through only along units that are
# active in every block on the way, and the guarantee "whatever the blocks do" is
# lost. The *pre-activation* block (He et al., "Identity mappings in deep residual
# networks", 2016) moves the ReLU inside :math:`g` to restore an exact identity
# path. For the original block the argument is a guide, not a proof, so we
# measure below how well it holds.
#
# The sum needs :math:`\mathbf{x}` and :math:`g(\mathbf{x})` of the same shape. When
# a block changes the number of channels or halves the resolution, the shortcut
# gets a :math:`1 \times 1` convolution with the same stride, a linear map
# :math:`\mathbf{W}_s`: :math:`f(\mathbf{x}) = \mathbf{W}_s \mathbf{x} +
# g(\mathbf{x})`.
#
# Inside :math:`g`, ResNet puts batch normalisation after each convolution. We build
# that first.

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.nn import functional as F

import handson
from handson.data import load_fashion_mnist

handson.seed(0)
device = handson.device()

# %%
# Batch normalisation from scratch
# --------------------------------
#
# The modern LeNet of :doc:`../07_convolutional_networks/02_lenet` used
# ``nn.BatchNorm2d`` as a ready-made layer; here we open it. Batch normalisation
# standardises each channel with statistics of the current minibatch
# :math:`\mathcal{B}`, then lets the network rescale and shift the result with
# learned parameters :math:`\boldsymbol{\gamma}` (scale) and
# :math:`\boldsymbol{\beta}` (shift), one entry per channel:
#
# .. math::
#
#    \hat{\boldsymbol{\mu}}_\mathcal{B} = \frac{1}{m} \sum_{\mathbf{x} \in
#      \mathcal{B}} \mathbf{x},
#    \qquad
#    \hat{\boldsymbol{\sigma}}^2_\mathcal{B} = \frac{1}{m} \sum_{\mathbf{x} \in
#      \mathcal{B}} (\mathbf{x} - \hat{\boldsymbol{\mu}}_\mathcal{B})^2,
#    \qquad
#    \operatorname{BN}(\mathbf{x}) = \boldsymbol{\gamma} \odot
#      \frac{\mathbf{x} - \hat{\boldsymbol{\mu}}_\mathcal{B}}
#           {\sqrt{\hat{\boldsymbol{\sigma}}^2_\mathcal{B} + \epsilon}}
#      + \boldsymbol{\beta}.
#
# Squares, square roots and the division act elementwise, and :math:`\epsilon > 0`
# (``eps``, :math:`10^{-5}`) keeps the division safe. After a fully connected layer
# the statistics are taken over the examples of the batch, so :math:`m =
# \lvert\mathcal{B}\rvert`; after a convolution they are taken per channel over the
# examples *and* all spatial positions, so :math:`m` is
# :math:`\lvert\mathcal{B}\rvert` times the height times the width of the feature
# maps.
#
# At test time there is no batch to take statistics of (a prediction for one image
# must not depend on which other images happen to be in the batch). So during
# training the layer keeps *moving averages* of the batch statistics, and
# evaluation uses them instead. PyTorch updates them with a ``momentum``
# :math:`\alpha = 0.1`:
#
# .. math::
#
#    \hat{\boldsymbol{\mu}} \leftarrow (1 - \alpha) \, \hat{\boldsymbol{\mu}} +
#      \alpha \, \hat{\boldsymbol{\mu}}_\mathcal{B},
#    \qquad
#    \hat{\boldsymbol{\sigma}}^2 \leftarrow (1 - \alpha) \, \hat{\boldsymbol{\sigma}}^2
#      + \alpha \, \frac{m}{m - 1} \hat{\boldsymbol{\sigma}}^2_\mathcal{B}.
#
# The factor :math:`m / (m - 1)` makes the variance estimate unbiased; the
# normalisation itself uses the biased :math:`\hat{\boldsymbol{\sigma}}^2_\mathcal{B}`.
# That is PyTorch's convention, and matching it is what lets us check our code
# against ``nn.BatchNorm2d`` to the last digits.


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    """Batch normalisation of X (n, c) or (n, c, h, w), per channel c.

    Returns the output and the updated moving mean and variance.
    """
    if not training:  # evaluation: the moving averages stand in for the batch
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        dims = (0,) if X.ndim == 2 else (0, 2, 3)  # all but the channel axis
        mean = X.mean(dim=dims, keepdim=True)
        var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        m = X.numel() // X.shape[1]  # values per channel
        moving_mean = (1 - momentum) * moving_mean + momentum * mean.detach()
        moving_var = ((1 - momentum) * moving_var
                      + momentum * var.detach() * m / (m - 1))
    return gamma * X_hat + beta, moving_mean, moving_var


# %%
# The layer holds :math:`\boldsymbol{\gamma}` and :math:`\boldsymbol{\beta}` as
# parameters and the moving averages as *buffers*: tensors that belong to the
# module, move with ``.to(device)`` and are saved in its ``state_dict``, but get no
# gradient. Their shapes broadcast over the batch and the spatial positions.
# ``self.training``, switched by ``net.train()`` and ``net.eval()``, picks the mode.


class BatchNorm(nn.Module):
    """Batch normalisation for 2-d (fully connected) or 4-d (convolutional) input."""

    def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.1):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.eps, self.momentum = eps, momentum
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            self.eps, self.momentum, self.training)
        return Y


bn = BatchNorm(4, num_dims=4)
print({name: tuple(t.shape) for name, t in bn.state_dict().items()})
print("parameters:", [name for name, _ in bn.named_parameters()])

# %%
# Checked against ``nn.BatchNorm2d``
# ----------------------------------
#
# PyTorch's layer calls :math:`\boldsymbol{\gamma}` and :math:`\boldsymbol{\beta}`
# ``weight`` and ``bias`` and the moving averages ``running_mean`` and
# ``running_var``, stored as vectors of length :math:`c`. We give both layers the
# same random :math:`\boldsymbol{\gamma}` and :math:`\boldsymbol{\beta}` and feed
# them three training batches whose channels have mean 2 and standard deviation 3.
# Outputs, gradients and moving averages must agree.

num_channels = 4
bn = BatchNorm(num_channels, num_dims=4)
bn_torch = nn.BatchNorm2d(num_channels)
with torch.no_grad():
    bn.gamma.copy_(torch.rand(1, num_channels, 1, 1) + 0.5)
    bn.beta.copy_(torch.randn(1, num_channels, 1, 1))
    bn_torch.weight.copy_(bn.gamma.reshape(-1))
    bn_torch.bias.copy_(bn.beta.reshape(-1))

bn.train()
bn_torch.train()
for step in range(3):
    X = (2 + 3 * torch.randn(8, num_channels, 5, 5)).requires_grad_(True)
    Y = bn(X)
    (Y ** 2).sum().backward()  # any scalar function of Y will do
    grad_ours, X.grad = X.grad, None
    Y_torch = bn_torch(X)
    (Y_torch ** 2).sum().backward()
    torch.testing.assert_close(Y, Y_torch)
    torch.testing.assert_close(grad_ours, X.grad)
    torch.testing.assert_close(bn.moving_mean.reshape(-1), bn_torch.running_mean)
    torch.testing.assert_close(bn.moving_var.reshape(-1), bn_torch.running_var)
torch.testing.assert_close(Y.detach().mean(dim=(0, 2, 3)),
                           bn.beta.detach().reshape(-1))
assert ((0 < bn.moving_mean) & (bn.moving_mean < 2)).all()
print("training mode: outputs, input gradients and moving averages agree")
print("moving mean after 3 batches:", bn.moving_mean.reshape(-1))
print("per-channel mean of the output:", Y.detach().mean(dim=(0, 2, 3)))
print("compare with beta:          ", bn.beta.detach().reshape(-1))

# %%
# In training mode each output channel has exactly mean :math:`\beta` (printed
# above). The moving averages, after only three batches, are still on their way
# from their start (mean 0, variance 1) towards the true statistics (mean 2,
# variance 9). In evaluation mode both layers use them:

bn.eval()
bn_torch.eval()
X = 2 + 3 * torch.randn(8, num_channels, 5, 5)
with torch.no_grad():
    torch.testing.assert_close(bn(X), bn_torch(X))
print("evaluation mode: outputs agree")

# %%
# Why the two modes matter: in training mode an image's output depends on the
# other images in its batch; in evaluation mode it does not. Put the same first
# image into two different batches:

X_a = 2 + 3 * torch.randn(8, num_channels, 5, 5)
X_b = torch.cat([X_a[:1], 2 + 3 * torch.randn(7, num_channels, 5, 5)])
with torch.no_grad():
    for mode in ["train", "eval"]:
        getattr(bn_torch, mode)()
        diff = (bn_torch(X_a)[0] - bn_torch(X_b)[0]).abs().max().item()
        print(f"{mode:5s} mode: the same image, two batches, outputs differ by "
              f"{diff:.2e}")
        assert (diff > 0) if mode == "train" else (diff == 0)

# %%
# .. warning::
#
#    Forget ``net.eval()`` before testing and the predictions depend on the batch
#    size and the other test images, and every test batch also moves the moving
#    averages. (``handson.evaluate_accuracy`` switches to evaluation mode for you.)
#    In training, tiny batches give noisy statistics, and
#    ``nn.BatchNorm1d`` refuses a batch of one example: its variance is zero.
#
# .. note::
#
#    A convolution followed by batch normalisation needs no bias: adding a
#    constant to a channel shifts its batch mean by the same constant, and the
#    normalisation subtracts it again. :math:`\boldsymbol{\beta}` plays the bias's
#    role. That is why the convolutions below have ``bias=False``.
#
# The residual block
# ------------------
#
# ResNet's block is :math:`g` = convolution, batch normalisation, ReLU,
# convolution, batch normalisation; then the shortcut is added and a final ReLU
# applied. Both convolutions are :math:`3 \times 3` with padding 1, so they keep the
# height and width, except that the first may have stride 2 to halve them. When the
# shape changes, the shortcut is a :math:`1 \times 1` convolution with that stride.
# From here on we use PyTorch's ``nn.BatchNorm2d``.


class Residual(nn.Module):
    """The ResNet block: relu(x + g(x)), with a 1x1 convolution on the shortcut
    when the number of channels or the resolution changes."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3,
                               stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3,
                               padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Conv2d(in_channels, out_channels, kernel_size=1,
                                      stride=stride)

    def g(self, X):
        return self.bn2(self.conv2(F.relu(self.bn1(self.conv1(X)))))

    def forward(self, X):
        shortcut = X if self.shortcut is None else self.shortcut(X)
        return F.relu(shortcut + self.g(X))


X = torch.rand(4, 3, 6, 6)
print("same shape:        ", tuple(Residual(3, 3)(X).shape))
print("6 channels, half:  ", tuple(Residual(3, 6, stride=2)(X).shape))
assert Residual(3, 3)(X).shape == X.shape
assert Residual(3, 6, stride=2)(X).shape == (4, 6, 3, 3)

# %%
# Why shortcuts help: deep stacks at initialisation
# -------------------------------------------------
#
# Before training a ResNet, we test the claim of the idea section. Take a stem (a
# convolution to 8 channels, batch normalisation, ReLU, and :math:`4 \times 4` max
# pooling down to 7 by 7 pixels), then :math:`L` blocks of 8 channels, then global
# average pooling and a linear layer. ``Plain`` is the same block without the
# shortcut. For each depth we compute the gradient of the loss on one batch of
# Fashion-MNIST images with respect to the stem's weights, the layer furthest from
# the loss.


class Plain(Residual):
    """The same layers as Residual, without the shortcut: relu(g(x))."""

    def forward(self, X):
        return F.relu(self.g(X))


def deep_stack(block, depth, channels=8):
    return nn.Sequential(
        nn.Conv2d(1, channels, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(channels), nn.ReLU(), nn.MaxPool2d(4),
        *[block(channels, channels) for _ in range(depth)],
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10))


X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
loss = nn.CrossEntropyLoss()
X_batch, y_batch = X_train[:128].to(device), y_train[:128].to(device)

depths = [1, 2, 4, 8, 16, 32]
grad_norms = {"Plain": [], "Residual": []}
for depth in depths:
    for block in [Plain, Residual]:
        handson.seed(depth)  # the same weights for both stacks of a depth
        net = deep_stack(block, depth).to(device)
        loss(net(X_batch), y_batch).backward()
        grad_norms[block.__name__].append(torch.linalg.norm(net[0].weight.grad).item())

print(f"{'blocks':>6}  {'|grad| plain':>12}  {'|grad| residual':>15}")
for depth, g_plain, g_res in zip(depths, grad_norms["Plain"], grad_norms["Residual"]):
    print(f"{depth:6d}  {g_plain:12.4f}  {g_res:15.4f}")

# %%
# The printed norms tell the story of the product of Jacobians. Without shortcuts
# the gradient at the stem changes by orders of magnitude as blocks are added (with
# batch normalisation it ends up growing, a known effect: Yang et al., 2019). With
# shortcuts it is not constant either (our blocks end in a ReLU, so the identity
# path is only approximate), but over the same 32-fold range of depths it varies
# by a small factor instead of thousands. The ratio of the largest to the smallest
# norm over all depths measures that spread:

spread = {kind: max(norms) / min(norms) for kind, norms in grad_norms.items()}
print(f"largest / smallest gradient norm over depths 1 to {depths[-1]}: "
      f"plain {spread['Plain']:.0f}, residual {spread['Residual']:.1f}")
handson.check("spread of the plain stack's gradient norms over depths",
              spread["Plain"], ">", 100, quick=True)
handson.check("spread of the residual stack's gradient norms over depths",
              spread["Residual"], "<", 20, quick=True)

# %%
# Does it matter for training? A few dozen SGD steps of both 16-block stacks, on
# the same batches:

num_steps = handson.shrink(60, 10)
step_losses = {}
for block in [Plain, Residual]:
    handson.seed(16)
    net = deep_stack(block, 16).to(device)
    trainer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    batch_gen = torch.Generator().manual_seed(0)  # the same batches for both
    losses = []
    for step, (X, y) in enumerate(handson.batches(X_train, y_train, 64,
                                                  generator=batch_gen)):
        if step == num_steps:
            break
        l = loss(net(X.to(device)), y.to(device))
        trainer.zero_grad()
        l.backward()
        trainer.step()
        losses.append(l.detach())
    step_losses[block.__name__] = torch.stack(losses).cpu()
    print(f"{block.__name__:8s} 16 blocks: mean loss of the last 10 steps "
          f"{step_losses[block.__name__][-10:].mean():.4f}")
handson.check("plain minus residual loss, mean of the last 10 steps",
              (step_losses["Plain"][-10:].mean()
               - step_losses["Residual"][-10:].mean()).item(), ">", 0)
print(f"loss of the first step: plain {step_losses['Plain'][0]:.4f}, "
      f"residual {step_losses['Residual'][0]:.4f}")
handson.check("residual minus plain loss at the first step",
              (step_losses["Residual"][0] - step_losses["Plain"][0]).item(), ">", 0,
              quick=True)

# %%
# The residual stack's loss falls much faster, as the figure shows. It also starts
# higher (last line above): its output is the stem's plus the contributions of all 16
# blocks, so its first class scores are larger, and so is the loss of a network
# that has not learned anything yet.

fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
axes[0].semilogy(depths, grad_norms["Plain"], "o-", label="plain")
axes[0].semilogy(depths, grad_norms["Residual"], "s-", label="residual")
axes[0].set_xscale("log", base=2)
axes[0].set_xlabel("number of blocks $L$")
axes[0].set_ylabel("gradient norm at the stem")
axes[0].set_title("At initialisation")
axes[0].legend()
axes[1].plot(range(1, num_steps + 1), step_losses["Plain"], label="plain, 16 blocks")
axes[1].plot(range(1, num_steps + 1), step_losses["Residual"],
             label="residual, 16 blocks")
axes[1].set_xlabel("SGD step")
axes[1].set_ylabel("training loss")
axes[1].set_title("First training steps")
axes[1].legend()
fig.tight_layout()
plt.show()

# %%
# A small ResNet for Fashion-MNIST
# --------------------------------
#
# ResNet-18 (He et al., 2016) has a stem, four stages of two residual blocks each
# (64 to 512 channels), global average pooling and one linear layer; D2L trains it
# on Fashion-MNIST upsampled to 96 by 96 pixels. That takes far too long on a CPU,
# so we keep the design and shrink everything: 28 by 28 input, a stem with 16
# channels and :math:`2 \times 2` max pooling to 14 by 14, three stages of one
# block each (16, 32 and 64 channels; the second and third halve the resolution),
# then the same head.


def small_resnet(channels=16):
    c = channels
    return nn.Sequential(
        nn.Conv2d(1, c, kernel_size=3, padding=1, bias=False),  # stem
        nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2),
        Residual(c, c),  # stage 1: 14 x 14
        Residual(c, 2 * c, stride=2),  # stage 2: 7 x 7
        Residual(2 * c, 4 * c, stride=2),  # stage 3: 4 x 4
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),  # global average pooling
        nn.Linear(4 * c, 10))


handson.seed(0)
net = small_resnet()
X = torch.zeros(1, 1, 28, 28)
print(f"{'input':22s} {str(tuple(X.shape)):18s}")
for layer in net:
    X = layer(X)
    num_params = sum(p.numel() for p in layer.parameters())
    print(f"{layer.__class__.__name__:22s} {str(tuple(X.shape)):18s} "
          f"{num_params:7,d} parameters")
num_params = sum(p.numel() for p in net.parameters())
print(f"total: {num_params:,} parameters")
assert X.shape == (1, 10)

# %%
# Most parameters sit in the last stage, where the channels are widest; most of
# the computation sits in the first, where the feature maps are largest. Global
# average pooling makes the head independent of the input size: it averages each
# of the 64 channels over the remaining 4 by 4 positions.
#
# The time budget
# ---------------
#
# A CNN costs far more per image than the MLPs of earlier chapters. Measure a few
# training steps first, and decide how much data we can afford.
#
# While we are measuring, we try one more thing. A batch of feature maps is stored
# by default channel by channel (``(n, c, h, w)`` in memory order, "NCHW"), but
# convolution kernels often prefer all channels of one pixel side by side
# ("NHWC", ``torch.channels_last``). Converting the model with
# ``net.to(memory_format=torch.channels_last)`` changes only the layout of its
# weights, and with them of the feature maps; the outputs agree up to rounding.
# (With one input channel, the two layouts of our images coincide, so the input
# needs no conversion.)

handson.seed(0)
net_nchw = small_resnet().eval()
handson.seed(0)
net_nhwc = small_resnet().to(memory_format=torch.channels_last).eval()
with torch.no_grad():
    torch.testing.assert_close(net_nhwc(X_test[:64]), net_nchw(X_test[:64]))
assert X_train.is_contiguous(memory_format=torch.channels_last)
print("strides of a 16-to-16-channel kernel:", net_nchw[4].conv2.weight.stride(),
      "(NCHW) vs", net_nhwc[4].conv2.weight.stride(), "(NHWC)")

# %%
# On CPUs, PyTorch's convolutions (through the oneDNN library) usually run faster
# in channels-last, and we train in that layout. Time a few training steps in
# both to see what it buys on your machine:


def seconds_per_image(memory_format, num_steps=5):
    """Time num_steps training steps of a fresh small_resnet, per image."""
    net = small_resnet().to(device, memory_format=memory_format)
    trainer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    timer = handson.Timer()
    for step, (X, y) in enumerate(handson.batches(X_train, y_train, batch_size)):
        if step == num_steps + 1:
            break
        if step == 1:  # the first step is slower (memory allocation); skip it
            timer.start()
        l = loss(net(X.to(device)), y.to(device))
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l.item()  # wait for the device to finish before reading the clock
    return timer.stop() / (num_steps * batch_size)


batch_size, lr, num_epochs = 128, 0.1, handson.epochs(4)
timings = {fmt: seconds_per_image(fmt)
           for fmt in [torch.contiguous_format, torch.channels_last]}
for fmt, sec in timings.items():
    print(f"{str(fmt):24s} {1000 * sec:.2f} ms per training image on {device}")
memory_format = torch.channels_last
sec_per_image = timings[memory_format]
n_train = handson.shrink(20_000, 2_000)
print(f"{num_epochs} epochs over all {len(X_train):,} training images: about "
      f"{sec_per_image * len(X_train) * num_epochs:.0f} s")
print(f"{num_epochs} epochs over {n_train:,} of them: about "
      f"{sec_per_image * n_train * num_epochs:.0f} s (plus the test evaluations)")

# %%
# A page of this course has to build in about a minute on a 2-core CPU, training
# and everything else included. So we train on the first 20,000 images, a third of
# the training set, for four epochs: the last estimate printed above (on a GPU,
# try the whole set and more epochs: exercise 3). The learning rate decays along a
# cosine from ``lr`` to 0 over the epochs, a schedule that gets the most out of a
# short run.
#
# Training
# --------

handson.seed(0)
net = small_resnet().to(device, memory_format=memory_format)
trainer = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(trainer, T_max=num_epochs)
history = handson.train(net, (X_train[:n_train], y_train[:n_train]),
                        (X_test, y_test), loss, trainer, num_epochs, batch_size,
                        scheduler=scheduler, device=device)

# %%
# Results
# -------

test_acc = history.test_acc[-1]
print(f"test accuracy after {num_epochs} epochs on {n_train:,} images: {test_acc:.4f}")
print(f"training time: {sum(history.epoch_time):.0f} s "
      f"({sum(history.epoch_time) / num_epochs:.1f} s per epoch, test evaluation "
      "included)")
handson.check("test accuracy of the small ResNet", test_acc, ">", 0.85)

ax = history.plot(title=f"Small ResNet, {n_train:,} training images")
ax.set_xticks(history.epochs)
ax.set_ylim(0, 1)
ax.figure.tight_layout()
plt.show()

# %%
# The printed test accuracy is above 0.85 with a third of the training set and a
# few epochs. The moving averages the batch normalisation layers collected are
# part of the network's state; the evaluation used them:

print("buffers of the stem's batch normalisation:",
      [name for name, _ in net[1].named_buffers()])
print("its moving mean, first 4 channels:", net[1].running_mean[:4].cpu())

# %%
# .. dropdown:: Where does batch normalisation's benefit come from?
#
#    Ioffe and Szegedy motivated it by *internal covariate shift*: each layer's
#    input distribution changes while the layers below it train. Later work
#    doubted that this is the mechanism (Santurkar et al., 2018, find that
#    batch normalisation makes the loss surface smoother, so larger learning rates
#    are stable). What is not in doubt is the practice: with it, deep networks train
#    with larger learning rates and are less sensitive to the initialisation. The
#    noise of the batch statistics also acts a little like a regulariser.
#
# Summary
# -------
#
# * Batch normalisation standardises each channel with the statistics of the
#   minibatch, then scales by :math:`\boldsymbol{\gamma}` and shifts by
#   :math:`\boldsymbol{\beta}`; in evaluation mode it uses moving averages kept as
#   buffers. Our 12-line version matches ``nn.BatchNorm2d`` in both modes.
# * A residual block computes :math:`f(\mathbf{x}) = \mathbf{x} + g(\mathbf{x})`;
#   a :math:`1 \times 1` convolution on the shortcut adapts the shape when channels
#   or resolution change.
# * The shortcut puts an identity term into the product of Jacobians (exactly for
#   :math:`\mathbf{x} + g(\mathbf{x})`, approximately with ResNet's ReLU after the
#   sum): from 1 to 32 blocks the gradient at the first layer of a residual stack
#   varies by a small factor, a plain stack's by orders of magnitude, and a
#   16-block residual stack trains where a plain one stalls.
# * A small ResNet (stem, three one-block stages, global average pooling, linear)
#   reaches a printed test accuracy above 0.85 on Fashion-MNIST with a third of the
#   training set and four epochs; measure the time per image before deciding how
#   much data and how many epochs a run can afford.

# %%
# Exercises
# ---------
#
# 1. Put ``nn.Conv2d(3, 3, 3, padding=1)`` (with a bias) in front of ``BatchNorm``
#    in training mode, and change the convolution's bias. Does the output change?
#    What about evaluation mode?
#
#    .. dropdown:: Answer
#
#       In training mode the output does not change (up to rounding): the bias adds
#       a constant to its channel, the batch mean moves by the same constant, and
#       the subtraction removes it. In evaluation mode the layer subtracts the
#       *moving* mean, which the forward passes in evaluation mode do not update:
#       the output of each channel shifts by :math:`\gamma \Delta b /
#       \sqrt{\hat\sigma^2 + \epsilon}` for a bias change :math:`\Delta b`, and
#       stays shifted. Only training-mode forward passes move the moving mean
#       towards the new batch means, and then the shift fades. Either way the bias
#       is wasted; :math:`\boldsymbol{\beta}` does its job.
#
# 2. Evaluate the trained ``net`` in *training* mode on the test set, in batches of
#    1,000 and of 10 images (write the loop by hand; ``evaluate_accuracy`` would
#    switch to evaluation mode). Compare with the printed test accuracy. What else
#    did the evaluation do to the network?
#
#    .. dropdown:: Answer
#
#       With batches of 1,000 the batch statistics are close to the moving
#       averages, and the accuracy is close to the evaluation-mode one (it may even
#       be a little higher: statistics of test images suit test images); with
#       batches of 10 they are noisy and the accuracy drops. And every forward pass in
#       training mode updated the moving averages with test data: the network has
#       changed. Save a copy of ``net.state_dict()`` before such experiments.
#
# 3. On a GPU (or with patience), train ``small_resnet()`` on all 60,000 images for
#    10 epochs, and ``small_resnet(32)`` as well. How much do more data, more epochs
#    and more channels each add to the test accuracy? How does the time per epoch
#    scale with the number of channels, and why roughly by 4 for twice the
#    channels?
#
#    .. dropdown:: Hint
#
#       A :math:`3 \times 3` convolution from :math:`c_\text{in}` to
#       :math:`c_\text{out}` channels costs :math:`9 c_\text{in} c_\text{out}`
#       multiply-adds per output pixel: doubling both doubles each factor. On a CPU,
#       batch normalisation and ReLU, which are cheap in arithmetic but read and
#       write every value, make the ratio smaller than 4.
#
# 4. Replace ``Residual`` by ``Plain`` in ``small_resnet`` and train it the same way.
#    Is the difference as large as for the 16-block stacks? Why not?
#
#    .. dropdown:: Answer
#
#       Three blocks are shallow; with batch normalisation a plain network of this
#       depth trains almost as well, and the accuracies come out close. Shortcuts
#       matter as depth grows, which is what the 16-block experiment and the
#       gradient norms at 32 blocks show.
#
# 5. **Programming task.** *Layer normalisation* (Ba et al., 2016) normalises each
#    example over its own features instead of over the batch, so it behaves the same
#    in training and evaluation and needs no moving averages. Write
#    ``layer_norm(X, gamma, beta, eps)`` for input of shape ``(n, d)`` and check it
#    against ``nn.LayerNorm(d)`` with ``torch.testing.assert_close``, in both modes.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def layer_norm(X, gamma, beta, eps=1e-5):
#              mean = X.mean(dim=1, keepdim=True)
#              var = ((X - mean) ** 2).mean(dim=1, keepdim=True)
#              return gamma * (X - mean) / torch.sqrt(var + eps) + beta
#
#
#          d = 6
#          ln = nn.LayerNorm(d)
#          with torch.no_grad():
#              ln.weight.copy_(torch.rand(d) + 0.5)
#              ln.bias.copy_(torch.randn(d))
#          X = 2 + 3 * torch.randn(5, d)
#          for mode in [ln.train, ln.eval]:
#              mode()
#              torch.testing.assert_close(
#                  layer_norm(X, ln.weight, ln.bias), ln(X))
#          # one example alone gives the same output as inside the batch
#          torch.testing.assert_close(layer_norm(X[:1], ln.weight, ln.bias),
#                                     ln(X)[:1])
#
#       The statistics are per example (``dim=1``), :math:`\boldsymbol{\gamma}` and
#       :math:`\boldsymbol{\beta}` are per feature, as for batch normalisation.
#       Transformers use layer normalisation, since their batches hold sequences of
#       different lengths and their examples must not influence each other.
