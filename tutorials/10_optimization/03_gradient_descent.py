"""
Gradient descent
================

Gradient descent is rarely used as it is in deep learning, but every optimiser of
this chapter is a variation of it, and its failure modes (a learning rate too small
or too large, local minima, badly scaled coordinates) are theirs too. This page
derives gradient descent from a Taylor expansion, runs it in one and in two
dimensions, writes the small tool that records and draws a two-dimensional
trajectory (kept in ``handson.optimization`` for the rest of the chapter), and then
looks at curvature: Newton's method, why it converges so fast and why it can fail,
and preconditioning, measured on the ill-conditioned quadratic used throughout the
chapter.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * why :math:`x \\leftarrow x - \\eta f'(x)` decreases :math:`f`, and what the
        learning rate :math:`\\eta` must satisfy (divergence shown)
      * multivariate gradient descent on an ill-conditioned quadratic, drawn with
        ``handson.optimization.trace_2d`` and ``show_trace_2d``
      * Newton's method: one step on a quadratic, quadratic convergence near a
        minimum, and how it walks to a *maximum* on a non-convex function
      * diagonal preconditioning, and how many steps it saves (measured)

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`01_optimization_and_deep_learning` and :doc:`02_convexity`
      * :doc:`../02_preliminaries/04_calculus` (Taylor expansion, gradients)
      * :doc:`../03_linear_regression/01_california_housing`, where minibatch
        SGD first trained a model
      * data: none, every example is synthetic
"""

# sphinx_gallery_thumbnail_number = 4

import math

import matplotlib.pyplot as plt
import torch

import handson

handson.seed(0)

# %%
# One-dimensional gradient descent
# --------------------------------
#
# For a differentiable :math:`f: \mathbb{R} \to \mathbb{R}`, Taylor's expansion
# gives, for a small :math:`\epsilon`,
#
# .. math::
#
#    f(x + \epsilon) = f(x) + \epsilon f'(x) + O(\epsilon^2).
#
# Take the step :math:`\epsilon = -\eta f'(x)` with a small *learning rate*
# :math:`\eta > 0`: then :math:`f(x - \eta f'(x)) = f(x) - \eta f'(x)^2 +
# O(\eta^2 f'(x)^2)`, and for small enough :math:`\eta` the first-order decrease
# :math:`\eta f'(x)^2` wins, so :math:`f` goes down unless :math:`f'(x) = 0`. That is
# gradient descent:
#
# .. math::
#
#    x \leftarrow x - \eta f'(x).
#
# D2L's first example is :math:`f(x) = x^2` from :math:`x = 10`. Here each step
# multiplies :math:`x` by :math:`1 - 2\eta`, so after :math:`t` steps
# :math:`x_t = (1 - 2\eta)^t x_0`, which the code checks.


def f(x):
    return x**2


def f_grad(x):
    return 2 * x


def gd(lr, f_grad, x0=10.0, num_steps=10):
    """Run x <- x - lr * f'(x); return every point, the start included."""
    x = torch.tensor(x0, dtype=torch.float64)
    results = [x]
    for _ in range(num_steps):
        x = x - lr * f_grad(x)
        results.append(x)
    return torch.stack(results)


def show_trace(results, f, ax, title):
    """Draw f and the points gradient descent visited on it."""
    n = results.abs().max().item()
    line = torch.linspace(-n, n, 201, dtype=torch.float64)
    ax.plot(line, f(line))
    ax.plot(results, f(results), "-o", markersize=3)
    ax.set_title(title)
    ax.set_xlabel("$x$")


runs = {lr: gd(lr, f_grad) for lr in [0.05, 0.2, 1.1]}
for lr, results in runs.items():
    torch.testing.assert_close(results[-1], (1 - 2 * lr) ** 10 * results[0])
    print(f"lr = {lr:4}: after 10 steps x = {results[-1]:10.4f}, factor per step "
          f"{1 - 2 * lr:+.1f}")
assert abs(runs[1.1][-1]) > abs(runs[1.1][0]) > abs(runs[0.05][-1]) > 1
assert abs(runs[0.2][-1]) < 0.1

fig, axes = plt.subplots(1, 3, figsize=(11, 3))
for ax, (lr, results), name in zip(axes, runs.items(), ["too small", "good",
                                                          "too large"]):
    show_trace(results, f, ax, f"$\\eta = {lr}$: {name}")
fig.tight_layout()
plt.show()

