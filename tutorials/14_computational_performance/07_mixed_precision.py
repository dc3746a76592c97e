"""
Mixed precision: bfloat16 and float16 training
==============================================

Every tensor so far held 32-bit floats. Half as many bits per number halves the
memory traffic, and processors with 16-bit arithmetic units multiply 16-bit numbers
at a multiple of the 32-bit rate. The price is precision and range. *Mixed
precision* training runs the costly operations (matrix products, convolutions) in a
16-bit format and keeps what needs precision (the weights, their updates, losses and
sums) in 32 bits. This page takes the three formats apart, shows where 16 bits round
badly, trains the MLP of chapter 5 on Fashion-MNIST in float32 and with bfloat16
*autocast* on the same data and batches, and compares accuracy and speed. The
float16 path with a gradient scaler, for GPUs, runs where there is one; loss scaling
itself is shown on the CPU.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * float32, float16 and bfloat16: sign, exponent and mantissa bits, range and
        machine epsilon, from the formulas and from ``torch.finfo``
      * how rounding shows up: ``1 + eps/2 == 1``, a running sum that stops
        growing, underflow to zero
      * ``torch.autocast("cpu", dtype=torch.bfloat16)``: which operations it runs
        in bfloat16, which in float32, and what stays float32
      * train with autocast and compare held-out accuracy and speed with float32
      * why float16 needs loss scaling, and what ``torch.amp.GradScaler`` does

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../05_multilayer_perceptrons/02_mlp_fashion_mnist` (the MLP, trained
        with ``handson.train``)
      * :doc:`../05_multilayer_perceptrons/04_numerical_stability` (vanishing
        gradients)
      * :doc:`01_compilers_and_interpreters` (timing honestly: warm-up, best of
        repeats)
      * data: Fashion-MNIST, 60,000 training and 10,000 test images
"""

# sphinx_gallery_thumbnail_number = 1

import inspect
import time

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson.data import load_fashion_mnist
from handson.reproducibility import seed_offset

handson.seed(0)
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU vector "
      f"extensions used by PyTorch: {torch.backends.cpu.get_cpu_capability()}")

# %%
# Three floating-point formats
# ----------------------------
#
# A binary floating-point number has a sign bit, :math:`e` exponent bits and
# :math:`m` mantissa (fraction) bits. A normal number is
# :math:`\pm 1.f_1 f_2 \ldots f_m \times 2^{E}` with :math:`E` between
# :math:`E_{\min} = 2 - 2^{e-1}` and :math:`E_{\max} = 2^{e-1} - 1`. From that:
#
# .. math::
#
#    \epsilon = 2^{-m}, \qquad
#    x_{\max} = (2 - 2^{-m})\, 2^{E_{\max}}, \qquad
#    x_\text{min normal} = 2^{E_{\min}}, \qquad
#    x_\text{min subnormal} = 2^{E_{\min} - m}.
#
# The machine epsilon :math:`\epsilon` is the gap between 1 and the next number, so
# the relative rounding error is at most :math:`\epsilon/2`. Below the smallest
# normal number, *subnormal* numbers give up mantissa bits to reach further down,
# to :math:`x_\text{min subnormal}`; anything smaller rounds to 0 (*underflow*).
# float16 (IEEE half) spends its 16 bits on precision, bfloat16 ("brain float")
# on range: it is float32 with the last 16 mantissa bits cut off, so it has
# float32's exponent and range.

formats = {torch.float32: (8, 23), torch.float16: (5, 10), torch.bfloat16: (8, 7)}
print(f"{'dtype':10}{'bits':>5}{'exp':>4}{'mant':>5}{'eps':>11}{'max':>11}"
      f"{'min normal':>12}{'min subnormal':>15}")
