r"""
Momentum
========

Gradient descent looks only at the gradient of the current step. On a valley that
is steep in one direction and flat in another (an *ill-conditioned* problem) this
forces a bad compromise: a learning rate small enough for the steep direction
crawls along the flat one, and one large enough for the flat direction makes the
steep one diverge. *Momentum* replaces the gradient by a leaky average of past
gradients, the *velocity*. Gradients that agree from step to step add up, those
that flip sign cancel. This page writes the method from scratch on the quadratic of
:doc:`03_gradient_descent`, checks it step by step against
``torch.optim.SGD(momentum=...)``, and derives (and measures) when it converges.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * leaky averages, and why :math:`1/(1-\beta)` is their effective number of
        terms
      * the momentum update :math:`\mathbf{v} \leftarrow \beta \mathbf{v} +
        \mathbf{g}`, :math:`\mathbf{x} \leftarrow \mathbf{x} - \eta
        \mathbf{v}`, from scratch
      * that ``torch.optim.SGD(momentum=beta)`` takes exactly the same steps, and
        what its ``dampening`` argument changes
      * the eigenvalue analysis on a quadratic: convergence exactly when
        :math:`0 < \eta \lambda < 2 (1 + \beta)`

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`03_gradient_descent` (the quadratic ``f_2d`` and
        ``handson.optimization``)
      * :doc:`05_minibatch_sgd` (minibatch gradients)
      * eigenvalues of a :math:`2 \times 2` matrix
        (:doc:`../02_preliminaries/03_linear_algebra`)
      * data: none, every experiment is on a two-dimensional quadratic
"""

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import torch

import handson
from handson.optimization import f_2d, grad_f_2d, show_trace_2d, trace_2d

handson.seed(0)

# %%
# Leaky averages
# --------------
#
# Minibatch SGD already averages the gradients of the examples in a batch, which
# lowers their variance (:doc:`05_minibatch_sgd`). Momentum averages further,
# *over time*: with :math:`\mathbf{g}_t` the gradient at step :math:`t`, the
# velocity is the leaky sum
#
# .. math::
#
#    \mathbf{v}_t = \beta \mathbf{v}_{t-1} + \mathbf{g}_t
#    = \sum_{\tau=0}^{t-1} \beta^{\tau} \mathbf{g}_{t-\tau},
#    \qquad \mathbf{v}_0 = \mathbf{0}, \quad \beta \in [0, 1).
#
# The gradient of :math:`\tau` steps ago enters with weight :math:`\beta^\tau`.
# The weights add up to :math:`\sum_{\tau \ge 0} \beta^\tau = 1/(1-\beta)`, so
# :math:`\mathbf{v}_t` is about :math:`1/(1-\beta)` gradients' worth: a sum over
# an *effective sample* of that many recent steps, with old gradients fading
# geometrically. :math:`\beta = 0` is plain gradient descent.

betas = [0.95, 0.9, 0.6, 0.0]
tau = torch.arange(2000, dtype=torch.float64)
for beta in betas:
    weight_sum = (beta ** tau).sum().item()
    print(f"beta = {beta:4.2f}: sum of weights {weight_sum:7.3f}, "
          f"1/(1-beta) = {1 / (1 - beta):7.3f}")
    assert abs(weight_sum - 1 / (1 - beta)) < 1e-9

# %%
# The scaled average :math:`(1-\beta)\mathbf{v}_t` is a weighted mean of the
# recent gradients. If the gradients are noisy, with mean :math:`\mu` and
# independent noise of variance :math:`\sigma^2`, its variance settles at
# :math:`\sigma^2 (1-\beta)^2 \sum_\tau \beta^{2\tau} = \sigma^2
# \frac{1-\beta}{1+\beta}`, about :math:`\sigma^2 / 19` for :math:`\beta = 0.9`:
# the leaky average does what a 19 times larger minibatch would. We measure it on
# simulated gradients :math:`g_t = 1 + \text{noise}`.

