r"""
Backpropagation through time
============================

Training a recurrent network means differentiating a loss through the same cell
applied again and again, once per time step. Unrolled over :math:`T` steps, the
network is a :math:`T`-layer feedforward network whose layers share their weights,
and backpropagation on it is called *backpropagation through time* (BPTT). This
page derives the gradient of D2L's simplified model, finds in it a product of
Jacobians, one per step, and then *measures* that product with autograd: its norm
shrinks or grows exponentially with the number of steps, at a rate set by the
spectral radius of the recurrent weight matrix. We then look at the two remedies the
course uses, gradient clipping (for explosion) and truncation (which cuts the
product short), and check both against their definitions.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * the recursion for :math:`\partial h_t / \partial w` and its closed form, a
        sum of products of Jacobians, checked against autograd
      * that :math:`\partial h_t/\partial h_{t-k}` is a product of
        :math:`k` factors :math:`\operatorname{diag}(\tanh')\,\mathbf{W}_\textrm{hh}`,
        and how its norm decays or explodes with the spectral radius
      * what the saturation of :math:`\tanh` changes, and what clipping does (caps
        the norm, keeps the direction) and does not do
      * full, regularly truncated and randomly truncated BPTT, and how
        ``detach_state`` makes the gradient exactly zero across a boundary

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`04_rnn_from_scratch` (the RNN cell, ``clip_gradients``,
        ``detach_state``) and :doc:`05_rnn_concise` (``nn.RNN``)
      * :doc:`03_language_models` (random and sequential partitioning)
      * :doc:`../05_multilayer_perceptrons/04_numerical_stability` (vanishing and
        exploding gradients in deep networks)
      * eigenvalues (:doc:`../02_preliminaries/03_linear_algebra`) and autograd
        (:doc:`../02_preliminaries/05_autograd`)
      * data: none, every experiment uses random inputs and random weights
"""

# sphinx_gallery_thumbnail_number = 1

import math

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson.language_models import clip_gradients, detach_state

handson.seed(0)

# %%
# The gradient of a recurrence
# ----------------------------
#
# Following D2L, we ignore what the hidden state looks like and write the
# recurrence and the output as
#
# .. math::
#
#    h_t = f(x_t, h_{t-1}, w_\textrm{h}), \qquad o_t = g(h_t, w_\textrm{o}), \qquad
#    L = \frac{1}{T} \sum_{t=1}^T l(y_t, o_t).
#
# By the chain rule,
# :math:`\partial L/\partial w_\textrm{h} = \frac{1}{T} \sum_t
# \frac{\partial l}{\partial o_t} \frac{\partial g}{\partial h_t}
# \frac{\partial h_t}{\partial w_\textrm{h}}`. The first two factors are local.
# The third is not: :math:`h_t` depends on :math:`w_\textrm{h}` directly *and*
# through :math:`h_{t-1}`, which depends on it too. The total derivative is
#
# .. math::
#
#    \frac{\partial h_t}{\partial w_\textrm{h}} =
#    \underbrace{\frac{\partial f(x_t, h_{t-1}, w_\textrm{h})}
#    {\partial w_\textrm{h}}}_{b_t}
#    + \underbrace{\frac{\partial f(x_t, h_{t-1}, w_\textrm{h})}
#    {\partial h_{t-1}}}_{c_t}
#    \frac{\partial h_{t-1}}{\partial w_\textrm{h}},
#
# a recursion :math:`a_t = b_t + c_t a_{t-1}` with :math:`a_0 = 0`. Unrolling it
# (substitute :math:`a_{t-1} = b_{t-1} + c_{t-1} a_{t-2}` and so on) gives
#
# .. math::
#
#    \frac{\partial h_t}{\partial w_\textrm{h}} = a_t
#    = b_t + \sum_{i=1}^{t-1} \Big(\prod_{j=i+1}^{t} c_j\Big) b_i .
#
# The direct effect of :math:`w_\textrm{h}` at step :math:`i` reaches :math:`h_t`
# multiplied by the :math:`t - i` Jacobians :math:`c_j = \partial h_j /
# \partial h_{j-1}` in between. Everything below is about that product.
#
# We check both forms on a scalar RNN, :math:`h_t = \tanh(w h_{t-1} + x_t)`, for
# which :math:`b_t = (1 - h_t^2)\, h_{t-1}` and :math:`c_t = (1 - h_t^2)\, w`
# (since :math:`\tanh'(z) = 1 - \tanh^2(z)`), in double precision.