# %%
# With :math:`\eta = 0.05` the iterate creeps towards 0; with :math:`\eta = 0.2` it
# is close after ten steps; with :math:`\eta = 1.1` each step overshoots by more
# than it corrects, :math:`|1 - 2\eta| > 1`, and :math:`x` *diverges*, oscillating
# with growing amplitude. In general, if the curvature :math:`f''` is at most
# :math:`L`, any :math:`\eta < 2/L` converges on a convex quadratic and
# :math:`\eta = 1/L` is a safe choice; here :math:`L = 2`.
#
# Local minima
# ^^^^^^^^^^^^
#
# On a non-convex function the learning rate also decides *where* we end. D2L's
# example is :math:`f(x) = x \cos(cx)` with :math:`c = 0.15\pi` and
# :math:`\eta = 2`, from :math:`x = 10`:

c = 0.15 * math.pi


def f_nc(x):
    return x * torch.cos(c * x)


def f_nc_grad(x):
    return torch.cos(c * x) - c * x * torch.sin(c * x)


def f_nc_hess(x):
    return -2 * c * torch.sin(c * x) - x * c**2 * torch.cos(c * x)


results_nc = gd(2.0, f_nc_grad, num_steps=200)
small_nc = gd(0.1, f_nc_grad, num_steps=200)
for lr, r in [(2.0, results_nc), (0.1, small_nc)]:
    print(f"lr = {lr}: from x = 10 to x = {r[-1]:.3f}, f = {f_nc(r[-1]):.3f}, "
          f"f' = {f_nc_grad(r[-1]):.1e}, f'' = {f_nc_hess(r[-1]):.2f}")
assert f_nc(results_nc[-1]) > f_nc(small_nc[-1]) + 2
assert max(abs(f_nc_grad(results_nc[-1])), abs(f_nc_grad(small_nc[-1]))) < 1e-3

# %%
# The large learning rate jumps over the nearest valley and settles in a shallow
# local minimum near the origin (the gradient is zero and :math:`f'' > 0`); the
# small one walks down into the nearby, much deeper one. Neither knows about the
# other minima.
#
# Multivariate gradient descent
# -----------------------------
#
# For :math:`f: \mathbb{R}^d \to \mathbb{R}` with gradient :math:`\nabla f`, the
# expansion :math:`f(\mathbf{x} + \boldsymbol{\epsilon}) = f(\mathbf{x}) +
# \boldsymbol{\epsilon}^\top \nabla f(\mathbf{x}) + O(\|\boldsymbol{\epsilon}\|^2)`
# says that :math:`-\nabla f` is the direction of steepest descent, and
#
# .. math::
#
#    \mathbf{x} \leftarrow \mathbf{x} - \eta \nabla f(\mathbf{x}).
#
# Every optimiser of this chapter is drawn on the same function,
#
# .. math::
#
#    f(\mathbf{x}) = 0.1 x_1^2 + 2 x_2^2, \qquad
#    \nabla f(\mathbf{x}) = (0.2 x_1,\ 4 x_2),
#
# a bowl twenty times steeper along :math:`x_2` than along :math:`x_1` (D2L uses
# :math:`x_1^2 + 2x_2^2` here and this more stretched one from the momentum section
# on; one function for the whole chapter makes the pictures comparable). We need
# two small tools: one that applies an update rule repeatedly from
# :math:`(-5, -2)` and records every point, and one that draws the path on the
# contour lines of :math:`f`. The update rule gets a ``state`` dictionary, empty
# at the start, in which later optimisers keep their memory (a velocity, running
# averages, a step count).


def f_2d(x):
    return 0.1 * x[..., 0] ** 2 + 2 * x[..., 1] ** 2


def grad_f_2d(x):
    return torch.stack([0.2 * x[..., 0], 4 * x[..., 1]], dim=-1)


def trace_2d(update, x0=(-5.0, -2.0), num_steps=20):
    """Apply x = update(x, state) num_steps times from x0; return every point."""
    x = torch.tensor(x0, dtype=torch.float64)
    state = {}
    points = [x.clone()]
    for _ in range(num_steps):
        x = update(x, state)
        points.append(x.clone())
    return torch.stack(points)


