"""
Minibatch stochastic gradient descent
=====================================

Gradient descent uses the whole data set for every step; stochastic gradient descent
uses a single example. The first wastes data when examples are similar, the second
wastes the hardware, which is built to do many multiplications at once. Minibatch
SGD, what every training loop in this course has used, sits in between. This page
measures both sides of the trade: how much faster a processor multiplies whole
matrices than one number at a time, and how the gradient noise falls with the batch
size. Then it trains a linear regression on NASA's airfoil data with batch sizes 1,
10, 100 and 1,500 from scratch and compares them by examples seen and by wall-clock
time, and checks that ``torch.optim.SGD`` takes exactly the steps of our loop.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * why vectorised code is fast: a matrix product by element, column, block and
        whole, in GFLOP/s
      * minibatch gradients: unbiased, with variance falling like :math:`1/b`
        (measured)
      * minibatch SGD from scratch on the airfoil data; loss against examples seen
        *and* against time, for batch sizes from 1 to the full data set
      * ``torch.optim.SGD`` checked step for step against the scratch loop

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`03_gradient_descent` and :doc:`04_stochastic_gradient_descent`
      * :doc:`../03_linear_regression/01_california_housing` (linear regression,
        minibatches by indexing, ``handson.batches``)
      * data: NASA airfoil self-noise, 1,503 rows (``handson.data.load_airfoil``)
"""

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson.data import load_airfoil

handson.seed(0)

# %%
# Vectorisation and caches
# ------------------------
#
# A processor can do far more arithmetic than its memory can feed it: a CPU core
# with vector units performs dozens of floating-point operations per clock cycle,
# while fetching data from main memory takes many cycles. Caches (registers, L1,
# L2, L3) close the gap only if the data, once loaded, is used many times. And in
# Python, every call into PyTorch costs microseconds of overhead before any
# arithmetic happens.
#
# Matrix multiplication shows the effect. :math:`\mathbf{A} = \mathbf{B}\mathbf{C}`
# with :math:`\mathbf{B}, \mathbf{C} \in \mathbb{R}^{n \times n}` takes about
# :math:`2n^3` floating-point operations, which we can organise in four ways:
#
# 1. element by element, :math:`A_{ij} = \mathbf{B}_{i,:} \mathbf{C}_{:,j}`:
#    :math:`n^2` dot products;
# 2. column by column, :math:`\mathbf{A}_{:,j} = \mathbf{B}\mathbf{C}_{:,j}`:
#    :math:`n` matrix-vector products;
# 3. in one call, :math:`\mathbf{A} = \mathbf{B}\mathbf{C}`;
# 4. in blocks of 32 columns, :math:`\mathbf{A}_{:,j:j+32} =
#    \mathbf{B}\mathbf{C}_{:,j:j+32}`.
#
# D2L uses :math:`n = 256`; we take :math:`n = 128` so that the element-wise loop
# stays short. Each way runs a few times and we keep the fastest run, the usual
# way to time short code on a machine that does other things too. We time on one
# CPU thread: the lesson is about vectorisation, not about parallel threads, and on
# a busy machine a multi-threaded product of this size can wait milliseconds for a
# second core.

n = handson.shrink(128, 64)
B, C = torch.randn(n, n), torch.randn(n, n)
A = torch.zeros(n, n)


def by_element():
    for i in range(n):
        for j in range(n):
            A[i, j] = torch.dot(B[i, :], C[:, j])


def by_column():
    for j in range(n):
        A[:, j] = torch.mv(B, C[:, j])


def whole():
    A[:] = B @ C


def by_block():
    for j in range(0, n, 32):
        A[:, j:j + 32] = B @ C[:, j:j + 32]


num_threads = torch.get_num_threads()
torch.set_num_threads(1)
gflops = {}
for name, fn, repeats in [("element", by_element, 2), ("column", by_column, 10),
                          ("block", by_block, 50), ("whole", whole, 50)]:
    timer = handson.Timer()
    for _ in range(repeats):
        timer.start()
        fn()
        timer.stop()
    torch.testing.assert_close(A, B @ C)
    gflops[name] = 2 * n**3 / min(timer.times) / 1e9
    print(f"{name:8s}: {min(timer.times) * 1e3:9.3f} ms, {gflops[name]:9.3f} GFLOP/s")
