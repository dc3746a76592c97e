"""
Calculus
========

Training a network means walking downhill on a loss, and the slope of the hill is a
derivative. This page gathers the calculus the course needs: derivatives, partial
derivatives, :term:`gradients <gradient>` and the chain rule. Each is computed twice:
from its
definition, by *finite differences* that nudge the input by a small :math:`h` and
watch the output, and from the rules of calculus, and the two are checked against
each other. Along the way we find out how small :math:`h` should be (smaller is not
always better), and we write the ``numerical_grad`` function that tests every
gradient formula on this page, including the gradient of
:math:`\\mathbf{x}^\\top \\mathbf{A} \\mathbf{x}` and a chain rule through a matrix;
the product and quotient rules are checked against autograd as well.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the derivative as a limit, forward and central differences, and a tangent
        line
      * why the error of a finite difference falls like :math:`h` or :math:`h^2`,
        and why it grows again when :math:`h` is tiny (floating-point round-off)
      * partial derivatives and the gradient, the direction of steepest ascent
      * the gradient of :math:`\\mathbf{x}^\\top \\mathbf{A} \\mathbf{x}`, the
        chain rule for scalars and vectors, and the product and quotient rules
      * write ``numerical_grad(f, x, h)`` from scratch and compare it with
        ``torch.func.grad``

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`03_linear_algebra` (vectors, matrices, dot products, norms)
      * derivatives of :math:`x^n`, :math:`\\sin`, :math:`\\exp` from school
      * data: none; functions and random tensors drawn by the page itself
"""

# sphinx_gallery_thumbnail_number = 2

import math

import matplotlib.pyplot as plt
import torch

import handson

handson.seed(0)

# %%
# The derivative as a limit
# -------------------------
#
# The *derivative* of a function :math:`f: \mathbb{R} \to \mathbb{R}` at a point
# :math:`x` is the slope of its graph there: how much the output changes per unit
# change of the input, for a very small change,
#
# .. math::
#
#    f'(x) = \lim_{h \to 0} \frac{f(x + h) - f(x)}{h}.
#
# Other ways of writing it are :math:`\frac{df}{dx}` and
# :math:`\frac{d}{dx} f(x)`. The rules from school give derivatives without limits:
# :math:`\frac{d}{dx} x^n = n x^{n-1}`, the derivative of a sum is the sum of the
# derivatives, and a constant factor stays in front. For
#
# .. math::
#
#    f(x) = 3x^2 - 4x \qquad \text{they give} \qquad f'(x) = 6x - 4,
#    \quad f'(1) = 2 .
#
# From scratch: finite differences
# --------------------------------
#
# The definition is also an algorithm: pick a small :math:`h` and compute the
# fraction. This is a *forward difference*, the slope of the secant line through
# :math:`(x, f(x))` and :math:`(x + h, f(x + h))`. We compute in ``float64``; the
# section on choosing :math:`h` explains why.


def f(x):
    return 3 * x**2 - 4 * x


def f_prime(x):
    return 6 * x - 4


def forward_diff(f, x, h):
    """Forward difference (f(x + h) - f(x)) / h: the slope of a secant line."""
    return (f(x + h) - f(x)) / h


x = torch.tensor(1.0, dtype=torch.float64)
print(f"exact f'(1) = {f_prime(x).item()}")
for h in [1e-1, 1e-2, 1e-3, 1e-4, 1e-5]:
    estimate = forward_diff(f, x, h)
    print(f"h = {h:.0e}: forward difference {estimate.item():.8f}, "
          f"error {(estimate - f_prime(x)).item():.2e}")
    # expanding 3(1 + h)^2 - 4(1 + h) shows the error is exactly 3h (up to rounding)
    torch.testing.assert_close(estimate - f_prime(x), torch.tensor(3 * h).double())

# %%
# The printed estimates approach the exact value, and each error is ten times
# smaller than the one before: the error is proportional to :math:`h`. For this
# :math:`f` it is exactly :math:`3h`, as expanding :math:`f(1 + h)` shows.
#
# The derivative gives the *tangent line*, the straight line that touches the graph
# at :math:`x_0` with the same slope,
#
# .. math::
#
#    y = f(x_0) + f'(x_0)\,(x - x_0),
#
# which is the best straight-line approximation of :math:`f` near :math:`x_0`. At
# :math:`x_0 = 1` it is :math:`y = -1 + 2(x - 1) = 2x - 3`.

