"""
Data parallelism from scratch: processes, send/recv and a ring all-reduce
=========================================================================

One process trains on one minibatch at a time. With :math:`N` workers (GPUs, or
here CPU processes) we can give each a :math:`1/N` share of every minibatch, let
each compute the gradient of its share, and average the gradients so that every
worker takes the same step. This page builds that by hand on ``torch.distributed``
with the ``gloo`` backend: worker processes on this machine, a minibatch split
among them, and the *all-reduce* that averages the gradients written twice with
plain ``send``/``recv``, first for two processes and then as the ring all-reduce
that large clusters use. Each is checked equal to ``dist.all_reduce``, the
parameters after several SGD steps are checked equal to training in one process
on the whole minibatch, and the bytes every process sends are counted against the
formula.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * why averaging the gradients of equal shards gives the gradient of the whole
        minibatch, and why the shards must be equal
      * how processes find each other (``MASTER_ADDR``, ``MASTER_PORT``, ``RANK``,
        ``WORLD_SIZE``) and join a ``gloo`` process group
      * an all-reduce with ``send``/``recv``, the naive one through one process,
        and the ring all-reduce (reduce-scatter, then all-gather)
      * why every process sends only :math:`2(N-1)/N` times the gradient in a ring,
        counted and checked

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../05_multilayer_perceptrons/02_mlp_fashion_mnist` (the MLP trained
        here)
      * :doc:`../10_optimization/05_minibatch_sgd` (minibatch SGD)
      * :doc:`04_hardware` (bandwidth, why moving bytes costs time)
      * data: the first images of Fashion-MNIST's training set
"""

# sphinx_gallery_thumbnail_number = 1

import copy
import inspect
import os

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson import distributed as hd
from handson.data import load_fashion_mnist

handson.seed(0)
print(f"torch {torch.__version__}, {os.cpu_count()} CPU cores, gloo available: "
      f"{torch.distributed.is_gloo_available()}")

# %%
# The idea
# --------
#
# Minibatch SGD on a minibatch :math:`\mathcal{B}` of :math:`B` examples uses the
# gradient of the mean loss,
#
# .. math::
#
#    \mathbf{g} = \frac{1}{B} \sum_{i \in \mathcal{B}} \nabla_{\mathbf{w}}
#    \ell_i(\mathbf{w}).
#
# Cut :math:`\mathcal{B}` into :math:`N` shards :math:`\mathcal{B}_1, \ldots,
# \mathcal{B}_N` of :math:`B/N` examples each, and let worker :math:`k` compute the
# mean gradient of its own shard, :math:`\mathbf{g}_k = \frac{N}{B} \sum_{i \in
# \mathcal{B}_k} \nabla \ell_i`. Then
#
# .. math::
#
#    \frac{1}{N} \sum_{k=1}^{N} \mathbf{g}_k
#    = \frac{1}{N} \sum_{k=1}^{N} \frac{N}{B} \sum_{i \in \mathcal{B}_k} \nabla \ell_i
#    = \mathbf{g}.
#
# The average of the workers' gradients *is* the minibatch gradient, so if every
# worker starts from the same parameters and applies the same averaged gradient,
# all of them take exactly the step one worker would take on the whole minibatch:
# the same algorithm, with the arithmetic divided by :math:`N`. This is *data
# parallelism*, which D2L's section on multiple GPUs recommends over splitting the
# network itself (by layers, or within layers), because it only needs to
# synchronise once per minibatch. The identity needs equal shards: with shards of
# different sizes, the plain average of the :math:`\mathbf{g}_k` weights the
# examples of a small shard more than the others.
#
# The one communication step is the *all-reduce*: every worker starts with its
# :math:`\mathbf{g}_k` and ends with the sum :math:`\sum_k \mathbf{g}_k` (we divide
# by :math:`N` afterwards). D2L's ``allreduce`` does it on GPUs: it adds everything
# on GPU 0 and copies the sum back. We write it for processes, which do not share
# memory: they can only *send* tensors to each other, through ``torch.distributed``.
#
# Splitting the minibatch
# -----------------------
#
# ``handson.distributed.split_batch`` gives rank ``r`` (the number of the worker,
# from 0) its rows; it refuses a minibatch the world size does not divide, for the
# reason above. As in D2L, a :math:`4 \times 5` matrix split between two workers:

X_demo, y_demo = torch.arange(20).reshape(4, 5), torch.arange(4)
for r in range(2):
    print(f"rank {r}:", hd.split_batch(X_demo, y_demo, 2, r))
try:
    hd.split_batch(X_demo[:3], y_demo[:3], 2, 0)
except ValueError as e:
    print("ValueError:", e)

