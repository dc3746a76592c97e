"""
Automatic parallelism
=====================

A CPU has several cores, and PyTorch uses them in two ways. *Intra-op* parallelism
splits one operator, a matrix product or a convolution, across threads. *Inter-op*
parallelism runs independent operators, two branches of a network that do not
depend on each other, at the same time. This page measures both on the machine that
builds it: the speed of a matrix product, a convolution and a tiny operator against
``torch.set_num_threads(k)``, and two independent chains of matrix products run one
after the other and side by side.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * intra-op threads: ``torch.set_num_threads``, speed-up and parallel
        efficiency, and why small operators do not get faster with more threads
      * inter-op parallelism: independent branches run side by side with Python
        threads (PyTorch's kernels release the GIL), and what ``torch.jit.fork``
        does in today's PyTorch, where it is deprecated
      * to set the thread count deliberately when running several things at once,
        and to restore it afterwards

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`02_asynchronous_computation` (frontend and backend, the overhead of an
        operator call)
      * convolutions: :doc:`../07_convolutional_networks/01_convolutions`
      * data: random tensors only (the page times operators)
"""

# sphinx_gallery_thumbnail_number = 1

import os
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson

handson.seed(0)
original_threads = torch.get_num_threads()
# the cores this process may use (a container can see more than it is given)
num_cpus = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1)
backend = [line.strip() for line in torch.__config__.parallel_info().splitlines()
           if line.startswith("ATen parallel backend")]
print(f"torch {torch.__version__}; usable cores: {num_cpus}; "
      f"intra-op threads {original_threads}, inter-op threads "
      f"{torch.get_num_interop_threads()}; {backend[0] if backend else ''}")
if hasattr(os, "getloadavg"):
    print(f"load average over the last minute: {os.getloadavg()[0]:.2f} "
          "(other programs compete for the cores)")

# %%
# Intra-op parallelism
# --------------------
#
# D2L notes that a single operator typically uses all the computational resources
# of the CPUs. In PyTorch that is the *intra-op* thread pool (OpenMP in the usual
# builds): a kernel cuts its work into chunks (blocks of a matrix product, slices
# of a batch) and gives each thread some. ``torch.get_num_threads()`` reports the
# pool's size, by default the number of physical cores; ``torch.set_num_threads(k)``
# changes it for the whole process, and the environment variable
# ``OMP_NUM_THREADS`` sets it before PyTorch starts.
#
# If one thread takes time :math:`T_1` and :math:`k` threads take :math:`T_k`, the
# *speed-up* is :math:`S_k = T_1 / T_k` and the *parallel efficiency*
# :math:`E_k = S_k / k`; :math:`E_k = 1` is perfect use of :math:`k` cores. If a
# fraction :math:`p` of the work can be split and the rest cannot, Amdahl's law
# bounds the speed-up:
#
# .. math::
#
#    S_k \le \frac{1}{(1 - p) + p / k}.
#
# The serial part includes the fixed cost of an operator call, measured in
# :doc:`02_asynchronous_computation`, and the cost of waking and joining the
# threads. For a tiny operator that is nearly everything, so :math:`p` is close
# to 0 and threads cannot help; PyTorch does not even try for elementwise operators
# under a grain size of 32,768 elements. We time three operators at every thread
# count: a large matrix product, a :math:`3 \times 3` convolution on a batch of
# feature maps, and the addition of two vectors of 1,000 elements.


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


n = handson.shrink(1024, 256)
A = torch.randn(n, n)
conv = nn.Conv2d(32, 32, kernel_size=3, padding=1)
X_conv = torch.randn(handson.shrink(32, 4), 32, 28, 28)
v = torch.randn(1000)


def many_adds(n=1000):
    for _ in range(n):
        v + v


workloads = {
    f"matmul {n}x{n}": (lambda: A @ A, 1),
    f"conv 3x3, {X_conv.shape[0]}x32x28x28": (lambda: conv(X_conv), 1),
    "add, 1,000 elements": (many_adds, 1000),  # timed 1,000 calls at a time
}