T = 20
x = torch.randn(T, dtype=torch.float64)
w = torch.tensor(0.9, dtype=torch.float64, requires_grad=True)


def scalar_rnn(w, x, h0=0.0, detach_every=None):
    """States h_1..h_T of h_t = tanh(w h_{t-1} + x_t); optionally cut the graph."""
    h, states = torch.tensor(h0, dtype=torch.float64), []
    for t in range(len(x)):
        if detach_every and t % detach_every == 0:
            h = h.detach()
        h = torch.tanh(w * h + x[t])
        states.append(h)
    return torch.stack(states)


with torch.no_grad():
    h = scalar_rnn(w, x)
h_prev = torch.cat([torch.zeros(1, dtype=torch.float64), h[:-1]])
b = (1 - h**2) * h_prev          # direct effect of w on h_t
c = (1 - h**2) * w.detach()      # dh_t / dh_{t-1}

a = torch.zeros((), dtype=torch.float64)  # the recursion, forward in time
for t in range(T):
    a = b[t] + c[t] * a
closed_form = b[-1] + sum(torch.prod(c[i + 1:]) * b[i] for i in range(T - 1))
(autograd,) = torch.autograd.grad(scalar_rnn(w, x)[-1], w)
print(f"dh_T/dw: recursion {a.item():.10f}, closed form {closed_form.item():.10f}, "
      f"autograd {autograd.item():.10f}")
torch.testing.assert_close(a, autograd, rtol=1e-10, atol=1e-12)
torch.testing.assert_close(closed_form, autograd, rtol=1e-10, atol=1e-12)

# %%
# The recursion (run forward, alongside the states), the closed form and autograd
# (run backward) agree to double precision. Autograd does not store
# :math:`\partial h_t/\partial w`; it walks the same products from the loss
# backwards, which costs one backward step per forward step whatever the number
# of parameters.
#
# Three ways to handle a long sum
# -------------------------------
#
# For a sequence of a thousand characters the sum has a thousand terms and the
# oldest is a product of a thousand Jacobians. D2L lists three strategies.
#
# * **Full computation**: the whole sum. Expensive (all states kept in memory for
#   the backward pass) and, as we measure below, numerically fragile.
# * **Regular truncation**: stop the sum after :math:`\tau` steps,
#   :math:`\sum_{i=t-\tau+1}^{t}` instead of :math:`\sum_{i=1}^{t}`, an
#   approximation that keeps only short-range effects. In code this is the
#   ``detach`` of the state at the start of every subsequence, which the note on
#   :doc:`04_rnn_from_scratch` prescribes between the minibatches of sequential
#   partitioning.
# * **Randomized truncation** (Tallec and Ollivier, as D2L cites): replace
#   :math:`a_t` by :math:`z_t = b_t + \xi_t c_t z_{t-1}` with a random
#   :math:`\xi_t` that is :math:`0` with probability :math:`1 - \pi` and
#   :math:`1/\pi` otherwise. Since :math:`E[\xi_t] = 1` and :math:`\xi_t` is
#   independent of :math:`z_{t-1}`, :math:`E[z_t] = b_t + c_t E[z_{t-1}]`, the
#   same recursion as :math:`a_t`: the estimate is unbiased, and the chain is cut
#   wherever :math:`\xi_t = 0`.
#
# Detaching the state at steps :math:`0, n, 2n, \ldots` makes :math:`h_{s-1}` a
# constant at the start :math:`s` of the last subsequence, so autograd should
# return the sum from :math:`i = s` only. The randomized estimate we draw many
# times and average.

n = 6
s = (T - 1) // n * n  # 0-based start of the last subsequence
truncated = b[-1] + sum(torch.prod(c[i + 1:]) * b[i] for i in range(s, T - 1))
(autograd_truncated,) = torch.autograd.grad(
    scalar_rnn(w, x, detach_every=n)[-1], w)
print(f"detach every {n} steps: autograd {autograd_truncated.item():.10f}, "
      f"sum from step {s + 1} on {truncated.item():.10f}")
torch.testing.assert_close(autograd_truncated, truncated, rtol=1e-10, atol=1e-12)

