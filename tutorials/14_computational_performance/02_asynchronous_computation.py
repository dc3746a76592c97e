"""
Asynchronous computation and profiling
======================================

A training step is a few lines of Python, but the work it starts runs in C++ kernels:
matrix products, convolutions, elementwise maps. Where does the time of a step go,
into those kernels or into the Python and the bookkeeping around them? This page
answers with ``torch.profiler`` on a training step of the course's MLP and LeNet on
Fashion-MNIST batches, measures how the time per step grows with the batch size, and
explains why the answer changes on a GPU, where PyTorch queues kernels and returns to
Python at once, so that ``.item()``, ``print`` and ``.cpu()`` become points where
Python must wait.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the frontend (Python) and backend (C++ kernels) of PyTorch, and the fixed
        cost of each operator call
      * profile a training step with ``torch.profiler.profile`` and read
        ``key_averages().table()``
      * the share of a step spent in matrix-product and convolution kernels at a
        small and a large batch, and the time per example against the batch size
      * asynchronous execution on a GPU and its synchronisation points
        (``.item()``, ``print``, ``.cpu()``, ``torch.cuda.synchronize``)

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * the MLP: :doc:`../05_multilayer_perceptrons/02_mlp_fashion_mnist`
      * LeNet: :doc:`../07_convolutional_networks/02_lenet`
      * devices: :doc:`../06_builders_guide/06_devices`
      * eager execution against compiled graphs: :doc:`01_compilers_and_interpreters`
      * data: Fashion-MNIST, the first 512 training images as minibatches (the page
        times training steps; it does not train to convergence)
"""

# sphinx_gallery_thumbnail_number = 1

import copy
import os
import platform
import time

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.profiler import ProfilerActivity, profile, record_function

import handson
from handson.data import load_fashion_mnist

handson.seed(0)
# One intra-op thread for every measurement on this page: with several, a kernel's
# time also includes waiting for its threads, which depends on what else the
# machine runs (03_automatic_parallelism measures threads). Restored at the end.
original_threads = torch.get_num_threads()
torch.set_num_threads(1)
print(f"torch {torch.__version__}, {torch.get_num_threads()} intra-op thread "
      f"(of {original_threads}), {platform.machine()}, "
      f"CUDA available: {torch.cuda.is_available()}")
if hasattr(os, "getloadavg"):
    print(f"load average over the last minute: {os.getloadavg()[0]:.2f} "
          "(other programs compete for the cores and slow every timing)")

# %%
# Frontend and backend
# --------------------
#
# D2L describes PyTorch in two parts. The *frontend* is the language we write in,
# Python here (C++ is another). The *backend* is C++: it owns the tensors' memory
# and runs the kernels. Every call such as ``X @ W`` crosses from one to the other:
# Python parses the arguments, PyTorch's *dispatcher* picks the implementation for
# the tensor's device and dtype, the autograd layer records a node of the
# computational graph when a gradient is needed, and only then the kernel runs.
# The crossing has a fixed cost per operator, whatever the size of the tensors;
# the kernel's cost grows with them. The time of a call is therefore roughly
#
# .. math::
#
#    t_\text{call} \approx t_\text{overhead} + \frac{\text{work}}{\text{rate}},
#
# and for small tensors the first term wins. We measure it with the smallest
# possible operator, an addition of two one-element tensors, repeated many times.


def best_time(fn, repeats=5, warmup=1):
    """Best wall time of ``fn()`` in seconds, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def many_adds(x, n=2000):
    for _ in range(n):
        x + x


x = torch.ones(1)
t_add = best_time(lambda: many_adds(x)) / 2000
x_grad = torch.ones(1, requires_grad=True)
t_add_grad = best_time(lambda: many_adds(x_grad)) / 2000
print(f"one-element addition: {1e6 * t_add:.2f} us per call, "
      f"{1e6 * t_add_grad:.2f} us when autograd records it")

# %%
# About a microsecond or more per call (printed above): nothing for one operator,
# but a training step of a small network calls a few dozen operators forward, as
# many backward, and the optimiser more. Whether that matters depends on how
# long the kernels take, which is what a profiler tells us.
#
# Profiling a training step
# -------------------------
#
# We take the MLP of :doc:`../05_multilayer_perceptrons/02_mlp_fashion_mnist`
# (784 inputs, 256 hidden units, 10 outputs) and D2L's LeNet of
# :doc:`../07_convolutional_networks/02_lenet`, and one training step with
# minibatch SGD, written as in every loop of the course.

X_all, y_all = load_fashion_mnist("train")
X_all, y_all = X_all[:512], y_all[:512]


def make_mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(),
                         nn.Linear(256, 10))


def make_lenet():
    """LeNet as in D2L: sigmoid activations and average pooling."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


