"""handson.distributed and handson.ddp_train: all-reduce by hand, DDP under torchrun.

The torchrun tests start real launchers and worker processes (gloo, on 127.0.0.1,
free ports); every launch runs under a time limit that kills the launcher and its
workers, so a hang fails the test instead of the suite.
"""

from __future__ import annotations

import copy
import socket
import sys
import time
from pathlib import Path

import pytest
import torch
from torch import nn

from handson import ddp_train
from handson import distributed as hd

NUM_TRAIN, BATCH, EPOCHS, LR = 1024, 128, 1, 0.1
SCRIPT = ["-m", "handson.ddp_train", "--num-train", NUM_TRAIN, "--batch-size", BATCH,
          "--num-epochs", EPOCHS, "--lr", LR, "--threads", 1]


def _reference() -> dict[str, torch.Tensor]:
    """Single-process SGD on whole minibatches, the same data, model and order."""
    X, y = ddp_train.load_data(NUM_TRAIN)
    net = ddp_train.build_model(seed=0)
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    for idx in ddp_train.minibatches(len(X), BATCH, EPOCHS, seed=0):
        optimizer.zero_grad()
        nn.functional.cross_entropy(net(X[idx]), y[idx]).backward()
        optimizer.step()
    return net.state_dict()


def _assert_params_equal(saved: Path, reference: dict[str, torch.Tensor]) -> None:
    state = torch.load(saved, weights_only=True)["state_dict"]
    assert state.keys() == reference.keys()
    for k in reference:
        torch.testing.assert_close(state[k], reference[k], rtol=0, atol=1e-5)


def _listening_socket() -> tuple[socket.socket, int]:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s, s.getsockname()[1]


# ---------------------------------------------------------------- in-process input checks
def test_split_batch_shares_and_errors() -> None:
    X, y = torch.arange(24).reshape(6, 4), torch.arange(6)
    shares = [hd.split_batch(X, y, 3, r) for r in range(3)]
    assert torch.equal(torch.cat([s[0] for s in shares]), X)
    assert torch.equal(torch.cat([s[1] for s in shares]), y)
    assert all(len(s[0]) == 2 for s in shares)
    with pytest.raises(ValueError, match="does not divide among 4 processes"):
        hd.split_batch(X, y, 4, 0)
    with pytest.raises(ValueError, match="rank must be an int in 0..2"):
        hd.split_batch(X, y, 3, 3)
    with pytest.raises(ValueError, match="world_size must be a positive int"):
        hd.split_batch(X, y, 0, 0)
    with pytest.raises(ValueError, match="same examples"):
        hd.split_batch(X, y[:5], 3, 0)


def test_bad_input_gets_clear_errors() -> None:
    with pytest.raises(ValueError, match="importable module"):
        hd.launch(lambda: 1, 2)
    with pytest.raises(ValueError, match="world_size must be a positive int"):
        hd.launch(hd.compare_all_reduce, 0, "ring", 4)
    with pytest.raises(ValueError, match="timeout must be positive"):
        hd.launch(hd.compare_all_reduce, 2, "ring", 4, timeout=0)
    with pytest.raises(ValueError, match="port must be an int"):
        hd.launch(hd.compare_all_reduce, 2, "ring", 4, port=70_000)
    with pytest.raises(RuntimeError, match="no process group"):
        hd.ring_all_reduce(torch.ones(3))
    with pytest.raises(TypeError, match="expected a torch.Tensor"):
        hd.ring_all_reduce([1.0, 2.0])
    with pytest.raises(ValueError, match="contiguous"):
        hd.ring_all_reduce(torch.ones(3, 2).t())
    with pytest.raises(ValueError, match="unknown all-reduce 'tree'"):
        hd.compare_all_reduce("tree", 4)
    with pytest.raises(TypeError, match="list of"):
        hd.call_each([hd.compare_all_reduce])
    with pytest.raises(ValueError, match="non-empty"):
        hd.run_launchers([])
    assert hd.ring_bytes_per_rank(4000, 4) == 6000


def test_run_launchers_kills_on_timeout() -> None:
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="not done after 1 s"):
        hd.run_launchers([[sys.executable, "-c", "import time; time.sleep(60)"]],
                         timeout=1)
    assert time.monotonic() - start < 20