num_draws, pi = 200_000, 0.5
z = torch.zeros(num_draws, dtype=torch.float64)
for t in range(T):
    xi = (torch.rand(num_draws, dtype=torch.float64) < pi) / pi
    z = b[t] + xi * c[t] * z
std_error = z.std() / math.sqrt(num_draws)
print(f"randomized truncation (pi = {pi}): mean of {num_draws} draws "
      f"{z.mean().item():.5f} +- {std_error.item():.5f}, full gradient "
      f"{a.item():.5f}, regular truncation {truncated.item():.5f}")
print(f"standard deviation of one draw {z.std().item():.4f} "
      f"(the full gradient has none)")
handson.check("|randomized mean - full gradient| in standard errors",
              (abs(z.mean() - a) / std_error).item(), "<", 5.0, quick=True)
bias = abs(truncated - a)  # regular truncation's error, the same at every step
handson.check("|randomized mean - full gradient| / |regular truncation - full "
              "gradient|", (abs(z.mean() - a) / bias).item(), "<", 0.5, quick=True)
handson.check("standard deviation of one draw / |regular truncation - full "
              "gradient|", (z.std() / bias).item(), ">", 1.0, quick=True)

# %%
# The randomized estimate is right on average (within a few standard errors of the
# full gradient, and much closer to it than regular truncation, which is biased:
# it is a different number). But a single draw, which is what one training step
# would use, scatters around the full gradient by more than regular truncation's
# bias (both checked above). D2L reports that in practice randomized truncation does not work much
# better than regular truncation, and names this extra variance as one reason;
# regular truncation is what every course page uses.
#
# The product of Jacobians in a real RNN
# --------------------------------------
#
# Now the state is a vector, :math:`\mathbf{h}_t = \tanh(\mathbf{W}_\textrm{xh}
# \mathbf{x}_t + \mathbf{W}_\textrm{hh} \mathbf{h}_{t-1} + \mathbf{b})`, and
# :math:`c_t` becomes the Jacobian matrix
#
# .. math::
#
#    \frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_{t-1}}
#    = \operatorname{diag}\big(1 - \mathbf{h}_t^2\big)\, \mathbf{W}_\textrm{hh}.
#
# Backpropagation multiplies the gradient by its transpose once per step. For a
# loss that depends on :math:`\mathbf{h}_T` only,
#
# .. math::
#
#    \frac{\partial L}{\partial \mathbf{h}_{T-k}} =
#    \Big(\prod_{t=T-k+1}^{T} \mathbf{W}_\textrm{hh}^\top
#    \operatorname{diag}\big(1 - \mathbf{h}_t^2\big)\Big)
#    \frac{\partial L}{\partial \mathbf{h}_T},
#
# with the factor of :math:`t = T-k+1` on the left. We write this backward pass by
# hand and check it, and the forward pass, against ``nn.RNN`` (whose two biases
# ``b_ih + b_hh`` play the role of :math:`\mathbf{b}`).

num_inputs, num_hiddens, batch_size = 8, 128, 16
rnn = nn.RNN(num_inputs, num_hiddens, batch_first=True).double()
W_xh, W_hh = rnn.weight_ih_l0, rnn.weight_hh_l0
bias = rnn.bias_ih_l0 + rnn.bias_hh_l0


def rnn_states(X, h0, W_xh, W_hh, bias, phi=torch.tanh):
    """Hand-written RNN: the list of states h_0, h_1, ..., h_T (batch first)."""
    states = [h0]
    for t in range(X.shape[1]):
        states.append(phi(X[:, t] @ W_xh.T + states[-1] @ W_hh.T + bias))
    return states


X = torch.randn(batch_size, T, num_inputs, dtype=torch.float64)
u = torch.randn(batch_size, num_hiddens, dtype=torch.float64)
h0 = torch.zeros(batch_size, num_hiddens, dtype=torch.float64, requires_grad=True)
states = rnn_states(X, h0, W_xh, W_hh, bias)
outputs, h_T = rnn(X, h0[None])
torch.testing.assert_close(torch.stack(states[1:], 1), outputs, atol=1e-5, rtol=1e-5)

loss = (u * states[-1]).sum()          # L = sum over the batch of u^T h_T
(grad_h0,) = torch.autograd.grad(loss, h0)
(grad_h0_rnn,) = torch.autograd.grad((u * h_T[0]).sum(), h0)

