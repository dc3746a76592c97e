"""
Convolutions from scratch
=========================

A fully connected layer treats an image as a long list of numbers: it does not know
which pixels are neighbours, and it must learn the same pattern again at every
position. A *convolutional* layer builds both facts in. It slides one small kernel
over the image, so a pattern is detected wherever it appears, with a handful of
weights instead of a weight per pixel pair. This page writes the operation from
scratch, checks every piece against PyTorch, and uses it: to find edges in a
Fashion-MNIST image with a hand-made kernel, and to *learn* that kernel back from
examples. Then come the knobs every convolutional network turns: padding, stride,
channels, the 1x1 convolution and pooling.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * a convolution as a fully connected layer restricted by translation
        invariance and locality
      * the two-dimensional cross-correlation that deep learning calls
        "convolution", written with loops and checked against
        :func:`torch.nn.functional.conv2d`
      * a convolutional layer of our own, and edge detection with a hand-made
        kernel
      * learning a kernel from input/output pairs by gradient descent
      * padding, stride and the output-shape formula
      * several input and output channels, and the 1x1 convolution as a fully
        connected layer applied at every pixel
      * max and average pooling, from scratch
      * the receptive field of a stack of layers, computed and checked with
        autograd

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * autograd and gradient descent, from
        :doc:`../01_getting_started/01_fit_a_line`
      * a fully connected network on images, from
        :doc:`../05_multilayer_perceptrons/02_mlp_fashion_mnist`
      * layers with parameters, from :doc:`../06_builders_guide/04_custom_layers`
      * data: one test image of Fashion-MNIST, loaded with
        :func:`handson.data.load_fashion_mnist`; the rest are small tensors drawn
        by the page
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# Start from what we know, a fully connected layer, and ask what of it an image
# needs. Give the input image :math:`\mathbf{X}` and the layer's output
# :math:`\mathbf{H}` two indices each, so that :math:`x_{k,l}` is the pixel in row
# :math:`k` and column :math:`l`. A fully connected layer has one weight for every
# pair of an output position and an input position, a fourth-order tensor
# :math:`\mathsf{W}`, and a bias per output:
#
# .. math::
#
#    h_{i,j} = u_{i,j} + \sum_k \sum_l w_{i,j,k,l} \, x_{k,l}
#            = u_{i,j} + \sum_a \sum_b v_{i,j,a,b} \, x_{i+a,\, j+b}.
#
# The second form only renames the weights by the *offset* :math:`(a, b)` of the
# input pixel from the output position, :math:`v_{i,j,a,b} = w_{i,j,i+a,j+b}`. For
# a 28x28 image and a 28x28 output that is :math:`28^4` weights (the number is
# printed below). Two principles cut it down:
#
# * *translation invariance*: a pattern should get the same response wherever it
#   appears, so the weights may depend on the offset :math:`(a, b)` but not on the
#   position :math:`(i, j)`: :math:`v_{i,j,a,b} = v_{a,b}` and :math:`u_{i,j} = u`;
# * *locality*: what is at pixel :math:`(i, j)` should be decided by the pixels
#   near it, so :math:`v_{a,b} = 0` unless :math:`|a| \le \Delta` and
#   :math:`|b| \le \Delta`.
#
# What is left is
#
# .. math::
#
#    h_{i,j} = u + \sum_{a=-\Delta}^{\Delta} \sum_{b=-\Delta}^{\Delta} v_{a,b} \,
#    x_{i+a,\, j+b},
#
# a layer with :math:`(2\Delta + 1)^2` weights and one bias, whatever the size of
# the image: a *convolutional layer*, whose weights :math:`\mathbf{V}` are called
# its *kernel*. (At the border of the image some :math:`x_{i+a, j+b}` do not exist;
# the section on padding deals with them.)
#
# Counting the offsets from the top-left corner of the window instead of its
# centre gives the form used from now on. Take a grey image :math:`\mathbf{X}` of
# height :math:`n_h` and width :math:`n_w` and a kernel :math:`\mathbf{K}` of height
# :math:`k_h` and width :math:`k_w`. Lay the kernel on the top-left corner of the
# image, multiply the entries that lie on top of each other and add them up: that
# is the first output. Slide the kernel one pixel to the right and repeat, then row
# by row to the bottom. Output entry :math:`(i, j)` is
#
# .. math::
#
#    h_{i,j} = \sum_{a=1}^{k_h} \sum_{b=1}^{k_w} k_{a,b} \, x_{i+a-1,\, j+b-1},
#    \qquad \mathbf{H} = \mathbf{X} \star \mathbf{K},
#
# where :math:`x_{i,j}` and :math:`k_{a,b}` are the entries of :math:`\mathbf{X}` and
# :math:`\mathbf{K}` and :math:`\star` names the operation. The kernel fits
# :math:`n_h - k_h + 1` times down the image and :math:`n_w - k_w + 1` times across,
# so the output :math:`\mathbf{H}` has shape
#
# .. math::
#
#    (n_h - k_h + 1) \times (n_w - k_w + 1).
#
# A convolutional layer computes :math:`\mathbf{X} \star \mathbf{K} + b` and learns
# :math:`\mathbf{K}` and the scalar bias :math:`b`. The two principles become two
# properties of the layer:
#
# * *locality*: each output looks only at a :math:`k_h \times k_w` patch of the
#   input;
# * *translation equivariance*: the same kernel is used at every position, so a
#   pattern shifted in the input gives the same response, shifted, in the output.
#
# .. dropdown:: Convolution or cross-correlation?
#
#    In mathematics, the convolution of :math:`\mathbf{X}` with :math:`\mathbf{K}`
#    flips the kernel first: it uses :math:`k_{k_h-a+1,\, k_w-b+1}` where the formula
#    above uses :math:`k_{a,b}`. What the formula computes is a
#    *cross-correlation*. Deep learning calls it convolution anyway, and so does
#    PyTorch's :class:`torch.nn.Conv2d`. For a learned kernel the difference does
#    not matter: whichever kernel the flipped version learns, the unflipped one
#    learns its mirror image, and the outputs are the same.

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

import handson
from handson.data import FASHION_MNIST_CLASSES, load_fashion_mnist

handson.seed(0)

# %%
# How much do the two principles save? The fully connected layer that maps a
# 28x28 image to a 28x28 output has one weight for every (output pixel, input pixel)
# pair; a convolutional layer with a 5x5 kernel (:math:`\Delta = 2`) has 25
# weights, whatever the image size.

n_pixels = 28 * 28
print(f"fully connected, 28x28 -> 28x28: {n_pixels * n_pixels:,} weights")
print(f"convolution with a 5x5 kernel:   {5 * 5} weights")

# %%
# Cross-correlation from scratch
# ------------------------------
#
# The formula becomes two loops over the output positions. In code the indices
# start from 0, so output ``Y[i, j]`` covers the input block
# ``X[i:i + h, j:j + w]``, and the double sum is an elementwise product followed by
# ``.sum()``.


def corr2d(X, K):
    """Two-dimensional cross-correlation of X (n_h, n_w) with kernel K (k_h, k_w)."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