loss = nn.CrossEntropyLoss()


def train_step(net, optimizer, X, y):
    optimizer.zero_grad()
    l = loss(net(X), y)
    l.backward()
    optimizer.step()
    return l


# %%
# ``torch.profiler.profile`` records every operator that runs inside its ``with``
# block: its name, how often it ran, its *self* time (spent in the operator itself)
# and its *total* time (including the operators it called). ``record_function``
# adds a named range of our own; we wrap each step in one called ``train_step``,
# so that its total time is the step's wall time under the profiler, and its self
# time is the part spent in Python between operators. We warm up first (the first
# calls allocate memory and pick kernels) and profile three steps, three times,
# keeping the fastest round.


def profile_steps(net, batch_size, num_steps=3, rounds=handson.shrink(3, 1)):
    """Profile ``num_steps`` training steps; of several rounds keep the fastest.

    Other programs on the machine can pause ours in the middle of any operator;
    the fastest round is the one least disturbed.
    """
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    X, y = X_all[:batch_size], y_all[:batch_size]
    for _ in range(3):
        train_step(net, optimizer, X, y)
    best = None
    for _ in range(rounds):
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(num_steps):
                with record_function("train_step"):
                    train_step(net, optimizer, X, y)
        events = prof.key_averages()
        total = next(e for e in events if e.key == "train_step").cpu_time_total
        if best is None or total < best[0]:
            best = (total, events)
    return best[1]


lenet_events = profile_steps(make_lenet(), handson.shrink(512, 64))
print(lenet_events.table(sort_by="self_cpu_time_total", row_limit=10,
                      max_name_column_width=30))

# %%
# The table is sorted by self time. Its rows for LeNet are the convolutions'
# backward and forward kernels (``aten::convolution_backward``,
# ``aten::mkldnn_convolution``, the oneDNN kernel behind ``nn.Conv2d`` on a CPU),
# the average pooling and sigmoids with their backward passes, and the matrix
# products of the linear layers (``aten::addmm`` forward, ``aten::mm`` backward);
# the ``train_step`` row is ours. Their order and percentages are this machine's.
# Every operator name is checked, not typed: the list must contain the
# convolution (``aten::convolution`` dispatches to whichever kernel the build
# has) and the matrix products.

names = {e.key for e in lenet_events}
print(sorted(n for n in names if "conv" in n or n.endswith("mm")))
for op in ["aten::convolution", "aten::convolution_backward",
           "aten::addmm", "aten::mm"]:
    handson.check(f"profiler saw {op}", op in names, "==", True, quick=True)

# %%
# Kernels against everything else
# -------------------------------
#
# Now the same measurement at a small batch (8) and a large one (512), for both
# networks. We split each step's time into three parts: the self time of the
# matrix-product and convolution operators (the arithmetic we actually want), the
# self time of all other operators (elementwise maps, pooling, the loss, the
# optimiser's updates, allocations), and the self time of ``train_step``, which is
# Python itself. Self times of the operators include their share of dispatcher
# overhead; the profiler adds some overhead of its own, which weighs more on small
# steps. The shares are therefore a picture, not a precise accounting.

# the convolution kernel's name depends on the build: oneDNN on most CPUs, cuDNN
# on NVIDIA GPUs, PyTorch's own kernel elsewhere
COMPUTE_OPS = {"aten::mm", "aten::addmm", "aten::mkldnn_convolution",
               "aten::cudnn_convolution", "aten::_slow_conv2d_forward",
               "aten::convolution_backward"}


