"""
Hardware: compute, memory bandwidth and the roofline
====================================================

Two numbers describe a processor well enough to predict the speed of most layers of
a network: how many floating-point operations it can do per second, and how many
bytes per second it can move between memory and its cores. This page measures both
on the machine that builds it, with a matrix product and with large copies, prints
what the operating system says about the CPU and its caches, and draws a *roofline*:
the fastest speed an operator can reach given how many operations it does per byte
it moves. Then it places the course's layers on it (a linear layer at batch 1 and
256, convolutions of LeNet and ResNet size, an attention score matrix, elementwise
ReLU and addition), from operation and byte counts worked out by hand and checked,
and measures each one.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * read the CPU model, core count and cache sizes from Linux
      * measure a matrix-product rate in GFLOP/s and a memory bandwidth in GB/s,
        counting bytes read and written correctly
      * arithmetic intensity (FLOPs per byte) and the roofline
        :math:`\\min(\\text{peak}, I \\times \\text{bandwidth})`
      * count the FLOPs and bytes of linear, convolution, attention and
        elementwise layers by hand, checked against
        ``torch.utils.flop_counter.FlopCounterMode``

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`03_automatic_parallelism` (threads) and
        :doc:`02_asynchronous_computation` (per-call overhead)
      * convolutions: :doc:`../07_convolutional_networks/01_convolutions`; the
        cost of a convolution: :doc:`../08_model_development/02_resnet`
      * matrix products: :doc:`../02_preliminaries/03_linear_algebra`
      * data: random tensors only (the page times operators)
"""

# sphinx_gallery_thumbnail_number = 1

import os
import platform
import time
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

import handson

handson.seed(0)

# %%
# What the machine says about itself
# ----------------------------------
#
# D2L's section on hardware describes the parts of a computer: cores with vector
# units that do several multiply-adds per instruction, caches (L1 per core, L2 per
# core or shared, L3 shared) that keep recently used data close, main memory
# behind them, and buses to accelerators and disks. On Linux, ``/proc/cpuinfo``
# names the processor and ``/sys/devices/system/cpu/cpu0/cache`` describes the
# caches that core 0 sees. Other systems have neither; the page then says so and
# goes on.