x0 = torch.tensor(1.0, dtype=torch.float64)
xs = torch.linspace(0, 3, 301, dtype=torch.float64)
tangent = f(x0) + f_prime(x0) * (xs - x0)
torch.testing.assert_close(tangent, 2 * xs - 3)
# near x0 the tangent is a better fit than anywhere else: the gap grows like (x - x0)^2
gap = (f(xs) - tangent).abs()
torch.testing.assert_close(gap, 3 * (xs - x0) ** 2)

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.plot(xs, f(xs), lw=2.5, label=r"$f(x) = 3x^2 - 4x$")
ax.plot(xs, tangent, "--", lw=2, label=r"tangent at $x = 1$: $y = 2x - 3$")
ax.plot(x0, f(x0), "ko")
ax.set_xlabel("$x$")
ax.set_ylabel("$y$")
ax.set_title("A function and its tangent line")
ax.legend()
plt.show()

# %%
# How small should :math:`h` be?
# ------------------------------
#
# Taylor's theorem tells us how fast a finite difference converges. Expanding
# :math:`f(x \pm h) = f(x) \pm h f'(x) + \frac{h^2}{2} f''(x) \pm \frac{h^3}{6}
# f'''(x) + \dots` gives, for the forward difference and for the *central
# difference*, which steps both ways,
#
# .. math::
#
#    \frac{f(x + h) - f(x)}{h} &= f'(x) + \frac{h}{2} f''(x) + O(h^2), \\
#    \frac{f(x + h) - f(x - h)}{2h} &= f'(x) + \frac{h^2}{6} f'''(x) + O(h^4).
#
# The forward error is proportional to :math:`h`, the central error to
# :math:`h^2`: shrink :math:`h` tenfold and the central error falls a hundredfold.
# (For our quadratic :math:`f`, :math:`f''' = 0`: the central difference is exact.)
#
# That is the *truncation* error, the error of the formula. The computer adds a
# second one. A ``float64`` number carries about 16 significant digits; the relative
# gap between 1 and the next larger number is the *machine epsilon*
# :math:`\epsilon_{\text{mach}}`. When :math:`h` is tiny, :math:`f(x + h)` and
# :math:`f(x)` agree in most of their digits, the subtraction cancels them, and the
# rounding error of about :math:`\epsilon_{\text{mach}} |f(x)|` is divided by
# :math:`h`. This *round-off* error grows like :math:`1/h`. The best :math:`h`
# balances the two: about :math:`\sqrt{\epsilon_{\text{mach}}}` for the forward
# difference, about :math:`\epsilon_{\text{mach}}^{1/3}` for the central one.
#
# We test all of this on :math:`g(x) = \sin x` at :math:`x = 1`, where
# :math:`g'(x) = \cos x` and neither :math:`g''` nor :math:`g'''` vanishes. The
# finite-difference functions work elementwise, so one call evaluates every
# :math:`h` at once.


def central_diff(f, x, h):
    """Central difference (f(x + h) - f(x - h)) / (2h)."""
    return (f(x + h) - f(x - h)) / (2 * h)


eps = torch.finfo(torch.float64).eps
print(f"float64 machine epsilon: {eps:.2e}; sqrt: {eps ** 0.5:.1e}; "
      f"cube root: {eps ** (1 / 3):.1e}")

x = torch.tensor(1.0, dtype=torch.float64)
hs = torch.logspace(-1, -14, 27, dtype=torch.float64)  # 1e-1 down to 1e-14
exact = torch.cos(x)
err_forward = (forward_diff(torch.sin, x, hs) - exact).abs()
err_central = (central_diff(torch.sin, x, hs) - exact).abs()
pred_forward = hs / 2 * torch.sin(x).abs()  # |g''| = |sin x|
pred_central = hs**2 / 6 * torch.cos(x).abs()  # |g'''| = |cos x|

header = ["h", "forward err", "(h/2)|g''|", "central err", "(h^2/6)|g'''|"]
print("".join(name.rjust(width) for name, width in zip(header, [8, 13, 13, 13, 15])))
for i in range(0, len(hs), 2):
    print(f"{hs[i]:8.0e} {err_forward[i]:13.2e} {pred_forward[i]:13.2e} "
          f"{err_central[i]:13.2e} {pred_central[i]:15.2e}")

# %%
# For large :math:`h` the printed errors follow the Taylor predictions; for tiny
# :math:`h` they stop following them and grow again. We check both halves of the
# story. On a log-log scale a power law :math:`\text{error} \propto h^k` is a
# straight line of slope :math:`k`, so we fit a line to :math:`\log_{10}` of the
# error against :math:`\log_{10} h` where truncation dominates.


def loglog_slope(h, err):
    """Least-squares slope of log10(err) against log10(h)."""
    u, v = torch.log10(h), torch.log10(err)
    u, v = u - u.mean(), v - v.mean()
    return ((u * v).sum() / (u * u).sum()).item()


