"""Train an MLP on Fashion-MNIST with DistributedDataParallel (one script, any scale).

Shown in full and run by
:doc:`/auto_tutorials/14_computational_performance/06_distributed_data_parallel`.
Launch it with ``torchrun``, which starts the processes and sets ``RANK``,
``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT`` for each::

    torchrun --standalone --nproc_per_node 2 -m handson.ddp_train --out params.pt

or, on two machines, the same command on each with ``--nnodes 2 --rdzv_backend c10d
--rdzv_endpoint HOST:PORT`` instead of ``--standalone``. Run with plain ``python -m
handson.ddp_train``, it trains in one process without a process group.

Every process loads the same data and visits the same minibatches (a generator seeded
identically on every rank); each computes the loss on its share of each minibatch
(:func:`handson.distributed.split_batch`), and DDP averages the gradients, so all
ranks take the SGD step that one process would take on the whole minibatch.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Iterator, Sequence

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

import handson
from handson.data import load_fashion_mnist
from handson.distributed import split_batch

__all__ = ["build_model", "load_data", "main", "minibatches", "parse_args"]

def build_model(seed: int = 0, num_hiddens: int = 256) -> nn.Module:
    """The MLP of chapter 05 (784-``num_hiddens``-10), initialised from ``seed``."""
    handson.seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(784, num_hiddens), nn.ReLU(),
                         nn.Linear(num_hiddens, 10))


def load_data(num_train: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``num_train`` Fashion-MNIST training images and labels."""
    X, y = load_fashion_mnist("train")
    if not 1 <= num_train <= len(X):
        raise ValueError(f"--num-train must be in 1..{len(X)}, got {num_train}.")
    return X[:num_train], y[:num_train]


def minibatches(num_examples: int, batch_size: int, num_epochs: int,
                seed: int = 0) -> Iterator[torch.Tensor]:
    """Indices of each minibatch: a fresh permutation per epoch, last partial batch
    dropped; the same sequence on every rank because the generator is seeded alike."""
    if not 1 <= batch_size <= num_examples:
        raise ValueError(f"--batch-size must be in 1..{num_examples} (the number of "
                         f"training examples), got {batch_size}.")
    g = torch.Generator().manual_seed(seed + 1)
    for _ in range(num_epochs):
        perm = torch.randperm(num_examples, generator=g)
        for i in range(0, num_examples - batch_size + 1, batch_size):
            yield perm[i:i + batch_size]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="where rank 0 saves the parameters")
    p.add_argument("--num-train", type=int, default=12_800)
    p.add_argument("--batch-size", type=int, default=256,
                   help="the global minibatch, split among all processes")
    p.add_argument("--num-epochs", type=int, default=2)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads per process (default: torch's choice)")
    args = p.parse_args(argv)
    for name in ("num_train", "batch_size", "num_epochs"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1, got "
                    f"{getattr(args, name)}.")
    return args


def main(argv: Sequence[str] | None = None) -> dict:
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    distributed = "WORLD_SIZE" in os.environ  # set by torchrun
    if distributed:
        dist.init_process_group("gloo")  # reads RANK, WORLD_SIZE, MASTER_ADDR/PORT
    rank = dist.get_rank() if distributed else 0
    world_size = dist.get_world_size() if distributed else 1

    X, y = load_data(args.num_train)
    split_batch(X[:args.batch_size], y[:args.batch_size], world_size, rank)  # fail early
    net = build_model(args.seed)
    if distributed:
        net = DistributedDataParallel(net)  # copies rank 0's parameters to all ranks
    loss = nn.CrossEntropyLoss()  # mean over this rank's share
    optimizer = torch.optim.SGD(net.parameters(), lr=args.lr)

    if distributed:
        dist.barrier()  # start the clock together
    start, num_steps = time.perf_counter(), 0
    for idx in minibatches(len(X), args.batch_size, args.num_epochs, args.seed):
        X_shard, y_shard = split_batch(X[idx], y[idx], world_size, rank)
        optimizer.zero_grad()
        l = loss(net(X_shard), y_shard)
        l.backward()  # DDP all-reduces (averages) the gradients here
        optimizer.step()
        num_steps += 1
    if distributed:
        dist.barrier()
    seconds = time.perf_counter() - start

    result = {"world_size": world_size, "threads": torch.get_num_threads(),
              "steps": num_steps, "seconds": seconds,
              "samples_per_s": num_steps * args.batch_size / seconds,
              "last_loss": l.item()}
    if rank == 0:
        module = net.module if distributed else net
        handson.save_atomic({"state_dict": module.state_dict(), **result}, args.out)
        print("RESULT " + json.dumps(result), flush=True)
        print(f"{world_size} process(es) x {result['threads']} thread(s): "
              f"{result['samples_per_s']:,.0f} samples/s", flush=True)
    if distributed:
        dist.destroy_process_group()
    return result


if __name__ == "__main__":
    main()