print(X)
print(K)
print(corr2d(X, K))

# %%
# Check the top-left entry by hand: :math:`0 \cdot 0 + 1 \cdot 1 + 3 \cdot 2 + 4
# \cdot 3 = 19`. PyTorch's :func:`torch.nn.functional.conv2d` computes the same
# thing on a *batch* of images with *channels*, shapes ``(batch, channels, height,
# width)`` for the input and ``(out channels, in channels, height, width)`` for the
# kernel. With one image and one channel, we add two leading axes of size 1 and
# must get the same numbers, on this example and on random inputs of several
# shapes:

torch.testing.assert_close(corr2d(X, K), torch.tensor([[19.0, 25.0], [37.0, 43.0]]))
for shape_X, shape_K in [((3, 3), (2, 2)), ((6, 8), (1, 2)), ((7, 5), (3, 2))]:
    X_r, K_r = torch.randn(shape_X), torch.randn(shape_K)
    torch.testing.assert_close(corr2d(X_r, K_r),
                               F.conv2d(X_r[None, None], K_r[None, None])[0, 0])
print("corr2d agrees with F.conv2d")

# %%
# The derivation can be run backwards. ``corr2d`` is linear in ``X``, so it *is* a
# fully connected layer, with weights :math:`w_{i,j,k,l} = \partial h_{i,j} /
# \partial x_{k,l}`. :func:`torch.autograd.functional.jacobian` computes all of
# them. The two principles predict what we must find: output :math:`(i, j)` has the
# kernel as its weights on the window that starts at :math:`(i, j)` (the same
# kernel at every position) and zeros everywhere else (locality).

X_r, K_r = torch.randn(6, 6), torch.randn(3, 3)
W = torch.autograd.functional.jacobian(lambda X: corr2d(X, K_r), X_r)
print("weight tensor of the equivalent fully connected layer:", tuple(W.shape))
W_expected = torch.zeros(4, 4, 6, 6)
for i in range(4):
    for j in range(4):
        W_expected[i, j, i:i + 3, j:j + 3] = K_r  # the kernel, moved to (i, j)
torch.testing.assert_close(W, W_expected)
print(f"{int((W != 0).sum())} of its {W.numel()} weights are nonzero, and they take "
      f"only {K_r.numel()} distinct values: the kernel's")

# %%
# A convolutional layer of our own
# --------------------------------
#
# A layer holds the kernel and the bias as parameters, initialised at random, and
# computes :math:`\mathbf{X} \star \mathbf{K} + b` in ``forward``. It is the
# pattern of ``MyLinear`` in :doc:`../06_builders_guide/04_custom_layers`, with
# ``corr2d`` in place of the matrix product.


class Conv2D(nn.Module):
    """A one-channel convolutional layer: corr2d(X, weight) + bias."""

    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, X):
        return corr2d(X, self.weight) + self.bias