torch.set_num_threads(num_threads)
handson.check("GFLOP/s of the whole product over the element-wise loop",
              gflops["whole"] / gflops["element"], ">", 100, quick=True)
handson.check("GFLOP/s of the column loop over the element-wise loop",
              gflops["column"] / gflops["element"], ">", 5, quick=True)
handson.check("GFLOP/s of blocks of 32 columns over the whole product",
              gflops["block"] / gflops["whole"], ">", 0.1, quick=True)

fig, ax = plt.subplots(figsize=(5, 2.8))
ax.barh(list(gflops), list(gflops.values()))
ax.set_xscale("log")
ax.set_xlabel("GFLOP/s (log scale)")
ax.set_title(f"$A = BC$, $n = {n}$, one CPU thread")
fig.tight_layout()
plt.show()

# %%
# All four compute the same matrix (checked), at speeds that differ by orders of
# magnitude. The element-wise loop is dominated by Python and dispatch overhead,
# tens of thousands of tiny calls; one call to ``B @ C`` hands the whole job to an
# optimised library that keeps blocks of the matrices in cache and uses every
# vector unit. Blocks of 32 columns come within a small factor of the single call:
# four calls instead of one. On a GPU, as D2L notes, the arithmetic is faster
# still, and the gap to small, one-at-a-time operations wider.
#
# Minibatches
# -----------
#
# Updating the parameters after every single example is thus the element-wise loop
# of training: one small matrix-vector product after another. A minibatch
# :math:`\mathcal{B}_t` of :math:`b` examples turns them into one matrix-matrix
# product, with the gradient
#
# .. math::
#
#    \mathbf{g}_t = \frac{1}{|\mathcal{B}_t|} \sum_{i \in \mathcal{B}_t}
#    \partial_{\mathbf{w}} l_i(\mathbf{w}).
#
# It is still an unbiased estimate of the full gradient, and its variance is
# :math:`b` times smaller than a single example's: the standard deviation falls
# like :math:`b^{-1/2}`. (Drawing the batch without replacement from :math:`N`
# examples makes it smaller still, by the factor :math:`(N - b)/(N - 1)`.) Beyond
# some size a larger batch buys little noise reduction for linearly more
# computation, so the batch is chosen large enough to keep the hardware busy and
# small enough to fit in memory.
#
# The data
# ^^^^^^^^
#
# NASA's airfoil self-noise data, D2L's data set for this chapter: five measured
# properties of an airfoil in a wind tunnel (frequency, angle, chord length,
# velocity, thickness) and the sound pressure in decibels. As D2L does, we
# standardise every column and keep the first 1,500 rows.

df = load_airfoil()
data = torch.tensor(df.to_numpy(), dtype=torch.float32)
data = (data - data.mean(dim=0)) / data.std(dim=0)
X, y = data[:1500, :-1], data[:1500, -1:]
num_examples, num_features = X.shape
print(f"airfoil: {len(df)} rows, columns {list(df.columns)}")
print(f"X: {tuple(X.shape)}, y: {tuple(y.shape)}")

# %%
# We measure the gradient noise of linear regression with the squared loss
# :math:`l_i = \frac12 (\mathbf{x}_i^\top \mathbf{w} + b - y_i)^2` at the starting
# point :math:`\mathbf{w} = \mathbf{0}, b = 0`. The per-example gradient is
# :math:`(\hat y_i - y_i)(\mathbf{x}_i, 1)`, so the gradient of every possible
# minibatch is an average of rows of one :math:`1500 \times 6` matrix.