# %%
# Processes that talk: a process group
# ------------------------------------
#
# A *process group* is a set of :math:`N` processes (the *world size*) that know
# each other. Each starts with four environment variables: ``MASTER_ADDR`` and
# ``MASTER_PORT``, where rank 0 listens so that the others can register, its own
# ``RANK`` and the ``WORLD_SIZE``. ``torch.distributed.init_process_group("gloo")``
# reads them and connects everyone; ``gloo`` is the backend for CPUs (``nccl`` is
# the one for NVIDIA GPUs). ``handson.distributed.launch(fn, N, *args)`` does what a
# launcher does: it starts :math:`N` Python processes on this machine with these
# variables (address ``127.0.0.1`` and a free port), each joins the group, calls
# ``fn(*args)`` and returns its result. Here is its core:

src = inspect.getsource(hd.launch)
print(src[src.index("    port = free_port()"):src.index("            deadline")])

# %%
# .. note::
#
#    The workers are new Python processes: they cannot see functions defined in
#    this page (the page is their parent's ``__main__``, which they do not run).
#    That is why the functions they call live in a module,
#    :mod:`handson.distributed`, and why this page prints their source instead of
#    defining them. The same holds for ``torch.multiprocessing.spawn``, which also
#    starts fresh interpreters.
#
# All-reduce for two processes
# ----------------------------
#
# With two processes, each sends its tensor to the other and adds what it receives.
# ``dist.send`` and ``dist.recv`` block: a ``send`` may wait until the other side
# receives, so if both sent first they could wait for each other forever. Rank 0
# therefore sends first and rank 1 receives first:

print(inspect.getsource(hd.pair_all_reduce))

# %%
# ``compare_all_reduce(method, numel)`` gives rank ``r`` a random tensor drawn with
# seed ``r``, runs our all-reduce on one copy and ``dist.all_reduce`` (sum) on
# another, and returns both, with the bytes the rank sent. We also train the MLP of
# chapter 05 for a few SGD steps with ``train_data_parallel``: each rank computes
# the mean loss on its half of each minibatch, all-reduces every gradient with our
# function and divides by :math:`N` before the update. To spare a second start of
# the processes, one ``launch`` runs all four experiments in turn.

batch_size, lr = 256, 0.1
num_steps = handson.shrink(8, 3)
X, y = load_fashion_mnist("train")
X, y = X[:2048], y[:2048]
num_train = len(X)
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
numel = 1000  # a multiple of 2 and 4, so the chunks below are equal

timer = handson.Timer()
timer.start()
pair, ring2, root2, params2 = hd.launch(hd.call_each, 2, [
    (hd.compare_all_reduce, ("pair", numel)),
    (hd.compare_all_reduce, ("ring", numel)),
    (hd.compare_all_reduce, ("root", numel)),
    (hd.train_data_parallel, (net, X, y, lr, num_steps, batch_size, "pair")),
], timeout=180)[0]
print(f"2 processes started, ran and stopped in {timer.stop():.1f} s")
total = sum(torch.randn(numel, generator=torch.Generator().manual_seed(r))
            for r in range(2))
for name, out in [("pair", pair), ("ring", ring2), ("naive", root2)]:
    torch.testing.assert_close(out["ours"], out["torch"])
    torch.testing.assert_close(out["ours"], total)
    print(f"{name}: equal to dist.all_reduce and to the sum; rank 0 sent "
          f"{out['bytes_sent']} bytes for a tensor of {4 * numel} bytes")

# %%
# The results come from rank 0 (``launch`` returns one per rank; we kept the
# first). The pair exchange agrees with ``dist.all_reduce``, and so do the ring
# and the naive all-reduce of the next sections, run here with two processes.
#
# Data parallel = one process on the whole minibatch
# --------------------------------------------------
#
# The claim of the first section, checked: the same network trained in *this*
# process on whole minibatches, with ``torch.optim.SGD``, must end with the same
# parameters as the two workers, up to rounding (the sums are added in another
# order).