layer = Conv2D(kernel_size=(2, 3))
X_r = torch.randn(5, 6)
print("output shape:", tuple(layer(X_r).shape))
torch.testing.assert_close(
    layer(X_r),
    F.conv2d(X_r[None, None], layer.weight[None, None], layer.bias)[0, 0])

# %%
# Edge detection with a hand-made kernel
# --------------------------------------
#
# The kernel :math:`\mathbf{K} = [1, -1]` (one row, two columns) computes
# :math:`x_{i,j} - x_{i,j+1}`: zero where two horizontal neighbours are equal, and
# large where the brightness changes from one column to the next. It is a detector
# of *vertical* edges. D2L's toy image is white (ones) with a black band (zeros)
# in its middle four columns. Going from left to right, the kernel sees white turn
# to black at the band's left edge, :math:`1 - 0 = 1`, and black turn to white at
# its right edge, :math:`0 - 1 = -1`:

X_toy = torch.ones((6, 8))
X_toy[:, 2:6] = 0  # columns 2 to 5 black
K = torch.tensor([[1.0, -1.0]])
Y_toy = corr2d(X_toy, K)
print(X_toy)
print(Y_toy)
Y_expected = torch.zeros(6, 7)
Y_expected[:, 1], Y_expected[:, 5] = 1.0, -1.0  # white->black, black->white
torch.testing.assert_close(Y_toy, Y_expected)

# %%
# The transposed kernel :math:`\mathbf{K}^\top` compares vertical neighbours and
# finds *horizontal* edges, so on the toy image, which has none, it finds nothing:

print("K.T finds", int((corr2d(X_toy, K.T) != 0).sum()), "nonzero outputs")
assert (corr2d(X_toy, K.T) == 0).all()

# %%
# Now a real image: a bag from the Fashion-MNIST test set. Each output is the
# difference of two neighbouring pixels; red marks a step from bright to dark, blue
# a step from dark to bright.

X_test, y_test = load_fashion_mnist("test")
image = X_test[18, 0]  # shape (28, 28), values in [0, 1]
print("image:", tuple(image.shape), "| class:", FASHION_MNIST_CLASSES[int(y_test[18])])
edges_v = corr2d(image, K)    # vertical edges, shape (28, 27)
edges_h = corr2d(image, K.T)  # horizontal edges, shape (27, 28)
print("vertical edges:", tuple(edges_v.shape), "| horizontal edges:",
      tuple(edges_h.shape))