per_example = (0 - y) * torch.cat([X, torch.ones(num_examples, 1)], dim=1)
full_grad = per_example.mean(dim=0)
single_var = per_example.var(dim=0).sum()
gen = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
num_batches = 4000
variance = {}
for b in [1, 10, 100]:
    idx = torch.stack([torch.randperm(num_examples, generator=gen)[:b]
                       for _ in range(num_batches)])
    g = per_example[idx].mean(dim=1)  # (num_batches, 6) minibatch gradients
    variance[b] = ((g - full_grad) ** 2).sum(dim=1).mean().item()
    predicted = single_var / b * (num_examples - b) / (num_examples - 1)
    print(f"b = {b:3d}: total variance of the minibatch gradient {variance[b]:.5f}, "
          f"predicted {predicted:.5f}")
    handson.check(f"measured over predicted gradient variance, b={b}",
                  abs(variance[b] / predicted.item() - 1), "<", 0.2, quick=True)

# %%
# The measured variances match the prediction: ten times the batch, a tenth of the
# variance. A batch of 100 examples gives a gradient with a hundredth of the variance
# (a tenth of the standard deviation), for the price of one matrix product instead
# of a hundred vector products.
#
# Minibatch SGD from scratch
# --------------------------
#
# The model is linear regression as in
# :doc:`../03_linear_regression/01_california_housing`, with weights drawn from
# :math:`\mathcal{N}(0, 0.01^2)`. The optimiser is a function that takes the
# parameters and updates them in place from their ``.grad``; every optimiser of
# this chapter will have this form. Because the loss is the *mean* over the
# minibatch, the gradient is already divided by the batch size.


def sgd(params, lr):
    """x <- x - lr * grad, in place, then clear the gradients."""
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()


def squared_loss(y_hat, y):
    return ((y_hat - y) ** 2 / 2).mean()


def init_params(generator):
    w = (torch.randn(num_features, 1, generator=generator) * 0.01).requires_grad_()
    b = torch.zeros(1, requires_grad=True)
    return w, b


# %%
# The training loop records, every 100 examples (or after every step when a step
# sees more), the loss on all 1,500 examples, the number of examples seen so far
# and the time spent *training*: the timer stops while the loss is evaluated, as in
# D2L, so the evaluation does not count.


def train_sgd(lr, batch_size, num_epochs, seed=0):
    gen = torch.Generator().manual_seed(seed + handson.reproducibility.seed_offset())
    w, b = init_params(gen)
    timer, seen, log = handson.Timer(), 0, []
    for _ in range(num_epochs):
        for X_batch, y_batch in handson.batches(X, y, batch_size, generator=gen):
            timer.start()
            loss = squared_loss(X_batch @ w + b, y_batch)
            loss.backward()
            sgd([w, b], lr)
            timer.stop()
            seen += len(y_batch)
            if seen % 100 == 0 or batch_size > 100:
                with torch.no_grad():
                    log.append((seen, timer.sum(), squared_loss(X @ w + b, y).item()))
    return torch.tensor(log, dtype=torch.float64), (w, b)


# %%
# D2L's four settings: full-batch gradient descent (batch 1,500, learning rate 1,
# 10 epochs, one step per epoch), SGD (batch 1, learning rate 0.005, 2 epochs) and
# minibatch SGD with batches of 100 (learning rate 0.4) and 10 (0.05), 2 epochs
# each. Each learning rate suits its batch size: a single example's gradient is
# noisy, so its steps must be small.

settings = {1500: (1.0, handson.epochs(10)), 1: (0.005, handson.epochs(2)),
            100: (0.4, handson.epochs(2)), 10: (0.05, handson.epochs(2))}
logs = {}
for batch_size, (lr, num_epochs) in settings.items():
    logs[batch_size], _ = train_sgd(lr, batch_size, num_epochs)
    seen, secs, loss = logs[batch_size][-1].tolist()
    print(f"batch {batch_size:4d}, lr {lr:5}: loss {loss:.4f} after {int(seen):5d} "
          f"examples, {secs / num_epochs * 1e3:7.1f} ms of training per epoch")

# %%
# Loss against examples seen, and against time:

fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True)
for batch_size, log in logs.items():
    label = f"batch {batch_size}"
    axes[0].plot(log[:, 0], log[:, 2], label=label)
    axes[1].plot(log[:, 1], log[:, 2], label=label)
axes[0].set_xlabel("examples seen")
axes[1].set_xlabel("training time (s)")
axes[0].set_ylabel("loss on the 1,500 examples")
for ax in axes:
    ax.set_xscale("log")
    ax.set_ylim(0.235, 0.35)
axes[0].legend()
fig.tight_layout()
plt.show()


def loss_after(log, examples):
    """The loss once at least `examples` examples have been seen."""
    return log[log[:, 0] >= examples][0, 2].item()


def time_to_reach(log, target):
    """Training time until the loss first falls below target (inf if never)."""
    reached = log[log[:, 2] < target]
    return reached[0, 1].item() if len(reached) else float("inf")


epoch_loss = {bs: loss_after(log, num_examples) for bs, log in logs.items()}
target = 0.25
reach = {bs: time_to_reach(log, target) for bs, log in logs.items()}
per_epoch = {bs: log[-1, 1].item() / settings[bs][1] for bs, log in logs.items()}
for bs in logs:
    print(f"batch {bs:4d}: loss after one epoch {epoch_loss[bs]:.4f}; training time "
          f"to loss < {target}: {reach[bs] * 1e3:8.2f} ms")
handson.check("loss after one epoch, batch 1500 minus batch 1",
              epoch_loss[1500] - epoch_loss[1], ">", 0.01, quick=True)
handson.check("training time per epoch, batch 1 over batch 100",
              per_epoch[1] / per_epoch[100], ">", 10, quick=True)
handson.check(f"time to loss < {target}, batch 1 over full batch",
              reach[1] / reach[1500], ">", 5)
handson.check(f"time to loss < {target}, batch 1 over batch 100",
              reach[1] / reach[100], ">", 5, quick=True)

X1 = torch.cat([X, torch.ones(num_examples, 1)], dim=1).double()
solution = torch.linalg.lstsq(X1, y.double()).solution
best_loss = squared_loss(X1 @ solution, y.double()).item()
print(f"least-squares minimum of the loss: {best_loss:.4f}")
for bs in [1, 10, 100]:
    handson.check(f"final loss minus the minimum, batch {bs}",
                  logs[bs][-1, 2].item() - best_loss, "<", 0.02, quick=True)

# %%
# Read against examples seen (left), SGD with batch 1 is the most *data*-efficient:
# after one epoch it has made 1,500 small steps, while gradient descent has made
# one, and its loss is far lower. Read against time (right), the order flips: the
# 1,500 steps of batch 1 are 1,500 tiny, overhead-bound computations, so it is the
# slowest of all to reach a given loss, slower even than full-batch gradient
# descent. Batches of 100 get both: many steps per epoch and efficient arithmetic
# per step, so they are as low as SGD after one epoch and reach the target loss
# in a small fraction of batch 1's time; batches of 10 lie in between. On data this
# small, full-batch gradient descent is as quick or quicker in time (compare the
# printed times): one product over all 1,500 rows costs little more. All runs end
# close to the least-squares minimum, computed exactly with
# :func:`torch.linalg.lstsq`; with a constant learning rate the minibatch runs keep
# jittering slightly above it, by an amount that changes from seed to seed, so the
# final losses do not rank the methods. How fast each gets there does.
#
# Concise implementation
# ----------------------
#
# The same training with ``nn.Linear`` and :class:`torch.optim.SGD`. Is it the same
# algorithm? We start both from the same parameters, feed them the same minibatches
# (the same seed for the shuffling), and compare the parameters after one epoch of
# batches of 10. ``nn.Linear`` stores its weight as ``(out, in)``, the transpose of
# our ``w``. ``nn.MSELoss`` has no factor :math:`\frac12`, so we keep our
# ``squared_loss``.