def time_split(events):
    """Shares of the step time: matmul/conv kernels, other operators, Python."""
    step = next(e for e in events if e.key == "train_step")
    total = step.cpu_time_total
    compute = sum(e.self_cpu_time_total for e in events if e.key in COMPUTE_OPS)
    python = step.self_cpu_time_total
    return {"matmul/conv": compute / total, "other operators":
            (total - compute - python) / total, "Python": python / total}


splits = {}
large = handson.shrink(512, 128)  # the large batch (smaller in quick mode)
for name, make in [("MLP", make_mlp), ("LeNet", make_lenet)]:
    for batch_size in [8, large]:
        split = time_split(profile_steps(make(), batch_size))
        splits[f"{name}, batch {batch_size}"] = split
        print(f"{name:5s} batch {batch_size:3d}: " + ", ".join(
            f"{k} {100 * v:4.1f}%" for k, v in split.items()))

share_ratio = (splits[f"MLP, batch {large}"]["matmul/conv"]
               / splits["MLP, batch 8"]["matmul/conv"])
print(f"MLP: matmul share at batch {large} / at batch 8 = {share_ratio:.2f}")
handson.check(f"MLP matmul share, batch {large} / batch 8", share_ratio,
              ">", 1.0)

# %%
# Time per step against the batch size
# -------------------------------------
#
# Without the profiler, we time one step (best of several, after warm-up) at batch
# sizes from 1 to 512. If the overhead were all, the time per step would not
# depend on the batch size; if the kernels were all, it would grow in proportion
# to it. The time *per example* tells how much of each step is shared overhead.
# We compare batch 8 with the best time per example at batches of 64 and more
# (at the largest batches the curve can turn up again on a CPU, as activations
# outgrow the caches and large buffers are allocated afresh each step).

batch_sizes = [2 ** i for i in range(10) if 2 ** i <= handson.shrink(512, 32)]
models = {"MLP": make_mlp(), "LeNet": make_lenet()}
optimizers = {name: torch.optim.SGD(net.parameters(), lr=0.1)
              for name, net in models.items()}
step_times = {name: [float("inf")] * len(batch_sizes) for name in models}
# rounds over all batch sizes, so that a busy moment of the machine hits every
# size alike; keep the best time of each
for round_ in range(handson.shrink(8, 3)):
    for name, net in models.items():
        for i, batch_size in enumerate(batch_sizes):
            X, y = X_all[:batch_size], y_all[:batch_size]
            t = best_time(lambda: train_step(net, optimizers[name], X, y),
                          repeats=2, warmup=2 if round_ == 0 else 0)
            step_times[name][i] = min(step_times[name][i], t)
for name, ts in step_times.items():
    print(f"{name:5s} " + "  ".join(
        f"b={b}: {1e6 * t / b:.0f}" for b, t in zip(batch_sizes, ts))
        + "  (us per example)")

per_example = {name: [t / b for t, b in zip(ts, batch_sizes)]
               for name, ts in step_times.items()}
i8, i_big = batch_sizes.index(8), batch_sizes.index(min(64, batch_sizes[-1]))
gain = per_example["MLP"][i8] / min(per_example["MLP"][i_big:])
gain_lenet = per_example["LeNet"][i8] / min(per_example["LeNet"][i_big:])
print(f"time per example at batch 8 / the best at batch >= {batch_sizes[i_big]}: "
      f"MLP {gain:.1f}x, LeNet {gain_lenet:.1f}x")
handson.check(f"MLP time per example, batch 8 / best at batch >= "
              f"{batch_sizes[i_big]}", gain, ">=", 1.5)

flat = step_times["MLP"][batch_sizes.index(8)] / step_times["MLP"][0]
print(f"MLP: 8 times the examples (batch 1 -> 8) took {flat:.1f} times as long")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for name, ts in step_times.items():
    axes[0].loglog(batch_sizes, [1e3 * t for t in ts], "o-", label=name)