beta, num_steps = 0.9, 20_000
g = 1.0 + torch.randn(num_steps, dtype=torch.float64)  # mean 1, variance 1
v, averages = torch.zeros((), dtype=torch.float64), []
for g_t in g:
    v = beta * v + g_t
    averages.append((1 - beta) * v)
averages = torch.stack(averages)[200:]  # skip the start, where v is still 0
print(f"variance of the gradients:      {g.var().item():.4f}")
print(f"variance of (1 - beta) v_t:     {averages.var().item():.4f}")
print(f"predicted sigma^2 (1-b)/(1+b):  {(1 - beta) / (1 + beta):.4f}")
handson.check("variance of the leaky average of unit-variance noise",
              averages.var().item(), "<", 0.08, quick=True)
handson.check("variance of the leaky average of unit-variance noise",
              averages.var().item(), ">", 0.035, quick=True)

# %%
# The measured variance of the leaky average is close to the predicted one and far
# below the variance of a single gradient. (The samples of the average are
# correlated, so the estimate itself is less precise than 20,000 independent
# samples would give; the checks leave room for that.)
#
# An ill-conditioned problem
# --------------------------
#
# Take the quadratic of :doc:`03_gradient_descent`, stretched along :math:`x_1`,
#
# .. math::
#
#    f(\mathbf{x}) = 0.1 x_1^2 + 2 x_2^2, \qquad
#    \nabla f(\mathbf{x}) = (0.2 x_1, \; 4 x_2).
#
# Its curvatures (the eigenvalues of the Hessian) are 0.2 and 4, a condition
# number of 20. Gradient descent treats each coordinate separately and multiplies
# :math:`x_i` by :math:`1 - \eta \lambda_i` every step. It converges only if
# :math:`|1 - \eta \lambda_i| < 1` for both, that is :math:`\eta < 2/4 = 0.5`, and
# then :math:`x_1` shrinks by at best :math:`1 - 0.2 \eta > 0.9` per step. With
# :math:`\eta = 0.4`, D2L's first choice, :math:`x_1` crawls; with
# :math:`\eta = 0.6`, :math:`x_2` is multiplied by :math:`1 - 2.4 = -1.4` each
# step and the iterates diverge. ``trace_2d`` runs an update rule from
# :math:`(-5, -2)` and returns all the points.


def gd(lr):
    """Gradient descent on f_2d as an update rule for trace_2d."""
    return lambda x, state: x - lr * grad_f_2d(x)


num_steps = 20
path_gd_04 = trace_2d(gd(0.4), num_steps=num_steps)
path_gd_06 = trace_2d(gd(0.6), num_steps=num_steps)
for lr, path in [(0.4, path_gd_04), (0.6, path_gd_06)]:
    print(f"GD, lr = {lr}: x after {num_steps} steps = "
          f"({path[-1, 0].item():.4g}, {path[-1, 1].item():.4g}), "
          f"f = {f_2d(path[-1]).item():.4g}")

# %%
# The momentum method
# -------------------
#
# Momentum steps along the velocity instead of the gradient:
#
# .. math::
#
#    \mathbf{v}_t = \beta \mathbf{v}_{t-1} + \mathbf{g}_t, \qquad
#    \mathbf{x}_t = \mathbf{x}_{t-1} - \eta \mathbf{v}_t .
#
# Along :math:`x_1` successive gradients point the same way and add up, so the
# step grows towards :math:`\eta/(1-\beta)` times the gradient. Along
# :math:`x_2` they alternate in sign and partly cancel. The update rule keeps
# :math:`\mathbf{v}` in the ``state`` dict that ``trace_2d`` hands it.


def momentum(lr, beta):
    """Momentum on f_2d as an update rule for trace_2d (velocity in state)."""
    def update(x, state):
        v = state.get("v", torch.zeros_like(x))
        v = beta * v + grad_f_2d(x)
        state["v"] = v
        return x - lr * v
    return update


