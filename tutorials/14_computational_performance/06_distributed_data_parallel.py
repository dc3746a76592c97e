"""
DistributedDataParallel with torchrun: one script, one machine or many
======================================================================

:doc:`05_data_parallelism_from_scratch` started the worker processes, split the
minibatch and averaged the gradients by hand. In practice two tools do that work:
``torch.nn.parallel.DistributedDataParallel`` (DDP) wraps the model and averages
the gradients during the backward pass, and ``torchrun`` starts the processes and
tells each who it is. The same script then runs as one process, as several on one
machine, or on several machines, changing only the launch command. This page shows
such a script in full, runs it under ``torchrun`` with two processes, checks that
its parameters equal single-process training on whole minibatches, measures its
throughput with one and two processes, simulates two machines on this one, and
explains the multi-machine command and what goes wrong when a port is taken, a
machine is missing or the batch does not divide.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * write a training script for DDP: ``init_process_group``, the
        ``DistributedDataParallel`` wrapper, each rank's share of the data, saving
        on rank 0 only
      * launch it with ``torchrun --standalone --nproc_per_node N`` and check it
        against single-process training
      * measure throughput with one and two processes, and read it honestly
      * launch it on several machines: ``--nnodes``, ``--rdzv_backend c10d``,
        ``--rdzv_endpoint``, and the errors of a taken port or a missing peer

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`05_data_parallelism_from_scratch` (shards, all-reduce, process groups)
      * :doc:`../05_multilayer_perceptrons/02_mlp_fashion_mnist` (the MLP)
      * :doc:`../06_builders_guide/05_file_io` (``handson.save_atomic``)
      * data: the first images of Fashion-MNIST's training set
"""

# sphinx_gallery_thumbnail_number = 1

import inspect
import json
import os
import platform
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson import ddp_train
from handson import distributed as hd

handson.seed(0)
print(f"torch {torch.__version__}, {os.cpu_count()} CPU cores, "
      f"{platform.processor() or platform.machine()}")

# %%
# What DDP and torchrun do
# ------------------------
#
# ``DistributedDataParallel(net)`` does three things for us that the previous page
# did by hand.
#
# * When it is built, it copies rank 0's parameters to every rank, so all start
#   equal even if each process initialised its own model.
# * It registers hooks on the parameters' gradients. During ``backward()``, as soon
#   as the gradients of a *bucket* of parameters (about 25 MB by default) are
#   ready, it starts an all-reduce for that bucket, while autograd goes on
#   computing the gradients of earlier layers: communication overlaps computation.
# * It divides the summed gradients by the world size :math:`N`. Each rank
#   averages its loss over its own share of :math:`B/N` examples, so the result is
#   the gradient of the mean loss over the whole minibatch of :math:`B`, as derived
#   on the previous page.
#
# The optimizer is then the ordinary ``torch.optim.SGD``: every rank holds the
# same gradients and takes the same step.
#
# ``torchrun`` (the command-line name of ``torch.distributed.run``) starts
# ``--nproc_per_node`` copies of the script and gives each the environment
# variables of the previous page: ``RANK`` (0 to :math:`N-1` over all machines),
# ``LOCAL_RANK`` (its number on this machine, used to pick a GPU),
# ``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT``. Before it starts them, the
# launchers of all machines meet at a *rendezvous* to agree on the ranks; if a
# worker fails, ``torchrun`` stops the others and reports the failure.
#
# The script
# ----------
#
# This is the whole script the page runs, :mod:`handson.ddp_train`. The lines that
# differ from single-process training are the process group, the
# ``DistributedDataParallel`` wrapper, ``split_batch`` (each rank's share of a
# minibatch that every rank draws identically) and the ``rank == 0`` that saves the
# parameters once. Run with plain ``python``, it trains in a single process.

print(inspect.getsource(ddp_train))

# %%
# Two processes, checked against one
# ----------------------------------
#
# We run it as ``torchrun --standalone --nproc_per_node 2 -m handson.ddp_train``.
# ``--standalone`` means "one machine": ``torchrun`` hosts the rendezvous itself on a
# free port. Each process uses one thread (``--threads 1``), so the two processes
# use two cores. ``handson.distributed.run_launchers`` runs the command with a
# time limit and kills the launcher should it be exceeded.