large_h = hs >= 1e-4
slope_forward = loglog_slope(hs[large_h], err_forward[large_h])
slope_central = loglog_slope(hs[large_h], err_central[large_h])
best_forward, best_central = hs[err_forward.argmin()], hs[err_central.argmin()]
print(f"slope of the error for h >= 1e-4: forward {slope_forward:.3f}, "
      f"central {slope_central:.3f}")
print(f"best h: forward {best_forward:.0e} (error {err_forward.min():.1e}), "
      f"central {best_central:.0e} (error {err_central.min():.1e})")
print(f"error at the smallest h = {hs[-1]:.0e}: forward {err_forward[-1]:.1e}, "
      f"central {err_central[-1]:.1e}")

assert abs(slope_forward - 1) < 0.05 and abs(slope_central - 2) < 0.05
torch.testing.assert_close(err_forward[large_h], pred_forward[large_h], rtol=0.05,
                           atol=0.0)
torch.testing.assert_close(err_central[large_h], pred_central[large_h], rtol=0.05,
                           atol=0.0)
# the best h sits near the balance point, within a factor of 100 on either side
assert eps**0.5 / 100 < best_forward < eps**0.5 * 100
assert eps ** (1 / 3) / 100 < best_central < eps ** (1 / 3) * 100
assert err_central.min() < err_forward.min() / 100  # central wins by far
assert err_forward[-1] > 100 * err_forward.min()  # round-off: tiny h is worse
assert err_central[-1] > 100 * err_central.min()

# %%
# The printed slopes are close to 1 and 2, as Taylor predicts, and where truncation
# dominates the errors match the predicted :math:`\frac{h}{2}|g''|` and
# :math:`\frac{h^2}{6}|g'''|` to within a few percent (the code asserts 5%). The
# best :math:`h` lands near :math:`\sqrt{\epsilon_{\text{mach}}}` and
# :math:`\epsilon_{\text{mach}}^{1/3}` respectively (the code asserts a factor of
# 100 either way), and below it the error climbs back up: at the smallest :math:`h`
# both differences are more than a hundred times worse than at their best. The
# central difference's best error is also far smaller than the forward one's. The
# picture, with the round-off estimate :math:`\epsilon_{\text{mach}} |g(x)| / h` as a
# dotted line:

fig, ax = plt.subplots(figsize=(6.5, 4.5), layout="constrained")
ax.loglog(hs, err_forward, "o-", label="forward difference")
ax.loglog(hs, err_central, "s-", label="central difference")
ax.loglog(hs, pred_forward, "C0--", lw=1, label=r"$\frac{h}{2}|g''(x)|$")
ax.loglog(hs, pred_central, "C1--", lw=1, label=r"$\frac{h^2}{6}|g'''(x)|$")
ax.loglog(hs, eps * torch.sin(x).abs() / hs, "k:", lw=1,
          label=r"round-off $\epsilon_{\mathrm{mach}} |g(x)| / h$")
ax.set_ylim(1e-17, 1e3)
ax.set_xlabel("step $h$")
ax.set_ylabel("absolute error of the derivative")
ax.set_title(r"Finite differences of $\sin$ at $x = 1$ (float64)")
ax.legend(loc="upper center", fontsize=9, ncols=2)
plt.show()

# %%
# .. warning::
#
#    PyTorch computes in ``float32`` by default, whose machine epsilon is far larger
#    (printed below). In ``float32`` even the best central difference has far fewer
#    correct digits, so a gradient checked by finite differences in ``float32``
#    can look wrong when it is right. Check gradients in ``float64``;
#    :func:`torch.autograd.gradcheck` warns when its inputs are not ``float64``.

x32, hs32 = x.float(), hs.float()
err_central32 = (central_diff(torch.sin, x32, hs32) - torch.cos(x32)).abs()
print(f"float32 machine epsilon {torch.finfo(torch.float32).eps:.1e}")
print(f"best central error: float32 {err_central32.min():.1e}, "
      f"float64 {err_central.min():.1e}")
assert err_central32.min() > 1000 * err_central.min()