path_m_05 = trace_2d(momentum(0.6, 0.5), num_steps=num_steps)
path_m_025 = trace_2d(momentum(0.6, 0.25), num_steps=num_steps)
runs = {"GD, lr 0.4": path_gd_04, "GD, lr 0.6": path_gd_06,
        "momentum, lr 0.6, beta 0.5": path_m_05,
        "momentum, lr 0.6, beta 0.25": path_m_025}
print(f"{'method':30}{'|x_20 - x*|':>14}{'f(x_20)':>12}")
for name, path in runs.items():
    print(f"{name:30}{path[-1].norm().item():14.4g}{f_2d(path[-1]).item():12.4g}")

dist = {name: path[-1].norm().item() for name, path in runs.items()}
handson.check("distance to the optimum, GD with lr 0.6 (diverges)",
              dist["GD, lr 0.6"], ">", 100, quick=True)
handson.check("distance to the optimum, momentum lr 0.6 beta 0.5 / GD lr 0.4",
              dist["momentum, lr 0.6, beta 0.5"] / dist["GD, lr 0.4"], "<", 0.1,
              quick=True)

# %%
# With the same learning rate that makes gradient descent diverge, momentum with
# :math:`\beta = 0.5` ends far closer to the optimum than gradient descent with
# its safe learning rate 0.4 (the table and the ratio checked above). With
# :math:`\beta = 0.25` it still converges, but less is carried over from step to
# step. The paths:

fig, axes = plt.subplots(2, 2, figsize=(9, 6), sharex=True, sharey=True)
for ax, (name, path) in zip(axes.flat, runs.items()):
    show_trace_2d(f_2d, path, ax=ax, title=name)
    ax.set_xlim(-5.5, 5.5)
    ax.set_ylim(-3.3, 3.3)
    ax.label_outer()
fig.tight_layout()
plt.show()

# %%
# Gradient descent with :math:`\eta = 0.4` zigzags across the valley and is still
# far from :math:`(0, 0)` after 20 steps; with :math:`\eta = 0.6` it leaves the
# picture. Momentum zigzags at first too, but its steps along :math:`x_1` grow
# and those across the valley die out.
#
# The same steps as ``torch.optim.SGD``
# -------------------------------------
#
# ``torch.optim.SGD`` with ``momentum=beta`` keeps a buffer per parameter and
# computes
#
# .. math::
#
#    \mathbf{b}_1 = \mathbf{g}_1, \qquad
#    \mathbf{b}_t = \beta \mathbf{b}_{t-1} + (1 - d)\, \mathbf{g}_t, \qquad
#    \mathbf{x}_t = \mathbf{x}_{t-1} - \eta\, \mathbf{b}_t,
#
# where :math:`d` is ``dampening``, 0 by default. With :math:`d = 0` this is our
# update (starting from :math:`\mathbf{v}_0 = \mathbf{0}` gives
# :math:`\mathbf{v}_1 = \mathbf{g}_1` too). We let PyTorch compute the gradient of
# ``f_2d`` with autograd and compare every iterate.