g = u.clone()                          # dL/dh_T
for h_t in reversed(states[1:]):       # multiply by W_hh^T diag(1 - h_t^2)
    g = (g * (1 - h_t.detach() ** 2)) @ W_hh.detach()
torch.testing.assert_close(g, grad_h0, atol=1e-10, rtol=1e-10)
torch.testing.assert_close(grad_h0_rnn, grad_h0, atol=1e-5, rtol=1e-5)
print(f"dL/dh_0 by the product of Jacobians = autograd = nn.RNN; "
      f"mean norm {grad_h0.norm(dim=1).mean().item():.4g} after {T} steps")

# %%
# (Row vectors times ``W_hh`` is the same as :math:`\mathbf{W}_\textrm{hh}^\top`
# times column vectors.) In a linear RNN, :math:`\phi(z) = z` as in D2L's detailed
# derivation, the diagonal factors are identities and the product is the power
# :math:`(\mathbf{W}_\textrm{hh}^\top)^k`. Its size after many steps is governed
# by the *spectral radius* :math:`\rho`, the largest modulus of an eigenvalue:
# components along eigenvalues of modulus below 1 vanish like
# :math:`|\lambda|^k`, those above 1 explode.
#
# Measured: vanishing and exploding
# ---------------------------------
#
# We take one random matrix with entries :math:`\mathcal{N}(0, 1/128)` and rescale
# it to spectral radii 0.5, 1, 1.5 and 3, then run the tanh RNN and its linear
# twin (same weights, :math:`\phi(z) = z`) for a long sequence of random inputs.
# The input weights have entries :math:`\mathcal{N}(0, 1/8)` and the inputs
# :math:`\mathcal{N}(0, 1)`, so the input adds a term of variance about 1 to each
# pre-activation (``nn.RNN``'s default initialisation drives the units more
# weakly); there is no bias.
# One backward pass from :math:`L = \sum_\text{batch} \mathbf{u}^\top
# \mathbf{h}_T` gives :math:`\partial L/\partial \mathbf{h}_{T-k}` for every
# :math:`k` at once: the gradient that reaches the start of a sequence of length
# :math:`k` (one that starts in state :math:`\mathbf{h}_{T-k}`). We record the
# geometric mean of its norm over the batch (each :math:`\mathbf{u}` has norm 1)
# and fit the slope of its logarithm against :math:`k` from :math:`k = 10` on,
# past the first transient steps. For exponential behaviour :math:`\rho^k` the
# slope is :math:`\log \rho`.

num_steps = handson.shrink(100, 50)  # 50 steps in quick mode
W0 = torch.randn(num_hiddens, num_hiddens, dtype=torch.float64) / math.sqrt(
    num_hiddens)
W_in = torch.randn(num_hiddens, num_inputs, dtype=torch.float64) / math.sqrt(
    num_inputs)
no_bias = torch.zeros(num_hiddens, dtype=torch.float64)
rho0 = torch.linalg.eigvals(W0).abs().max()
radii = [0.5, 1.0, 1.5, 3.0]
X_long = torch.randn(batch_size, num_steps, num_inputs, dtype=torch.float64)
u_long = torch.randn(batch_size, num_hiddens, dtype=torch.float64)
u_long /= u_long.norm(dim=1, keepdim=True)


def grad_norms(W_hh, phi):
    """Geometric-mean norm of dL/dh_{T-k}, k = 0..T, and the mean of 1 - h_t^2."""
    h0 = torch.zeros(batch_size, num_hiddens, dtype=torch.float64,
                     requires_grad=True)
    states = rnn_states(X_long, h0, W_in, W_hh, no_bias, phi)
    for h in states[1:]:
        h.retain_grad()
    (u_long * states[-1]).sum().backward()
    norms = torch.stack([h.grad.norm(dim=1).log().mean().exp() for h in states])
    mean_deriv = torch.stack([1 - h.detach() ** 2 for h in states[1:]]).mean()
    return norms.flip(0), mean_deriv.item()  # index k = steps back from h_T


def fit_slope(norms, k_min=10):
    """Least-squares slope of log(norm) against k, for k >= k_min."""
    k = torch.arange(len(norms), dtype=torch.float64)[k_min:]
    y = norms[k_min:].log()
    k, y = k - k.mean(), y - y.mean()
    return ((k * y).sum() / (k**2).sum()).item()


results = {}
print(f"{'rho':>5}{'||W_hh||_2':>12}{'log rho':>9}{'slope lin':>11}"
      f"{'slope tanh':>12}{'mean 1-h^2':>12}")