# %%
# Partial derivatives and gradients
# ---------------------------------
#
# Deep learning functions have many inputs: a loss depends on millions of weights.
# For :math:`f: \mathbb{R}^n \to \mathbb{R}`, the *partial derivative* with respect
# to :math:`x_i` varies :math:`x_i` alone and holds the other inputs fixed,
#
# .. math::
#
#    \frac{\partial f}{\partial x_i}(\mathbf{x})
#    = \lim_{h \to 0} \frac{f(\mathbf{x} + h \mathbf{e}_i) - f(\mathbf{x})}{h},
#
# where :math:`\mathbf{e}_i` is the :math:`i`-th unit vector (1 in position
# :math:`i`, 0 elsewhere). Collecting all partial derivatives in a vector gives the
# *gradient*,
#
# .. math::
#
#    \nabla_{\mathbf{x}} f(\mathbf{x}) = \left[
#    \frac{\partial f}{\partial x_1}, \dots, \frac{\partial f}{\partial x_n}
#    \right]^\top,
#
# a vector of the same shape as :math:`\mathbf{x}`. This is what ``w.grad`` held on
# the first page. From scratch, the gradient is one central difference per
# coordinate. We let :math:`\mathbf{x}` have any shape (a matrix of weights, say)
# and return a gradient of the same shape.


def numerical_grad(f, x, h=1e-5):
    """Central-difference gradient of a scalar function f at x (any shape).

    Costs 2 * x.numel() evaluations of f. Use float64: see "How small should h be?".
    """
    grad = torch.zeros(x.numel(), dtype=x.dtype)
    for i in range(x.numel()):
        e = torch.zeros(x.numel(), dtype=x.dtype)
        e[i] = h  # h times the i-th unit vector, flattened
        e = e.reshape(x.shape)
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad.reshape(x.shape)


# %%
# A few gradients come up again and again. For a vector :math:`\mathbf{a}`, a
# square matrix :math:`\mathbf{A}` and a matrix :math:`\mathbf{X}`,
#
# .. math::
#
#    \nabla_{\mathbf{x}}\, \mathbf{a}^\top \mathbf{x} = \mathbf{a}, \qquad
#    \nabla_{\mathbf{x}}\, \mathbf{x}^\top \mathbf{A} \mathbf{x}
#    = (\mathbf{A} + \mathbf{A}^\top)\, \mathbf{x}, \qquad
#    \nabla_{\mathbf{x}} \|\mathbf{x}\|^2 = 2\mathbf{x}, \qquad
#    \nabla_{\mathbf{X}} \|\mathbf{X}\|_F^2 = 2\mathbf{X}.
#
# The third is the second with :math:`\mathbf{A}` the identity matrix. We check
# each at a random point, with a matrix :math:`\mathbf{A}` that is *not* symmetric
# so that :math:`\mathbf{A} + \mathbf{A}^\top` and :math:`2\mathbf{A}` differ.

n = 5
a = torch.randn(n, dtype=torch.float64)
A = torch.randn(n, n, dtype=torch.float64)
x = torch.randn(n, dtype=torch.float64)
X = torch.randn(3, 4, dtype=torch.float64)


def quad(x):
    """The quadratic form x^T A x."""
    return x @ A @ x


torch.testing.assert_close(numerical_grad(lambda x: a @ x, x), a)
torch.testing.assert_close(numerical_grad(quad, x), (A + A.T) @ x)
torch.testing.assert_close(numerical_grad(lambda x: (x**2).sum(), x), 2 * x)
torch.testing.assert_close(numerical_grad(lambda X: (X**2).sum(), X), 2 * X)
print("numerical gradient of x^T A x:", numerical_grad(quad, x))
print("(A + A^T) x:                  ", (A + A.T) @ x)
gap_2A = (numerical_grad(quad, x) - 2 * A @ x).abs().max()
print(f"largest gap to the wrong answer 2 A x: {gap_2A:.3f}")
assert gap_2A > 1e-3

# %%
# .. dropdown:: Deriving the gradient of :math:`\mathbf{x}^\top \mathbf{A} \mathbf{x}`
#
#    Write the quadratic form as a double sum, :math:`\mathbf{x}^\top \mathbf{A}
#    \mathbf{x} = \sum_{i} \sum_{j} a_{ij} x_i x_j`. The variable :math:`x_k`
#    appears in the terms with :math:`i = k` and in those with :math:`j = k`, so
#
#    .. math::
#
#       \frac{\partial}{\partial x_k} \mathbf{x}^\top \mathbf{A} \mathbf{x}
#       = \sum_j a_{kj} x_j + \sum_i a_{ik} x_i
#       = (\mathbf{A}\mathbf{x})_k + (\mathbf{A}^\top \mathbf{x})_k .
#
#    When :math:`\mathbf{A}` is symmetric this is :math:`2\mathbf{A}\mathbf{x}`, the
#    matrix version of :math:`\frac{d}{dx} a x^2 = 2ax`.
#
# The gradient points uphill
# ~~~~~~~~~~~~~~~~~~~~~~~~~~
#
# The slope of :math:`f` in a unit direction :math:`\mathbf{u}`, the *directional
# derivative*, is :math:`\nabla f(\mathbf{x})^\top \mathbf{u}`. By Cauchy–Schwarz it
# is largest when :math:`\mathbf{u}` points along the gradient, and then it equals
# :math:`\|\nabla f(\mathbf{x})\|`. So the gradient is the direction of steepest
# ascent, and :math:`-\nabla f` the direction of steepest descent, the direction
# gradient descent steps in. Perpendicular to the gradient the slope is zero: the
# gradient crosses the contour lines at right angles.
#
# We check this in the plane, for :math:`f(\mathbf{x}) = \mathbf{x}^\top
# \mathbf{A}_2 \mathbf{x}` with a :math:`2 \times 2` matrix :math:`\mathbf{A}_2`.
# At a point :math:`\mathbf{x}_0` we measure the slope in many directions by
# central differences, without using the gradient, and see where it is largest.

