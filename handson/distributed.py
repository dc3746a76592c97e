"""Data parallelism by hand: sharding a minibatch, all-reduce written with send/recv.

Taught in :doc:`/auto_tutorials/14_computational_performance/05_data_parallelism_from_scratch`
and reused by :doc:`/auto_tutorials/14_computational_performance/06_distributed_data_parallel`
(whose training script is :mod:`handson.ddp_train`).

The functions that run inside a process group (:func:`pair_all_reduce`,
:func:`ring_all_reduce`, :func:`root_all_reduce`, :func:`compare_all_reduce`,
:func:`train_data_parallel`) live in this module rather than on the page because the
worker processes that :func:`launch` starts must import them: a function defined in a
page (its ``__main__``) cannot be found by a fresh Python process.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

__all__ = [
    "call_each",
    "compare_all_reduce",
    "free_port",
    "launch",
    "pair_all_reduce",
    "ring_all_reduce",
    "ring_bytes_per_rank",
    "run_launchers",
    "root_all_reduce",
    "split_batch",
    "torchrun_command",
    "train_data_parallel",
]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that no one listens on right now (the OS picks it).

    Another program could take it before we bind it, but on a build machine that is
    rare; :func:`launch` reports the clash clearly if it happens.

    Examples
    --------
    >>> 1024 <= free_port() < 65536
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def split_batch(X: torch.Tensor, y: torch.Tensor, world_size: int,
                rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Rank ``rank``'s equal share of the minibatch ``(X, y)`` among ``world_size``.

    Rank ``r`` gets rows ``r * b, ..., (r + 1) * b - 1`` with ``b = len(X) //
    world_size``. The shares must be equal: each rank averages its loss over its own
    share, so only equal shares make the average of the ranks' gradients the gradient
    of the whole minibatch. A batch that ``world_size`` does not divide raises
    ``ValueError``.

    Examples
    --------
    >>> X, y = torch.arange(8).reshape(4, 2), torch.arange(4)
    >>> split_batch(X, y, 2, 1)
    (tensor([[4, 5],
            [6, 7]]), tensor([2, 3]))
    """
    if isinstance(world_size, bool) or not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"world_size must be a positive int, got {world_size!r}.")
    if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank < world_size:
        raise ValueError(f"rank must be an int in 0..{world_size - 1} for world_size "
                         f"{world_size}, got {rank!r}.")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}: they must "
                         "hold the same examples.")
    n = X.shape[0]
    if n % world_size:
        raise ValueError(
            f"a minibatch of {n} examples does not divide among {world_size} processes "
            f"({n} = {world_size} x {n // world_size} + {n % world_size}); unequal "
            "shares would weight the examples unequally in the averaged gradient. Use "
            f"a batch size that is a multiple of {world_size}, e.g. "
            f"{world_size * max(1, n // world_size)}.")
    b = n // world_size
    return X[rank * b:(rank + 1) * b], y[rank * b:(rank + 1) * b]


def _require_group(min_size: int = 1) -> tuple[int, int]:
    if not dist.is_available() or not dist.is_initialized():
        raise RuntimeError(
            "no process group: call torch.distributed.init_process_group first, or run "
            "this function through handson.distributed.launch (or torchrun).")
    world_size = dist.get_world_size()
    if world_size < min_size:
        raise RuntimeError(f"this needs at least {min_size} processes, the group has "
                           f"{world_size}.")
    return dist.get_rank(), world_size


def _check_tensor(tensor: torch.Tensor) -> None:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor, got {type(tensor).__name__}.")
    if not tensor.is_contiguous():
        raise ValueError("the tensor must be contiguous (it is reduced in place through "
                         "a flat view): pass tensor.contiguous().")


def pair_all_reduce(tensor: torch.Tensor) -> int:
    """Sum ``tensor`` over exactly two processes, in place, with one send and one recv.

    Rank 0 sends first and then receives, rank 1 the other way round, so neither waits
    for the other forever. Returns the number of bytes this rank sent.
    """
    _check_tensor(tensor)
    rank, world_size = _require_group()
    if world_size != 2:
        raise RuntimeError(f"pair_all_reduce works for 2 processes, the group has "
                           f"{world_size}: use ring_all_reduce.")
    other = torch.empty_like(tensor)
    if rank == 0:
        dist.send(tensor, dst=1)
        dist.recv(other, src=1)
    else:
        dist.recv(other, src=0)
        dist.send(tensor, dst=0)
    tensor += other
    return tensor.numel() * tensor.element_size()