def show_trace_2d(f, trace, ax, title):
    """Contour lines of f, and the path on top."""
    grid = torch.linspace(-5.5, 5.5, 101, dtype=torch.float64)
    x1, x2 = torch.meshgrid(grid, grid * 0.6, indexing="xy")
    ax.contour(x1, x2, f(torch.stack([x1, x2], dim=-1)), levels=20,
               colors="#1f77b4", linewidths=0.6)
    ax.plot(trace[:, 0], trace[:, 1], "-o", color="#ff7f0e", markersize=3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)


def gd_2d(x, state, lr=0.4):
    return x - lr * grad_f_2d(x)


trace = trace_2d(gd_2d)
print(f"gradient descent, lr 0.4, 20 steps: x = {trace[-1].numpy().round(4)}, "
      f"f = {f_2d(trace[-1]):.4f}")

# %%
# These two functions (with input checks added) are kept in
# :mod:`handson.optimization`, together with ``f_2d`` and ``grad_f_2d``; the
# following pages use them from there. They compute the same thing:

from handson import optimization  # noqa: E402

trace_lib = optimization.trace_2d(
    lambda x, state: x - 0.4 * optimization.grad_f_2d(x), num_steps=20)
torch.testing.assert_close(trace_lib, trace, rtol=0, atol=0)
torch.testing.assert_close(optimization.f_2d(trace), f_2d(trace), rtol=0, atol=0)
print("handson.optimization.trace_2d gives the same 21 points")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
for ax, lr in zip(axes, [0.4, 0.52]):
    path = optimization.trace_2d(
        lambda x, s, lr=lr: x - lr * optimization.grad_f_2d(x))
    optimization.show_trace_2d(optimization.f_2d, path, ax, f"gradient descent, "
                               f"$\\eta = {lr}$")
    print(f"lr = {lr}: x after 20 steps = {path[-1].numpy().round(3)}")
fig.tight_layout()
plt.show()

# %%
# Each coordinate of this quadratic evolves on its own:
# :math:`x_1 \leftarrow (1 - 0.2\eta) x_1` and :math:`x_2 \leftarrow (1 - 4\eta)
# x_2`. The steep direction :math:`x_2` demands :math:`\eta < 2/4 = 0.5`; at
# :math:`\eta = 0.4` it zig-zags but converges, while :math:`x_1` shrinks only by
# the factor :math:`0.92` per step and is still far from 0. At :math:`\eta = 0.52`,
# just above the limit, :math:`x_2` diverges. The ratio of the largest to the
# smallest curvature, the *condition number* (here 20), is what makes gradient
# descent slow: one learning rate must serve both directions.

path = optimization.trace_2d(lambda x, s: x - 0.52 * optimization.grad_f_2d(x))
assert abs(path[-1, 1]) > abs(path[0, 1]) and abs(trace[-1, 1]) < 1e-3
assert abs(trace[-1, 0]) > 0.5

# %%
# Newton's method
# ---------------
#
# Gradient descent uses only the first derivative. Keeping the second-order term,
#
# .. math::
#
#    f(\mathbf{x} + \boldsymbol{\epsilon}) \approx f(\mathbf{x}) +
#    \boldsymbol{\epsilon}^\top \nabla f(\mathbf{x}) + \tfrac12
#    \boldsymbol{\epsilon}^\top \mathbf{H} \boldsymbol{\epsilon},
#    \qquad \mathbf{H} = \nabla^2 f(\mathbf{x}),
#
# and setting the derivative in :math:`\boldsymbol{\epsilon}` to zero gives
# :math:`\boldsymbol{\epsilon} = -\mathbf{H}^{-1} \nabla f(\mathbf{x})`: jump to
# the minimum of the local quadratic model. On a quadratic the model is exact and
# one step suffices. On :math:`f_{2d}`, :math:`\mathbf{H} = \operatorname{diag}(0.2,
# 4)`:

H = torch.diag(torch.tensor([0.2, 4.0], dtype=torch.float64))
newton_path = optimization.trace_2d(
    lambda x, s: x - torch.linalg.solve(H, optimization.grad_f_2d(x)), num_steps=1)
print(f"one Newton step on f_2d: {newton_path[0].tolist()} -> "
      f"{newton_path[1].tolist()}")
assert newton_path[1].abs().max() < 1e-12

# %%
# For a :math:`d`-parameter network :math:`\mathbf{H}` has :math:`d^2` entries,
# far too many to store or invert, so Newton's method is not used in deep learning
# directly; but it explains what the adaptive methods later in this chapter
# approximate. D2L's two one-dimensional examples, :math:`x \leftarrow x - \eta
# f'(x) / f''(x)`: first the convex :math:`\cosh(x/2)`, then the non-convex
# :math:`x \cos(cx)`, with :math:`\eta = 1` and :math:`\eta = 0.5`.