A2 = torch.tensor([[2.0, 1.0], [0.0, 1.0]], dtype=torch.float64)


def quad2(x):
    """x^T A2 x for a batch of points: x has shape (..., 2)."""
    return ((x @ A2) * x).sum(dim=-1)


x0 = torch.tensor([1.0, 0.5], dtype=torch.float64)
grad0 = (A2 + A2.T) @ x0
num_angles = handson.shrink(3600, 360)
angles = torch.linspace(0, 2 * math.pi, num_angles + 1, dtype=torch.float64)[:-1]
u = torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)  # unit directions
h = 1e-5
slopes = (quad2(x0 + h * u) - quad2(x0 - h * u)) / (2 * h)  # one per direction
steepest = u[slopes.argmax()]
print("gradient direction:      ", (grad0 / torch.linalg.norm(grad0)).numpy().round(4))
print(f"steepest of {num_angles} directions:", steepest.numpy().round(4))
print(f"largest slope {slopes.max():.4f}, norm of the gradient "
      f"{torch.linalg.norm(grad0):.4f}")
torch.testing.assert_close(slopes, u @ grad0)  # the slope is grad^T u
angle_step = 2 * math.pi / num_angles
assert torch.linalg.norm(steepest - grad0 / torch.linalg.norm(grad0)) <= angle_step
torch.testing.assert_close(slopes.max(), torch.linalg.norm(grad0), rtol=1e-4,
                           atol=0.0)

# %%
# The steepest sampled direction matches the gradient's direction to the
# resolution of the sampling, and the largest slope matches the gradient's norm.
# The contour plot shows the gradient at a few points; every arrow crosses its
# contour line at a right angle and points towards higher values.

grid = torch.linspace(-2, 2, 201, dtype=torch.float64)
G1, G2 = torch.meshgrid(grid, grid, indexing="xy")
F = quad2(torch.stack([G1, G2], dim=-1))
arrow_grid = torch.linspace(-1.5, 1.5, 7, dtype=torch.float64)
P1, P2 = torch.meshgrid(arrow_grid, arrow_grid, indexing="xy")
points = torch.stack([P1.reshape(-1), P2.reshape(-1)], dim=1)
grads = points @ (A2 + A2.T).T  # the gradient (A2 + A2^T) x at every point

fig, ax = plt.subplots(figsize=(6, 5.5), layout="constrained")
contours = ax.contour(G1, G2, F, levels=[0.25, 1, 2, 4, 6, 9], cmap="viridis")
ax.clabel(contours, fontsize=8, fmt="%g")
ax.quiver(points[:, 0], points[:, 1], grads[:, 0], grads[:, 1], color="C3",
          angles="xy", scale_units="xy", scale=20, width=0.004)
ax.set_aspect("equal")
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.set_title(r"Contours of $\mathbf{x}^\top \mathbf{A}_2 \mathbf{x}$ and its gradient")
plt.show()

# %%
# The chain rule
# --------------
#
# Networks are compositions: layer after layer, each applied to the output of the
# previous one. The *chain rule* differentiates compositions. If :math:`y = f(u)`
# and :math:`u = g(x)`, then
#
# .. math::
#
#    \frac{dy}{dx} = \frac{dy}{du} \, \frac{du}{dx} .
#
# For :math:`y = \sin(x^2)`, with :math:`u = x^2`, this gives
# :math:`\frac{dy}{dx} = \cos(x^2) \cdot 2x`. Central differences work elementwise,
# so we check the formula at many points at once.

xs = torch.linspace(-3, 3, 61, dtype=torch.float64)
numeric = central_diff(lambda x: torch.sin(x**2), xs, 1e-5)
chain = torch.cos(xs**2) * 2 * xs
print(f"largest |numerical - chain rule| over {len(xs)} points: "
      f"{(numeric - chain).abs().max():.1e}")