def train_single(net, num_steps):
    net = copy.deepcopy(net)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    for s in range(num_steps):
        i = (s % (num_train // batch_size)) * batch_size
        optimizer.zero_grad()
        nn.functional.cross_entropy(net(X[i:i + batch_size]),
                                    y[i:i + batch_size]).backward()
        optimizer.step()
    return net.state_dict()


single = train_single(net, num_steps)


def max_diff(a, b):
    return max((a[k] - b[k]).abs().max().item() for k in a)


moved = max_diff(single, net.state_dict())
diff2 = max_diff(params2, single)
print(f"after {num_steps} steps: parameters moved by up to {moved:.3g}; "
      f"2 processes vs 1: max |difference| = {diff2:.2g}")
for k in single:
    torch.testing.assert_close(params2[k], single[k], rtol=0, atol=1e-5)
handson.check("parameters moved by SGD (so the comparison means something)", moved,
              ">", 1e-3, quick=True)

# %%
# The ring all-reduce
# -------------------
#
# The naive all-reduce of D2L sends every gradient to one process (rank 0), which
# adds them and sends the sum back. With :math:`N` processes and a gradient of
# :math:`S` bytes, rank 0 receives and sends :math:`(N-1) S` bytes while the others
# wait: the time grows with :math:`N`. ``root_all_reduce`` is that algorithm.
#
# The *ring all-reduce* (D2L's section on parameter servers draws it for four
# nodes) arranges the processes in a ring, each sending only to its right neighbour
# :math:`(r+1) \bmod N` and receiving from its left one. Cut the tensor into
# :math:`N` chunks.
#
# * **Reduce-scatter**, :math:`N-1` steps: at step :math:`s` rank :math:`r` sends
#   chunk :math:`(r-s) \bmod N` to the right and adds the chunk :math:`(r-s-1) \bmod
#   N` it receives from the left to its own. A chunk travels round the ring
#   picking up one term per hop; after :math:`N-1` hops rank :math:`r` holds the
#   complete sum of chunk :math:`(r+1) \bmod N`.
# * **All-gather**, :math:`N-1` steps: the complete chunks travel round the ring
#   the same way, each rank overwriting (not adding) what it receives.
#
# Every rank sends :math:`2(N-1)` chunks of :math:`S/N` bytes, that is
#
# .. math::
#
#    2\,\frac{N-1}{N}\, S < 2S
#
# bytes, whatever :math:`N` is, and all links are busy at every step. With
# ``dist.isend`` (which does not wait) every rank can send and receive at once:

print(inspect.getsource(hd.ring_all_reduce))

# %%
# Four processes (on a machine with fewer cores they take turns, which is fine
# for checking correctness): the ring and the naive
# all-reduce against ``dist.all_reduce``, and training with the ring, each rank
# now with a quarter of each minibatch.

world_size = 4
timer.start()
outs = hd.launch(hd.call_each, world_size, [
    (hd.compare_all_reduce, ("ring", numel)),
    (hd.compare_all_reduce, ("root", numel)),
    (hd.train_data_parallel, (net, X, y, lr, num_steps, batch_size, "ring")),
], timeout=180)
print(f"{world_size} processes started, ran and stopped in {timer.stop():.1f} s")
total = sum(torch.randn(numel, generator=torch.Generator().manual_seed(r))
            for r in range(world_size))
for rank, (ring, root, _) in enumerate(outs):
    torch.testing.assert_close(ring["ours"], ring["torch"])
    torch.testing.assert_close(root["ours"], root["torch"])
    torch.testing.assert_close(ring["ours"], total)
print("ring and naive all-reduce equal dist.all_reduce on all 4 ranks")

diff4 = max_diff(outs[0][2], single)
print(f"4 processes (ring) vs 1 process: max |parameter difference| = {diff4:.2g}")
for k in single:
    torch.testing.assert_close(outs[0][2][k], single[k], rtol=0, atol=1e-5)
    torch.testing.assert_close(outs[3][2][k], outs[0][2][k], rtol=0, atol=0)

# %%
# The ranks end with bit-identical parameters (checked above for the first and the
# last rank: all apply the same averaged gradient), equal to single-process
# training to within rounding.
#
# Counting the bytes
# ------------------
#
# Each rank reported the bytes it sent. In the ring that must be
# :math:`2(N-1)/N \cdot S` for every rank (our tensor splits into equal chunks);
# in the naive scheme rank 0 sends :math:`(N-1) S` and each other rank :math:`S`.

S = 4 * numel  # float32
measured = {
    "ring": [o[0]["bytes_sent"] for o in outs],
    "naive (through rank 0)": [o[1]["bytes_sent"] for o in outs],
}
for name, b in measured.items():
    print(f"{name:>24}: bytes sent per rank {b}, busiest {max(b)} "
          f"= {max(b) / S:.2f} S")
assert measured["ring"] == [hd.ring_bytes_per_rank(S, world_size)] * world_size
assert measured["naive (through rank 0)"] == [(world_size - 1) * S] + [S] * (
    world_size - 1)
assert ring2["bytes_sent"] == hd.ring_bytes_per_rank(S, 2) == pair["bytes_sent"]
assert root2["bytes_sent"] == S

# %%
# With two processes the ring sends :math:`S` per rank, exactly what the
# send/recv exchange sends: for :math:`N = 2` they are the same algorithm. As
# :math:`N` grows, the busiest process of the naive scheme sends ever more, while
# every process of the ring sends less than :math:`2S`:

Ns = torch.arange(2, 33)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(Ns, (Ns - 1), label="naive: rank 0 sends $(N-1)S$")
ax.plot(Ns, 2 * (Ns - 1) / Ns, label="ring: each rank sends $2(N-1)S/N$")
ax.plot([2, 4], [root2["bytes_sent"] / S, max(measured["naive (through rank 0)"]) / S],
        "o", color="C0", label="naive, measured")
ax.plot([2, 4], [ring2["bytes_sent"] / S, max(measured["ring"]) / S], "s",
        color="C1", label="ring, measured")
ax.set(xlabel="number of processes $N$", ylabel="bytes sent by the busiest rank / $S$",
       yscale="log")
ax.legend()
fig.tight_layout()

# %%
# Bytes are not time: the ring takes :math:`2(N-1)` steps, each with a fixed
# latency, so for small tensors the latency dominates; this is why libraries
# implement several all-reduce algorithms (NCCL, for example, has a ring and a
# tree) and choose by tensor size and network. They also cut
# the gradients into *buckets* and start reducing the last layers' gradients while
# the backward pass is still computing the first ones, which is what
# ``DistributedDataParallel`` does for us on the next page.
#
# .. warning::
#
#    Every rank must call the same collective operations in the same order. If one
#    rank skips an all-reduce (say, inside an ``if rank == 0:``), the others wait
#    for it until the group's timeout and then fail.
#
# Summary
# -------
#
# * Data parallelism gives each of :math:`N` workers an equal shard of every
#   minibatch; averaging their gradients gives exactly the minibatch gradient,
#   so training equals single-process training (checked here to :math:`10^{-5}`).
# * Processes join a group through ``MASTER_ADDR``, ``MASTER_PORT``, ``RANK`` and
#   ``WORLD_SIZE``; the functions they run must be importable from a module.
# * An all-reduce can be written with ``send``/``recv``; the naive one funnels
#   :math:`(N-1) S` bytes through one process, the ring sends :math:`2(N-1)S/N`
#   from every process (counted above) and keeps all links busy.
# * Our hand-written all-reduces match ``dist.all_reduce``; in practice use the
#   library's collectives, and ``DistributedDataParallel`` (next page), which
#   overlaps them with the backward pass.
#
# Exercises
# ---------
#
# 1. Why must ``split_batch`` refuse a batch of 255 examples on 2 processes, and
#    what would you change in ``train_data_parallel`` to allow unequal shards?
#
#    .. dropdown:: Answer
#
#       With shards of 128 and 127 examples, the average of the two shard means
#       weights each example of the smaller shard by :math:`1/254` and each of the
#       larger by :math:`1/256`, not all by :math:`1/255`. To allow it, have each
#       rank compute the *sum* of its losses (``reduction="sum"``), all-reduce the
#       summed gradients and the shard sizes, and divide by the total size.
#
# 2. In the ring, each rank sends :math:`2(N-1)/N \cdot S` bytes. How many does it
#    *receive*? How long does the ring take if each link carries :math:`\beta`
#    bytes per second and each step costs a latency :math:`\alpha`?
#
#    .. dropdown:: Answer
#
#       It receives as much as it sends (every send is someone's receive, and the
#       ring is symmetric). The time is about :math:`2(N-1)\,(\alpha + S/(N
#       \beta))`: the bandwidth term stays below :math:`2S/\beta`, while the
#       latency term grows with :math:`N`.
#
# 3. D2L's parameter-server section suggests sending in both directions round the
#    ring. What would that save?
#
#    .. dropdown:: Answer
#
#       Split the tensor in two halves and run one ring clockwise on the first and
#       one counter-clockwise on the second. On links that carry data both ways at
#       full speed, each direction moves half the bytes, so the bandwidth time
#       halves; the number of steps (latency) stays the same.
#
# 4. **Programming task.** Write ``tree_all_reduce`` (reduce up a binary tree to
#    rank 0, then broadcast down it) in a module of your own, run it with
#    ``handson.distributed.launch`` on 4 processes, check it against
#    ``dist.all_reduce`` and count the bytes the busiest rank sends.
#
#    .. dropdown:: Hint
#
#       At level :math:`\ell = 0, 1, \ldots`, rank :math:`r` with :math:`r \bmod
#       2^{\ell+1} = 2^\ell` sends its tensor to :math:`r - 2^\ell` and stops; the
#       receiver adds it. Broadcast reverses the levels. The busiest rank (rank 0)
#       sends :math:`\log_2 N` tensors: fewer steps than the ring, more bytes than
#       its :math:`2(N-1)/N`.