def newton(f_grad, f_hess, lr=1.0, x0=10.0, num_steps=10):
    x = torch.tensor(x0, dtype=torch.float64)
    results = [x]
    for _ in range(num_steps):
        x = x - lr * f_grad(x) / f_hess(x)
        results.append(x)
    return torch.stack(results)


def f_cosh(x):
    return torch.cosh(0.5 * x)


newton_cosh = newton(lambda x: 0.5 * torch.sinh(0.5 * x),
                     lambda x: 0.25 * torch.cosh(0.5 * x))
newton_nc = newton(f_nc_grad, f_nc_hess, lr=1.0)
newton_nc_half = newton(f_nc_grad, f_nc_hess, lr=0.5)
print(f"cosh(x/2), lr 1:   x = {newton_cosh[-1]:.2e} after 10 steps")
for name, r in [("lr 1  ", newton_nc), ("lr 0.5", newton_nc_half)]:
    print(f"x cos(cx), {name}: x = {r[-1]:.3f}, f = {f_nc(r[-1]):.3f}, "
          f"f'' = {f_nc_hess(r[-1]):.2f} (start f = {f_nc(r[0]):.3f})")
assert abs(newton_cosh[-1]) < 1e-10
assert f_nc_hess(newton_nc[-1]) < 0 and f_nc(newton_nc[-1]) > f_nc(newton_nc[0])
assert f_nc_hess(newton_nc_half[-1]) > 0 and f_nc(newton_nc_half[-1]) < -5

fig, axes = plt.subplots(1, 3, figsize=(11, 3))
show_trace(newton_cosh, f_cosh, axes[0], r"Newton on $\cosh(x/2)$")
show_trace(newton_nc, f_nc, axes[1], r"Newton on $x\cos(cx)$, $\eta = 1$")
show_trace(newton_nc_half, f_nc, axes[2], r"Newton on $x\cos(cx)$, $\eta = 0.5$")
fig.tight_layout()
plt.show()

# %%
# On :math:`\cosh` Newton's method reaches the minimum to ten digits in ten steps.
# On :math:`x \cos(cx)` with :math:`\eta = 1` it goes spectacularly wrong: where
# :math:`f'' < 0` the quadratic model is an upside-down bowl, its stationary point
# is a *maximum*, and Newton's method jumps there; it ends at a local maximum with a
# higher value than it started from. Newton's method looks for :math:`f' = 0`, not
# for a minimum. Two remedies: take :math:`|f''|` instead of :math:`f''` (then the
# step always goes downhill), or bring back a learning rate; with
# :math:`\eta = 0.5` it happens to find a good minimum here.
#
# Convergence analysis
# ^^^^^^^^^^^^^^^^^^^^
#
# Why is Newton's method so fast once it is close? Let :math:`x^*` be a minimum with
# :math:`f''(x^*) > 0` and :math:`e_k = x_k - x^*`. Expanding :math:`f'` around
# :math:`x_k`,
# :math:`0 = f'(x^*) = f'(x_k) - e_k f''(x_k) + \tfrac12 e_k^2 f'''(\xi_k)` for some
# :math:`\xi_k` between :math:`x^*` and :math:`x_k`. Dividing by :math:`f''(x_k)` and
# using :math:`x_{k+1} = x_k - f'(x_k)/f''(x_k)`:
#
# .. math::
#
#    e_{k+1} = \frac{f'''(\xi_k)}{2 f''(x_k)} e_k^2 .
#
# Where :math:`|f'''| / (2 f'')` is bounded by some :math:`M`, the error is squared
# at every step, :math:`|e_{k+1}| \leq M e_k^2`: *quadratic convergence*, the number
# of correct digits roughly doubles per step. Gradient descent, by contrast,
# shrinks the error by a constant factor per step (*linear* convergence), as the
# factors :math:`1 - 2\eta` above showed. (``cosh`` is a poor test, since
# :math:`f'''(0) = 0` there makes it converge even faster.) On
# :math:`f(x) = e^x - 2x`, minimised at :math:`x^* = \ln 2` with
# :math:`f'''(x^*) / (2 f''(x^*)) = 1/2`:

x, x_opt, errors = torch.tensor(0.0, dtype=torch.float64), math.log(2), []
for _ in range(5):
    errors.append(abs(x.item() - x_opt))
    x = x - (torch.exp(x) - 2) / torch.exp(x)