def root_all_reduce(tensor: torch.Tensor) -> int:
    """Sum ``tensor`` over all processes, in place, the naive way: through rank 0.

    Every other rank sends its whole tensor to rank 0, which adds them up and sends the
    sum back to each (what D2L's ``allreduce`` does with GPU 0). Rank 0 sends
    ``N - 1`` full tensors; returns the number of bytes this rank sent.
    """
    _check_tensor(tensor)
    rank, world_size = _require_group()
    nbytes = tensor.numel() * tensor.element_size()
    if rank == 0:
        buf = torch.empty_like(tensor)
        for src in range(1, world_size):
            dist.recv(buf, src=src)
            tensor += buf
        for dst in range(1, world_size):
            dist.send(tensor, dst=dst)
        return (world_size - 1) * nbytes
    dist.send(tensor, dst=0)
    dist.recv(tensor, src=0)
    return nbytes


def ring_all_reduce(tensor: torch.Tensor) -> int:
    """Sum ``tensor`` over all processes, in place, with a ring all-reduce.

    The flat tensor is cut into ``N`` chunks (``N`` the world size). In the
    reduce-scatter phase, at step ``s = 0, ..., N-2`` rank ``r`` sends chunk
    ``(r - s) mod N`` to its right neighbour ``r + 1`` and adds the chunk
    ``(r - s - 1) mod N`` it receives from its left neighbour; afterwards rank ``r``
    holds the full sum of chunk ``(r + 1) mod N``. In the all-gather phase, at step
    ``s`` it sends chunk ``(r + 1 - s) mod N`` and overwrites chunk ``(r - s) mod N``
    with what it receives. Each rank sends ``2 (N - 1)`` chunks, about
    ``2 (N - 1) / N`` times the tensor's size, whatever ``N`` is. Returns the number of
    bytes this rank sent.
    """
    _check_tensor(tensor)
    rank, world_size = _require_group()
    if world_size == 1:
        return 0
    chunks = torch.tensor_split(tensor.view(-1), world_size)
    right, left = (rank + 1) % world_size, (rank - 1) % world_size
    sent = 0

    def step(send_i: int, recv_i: int, add: bool) -> None:
        nonlocal sent
        out, into = chunks[send_i], chunks[recv_i]
        buf = torch.empty_like(into)
        request = dist.isend(out.clone(), dst=right)  # do not block: all send at once
        dist.recv(buf, src=left)
        request.wait()
        if add:
            into += buf
        else:
            into.copy_(buf)
        sent += out.numel() * out.element_size()

    for s in range(world_size - 1):  # reduce-scatter
        step((rank - s) % world_size, (rank - s - 1) % world_size, add=True)
    for s in range(world_size - 1):  # all-gather
        step((rank + 1 - s) % world_size, (rank - s) % world_size, add=False)
    return sent


_ALL_REDUCE = {"pair": pair_all_reduce, "ring": ring_all_reduce, "root": root_all_reduce}


def _get_all_reduce(name: str) -> Callable[[torch.Tensor], int]:
    if name not in _ALL_REDUCE:
        raise ValueError(f"unknown all-reduce {name!r}: choose one of "
                         f"{sorted(_ALL_REDUCE)}.")
    return _ALL_REDUCE[name]


def compare_all_reduce(method: str, numel: int) -> dict[str, Any]:
    """Run the hand-written all-reduce ``method`` and ``dist.all_reduce`` on one input.

    Rank ``r`` starts from a random tensor of ``numel`` float32 numbers drawn with seed
    ``r``. Returns the two results, the input and the bytes this rank sent.
    Runs inside a process group (see :func:`launch`).
    """
    fn = _get_all_reduce(method)
    if isinstance(numel, bool) or not isinstance(numel, int) or numel < 1:
        raise ValueError(f"numel must be a positive int, got {numel!r}.")
    rank, _ = _require_group()
    x = torch.randn(numel, generator=torch.Generator().manual_seed(rank))
    mine, reference = x.clone(), x.clone()
    nbytes = fn(mine)
    dist.all_reduce(reference)
    return {"input": x, "ours": mine, "torch": reference, "bytes_sent": nbytes}


def train_data_parallel(net: nn.Module, X: torch.Tensor, y: torch.Tensor, lr: float,
                        num_steps: int, batch_size: int, method: str = "ring"
                        ) -> dict[str, torch.Tensor]:
    """Minibatch SGD on ``net``, data parallel over the process group, gradients by hand.

    Step ``t`` takes the minibatch ``X[t b : (t+1) b]`` (``b = batch_size``, wrapping
    round), each rank computes the mean cross-entropy on its share
    (:func:`split_batch`) and its gradient, the gradients are summed with the
    hand-written all-reduce ``method`` and divided by the world size, and every rank
    takes the same SGD step. Returns the final ``state_dict``. Runs inside a process
    group (see :func:`launch`); every rank must pass the same ``net``.
    """
    reduce = _get_all_reduce(method)
    rank, world_size = _require_group()
    if num_steps < 1 or batch_size < 1:
        raise ValueError(f"num_steps and batch_size must be positive, got {num_steps} "
                         f"and {batch_size}.")
    if len(X) < batch_size:
        raise ValueError(f"batch_size {batch_size} exceeds the {len(X)} examples.")
    loss = nn.CrossEntropyLoss()  # the mean over this rank's share
    steps_per_pass = len(X) // batch_size
    for t in range(num_steps):
        i = (t % steps_per_pass) * batch_size
        X_shard, y_shard = split_batch(X[i:i + batch_size], y[i:i + batch_size],
                                       world_size, rank)
        net.zero_grad()
        loss(net(X_shard), y_shard).backward()
        with torch.no_grad():
            for p in net.parameters():
                reduce(p.grad)
                p.grad /= world_size
                p -= lr * p.grad
    return net.state_dict()