fig, axes = plt.subplots(1, 3, figsize=(9, 3.2))
axes[0].imshow(image, cmap="gray")
axes[0].set_title("input image")
for ax, edges, title in [(axes[1], edges_v, "kernel [1, -1]: vertical edges"),
                         (axes[2], edges_h, "its transpose: horizontal edges")]:
    ax.imshow(edges, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_title(title, fontsize=9)
for ax in axes:
    ax.axis("off")
fig.tight_layout()
plt.show()

# %%
# Learning a kernel from examples
# -------------------------------
#
# Designing kernels by hand does not scale to the dozens per layer a network
# needs, and we rarely know which ones we want. So let gradient descent find one.
# We give it only pairs (input, output): the image :math:`\mathbf{X}` and its
# vertical edges :math:`\mathbf{Y} = \mathbf{X} \star [1, -1]`, and ask a layer with a
# random 1x2 kernel to reproduce :math:`\mathbf{Y}`, minimising the mean squared
# error. If it succeeds, it has found :math:`[1, -1]`.
#
# We use :class:`torch.nn.Conv2d`, PyTorch's version of our layer, with one input
# channel, one output channel and no bias. It wants inputs of shape
# ``(batch, channels, height, width)``.

net = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
X = image.reshape(1, 1, 28, 28)
Y = edges_v.reshape(1, 1, 28, 27)
lr, num_epochs = 1.5, handson.epochs(300)
print("random start:", net.weight.data.reshape(-1))

for epoch in range(num_epochs):
    l = ((net(X) - Y) ** 2).mean()
    net.zero_grad()
    l.backward()
    with torch.no_grad():
        net.weight -= lr * net.weight.grad
    if (epoch + 1) % 50 == 0:
        print(f"epoch {epoch + 1:3d}  loss {l.item():.6f}")

learned = net.weight.data.reshape(-1)
print("learned kernel:", learned)
handson.check("largest distance of a learned weight from [1, -1]",
              (learned - torch.tensor([1.0, -1.0])).abs().max(), "<", 0.05)

# %%
# The printed kernel is close to :math:`[1, -1]`: from examples alone, gradient
# descent recovered the edge detector. In a network nobody supplies the target
# :math:`\mathbf{Y}`; the kernels are learned through the classification loss, and
# detectors of edges and other patterns appear on their own (the next page looks at
# the kernels LeNet learns).
#
# .. dropdown:: Why 300 steps for two weights?
#
#    The loss is a quadratic in the two weights, but a badly conditioned one.
#    Neighbouring pixels are nearly equal, so the output depends strongly on the
#    *sum* of the two weights (how bright the pair is) and only weakly on their
#    *difference* (the edge). Gradient descent fixes the sum within a few steps;
#    the learning rate cannot be raised to speed up the difference without the sum
#    diverging (try ``lr = 3.0``). So the difference creeps towards its target by a
#    small factor per step. :doc:`../10_optimization/06_momentum` and
#    :doc:`../10_optimization/10_adam` meet optimisers that cope with such
#    curvature better.
#
# Padding and stride
# ------------------
#
# Every convolution shrinks its input by :math:`k_h - 1` rows and :math:`k_w - 1`
# columns, and pixels on the border take part in fewer outputs than those in the
# middle. *Padding* adds :math:`p_h` rows of zeros at the top and at the bottom, and
# :math:`p_w` columns of zeros at the left and at the right, before the kernel
# slides. *Stride* moves the kernel :math:`s_h` rows down and :math:`s_w` columns
# across at a time, instead of one, which shrinks the output on purpose. The output
# height is then
#
# .. math::
#
#    \left\lfloor \frac{n_h + 2 p_h - k_h}{s_h} \right\rfloor + 1,
#
# and the width likewise with :math:`n_w, p_w, k_w, s_w`. With :math:`p_h = p_w = 0`
# and :math:`s_h = s_w = 1` this is the :math:`n_h - k_h + 1` from above, and with
# an odd kernel, :math:`p_h = (k_h - 1) / 2` and stride 1 the output has the size of
# the input (the usual choice).
#
# .. note::
#
#    Here :math:`p_h` counts the rows added on *each* side, as the ``padding``
#    argument of :class:`torch.nn.Conv2d` does. D2L counts the total instead, so its
#    formula reads :math:`\lfloor (n_h - k_h + p_h + s_h) / s_h \rfloor`; the two
#    agree.


def conv_output_shape(input_shape, kernel_size, padding=(0, 0), stride=(1, 1)):
    """Output (height, width) of a convolution, from the formula above."""
    return tuple((n + 2 * p - k) // s + 1
                 for n, k, p, s in zip(input_shape, kernel_size, padding, stride))


cases = [  # (n_h, n_w), (k_h, k_w), (p_h, p_w), (s_h, s_w)
    ((8, 8), (3, 3), (1, 1), (1, 1)),
    ((8, 8), (5, 3), (2, 1), (1, 1)),
    ((8, 8), (3, 3), (1, 1), (2, 2)),
    ((8, 8), (3, 5), (0, 1), (3, 4)),
    ((28, 28), (5, 5), (2, 2), (1, 1)),
    ((7, 9), (2, 4), (1, 0), (2, 3)),
]
print(f"{'input':>8} {'kernel':>8} {'padding':>8} {'stride':>8} {'formula':>9}"
      f" {'nn.Conv2d':>10}")
for n, k, p, s in cases:
    conv = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)
    shape = tuple(conv(torch.zeros(1, 1, *n)).shape[2:])
    print(f"{str(n):>8} {str(k):>8} {str(p):>8} {str(s):>8} "
          f"{str(conv_output_shape(n, k, p, s)):>9} {str(shape):>10}")
    assert conv_output_shape(n, k, p, s) == shape

# %%
# Both are easy to add to ``corr2d``. Padding copies the input into the middle of a
# larger tensor of zeros. Stride needs no new loop: a strided convolution computes
# every :math:`s_h`-th row and every :math:`s_w`-th column of the stride-1 output,
# so we slice those out. (This computes outputs only to throw them away; a real
# implementation skips them, and exercise 2 asks you to.)


def pad2d(X, padding):
    """Add padding[0] rows of zeros above and below X, padding[1] columns each side."""
    p_h, p_w = padding
    X_pad = torch.zeros((X.shape[0] + 2 * p_h, X.shape[1] + 2 * p_w))
    X_pad[p_h:p_h + X.shape[0], p_w:p_w + X.shape[1]] = X
    return X_pad


def corr2d_padded(X, K, padding=(0, 0), stride=(1, 1)):
    """Cross-correlation with zero padding and stride, built on corr2d."""
    return corr2d(pad2d(X, padding), K)[::stride[0], ::stride[1]]


for n, k, p, s in cases:
    X_r, K_r = torch.randn(n), torch.randn(k)
    Y_r = corr2d_padded(X_r, K_r, p, s)
    assert tuple(Y_r.shape) == conv_output_shape(n, k, p, s)
    torch.testing.assert_close(
        Y_r, F.conv2d(X_r[None, None], K_r[None, None], padding=p, stride=s)[0, 0])
print("corr2d_padded agrees with F.conv2d in all", len(cases), "cases")

