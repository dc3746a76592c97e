"""handson.classic_cnns and handson.modern_cnns: costs by hand, shapes, bad input."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from handson import classic_cnns, modern_cnns
from handson.classic_cnns import count_macs, count_params

CONSTRUCTORS = [classic_cnns.alexnet_small, classic_cnns.vgg_small, classic_cnns.nin_small,
                classic_cnns.googlenet_small, modern_cnns.resnet_small,
                modern_cnns.densenet_small, modern_cnns.resnext_small,
                modern_cnns.regnet_small]


def test_count_macs_of_a_grouped_convolution_by_hand():
    conv = nn.Conv2d(8, 16, kernel_size=3, padding=1, groups=4)
    # 16 x 7 x 7 outputs, each a sum over 8 / 4 input channels x 3 x 3 taps
    assert count_macs(conv, (8, 7, 7)) == 16 * 7 * 7 * (8 // 4) * 9
    assert count_params(conv) == 16 * (8 // 4) * 9 + 16


def test_count_macs_restores_training_mode_and_adds_linear_layers():
    net = nn.Sequential(nn.Flatten(), nn.Linear(12, 5), nn.Dropout(), nn.Linear(5, 3))
    net.train()
    assert count_macs(net, (3, 4)) == 12 * 5 + 5 * 3
    assert net.training


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=lambda f: f.__name__)
def test_every_network_maps_images_to_ten_logits_and_learns(make):
    torch.manual_seed(0)
    net = make()
    X, y = torch.randn(16, 1, 28, 28), torch.randint(0, 10, (16,))
    assert net(X).shape == (16, 10)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    losses = []
    for _ in range(15):  # memorise one small batch: the loss must fall
        loss = nn.functional.cross_entropy(net(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]


def test_grouped_block_refuses_groups_that_do_not_divide():
    with pytest.raises(ValueError, match="choose groups that divide 24"):
        modern_cnns.ResNeXtBlock(16, 48, groups=5, bot_mul=0.5)


def test_regnet_refuses_decreasing_widths_and_anynet_empty_stages():
    with pytest.raises(ValueError, match=r"widths \(32, 16\)"):
        modern_cnns.regnet_small(depths=(1, 1), widths=(32, 16))
    with pytest.raises(ValueError, match="at least 1"):
        modern_cnns.anynet([(0, 16, 1, 1.0)])
