"""Classic convolutional networks, shrunk for 28x28 Fashion-MNIST, and their costs.

The chapter on modern convolutional networks, from
:doc:`/auto_tutorials/09_modern_convolutional_networks/01_alexnet` on, builds
AlexNet, VGG, NiN and GoogLeNet at a size that trains in seconds on a CPU: every
constructor here takes a batch of grey 28x28 images, shape ``(n, 1, 28, 28)``, and
returns 10 logits, initialised with :func:`init_kaiming`; its docstring names the
page that derives it and says what was shrunk. :func:`count_params` and
:func:`count_macs` measure what a network costs, so that later pages can compare
the networks with each other and with their full-size originals.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "Inception",
    "alexnet_small",
    "count_macs",
    "count_params",
    "googlenet_small",
    "init_kaiming",
    "nin_block",
    "nin_small",
    "vgg_block",
    "vgg_small",
]


def count_params(net: nn.Module) -> int:
    """Number of scalar parameters of ``net`` (weights and biases).

    Taught in :doc:`/auto_tutorials/09_modern_convolutional_networks/01_alexnet`.

    Examples
    --------
    >>> count_params(nn.Linear(400, 120))  # 400 * 120 weights + 120 biases
    48120
    """
    return sum(p.numel() for p in net.parameters())


def count_macs(net: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Multiply-accumulates of ``nn.Conv2d`` and ``nn.Linear`` layers for one input.

    ``input_shape`` is the shape of one example, without the batch axis (``(1, 28,
    28)`` for a Fashion-MNIST image). One zero example is pushed through ``net`` in
    evaluation mode with forward hooks on every convolutional and linear layer; a
    layer whose output has :math:`m` entries does :math:`m \\, c_i k_h k_w / g`
    multiply-accumulates (convolution with :math:`c_i` input channels, a
    :math:`k_h \\times k_w` kernel and :math:`g` groups) or :math:`m \\, d_i`
    (linear layer with :math:`d_i` inputs). Biases, activations, pooling and
    normalisation are not counted. The training flag of ``net`` is restored.
    Taught in :doc:`/auto_tutorials/09_modern_convolutional_networks/01_alexnet`.

    Examples
    --------
    >>> count_macs(nn.Conv2d(1, 6, kernel_size=5, padding=2), (1, 28, 28))
    117600
    >>> count_macs(nn.Sequential(nn.Flatten(), nn.Linear(400, 120)), (16, 5, 5))
    48000
    """
    total = 0

    def hook(layer, inputs, output):
        nonlocal total
        if isinstance(layer, nn.Conv2d):
            k_h, k_w = layer.kernel_size
            per_output = layer.in_channels // layer.groups * k_h * k_w
        else:
            per_output = layer.in_features
        total += output.numel() * per_output

    handles = [m.register_forward_hook(hook) for m in net.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    was_training = net.training
    param = next(net.parameters(), None)
    X = torch.zeros(1, *input_shape, device=None if param is None else param.device)
    try:
        net.eval()
        with torch.no_grad():
            net(X)
    finally:
        net.train(was_training)
        for handle in handles:
            handle.remove()
    return total


def init_kaiming(module: nn.Module) -> None:
    """Kaiming-normal weights (for ReLU) and zero biases in Conv2d and Linear layers.

    Use it with ``net.apply(init_kaiming)``; every constructor of this module
    applies it, so that all networks of the chapter start the same way. Taught in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/01_alexnet`.

    Examples
    --------
    >>> layer = nn.Linear(4, 3)
    >>> init_kaiming(layer)
    >>> layer.bias.tolist()
    [0.0, 0.0, 0.0]
    """
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        nn.init.zeros_(module.bias)


def alexnet_small(num_classes: int = 10) -> nn.Sequential:
    """AlexNet's layout shrunk for 28x28 grey images.

    Five convolutions (5x5, then four 3x3) with max pooling after the first, the
    second and the fifth, then two hidden dense layers with dropout. Against D2L's
    AlexNet for 224x224 inputs: an eighth of the channels (12, 32, 48, 48, 32
    instead of 96, 256, 384, 384, 256), a 5x5 first kernel with stride 1 instead of
    11x11 with stride 4, and 256 dense units instead of 4096. Weights are
    initialised with :func:`init_kaiming`, as in every constructor here. Derived in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/01_alexnet`.

    Examples
    --------
    >>> alexnet_small()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    net = nn.Sequential(
        nn.Conv2d(1, 12, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),        # 28 -> 14
        nn.Conv2d(12, 32, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),        # 14 -> 7
        nn.Conv2d(32, 48, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(48, 48, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(48, 32, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),        # 7 -> 4
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, num_classes))
    return net.apply(init_kaiming)


def _dry_run(net: nn.Module) -> nn.Module:
    """Create lazy weights with a zero image (1, 1, 28, 28); apply init_kaiming."""
    was_training = net.training
    net.eval()
    with torch.no_grad():
        net(torch.zeros(1, 1, 28, 28))
    return net.train(was_training).apply(init_kaiming)


def vgg_block(num_convs: int, out_channels: int) -> nn.Sequential:
    """``num_convs`` 3x3 convolutions with ReLU that keep the size, then 2x2 pooling.

    The convolutions are lazy (``nn.LazyConv2d``): the first batch sets their
    input channels. Derived in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/02_vgg`.

    Examples
    --------
    >>> vgg_block(2, 8)(torch.zeros(1, 3, 14, 14)).shape
    torch.Size([1, 8, 7, 7])
    """
    layers: list[nn.Module] = []
    for _ in range(num_convs):
        layers += [nn.LazyConv2d(out_channels, kernel_size=3, padding=1), nn.ReLU()]
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def vgg_small(arch: tuple[tuple[int, int], ...] = ((1, 16), (1, 32), (2, 64)),
              num_classes: int = 10) -> nn.Sequential:
    """A VGG network for 28x28 grey images: VGG blocks, then the dense head.

    ``arch`` lists ``(num_convs, out_channels)`` per block. The default keeps the
    first three blocks of D2L's reduced VGG-11, ``((1, 16), (1, 32), (2, 64),
    (2, 128), (2, 128))``: three halvings take 28 to 3, five would leave nothing.
    The hidden dense layers have 256 units instead of 4096. The layers are created
    by a dry run on one zero image. Derived in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/02_vgg`.

    Examples
    --------
    >>> vgg_small()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    blocks = [vgg_block(num_convs, out_channels) for num_convs, out_channels in arch]
    return _dry_run(nn.Sequential(
        *blocks, nn.Flatten(),
        nn.LazyLinear(256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, num_classes)))


def nin_block(out_channels: int, kernel_size: int, stride: int,
              padding: int) -> nn.Sequential:
    """One convolution, then two 1x1 convolutions (per-pixel dense layers), all ReLU.

    The convolutions are lazy, as in :func:`vgg_block`. Derived in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/03_nin`.

    Examples
    --------
    >>> nin_block(8, kernel_size=3, stride=1, padding=1)(
    ...     torch.zeros(1, 1, 7, 7)).shape
    torch.Size([1, 8, 7, 7])
    """
    return nn.Sequential(
        nn.LazyConv2d(out_channels, kernel_size, stride, padding), nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU())


def nin_small(num_classes: int = 10) -> nn.Sequential:
    """NiN for 28x28 grey images: NiN blocks, global average pooling, no dense layer.

    The channels and kernel sizes are those of :func:`alexnet_small` (12, 32, 48;
    5x5, 3x3, 3x3), as D2L's NiN copies AlexNet's; the last block has one channel
    per class and global average pooling turns each channel into one logit.
    Derived in :doc:`/auto_tutorials/09_modern_convolutional_networks/03_nin`.

    Examples
    --------
    >>> nin_small()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    return _dry_run(nn.Sequential(
        nin_block(12, kernel_size=5, stride=1, padding=2),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),        # 28 -> 14
        nin_block(32, kernel_size=3, stride=1, padding=1),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),        # 14 -> 7
        nin_block(48, kernel_size=3, stride=1, padding=1),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),        # 7 -> 4
        nn.Dropout(0.5),
        nin_block(num_classes, kernel_size=3, stride=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten()))


class Inception(nn.Module):
    """GoogLeNet's block: four branches that keep the size, concatenated.

    Branch 1 is a 1x1 convolution with ``c1`` channels; branches 2 and 3 reduce the
    channels with a 1x1 convolution to ``c2[0]`` and ``c3[0]``, then apply a 3x3
    and a 5x5 convolution with ``c2[1]`` and ``c3[1]`` channels; branch 4 is a 3x3
    max pooling with stride 1 and a 1x1 convolution with ``c4`` channels. Every
    convolution is followed by a ReLU, and the convolutions are lazy. The output
    has ``c1 + c2[1] + c3[1] + c4`` channels. Derived in
    :doc:`/auto_tutorials/09_modern_convolutional_networks/04_googlenet`.

    Examples
    --------
    >>> block = Inception(8, (4, 8), (2, 4), 4)
    >>> block(torch.zeros(1, 16, 7, 7)).shape
    torch.Size([1, 24, 7, 7])
    """

    def __init__(self, c1: int, c2: tuple[int, int], c3: tuple[int, int], c4: int):
        super().__init__()
        self.b1_1 = nn.LazyConv2d(c1, kernel_size=1)
        self.b2_1 = nn.LazyConv2d(c2[0], kernel_size=1)
        self.b2_2 = nn.LazyConv2d(c2[1], kernel_size=3, padding=1)
        self.b3_1 = nn.LazyConv2d(c3[0], kernel_size=1)
        self.b3_2 = nn.LazyConv2d(c3[1], kernel_size=5, padding=2)
        self.b4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.b4_2 = nn.LazyConv2d(c4, kernel_size=1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        b1 = F.relu(self.b1_1(X))
        b2 = F.relu(self.b2_2(F.relu(self.b2_1(X))))
        b3 = F.relu(self.b3_2(F.relu(self.b3_1(X))))
        b4 = F.relu(self.b4_2(self.b4_1(X)))
        return torch.cat((b1, b2, b3, b4), dim=1)


def googlenet_small(num_classes: int = 10) -> nn.Sequential:
    """A reduced GoogLeNet for 28x28 grey images: stem, Inception body, pooled head.

    Against D2L's GoogLeNet: a quarter of the channels in every block, a 5x5
    stem convolution with stride 1 instead of 7x7 with stride 2, two of the five
    Inception blocks of the fourth module and one of the two of the fifth.
    Derived in :doc:`/auto_tutorials/09_modern_convolutional_networks/04_googlenet`.

    Examples
    --------
    >>> googlenet_small()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    b1 = nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))        # 28 -> 14
    b2 = nn.Sequential(
        nn.Conv2d(16, 16, kernel_size=1), nn.ReLU(),
        nn.Conv2d(16, 48, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))        # 14 -> 7
    b3 = nn.Sequential(
        Inception(16, (24, 32), (4, 8), 8),                  # 64 channels
        Inception(32, (32, 48), (8, 24), 16),                # 120 channels
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))        # 7 -> 4
    b4 = nn.Sequential(
        Inception(48, (24, 52), (4, 12), 16),               # 128 channels
        Inception(40, (28, 56), (6, 16), 16),               # 128 channels
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))        # 4 -> 2
    b5 = nn.Sequential(
        Inception(96, (48, 96), (12, 32), 32),              # 256 channels
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    return _dry_run(nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(256, num_classes)))