for dtype, (e, m) in formats.items():
    E_max, E_min = 2 ** (e - 1) - 1, 2 - 2 ** (e - 1)
    eps, x_max = 2.0 ** -m, (2 - 2.0 ** -m) * 2.0 ** E_max
    min_normal, min_sub = 2.0 ** E_min, 2.0 ** (E_min - m)
    info = torch.finfo(dtype)
    assert info.bits == 1 + e + m
    assert (info.eps, info.max, info.smallest_normal) == (eps, x_max, min_normal)
    sub = torch.tensor(min_sub, dtype=dtype)
    assert sub.item() == min_sub and (sub / 2).item() == 0  # nothing below it
    assert torch.tensor(x_max, dtype=dtype).item() == x_max
    assert torch.isinf(torch.tensor(x_max, dtype=dtype) * 2)  # overflow
    name = str(dtype).removeprefix("torch.")
    print(f"{name:10}{info.bits:5}{e:4}{m:5}{eps:11.3g}{x_max:11.3g}"
          f"{min_normal:12.3g}{min_sub:15.3g}")

# %%
# The formulas agree with ``torch.finfo`` for all three formats (the asserts above),
# and the smallest subnormal really is the last number above 0: half of it rounds
# to 0. The table says it all: float16 has about three decimal digits and stops at
# 65,504; bfloat16 has only two to three digits but the range of float32.
#
# The picture: the relative error of storing a number :math:`x` in each format,
# :math:`|\operatorname{round}(x) - x| / x`, for :math:`x` from :math:`10^{-10}`
# to :math:`10^{6}` (an error of 1 means the number became 0 or infinity).

xs = torch.logspace(-10, 6, 3000, dtype=torch.float64)
fig, ax = plt.subplots(figsize=(7, 3.5))
for dtype in formats:
    stored = xs.to(dtype).to(torch.float64)
    rel_err = ((stored - xs).abs() / xs).nan_to_num(nan=1.0, posinf=1.0)
    ax.loglog(xs, rel_err.clamp(min=1e-12), lw=1, label=str(dtype)[6:])
ax.set_xlabel("x")
ax.set_ylabel("relative error of storing x")
ax.set_ylim(1e-10, 2)
ax.legend()
ax.set_title("precision and range of the three formats")
fig.tight_layout()
plt.show()

# %%
# float32's errors stay below :math:`10^{-7}`; bfloat16's stay below
# :math:`2^{-8}` over the same huge range; float16's bound is eight times smaller
# than bfloat16's between its smallest normal number and 65,504; its errors grow as it
# runs out of subnormals below that, and hit 1 at both ends.
#
# Rounding you can see
# --------------------
#
# Adding :math:`\epsilon/2` or less to 1 does nothing (:math:`\epsilon/2` itself is
# a tie, which rounds to the even neighbour, here 1), while adding :math:`\epsilon`
# does:

for dtype in formats:
    one, eps = torch.tensor(1.0, dtype=dtype), torch.finfo(dtype).eps
    assert one + eps / 2 == one and one + eps != one
    print(f"{str(dtype)[6:]:9}: 1 + eps/2 == 1 and 1 + eps == {(one + eps).item()!r}")

# %%
# A running sum shows why this matters in training. Add 0.01 to an accumulator
# 2,000 times, as a loop would (the exact answer is 20). In bfloat16 the gap
# between neighbouring numbers near :math:`s` is :math:`2^{\lfloor \log_2 s
# \rfloor - 7}`; once half of it exceeds 0.01, :math:`s + 0.01` rounds back to
# :math:`s` and the sum is stuck. That happens at the first power of two
# :math:`2^k` with :math:`2^{k-8} > 0.01`.

num_terms, step = 2000, 0.01
sums = {}
for dtype in formats:
    s, v = torch.zeros((), dtype=dtype), torch.tensor(step, dtype=dtype)
    for _ in range(num_terms):
        s = s + v
    sums[dtype] = s.item()
    one_call = torch.full((num_terms,), step, dtype=dtype).sum().item()
    print(f"{str(dtype)[6:]:9}: loop {sums[dtype]:9.4f}   torch.sum {one_call:9.4f}")
k = 0
while 2.0 ** (k - 8) <= step:
    k += 1
print(f"predicted bfloat16 stall: {2.0 ** k}")
assert sums[torch.bfloat16] == 2.0 ** k
assert abs(sums[torch.float32] - num_terms * step) < 1e-2
assert abs(sums[torch.float16] - 20) < abs(sums[torch.bfloat16] - 20)