num_train = handson.shrink(12_800, 1_792)
num_epochs, batch_size, lr = 2, 256, 0.1
out_dir = Path(tempfile.mkdtemp(prefix="ddp-"))
script_args = ["-m", "handson.ddp_train", "--num-train", num_train, "--num-epochs",
               num_epochs, "--batch-size", batch_size, "--lr", lr, "--threads", 1]


def torchrun(*launcher_args, out, timeout=180):
    cmd = hd.torchrun_command(*launcher_args, *script_args, "--out", out_dir / out)
    print("$ torchrun", " ".join(map(str, cmd[3:])))
    (proc,) = hd.run_launchers([cmd], timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(
            f"torchrun failed ({proc.returncode}):\n{proc.stdout[-3000:]}")
    line = next(s for s in proc.stdout.splitlines() if s.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


two = torchrun("--standalone", "--nproc_per_node", 2, out="two.pt")
print(", ".join(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}"
                for k, v in two.items()))

# %%
# The reference: the same model, data and minibatches in this process, each step
# on the whole minibatch of ``batch_size`` examples.

X, y = ddp_train.load_data(num_train)
net = ddp_train.build_model(seed=0)
initial = {k: v.clone() for k, v in net.state_dict().items()}
optimizer = torch.optim.SGD(net.parameters(), lr=lr)
num_steps = 0
for idx in ddp_train.minibatches(len(X), batch_size, num_epochs, seed=0):
    optimizer.zero_grad()
    nn.functional.cross_entropy(net(X[idx]), y[idx]).backward()
    optimizer.step()
    num_steps += 1
single = net.state_dict()


def max_diff(a, b):
    return max((a[k] - b[k]).abs().max().item() for k in a)


ddp = torch.load(out_dir / "two.pt", weights_only=True)
diff = max_diff(ddp["state_dict"], single)
moved = max_diff(single, initial)
print(f"{num_steps} steps; parameters moved by up to {moved:.3g}; DDP with 2 processes "
      f"vs 1 process on whole minibatches: max |difference| = {diff:.2g}")
assert ddp["steps"] == num_steps
for k in single:
    torch.testing.assert_close(ddp["state_dict"][k], single[k], rtol=0, atol=1e-5)
handson.check("parameters moved by SGD (so the comparison means something)", moved,
              ">", 1e-2, quick=True)

# %%
# The parameters agree to within rounding: the two processes trained the model
# one process would have trained.
#
# Throughput: one process or two?
# -------------------------------
#
# The script printed samples per second (training steps only, between two
# barriers, so the start-up is not counted). We run it again with one process of
# one thread: the two-process run used one thread in each.

if handson.is_quick():
    runs = {"2 processes x 1 thread": two}
    print("quick mode: only the 2-process run (each torchrun start costs seconds)")
else:
    one = torchrun("--standalone", "--nproc_per_node", 1, out="one.pt")
    runs = {"1 process x 1 thread": one, "2 processes x 1 thread": two}
for name, r in runs.items():
    print(f"{name}: {r['samples_per_s']:,.0f} samples/s "
          f"({r['steps']} steps in {r['seconds']:.2f} s)")

fig, ax = plt.subplots(figsize=(6, 2.8))
ax.barh(list(runs), [r["samples_per_s"] for r in runs.values()], color="C0")
ax.set(xlabel="training samples per second (higher is better)",
       title=f"MLP on Fashion-MNIST, batch {batch_size}, this machine")
fig.tight_layout()

# %%
# How to read this: the numbers are from the machine that built this page, with
# whatever else was running on it, and we check none of them. The sentence below
# is printed from the measurement, not written in advance.

if "1 process x 1 thread" in runs:
    ratio = two["samples_per_s"] / runs["1 process x 1 thread"]["samples_per_s"]
    print(f"2 processes ran at {ratio:.2f}x the speed of 1 process.")
    ms = 1000 * one["seconds"] / one["steps"]
    print(f"One process took {ms:.1f} ms per step of {batch_size} examples.")
    if ratio < 0.9:
        print("Two processes were slower here: halving the arithmetic of so short a "
              "step saved less than the all-reduce of the gradients and the two "
              "processes' competition for the cores (and with other jobs) cost.")
    elif ratio < 1.3:
        print("Two processes were about as fast as one here: the halved arithmetic "
              "was eaten up by the all-reduce and the competition for the cores.")
    else:
        print("Data parallelism paid off here: halving each process's arithmetic "
              "saved more than the all-reduce of the gradients cost.")

# %%
# On one CPU, data parallelism competes with the intra-op threads of
# :doc:`03_automatic_parallelism` for the same cores, and both split the same
# arithmetic (exercise 2 compares them). Its real use is more devices than one
# process can drive (GPUs, or machines), where nothing else could use them.
#
# Several machines
# ----------------
#
# On two machines with two GPUs each, say ``10.0.0.1`` and ``10.0.0.2``, run the
# *same* command on both:
#
# .. code-block:: bash
#
#    torchrun --nnodes 2 --nproc_per_node 2 \
#        --rdzv_backend c10d --rdzv_endpoint 10.0.0.1:29400 --rdzv_id job42 \
#        -m handson.ddp_train --out params.pt
#
# * ``--nnodes 2``: wait for two launchers (``--nnodes 1:4`` would accept from one
#   to four, for elastic jobs).
# * ``--rdzv_backend c10d --rdzv_endpoint 10.0.0.1:29400``: the rendezvous is a
#   small key-value store (a ``TCPStore``, like the one rank 0 served at
#   ``MASTER_PORT`` on the previous page) that the launcher on ``10.0.0.1`` hosts
#   on port 29400; every launcher connects to it, and they agree on ranks: 0 and
#   1 for the processes of one machine, 2 and 3 for the other's. ``--rdzv_id``
#   names the job, so two jobs on one store do not mix.
# * The older *static* rendezvous names the ranks instead: ``--nnodes 2
#   --node_rank 0`` on the first machine and ``--node_rank 1`` on the second, with
#   ``--master_addr 10.0.0.1 --master_port 29500``. With ``c10d``, torchrun ignores
#   ``--node_rank`` (and warns that it does).
# * For GPUs, the script would call ``init_process_group("nccl")``, move the model
#   to ``cuda:LOCAL_RANK`` and pass ``device_ids=[local_rank]`` to DDP.
#
# We cannot borrow a second machine, but two launchers on this one, each with one
# process, go through exactly the same rendezvous on ``127.0.0.1``. The first
# hosts the store (``is_host=1``); the second is a client, as a second machine
# would be. They must reach the same parameters as the ``--standalone`` run.

if handson.is_quick():
    print("quick mode: the two-launcher run is skipped (tests/test_distributed.py "
          "runs it)")
else:
    port = hd.free_port()
    common = ["--nnodes", 2, "--nproc_per_node", 1, "--rdzv_backend", "c10d",
              "--rdzv_endpoint", f"127.0.0.1:{port}", "--rdzv_id", "two-nodes"]
    cmds = [hd.torchrun_command(*common, "--rdzv_conf", f"join_timeout=60,is_host={h}",
                                *script_args, "--out", out_dir / f"node{h}.pt")
            for h in (1, 0)]
    for c in cmds:
        print("$ torchrun", " ".join(map(str, c[3:])))
    procs = hd.run_launchers(cmds, timeout=180)
    for p in procs:
        if p.returncode != 0:
            raise RuntimeError(f"a launcher failed:\n{p.stdout[-3000:]}")
    # rank 0 saves; c10d gives rank 0 to either launcher, so take the file written
    (saved,) = [out_dir / f"node{h}.pt" for h in (1, 0)
                if (out_dir / f"node{h}.pt").exists()]
    nodes = torch.load(saved, weights_only=True)
    print(f"two launchers (world size {nodes['world_size']}) vs --standalone: max "
          f"|difference| = {max_diff(nodes['state_dict'], ddp['state_dict']):.2g}")
    for k in single:
        torch.testing.assert_close(nodes["state_dict"][k], single[k], rtol=0,
                                   atol=1e-5)

# %%
# When it goes wrong
# ------------------
#
# Three mistakes. The errors quoted below are checked against the installed
# torch by the course's test suite (``tests/test_distributed.py``):
#
# * **A port already in use.** With ``--master_port P`` (static rendezvous) or
#   ``--rdzv_conf is_host=1`` on the hosting machine, ``torchrun`` fails at once
#   with ``DistNetworkError: ... EADDRINUSE, message: address already in
#   use``: pick another port. Without ``is_host``, a ``c10d`` launcher that finds
#   the port taken assumes another launcher hosts the store and connects to it as
#   a client; if the port belongs to an unrelated program, it can wait there
#   (with this torch, longer than ``join_timeout``; this case is not tested, as
#   it hangs). That is why the two launchers above set ``is_host``, and why
#   scripts should run launchers under a time limit. ``--standalone`` picks a
#   free port itself.
# * **A machine that never comes.** A launcher waits at the rendezvous for
#   ``--nnodes`` launchers up to ``join_timeout`` (600 s by default), then fails
#   with ``RendezvousTimeoutError``. ``--rdzv_conf join_timeout=30`` shortens that.
# * **A minibatch the world size does not divide.** The script calls
#   ``split_batch`` on its first minibatch before training, so every rank stops at
#   once with the ``ValueError`` below, and ``torchrun`` reports the failed ranks
#   (``ChildFailedError``) with their tracebacks:

try:
    hd.split_batch(X[:255], y[:255], world_size=2, rank=0)
except ValueError as e:
    print("ValueError:", e)

# %%
# .. warning::
#
#    Everything a rank does with the others must happen on every rank: a rank that
#    skips a collective (or crashes) leaves the others waiting until the process
#    group's timeout (``init_process_group(timeout=...)``; 30 minutes by default
#    for ``gloo``), unless ``torchrun`` notices the crash and stops them first.
#
# Summary
# -------
#
# * A DDP script is an ordinary training script plus ``init_process_group``, the
#   ``DistributedDataParallel`` wrapper, each rank's share of the data and a
#   ``rank == 0`` guard for saving; DDP averages gradients during ``backward``.
# * ``torchrun --standalone --nproc_per_node N`` runs it on one machine;
#   ``--nnodes M --rdzv_backend c10d --rdzv_endpoint HOST:PORT`` on :math:`M`
#   machines, unchanged. Both reproduced single-process training here to
#   :math:`10^{-5}`.
# * Throughput with more processes depends on the ratio of computation to
#   communication and on the cores available: measure it, as above.
# * Give launches a time limit: a taken port, a missing machine and an
#   indivisible batch each have their own error.
#
# Exercises
# ---------
#
# 1. Run the script with ``--batch-size 512`` on two processes and with
#    ``--batch-size 256`` on one. Which one trains "the same" as the other, and
#    what does D2L suggest about the learning rate when the batch grows with the
#    number of devices?
#
#    .. dropdown:: Answer
#
#       Neither: the script's ``--batch-size`` is the *global* minibatch, so two
#       processes with 512 each see 256 examples per step but take steps on
#       512-example minibatches, half as many steps per epoch as one process
#       with 256. D2L notes that with :math:`k` devices one usually scales the
#       minibatch by :math:`k` so that each device has the same work, and may have
#       to increase the learning rate accordingly.
#
# 2. Run the script once more with one process and ``--threads 2``. Both this run
#    and the two-process run use two cores. Which is faster on your machine, and
#    what does each spend its time on besides arithmetic?
#
#    .. dropdown:: Answer
#
#       Measure it: the answer depends on the machine and its load. Two threads
#       split every matrix product and meet at the end of each operation (many
#       small synchronisations); two processes split the minibatch and meet once
#       per step, in the all-reduce of the gradients. On a loaded machine,
#       threads that wait for each other can lose much more than processes.
#
# 3. Why does the script seed the minibatch generator identically on every rank
#    instead of giving each rank its own random shuffle?
#
#    .. dropdown:: Answer
#
#       So that every rank agrees on the minibatch and takes a disjoint share of
#       it. ``torch.utils.data.DistributedSampler`` does the same with a shared
#       seed (call its ``set_epoch`` each epoch).
#
# 4. What would happen if only rank 0 called ``optimizer.step()``?
#
#    .. dropdown:: Answer
#
#       The ranks' parameters would differ after the first step; DDP does not
#       re-broadcast parameters, so rank 1 would compute gradients at stale
#       parameters and the run would no longer be minibatch SGD.
#
# 5. **Programming task.** Add ``--eval`` to :mod:`handson.ddp_train`: after
#    training, each rank computes the number of correct predictions on its share
#    of the test set, and one ``dist.all_reduce`` sums the counts, so that rank 0
#    prints the test accuracy. Check it against ``handson.evaluate_accuracy`` on
#    the saved parameters.
#
#    .. dropdown:: Hint
#
#       ``correct = torch.tensor([(net(X_shard).argmax(1) == y_shard).sum()])``,
#       then ``dist.all_reduce(correct)``; divide by the test-set size. Use
#       ``split_batch`` on a test set trimmed to a multiple of the world size.