def torch_path(make_optimizer, x0=(-5.0, -2.0), num_steps=20):
    """Iterates of a torch.optim optimiser on f_2d, start included."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([x])
    points = [x.detach().clone()]
    for _ in range(num_steps):
        optimizer.zero_grad()
        f_2d(x).backward()
        optimizer.step()
        points.append(x.detach().clone())
    return torch.stack(points)


# The later pages of this chapter compare their optimisers the same way, with
# ``handson.optimization.torch_path`` (the same code):

sgd = lambda p: torch.optim.SGD(p, lr=0.1)  # noqa: E731
assert torch.equal(torch_path(sgd), handson.optimization.torch_path(sgd))

for lr, beta in [(0.6, 0.5), (0.6, 0.25), (0.1, 0.9)]:
    ours = trace_2d(momentum(lr, beta), num_steps=50)
    theirs = torch_path(lambda p: torch.optim.SGD(p, lr=lr, momentum=beta),
                        num_steps=50)
    torch.testing.assert_close(theirs, ours, rtol=0, atol=1e-6)
    print(f"lr {lr}, beta {beta}: 50 iterates agree, largest difference "
          f"{(theirs - ours).abs().max().item():.1e}")

# %%
# .. note::
#
#    Two conventions for momentum are in use. Ours (D2L's, and PyTorch's default)
#    sums gradients, so the effective step is :math:`\eta / (1-\beta)` times the
#    gradient once the velocity has built up. Other texts average them,
#    :math:`\mathbf{v}_t = \beta \mathbf{v}_{t-1} + (1-\beta) \mathbf{g}_t`, which
#    is ``dampening=beta`` in PyTorch (except that PyTorch never dampens the
#    first gradient). Written from scratch, the averaging form with learning rate
#    :math:`\eta/(1-\beta)` takes exactly our steps (checked below), so when you
#    copy a learning rate from a paper, check which convention it used. With the
#    summing convention, raising :math:`\beta` also raises the effective step.


def momentum_averaging(lr, beta):
    """The averaging convention v = beta v + (1 - beta) g, x -= lr v."""
    def update(x, state):
        v = beta * state.get("v", torch.zeros_like(x)) + (1 - beta) * grad_f_2d(x)
        state["v"] = v
        return x - lr * v
    return update


for beta in [0.25, 0.5, 0.9]:
    torch.testing.assert_close(
        trace_2d(momentum_averaging(0.1 / (1 - beta), beta), num_steps=50),
        trace_2d(momentum(0.1, beta), num_steps=50), rtol=0, atol=1e-9)
print("averaging with lr / (1 - beta) == summing with lr, for 50 steps")

# %%
#
# Theory on a quadratic
# ---------------------
#
# Any convex quadratic :math:`h(\mathbf{x}) = \frac12 \mathbf{x}^\top \mathbf{Q}
# \mathbf{x} + \mathbf{c}^\top \mathbf{x} + b` with :math:`\mathbf{Q} \succ 0`
# becomes, after shifting to its minimiser and rotating into the eigenvectors of
# :math:`\mathbf{Q}`, a sum :math:`\sum_i \frac{\lambda_i}{2} z_i^2`. Gradient
# descent and momentum are linear in the gradient, so they act on each
# :math:`z_i` separately (D2L derives this change of variables). It is enough to
# study one coordinate with curvature :math:`\lambda`, gradient
# :math:`\lambda x`:
#
# .. math::
#
#    \begin{bmatrix} v_{t} \\ x_{t} \end{bmatrix} =
#    \underbrace{\begin{bmatrix} \beta & \lambda \\ -\eta \beta & 1 - \eta \lambda
#    \end{bmatrix}}_{\mathbf{R}}
#    \begin{bmatrix} v_{t-1} \\ x_{t-1} \end{bmatrix}.
#
# After :math:`t` steps the state is :math:`\mathbf{R}^t` times the start, so it
# goes to zero for every start exactly when both eigenvalues of :math:`\mathbf{R}`
# have modulus below 1 (the *spectral radius* :math:`\rho(\mathbf{R}) < 1`). A
# :math:`2 \times 2` matrix has eigenvalues with
# :math:`\mu_1 \mu_2 = \det \mathbf{R} = \beta` and
# :math:`\mu_1 + \mu_2 = \operatorname{tr} \mathbf{R} = 1 + \beta - \eta\lambda`.
# The roots of :math:`\mu^2 - (\operatorname{tr}) \mu + \det` lie inside the unit
# circle exactly when :math:`|\det| < 1` and :math:`|\operatorname{tr}| < 1 +
# \det`. The first holds for :math:`\beta < 1`; the second reads
# :math:`|1 + \beta - \eta \lambda| < 1 + \beta`, that is
#
# .. math::
#
#    0 < \eta \lambda < 2 (1 + \beta).
#
# For :math:`\beta = 0` this is gradient descent's :math:`0 < \eta\lambda < 2`;
# momentum doubles the range as :math:`\beta \to 1`. On ``f_2d`` with
# :math:`\eta = 0.6`, the steep direction has :math:`\eta \lambda = 2.4`: outside
# gradient descent's range, inside momentum's for :math:`\beta > 0.2`. We check
# the bound numerically, just below and just above it, by the spectral radius and
# by running the recursion for 2,000 steps from :math:`v_0 = 0, x_0 = 1`.


def rate_matrix(lr, beta, lam):
    """The matrix R that maps (v_{t-1}, x_{t-1}) to (v_t, x_t)."""
    return torch.tensor([[beta, lam], [-lr * beta, 1 - lr * lam]],
                        dtype=torch.float64)


def spectral_radius(M):
    return torch.linalg.eigvals(M).abs().max().item()


lam = 1.0
print(f"{'beta':>5}{'lr*lam':>9}{'rho(R)':>9}{'|x_2000|':>11}")
for beta in [0.0, 0.5, 0.9]:
    bound = 2 * (1 + beta)
    for side in [0.98, 1.02]:
        lr = side * bound / lam
        R = rate_matrix(lr, beta, lam)
        state = torch.linalg.matrix_power(R, 2000) @ torch.tensor(
            [0.0, 1.0], dtype=torch.float64)
        rho, x_end = spectral_radius(R), state[1].abs().item()
        print(f"{beta:5.1f}{lr * lam:9.3f}{rho:9.4f}{x_end:11.3g}")
        converges = side < 1
        assert (rho < 1) == converges and (x_end < 1e-6) == converges

# %%
# Just below :math:`2(1+\beta)` the spectral radius is below 1 and :math:`x` has
# shrunk to almost nothing after 2,000 steps; just above, it is above 1 and
# :math:`x` has exploded, for each :math:`\beta` (the asserts check both). The
# spectral radius over the whole range shows more than the boundary:

lr_lam = torch.linspace(0.01, 4.5, 450)
fig, ax = plt.subplots(figsize=(6, 3.5))
for beta in [0.0, 0.25, 0.5, 0.9]:
    rho = [spectral_radius(rate_matrix(a.item(), beta, 1.0)) for a in lr_lam]
    line, = ax.plot(lr_lam, rho, label=f"beta = {beta}")
    ax.axvline(2 * (1 + beta), color=line.get_color(), linestyle=":")
ax.axhline(1.0, color="black", linewidth=0.8)
ax.set_xlabel(r"$\eta \lambda$")
ax.set_ylabel(r"spectral radius $\rho(\mathbf{R})$")
ax.set_ylim(0, 1.6)
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

rho_gd = spectral_radius(rate_matrix(0.6, 0.0, 0.2))
rho_m = spectral_radius(rate_matrix(0.6, 0.5, 0.2))
print(f"flat direction of f_2d (lambda 0.2, lr 0.6): rho = {rho_gd:.3f} for GD, "
      f"{rho_m:.3f} with beta 0.5")
handson.check("contraction per step along x1 with momentum (lr 0.6, beta 0.5)",
              rho_m, "<", rho_gd - 0.1, quick=True)

# %%
# Each curve crosses 1 at its dotted line :math:`2(1+\beta)`. For small
# :math:`\eta\lambda` gradient descent (:math:`\beta = 0`) contracts by
# :math:`1 - \eta\lambda` per step, close to 1 for a flat direction, while with
# momentum the eigenvalues become complex, of modulus :math:`\sqrt{\beta}`, over
# a wide range of :math:`\eta\lambda`: the flat and the steep direction then
# contract at the same rate. That is why momentum helps on ill-conditioned
# problems, and also why its iterates oscillate (complex eigenvalues rotate).
# For the flat direction of ``f_2d`` the printed radii compare the two.
#
# Momentum with minibatches needs no change: :math:`\mathbf{g}_t` becomes the
# minibatch gradient, and the leaky average then also smooths the noise, as
# measured at the top of the page. :doc:`12_optimizers_compared` trains with it.
#
# Summary
# -------
#
# * Momentum replaces the gradient by the leaky sum
#   :math:`\mathbf{v}_t = \beta \mathbf{v}_{t-1} + \mathbf{g}_t`, about
#   :math:`1/(1-\beta)` recent gradients, and steps
#   :math:`\mathbf{x}_t = \mathbf{x}_{t-1} - \eta \mathbf{v}_t`.
# * On an ill-conditioned quadratic it converges with a learning rate that makes
#   gradient descent diverge, and much faster along the flat direction.
# * ``torch.optim.SGD(momentum=beta)`` takes the same steps. The averaging
#   convention (``dampening=beta``) needs a learning rate :math:`1/(1-\beta)`
#   times larger for the same steps.
# * On a quadratic, momentum converges exactly when
#   :math:`0 < \eta \lambda < 2(1+\beta)` for every eigenvalue :math:`\lambda`.

# %%
# Exercises
# ---------
#
# 1. Run ``momentum(lr, beta)`` on ``f_2d`` for :math:`\beta \in \{0.5, 0.9,
#    0.99\}` with :math:`\eta = 0.1`. Which converges fastest in 50 steps, and
#    why does :math:`\beta = 0.99` oscillate for so long?
#
#    .. dropdown:: Hint
#
#       With complex eigenvalues the contraction per step is
#       :math:`\sqrt{\beta}`: :math:`\sqrt{0.99} \approx 0.995` forgets slowly, so
#       the iterate overshoots and swings for hundreds of steps.
#
# 2. Show that the largest learning rate for which gradient descent converges on
#    ``f_2d`` is :math:`\eta = 0.5`, and that momentum with :math:`\beta = 0.9`
#    converges up to :math:`\eta = 0.95`.
#
#    .. dropdown:: Answer
#
#       The steep direction has :math:`\lambda = 4`. Gradient descent needs
#       :math:`4\eta < 2`; momentum needs :math:`4 \eta < 2(1 + 0.9) = 3.8`. The
#       flat direction (:math:`\lambda = 0.2`) gives weaker conditions.
#
# 3. For which :math:`\eta\lambda` are the eigenvalues of :math:`\mathbf{R}`
#    complex? Show that their modulus is then :math:`\sqrt{\beta}`.
#
#    .. dropdown:: Answer
#
#       The discriminant :math:`(1 + \beta - \eta\lambda)^2 - 4\beta` is negative
#       when :math:`(1 - \sqrt{\beta})^2 < \eta\lambda < (1 + \sqrt{\beta})^2`.
#       Complex roots come in a conjugate pair, so
#       :math:`|\mu|^2 = \mu \bar\mu = \det \mathbf{R} = \beta`.
#
# 4. **Programming task.** *Nesterov momentum* evaluates the gradient where the
#    velocity is about to take us. PyTorch's form (``nesterov=True``) is
#    :math:`\mathbf{v}_t = \beta \mathbf{v}_{t-1} + \mathbf{g}_t`,
#    :math:`\mathbf{x}_t = \mathbf{x}_{t-1} - \eta (\mathbf{g}_t + \beta
#    \mathbf{v}_t)`. Write it as an update rule for ``trace_2d`` and check it
#    against ``torch.optim.SGD(..., momentum=beta, nesterov=True)``.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def nesterov(lr, beta):
#              def update(x, state):
#                  g = grad_f_2d(x)
#                  v = beta * state.get("v", torch.zeros_like(x)) + g
#                  state["v"] = v
#                  return x - lr * (g + beta * v)
#              return update
#
#          ours = trace_2d(nesterov(0.3, 0.5), num_steps=50)
#          theirs = torch_path(lambda p: torch.optim.SGD(
#              p, lr=0.3, momentum=0.5, nesterov=True), num_steps=50)
#          torch.testing.assert_close(theirs, ours, rtol=0, atol=1e-6)
