"""Quick mode shrinks epochs and sizes and reports, rather than asserts, results."""

from __future__ import annotations

import pytest

import handson


def test_full_mode_is_identity_and_asserts(monkeypatch):
    monkeypatch.setenv("HANDSON_QUICK", "0")
    assert handson.epochs(30) == 30 and handson.shrink(60_000, 100) == 60_000
    assert handson.check(True, "fine") is True
    with pytest.raises(AssertionError, match="check failed: accuracy above 0.9"):
        handson.check(False, "accuracy above 0.9")


def test_quick_mode_shrinks_and_reports(monkeypatch, capsys):
    monkeypatch.setenv("HANDSON_QUICK", "1")
    assert handson.epochs(30) == handson.quick.QUICK_EPOCHS
    assert handson.epochs(1) == 1
    assert handson.shrink(60_000, 100) == 100
    assert handson.check(False, "accuracy above 0.9") is False
    assert "[quick mode] not checked: accuracy above 0.9" in capsys.readouterr().out


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "10"])
def test_epochs_rejects_nonsense(monkeypatch, bad):
    monkeypatch.setenv("HANDSON_QUICK", "0")
    with pytest.raises(ValueError, match="positive int"):
        handson.epochs(bad)


def test_unknown_quick_value_is_explained(monkeypatch):
    monkeypatch.setenv("HANDSON_QUICK", "maybe")
    with pytest.raises(ValueError, match="HANDSON_QUICK='maybe'"):
        handson.is_quick()


def test_device_override(monkeypatch):
    monkeypatch.setenv("HANDSON_DEVICE", "cpu")
    assert handson.device().type == "cpu"
    monkeypatch.setenv("HANDSON_DEVICE", "not-a-device")
    with pytest.raises(ValueError, match="not a torch device"):
        handson.device()