lr, batch_size = 0.05, 10
gen = torch.Generator().manual_seed(7)
w, b = init_params(gen)
net = nn.Linear(num_features, 1)
with torch.no_grad():
    net.weight.copy_(w.T)
    net.bias.copy_(b)
optimizer = torch.optim.SGD(net.parameters(), lr=lr)
order_a, order_b = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
batches_a = handson.batches(X, y, batch_size, generator=order_a)
batches_b = handson.batches(X, y, batch_size, generator=order_b)
for (X_a, y_a), (X_b, y_b) in zip(batches_a, batches_b):
    squared_loss(X_a @ w + b, y_a).backward()
    sgd([w, b], lr)
    optimizer.zero_grad()
    squared_loss(net(X_b), y_b).backward()
    optimizer.step()
torch.testing.assert_close(net.weight.detach(), w.detach().T, rtol=0, atol=1e-5)
torch.testing.assert_close(net.bias.detach(), b.detach(), rtol=0, atol=1e-5)
diff = max((net.weight - w.T).abs().max().item(), (net.bias - b).abs().max().item())
print(f"after {num_examples // batch_size} steps: largest parameter difference "
      f"{diff:.1e}; weights {net.weight.detach().numpy().round(4)}")

# %%
# After 150 steps the two agree to rounding: ``torch.optim.SGD`` without momentum
# or weight decay is exactly ``p -= lr * p.grad``. Its momentum and Nesterov options
# are the subject of the next page; ``weight_decay`` adds :math:`\lambda \mathbf{w}`
# to the gradient, the penalty of
# :doc:`../05_multilayer_perceptrons/03_generalization`.
#
# Summary
# -------
#
# * Vectorised code is orders of magnitude faster than element-by-element code:
#   fewer calls, better use of caches and vector units.
# * A minibatch gradient is unbiased and its variance falls like :math:`1/b`.
# * Measured by examples seen, small batches learn fastest; measured by time,
#   batch 1 is by far the slowest, and batches of 100 are fast on both counts.
# * ``torch.optim.SGD`` takes exactly the steps of the scratch update
#   ``p -= lr * p.grad``.

# %%
# Exercises
# ---------
#
# 1. Change the block width in ``by_block`` to 8, 16 and 64. What happens to the
#    GFLOP/s, and why?
#
#    .. dropdown:: Hint
#
#       Narrow blocks mean more Python-level calls, each with its own overhead, and
#       smaller matrix products that use the vector units less well; wide blocks
#       approach the single call.
#
# 2. Rerun the training with batch size 1,500 for 2 epochs and learning rate 1.
#    How does its loss after 2 epochs compare with batch 100's? Then give it 100
#    epochs: does it eventually reach a lower loss than the minibatch runs?
#
#    .. dropdown:: Answer
#
#       After 2 epochs full-batch gradient descent has made 2 steps and is far
#       behind. Given many epochs it converges to the least-squares minimum, below
#       where the minibatch runs jitter with a constant learning rate: the noise of
#       small batches costs precision at the end unless the learning rate decays.
#
# 3. Why does the variance formula have the factor :math:`(N - b)/(N - 1)`? What is
#    the variance for :math:`b = N`?
#
#    .. dropdown:: Answer
#
#       Drawing without replacement, the examples of one batch are slightly
#       negatively correlated (an example cannot appear twice). For :math:`b = N`
#       the batch is the whole data set, its gradient is the full gradient, and the
#       variance is exactly zero.
#
# 4. **Programming task.** Add a learning-rate decay to ``train_sgd`` for batch 1,
#    :math:`\eta_t = \eta_0 (1 + 0.01 t)^{-1/2}`, and compare its final loss over 5
#    seeds with the constant rate. Is the difference larger than the seed-to-seed
#    spread?
#
#    .. dropdown:: Hint
#
#       Pass a schedule function to ``train_sgd`` and call it with the step count
#       before each ``sgd`` call. Report mean and standard deviation of the final
#       loss for both settings; the lesson of
#       :doc:`04_stochastic_gradient_descent` predicts the decaying rate ends lower.