ref = step_times["LeNet"][-1] * 1e3
axes[0].loglog(batch_sizes, [ref * b / batch_sizes[-1] for b in batch_sizes],
               "k--", lw=1, label="proportional to batch")
axes[0].set(xlabel="batch size", ylabel="ms per training step",
            title="time per step (best of repeats)")
axes[0].legend()
bottom = [0.0] * len(splits)
for part, colour in zip(["matmul/conv", "other operators", "Python"],
                        ["tab:blue", "tab:orange", "tab:grey"]):
    heights = [100 * s[part] for s in splits.values()]
    axes[1].bar(list(splits), heights, bottom=bottom, label=part, color=colour)
    bottom = [b + h for b, h in zip(bottom, heights)]
axes[1].set(ylabel="% of step time", title="where the step's time goes (profiler)")
axes[1].tick_params(axis="x", labelsize=8)
axes[1].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
# On the left, the time per step grows much more slowly than the batch at small
# batches and bends towards the dashed line (time in proportion to the batch) at
# large ones: small steps are paid mostly for overhead (the ratios printed above
# say by how much, for the MLP). LeNet's convolution and pooling kernels cost far
# more than the MLP's products at the same batch (compare the printed times per
# example), so we expect a smaller gain from batching, and on a busy CPU it can
# vanish: the printed ratio says what this run found. On the right, the share of
# the matrix products grows with the batch for the MLP (checked above). In LeNet,
# pooling and sigmoids are kernels that read and write every activation and do
# almost no arithmetic; they count as "other operators", so compare its printed
# shares with the MLP's rather than expecting the same picture. The practical
# lesson: a minibatch too small wastes the processor on overhead, which is one
# reason, besides the statistics of :doc:`../10_optimization/05_minibatch_sgd`,
# why we train with minibatches of hundreds of examples.
#
# Asynchronous execution
# ----------------------
#
# On a CPU, a PyTorch operator returns when its result is computed: the call
# *is* the computation. On a GPU it is different. A CUDA operator only *enqueues*
# its kernel on a stream of the device and returns to Python at once; the GPU
# works through the queue while Python goes on issuing the next operators. The
# frontend runs ahead of the backend, and the fixed overhead of each call is hidden
# behind the kernels still running, as long as the queue never runs dry. The
# backend keeps the order of the queue, so an operator never starts before the
# ones it depends on have finished.
#
# Python has to wait only when it needs a *value*: ``loss.item()``,
# ``print(tensor)``, ``tensor.cpu()`` or ``.numpy()``, a Python ``if`` on a tensor,
# and ``torch.cuda.synchronize()``, which waits for everything queued. These are
# *synchronisation points*. A timer stopped before one measures only the time to
# enqueue, which is why D2L's PyTorch code calls ``torch.cuda.synchronize`` before
# reading its stopwatch, and why we do too.
#
# We time ten :math:`1000 \times 1000` matrix products (:math:`300 \times 300` in
# quick mode) twice: once until the calls return, once until the results are
# ready. On a CPU the two times agree (checked); on a GPU the first can be much
# shorter, as long as the kernels take longer than issuing them. The GPU path
# runs only where there is one.


def issue_then_wait(device, n=handson.shrink(1000, 300), repeats=10):
    a = torch.randn(n, n, device=device)
    torch.mm(a, a)  # warm-up: the first call loads libraries and picks kernels
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    for _ in range(repeats):
        b = torch.mm(a, a)
    returned = time.perf_counter() - start
    b.sum().item()  # a synchronisation point: needs the value
    done = time.perf_counter() - start
    return returned, done


returned, done = issue_then_wait(torch.device("cpu"))
print(f"CPU: calls returned after {1e3 * returned:.1f} ms, "
      f"results ready after {1e3 * done:.1f} ms")
handson.check("CPU: time until the calls returned / until results ready",
              returned / done, ">=", 0.5)
if torch.cuda.is_available():
    returned, done = issue_then_wait(torch.device("cuda"))
    print(f"GPU: calls returned after {1e3 * returned:.2f} ms, "
          f"results ready after {1e3 * done:.2f} ms")
    print("This page ran the GPU demonstration.")
