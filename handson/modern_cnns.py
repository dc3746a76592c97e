"""Residual, dense, grouped and designed networks, shrunk for 28x28 Fashion-MNIST.

The second half of the chapter on modern convolutional networks builds the networks
that came after GoogLeNet at a size that trains in seconds on a CPU: ResNet (from
:doc:`/auto_tutorials/08_model_development/02_resnet`), DenseNet, ResNeXt and the
AnyNet/RegNet design space. Every network constructor here takes a batch of grey
28x28 images, shape ``(n, 1, 28, 28)``, and returns 10 logits; every docstring
names the page that derives the code and says what was shrunk. The layers are
built with explicit input channels (no lazy layers), so parameters can be counted
right away with :func:`handson.classic_cnns.count_params`.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "DenseBlock",
    "ResNeXtBlock",
    "Residual",
    "anynet",
    "conv_block",
    "densenet_small",
    "regnet_small",
    "resnet_small",
    "resnext_small",
    "transition_block",
]


class Residual(nn.Module):
    """ResNet's basic block: ``relu(x + g(x))`` with two 3x3 convolutions in ``g``.

    ``g`` is convolution, batch normalisation, ReLU, convolution, batch
    normalisation; a 1x1 convolution with the same stride adapts the shortcut when
    the channels or the resolution change. Derived in
    :doc:`/auto_tutorials/08_model_development/02_resnet`.

    Examples
    --------
    >>> Residual(8, 16, stride=2)(torch.zeros(2, 8, 14, 14)).shape
    torch.Size([2, 16, 7, 7])
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
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

    def g(self, X: torch.Tensor) -> torch.Tensor:
        return self.bn2(self.conv2(F.relu(self.bn1(self.conv1(X)))))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        shortcut = X if self.shortcut is None else self.shortcut(X)
        return F.relu(shortcut + self.g(X))


