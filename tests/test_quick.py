"""Quick mode shrinks epochs and sizes and reports, rather than asserts, results."""

from __future__ import annotations

import pytest
import torch

import handson
from handson import devices


def test_full_mode_is_identity_and_asserts(monkeypatch):
    monkeypatch.setenv("HANDSON_QUICK", "0")
    assert handson.epochs(30) == 30 and handson.shrink(60_000, 100) == 60_000
    assert handson.check("accuracy", 0.95, ">", 0.9) is None
    with pytest.raises(AssertionError, match="check failed: accuracy 0.85 > 0.9 does not hold"):
        handson.check("accuracy", 0.85, ">", 0.9)


def test_quick_mode_shrinks_and_reports(monkeypatch, capsys):
    monkeypatch.setenv("HANDSON_QUICK", "1")
    assert handson.epochs(30) == handson.quick.QUICK_EPOCHS
    assert handson.epochs(1) == 1
    assert handson.shrink(60_000, 100) == 100
    assert handson.check("accuracy", 0.5, ">", 0.9) is None
    assert "[quick mode] not checked: accuracy 0.5 > 0.9" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="loss 2 < 1"):
        handson.check("loss", 2, "<", 1, quick=True)  # claims that hold when shrunk


def test_check_records_value_threshold_and_margin(monkeypatch, tmp_path):
    import json

    results = tmp_path / "r.jsonl"
    monkeypatch.setenv("HANDSON_QUICK", "0")
    monkeypatch.setenv("HANDSON_RESULTS_FILE", str(results))
    handson.check("test accuracy", torch.tensor(0.8712), ">=", 0.85)
    entry = json.loads(results.read_text())
    assert entry["value"] == pytest.approx(0.8712) and entry["threshold"] == 0.85
    assert entry["message"] == "test accuracy 0.8712 >= 0.85" and entry["passed"]
    assert handson.quick.margin(entry["value"], ">=", 0.85) == pytest.approx(0.0249, abs=1e-4)
    assert handson.quick.margin(0.1, "<", 0.2) == pytest.approx(0.5)
    assert handson.quick.margin("a", "==", "a") is None


@pytest.mark.parametrize("args,err", [
    (("acc", 1, "=>", 0), ValueError), ((0.9 > 0.8, "accuracy above"), TypeError),
    ((True, 1, ">", 0), TypeError)])
def test_check_rejects_the_old_or_malformed_calls(monkeypatch, args, err):
    monkeypatch.setenv("HANDSON_QUICK", "0")
    with pytest.raises(err):
        handson.check(*args)


def test_seed_offset_shifts_every_seed(monkeypatch):
    monkeypatch.setenv("HANDSON_SEED_OFFSET", "2")
    handson.seed(1)
    a = torch.rand(3)
    monkeypatch.delenv("HANDSON_SEED_OFFSET")
    handson.seed(3)
    assert torch.equal(a, torch.rand(3))
    assert handson.seed(0) is None
    monkeypatch.setenv("HANDSON_SEED_OFFSET", "x")
    with pytest.raises(ValueError, match="HANDSON_SEED_OFFSET='x' is not an integer"):
        handson.seed(0)


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


@pytest.mark.parametrize("cuda,mps,expected", [
    (True, True, "cuda"), (False, True, "mps"), (False, False, "cpu"), (True, False, "cuda")])
def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    monkeypatch.delenv("HANDSON_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(devices, "_mps_available", lambda: mps)
    assert handson.device().type == expected


def test_device_override_to_missing_mps_is_explained(monkeypatch):
    monkeypatch.setattr(devices, "_mps_available", lambda: False)
    monkeypatch.setenv("HANDSON_DEVICE", "mps")
    with pytest.raises(ValueError, match="no MPS device"):
        handson.device()
    monkeypatch.setattr(devices, "_mps_available", lambda: True)
    assert handson.device().type == "mps"