def cpu_model():
    """The CPU's name from /proc/cpuinfo, else what Python's platform module knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "Hardware", "cpu model"):
                return value.strip()
    return platform.processor() or platform.machine()


def cpu_caches():
    """(level, type, size, shared by CPUs) of each cache of CPU 0, where Linux says."""
    root = Path("/sys/devices/system/cpu/cpu0/cache")
    caches = []
    for index in sorted(root.glob("index*")):
        try:
            fields = [(index / f).read_text().strip()
                      for f in ("level", "type", "size", "shared_cpu_list")]
        except OSError:
            continue
        caches.append(tuple(fields))
    return caches


num_threads = torch.get_num_threads()
print(f"CPU: {cpu_model()}; os.cpu_count() = {os.cpu_count()}; "
      f"torch {torch.__version__} with {num_threads} intra-op threads")
if hasattr(os, "getloadavg"):
    print(f"load average over the last minute: {os.getloadavg()[0]:.2f} "
          "(other programs compete for the cores)")
caches = cpu_caches()
if caches:
    for level, kind, size, shared in caches:
        print(f"  L{level} {kind:12s} {size:>8s}  shared by CPUs {shared}")
else:
    print("  no cache information (/sys/devices/system/cpu/cpu0/cache is missing)")


def size_in_bytes(text):
    units = {"K": 2 ** 10, "M": 2 ** 20, "G": 2 ** 30}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


largest_cache = max((size_in_bytes(c[2]) for c in caches), default=32 * 2 ** 20)

# %%
# Compute: the matrix-product rate
# --------------------------------
#
# A product of two :math:`n \times n` matrices does :math:`n^3` multiply-adds, or
# :math:`2n^3` floating-point operations (FLOPs), counting the multiplication and
# the addition separately, as is the convention. Dividing by the best time over a
# few repeats gives the rate in GFLOP/s (:math:`10^9` FLOPs per second). On an
# idle machine it grows with :math:`n` until the work hides the fixed costs and the
# cores are busy; on a busy one, long products are interrupted more often and can
# come out slower than short ones (the sweep below shows what this run got). The
# best rate we see is our stand-in for the machine's *peak* (the vendor's peak,
# all vector units busy every cycle, is higher still).


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


def best_times(fns, rounds=3, repeats=3):
    """Best time of each function in ``fns`` (a dict), over rounds through all.

    Going round all of them several times, rather than timing one after the other,
    spreads a busy moment of the machine over all measurements alike.
    """
    best = {name: float("inf") for name in fns}
    for round_ in range(rounds):
        for name, fn in fns.items():
            t = best_time(fn, repeats=repeats, warmup=1 if round_ == 0 else 0)
            best[name] = min(best[name], t)
    return best


sizes = [128, 256, 512, 1024, 2048] if not handson.is_quick() else [128, 256, 512]
matrices = {n: (torch.randn(n, n), torch.randn(n, n)) for n in sizes}
sweep = best_times({n: (lambda A=A, B=B: A @ B) for n, (A, B) in matrices.items()})
matmul_gflops = {}
for n, t in sweep.items():
    matmul_gflops[n] = 2 * n ** 3 / t / 1e9
    print(f"matmul {n:4d} x {n:4d}: {1e3 * t:8.2f} ms, "
          f"{matmul_gflops[n]:6.1f} GFLOP/s")
peak = max(matmul_gflops.values())
print(f"best measured rate (our 'peak'): {peak:.1f} GFLOP/s")

# %%
# Memory: the bandwidth
# ---------------------
#
# To measure main memory and not a cache, the arrays must be much larger than the
# largest cache: we use arrays of at least four times its size (smaller in quick
# mode). Bandwidth is bytes moved per second, and we count every byte the
# operation reads or writes, in
# 32-bit floats of 4 bytes: a copy ``dst.copy_(src)`` of :math:`N` elements reads
# :math:`4N` bytes and writes :math:`4N`, so :math:`8N`; an addition ``torch.add(a,
# b, out=c)`` reads two arrays and writes one, :math:`12N`. We write into arrays
# allocated beforehand (``out=``): a fresh result would add the time to obtain
# new memory pages from the operating system. (Hardware may move more than we
# count: many CPUs read a cache line before overwriting it. The numbers below
# follow the STREAM benchmark's convention of counting what the program asks for.)

N = max(2 ** 25, largest_cache)  # elements: 4 bytes each, so >= 4x the cache
N = handson.shrink(N, 2 ** 23)
a, b, c = torch.randn(N), torch.randn(N), torch.empty(N)
bw_times = best_times({"copy": lambda: c.copy_(a),
                       "add": lambda: torch.add(a, b, out=c)})
t_copy, t_add = bw_times["copy"], bw_times["add"]
bw_copy, bw_add = 8 * N / t_copy / 1e9, 12 * N / t_add / 1e9
bandwidth = max(bw_copy, bw_add)
print(f"arrays of {N:,} floats ({4 * N / 2 ** 20:.0f} MiB each, largest cache "
      f"{largest_cache / 2 ** 20:.0f} MiB)")
print(f"copy: {bw_copy:.1f} GB/s, add: {bw_add:.1f} GB/s; "
      f"bandwidth used below: {bandwidth:.1f} GB/s")

# %%
# D2L quotes latency numbers from Eliot Eshelman's collection in its table
# "Common Latency Numbers"; a few of its rows, as D2L gives them, next to what our
# measured bandwidth implies for reading 1 MB from main memory:

d2l_latency_table = [  # (action, time in ns), as in D2L's table
    ("L1 cache reference/hit", 1.5),
    ("L2 cache reference/hit", 5),
    ("L3 cache hit (unshared cache)", 16),
    ("64MB memory ref. (local CPU)", 46),
    ("Transfer 1MB to/from PCI-E GPU", 80_000),
    ("Read 1MB sequentially from NVMe SSD", 208_000),
    ("Round trip within same data center", 500_000),
    ("Read 1MB sequentially from disk", 5_000_000),
]


def duration(ns):
    for unit, scale in [("ms", 1e6), ("us", 1e3)]:
        if ns >= scale:
            return f"{ns / scale:g} {unit}"
    return f"{ns:g} ns"


for action, ns in d2l_latency_table:
    print(f"  {action:38s} {duration(ns):>10s}   (D2L's table)")
print(f"  {'Read 1MB from memory, this machine':38s} "
      f"{duration(round(1e6 / bandwidth, 1)):>10s}   (measured bandwidth)")

# %%
# Arithmetic intensity and the roofline
# -------------------------------------
#
# An operator that does :math:`F` FLOPs and must move :math:`Q` bytes between
# memory and the cores has *arithmetic intensity* :math:`I = F / Q` FLOPs per
# byte. It cannot run faster than the peak rate, and it cannot run faster than
# the memory delivers its bytes, :math:`I \times \text{bandwidth}`. So the
# attainable rate is
#
# .. math::
#
#    P(I) = \min\left(P_\text{peak},\; I \times B\right).
#
# On a log-log plot this is a roof: a slope where operators are *memory-bound*,
# a flat ceiling where they are *compute-bound*, meeting at the *ridge point*
# :math:`I^* = P_\text{peak} / B`.
#
# Counting by hand, for 32-bit floats, with the minimum traffic (each input,
# weight and output moved once):
#
# * **Linear layer**, batch :math:`b`, :math:`d_\text{in} \to d_\text{out}`:
#   :math:`F = 2 b d_\text{in} d_\text{out}` (the bias adds :math:`b d_\text{out}`
#   more, which ``FlopCounterMode`` leaves out, and so do we);
#   :math:`Q = 4(b d_\text{in} + d_\text{in} d_\text{out} + d_\text{out} +
#   b d_\text{out})`. At :math:`b = 1` the weights dominate :math:`Q` and
#   :math:`I \approx 1/2`: each weight is used once. At :math:`b = 256` each weight
#   is reused 256 times.
# * **Convolution**, batch :math:`b`, :math:`c_\text{in} \to c_\text{out}`
#   channels, :math:`k \times k` kernel, output :math:`h \times w`:
#   :math:`F = 2 b c_\text{out} h w c_\text{in} k^2`; :math:`Q = 4` (input +
#   weights + bias + output).
# * **Attention scores** :math:`\mathbf{Q}\mathbf{K}^\top` for :math:`b` sequences
#   (batch times heads) of length :math:`T` and width :math:`d`:
#   :math:`F = 2 b T^2 d`, :math:`Q = 4(2 b T d + b T^2)`.
# * **Elementwise** ReLU or addition of :math:`N` values: one FLOP per element (by
#   convention; a ReLU is a comparison), :math:`Q = 8N` for ReLU, :math:`12N` for
#   an addition: :math:`I = 1/8` and :math:`1/12`, whatever :math:`N`.
#
# Each layer below is a function, the tensors it reads and writes, and the hand
# counts. Sizes: the MLP's first layer (784 to 256), LeNet's second convolution
# (6 to 16 channels, :math:`5 \times 5`, batch 256), a :math:`3 \times 3`
# convolution of the kind a ResNet stacks (32 to 32 channels, :math:`28 \times 28`,
# batch 64), attention scores at :math:`T = 64`, :math:`d = 64` for 32 sequences
# times heads, and elementwise operators on the large arrays of the bandwidth test.


def linear(batch, d_in=784, d_out=256):
    X, W, bias = torch.randn(batch, d_in), torch.randn(d_out, d_in), torch.randn(d_out)
    Y = torch.empty(batch, d_out)
    flops = 2 * batch * d_in * d_out
    nbytes = 4 * (batch * d_in + d_in * d_out + d_out + batch * d_out)
    return (lambda: F.linear(X, W, bias)), [X, W, bias, Y], flops, nbytes


def conv(batch, c_in, c_out, k, size, padding):
    X = torch.randn(batch, c_in, size, size)
    W, bias = torch.randn(c_out, c_in, k, k), torch.randn(c_out)
    out = size + 2 * padding - k + 1
    Y = torch.empty(batch, c_out, out, out)
    flops = 2 * batch * c_out * out * out * c_in * k * k
    nbytes = 4 * (batch * c_in * size * size + c_out * c_in * k * k + c_out
                  + batch * c_out * out * out)
    return ((lambda: F.conv2d(X, W, bias, padding=padding)), [X, W, bias, Y],
            flops, nbytes)


def attention_scores(batch, T, d):
    Q, K = torch.randn(batch, T, d), torch.randn(batch, T, d)
    S = torch.empty(batch, T, T)
    return ((lambda: torch.bmm(Q, K.transpose(1, 2))), [Q, K, S],
            2 * batch * T * T * d, 4 * (2 * batch * T * d + batch * T * T))


layers = {
    "linear, batch 1": linear(1),
    "linear, batch 256": linear(256),
    "LeNet conv 5x5": conv(256, 6, 16, 5, 14, 0),
    "ResNet conv 3x3": conv(handson.shrink(64, 8), 32, 32, 3, 28, 1),
    "attention QK^T, T=64": attention_scores(32, 64, 64),
    "ReLU": ((lambda: torch.clamp_min(a, 0, out=c)), [a, c], N, 8 * N),
    "add": ((lambda: torch.add(a, b, out=c)), [a, b, c], N, 12 * N),
}

# %%
# Two checks of the hand counts. The bytes: the sum of the sizes of the tensors
# each layer reads and writes must equal the formula. The FLOPs: PyTorch's
# ``FlopCounterMode`` counts the FLOPs of matrix products, convolutions and
# attention by its own formulas as the operators run, and must agree exactly. It
# counts nothing for elementwise operators, which it treats as free.

for name, (fn, tensors, flops, nbytes) in layers.items():
    assert nbytes == sum(t.numel() * t.element_size() for t in tensors), name
    with FlopCounterMode(display=False) as counter:
        fn()
    counted = counter.get_total_flops()
    if name in ("ReLU", "add"):
        assert counted == 0, (name, counted)
    else:
        assert counted == flops, (name, counted, flops)
    print(f"{name:22s} FLOPs {flops:13,d} (counter: {counted:13,d})  "
          f"bytes {nbytes:12,d}  intensity {flops / nbytes:7.3f} FLOP/byte")

# %%
# Now each layer is timed (best of repeats) and its achieved rate, hand FLOPs
# over time, becomes a dot on the roofline. The layers' products are matrix
# products too: if one of them ran faster than the sweep above (a short kernel can
# slip between interruptions by other programs that a long one cannot avoid), its
# rate becomes the 'peak', so that the roof stays an upper bound of what we saw.

layer_times = best_times({name: layer[0] for name, layer in layers.items()})
achieved = {name: flops / layer_times[name] / 1e9
            for name, (fn, tensors, flops, nbytes) in layers.items()}
# the layers that multiply matrices with reuse (batch 1 is a matrix-vector product)
products = [n for n in layers if n not in ("linear, batch 1", "ReLU", "add")]
if max(achieved[n] for n in products) > peak:  # a layer beat the sweep
    peak = max(achieved[n] for n in products)
    print(f"a layer's matrix product ran faster than the sweep: 'peak' = "
          f"{peak:.1f} GFLOP/s")
for name, (fn, tensors, flops, nbytes) in layers.items():
    bound = min(peak, flops / nbytes * bandwidth)
    print(f"{name:22s} {1e3 * layer_times[name]:9.3f} ms  "
          f"{achieved[name]:7.2f} GFLOP/s  (roofline allows {bound:7.2f}, "
          f"{100 * achieved[name] / bound:5.1f}%)")

ridge = peak / bandwidth
print(f"ridge point: {ridge:.2f} FLOP/byte")
for name, (fn, tensors, flops, nbytes) in layers.items():
    side = "compute-bound" if flops / nbytes > ridge else "memory-bound"
    print(f"  {name:22s} intensity {flops / nbytes:7.3f}: {side} on this machine")
ratio = achieved["linear, batch 256"] / achieved["ReLU"]
big = peak / achieved["ReLU"]
print(f"best matmul rate / ReLU achieved rate: {big:.0f}x; "
      f"linear at batch 256 / ReLU: {ratio:.0f}x")
handson.check("best matmul rate / ReLU rate", big, ">=", 10)

intensities = torch.logspace(-2, 3, 200).tolist()
fig, ax = plt.subplots(figsize=(7, 4.8))
ax.loglog(intensities, [min(peak, i * bandwidth) for i in intensities], "k-",
          label=f"roofline: {peak:.0f} GFLOP/s, {bandwidth:.1f} GB/s")
ax.axvline(ridge, color="grey", ls=":", lw=1)
label_offsets = {"linear, batch 256": (6, -12), "LeNet conv 5x5": (-6, 8),
                 "attention QK^T, T=64": (-6, 8), "add": (6, -10)}
for name, (fn, tensors, flops, nbytes) in layers.items():
    ax.plot(flops / nbytes, achieved[name], "o")
    dx, dy = label_offsets.get(name, (6, 4))
    ax.annotate(name, (flops / nbytes, achieved[name]), fontsize=8,
                xytext=(dx, dy), textcoords="offset points",
                ha="right" if dx < 0 else "left")
ax.set(xlabel="arithmetic intensity (FLOP/byte)", ylabel="GFLOP/s",
       title=f"roofline of {cpu_model()[:40]}, {num_threads} thread(s)")
ax.legend(loc="lower right", fontsize=8)
fig.tight_layout()
plt.show()

# %%
# Reading the roofline
# --------------------
#
# The elementwise operators sit at the far left, with intensities of
# :math:`1/8` and :math:`1/12`: however fast the cores, they go at the speed of
# memory, and their achieved rate is a small fraction of the matrix product's
# (the ratio is checked above with a wide margin). A linear layer at batch 1 reads
# every weight to use it once; its intensity is about :math:`1/2`. This is why
# inference one example at a time is memory-bound on any machine whose ridge point
# lies above :math:`1/2`, and why batching helps: the batch-256 layer moves far to
# the right. Convolutions reuse each weight at every position and each input under
# every kernel tap, and the attention score matrix reuses each query and key
# :math:`T` times; whether that is enough to reach the ceiling depends on the
# machine's ridge point, and the list printed above says, for this machine, which
# layers are memory-bound and which compute-bound. Dots under the roof show how
# far a kernel is from what the machine allows: small operators pay the fixed
# per-call overhead of :doc:`02_asynchronous_computation`, some kernels are
# simply less tuned than the large matrix product, and on a busy machine a long
# kernel is interrupted by other programs more often than a short one.
#
# Two honest caveats. The roof uses main-memory bandwidth; a small operator whose
# tensors fit in a cache can rise above the slope, because caches are faster
# (a full roofline has one slope per level of the memory hierarchy). And our peak
# is a measured matrix product on the threads we had, not the vendor's number.
# The same picture holds for a GPU with its own two numbers: divide the peak of its
# data sheet by its memory bandwidth to find its ridge point, and place the layers
# by the same intensities.
#
# Summary
# -------
#
# * A processor has a peak rate (GFLOP/s) and a memory bandwidth (GB/s); measure
#   them with a large matrix product and with copies over arrays much larger than
#   the caches, counting bytes read plus bytes written.
# * Arithmetic intensity, FLOPs per byte moved, decides which one limits an
#   operator: attainable rate :math:`= \min(P_\text{peak}, I \times B)`.
# * Elementwise operators and batch-1 linear layers have intensities below one
#   FLOP per byte and are memory-bound; batched linear layers, convolutions and
#   attention scores reuse their data and sit tens of times further right.
# * FLOP counts by hand agree exactly with ``FlopCounterMode``, which counts
#   matrix products and convolutions only.
#
# Exercises
# ---------
#
# 1. Compute by hand the intensity of the MLP's first linear layer at batch 16.
#    Which batch size puts it at this machine's ridge point?
#
#    .. dropdown:: Hint
#
#       :math:`I(b) = 2 b \cdot 784 \cdot 256 / (4(784 b + 784 \cdot 256 + 256 +
#       256 b))`; solve :math:`I(b) = I^*` for :math:`b`, with :math:`I^*` printed
#       above. As :math:`b` grows, :math:`I(b)` approaches
#       :math:`2 \cdot 784 \cdot 256 / (4 \cdot 1040) \approx 96`.
#
# 2. Fusing ReLU into the preceding linear layer (one kernel that applies the
#    ReLU before writing the product, as a compiler can generate; see
#    :doc:`01_compilers_and_interpreters`) saves one write and one read of the
#    activations. How many bytes does it save for a batch of 256 at width 256?
#
#    .. dropdown:: Answer
#
#       The separate ReLU reads and writes :math:`256 \times 256` floats:
#       :math:`8 \cdot 65{,}536 = 524{,}288` bytes, all of which a fused kernel
#       avoids (it applies the ReLU before writing the output once).
#
# 3. D2L's exercise: how could you measure the cache sizes of a CPU? Time
#    ``c.copy_(a)`` for arrays from 4 KB to 256 MB and plot the bandwidth.
#
#    .. dropdown:: Answer
#
#       The bandwidth falls in steps as the arrays outgrow each cache level; the
#       steps lie near the sizes listed in ``/sys/devices/system/cpu/cpu0/cache``
#       (for the copy, count both arrays).
#
# 4. D2L's table lists an L1 cache hit at 1.5 ns and a 64 MB memory reference at
#    46 ns. Why can a copy still move gigabytes per second from memory, when one
#    reference takes tens of nanoseconds?
#
#    .. dropdown:: Answer
#
#       A sequential copy reads whole cache lines (64 bytes) in bursts, the
#       hardware prefetcher requests lines before they are needed, and many
#       requests are in flight at once; latency is paid once per stream, not per
#       element. Random access would pay it every time.
#
# 5. **Programming task.** Write ``roofline_point(fn, flops, nbytes)`` that returns
#    the intensity and the achieved GFLOP/s of ``fn`` and add a ``LayerNorm`` over
#    :math:`256 \times 256` activations (count about 8 FLOPs per element, read
#    and write once) to the plot.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def roofline_point(fn, flops, nbytes):
#              t = best_time(fn, repeats=10)
#              return flops / nbytes, flops / t / 1e9
#
#
#          X = torch.randn(256, 256)
#          layer_norm = torch.nn.LayerNorm(256)
#          with torch.no_grad():
#              I, rate = roofline_point(lambda: layer_norm(X), 8 * X.numel(),
#                                       4 * (2 * X.numel() + 2 * 256))
#          ax.plot(I, rate, "s")
#
#       The intensity is about 1 FLOP per byte: memory-bound. The activations fit
#       in the cache here, so the dot may sit above the main-memory slope.
