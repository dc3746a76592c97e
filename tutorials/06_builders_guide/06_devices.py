"""
Devices (CPU and GPU)
=====================

Every tensor lives somewhere: in the computer's main memory, where the CPU computes
on it, or in the memory of a GPU, where thousands of small cores compute on it in
parallel. Deep learning became practical when its matrix products moved to GPUs.
This page shows how PyTorch names those places (``torch.device``), how to move
tensors and models between them, which device an operation runs on, and what the
speed difference looks like: we time a matrix product of growing size on the CPU,
and on the GPU when the machine running the page has one. The page runs on any
machine, and says plainly when no GPU is present.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * name devices with ``torch.device``; ask ``torch.cuda.is_available()`` and
        ``torch.cuda.device_count()``; pick one with ``handson.device()``
      * move tensors and models with ``.to(device)``, and why operands on different
        devices raise an error
      * time GPU code correctly with ``torch.cuda.synchronize()``
      * measure the achieved GFLOP/s of a matrix product, :math:`2n^3` operations
        divided by the time

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * tensors and devices as first met in
        :doc:`../01_getting_started/01_fit_a_line`
      * :doc:`01_modules` (``nn.Module``) and :doc:`05_file_io` (``torch.save``)
      * data: random matrices drawn by the page itself (no download)
      * a GPU is optional: without one, the page times only the CPU and says so
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# A *device* is a memory together with the processor that computes on it. PyTorch
# names them by type and index: ``cpu`` (main memory, all CPU cores together),
# ``cuda:0``, ``cuda:1``, ... (the first, second, ... NVIDIA GPU; AMD GPUs with ROCm
# use the same name), ``mps`` (Apple silicon). Two rules follow from "memory plus
# processor":
#
# * an operation runs on the device where its operands are, and all of them must be
#   on the same device (PyTorch never copies behind your back, because copies are
#   slow);
# * to compute somewhere else, copy the data there first, with ``.to(device)``.
#
# To compare devices we time the product :math:`\mathbf{C} = \mathbf{A}\mathbf{B}`
# of two :math:`n \times n` matrices. Each of the :math:`n^2` entries
# :math:`c_{ij} = \sum_{k=1}^{n} a_{ik} b_{kj}` takes :math:`n` multiplications
# and :math:`n - 1` additions, about :math:`2n^3` floating-point operations (FLOPs)
# in all. Dividing by the measured time :math:`t` gives the achieved throughput,
#
# .. math::
#
#    \text{throughput} = \frac{2 n^3}{t} \ \text{FLOP/s},
#
# reported in GFLOP/s (:math:`10^9` FLOP/s).

import io
import os
import time

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson

handson.seed(0)

# %%
# Which devices are there?
# ------------------------
#
# ``torch.device`` only *names* a device; creating the name works on any machine.
# Whether the hardware is there is a separate question, asked with
# ``torch.cuda.is_available()`` and ``torch.cuda.device_count()``.

print(torch.device("cpu"), torch.device("cuda"), torch.device("cuda", 1))
has_gpu = torch.cuda.is_available()
print("CUDA available:", has_gpu)
print("number of GPUs:", torch.cuda.device_count())
gpus = [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
for gpu in gpus:
    print(f"  {gpu}: {torch.cuda.get_device_name(gpu)}")
print("CPU threads PyTorch uses:", torch.get_num_threads(),
      "| logical CPUs (os.cpu_count()):", os.cpu_count())
if not has_gpu:
    print("No GPU on this machine: everything below runs on the CPU, and the GPU "
          "parts of the page print a note instead.")

# %%
# ``os.cpu_count()`` counts *logical* CPUs: with simultaneous multithreading
# (Intel's Hyper-Threading) each physical core counts twice, and on a shared machine
# the process may be allowed to use fewer of them. PyTorch's default number of
# threads is its own choice and can differ from both.
#
# ``handson.device()``, used on every training page, returns the first CUDA GPU if
# there is one, else Apple's ``mps`` GPU if there is one, else the CPU; setting the
# environment variable ``HANDSON_DEVICE=cpu`` forces the CPU, to compare.

device = handson.device()
print("handson.device():", device)
assert device.type == "cuda" if has_gpu else device.type in ("mps", "cpu")

# %%
# Tensors on devices
# ------------------
#
# A new tensor is created on the CPU unless told otherwise; ``device=`` creates it
# elsewhere directly, and ``.to(device)`` copies an existing one.

x = torch.ones(2, 3)
print("x is on", x.device)
y = torch.ones(2, 3, device=device)
z = x.to(device)
print("y is on", y.device, "| z is on", z.device)
print("x.to(device) is x:", x.to(device) is x)
assert (x.to(device) is x) == (x.device == device)

# %%
# ``x.to(device)`` returns ``x`` itself when it is already there and a *copy*
# otherwise: a new tensor on the other device, leaving ``x`` where it was. The
# printed line shows which of the two happened on the machine that ran this page.
#
# An operation runs where its operands are, and its result stays there:

print("y + z is on", (y + z).device)
assert (y + z).device == y.device

# %%
# Operands on different devices
# -----------------------------
#
# Mixing devices is an error. On a machine with a GPU we add a CPU tensor to a GPU
# tensor. Without a GPU we cannot show that exact error; PyTorch's ``meta``
# device, which stores only a tensor's shape and dtype and no values, is on every
# machine and shows the same rule.

if has_gpu:
    other = torch.device("cuda")
else:
    other = torch.device("meta")
    print("No GPU on this machine: showing the device-mismatch error with the "
          "'meta' device instead of a GPU.")
try:
    torch.ones(3) + torch.ones(3, device=other)
    mismatch_raised = False
except RuntimeError as err:
    mismatch_raised = True
    print("RuntimeError:", err)
assert mismatch_raised

# %%
# The fix is always an explicit copy: ``torch.ones(3).to(other) + ...``. The one
# exception to the rule is a 0-dimensional CPU tensor (a scalar), which PyTorch
# passes to the other device as a plain number. With the same ``other`` device as
# above, a CPU scalar works and a one-element CPU tensor of dimension 1 does not:

scaled = torch.tensor(2.0) * torch.ones(3, device=other)
print("0-d CPU tensor times a tensor on", other, "-> result on", scaled.device)
assert scaled.device.type == other.type  # cuda:0 vs cuda on a GPU
try:
    torch.tensor([2.0]) * torch.ones(3, device=other)
except RuntimeError as err:
    print("1-d CPU tensor: RuntimeError:", err)
else:
    raise AssertionError("a 1-d CPU tensor was mixed with another device")

# %%
# Dtypes follow a similar rule in matrix products: ``float32`` times ``float64``
# is an error (elementwise operations instead promote to the wider type).

try:
    torch.ones(2, 2) @ torch.ones(2, 2, dtype=torch.float64)
    dtype_raised = False
except RuntimeError as err:
    dtype_raised = True
    print("RuntimeError:", err)
print("float32 + float64 gives",
      (torch.ones(2) + torch.ones(2, dtype=torch.float64)).dtype)
assert dtype_raised

# %%
# .. warning::
#
#    NumPy, matplotlib and Python numbers live in main memory. ``x.numpy()``
#    refuses a GPU tensor; write ``x.cpu().numpy()``. ``x.item()`` and ``print(x)``
#    copy to the CPU silently, and each copy makes the CPU wait until the GPU has
#    finished all the work queued before it (the queue is explained below). In a
#    training loop, a ``loss.item()`` on every step therefore stops the CPU from
#    queueing the next steps while the GPU works; summing the losses on the device
#    and calling ``.item()`` once per epoch avoids that wait.
#
# Models on devices
# -----------------
#
# ``net.to(device)`` moves every parameter and buffer of a model. Unlike
# ``Tensor.to``, it changes the module *in place* and returns the same object, so
# ``net = net.to(device)`` and ``net.to(device)`` do the same thing. The input must
# then be on the same device as the parameters.

net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
moved = net.to(device)
print("net.to(device) is net:", moved is net)
print("parameter devices:", {p.device for p in net.parameters()})
X = torch.rand(2, 3, device=device)
print("net(X) is on", net(X).device)
assert moved is net
assert all(p.device == X.device for p in net.parameters())

# %%
# A model saved on one device loads back onto that device; ``map_location`` in
# ``torch.load`` chooses another one, for example ``map_location="cpu"`` to open a
# GPU checkpoint on a laptop. To see it move something on any machine, we save the
# state dict (on ``device``) and load it once plainly and once with
# ``map_location="meta"``:

buffer = io.BytesIO()
torch.save(net.state_dict(), buffer)
buffer.seek(0)
state = torch.load(buffer, weights_only=True)
buffer.seek(0)
state_meta = torch.load(buffer, map_location="meta", weights_only=True)
print("saved from:             ", {p.device for p in net.parameters()})
print("loaded without map_location:", {t.device for t in state.values()})
print("loaded with map_location='meta':", {t.device for t in state_meta.values()})
net_device = next(net.parameters()).device  # cuda:0, not just cuda, on a GPU
assert all(t.device == net_device for t in state.values())
assert all(t.device.type == "meta" for t in state_meta.values())
assert all(state_meta[k].shape == state[k].shape for k in state)

# %%
# Timing a matrix product
# -----------------------
#
# Now the speed. A GPU runs *asynchronously*: a call like ``A @ B`` only puts the
# work in a queue on the GPU and returns to Python at once, while the GPU computes.
# A timer around the call then measures the queueing, not the work.
# ``torch.cuda.synchronize()`` waits until the GPU has finished everything queued,
# so we call it before starting the clock (to finish earlier work) and before
# stopping it. The CPU computes synchronously and needs no such call.
#
# Two more details make timings fair: the first call on a device is slow (it loads
# libraries and picks algorithms), so we run one product before timing; and other
# programs on the machine disturb single runs, so we repeat (at least 3 times, and
# up to 200 times until half a second has passed) and keep the fastest run, the
# least disturbed.


def synchronize(device):
    """Wait for all queued work on device to finish (a no-op on the CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_matmul(n, device, min_runs=3, min_seconds=0.5, max_runs=200):
    """Seconds for one n x n float32 matrix product on device (the fastest run)."""
    A = torch.randn(n, n, device=device)
    B = torch.randn(n, n, device=device)
    A @ B  # warm-up
    times = []
    while len(times) < min_runs or (sum(times) < min_seconds
                                    and len(times) < max_runs):
        synchronize(device)
        start = time.perf_counter()
        A @ B
        synchronize(device)
        times.append(time.perf_counter() - start)
    return min(times)


# %%
# The sizes run from a tiny 16 to 2048 (in quick mode only up to 512, to stay
# within seconds).

n_max = handson.shrink(2048, 512)
sizes = [n for n in (16, 64, 256, 512, 1024, 2048) if n <= n_max]
print("sizes:", sizes, f"| the largest product is {2 * sizes[-1]**3:.2e} FLOPs")
devices = [torch.device("cpu")] + gpus[:1]
timings = {dev.type: [time_matmul(n, dev) for n in sizes] for dev in devices}
gflops = {name: [2 * n**3 / t / 1e9 for n, t in zip(sizes, ts)]
          for name, ts in timings.items()}
for ts in timings.values():
    assert all(t > 0 for t in ts)

header = f"{'n':>6}{'CPU ms':>11}{'CPU GFLOP/s':>13}"
if has_gpu:
    header += f"{'GPU ms':>11}{'GPU GFLOP/s':>13}"
print(header)
for i, n in enumerate(sizes):
    row = f"{n:6d}{1e3 * timings['cpu'][i]:11.2f}{gflops['cpu'][i]:13.1f}"
    if has_gpu:
        row += f"{1e3 * timings['cuda'][i]:11.3f}{gflops['cuda'][i]:13.1f}"
    print(row)
best = max(range(len(sizes)), key=lambda i: gflops["cpu"][i])
print(f"CPU best: {gflops['cpu'][best]:.1f} GFLOP/s at n = {sizes[best]}")
large = [g for n, g in zip(sizes, gflops["cpu"]) if n >= 256]
print(f"CPU for n >= 256: from {min(large):.1f} to {max(large):.1f} GFLOP/s")
t_2 = time_matmul(2, torch.device("cpu"))  # 16 FLOPs: nothing but fixed costs
t_16 = timings["cpu"][0]
print(f"CPU: n = 2 takes {1e6 * t_2:.2f} µs, n = 16 takes {1e6 * t_16:.2f} µs "
      f"for 512 times the work ({t_16 / t_2:.2f} times the time)")
handson.check("CPU time of a 16 x 16 product over a 2 x 2 product", t_16 / t_2,
              "<", 4, quick=True)
if has_gpu:
    gpu_rise = gflops["cuda"][-1] / gflops["cuda"][sizes.index(256)]
    print(f"GPU throughput at n = {sizes[-1]} over n = 256: {gpu_rise:.1f}x")
    handson.check(f"GPU throughput at n = {sizes[-1]} over n = 256", gpu_rise, ">", 2)
else:
    print("No GPU on this machine: only the CPU was timed.")

# %%
# The printed table is from the machine that built this page; yours will differ.
# Every call has fixed costs that do not grow with :math:`n`: Python calls into
# the library, shapes are checked, the result is allocated, threads are woken, and
# on a GPU the work is launched. For tiny products these costs take longer than the
# arithmetic: the product with :math:`n = 16` (8,192 FLOPs) does 512 times the
# work of a :math:`2 \times 2` product, yet the last printed line shows it taking
# only a little longer, and its GFLOP/s are low. Once the products are large enough
# to keep the CPU's arithmetic units busy, a larger :math:`n` cannot raise the
# throughput any more. Where that happens depends on the machine and its library;
# the printed range for :math:`n \ge 256` tells for this one: a narrow range means
# the CPU was already busy at :math:`n = 256`, a wide one that it was not, or that
# other programs disturbed the timings (on a shared machine, or a virtual machine
# with a CPU quota, they do, and a product that uses several threads can wait for
# one of them to get a core). A GPU has far more arithmetic units to
# fill, so its throughput keeps rising to much larger :math:`n`; the page prints
# (and checks) that rise when it runs on a GPU.
#
# In the plot, the dotted line grows like :math:`n^3`, as the work does. A time
# curve parallel to it means constant throughput; flatter means throughput rising
# with :math:`n`, steeper means falling.

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for name, label, style in [("cpu", "CPU", "o-"), ("cuda", "GPU", "s-")]:
    if name in timings:
        axes[0].loglog(sizes, [1e3 * t for t in timings[name]], style, label=label)
        axes[1].semilogx(sizes, gflops[name], style, label=label)
t_ref = 1e3 * timings["cpu"][-1]  # a reference line through the largest CPU point
axes[0].loglog(sizes, [t_ref * (n / sizes[-1]) ** 3 for n in sizes], "k:", lw=1,
               label=r"$\propto n^3$")
axes[0].set_ylabel("time per product (ms)")
axes[0].set_title(r"$n \times n$ matrix product, float32")
axes[1].set_ylabel("achieved GFLOP/s")
axes[1].set_title(r"throughput $2n^3 / t$")
axes[1].set_ylim(bottom=0)
for ax in axes:
    ax.set_xlabel("$n$")
    ax.set_xticks(sizes, [str(n) for n in sizes])
    ax.minorticks_off()
    ax.legend()
if not has_gpu:
    axes[0].text(0.03, 0.97, "no GPU on this machine:\nCPU only",
                 transform=axes[0].transAxes, va="top", color="0.3")
plt.tight_layout()
plt.show()

# %%
# Why ``synchronize`` matters
# ---------------------------
#
# Timing the GPU without waiting measures only how fast Python can queue the work.
# On a machine with a GPU, compare both timings of the largest product:

if has_gpu:
    A = torch.randn(sizes[-1], sizes[-1], device=gpus[0])
    A @ A
    torch.cuda.synchronize()
    start = time.perf_counter()
    A @ A
    queued = time.perf_counter() - start  # no synchronize: the GPU may still run
    torch.cuda.synchronize()
    finished = time.perf_counter() - start
    print(f"n = {sizes[-1]}: call returned after {1e6 * queued:.1f} µs, "
          f"the GPU finished after {1e6 * finished:.1f} µs")
    assert 0 < queued <= finished
else:
    print("No GPU on this machine: nothing runs asynchronously here, so there is "
          "no queueing to show.")

# %%
# Same numbers on every device?
# -----------------------------
#
# A device changes where and how fast, not what: the same product on the CPU and
# on the GPU must agree. Not bit for bit, though: the two sum the :math:`n`
# products of each entry in different orders, and ``float32`` rounding depends on
# the order. So we compare with a tolerance, on the same input matrices drawn on
# the CPU and copied to each device.

n = sizes[-1]
A = torch.randn(n, n)
B = torch.randn(n, n)
C_cpu = A @ B
print(f"n = {n}; entries of C have magnitude up to {C_cpu.abs().max().item():.1f}")
if has_gpu:
    C_gpu = (A.to(gpus[0]) @ B.to(gpus[0])).cpu()
    print(f"largest CPU-GPU difference: {(C_gpu - C_cpu).abs().max().item():.2e}")
    print("float32 matmul precision setting:", torch.get_float32_matmul_precision())
    torch.testing.assert_close(C_gpu, C_cpu, rtol=1e-3, atol=1e-3)
else:
    print("No GPU on this machine: there is no second device to compare with.")

# %%
# .. note::
#
#    If the difference is large (around :math:`10^{-3}` of the entries' size),
#    the GPU may be allowed to use TensorFloat-32, a faster format with a shorter
#    mantissa, for ``float32`` products:
#    ``torch.set_float32_matmul_precision("high")`` turns it on and ``"highest"``
#    (the default) off. Training usually does not mind; tests of exact agreement
#    do.
#
# .. dropdown:: The cost of moving data
#
#    Copying between main memory and a GPU goes over the PCIe bus (or NVLink), much
#    slower than either memory. Time ``A.to("cuda")`` for a large ``A`` in your own
#    session (with ``synchronize``) and compare it with the product: the copy is
#    :math:`n^2` numbers, the product :math:`2n^3` operations, so for large
#    :math:`n` the product wins and the copy is worth it, for small :math:`n` the
#    copy can dominate. That is why training pages move the model once and each
#    batch once, and keep everything else on the device.

# %%
# Summary
# -------
#
# * ``torch.device("cpu")``, ``torch.device("cuda:0")`` name devices;
#   ``torch.cuda.is_available()`` and ``torch.cuda.device_count()`` say what is
#   there; ``handson.device()`` picks the GPU when there is one.
# * ``x.to(device)`` returns a copy on the device (or ``x`` itself if it is already
#   there); ``net.to(device)`` moves a model in place. Operations run where their
#   operands are, and operands on different devices raise an error.
# * GPU calls are asynchronous: time them with ``torch.cuda.synchronize()`` before
#   starting and before stopping the clock, after a warm-up run.
# * A matrix product costs :math:`2n^3` FLOPs; dividing by the time gives the
#   achieved GFLOP/s. Fixed costs per call dominate tiny products; a larger
#   :math:`n` raises the throughput only until the device is busy.

# %%
# Exercises
# ---------
#
# 1. Time ``A @ B`` on the CPU with ``torch.set_num_threads(1)`` and compare the
#    GFLOP/s with the table above. How close to the number of cores is the
#    speed-up?
#
#    .. dropdown:: Hint
#
#       Large products parallelise almost perfectly over cores, small ones do not:
#       the work per thread gets too small to pay for starting and synchronising
#       the threads. Save ``torch.get_num_threads()`` before and restore it
#       afterwards (PyTorch's default is not always ``os.cpu_count()``, which also
#       counts hyper-threads).
#
# 2. Repeat the timing in ``float64`` (``torch.randn(n, n, dtype=torch.float64)``).
#    By what factor does the CPU's throughput drop? On a GPU, look up its
#    ``float64`` and ``float32`` peak numbers: why is the drop on consumer GPUs much
#    larger than on the CPU?
#
#    .. dropdown:: Answer
#
#       On the CPU a vector register holds half as many ``float64`` numbers, so
#       throughput roughly halves. Consumer GPUs have few ``float64`` units (often
#       1/32 or 1/64 of the ``float32`` rate), data-centre GPUs many more; deep
#       learning uses ``float32`` and lower precisions for this reason.
#
# 3. Why does the timing function call ``synchronize`` *before* starting the clock
#    as well as before stopping it?
#
#    .. dropdown:: Answer
#
#       Work queued earlier (the warm-up product, or the previous repetition) may
#       still be running when the clock starts; without the first synchronize, the
#       measured time would include the tail of that earlier work.
#
# 4. Write ``to_device(batch, device)`` that moves a tensor, or a list, tuple or dict
#    of tensors (nested), to ``device`` and leaves everything else alone. Test it on
#    ``{"X": torch.ones(2), "meta": ["a", torch.zeros(1)]}``.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def to_device(batch, device):
#              if isinstance(batch, torch.Tensor):
#                  return batch.to(device)
#              if isinstance(batch, (list, tuple)):
#                  return type(batch)(to_device(b, device) for b in batch)
#              if isinstance(batch, dict):
#                  return {k: to_device(v, device) for k, v in batch.items()}
#              return batch
#
#          moved = to_device({"X": torch.ones(2), "meta": ["a", torch.zeros(1)]},
#                            device)
#          assert moved["X"].device.type == device.type
#          assert moved["meta"][0] == "a"
#
# 5. **Programming task.** Measure the transfer speed from main memory to the
#    device: for :math:`n` from 256 to 4096, time ``A.to(device)`` for an
#    :math:`n \times n` ``float32`` matrix (with ``synchronize``) and print the
#    gigabytes per second, :math:`4 n^2 / t / 10^9`. Then compare, for each
#    :math:`n`, the time of the copy with the time of one product from the table.
#    Above which :math:`n` does the product take longer than copying its inputs?
#    (Without a GPU, time ``A.clone()`` instead: a copy within main memory.)
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          target = gpus[0] if gpus else torch.device("cpu")
#          for n in (256, 512, 1024, 2048, 4096):
#              A = torch.randn(n, n)
#              A.to(target) if gpus else A.clone()  # warm-up
#              synchronize(target)
#              start = time.perf_counter()
#              copy = A.to(target) if gpus else A.clone()
#              synchronize(target)
#              t = time.perf_counter() - start
#              print(f"n = {n:5d}: {1e3 * t:8.3f} ms, {4 * n**2 / t / 1e9:6.1f} GB/s")
#
#       The copy grows like :math:`n^2` and the product like :math:`n^3`, so the
#       product overtakes the copy at some :math:`n`; with pinned memory
#       (``A.pin_memory()``) the GPU copy is faster still and can overlap with
#       computation (``non_blocking=True``).