else:
    print("No CUDA device here: this page ran the CPU path only.")

# %%
# The cost of ``.item()`` in a loop
# ---------------------------------
#
# A training loop that logs the loss often does ``total += l.item()`` every
# step. On a GPU each ``.item()`` drains the queue: Python waits until the step's
# kernels have run, then starts issuing the next step's kernels while the GPU sits
# idle, so the overhead we just measured is no longer hidden. Accumulating the
# loss as a tensor, ``total += l.detach()``, and reading it once per epoch keeps
# the queue full. On a CPU there is no queue, and ``.item()`` costs only a copy of
# one number. We measure both loops with the MLP, from the same initial weights on
# the same batches, so the accumulated losses must also agree (asserted); on a
# GPU, where there is one, the page runs both loops there too.


def loop(net, log_every_step, num_steps, device, batch_size=64):
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    X_dev, y_dev = X_all.to(device), y_all.to(device)
    total = 0.0 if log_every_step else torch.zeros((), device=device)
    for i in range(num_steps):
        start = (i * batch_size) % (len(X_all) - batch_size + 1)
        X, y = X_dev[start:start + batch_size], y_dev[start:start + batch_size]
        l = train_step(net, optimizer, X, y)
        if log_every_step:
            total += l.item()  # waits for the step to finish
        else:
            total += l.detach()  # stays on the device, no waiting
    return float(total)  # one synchronisation at the end


def compare_item(device, num_steps):
    """Best time of both loops (alternated, 3 rounds) and their summed losses."""
    net0 = make_mlp()
    totals, times = {}, {True: float("inf"), False: float("inf")}
    for repeat in range(3):
        for log_every_step in [True, False]:
            net = copy.deepcopy(net0).to(device)
            start = time.perf_counter()
            totals[log_every_step] = loop(net, log_every_step, num_steps, device)
            times[log_every_step] = min(times[log_every_step],
                                        time.perf_counter() - start)
    for log_every_step, label in [(True, ".item() every step"),
                                  (False, "one .item() at the end")]:
        print(f"{device.type}, {label:23s}: "
              f"{1e6 * times[log_every_step] / num_steps:7.1f} us per step, "
              f"summed loss {totals[log_every_step]:.4f}")
    extra = (times[True] - times[False]) / num_steps
    print(f"{device.type}: difference {1e6 * extra:+.1f} us per step, "
          f"{100 * extra / (times[False] / num_steps):+.1f}% of a step")
    assert abs(totals[True] - totals[False]) <= 1e-4 * abs(totals[True])
    return extra / (times[False] / num_steps)


num_steps = handson.shrink(200, 20)
extra_cpu = compare_item(torch.device("cpu"), num_steps)
if abs(extra_cpu) < 0.05:
    print("On this CPU, reading the loss every step cost less than 5% of a step.")
else:
    print("On this CPU the difference exceeds 5% of a step; on a shared machine "
          "timings vary by that much from run to run.")
if torch.cuda.is_available():
    compare_item(torch.device("cuda"), num_steps)
    print("This page also ran the GPU loops.")
torch.set_num_threads(original_threads)  # as it was before this page