# %%
# Several input channels
# ----------------------
#
# A colour image has three *channels* (red, green, blue), and the output of a
# convolutional layer has many, one per kernel. So in general the input is a tensor
# :math:`\mathsf{X}` of shape :math:`c_i \times n_h \times n_w`. The kernel gets the
# same number of channels, :math:`\mathsf{K}` of shape
# :math:`c_i \times k_h \times k_w`; each input channel is cross-correlated with its
# own kernel slice, and the results are *added*:
#
# .. math::
#
#    \mathbf{H} = \sum_{c=1}^{c_i} \mathsf{X}_{c} \star \mathsf{K}_{c},
#
# where :math:`\mathsf{X}_c` is channel :math:`c` of the input, a matrix. The result
# is a single channel.


def corr2d_multi_in(X, K):
    """Cross-correlate each input channel with its kernel slice and add up."""
    return sum(corr2d(x, k) for x, k in zip(X, K))


X = torch.tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                  [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
print(corr2d_multi_in(X, K))
torch.testing.assert_close(corr2d_multi_in(X, K), F.conv2d(X[None], K[None])[0, 0])

# %%
# Several output channels
# -----------------------
#
# One kernel gives one output channel. For :math:`c_o` output channels, stack
# :math:`c_o` such kernels into a tensor of shape
# :math:`c_o \times c_i \times k_h \times k_w`, the layout of ``nn.Conv2d.weight``.
# Output channel :math:`o` uses kernel :math:`o` and sees *all* input channels.


def corr2d_multi_in_out(X, K):
    """Input (c_i, n_h, n_w), kernels (c_o, c_i, k_h, k_w) -> output (c_o, ., .)."""
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)


K3 = torch.stack((K, K + 1, K + 2), 0)
Y3 = corr2d_multi_in_out(X, K3)
print("kernel:", tuple(K3.shape), "-> output:", tuple(Y3.shape))
print(Y3)
torch.testing.assert_close(Y3, F.conv2d(X[None], K3)[0])

X_r, K_r = torch.randn(3, 7, 6), torch.randn(4, 3, 3, 2)
torch.testing.assert_close(corr2d_multi_in_out(X_r, K_r), F.conv2d(X_r[None], K_r)[0])
print("corr2d_multi_in_out agrees with F.conv2d")

# %%
# The 1x1 convolution
# -------------------
#
# A 1x1 kernel looks at one pixel at a time, so it cannot see any spatial pattern.
# What it does do is mix channels: output channel :math:`o` at pixel :math:`(i, j)`
# is :math:`\sum_c k_{o,c} \, x_{c,i,j}`. That is a fully connected layer from
# :math:`c_i` inputs to :math:`c_o` outputs, applied with the *same* weights at every
# pixel. Flatten the pixels into columns, a :math:`c_i \times (n_h n_w)` matrix,
# write the kernels as a :math:`c_o \times c_i` weight matrix, and the whole layer
# is one matrix product:


def corr2d_multi_in_out_1x1(X, K):
    """A 1x1 convolution as a matrix product: (c_o, c_i) @ (c_i, n_h * n_w)."""
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.reshape((c_i, h * w))
    K = K.reshape((c_o, c_i))
    return (K @ X).reshape((c_o, h, w))


X_r = torch.normal(0, 1, (3, 4, 5))
K_r = torch.normal(0, 1, (2, 3, 1, 1))
Y1 = corr2d_multi_in_out_1x1(X_r, K_r)
torch.testing.assert_close(Y1, corr2d_multi_in_out(X_r, K_r))
torch.testing.assert_close(Y1, F.conv2d(X_r[None], K_r)[0])
print("1x1 convolution == matrix product == F.conv2d, output", tuple(Y1.shape))

# %%
# Networks use 1x1 convolutions to change the number of channels cheaply, for
# example to shrink 256 channels to 64 before an expensive 3x3 convolution.
#
# Pooling
# -------
#
# Convolution outputs are sensitive to position: shift the bag by one pixel and
# every edge moves by one pixel in the edge map. *Pooling* makes a layer less
# sensitive, and shrinks the image, by summarising each :math:`p \times q` window
# with one number: its maximum (*max pooling*) or its mean (*average pooling*).
# Pooling has no parameters and treats each channel on its own, so the number of
# channels does not change. Windows slide like kernels; in PyTorch the stride
# defaults to the window size, so 2x2 pooling halves the height and the width.
#
# From scratch, the loop of ``corr2d`` with ``max`` or ``mean`` in place of the
# weighted sum, plus padding and stride as above. Max pooling pads with
# :math:`-\infty`, so that padding never wins the maximum; average pooling pads with
# zeros, which *are* counted in the mean (PyTorch's default,
# ``count_include_pad=True``).