torch.testing.assert_close(numeric, chain)

# %%
# With vectors, every path from :math:`x_i` to :math:`y` contributes. If
# :math:`y = f(\mathbf{u})` and :math:`\mathbf{u} = g(\mathbf{x})` with
# :math:`\mathbf{u} \in \mathbb{R}^m`, then
#
# .. math::
#
#    \frac{\partial y}{\partial x_i}
#    = \sum_{j=1}^{m} \frac{\partial y}{\partial u_j}
#      \frac{\partial u_j}{\partial x_i},
#    \qquad \text{that is} \qquad
#    \nabla_{\mathbf{x}} y = \mathbf{J}^\top \nabla_{\mathbf{u}} y,
#
# where :math:`\mathbf{J} \in \mathbb{R}^{m \times n}`, with
# :math:`J_{ji} = \partial u_j / \partial x_i`, is the *Jacobian* of :math:`g`.
# Take a linear layer followed by a smooth function summed over its outputs:
#
# .. math::
#
#    \mathbf{u} = \mathbf{W}\mathbf{x}, \qquad
#    y = \sum_{j=1}^{m} \log\left(1 + e^{u_j}\right).
#
# The Jacobian of :math:`\mathbf{u} = \mathbf{W}\mathbf{x}` is :math:`\mathbf{W}`
# itself, and :math:`\frac{d}{du} \log(1 + e^u) = \frac{1}{1 + e^{-u}}`, the
# *sigmoid* :math:`\sigma(u)`. So the chain rule predicts
# :math:`\nabla_{\mathbf{x}} y = \mathbf{W}^\top \sigma(\mathbf{W}\mathbf{x})`,
# with :math:`\sigma` applied elementwise.

m, n = 4, 6
W = torch.randn(m, n, dtype=torch.float64)
x = torch.randn(n, dtype=torch.float64)


def layer_then_sum(x):
    """y = sum_j log(1 + exp(u_j)) with u = W x."""
    return torch.log1p(torch.exp(W @ x)).sum()


grad_chain = W.T @ torch.sigmoid(W @ x)
print("numerical gradient:", numerical_grad(layer_then_sum, x))
print("chain rule:        ", grad_chain)
torch.testing.assert_close(numerical_grad(layer_then_sum, x), grad_chain)

# %%
# This is backpropagation in miniature: start from the gradient at the output,
# :math:`\sigma(\mathbf{u})`, and multiply it by the transposed Jacobian of each step
# on the way back to the input.
#
# Concise: let PyTorch differentiate
# ----------------------------------
#
# ``numerical_grad`` needs two evaluations of :math:`f` per input, so
# :math:`2n` evaluations for :math:`n` inputs: hopeless for a network with millions
# of weights, and only approximate. PyTorch's *automatic differentiation* applies
# the chain rule step by step, as we just did by hand, and returns the exact
# gradient (up to rounding) at the cost of a few evaluations of :math:`f`.
# :func:`torch.func.grad` turns a function into its gradient function, so it reads
# just like ``numerical_grad(f, x)``:

x_quad = torch.randn(5, dtype=torch.float64)
torch.testing.assert_close(torch.func.grad(quad)(x_quad), (A + A.T) @ x_quad)
torch.testing.assert_close(torch.func.grad(layer_then_sum)(x), grad_chain)
torch.testing.assert_close(torch.func.grad(torch.sin)(torch.tensor(1.0)),
                           torch.cos(torch.tensor(1.0)))
print("torch.func.grad:   ", torch.func.grad(layer_then_sum)(x))

# %%
# .. warning::
#
#    Automatic differentiation differentiates the *code*, not the function. Where
#    the function has no derivative, two ways of writing it can give different
#    answers. The norm at :math:`\mathbf{x} = \mathbf{0}`: ``torch.linalg.norm``
#    returns the gradient 0 there, a convention, while the same norm written as
#    the square root of a sum of squares returns ``NaN``, because the chain rule
#    multiplies :math:`\frac{1}{2\sqrt{s}} = \infty` by :math:`2\mathbf{x} =
#    \mathbf{0}`.

zero = torch.zeros(3, dtype=torch.float64)
grad_linalg = torch.func.grad(torch.linalg.norm)(zero)
grad_sqrt = torch.func.grad(lambda x: torch.sqrt((x**2).sum()))(zero)
print("at 0: grad of torch.linalg.norm", grad_linalg, "| of sqrt(sum(x^2))", grad_sqrt)
assert torch.equal(grad_linalg, zero) and torch.isnan(grad_sqrt).all()