def call_each(calls: Sequence[tuple[Callable[..., Any], tuple]]) -> list[Any]:
    """Call each ``fn(*args)`` of ``calls`` in turn, in the same process group.

    Starting processes is slow (each imports torch), so a page runs several
    experiments in one :func:`launch`: ``launch(call_each, 2, [(f, (1,)), (g, ())])``.
    """
    if not isinstance(calls, (list, tuple)) or not all(
            isinstance(c, tuple) and len(c) == 2 and callable(c[0]) for c in calls):
        raise TypeError("calls must be a list of (function, args tuple) pairs, e.g. "
                        "[(compare_all_reduce, ('ring', 100))].")
    return [fn(*args) for fn, args in calls]


def _resolve(name: str) -> Callable[..., Any]:
    module, _, qualname = name.partition(":")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _worker() -> None:
    """Entry point of a process started by :func:`launch` (reads its job from files)."""
    job = Path(os.environ["HANDSON_DIST_JOB"])
    with open(job / "call.pkl", "rb") as f:
        name, args, kwargs, timeout = pickle.load(f)
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    from datetime import timedelta
    dist.init_process_group("gloo", init_method="env://",
                            timeout=timedelta(seconds=timeout))
    try:
        result = _resolve(name)(*args, **kwargs)
        dist.barrier()
    finally:
        dist.destroy_process_group()
    out = job / f"result{os.environ['RANK']}.pkl"
    with open(str(out) + ".tmp", "wb") as f:
        pickle.dump(result, f)
    os.replace(str(out) + ".tmp", out)


def launch(fn: Callable[..., Any], world_size: int, *args: Any, port: int | None = None,
           timeout: float = 60.0, threads: int = 1, **kwargs: Any) -> list[Any]:
    """Run ``fn(*args, **kwargs)`` in ``world_size`` new local processes; their results.

    This is what ``torchrun`` does, by hand: each process gets the environment
    variables ``MASTER_ADDR=127.0.0.1``, ``MASTER_PORT`` (``port``, or a free one),
    ``RANK`` and ``WORLD_SIZE``, joins a ``gloo`` process group, calls ``fn`` and
    sends back its result (pickled). ``fn`` must be importable by name from a module,
    not defined in a script's ``__main__``. If a process fails, or the group is not
    done within ``timeout`` seconds, every process is killed and ``RuntimeError``
    reports what went wrong (with the end of the failing rank's output).

    Examples
    --------
    >>> from handson.distributed import compare_all_reduce, launch
    >>> out = launch(compare_all_reduce, 2, "pair", 4)
    >>> torch.equal(out[0]["ours"], out[1]["ours"])
    True
    """
    if isinstance(world_size, bool) or not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"world_size must be a positive int, got {world_size!r}.")
    if world_size > 64:
        raise ValueError(f"world_size {world_size} is too many local processes.")
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}.")
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
    if module in (None, "__main__", "__mp_main__") or "<locals>" in qualname or (
            "<lambda>" in qualname):
        raise ValueError(
            f"fn={qualname or fn!r} (module {module}) cannot be found by a new process: "
            "define it at the top level of an importable module (e.g. in a file "
            "my_module.py next to the script) and pass it from there.")
    if not timeout > 0:
        raise ValueError(f"timeout must be positive (seconds), got {timeout!r}.")
    port = free_port() if port is None else port
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"port must be an int in 1..65535, got {port!r}.")
    with tempfile.TemporaryDirectory(prefix="handson-dist-") as tmp:
        job = Path(tmp)
        with open(job / "call.pkl", "wb") as f:
            pickle.dump((f"{module}:{qualname}", args, kwargs, timeout), f)
        procs, logs = [], []
        root = str(Path(__file__).resolve().parents[1])
        try:
            for rank in range(world_size):
                env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port),
                           RANK=str(rank), WORLD_SIZE=str(world_size),
                           LOCAL_RANK=str(rank), HANDSON_DIST_JOB=tmp,
                           OMP_NUM_THREADS=str(threads),
                           PYTHONPATH=os.pathsep.join(
                               [root, os.environ.get("PYTHONPATH", "")]))
                log = open(job / f"log{rank}.txt", "wb")
                logs.append(log)
                procs.append(subprocess.Popen(
                    [sys.executable, "-c",
                     "from handson.distributed import _worker; _worker()"],
                    env=env, stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL))
            deadline = time.monotonic() + timeout
            while True:
                codes = [p.poll() for p in procs]
                failed = [r for r, c in enumerate(codes) if c not in (None, 0)]
                if failed:
                    r = failed[0]
                    raise RuntimeError(
                        f"rank {r} of {world_size} failed (exit code {codes[r]}); the "
                        f"other processes were stopped. Its output ends with:\n"
                        f"{_tail(job / f'log{r}.txt')}")
                if all(c == 0 for c in codes):
                    break
                if time.monotonic() > deadline:
                    waiting = [r for r, c in enumerate(codes) if c is None]
                    raise RuntimeError(
                        f"ranks {waiting} of {world_size} were not done after "
                        f"{timeout:g} s and were killed. The output of rank "
                        f"{waiting[0]} ends with:\n{_tail(job / f'log{waiting[0]}.txt')}")
                time.sleep(0.02)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                p.wait()
            for log in logs:
                log.close()
        results = []
        for rank in range(world_size):
            with open(job / f"result{rank}.pkl", "rb") as f:
                results.append(pickle.load(f))
        return results


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"