# 1, 2, ..., cpu_count on small machines; powers of two and cpu_count on big ones
thread_counts = (list(range(1, num_cpus + 1)) if num_cpus <= 8 else
                 sorted({2 ** i for i in range(num_cpus.bit_length())} | {num_cpus}))
best = {(name, k): float("inf") for name in workloads for k in thread_counts}
outputs = {}
try:
    with torch.no_grad():
        # rounds over all thread counts, so that a busy moment of the machine
        # hits every setting alike; keep the best time of each
        for _ in range(handson.shrink(5, 2)):
            for k in thread_counts:
                torch.set_num_threads(k)
                for name, (fn, calls) in workloads.items():
                    outputs[name, k] = fn()  # warm-up, and the result to compare
                    best[name, k] = min(best[name, k],
                                        best_time(fn, repeats=1, warmup=0) / calls)
finally:
    torch.set_num_threads(original_threads)  # restore, whatever happened
assert torch.get_num_threads() == original_threads
times = {name: [best[name, k] for k in thread_counts] for name in workloads}
outputs = {key: out for key, out in outputs.items() if out is not None}

for name in workloads:
    for k in thread_counts:  # the same result, whatever the number of threads
        if (name, k) in outputs:
            torch.testing.assert_close(outputs[name, k], outputs[name, 1],
                                       rtol=1e-4, atol=1e-4)
    speedups = [times[name][0] / t for t in times[name]]
    print(f"{name}:")
    for k, t, s in zip(thread_counts, times[name], speedups):
        print(f"  {k:3d} threads: {1e3 * t:9.4f} ms, speed-up {s:5.2f}, "
              f"efficiency {s / k:4.2f}")

# %%
# The outputs agree at every thread count (up to rounding: with more threads a
# matrix product may add its partial sums in another order). Now the picture.

fig, ax = plt.subplots(figsize=(5.5, 4))
for name in workloads:
    ax.plot(thread_counts, [times[name][0] / t for t in times[name]], "o-",
            label=name)
ax.plot(thread_counts, thread_counts, "k--", lw=1, label="ideal (speed-up = k)")
ax.set(xlabel="intra-op threads k", ylabel="speed-up over 1 thread",
       title="intra-op parallelism on this machine")
ax.set_xticks(thread_counts)
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
# What to read in the plot depends on the machine that built this page, so the
# code says it:

k_max = thread_counts[-1]
for name in workloads:
    s = times[name][0] / times[name][-1]
    verdict = ("faster" if s > 1.2 else "no faster" if s > 0.8 else "slower")
    print(f"{name}: {k_max} threads were {verdict} than 1 "
          f"(speed-up {s:.2f}, efficiency {s / k_max:.2f})")

# %%
# On an idle machine we expect the matrix product and the convolution to scale
# well, because each has millions of multiply-adds to share out; the addition of
# 1,000 elements cannot scale, since it runs on one thread whatever we set. When other
# programs share the cores (as on the machines that build this course), a kernel
# with :math:`k` threads must wait for the slowest of them at the end of every
# parallel region, and a thread that lost its core to another program delays all
# the others: speed-ups can then fall below 1. This is why a server that runs
# several processes sets ``OMP_NUM_THREADS`` so that processes times threads does
# not exceed the cores, and why data-parallel training
# (:doc:`06_distributed_data_parallel`) gives each process its own share of the
# cores.
#
# Inter-op parallelism: independent branches
# ------------------------------------------
#
# D2L's section runs the same work on two GPUs and shows that the framework
# overlaps them when nothing forces it to wait; it needs two GPUs. On a CPU the
# question is the same: two branches that do not depend on each other, say two
# towers of a network, could run at the same time, one per core. We build two
# independent chains of matrix products with a nonlinearity in between, and set
# the intra-op threads to 1, so that each branch can use only one core and any
# speed-up must come from running the branches side by side.