# %%
# The product and quotient rules
# ------------------------------
#
# Two more rules from school, now checked against automatic differentiation. For a
# product :math:`u(x)\,v(x)`, add and subtract :math:`u(x)\,v(x + h)` in the
# difference quotient:
#
# .. math::
#
#    \frac{u(x + h)\,v(x + h) - u(x)\,v(x)}{h}
#    = \frac{u(x + h) - u(x)}{h}\, v(x + h) + u(x)\, \frac{v(x + h) - v(x)}{h}.
#
# As :math:`h \to 0` the two fractions become :math:`u'(x)` and :math:`v'(x)`, and
# :math:`v(x + h)` becomes :math:`v(x)`, so
#
# .. math::
#
#    (u v)' = u' v + u v' .
#
# For a quotient, write :math:`u / v = u \cdot v^{-1}`. The chain rule gives
# :math:`(v^{-1})' = -v^{-2}\, v'`, and the product rule then gives
#
# .. math::
#
#    \left(\frac{u}{v}\right)' = \frac{u'}{v} - \frac{u\, v'}{v^2}
#    = \frac{u' v - u v'}{v^2}, \qquad v(x) \ne 0 .
#
# We check both on :math:`p(x) = x^2 \sin x` and :math:`q(x) = \sin x / (1 +
# x^2)` at many points at once. A trick makes autograd return all the derivatives
# in one call: each entry of ``p(xs)`` depends on its own entry of ``xs`` only, so
# the gradient of ``p(xs).sum()`` is the vector of the derivatives :math:`p'` at
# every point. The tempting wrong rule :math:`(uv)' = u'v'` must fail the check.


def p(x):
    return x**2 * torch.sin(x)


def q(x):
    return torch.sin(x) / (1 + x**2)


xs = torch.linspace(-3, 3, 61, dtype=torch.float64)
p_rule = 2 * xs * torch.sin(xs) + xs**2 * torch.cos(xs)  # u'v + uv'
q_rule = (torch.cos(xs) * (1 + xs**2) - torch.sin(xs) * 2 * xs) / (1 + xs**2) ** 2
p_auto = torch.func.grad(lambda x: p(x).sum())(xs)
q_auto = torch.func.grad(lambda x: q(x).sum())(xs)
torch.testing.assert_close(p_auto, p_rule)
torch.testing.assert_close(q_auto, q_rule)
torch.testing.assert_close(central_diff(p, xs, 1e-5), p_rule)
torch.testing.assert_close(central_diff(q, xs, 1e-5), q_rule)
p_wrong = 2 * xs * torch.cos(xs)  # u' v', not a rule
print(f"largest |autograd - product rule|  {(p_auto - p_rule).abs().max():.1e}")
print(f"largest |autograd - quotient rule| {(q_auto - q_rule).abs().max():.1e}")
print(f"largest |autograd - u'v'|          {(p_auto - p_wrong).abs().max():.1e}")
assert not torch.allclose(p_auto, p_wrong)

# %%
# The next page, :doc:`05_autograd`, opens up automatic differentiation: how
# PyTorch records the computation, and ``loss.backward()``, the form every training
# loop in this course uses.
#
# Summary
# -------
#
# * The derivative is the limit of a difference quotient; the forward difference
#   has error proportional to :math:`h`, the central difference to :math:`h^2`.
# * Floating-point round-off grows like :math:`1/h`, so the best :math:`h` is near
#   :math:`\sqrt{\epsilon_{\text{mach}}}` (forward) or
#   :math:`\epsilon_{\text{mach}}^{1/3}` (central); check gradients in ``float64``.
# * The gradient collects the partial derivatives, has the shape of the input, and
#   points in the direction of steepest ascent; for example
#   :math:`\nabla_{\mathbf{x}} \mathbf{x}^\top \mathbf{A}\mathbf{x} =
#   (\mathbf{A} + \mathbf{A}^\top)\mathbf{x}`.
# * The chain rule multiplies derivatives along a composition; for vectors,
#   :math:`\nabla_{\mathbf{x}} y = \mathbf{J}^\top \nabla_{\mathbf{u}} y`.
# * ``numerical_grad`` (central differences, :math:`2n` evaluations) is the test
#   bench; automatic differentiation (``torch.func.grad``, ``backward()``) is what
#   training uses.