# %%
# On the CPU, ``.item()`` copies one number and there is no queue to drain, so
# the printed difference is small against a step (the sentence above says how
# small it came out on the machine that built this page). On a GPU, the same
# habit stops the overlap of issuing and computing: a step then costs about the
# time to issue its kernels *plus* the time to run them, instead of the larger of
# the two. For a model as small as this MLP the kernels are short and little time
# is lost; more is lost as the kernels' share of the step grows (the GPU lines,
# where the page ran on a GPU, show what it was there). D2L recommends
# synchronising once per minibatch (reading the loss every few minibatches works
# as well), not after every operator, so that the frontend stays close to the
# backend without the queue growing without bound (every queued operator holds
# its inputs in memory).
#
# .. note::
#
#    Timing GPU code without a synchronisation point measures how fast Python can
#    *enqueue* work, not how fast the GPU does it. ``torch.cuda.Event`` with
#    ``enable_timing=True`` measures time on the device itself; the profiler with
#    ``ProfilerActivity.CUDA`` shows the kernels and the gaps between them.
#
# Summary
# -------
#
# * PyTorch's Python frontend hands every operator to a C++ backend; each call has
#   a fixed overhead of microseconds, measured above, on top of its kernel.
# * ``torch.profiler.profile`` with ``key_averages().table()`` shows where a
#   step's time goes; ``record_function`` names ranges of our own.
# * At a small batch, overhead (other operators, Python) takes a large share of a
#   step; at a large batch the matrix products take a larger share of the MLP's
#   step, and its time per example falls (both checked on this page).
# * On a GPU, operators are queued and Python runs ahead; ``.item()``, ``print``,
#   ``.cpu()`` and ``torch.cuda.synchronize()`` make it wait. Read values once per
#   logging interval, and synchronise before stopping a timer.
#
# Exercises
# ---------
#
# 1. D2L's PyTorch exercise: benchmark the matrix multiplications of this section
#    on the CPU. Can you observe asynchrony via the backend?
#
#    .. dropdown:: Answer
#
#       No: the CPU times printed above, until the calls return and until the
#       results are ready, agree, because CPU operators run synchronously in the
#       calling thread (using several intra-op threads inside a kernel, see
#       :doc:`03_automatic_parallelism`, but returning only when done).
#
# 2. Sort the profiler table by ``"cpu_time_total"`` instead of
#    ``"self_cpu_time_total"``. Why does ``train_step`` jump to the top, and why
#    do the self-time percentages add up to 100 % but the total-time ones do not?
#
#    .. dropdown:: Answer
#
#       Total time counts the operators an operator calls; ``train_step`` contains
#       every other operator of the step, so its total is the whole step. Each
#       microsecond is *self* time of exactly one operator, so self times add up to
#       the total; total times count nested calls several times.
#
# 3. Profile with ``record_shapes=True`` and print
#    ``prof.key_averages(group_by_input_shape=True).table(...)``. Which input
#    shapes does ``aten::addmm`` see in LeNet?
#
#    .. dropdown:: Hint
#
#       One row per linear layer: ``[batch, 400]`` by ``[400, 120]``, ``[batch,
#       120]`` by ``[120, 84]`` and ``[batch, 84]`` by ``[84, 10]`` (the weights
#       appear transposed, plus the bias).
#
# 4. D2L (in the MXNet version of the section, with :math:`n = 10{,}000`) writes
#    the time of :math:`n` synchronous steps as :math:`n(t_1 + t_2 + t_3)` (issue,
#    compute, return) and of :math:`n` asynchronous ones as
#    :math:`t_1 + n t_2 + t_3`. Why must it assume :math:`n t_2 > (n - 1) t_1`?
#
#    .. dropdown:: Answer
#
#       Otherwise the frontend is the bottleneck: issuing takes longer than
#       computing, the backend waits for work, and the total is about
#       :math:`n t_1 + t_2 + t_3`. This is the small-batch regime of this page,
#       where overhead dominates.
#
# 5. **Programming task.** Profile 10 training steps of the MLP at batch 64 with
#    ``torch.profiler.schedule(wait=2, warmup=2, active=6)`` and
#    ``prof.step()`` after each step, so that warm-up steps are left out
#    automatically; print the table of the active steps.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          from torch.profiler import schedule
#
#          net = make_mlp()
#          optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
#          X, y = X_all[:64], y_all[:64]
#          with profile(activities=[ProfilerActivity.CPU],
#                       schedule=schedule(wait=2, warmup=2, active=6)) as prof:
#              for _ in range(10):
#                  train_step(net, optimizer, X, y)
#                  prof.step()
#          print(prof.key_averages().table(sort_by="self_cpu_time_total",
#                                          row_limit=8))
#
#       The ``# of Calls`` column counts the 6 active steps only: ``aten::addmm``
#       shows 12 calls, two linear layers times six steps.