def torchrun_command(*args: str) -> list[str]:
    """``torchrun ARGS`` as a command list, for this very Python (``-m
    torch.distributed.run`` is what the ``torchrun`` executable runs)."""
    return [sys.executable, "-m", "torch.distributed.run", *map(str, args)]


def run_launchers(commands: Sequence[Sequence[str]], timeout: float = 60.0,
                  env: dict[str, str] | None = None
                  ) -> list[subprocess.CompletedProcess]:
    """Run the launcher ``commands`` side by side; their return codes and output.

    Used by :doc:`/auto_tutorials/14_computational_performance/06_distributed_data_parallel`
    to run ``torchrun`` (one command), or two ``torchrun`` launchers that play two
    machines. Each runs in its own process group (session) with stdout and stderr
    captured together; if they are not all done after ``timeout`` seconds, every
    launcher *and the workers it started* (found through /proc, since torchrun puts
    each worker in a session of its own) are killed and ``TimeoutError`` shows the
    end of their output.
    """
    if not commands or not all(isinstance(c, (list, tuple)) and c for c in commands):
        raise ValueError("commands must be a non-empty list of non-empty argument "
                         "lists, e.g. [torchrun_command('--standalone', ...)].")
    if not timeout > 0:
        raise ValueError(f"timeout must be positive (seconds), got {timeout!r}.")
    with tempfile.TemporaryDirectory(prefix="handson-launch-") as tmp:
        procs, logs = [], []
        try:
            for i, cmd in enumerate(commands):
                log = open(Path(tmp) / f"out{i}.txt", "w+b")
                logs.append(log)
                procs.append(subprocess.Popen(
                    list(map(str, cmd)), stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, env=env, start_new_session=True))
            deadline = time.monotonic() + timeout
            while any(p.poll() is None for p in procs):
                if time.monotonic() > deadline:
                    outs = "\n".join(f"--- launcher {i}:\n{_tail(Path(log.name))}"
                                     for i, log in enumerate(logs))
                    raise TimeoutError(f"the launchers were not done after {timeout:g} s "
                                       f"and were killed. Their output ends with:\n"
                                       f"{outs}")
                time.sleep(0.05)
        finally:
            for p in procs:
                _kill_group(p)
            for log in logs:
                log.close()
        return [subprocess.CompletedProcess(
            list(map(str, cmd)), p.returncode,
            (Path(tmp) / f"out{i}.txt").read_text(errors="replace"))
            for i, (cmd, p) in enumerate(zip(commands, procs))]


def _descendants(pid: int) -> list[int]:
    """The process ids below ``pid`` (children, grandchildren, ...), read from /proc.

    Empty where there is no /proc (then only the launcher's own group is killed)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_group(p: subprocess.Popen) -> None:
    """Kill ``p``, its session, and every process below it.

    torchrun starts each worker in a session of its own, so killing the launcher's
    session alone would leave the workers running: their ids are collected first."""
    pids = _descendants(p.pid) if p.poll() is None else []
    for pid in [p.pid, *pids]:
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError, OSError):
                pass
    p.wait()


def ring_bytes_per_rank(nbytes: int, world_size: int) -> float:
    """``2 (N - 1) / N`` times ``nbytes``: what each rank sends in a ring all-reduce."""
    return 2 * (world_size - 1) / world_size * nbytes

