"""The training helpers: batches, accuracy, the loop, the timer, the image grid."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import handson


def test_batches_cover_every_example_once():
    X, y = torch.arange(20.0).reshape(10, 2), torch.arange(10)
    seen = torch.cat([yb for _, yb in handson.batches(X, y, batch_size=3)])
    assert sorted(seen.tolist()) == list(range(10))
    for Xb, yb in handson.batches(X, y, batch_size=4):
        assert torch.equal(Xb[:, 0], 2.0 * yb)  # rows stay paired with their labels


def test_batches_reject_mismatched_inputs():
    with pytest.raises(ValueError, match="5 examples but y has 4"):
        next(handson.batches(torch.zeros(5, 2), torch.zeros(4), 2))
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        next(handson.batches(torch.zeros(5, 2), torch.zeros(5), 0))


def test_accuracy_scores_and_labels():
    y = torch.tensor([0, 1, 2, 1])
    scores = torch.tensor([[3.0, 0, 0], [0, 2, 0], [0, 5, 1], [0, 1, 0]])
    assert handson.accuracy(scores, y) == 0.75
    assert handson.accuracy(torch.tensor([0, 1, 1, 1]), y) == 0.75
    with pytest.raises(ValueError, match="do not match labels"):
        handson.accuracy(torch.zeros(3, dtype=torch.long), y)


def test_evaluate_accuracy_restores_training_mode():
    net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    net.train()
    X, y = torch.randn(50, 2), torch.randint(0, 2, (50,))
    handson.evaluate_accuracy(net, X, y, batch_size=7)
    assert net.training


def test_train_learns_a_separable_problem_and_records_history():
    torch.manual_seed(0)
    X = torch.randn(400, 2)
    y = (X[:, 0] + X[:, 1] > 0).long()
    net = nn.Linear(2, 2)
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    h = handson.train(net, (X[:300], y[:300]), (X[300:], y[300:]), nn.CrossEntropyLoss(),
                      opt, num_epochs=8, batch_size=32, verbose=False, progress=False)
    assert len(h.train_loss) == len(h.test_acc) == len(h.epoch_time) == 8
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.test_acc[-1] > 0.95
    assert h.epochs == list(range(1, 9))


def test_train_prints_one_line_per_epoch(capsys):
    net = nn.Linear(2, 2)
    X, y = torch.randn(40, 2), torch.randint(0, 2, (40,))
    handson.train(net, (X, y), (X, y), nn.CrossEntropyLoss(),
                  torch.optim.SGD(net.parameters(), lr=0.1), 3, 16, progress=False)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("epoch")]
    assert len(lines) == 3 and "test acc" in lines[0]


def test_timer():
    timer = handson.Timer()
    with pytest.raises(RuntimeError, match="before Timer.start"):
        timer.stop()
    for _ in range(3):
        timer.start()
        timer.stop()
    assert len(timer.times) == 3 and timer.avg() == pytest.approx(timer.sum() / 3)


def test_show_images_grid_and_errors():
    fig = handson.show_images(torch.rand(5, 3, 4, 4), titles=list("abcde"), ncols=2)
    assert [ax.get_title() for ax in fig.axes] == list("abcde")
    with pytest.raises(ValueError, match="5 images but 2 titles"):
        handson.show_images(torch.rand(5, 4, 4), titles=["a", "b"])
    with pytest.raises(ValueError, match="1 or 3 channels"):
        handson.show_images(torch.rand(2, 2, 4, 4))