# %%
# The bfloat16 loop stops exactly where the formula says, a fifth of the true
# sum; float16 (three more mantissa bits) drifts but gets closer. Yet
# ``torch.sum`` of the same bfloat16 numbers is right (printed above): PyTorch's
# reductions accumulate in float32 internally and round once at the end. That is
# the whole recipe of mixed precision: store and multiply in 16 bits, *accumulate*
# in 32.
#
# Autocast: which operations run in bfloat16
# ------------------------------------------
#
# Rewriting a model for 16 bits by hand (``net.to(torch.bfloat16)``) would also
# make the weights and their updates 16-bit; an update smaller than half a gap
# then vanishes, like the 0.01 above. ``torch.autocast`` instead keeps the
# parameters in float32 and casts *per operation*: inside the ``with`` block,
# operations on its lower-precision list (matrix products, linear layers,
# convolutions) cast their inputs to bfloat16; operations on its float32 list (on
# the CPU, among others, ``cross_entropy``) compute in float32; the rest run in
# the dtype of their inputs. We look at the dtype after each layer of a small
# LeNet-like network and of the loss:

probe = nn.Sequential(nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
                      nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
                      nn.Linear(6 * 14 * 14, 10), nn.LayerNorm(10))
X_probe, y_probe = torch.randn(4, 1, 28, 28), torch.tensor([0, 1, 2, 3])
dtypes = {}
with torch.autocast("cpu", dtype=torch.bfloat16):
    h = X_probe
    for layer in probe:
        h = layer(h)
        dtypes[type(layer).__name__] = h.dtype
    loss_probe = nn.functional.cross_entropy(h, y_probe)
    dtypes["cross_entropy"] = loss_probe.dtype
loss_probe.backward()
dtypes["weights (parameters)"] = probe[0].weight.dtype
dtypes["gradients"] = probe[0].weight.grad.dtype
for name, dtype in dtypes.items():
    print(f"{name:22} {dtype}")
assert dtypes["Conv2d"] == dtypes["Linear"] == torch.bfloat16
assert dtypes["Sigmoid"] == dtypes["LayerNorm"] == torch.bfloat16
assert dtypes["cross_entropy"] == torch.float32
assert dtypes["weights (parameters)"] == dtypes["gradients"] == torch.float32

# %%
# Convolution and linear layers give bfloat16; the sigmoid, pooling and layer
# norm received bfloat16 and stayed in it (autocast on the CPU did not move them
# to float32);
# the loss is float32; the parameters and their gradients are float32, so SGD
# updates them at full precision. The ``backward()`` ran *outside* the ``with``
# block: the ``torch.autocast`` docstring says that it "should wrap only the
# forward pass(es)", and that "backward ops run in the same type that autocast
# used for corresponding forward ops".
#
# Training with bfloat16 autocast
# -------------------------------
#
# To train with ``handson.train`` we wrap the network in a module whose forward
# pass runs under autocast and returns float32 logits. Two copies of the MLP of
# :doc:`../05_multilayer_perceptrons/02_mlp_fashion_mnist` start from the same
# weights and see the same batches in the same order (same generator seed); one
# trains in float32, one under autocast. Both are evaluated on the 10,000 held-out
# test images, each in its own precision. We shorten the run to 5 epochs (the
# chapter 5 page trains 10).


class Autocast(nn.Module):
    """Run `net` under torch.autocast with `dtype`, return float32 outputs."""

    def __init__(self, net, dtype=torch.bfloat16):
        super().__init__()
        self.net, self.dtype = net, dtype

    def forward(self, X):
        with torch.autocast(X.device.type, dtype=self.dtype):
            return self.net(X).float()


def make_mlp(num_hiddens=256):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, num_hiddens), nn.ReLU(),
                         nn.Linear(num_hiddens, 10))


X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
lr, num_epochs, batch_size = 0.2, handson.epochs(5), 128

net_fp32 = make_mlp()
net_bf16 = make_mlp()
net_bf16.load_state_dict(net_fp32.state_dict())
histories = {}
for name, net in [("float32", net_fp32), ("bfloat16 autocast", Autocast(net_bf16))]:
    print(name)
    histories[name] = handson.train(
        net, (X_train, y_train), (X_test, y_test), nn.CrossEntropyLoss(),
        torch.optim.SGD(net.parameters(), lr=lr), num_epochs, batch_size,
        generator=torch.Generator().manual_seed(seed_offset() + 1))