def pool2d(X, pool_size, mode="max", padding=(0, 0), stride=None):
    """Max or average pooling of X (n_h, n_w); stride defaults to the window size."""
    p_h, p_w = pool_size
    s_h, s_w = stride if stride is not None else pool_size
    if padding != (0, 0):
        q_h, q_w = padding
        fill = float("-inf") if mode == "max" else 0.0
        X_pad = torch.full((X.shape[0] + 2 * q_h, X.shape[1] + 2 * q_w), fill)
        X_pad[q_h:q_h + X.shape[0], q_w:q_w + X.shape[1]] = X
        X = X_pad
    Y = torch.zeros(((X.shape[0] - p_h) // s_h + 1, (X.shape[1] - p_w) // s_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i * s_h:i * s_h + p_h, j * s_w:j * s_w + p_w]
            Y[i, j] = window.max() if mode == "max" else window.mean()
    return Y


X = torch.arange(9.0).reshape(3, 3)
print("max: ", pool2d(X, (2, 2), "max", stride=(1, 1)))
print("mean:", pool2d(X, (2, 2), "avg", stride=(1, 1)))
torch.testing.assert_close(pool2d(X, (2, 2), "max", stride=(1, 1)),
                           torch.tensor([[4.0, 5.0], [7.0, 8.0]]))

# %%
# Checked against :func:`torch.nn.functional.max_pool2d` and
# :func:`torch.nn.functional.avg_pool2d`, with and without padding and stride:

X_r = torch.randn(7, 9)
pool_cases = [  # window, padding, stride
    ((2, 2), (0, 0), (2, 2)),
    ((3, 3), (1, 1), (2, 2)),
    ((2, 3), (0, 1), (2, 3)),
    ((3, 3), (0, 0), (1, 1)),
]
for size, p, s in pool_cases:
    X4 = X_r[None, None]
    torch.testing.assert_close(pool2d(X_r, size, "max", p, s),
                               F.max_pool2d(X4, size, stride=s, padding=p)[0, 0])
    torch.testing.assert_close(pool2d(X_r, size, "avg", p, s),
                               F.avg_pool2d(X4, size, stride=s, padding=p)[0, 0])
print("pool2d agrees with F.max_pool2d and F.avg_pool2d in all", len(pool_cases),
      "cases")

# %%
# With several channels, pooling runs on each one separately:

X2 = torch.stack([X, X + 1])  # 2 channels
Y2 = torch.stack([pool2d(x, (3, 3), "max", (1, 1), (2, 2)) for x in X2])
print(f"{X2.shape[0]} channels in, {Y2.shape[0]} channels out:", tuple(Y2.shape))
torch.testing.assert_close(Y2, F.max_pool2d(X2[None], 3, stride=2, padding=1)[0])

# %%
# Pooling in action. Take the edge *strength* of the bag, the absolute value of the
# edge map, and the same for the bag moved one pixel to the left. The two maps
# hardly overlap, since a one-pixel-wide edge that moves by one pixel lands on
# different pixels; their correlation is low. After 2x2 max pooling they agree much
# better, because a window's maximum does not care where inside the window the edge
# lies.

shifted = torch.zeros_like(image)
shifted[:, :-1] = image[:, 1:]  # the bag, one pixel to the left
K = torch.tensor([[1.0, -1.0]])
strength, strength_s = corr2d(image, K).abs(), corr2d(shifted, K).abs()
pooled, pooled_s = pool2d(strength, (2, 2)), pool2d(strength_s, (2, 2))


def correlation(A, B):
    """Correlation coefficient of the entries of two maps of the same shape."""
    return torch.corrcoef(torch.stack([A.flatten(), B.flatten()]))[0, 1].item()


corr_before = correlation(strength, strength_s)
corr_after = correlation(pooled, pooled_s)
print(f"correlation of the maps of the bag and the shifted bag: "
      f"{corr_before:.3f} before pooling, {corr_after:.3f} after")
handson.check("correlation of the maps after pooling", corr_after, ">", corr_before,
              quick=True)

fig, axes = plt.subplots(1, 4, figsize=(10, 2.9))
for ax, M, title in [(axes[0], strength, "edge strength"),
                     (axes[1], strength_s, "shifted bag"),
                     (axes[2], pooled, "max-pooled"),
                     (axes[3], pooled_s, "shifted, max-pooled")]:
    ax.imshow(M, cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{title} {tuple(M.shape)}", fontsize=9)
    ax.axis("off")
fig.tight_layout()
plt.show()

# %%
# The printed correlations show the effect. It is partial: an edge that crosses the
# border between two windows still moves from one window to the next. Stacking
# several convolution and pooling layers, as the next page does, adds up to more
# tolerance.
#
# Receptive field
# ---------------
#
# The input pixels that can affect one output of a layer are that output's
# *receptive field*. For one 3x3 convolution it is a 3x3 patch. Stack a second 3x3
# convolution on it, and each of its outputs sees a 3x3 patch of the first layer's
# outputs, each of which sees 3x3 pixels: together a 5x5 patch of the image. Strides
# and pooling make the field grow faster: after a layer with stride 2, neighbouring
# positions lie 2 input pixels apart, so each extra position that the next kernel
# covers adds 2 pixels to the field, not 1.
#
# Going up the stack, keep two numbers: the size :math:`r` of the receptive field
# (in input pixels, along one axis) and the *jump* :math:`j`, the distance in input
# pixels between neighbouring positions of the current layer. The input starts with
# :math:`r = j = 1`, and a layer with kernel size :math:`k` (or pooling window
# :math:`k`) and stride :math:`s` changes them to
#
# .. math::
#
#    r \leftarrow r + (k - 1)\, j, \qquad j \leftarrow j\, s.
#
# Padding moves the field but does not change its size (near the border, part of
# the field then lies on the padding). So a deeper layer sees a larger part of the
# image, which lets it respond to patterns larger than any one kernel.


def receptive_field(layers):
    """Receptive-field size, along one axis, of the outputs of a stack of layers."""
    r, j = 1, 1
    for layer in layers:
        k, s = layer.kernel_size, layer.stride
        k = k[0] if isinstance(k, tuple) else k  # nn.Conv2d stores tuples,
        s = s[0] if isinstance(s, tuple) else s  # nn.AvgPool2d plain ints
        r, j = r + (k - 1) * j, j * s
    return r


# %%
# Autograd can check the formula. The gradient of one output with respect to the
# input is nonzero exactly on the pixels that affect that output. To rule out
# cancellations that could make a gradient zero by accident, all kernels get
# positive weights and the stacks have no activation functions. The third stack
# has the layer sizes of the next page's LeNet.


def conv(k, padding=0):
    """A one-channel k x k convolution with positive weights and no bias."""
    layer = nn.Conv2d(1, 1, k, padding=padding, bias=False)
    nn.init.uniform_(layer.weight, 0.1, 1.0)
    return layer


stacks = {
    "3x3 conv, 3x3 conv": [conv(3), conv(3)],
    "3x3 conv, 3x3 conv, 2x2 pool, 3x3 conv": [conv(3), conv(3), nn.AvgPool2d(2),
                                               conv(3)],
    "LeNet: 5x5 conv, pool, 5x5 conv, pool": [conv(5, padding=2), nn.AvgPool2d(2),
                                              conv(5), nn.AvgPool2d(2)],
}
for name, layers in stacks.items():
    X_r = torch.rand(1, 1, 28, 28, requires_grad=True)
    Y_r = nn.Sequential(*layers)(X_r)
    Y_r[0, 0, Y_r.shape[2] // 2, Y_r.shape[3] // 2].backward()  # a central output
    rows, cols = torch.nonzero(X_r.grad[0, 0], as_tuple=True)
    height = int(rows.max() - rows.min() + 1)
    width = int(cols.max() - cols.min() + 1)
    r = receptive_field(layers)
    print(f"{name:39s} formula: {r}x{r}; nonzero gradient: {height}x{width}"
          f" ({len(rows)} pixels)")
    assert (height, width) == (r, r) and len(rows) == r * r  # a full r x r block

# %%
# Each output of LeNet's encoder sees a 16x16 patch of the 28x28 image (the last
# line above), although no kernel is larger than 5x5.
#
# Why the library is faster
# -------------------------
#
# Our loops compute the right numbers, slowly: every output entry is a separate
# Python step. ``F.conv2d`` does the same arithmetic in compiled code, on whole
# batches and channels at once. Time our loops on the bag image, and ``F.conv2d``
# on a batch of 1,000 test images, per image. Each is timed three times and the
# fastest run kept, so that a moment of load on the machine does not decide the
# result.

timer = handson.Timer()
kernel = torch.ones(5, 5)
batch = X_test[:1000]  # shape (1000, 1, 28, 28)
F.conv2d(batch, kernel[None, None])  # warm-up: the first call is slower
t_loop, t_lib = float("inf"), float("inf")
for _ in range(3):
    timer.start()
    corr2d(image, kernel)
    t_loop = min(t_loop, timer.stop())
    timer.start()
    F.conv2d(batch, kernel[None, None])
    t_lib = min(t_lib, timer.stop() / len(batch))
print(f"corr2d: {t_loop * 1e3:.2f} ms, F.conv2d: {t_lib * 1e3:.4f} ms "
      f"per 28x28 image ({t_loop / t_lib:.0f} times faster)")
handson.check("speed-up of F.conv2d over the Python loops", t_loop / t_lib, ">", 10,
              quick=True)

# %%
# From here on we use ``nn.Conv2d`` and ``nn.MaxPool2d`` (or ``nn.AvgPool2d``), now
# that we know exactly what they compute.
#
# Summary
# -------
#
# * A convolutional layer is a fully connected layer restricted by translation
#   invariance (the same weights at every position) and locality (zero weights
#   outside a small window). It cross-correlates its input with a small kernel and
#   adds a bias: :math:`h_{i,j} = \sum_{a,b} k_{a,b} \, x_{i+a-1, j+b-1} + b`.
# * A kernel can be designed (:math:`[1, -1]` finds vertical edges) or learned from
#   data by gradient descent, like any other weight.
# * Padding :math:`p` and stride :math:`s` set the output size
#   :math:`\lfloor (n + 2p - k) / s \rfloor + 1`; padding :math:`(k - 1)/2` with
#   stride 1 keeps the size.
# * With :math:`c_i` input channels a kernel has shape
#   :math:`c_i \times k_h \times k_w` and the channels are summed; :math:`c_o` output
#   channels need :math:`c_o` such kernels. A 1x1 convolution is a fully connected
#   layer across channels, applied at every pixel.
# * Max and average pooling summarise windows without parameters, channel by
#   channel, and make the output less sensitive to small shifts. Each layer,
#   pooling included, widens the receptive field:
#   :math:`r \leftarrow r + (k - 1)\, j`.

# %%
# Exercises
# ---------
#
# 1. Build the toy image ``X_toy`` with a *diagonal* edge (``torch.tril`` helps).
#    What does the kernel ``K`` find? And ``K.T``? Design a 2x2 kernel that responds
#    to the diagonal edge and is zero on flat regions.
#
#    .. dropdown:: Answer
#
#       Both ``K`` and ``K.T`` respond along the diagonal, since a diagonal edge is
#       a step both across and down. The kernel ``[[1, 0], [0, -1]]`` compares a
#       pixel with its lower-right neighbour: it is zero on flat regions and
#       responds to steps along the diagonal direction. Any kernel whose entries sum
#       to zero gives zero on flat regions.
#
# 2. ``corr2d_padded`` computes the full stride-1 output and throws most of it
#    away. Rewrite it so that the loops visit only the outputs it keeps, and check it
#    against ``F.conv2d`` on the ``cases`` above.
#
#    .. dropdown:: Hint
#
#       Size the output with ``conv_output_shape`` and read the input block
#       ``X_pad[i * s_h:i * s_h + k_h, j * s_w:j * s_w + k_w]``, as ``pool2d`` does.
#
# 3. Count the multiplications a convolutional layer does: input
#    :math:`c_i \times n_h \times n_w`, :math:`c_o` kernels of size
#    :math:`k_h \times k_w`, padding that keeps the size, stride 1. How many does a
#    1x1 convolution save compared with a 3x3 one? Check your formula against the
#    number of entries of ``F.conv2d``'s output times the kernel size.
#
#    .. dropdown:: Answer
#
#       Each of the :math:`c_o n_h n_w` outputs needs :math:`c_i k_h k_w`
#       multiplications, :math:`c_i c_o k_h k_w n_h n_w` in all. A 1x1 kernel needs a
#       ninth of the multiplications of a 3x3 one, and a ninth of the weights.
#
# 4. The gradient of a convolution with respect to its input is again a
#    convolution. Make ``X`` a leaf with ``requires_grad=True``, compute
#    ``corr2d(X, K).sum()`` and call ``backward()``. Which kernel, applied to which
#    padded tensor, gives ``X.grad``?
#
#    .. dropdown:: Answer
#
#       ``X.grad`` is the *full* cross-correlation of a tensor of ones (the gradient
#       of the sum) with the kernel flipped in both directions:
#       ``corr2d(pad2d(torch.ones_like(Y), (k_h - 1, k_w - 1)), K.flip(0, 1))``.
#       Check it with ``torch.testing.assert_close``.
#
# 5. **Programming task.** Learn a 3x3 kernel instead of a 1x2 one. Make targets by
#    cross-correlating the bag with the Sobel kernel
#    ``[[1, 0, -1], [2, 0, -2], [1, 0, -1]]``, then train ``nn.Conv2d(1, 1, 3,
#    bias=False)`` from a random start as on this page. Which learning rate works,
#    and does the layer recover the Sobel kernel? Does it still work with targets
#    from a *single* 5x5 patch of the image, say ``image[10:15, 10:15]``?
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          sobel = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0],
#                                [1.0, 0.0, -1.0]])
#          X = image.reshape(1, 1, 28, 28)
#          Y = corr2d(image, sobel).reshape(1, 1, 26, 26)
#          net = nn.Conv2d(1, 1, kernel_size=3, bias=False)
#          for epoch in range(2000):
#              l = ((net(X) - Y) ** 2).mean()
#              net.zero_grad()
#              l.backward()
#              with torch.no_grad():
#                  net.weight -= 0.3 * net.weight.grad
#          print(net.weight.data.reshape(3, 3))  # within 0.01 of the Sobel kernel
#
#       The learning rate of the page, 1.5, diverges: with nine weights the
#       direction "all weights together" is much steeper than with two, so the
#       largest stable learning rate is smaller (see the dropdown on
#       conditioning). At 0.3 the difference directions are slow, hence the 2,000
#       steps; each step is cheap.
#
#       On the single patch it fails. A 5x5 patch gives a 3x3 output: only nine
#       equations for nine unknowns, and in the middle of the bag the pixels are
#       nearly equal, so the equations say almost nothing about the differences
#       between the weights. The layer fits the patch's targets with a kernel far
#       from Sobel's (and at learning rate 0.3 it even diverges, since the patch
#       is brighter than the image on average). A kernel is only as well
#       determined as the variety of the data it is learned from.