for radius in radii:
    W = W0 * radius / rho0
    rho = torch.linalg.eigvals(W).abs().max().item()
    sigma = torch.linalg.matrix_norm(W, ord=2).item()
    lin, _ = grad_norms(W, lambda z: z)
    tanh, mean_deriv = grad_norms(W, torch.tanh)
    results[radius] = (lin, tanh)
    slopes = fit_slope(lin), fit_slope(tanh)
    print(f"{rho:5.2f}{sigma:12.3f}{math.log(rho):9.3f}{slopes[0]:11.3f}"
          f"{slopes[1]:12.3f}{mean_deriv:12.3f}")
    assert abs(rho - radius) < 1e-9 and sigma > rho
    handson.check(f"|slope - log rho| of the linear RNN, rho = {radius}",
                  abs(slopes[0] - math.log(radius)), "<", 0.1, quick=True)
    handson.check(f"slope of tanh RNN below the linear one, rho = {radius}",
                  slopes[1], "<", slopes[0] - 0.1, quick=True)
    if 1 < radius < 2:
        handson.check(f"slope of log norm for the tanh RNN, rho = {radius}",
                      slopes[1], "<", 0.0, quick=True)
    if radius < 1:
        handson.check(f"slope of log norm for the tanh RNN, rho = {radius}",
                      slopes[1], "<", -0.3, quick=True)
    if radius == 3.0:
        handson.check(f"slope of log norm for the tanh RNN, rho = {radius}",
                      slopes[1], ">", 0.1, quick=True)

# %%
# The linear RNN behaves as the eigenvalues predict: the log-norm falls or rises
# along a straight line whose slope is :math:`\log\rho` (checked to within 0.1),
# and for :math:`\rho = 1` it stays flat. Note that the spectral *norm*
# :math:`\|\mathbf{W}_\textrm{hh}\|_2` is larger than :math:`\rho`: it bounds one
# step, while :math:`\rho` sets the rate over many steps.
#
# The tanh RNN is always below its linear twin, because every factor
# :math:`1 - h_t^2` is at most 1 and is well below 1 when the units saturate (the
# last column is its average). Saturation moves the boundary between vanishing
# and exploding: with these inputs the gradient of the tanh RNN vanishes even at
# :math:`\rho = 1` and :math:`\rho = 1.5`. It does not remove explosion: at
# :math:`\rho = 3` the gradient still grows exponentially, only more slowly than
# :math:`3^k`. Where the boundary lies depends on the inputs too (stronger inputs
# saturate more; with zero inputs and :math:`\mathbf{h}_0 = \mathbf{0}` the tanh
# RNN never leaves the linear regime), so "spectral radius above 1 explodes" is a
# rule for linear recurrences, a tendency for tanh ones.

fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
k = torch.arange(num_steps + 1)
for radius, (lin, tanh) in results.items():
    line, = axes[0].semilogy(k, lin, label=rf"$\rho$ = {radius}")
    axes[0].semilogy(k, radius ** k.double(), ":", color=line.get_color())
    axes[1].semilogy(k, tanh, label=rf"$\rho$ = {radius}")
axes[0].set_title(r"linear RNN (dotted: $\rho^k$)")
axes[1].set_title("tanh RNN, same weights")
for ax in axes:
    ax.set_xlabel("k (steps between the state and the loss)")
    ax.set_ylim(1e-40, 1e40)
    ax.grid(alpha=0.3)
axes[0].set_ylabel(r"$\|\partial L / \partial \mathbf{h}_{T-k}\|$")
axes[1].legend()
fig.tight_layout()
plt.show()

# %%
# Gradient clipping
# -----------------
#
# :doc:`04_rnn_from_scratch` clips the gradient: all parameter gradients, stacked
# into one vector :math:`\mathbf{g}`, are rescaled to
#
# .. math::
#
#    \mathbf{g} \leftarrow \min\Big(1, \frac{\theta}{\|\mathbf{g}\|}\Big)\mathbf{g}.
#
# The norm is capped at :math:`\theta` and the direction is untouched. We compute
# the gradient of :math:`L` with respect to all three parameters of the linear
# RNN, for sequences of growing length, before and after
# ``handson.language_models.clip_gradients`` with :math:`\theta = 1`, and compare
# it with ``torch.nn.utils.clip_grad_norm_``.