ratios = [e1 / e0**2 for e0, e1 in zip(errors, errors[1:])]
for k, e in enumerate(errors):
    extra = f", e_k / e_(k-1)^2 = {ratios[k - 1]:.4f}" if k else ""
    print(f"k = {k}: |e_k| = {e:.3e}{extra}")
assert errors[-1] < 1e-6 and abs(ratios[-1] - 0.5) < 0.05

# %%
# The ratio :math:`e_{k+1}/e_k^2` approaches :math:`1/2`, as the formula predicts,
# and four steps take the error from :math:`0.69` to below :math:`10^{-6}`. The
# analysis says nothing about how long it takes to get close, and needs
# :math:`f''` bounded away from zero: no guarantees far away, or on non-convex
# functions, as the picture above showed.
#
# Preconditioning
# ^^^^^^^^^^^^^^^
#
# Computing and inverting the full Hessian is expensive; a cheap compromise keeps
# only its diagonal,
#
# .. math::
#
#    \mathbf{x} \leftarrow \mathbf{x} - \eta\,
#    \operatorname{diag}(\mathbf{H})^{-1} \nabla f(\mathbf{x}),
#
# which rescales each coordinate by its own curvature, as if the problem were
# re-measured in units in which every direction is equally steep (D2L's example:
# one parameter in millimetres, another in kilometres). We measure how many steps
# each method needs to bring :math:`f_{2d}` below :math:`10^{-6}` from
# :math:`(-5, -2)`, each at its best learning rate from a grid, so the comparison
# is fair.

diag_h = torch.tensor([0.2, 4.0], dtype=torch.float64)


def steps_to_tol(update, lr, f=optimization.f_2d, tol=1e-6, max_steps=2000):
    x = torch.tensor([-5.0, -2.0], dtype=torch.float64)
    for t in range(max_steps):
        if f(x) < tol:
            return t
        x = update(x, lr)
    return max_steps


def plain(x, lr):
    return x - lr * optimization.grad_f_2d(x)


def preconditioned(x, lr):
    return x - lr * optimization.grad_f_2d(x) / diag_h


lrs_gd = [0.05, 0.1, 0.2, 0.3, 0.4, 0.45, 0.48]
lrs_pc = [0.1, 0.2, 0.5, 0.8, 0.9, 0.95]
steps_gd = {lr: steps_to_tol(plain, lr) for lr in lrs_gd}
steps_pc = {lr: steps_to_tol(preconditioned, lr) for lr in lrs_pc}
print("steps to f < 1e-6, plain:         ", steps_gd)
print("steps to f < 1e-6, preconditioned:", steps_pc)
best_gd, best_pc = min(steps_gd.values()), min(steps_pc.values())
print(f"best: plain {best_gd} steps, preconditioned {best_pc} steps")
handson.check("steps of plain GD over steps of preconditioned GD, best rates",
              best_gd / best_pc, ">", 5, quick=True)

# %%
# Preconditioning turns the stretched bowl into a round one, and a learning rate
# that suits one coordinate now suits both. (At :math:`\eta = 1` it would be
# Newton's method and take a single step, because this Hessian *is* diagonal; the
# grid stops below 1 to keep the comparison about preconditioning.) The
# diagonal is only as good as the coordinates, though: rotate :math:`f_{2d}` by
# 45 degrees and its Hessian's diagonal is :math:`(2.1, 2.1)`, so the
# preconditioner is a mere rescaling of the learning rate and helps nothing.

rot = torch.tensor([[1.0, -1.0], [1.0, 1.0]], dtype=torch.float64) / math.sqrt(2)
H_rot = rot @ torch.diag(diag_h) @ rot.T
print("Hessian of the rotated f_2d:", H_rot.numpy().round(3).tolist())


def f_rot(x):
    return optimization.f_2d(x @ rot)


def plain_rot(x, lr):
    return x - lr * H_rot @ x


def precond_rot(x, lr):
    return x - lr * (H_rot @ x) / torch.diagonal(H_rot)


best_rot_gd = min(steps_to_tol(plain_rot, lr, f_rot) for lr in lrs_gd)
best_rot_pc = min(steps_to_tol(precond_rot, lr, f_rot) for lr in lrs_pc)
print(f"rotated, best rates: plain {best_rot_gd} steps, preconditioned "
      f"{best_rot_pc} steps")