# ---------------------------------------------------------------- hand-written all-reduce
def test_ring_and_naive_all_reduce_equal_dist_all_reduce(real_mirror: Path) -> None:
    numel, n = 1001, 3  # chunks of 334, 334 and 333 numbers: unequal on purpose
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 10))
    X, y = ddp_train.load_data(384)
    outs = hd.launch(hd.call_each, n, [
        (hd.compare_all_reduce, ("ring", numel)),
        (hd.compare_all_reduce, ("root", numel)),
        (hd.train_data_parallel, (net, X, y, LR, 4, 192, "ring")),
    ], timeout=120)
    total = sum(torch.randn(numel, generator=torch.Generator().manual_seed(r))
                for r in range(n))
    for ring, root, _ in outs:
        torch.testing.assert_close(ring["ours"], ring["torch"])
        torch.testing.assert_close(root["ours"], root["torch"])
        torch.testing.assert_close(ring["ours"], total)
    chunk_bytes = [4 * c.numel() for c in torch.tensor_split(torch.empty(numel), n)]
    # each chunk is sent N - 1 times per phase: 2 (N - 1) tensors in all, that is
    # 2 (N - 1) / N of the tensor per rank, up to one chunk when chunks are unequal
    sent = [o[0]["bytes_sent"] for o in outs]
    assert sum(sent) == 2 * (n - 1) * 4 * numel
    assert all(abs(b - hd.ring_bytes_per_rank(4 * numel, n)) <= max(chunk_bytes)
               for b in sent)
    assert [o[1]["bytes_sent"] for o in outs] == [(n - 1) * 4 * numel] + [4 * numel] * 2
    # data parallel over 3 ranks = one process on the whole minibatch
    single = copy.deepcopy(net)
    optimizer = torch.optim.SGD(single.parameters(), lr=LR)
    for t in range(4):
        i = (t % 2) * 192
        optimizer.zero_grad()
        nn.functional.cross_entropy(single(X[i:i + 192]), y[i:i + 192]).backward()
        optimizer.step()
    for k, v in single.state_dict().items():
        torch.testing.assert_close(outs[0][2][k], v, rtol=0, atol=1e-5)
        assert torch.equal(outs[1][2][k], outs[0][2][k])


def test_pair_all_reduce_and_worker_errors() -> None:
    out = hd.launch(hd.call_each, 2, [(hd.compare_all_reduce, ("pair", 10)),
                                      (hd.compare_all_reduce, ("ring", 10))], timeout=120)
    for pair, ring in out:
        torch.testing.assert_close(pair["ours"], pair["torch"])
        torch.testing.assert_close(ring["ours"], ring["torch"])
        assert pair["bytes_sent"] == ring["bytes_sent"] == 40


def test_launch_reports_a_failing_rank() -> None:
    X, y = torch.zeros(3, 2), torch.zeros(3)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="(?s)failed.*does not divide among 2"):
        hd.launch(hd.split_batch, 2, X, y, 2, 0, timeout=120)
    assert time.monotonic() - start < 55


def test_launch_on_a_port_in_use() -> None:
    s, port = _listening_socket()
    with s, pytest.raises(RuntimeError, match="(?i)EADDRINUSE|address already in use"):
        hd.launch(hd.compare_all_reduce, 2, "pair", 4, port=port, timeout=120)


# ---------------------------------------------------------------- DDP under torchrun
def test_ddp_torchrun_two_processes_matches_single(real_mirror: Path,
                                                   tmp_path: Path) -> None:
    out = tmp_path / "two.pt"
    (p,) = hd.run_launchers([hd.torchrun_command(
        "--standalone", "--nproc_per_node", 2, *SCRIPT, "--out", out)], timeout=120)
    assert p.returncode == 0, p.stdout[-3000:]
    assert "RESULT " in p.stdout and "samples/s" in p.stdout
    assert torch.load(out, weights_only=True)["world_size"] == 2
    _assert_params_equal(out, _reference())


def test_two_launchers_c10d_rendezvous_match(real_mirror: Path, tmp_path: Path) -> None:
    port = hd.free_port()
    common = ["--nnodes", 2, "--nproc_per_node", 1, "--rdzv_backend", "c10d",
              "--rdzv_endpoint", f"127.0.0.1:{port}", "--rdzv_id", "test"]
    cmds = [hd.torchrun_command(*common, "--node_rank", rank, "--rdzv_conf",
                                f"join_timeout=40,is_host={int(rank == 0)}", *SCRIPT,
                                "--out", tmp_path / f"node{rank}.pt")
            for rank in (0, 1)]
    procs = hd.run_launchers(cmds, timeout=120)
    for p in procs:
        assert p.returncode == 0, p.stdout[-3000:]
    saved = [f for f in (tmp_path / "node0.pt", tmp_path / "node1.pt") if f.exists()]
    assert len(saved) == 1  # only global rank 0 saves
    assert torch.load(saved[0], weights_only=True)["world_size"] == 2
    _assert_params_equal(saved[0], _reference())