theta = 1.0
lengths = [2**i for i in range(7) if 2**i <= num_steps]  # 1, 2, 4, ..., 64
clip_curves = {}
for radius in [0.5, 1.5]:
    W = (W0 * radius / rho0).requires_grad_(True)
    params = [W, W_in.clone().requires_grad_(True),
              no_bias.clone().requires_grad_(True)]
    before, after = [], []
    for length in lengths:
        h = torch.zeros(batch_size, num_hiddens, dtype=torch.float64)
        for t in range(length):
            h = X_long[:, t] @ params[1].T + h @ params[0].T + params[2]
        for p in params:
            p.grad = None
        (u_long * h).sum().backward()
        g_raw = torch.cat([p.grad.flatten() for p in params])
        twins = [p.detach().clone().requires_grad_(True) for p in params]
        for twin, p in zip(twins, params):
            twin.grad = p.grad.clone()
        norm = clip_gradients(params, theta)
        g_clip = torch.cat([p.grad.flatten() for p in params])
        torch.nn.utils.clip_grad_norm_(twins, theta)  # the same rule
        torch.testing.assert_close(torch.cat([t.grad.flatten() for t in twins]),
                                   g_clip)
        cosine = torch.nn.functional.cosine_similarity(g_raw, g_clip, dim=0)
        assert abs(norm - g_raw.norm().item()) < 1e-9 * max(1.0, norm)
        assert g_clip.norm() <= theta * (1 + 1e-12)   # up to rounding
        assert abs(cosine.item() - 1) < 1e-12
        before.append(norm)
        after.append(g_clip.norm().item())
    clip_curves[radius] = (before, after)
    print(f"rho = {radius}: norm before clipping, T = {lengths[0]}..{lengths[-1]}: "
          + ", ".join(f"{v:.3g}" for v in before))
    print("           after clipping: " + ", ".join(f"{v:.3g}" for v in after))
    print("           cosine(before, after) = 1 to 1e-12 for every T")

handson.check("largest norm after clipping / theta",
              max(max(after) for _, after in clip_curves.values()) / theta, "<=",
              1 + 1e-12, quick=True)
raw = clip_curves[1.5][0]
growth = math.log(raw[-1] / raw[3]) / (lengths[-1] - lengths[3])
print(f"rho = 1.5: log-norm grows by {growth:.3f} per step from T = {lengths[3]} "
      f"to {lengths[-1]} (log rho = {math.log(1.5):.3f})")
handson.check("growth rate of the raw gradient norm per step, rho = 1.5",
              growth, ">", 0.25, quick=True)
level = clip_curves[0.5][0][-1] / clip_curves[0.5][0][3]
print(f"rho = 0.5: norm at T = {lengths[-1]} / norm at T = {lengths[3]}: {level:.3f}")
handson.check("norm ratio T = longest / T = 8, rho = 0.5 (levels off)",
              abs(math.log(level)), "<", math.log(2), quick=True)

# %%
# For :math:`\rho = 1.5` the raw gradient grows exponentially with the sequence
# length and clipping brings every one back to norm :math:`\theta`, pointing the
# same way (cosine similarity 1, asserted for every length). For
# :math:`\rho = 0.5` the parameter gradient does *not* vanish: it levels off
# after a few steps (checked within a factor of 2), because it is a sum over time
# steps and the recent terms carry no long product; only the contribution of
# distant steps vanishes. With the course's :math:`\theta = 1` it is clipped too,
# simply because it is larger than 1: clipping acts on size, whatever the cause.
# It does nothing about vanishing, and nothing about the direction of an
# exploded gradient either: when the far terms explode, they dominate the
# direction, and the clipped step follows them. Clipping keeps a
# single bad step from throwing the weights far away, which is why it is
# standard, but architectures such as the LSTM
# (:doc:`../12_modern_recurrent_networks/01_lstm`) are what change the product
# itself.

fig, ax = plt.subplots(figsize=(6, 3.6))
for radius, (before, after) in clip_curves.items():
    line, = ax.semilogy(lengths, before, "o-", label=rf"$\rho$ = {radius}, raw")
    ax.semilogy(lengths, after, "s--", color=line.get_color(),
                label=rf"$\rho$ = {radius}, clipped")