assert best_rot_pc > 0.8 * best_rot_gd

fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
for ax, (name, upd, lr) in zip(axes, [("plain", plain, 0.4),
                                      ("preconditioned", preconditioned, 0.5)]):
    path = optimization.trace_2d(lambda x, s, upd=upd, lr=lr: upd(x, lr))
    optimization.show_trace_2d(optimization.f_2d, path, ax,
                               f"{name}, $\\eta = {lr}$, 20 steps")
fig.tight_layout()
plt.show()

# %%
# The preconditioned path heads straight for the minimum; the plain one zig-zags
# across the steep direction and crawls along the flat one. The adaptive
# optimisers later in this chapter (AdaGrad, RMSProp, Adam) are cheap per-coordinate
# preconditioners, estimated from the gradients themselves.
#
# .. dropdown:: Line search
#
#    Another fix for choosing :math:`\eta` is *line search*: keep the direction
#    :math:`-\nabla f` and search for the :math:`\eta` that minimises
#    :math:`f(\mathbf{x} - \eta \nabla f(\mathbf{x}))`, by bisection for example.
#    It converges quickly (see Boyd and Vandenberghe's *Convex Optimization*, as D2L
#    cites), but every trial :math:`\eta` needs the objective on the whole training
#    set, which is far too expensive in deep learning.
#
# Summary
# -------
#
# * Gradient descent steps against the gradient; the learning rate must be small
#   enough for the curvature (:math:`\eta < 2/L` on a quadratic) or it diverges,
#   and large enough to make progress.
# * On non-convex functions the end point depends on start and learning rate.
# * One learning rate must serve every direction, so the condition number sets the
#   speed; ``handson.optimization`` draws these paths for the rest of the chapter.
# * Newton's method uses the Hessian, converges quadratically near a minimum, and
#   heads for a maximum where the curvature is negative.
# * Diagonal preconditioning rescales each coordinate by its curvature: much faster
#   on axis-aligned problems, no help on rotated ones.

# %%
# Exercises
# ---------
#
# 1. For :math:`f(x) = x^2`, which learning rates make gradient descent converge,
#    which make it oscillate, which diverge? Check your answer with ``gd``.
#
#    .. dropdown:: Answer
#
#       :math:`x_t = (1 - 2\eta)^t x_0`: monotone convergence for
#       :math:`0 < \eta \leq 0.5` (one step at :math:`\eta = 0.5`), oscillating
#       convergence for :math:`0.5 < \eta < 1`, a constant oscillation at
#       :math:`\eta = 1` and divergence above.
#
# 2. Implement a line search by bisection to minimise the convex function
#    :math:`\log(e^x + e^{-2x-3})` on :math:`[-5, 5]`. Do you need derivatives? How
#    fast does the interval shrink?
#
#    .. dropdown:: Hint
#
#       Compare :math:`f` at two points near the middle (or the sign of
#       :math:`f'` at the middle) to decide which half keeps the minimum; each step
#       halves the interval, a linear rate with factor 1/2. From :math:`f'(x) = 0`,
#       :math:`e^x = 2 e^{-2x-3}`, so the minimum is at :math:`x = (\ln 2 - 3)/3`.
#
# 3. Design a function on :math:`\mathbb{R}^2` on which gradient descent is
#    exceedingly slow.
#
#    .. dropdown:: Answer
#
#       Scale the coordinates very differently, e.g. :math:`0.001 x_1^2 + 10
#       x_2^2`: the learning rate must stay below :math:`0.1` for :math:`x_2`, and
#       then :math:`x_1` shrinks by :math:`0.9998` per step.
#
# 4. **Programming task.** Implement the "lightweight Newton" method that D2L
#    proposes: precondition with the *absolute values* of the Hessian's diagonal,
#    :math:`\mathbf{x} \leftarrow \mathbf{x} - \eta\, \nabla f / |\operatorname{diag}
#    \mathbf{H}|`, with the Hessian from ``torch.autograd.functional.hessian``. Run
#    it on :math:`x \cos(cx)` from :math:`x = 10` with :math:`\eta = 1` and compare
#    with plain Newton. Does it still go uphill?
#
#    .. dropdown:: Hint
#
#       With :math:`|f''|` the step :math:`-\eta f'/|f''|` always points downhill,
#       so it no longer converges to the maximum; it can still take very large steps
#       where :math:`|f''|` is close to zero, so cap the step size or keep
#       :math:`\eta < 1`.