# %%
# Exercises
# ---------
#
# 1. Find the derivative of :math:`f(x) = x^3 - \frac{1}{x}` and the equation of its
#    tangent line at :math:`x = 1`. Check the slope with ``central_diff`` and plot
#    the function with its tangent as above.
#
#    .. dropdown:: Answer
#
#       :math:`f'(x) = 3x^2 + \frac{1}{x^2}`, so :math:`f'(1) = 4` and
#       :math:`f(1) = 0`: the tangent is :math:`y = 4(x - 1) = 4x - 4`.
#
# 2. Why is the central difference *exact* (up to rounding) for
#    :math:`f(x) = 3x^2 - 4x`, whatever :math:`h`? Check it with the code above.
#
#    .. dropdown:: Answer
#
#       :math:`f(x + h) - f(x - h) = 3\bigl((x+h)^2 - (x-h)^2\bigr) - 8h = 12xh - 8h`,
#       and dividing by :math:`2h` gives :math:`6x - 4 = f'(x)`. In the Taylor
#       expansion, the central difference's error starts with :math:`f'''`, which
#       is zero for any quadratic.
#
# 3. Repeat the error study for :math:`\sin` in ``float32`` (``x.float()``,
#    ``hs.float()``). Where are the best :math:`h` now, and how small are the best
#    errors?
#
#    .. dropdown:: Answer
#
#       The same balance, with the ``float32`` machine epsilon
#       ``torch.finfo(torch.float32).eps``: the best :math:`h` is near its square
#       root (forward) and cube root (central), and the best errors are of the
#       order of :math:`\sqrt{\epsilon_{\text{mach}}}` and
#       :math:`\epsilon_{\text{mach}}^{2/3}`: a few correct digits only. For
#       :math:`h` at most :math:`\epsilon_{\text{mach}} / 2` the sum :math:`1 + h`
#       rounds to 1 (round to nearest), so the forward difference at :math:`x = 1` is
#       exactly 0; for :math:`h` between :math:`\epsilon_{\text{mach}} / 2` and
#       :math:`\epsilon_{\text{mach}}`, :math:`1 + h` rounds up to
#       :math:`1 + \epsilon_{\text{mach}}` instead, so the step actually taken is
#       not the :math:`h` the formula divides by.
#
# 4. Show that :math:`\nabla_{\mathbf{x}} \|\mathbf{x}\|_2 =
#    \mathbf{x} / \|\mathbf{x}\|_2` for :math:`\mathbf{x} \ne \mathbf{0}`, and
#    check it with ``numerical_grad``. What does ``numerical_grad`` return at
#    :math:`\mathbf{x} = \mathbf{0}`, where the norm has no gradient? Compare with
#    the two autograd answers of the warning above.
#
#    .. dropdown:: Hint
#
#       Use the chain rule on :math:`\|\mathbf{x}\| = \sqrt{s}` with
#       :math:`s = \|\mathbf{x}\|^2`: :math:`\frac{1}{2\sqrt{s}} \cdot 2\mathbf{x}`.
#       At :math:`\mathbf{0}` the central differences of a symmetric function
#       cancel to 0, the same value ``torch.linalg.norm`` returns by convention (0
#       is a *subgradient* of the norm there, not a derivative); the square root of
#       a sum of squares gives ``NaN``, as the warning showed.
#
# 5. **Programming task.** Write ``numerical_jacobian(f, x, h)`` for a function
#    :math:`f: \mathbb{R}^n \to \mathbb{R}^m`, returning the :math:`m \times n`
#    matrix :math:`J_{ji} = \partial f_j / \partial x_i`. Check that the Jacobian of
#    :math:`\mathbf{x} \mapsto \mathbf{W}\mathbf{x}` is :math:`\mathbf{W}`, that of
#    elementwise :math:`\tanh` is :math:`\operatorname{diag}(1 - \tanh^2
#    \mathbf{x})`, and compare both with :func:`torch.func.jacrev`.
#
#    .. dropdown:: Worked answer
#
#       Column :math:`i` of the Jacobian is the central difference of the whole
#       output vector in the direction :math:`\mathbf{e}_i`.
#
#       .. code-block:: python
#
#          def numerical_jacobian(f, x, h=1e-5):
#              columns = []
#              for i in range(len(x)):
#                  e = torch.zeros_like(x)
#                  e[i] = h
#                  columns.append((f(x + e) - f(x - e)) / (2 * h))
#              return torch.stack(columns, dim=1)  # (m, n)
#
#          x = torch.randn(n, dtype=torch.float64)
#          torch.testing.assert_close(numerical_jacobian(lambda x: W @ x, x), W)
#          torch.testing.assert_close(numerical_jacobian(torch.tanh, x),
#                                     torch.diag(1 - torch.tanh(x) ** 2))
#          torch.testing.assert_close(torch.func.jacrev(lambda x: W @ x)(x), W)
#          torch.testing.assert_close(torch.func.jacrev(torch.tanh)(x),
#                                     torch.diag(1 - torch.tanh(x) ** 2))