ax.axhline(theta, color="black", linewidth=0.8)
ax.set_title(rf"linear RNN: clipping to $\theta$ = {theta}")
ax.set_xlabel("sequence length T")
ax.set_ylabel("norm of the parameter gradient")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %%
# Truncated BPTT with ``detach_state``
# ------------------------------------
#
# With sequential partitioning (:doc:`03_language_models`), row :math:`i` of one
# minibatch continues row :math:`i` of the previous one, so
# ``train_language_model(..., sequential=True)`` carries the hidden state over. It
# calls ``detach_state(state)`` before each minibatch: the *values* flow on, the
# *graph* is cut, and the gradient of a minibatch stops at its first step. That
# is regular truncation with :math:`\tau` = ``num_steps``.
#
# We run ``nn.RNN`` (float32, tanh, the course's 128 hidden units) over three
# chunks of a sequence, once keeping the graph and once detaching the state
# between chunks, and differentiate the output at the last step with respect to
# every input :math:`\mathbf{x}_t`.

rnn32 = nn.RNN(num_inputs, num_hiddens, batch_first=True)
chunk, num_chunks = 4, 3
X_seq = torch.randn(1, chunk * num_chunks, num_inputs, requires_grad=True)
v = torch.randn(num_hiddens)


def input_gradient(truncate):
    """|d(v^T h_T)/dx_t| for every step t, processing the sequence chunk by chunk."""
    X_seq.grad, state = None, None
    for j in range(num_chunks):
        if truncate:
            state = detach_state(state)
        outputs, state = rnn32(X_seq[:, j * chunk:(j + 1) * chunk], state)
    (outputs[0, -1] @ v).backward()
    return X_seq.grad[0].norm(dim=1)


full, cut = input_gradient(False), input_gradient(True)
print(f"{'t':>3}{'full BPTT':>12}{'detached':>12}")
for t in range(chunk * num_chunks):
    print(f"{t + 1:3d}{full[t].item():12.3e}{cut[t].item():12.3e}")
last = (num_chunks - 1) * chunk
assert (cut[:last] == 0).all() and (full[:last] > 0).all()
torch.testing.assert_close(cut[last:], full[last:])
print(f"gradient w.r.t. the first {last} inputs: exactly zero after detaching")

# %%
# Across the boundaries the gradient is exactly zero (asserted with ``==``), not
# merely small, and inside the last chunk it is the same as full BPTT: the cut
# removes the long products and nothing else. The state still carries what the
# network read in the earlier chunks into the forward pass; what truncation gives
# up is *learning* to use inputs more than ``num_steps`` back through the
# gradient.
#
# .. warning::
#
#    Forgetting the detach with sequential partitioning fails at the second
#    minibatch: the state still points into the graph of the first one, whose
#    buffers ``backward`` has already freed.

state, failed = None, False
try:
    for j in range(2):
        outputs, state = rnn32(X_seq[:, j * chunk:(j + 1) * chunk], state)
        outputs.sum().backward()
except RuntimeError as error:
    failed = True
    print("RuntimeError:", str(error).split(".")[0])
assert failed, "backward through a freed graph should have failed"

# %%
# Keeping the graph instead (``retain_graph=True``) would make every backward pass
# run through all earlier minibatches, with memory and time growing with each one;
# in training it fails anyway at the second minibatch, because the optimizer has
# updated in place the weights that the old graph saved for its backward pass.
#
# This page does not compare the two partitionings on the language model: a fair
# comparison needs at least two seeds for each, to see whether a difference
# exceeds the spread between seeds, so four training runs of the course's
# setting, more than this page's time budget. Exercise 4 sets it up.
#
# Summary
# -------
#
# * BPTT is backpropagation on the unrolled network. The gradient of the
#   recurrent weights sums, over all earlier steps, direct effects multiplied by
#   products of Jacobians :math:`\partial \mathbf{h}_j/\partial\mathbf{h}_{j-1}
#   = \operatorname{diag}(\tanh')\,\mathbf{W}_\textrm{hh}`.
# * In a linear RNN the norm of that product behaves like :math:`\rho^k`: it
#   vanishes for spectral radius below 1 and explodes above. The saturation of
#   tanh shrinks every factor, so vanishing spreads to larger radii, but large
#   enough weights still explode.
# * Clipping caps the norm of the whole gradient and keeps its direction; it
#   tames explosion, it does not help vanishing.
# * Regular truncation (``detach_state`` between minibatches) makes the gradient
#   exactly zero across the cut; randomized truncation is unbiased but noisier.