def test_static_rendezvous_port_in_use_fails_fast(tmp_path: Path) -> None:
    s, port = _listening_socket()
    start = time.monotonic()
    with s:
        (p,) = hd.run_launchers([hd.torchrun_command(
            "--nnodes", 1, "--nproc_per_node", 1, "--master_addr", "127.0.0.1",
            "--master_port", port, *SCRIPT, "--out", tmp_path / "x.pt")], timeout=120)
    assert p.returncode != 0
    assert "EADDRINUSE" in p.stdout and "address already in use" in p.stdout
    assert "DistNetworkError" in p.stdout
    assert time.monotonic() - start < 50


def test_c10d_host_port_in_use_fails_fast(tmp_path: Path) -> None:
    s, port = _listening_socket()
    with s:
        (p,) = hd.run_launchers([hd.torchrun_command(
            "--nnodes", 1, "--nproc_per_node", 1, "--rdzv_backend", "c10d",
            "--rdzv_endpoint", f"127.0.0.1:{port}", "--rdzv_conf",
            "join_timeout=10,is_host=1", *SCRIPT, "--out", tmp_path / "x.pt")],
            timeout=120)
    assert p.returncode != 0
    assert "DistNetworkError" in p.stdout and "address already in use" in p.stdout


def test_missing_rendezvous_peer_times_out(tmp_path: Path) -> None:
    start = time.monotonic()
    (p,) = hd.run_launchers([hd.torchrun_command(
        "--nnodes", 2, "--nproc_per_node", 1, "--rdzv_backend", "c10d",
        "--rdzv_endpoint", f"127.0.0.1:{hd.free_port()}", "--rdzv_conf",
        "join_timeout=5", *SCRIPT, "--out", tmp_path / "x.pt")], timeout=120)
    assert p.returncode != 0
    assert "RendezvousTimeoutError" in p.stdout
    assert time.monotonic() - start < 50
    assert not (tmp_path / "x.pt").exists()


def test_indivisible_batch_is_a_clear_error(real_mirror: Path, tmp_path: Path) -> None:
    args = [str(a) for a in SCRIPT]
    args[args.index("--batch-size") + 1] = "127"
    (p,) = hd.run_launchers([hd.torchrun_command(
        "--standalone", "--nproc_per_node", 2, *args, "--out", tmp_path / "x.pt")],
        timeout=120)
    assert p.returncode != 0
    assert "ValueError: a minibatch of 127 examples does not divide among 2" in p.stdout
    assert "ChildFailedError" in p.stdout
    assert not (tmp_path / "x.pt").exists()


def test_ddp_train_runs_as_one_plain_process(real_mirror: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(var, raising=False)
    threads = torch.get_num_threads()
    try:
        result = ddp_train.main([str(a) for a in SCRIPT[2:]]
                                + ["--out", str(tmp_path / "one.pt")])
    finally:
        torch.set_num_threads(threads)
    assert result["world_size"] == 1 and result["steps"] == NUM_TRAIN // BATCH
    _assert_params_equal(tmp_path / "one.pt", _reference())
    with pytest.raises(ValueError, match="--num-train must be in"):
        ddp_train.load_data(10**9)
    with pytest.raises(ValueError, match="--batch-size must be in"):
        next(ddp_train.minibatches(10, 11, 1))


def _alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie, killed but not yet reaped, counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_run_launchers_timeout_kills_torchrun_workers_too(tmp_path: Path) -> None:
    # torchrun starts each worker in a session of its own: killing the launcher's
    # session alone would leave this sleeping worker behind
    script = tmp_path / "sleeper.py"
    script.write_text("import os, pathlib, sys, time\n"
                      "pathlib.Path(sys.argv[1]).write_text(str(os.getpid()))\n"
                      "time.sleep(600)\n")
    pid_file = tmp_path / "pid.txt"
    with pytest.raises(TimeoutError):
        hd.run_launchers([hd.torchrun_command("--standalone", "--nproc_per_node", 1,
                                              script, pid_file)], timeout=40)
    assert pid_file.exists(), "the worker never started: raise the timeout"
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), f"torchrun's worker {pid} survived the timeout"