acc = {name: h.test_acc[-1] for name, h in histories.items()}
# the fastest epoch of each: other programs on the machine slow some epochs down
rate = {name: len(X_train) / min(h.epoch_time) for name, h in histories.items()}
for name in histories:
    print(f"{name:18} test accuracy {acc[name]:.4f}, "
          f"{rate[name]:,.0f} training images/s (fastest epoch)")
assert net_bf16[1].weight.dtype == torch.float32  # master weights stayed float32
handson.check("test accuracy of the float32 MLP", acc["float32"], ">=", 0.83)
handson.check("|bfloat16 autocast - float32| test accuracy",
              abs(acc["bfloat16 autocast"] - acc["float32"]), "<", 0.015)

# %%
# Both reach practically the same held-out accuracy (the check allows 1.5
# points; different rounding sends the two runs along slightly different
# paths, as a different seed would). The two runs' curves:

fig, ax = plt.subplots(figsize=(6, 3.2))
for name, h in histories.items():
    ax.plot(h.epochs, h.test_acc, marker="o", label=f"{name}, test")
    ax.plot(h.epochs, h.train_acc, ls="--", label=f"{name}, train")
ax.set_xlabel("epoch")
ax.set_ylabel("accuracy")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Speed
# -----
#
# The images per second printed above include everything in an epoch: shuffling,
# indexing the batches, the optimiser, the evaluation on the test images, and the
# casts that autocast inserts (each weight is cast to bfloat16 on every forward
# pass). The two runs also ran one after the other, so a change in the load of a
# shared machine between them moves this ratio. For this small MLP those
# costs are a large part of the step. The matrix products gain only if the
# processor has bfloat16 arithmetic (AVX-512 BF16 or AMX on recent x86, for
# instance); without it, bfloat16 is converted to float32 for the arithmetic and
# can be *slower* than float32. So we also time one training step of a wider MLP
# (two hidden layers of 1,024 units, batch 512), where the matrix products
# dominate. Times are the best of 5 repeats after a warm-up.