# %%
# Exercises
# ---------
#
# 1. Let :math:`\mathbf{M}` be symmetric with eigenvalues
#    :math:`|\lambda_1| > |\lambda_2| \geq \ldots` and eigenvectors
#    :math:`\mathbf{v}_i`. Show that :math:`\mathbf{M}^k \mathbf{x}` aligns with
#    :math:`\mathbf{v}_1` as :math:`k` grows, for almost every
#    :math:`\mathbf{x}`. What does this say about the *direction* of an exploding
#    gradient?
#
#    .. dropdown:: Answer
#
#       Write :math:`\mathbf{x} = \sum_i \alpha_i \mathbf{v}_i`; then
#       :math:`\mathbf{M}^k\mathbf{x} = \sum_i \alpha_i \lambda_i^k \mathbf{v}_i
#       = \lambda_1^k (\alpha_1 \mathbf{v}_1 + \sum_{i>1} \alpha_i
#       (\lambda_i/\lambda_1)^k \mathbf{v}_i)`, and the ratios go to 0 whenever
#       :math:`\alpha_1 \neq 0` (true for almost every :math:`\mathbf{x}`).
#       The far-back part of an exploding gradient points along a few dominant
#       directions, whatever the loss asked for, which is why clipping (which
#       keeps the direction) limits the damage but does not repair it.
#
# 2. Why does the gradient of the parameters not vanish for :math:`\rho = 0.5` in
#    the clipping experiment, although :math:`\partial L/\partial\mathbf{h}_0`
#    vanishes?
#
#    .. dropdown:: Answer
#
#       :math:`\partial L/\partial \mathbf{W}_\textrm{hh} = \sum_t
#       \frac{\partial L}{\partial \mathbf{h}_t} \mathbf{h}_{t-1}^\top`: the
#       terms of the last few steps carry no long product and stay of order one.
#       "Vanishing gradients" means the *long-range* terms vanish, so the
#       network cannot learn long dependencies, not that training stops.
#
# 3. In the randomized truncation above, what happens to the standard deviation
#    of one draw when :math:`\pi` goes from 0.5 to 0.9, and to the expected
#    number of steps the chain runs back?
#
#    .. dropdown:: Hint
#
#       The chain stops at each step with probability :math:`1-\pi`, so it runs
#       back about :math:`1/(1-\pi)` steps; larger :math:`\pi` cuts less often and
#       multiplies by :math:`1/\pi` less strongly, so the variance falls
#       (:math:`\pi = 1` is full BPTT, variance 0). Rerun the cell with
#       ``pi = 0.9`` to measure it.
#
# 4. **Programming task.** Train the course's character model (embedding,
#    ``nn.RNN`` with 128 hidden units, linear head; ``batch_size=32``,
#    ``num_steps=35``, Adam with learning rate 0.01, clip 1.0) for two epochs
#    with ``sequential=False`` and with ``sequential=True``, same seed and same
#    generator seed, and compare the held-out perplexities. Repeat with a second
#    seed before you conclude anything.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          import handson.text
#          from handson.language_models import train_language_model
#
#          class RNNLM(nn.Module):
#              def __init__(self, vocab_size, num_hiddens=128):
#                  super().__init__()
#                  self.embedding = nn.Embedding(vocab_size, 32)
#                  self.rnn = nn.RNN(32, num_hiddens, batch_first=True)
#                  self.head = nn.Linear(num_hiddens, vocab_size)
#
#              def forward(self, X, state):
#                  Y, state = self.rnn(self.embedding(X), state)
#                  return self.head(Y), state
#
#          vocab, train, valid = handson.text.time_machine("char")
#          for sequential in [False, True]:
#              handson.seed(0)
#              net = RNNLM(len(vocab))
#              history = train_language_model(
#                  net, train, valid, torch.optim.Adam(net.parameters(), lr=0.01),
#                  num_epochs=2, batch_size=32, num_steps=35, clip=1.0,
#                  sequential=sequential,
#                  generator=torch.Generator().manual_seed(0))
#              print(sequential, history.valid_perplexity)
#
#       Both runs see the same number of tokens and updates, and both are
#       evaluated the same way (``evaluate_perplexity`` carries the state over
#       the validation text). Only a difference larger than the spread between
#       the seeds of one partitioning says anything about the partitioning.