def resnet_small(channels: int = 16, num_classes: int = 10) -> nn.Sequential:
    """The small ResNet of :doc:`/auto_tutorials/08_model_development/02_resnet`.

    A stem (3x3 convolution, batch normalisation, ReLU, 2x2 max pooling: 28 to 14),
    three stages of one :class:`Residual` block each with ``channels``, twice and
    four times ``channels`` (the second and third halve the resolution: 14, 7, 4),
    global average pooling and one linear layer. Against ResNet-18: three stages of
    one block instead of four of two, 16 to 64 channels instead of 64 to 512.

    Examples
    --------
    >>> resnet_small()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    c = channels
    return nn.Sequential(
        nn.Conv2d(1, c, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2),
        Residual(c, c), Residual(c, 2 * c, stride=2), Residual(2 * c, 4 * c, stride=2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4 * c, num_classes))


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """DenseNet's "batch normalisation, ReLU, 3x3 convolution" unit.

    Derived in :doc:`/auto_tutorials/09_modern_convolutional_networks/05_densenet`.

    Examples
    --------
    >>> conv_block(3, 10)(torch.zeros(1, 3, 8, 8)).shape
    torch.Size([1, 10, 8, 8])
    """
    return nn.Sequential(
        nn.BatchNorm2d(in_channels), nn.ReLU(),
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    """``num_convs`` :func:`conv_block` units, each fed the concatenation of all before.

    Unit ``i`` (from 0) sees ``in_channels + i * growth_rate`` channels and adds
    ``growth_rate`` of its own, so the block outputs ``in_channels + num_convs *
    growth_rate`` channels. Derived in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/05_densenet`.

    Examples
    --------
    >>> DenseBlock(2, 3, 10)(torch.zeros(4, 3, 8, 8)).shape
    torch.Size([4, 23, 8, 8])
    """

    def __init__(self, num_convs: int, in_channels: int, growth_rate: int):
        super().__init__()
        self.net = nn.Sequential(*[
            conv_block(in_channels + i * growth_rate, growth_rate)
            for i in range(num_convs)])

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        for blk in self.net:
            X = torch.cat((X, blk(X)), dim=1)  # keep the input, append the new
        return X


def transition_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """DenseNet's transition: batch norm, ReLU, 1x1 convolution, 2x2 average pooling.

    It sets the number of channels (usually halves it) and halves the height and
    width. Derived in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/05_densenet`.

    Examples
    --------
    >>> transition_block(23, 10)(torch.zeros(1, 23, 8, 8)).shape
    torch.Size([1, 10, 4, 4])
    """
    return nn.Sequential(
        nn.BatchNorm2d(in_channels), nn.ReLU(),
        nn.Conv2d(in_channels, out_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2))


def densenet_small(num_channels: int = 16, growth_rate: int = 12,
                   arch: Sequence[int] = (4, 4),
                   num_classes: int = 10) -> nn.Sequential:
    """A small DenseNet for 28x28 grey images.

    Stem: 3x3 convolution with ``num_channels``, batch normalisation, ReLU, 2x2 max
    pooling (28 to 14). Then one :class:`DenseBlock` per entry of ``arch`` (its
    number of convolutions), with a :func:`transition_block` halving the channels
    and the resolution between two blocks; then batch normalisation, ReLU, global
    average pooling and a linear layer. Against D2L's DenseNet: a 3x3 stem with 16
    channels instead of 7x7 with 64 and stride 2, two dense blocks instead of four,
    growth rate 12 instead of 32. Derived in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/05_densenet`.

    Examples
    --------
    >>> densenet_small()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    c = num_channels
    layers: list[nn.Module] = [
        nn.Conv2d(1, c, kernel_size=3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
        nn.MaxPool2d(2)]
    for i, num_convs in enumerate(arch):
        layers.append(DenseBlock(num_convs, c, growth_rate))
        c += num_convs * growth_rate
        if i != len(arch) - 1:
            layers.append(transition_block(c, c // 2))
            c //= 2
    layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
               nn.Linear(c, num_classes)]
    return nn.Sequential(*layers)


class ResNeXtBlock(nn.Module):
    """The ResNeXt block: 1x1, grouped 3x3, 1x1 convolutions and a shortcut.

    The residual branch reduces ``in_channels`` to ``b = round(out_channels *
    bot_mul)`` bottleneck channels with a 1x1 convolution, applies a 3x3
    convolution with ``groups`` groups (``b`` must be divisible by ``groups``) and
    ``stride``, and expands to ``out_channels`` with a 1x1 convolution; each is
    followed by batch normalisation, the first two by a ReLU. When the shape
    changes, the shortcut is a strided 1x1 convolution with batch normalisation.
    ``groups`` is PyTorch's (the number of groups); D2L's ``ResNeXtBlock`` passes
    ``b // groups`` to PyTorch, so its argument is the group width. With
    ``groups=1`` this is ResNet's bottleneck block. Derived in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/06_resnext_and_bottlenecks`.

    Examples
    --------
    >>> ResNeXtBlock(16, 32, groups=4, bot_mul=0.5, stride=2)(
    ...     torch.zeros(2, 16, 8, 8)).shape
    torch.Size([2, 32, 4, 4])
    """

    def __init__(self, in_channels: int, out_channels: int, groups: int = 1,
                 bot_mul: float = 1.0, stride: int = 1):
        super().__init__()
        b = int(round(out_channels * bot_mul))
        if b % groups:
            raise ValueError(f"{b} bottleneck channels (out_channels {out_channels} x "
                             f"bot_mul {bot_mul}) do not split into {groups} groups: "
                             f"choose groups that divide {b}.")
        self.conv1 = nn.Conv2d(in_channels, b, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(b)
        self.conv2 = nn.Conv2d(b, b, kernel_size=3, stride=stride, padding=1,
                               groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(b)
        self.conv3 = nn.Conv2d(b, out_channels, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride,
                          bias=False),
                nn.BatchNorm2d(out_channels))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = F.relu(self.bn2(self.conv2(Y)))
        Y = self.bn3(self.conv3(Y))
        shortcut = X if self.shortcut is None else self.shortcut(X)
        return F.relu(Y + shortcut)


def resnext_small(channels: int = 32, groups: int = 8, bot_mul: float = 1.0,
                  num_classes: int = 10) -> nn.Sequential:
    """A small ResNeXt: :func:`resnet_small`'s layout with :class:`ResNeXtBlock`.

    Stem with ``channels`` (3x3 convolution, batch normalisation, ReLU, 2x2 max
    pooling: 28 to 14), three stages of one ResNeXt block with ``channels``, twice
    and four times ``channels`` (14, 7, 4 pixels), each with ``groups`` groups,
    then global average pooling and a linear layer. The default doubles the
    channels of :func:`resnet_small`, which the cheaper grouped blocks afford.
    Derived in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/06_resnext_and_bottlenecks`.

    Examples
    --------
    >>> resnext_small()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    c = channels
    return nn.Sequential(
        nn.Conv2d(1, c, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2),
        ResNeXtBlock(c, c, groups, bot_mul),
        ResNeXtBlock(c, 2 * c, groups, bot_mul, stride=2),
        ResNeXtBlock(2 * c, 4 * c, groups, bot_mul, stride=2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4 * c, num_classes))


def anynet(arch: Sequence[tuple[int, int, int, float]], stem_channels: int = 16,
           num_classes: int = 10) -> nn.Sequential:
    """A network of D2L's AnyNet design space, for 28x28 grey images.

    ``arch`` lists one ``(depth, width, groups, bot_mul)`` per stage. The stem is a
    3x3 convolution with stride 2 (28 to 14), batch normalisation and ReLU; each
    stage is ``depth`` :class:`ResNeXtBlock` with ``width`` output channels,
    ``groups`` groups and bottleneck ratio ``bot_mul``, the first with stride 2;
    the head is global average pooling and a linear layer. Against D2L's AnyNet
    for 224x224 images: two stages instead of four, as in D2L's ``RegNetX32``.
    Derived in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/07_design_spaces`.

    Examples
    --------
    >>> anynet([(1, 16, 2, 1.0), (2, 32, 4, 0.5)])(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    layers: list[nn.Module] = [
        nn.Conv2d(1, stem_channels, kernel_size=3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(stem_channels), nn.ReLU()]
    c = stem_channels
    for depth, width, groups, bot_mul in arch:
        if depth < 1 or width < 1:
            raise ValueError(f"every stage needs depth and width of at least 1, got "
                             f"depth {depth} and width {width} in {list(arch)}.")
        stage = [ResNeXtBlock(c, width, groups, bot_mul, stride=2)]
        stage += [ResNeXtBlock(width, width, groups, bot_mul)
                  for _ in range(depth - 1)]
        layers.append(nn.Sequential(*stage))
        c = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, num_classes)]
    return nn.Sequential(*layers)


def regnet_small(depths: Sequence[int] = (2, 3), widths: Sequence[int] = (32, 64),
                 groups: int = 4, bottleneck: float = 1.0, stem_channels: int = 16,
                 num_classes: int = 10) -> nn.Sequential:
    """An :func:`anynet` with the groups and bottleneck ratio shared by all stages.

    RegNetX's rules, as D2L states them, share the bottleneck ratio and the
    groups, and let widths and depths increase from stage to stage; this
    constructor checks the last two. D2L's ``RegNetX32`` has depths ``(4, 6)``,
    widths ``(32, 80)``, stem 32 and no bottleneck on 96x96 images. Derived in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/07_design_spaces`.

    Examples
    --------
    >>> regnet_small()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    if list(depths) != sorted(depths) or list(widths) != sorted(widths):
        raise ValueError(f"RegNet's depths and widths must not decrease from stage to "
                         f"stage, got depths {tuple(depths)} and widths {tuple(widths)}; "
                         f"use anynet() for other designs.")
    arch = [(d, w, groups, bottleneck) for d, w in zip(depths, widths, strict=True)]
    return anynet(arch, stem_channels, num_classes)