torch.set_num_threads(1)
size, depth = handson.shrink(512, 128), handson.shrink(10, 4)
W = torch.randn(size, size) / size ** 0.5
x1, x2 = torch.randn(size, size), torch.randn(size, size)


def chain(x):
    for _ in range(depth):
        x = torch.tanh(x @ W)
    return x


def sequential():
    return chain(x1), chain(x2)


# %%
# **torch.jit.fork.** PyTorch's own tool for this was ``torch.jit.fork(fn, x)``,
# which returns a ``torch.futures.Future`` at once, and ``torch.jit.wait(future)``,
# which waits for its value. It runs tasks in parallel only inside TorchScript
# (``torch.jit.script``); called from plain Python it runs ``fn`` right away and
# returns a future that is already done. TorchScript is deprecated in favour of
# ``torch.compile``, and so is ``fork``, as the installed version says:

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    future = torch.jit.fork(chain, x1)
    done_at_once = future.done()
    y1_fork = torch.jit.wait(future)
print(f"future done before wait: {done_at_once}")
for w in caught:
    print(f"warning: {w.message}")
torch.testing.assert_close(y1_fork, chain(x1), rtol=0, atol=0)

# %%
# **Python threads.** What remains in plain Python is a thread per branch. The
# global interpreter lock (GIL) lets only one thread run Python at a time, but
# PyTorch releases it while a kernel runs, so two kernels in two threads can
# occupy two cores. ``concurrent.futures.ThreadPoolExecutor`` hands out the
# branches and returns futures; ``result()`` waits for each. (Each thread starts
# with the process-wide intra-op setting, 1 here; the function records it.)

threads_seen = []


def chain_in_thread(x):
    threads_seen.append(torch.get_num_threads())
    return chain(x)


executor = ThreadPoolExecutor(max_workers=2)


def two_threads():
    f1 = executor.submit(chain_in_thread, x1)
    f2 = executor.submit(chain_in_thread, x2)
    return f1.result(), f2.result()


y_seq, y_par = sequential(), two_threads()
for a, b in zip(y_seq, y_par):  # same kernels, one thread each: same bits
    torch.testing.assert_close(a, b, rtol=0, atol=0)
print(f"intra-op threads inside the worker threads: {sorted(set(threads_seen))}")

t_seq, t_par = float("inf"), float("inf")
for _ in range(handson.shrink(5, 2)):  # alternate, keep the best of each
    t_seq = min(t_seq, best_time(sequential, repeats=1))
    t_par = min(t_par, best_time(two_threads, repeats=1))
executor.shutdown()
torch.set_num_threads(original_threads)
assert torch.get_num_threads() == original_threads
flops = 2 * 2 * depth * size ** 3
print(f"two chains of {depth} products of {size}x{size} ({flops / 1e9:.2f} GFLOP):")
print(f"  one after the other: {1e3 * t_seq:7.1f} ms")
print(f"  two Python threads:  {1e3 * t_par:7.1f} ms, "
      f"speed-up {t_seq / t_par:.2f} on {num_cpus} cores")
if t_seq / t_par > 1.2:
    print("The branches overlapped: they ran on two cores at the same time.")
else:
    print("No overlap measured here: the second core was busy (other programs), "
          "or there is only one core.")