def step_time(net, X, y, repeat=5, number=3):
    opt = torch.optim.SGD(net.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(net(X), y).backward()
        opt.step()

    step()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            step()
        best = min(best, (time.perf_counter() - start) / number)
    return best


wide = handson.shrink(1024, 256)
X_wide, y_wide = X_train[:512], y_train[:512]
wide_fp32 = nn.Sequential(nn.Flatten(), nn.Linear(784, wide), nn.ReLU(),
                          nn.Linear(wide, wide), nn.ReLU(), nn.Linear(wide, 10))
wide_bf16 = Autocast(wide_fp32)
times = {"float32": step_time(wide_fp32, X_wide, y_wide),
         "bfloat16 autocast": step_time(wide_bf16, X_wide, y_wide)}
for name, t in times.items():
    print(f"wide MLP ({wide} units), {name:18}: {t * 1e3:7.1f} ms per step")
ratios = {"small MLP, whole epochs": rate["bfloat16 autocast"] / rate["float32"],
          "wide MLP, one step": times["float32"] / times["bfloat16 autocast"]}
for name, r in ratios.items():
    verdict = ("faster than" if r > 1.05 else
               "slower than" if r < 0.95 else "within 5% of")
    print(f"{name}: bfloat16 autocast ran {verdict} float32 "
          f"({r:.2f}x float32's speed) on this machine")

# %%
# The sentences just printed are measured on the machine that built this page,
# whose CPU capability is printed at the top (that line does not say whether the
# processor has bfloat16 instructions; on Linux, look for ``avx512_bf16`` or
# ``amx_bf16`` in ``/proc/cpuinfo``); on another processor the ratios can go
# either way. Memory is the other gain: bfloat16 activations take half the
# space, which on a GPU allows larger batches or models.
#
# float16 on a GPU, and loss scaling
# ----------------------------------
#
# GPUs have long had fast float16 units, and float16 keeps three more mantissa bits
# than bfloat16. Its weakness is range: gradients are often tiny, and anything
# below float16's smallest subnormal becomes 0. A tiny example, computed on the
# CPU with float16 tensors: a loss whose gradient with respect to each weight is
# :math:`x \cdot 10^{-5} = 10^{-8}`.

w = torch.ones(4, dtype=torch.float16, requires_grad=True)
x_small = torch.full((4,), 1e-3, dtype=torch.float16)
small_loss = lambda w: (w * x_small).sum() * 1e-5  # noqa: E731
true_grad = (x_small.double() * torch.tensor(1e-5, dtype=torch.float16).double())
small_loss(w).backward()
grad_plain = w.grad.clone()
print("true gradient", true_grad[0].item(), "| float16 gradient", grad_plain[0].item())
assert (grad_plain == 0).all() and (true_grad > 0).all()

# %%
# The gradient underflowed to exactly 0: this weight would never learn.
# *Loss scaling* multiplies the loss by a large factor :math:`S` before
# ``backward()``, so that every gradient is :math:`S` times larger and stays
# representable, and divides the gradients by :math:`S` (in float32) before the
# update. The chain rule makes this exact up to rounding. We take
# :math:`S = 2^{15}`: in this all-float16 example the backward pass starts from
# :math:`S` itself, and :math:`2^{16} = 65{,}536` is already above float16's
# maximum.

scale = 2.0 ** 15
w.grad = None
(small_loss(w) * scale).backward()
grad_scaled = w.grad.float() / scale
print(f"with S = {scale:,.0f}: scaled gradient {w.grad[0].item():.4g}, "
      f"unscaled {grad_scaled[0].item():.4g}")
torch.testing.assert_close(grad_scaled.double(), true_grad, rtol=1e-2, atol=0)
overflow = torch.tensor(10.0, dtype=torch.float16) * scale
print(f"but a loss of 10 times S in float16: {overflow.item()}")
assert torch.isinf(overflow)

# %%
# The scaled gradient agrees with the true one to the 1% the check allows. Most of
# the difference is in the reference: it uses :math:`10^{-5}` as float16 stores
# it, a subnormal with 8 significant bits instead of 11, while the backward pass
# multiplies by the Python number :math:`10^{-5}`. Too large a
# factor overflows instead, as the last line shows. ``torch.amp.GradScaler``
# therefore chooses :math:`S` *dynamically*: it starts large, and when a step's
# gradients contain ``inf`` or ``nan`` it skips that update and multiplies
# :math:`S` by ``backoff_factor``; after ``growth_interval`` steps without
# overflow it multiplies :math:`S` by ``growth_factor``. (Under autocast the loss
# is float32, so the scaled loss itself does not overflow; the float16 products
# in the backward pass can.) Its defaults in the installed PyTorch:

defaults = {k: p.default for k, p in
            inspect.signature(torch.amp.GradScaler.__init__).parameters.items()
            if k in ("init_scale", "growth_factor", "backoff_factor",
                     "growth_interval")}
print(defaults)

# %%
# bfloat16 needs none of this: its range is float32's, which is why the CPU path
# above has no scaler. The GPU recipe (float16 autocast plus a ``GradScaler``)
# runs here only if the machine has a CUDA GPU:

if torch.cuda.is_available():
    device = torch.device("cuda")
    handson.seed(2)
    net_gpu = make_mlp().to(device)
    opt = torch.optim.SGD(net_gpu.parameters(), lr=lr)
    scaler = torch.amp.GradScaler("cuda")
    for X, y in handson.batches(X_train, y_train, batch_size):
        X, y = X.to(device), y.to(device)
        opt.zero_grad()
        with torch.autocast("cuda", dtype=torch.float16):
            loss_value = nn.functional.cross_entropy(net_gpu(X), y)
        scaler.scale(loss_value).backward()  # backward of S * loss
        scaler.step(opt)  # unscale; skip the step if inf/nan
        scaler.update()  # adjust S
    with torch.autocast("cuda", dtype=torch.float16):
        acc_gpu = handson.evaluate_accuracy(net_gpu, X_test.to(device),
                                            y_test.to(device))
    print(f"GPU path ran: float16 + GradScaler, 1 epoch, test accuracy "
          f"{acc_gpu:.4f}, final scale {scaler.get_scale():,.0f}")
else:
    print("no CUDA GPU here: the float16 + GradScaler path was SKIPPED "
          "(the code above is what it would run)")

# %%
# Summary
# -------
#
# * float16 (5 exponent, 10 mantissa bits) is precise but short-ranged; bfloat16
#   (8 and 7) has float32's range and less precision; ``torch.finfo`` gives
#   :math:`\epsilon`, the largest and the smallest normal number.
# * 16-bit accumulators stall and tiny values underflow; mixed precision stores
#   and multiplies in 16 bits but keeps weights, updates, losses and reductions in
#   32.
# * ``torch.autocast("cpu", dtype=torch.bfloat16)`` around the forward pass does
#   this per operation; the MLP matched the float32 test accuracy (within the
#   checked 1.5 points) on the same data and batches.
# * Speed depends on the hardware: bfloat16 arithmetic units make it faster, their
#   absence can make it slower. Measure.
# * float16 needs loss scaling (``torch.amp.GradScaler``) so that small gradients
#   do not underflow; bfloat16 does not.

# %%
# Exercises
# ---------
#
# 1. Train the MLP with ``net.to(torch.bfloat16)`` and bfloat16 inputs instead of
#    autocast (weights and updates in bfloat16). What happens to the accuracy with
#    a small learning rate such as 0.01, and why?
#
#    .. dropdown:: Hint
#
#       An update :math:`\eta g` smaller than half the gap between a weight and its
#       neighbour is lost, like the 0.01 added to the stuck running sum. Near a
#       weight of 0.05 the gap is :math:`2^{-5-7}`; compare with typical
#       :math:`\eta g`.
#
# 2. Which of float16 or bfloat16 represents 1/3 more accurately? 300,000? Use the
#    table above to predict, then check with ``torch.tensor(x, dtype=...)``.
#
#    .. dropdown:: Answer
#
#       1/3: float16, with three more mantissa bits (relative error below
#       :math:`2^{-11}` against :math:`2^{-8}`). 300,000: only bfloat16, since it
#       exceeds float16's maximum of 65,504 and becomes ``inf``.
#
# 3. In the loss-scaling example, which values of :math:`S` (powers of two) give a
#    correct gradient, and from which does the backward pass overflow?
#
#    .. dropdown:: Answer
#
#       The scaled gradient :math:`S \cdot 10^{-8}` rounds to a non-zero number
#       only if it is above half the smallest subnormal, :math:`2^{-25}`, that is
#       for :math:`S > 2^{-25} / 10^{-8} \approx 3`: :math:`S = 4` is the first
#       power of two, and it gives a coarse gradient (a few bits); every doubling
#       adds a bit until the gradient is a normal number. At the other end, the
#       backward pass starts from :math:`S` itself, so :math:`S = 2^{16}`
#       overflows. ``GradScaler`` searches this window automatically.
#
# 4. **Programming task.** Train D2L's LeNet
#    (:doc:`../07_convolutional_networks/02_lenet`) for 2 epochs in float32 and
#    under bfloat16 autocast with the ``Autocast`` wrapper, same data and batches,
#    and compare test accuracy and images per second.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def make_lenet():
#              return nn.Sequential(
#                  nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
#                  nn.AvgPool2d(kernel_size=2, stride=2),
#                  nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
#                  nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
#                  nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
#                  nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
#
#          a, b = make_lenet(), make_lenet()
#          b.load_state_dict(a.state_dict())
#          for name, net in [("float32", a), ("bfloat16", Autocast(b))]:
#              h = handson.train(net, (X_train, y_train), (X_test, y_test),
#                                nn.CrossEntropyLoss(),
#                                torch.optim.SGD(net.parameters(), lr=0.9), 2, 128,
#                                generator=torch.Generator().manual_seed(1))
#              print(name, h.test_acc[-1], 2 * len(X_train) / sum(h.epoch_time))
#
#       LeNet's sigmoids start on a plateau (see its page), so after 2 epochs
#       both runs may still be near chance; compare them with each other.