# %%
# The results are equal bit for bit: each kernel did the same work with one thread.
# The measured speed-up, printed above, is bounded by 2 for two branches and
# reached only when both cores are free. With the default intra-op threads, each
# matrix product would already use all cores, and running the branches side by
# side would mostly make the threads of the two kernels compete: on a CPU, inter-op
# parallelism pays when the operators are too small to use all cores on their own
# (many small branches, as in the Inception block of
# :doc:`../09_modern_convolutional_networks/04_googlenet`), or to overlap
# computation with waiting (data loading, communication in
# :doc:`05_data_parallelism_from_scratch`). ``torch.compile``
# (:doc:`01_compilers_and_interpreters`), which the deprecation warning names
# instead, sees the whole graph and fuses its operators into fewer kernels; it
# does not promise to run independent branches side by side.
#
# .. note::
#
#    ``torch.set_num_threads`` is process-wide: a library or notebook cell that
#    lowers it slows everything after it. Restore the original value in a
#    ``finally`` block, as this page does.
#
# Summary
# -------
#
# * Intra-op parallelism splits one operator across the threads set by
#   ``torch.set_num_threads``; speed-up :math:`S_k = T_1/T_k` and efficiency
#   :math:`S_k/k` measure how well, and Amdahl's law bounds them by the serial
#   part.
# * Large matrix products and convolutions can use many cores; a small operator
#   runs on one thread and its fixed overhead does not shrink with threads.
# * Independent branches can run side by side in Python threads, because PyTorch's
#   kernels release the GIL; ``torch.jit.fork`` parallelises only inside
#   TorchScript, which is deprecated in favour of ``torch.compile``.
# * Threads compete for cores: processes times threads should not exceed the cores,
#   and measured speed-ups depend on what else the machine runs.
#
# Exercises
# ---------
#
# 1. D2L's first exercise asks whether the framework runs independent operations
#    in parallel by itself. Design that experiment for eager PyTorch on a CPU with
#    ``chain`` from this page, and predict the outcome.
#
#    .. dropdown:: Answer
#
#       With one intra-op thread, time ``chain(x1)`` alone and ``sequential()``.
#       If PyTorch overlapped the independent chains, the second would take about
#       as long as the first; expect about twice as long, because eager PyTorch
#       runs each operator to completion in the calling thread, in program order.
#       Overlap needs threads (this page), a compiler that schedules the graph, or
#       asynchronous devices such as GPUs.
#
# 2. Time the 1,000-element addition at 10,000,000 elements for each thread count.
#    Where does it start to scale, and why does it scale less than the matrix
#    product even then?
#
#    .. dropdown:: Hint
#
#       Above the grain size of 32,768 elements PyTorch splits the loop. An
#       addition does one operation per 12 bytes moved, so it is limited by memory
#       bandwidth, which the cores share: see :doc:`04_hardware`.
#
# 3. Set ``torch.set_num_threads(2)`` and rerun the two-thread experiment. What
#    happens on a 2-core machine, and why?
#
#    .. dropdown:: Answer
#
#       Four threads compete for two cores. The kernels' threads wait for each
#       other at the end of every parallel region, so the time is usually no
#       better, and often worse, than either scheme alone.
#
# 4. Why is the one-thread result bitwise equal between the sequential and the
#    threaded run, while the comparison across thread counts needs a tolerance?
#
#    .. dropdown:: Answer
#
#       With one thread per kernel both runs execute the same instructions in the
#       same order. With more threads, a matrix product may split the sum over the
#       inner dimension differently, and floating-point addition is not
#       associative.
#
# 5. **Programming task.** Write ``parallel_map(fn, xs, num_workers)`` that runs
#    ``fn`` on every tensor of ``xs`` with a thread pool and returns the results in
#    order, and check it equal to ``[fn(x) for x in xs]`` on four chains.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def parallel_map(fn, xs, num_workers):
#              with ThreadPoolExecutor(max_workers=num_workers) as pool:
#                  return list(pool.map(fn, xs))
#
#
#          xs = [torch.randn(size, size) for _ in range(4)]
#          torch.set_num_threads(1)
#          try:
#              for a, b in zip(parallel_map(chain, xs, 2), [chain(x) for x in xs]):
#                  torch.testing.assert_close(a, b, rtol=0, atol=0)
#          finally:
#              torch.set_num_threads(original_threads)
#
#       ``pool.map`` keeps the order of ``xs``; the ``with`` block shuts the pool
#       down.
