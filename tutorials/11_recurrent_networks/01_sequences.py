"""
Working with sequences: autoregressive models
=============================================

Until now every example was one feature vector, drawn independently of the others.
A sequence breaks that assumption: what comes next depends on what came before, and
the past is the only signal we have for predicting it. This page introduces
*autoregressive models*, which regress a series on its own past values, and the
*Markov assumption*, which lets them look at a fixed window of the past only. We fit
such a model to a noisy sine wave, as D2L does, and then measure it more strictly:
on held-out time steps only, against the error no predictor can beat (the noise),
against a naive "repeat the last value" forecast, and at prediction horizons from one
step to 64 steps ahead, where the model has to feed its own predictions back in and
its errors pile up. The series also shows where the Markov assumption breaks, which
is why the rest of the chapter builds models that carry a *latent state*.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * autoregressive models, the chain rule for a sequence, the Markov
        assumption, and latent autoregressive models
      * turning one long series into (lag features, label) pairs, by hand and with
        ``Tensor.unfold``, and splitting it *in time* into training and held-out parts
      * fitting a linear autoregression by least squares and by minibatch SGD
        (D2L's recipe), and why the noise sets a floor on the error
      * one-step versus :math:`k`-step-ahead prediction, and how the error grows
        with :math:`k`, measured against a naive baseline
      * a measurement of how far the Markov assumption holds on this series

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * linear regression, least squares and minibatch SGD:
        :doc:`../03_linear_regression/01_california_housing`
      * training versus held-out error:
        :doc:`../05_multilayer_perceptrons/03_generalization`
      * conditional probability and the chain rule:
        :doc:`../02_preliminaries/06_probability`
      * data: none, the series is synthetic (1,000 time steps)
"""

# sphinx_gallery_thumbnail_number = 3

import math

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson

handson.seed(0)

# %%
# Sequences
# ---------
#
# A sequence is an ordered list :math:`x_1, x_2, \dots, x_T` of observations,
# indexed by a *time step* :math:`t`: sensor readings, prices, the words of a
# document, the events of a hospital stay. Whole sequences may still be drawn
# independently of each other, but the elements *within* a sequence are not: the
# words late in a document depend on the words early in it. That dependence is
# exactly what makes prediction possible, and it is what a sequence model has to
# capture.
#
# .. dropdown:: Kinds of sequence tasks
#
#    D2L lists the shapes a sequence problem can take: a fixed target from a
#    sequence (the sentiment of a review), a sequence from a fixed input (a caption
#    for an image), and a sequence from a sequence, either *aligned* step by step
#    (a part-of-speech tag for each word) or *unaligned* (a translation, whose
#    length differs from the source). This chapter starts with the simplest task,
#    predicting the next element of a sequence from the ones before it.
#
# Autoregressive models
# ---------------------
#
# Suppose we observe :math:`x_1, \dots, x_{t-1}` and want to predict :math:`x_t`.
# Everything we know is in the conditional distribution
#
# .. math::
#
#    P(x_t \mid x_{t-1}, \ldots, x_1),
#
# and often one statistic of it is enough, the conditional expectation
# :math:`\mathbb{E}[x_t \mid x_{t-1}, \ldots, x_1]`. A model that regresses a
# signal on its own past values is called *autoregressive*. The catch is that the
# number of inputs, :math:`t - 1`, grows with :math:`t`: every example has a
# different number of features. Two ways out recur throughout the chapter.
#
# 1. **A window.** Keep only the last :math:`\tau` observations,
#    :math:`x_{t-1}, \ldots, x_{t-\tau}`. Every example now has :math:`\tau`
#    features (for :math:`t > \tau`), and any regression model or network for
#    fixed-size inputs applies.
# 2. **A summary.** Keep a fixed-size *state* :math:`h_t` that summarises the whole
#    past, update it with each new observation, :math:`h_t = g(h_{t-1}, x_{t-1})`,
#    and predict from it, :math:`\hat{x}_t = f(h_t)`. The state is never observed,
#    so these are called *latent autoregressive models*. Recurrent neural networks,
#    from :doc:`04_rnn_from_scratch` on, are models of this kind.
#
# Sequence models and the chain rule
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
#
# Predicting the next element is also how we model a whole sequence. By the chain
# rule of probability, any joint distribution factorises from left to right,
#
# .. math::
#
#    P(x_1, \ldots, x_T) = P(x_1) \prod_{t=2}^{T} P(x_t \mid x_{t-1}, \ldots, x_1),
#
# so a model of every next-step conditional is a model of the sequence. Such
# *sequence models* are called *language models* when the tokens are words or
# characters; :doc:`03_language_models` builds them. For discrete tokens the
# autoregressive model is a classifier that outputs a distribution over the
# vocabulary; in this page the values are real numbers and we regress.
#
# The Markov assumption
# ^^^^^^^^^^^^^^^^^^^^^
#
# Using a window of length :math:`\tau` is an assumption about the data: that
#
# .. math::
#
#    P(x_t \mid x_{t-1}, \ldots, x_1) = P(x_t \mid x_{t-1}, \ldots, x_{t-\tau}),
#
# that is, *the future is conditionally independent of the past, given the recent
# history*. A sequence with this property satisfies a *Markov condition* of order
# :math:`\tau`. For :math:`\tau = 1` (a first-order Markov model) the joint
# distribution becomes
#
# .. math::
#
#    P(x_1, \ldots, x_T) = P(x_1) \prod_{t=2}^{T} P(x_t \mid x_{t-1}).
#
# We often fit models *as if* a Markov condition held when it holds only
# approximately; more context helps less and less, and a finite window is what we
# can afford. At the end of this page we measure how much is lost on our series by
# looking at :math:`\tau` observations only.
#
# .. dropdown:: Why factorise from left to right?
#
#    The chain rule holds in any order, e.g. :math:`P(x_1, \ldots, x_T) = P(x_T)
#    \prod_{t=T-1}^{1} P(x_t \mid x_{t+1}, \ldots, x_T)`. D2L gives three reasons to
#    prefer the order in which the data arrive: it matches our intuition (we
#    anticipate what comes next when we read); a left-to-right model extends to a
#    longer sequence by one more factor,
#    :math:`P(x_1, \ldots, x_{t+1}) = P(x_1, \ldots, x_t)\,
#    P(x_{t+1} \mid x_t, \ldots, x_1)`; and when the data are causally structured
#    the forward direction is often the easier one to model (for instance
#    :math:`x_{t+1} = f(x_t) + \epsilon` with additive noise, while the reverse has
#    no such simple form).
#
# A noisy series
# --------------
#
# We use D2L's synthetic series: :math:`T = 1000` time steps of a sine wave plus
# independent Gaussian noise,
#
# .. math::
#
#    x_t = \sin(0.01\, t) + \epsilon_t, \qquad \epsilon_t \sim
#    \mathcal{N}(0, \sigma^2), \quad \sigma = 0.2.
#
# The model will never see :math:`t`, only past values of :math:`x`. As in D2L, the
# first 600 examples, which end at time step :math:`600 + \tau = 604`, are for
# training; they cover about one period of the sine. D2L plots its predictions
# over the whole series, training part included; we **measure every error on the
# rest of the series only**, which the fit never sees. A sequence must be split
# *in time*, not at random: a random split would put most held-out steps between
# two training steps, and "predicting" them would be interpolation, not
# forecasting.

T, tau, num_train, sigma = 1000, 4, 600, 0.2
time = torch.arange(1, T + 1, dtype=torch.float32)
x = torch.sin(0.01 * time) + torch.randn(T) * sigma
split = num_train + tau  # x[:split] are time steps 1 to 604: the training part
print(f"T = {T}, tau = {tau}, noise std sigma = {sigma}")
print(f"training part: time steps 1 to {split}; held-out part: {split + 1} to {T}")
print(f"one period of sin(0.01 t) lasts {2 * math.pi / 0.01:.0f} time steps")

fig, ax = plt.subplots(figsize=(7, 2.8))
ax.plot(time, x, lw=0.8, label="$x_t$")
ax.plot(time, torch.sin(0.01 * time), "k--", lw=1, label=r"$\sin(0.01\,t)$")
ax.axvspan(split + 0.5, T, color="tab:orange", alpha=0.12, label="held out")
ax.set_xlabel("time step $t$")
ax.set_xlim(1, T)
ax.legend(loc="lower left", ncol=3)
fig.tight_layout()
plt.show()

# %%
# The noise sets a floor
# ^^^^^^^^^^^^^^^^^^^^^^
#
# Write :math:`s_t = \sin(0.01\, t)` for the clean signal. The noise
# :math:`\epsilon_t` is independent of everything observed before time :math:`t`,
# so for *any* prediction :math:`\hat{x}_t` computed from the past, the cross term
# vanishes in expectation and
#
# .. math::
#
#    \mathbb{E}\left[(x_t - \hat{x}_t)^2\right]
#    = \mathbb{E}\left[(s_t - \hat{x}_t)^2\right] + \sigma^2 \;\geq\; \sigma^2.
#
# No model, however large, gets a root-mean-square error (RMSE) below
# :math:`\sigma` on average. We report every error as RMSE and as a multiple of
# :math:`\sigma`; a measured RMSE can dip slightly below :math:`\sigma` on a finite
# held-out set only by chance.
#
# Features and labels
# -------------------
#
# For each time step :math:`t > \tau` we make one example with label
# :math:`y = x_t` and features :math:`\mathbf{x}_t = [x_{t-\tau}, \ldots,
# x_{t-1}]`, the *lag features*. The first :math:`\tau` steps have too little
# history and are dropped, leaving :math:`T - \tau` examples. By hand, as D2L does,
# column :math:`i` of the feature matrix is the series shifted by :math:`i`:

features = torch.stack([x[i : T - tau + i] for i in range(tau)], 1)
labels = x[tau:]

# %%
# PyTorch has this built in: ``x.unfold(0, size, step)`` returns every window of
# ``size`` consecutive elements, ``step`` apart. Windows of :math:`\tau + 1` values
# hold the features and, in the last column, the label.

windows = x.unfold(0, tau + 1, 1)
assert torch.equal(windows[:, :tau], features)
assert torch.equal(windows[:, tau], labels)
X_train, y_train = features[:num_train], labels[:num_train]
print(f"features {tuple(features.shape)}, labels {tuple(labels.shape)}; "
      f"training rows {len(X_train)}, their labels x_{tau + 1} ... x_{split}")

# %%
# Fitting a linear autoregression
# -------------------------------
#
# The model is linear regression on the lags,
# :math:`\hat{x}_t = \mathbf{w}^\top \mathbf{x}_t + b`, fitted by minimising the
# squared error on the training rows. Least squares has a closed form (the normal
# equations of :doc:`../03_linear_regression/01_california_housing`), which
# :func:`torch.linalg.lstsq` solves; we store the solution in an ``nn.Linear`` so
# that every model on this page has the same interface, ``net(X)``.


def fit_least_squares(X, y):
    """The least-squares linear regression of y on X, as an nn.Linear."""
    A = torch.cat([X, torch.ones(len(X), 1)], 1).double()
    solution = torch.linalg.lstsq(A, y.double()[:, None]).solution[:, 0]
    net = nn.Linear(X.shape[1], 1, dtype=X.dtype)
    with torch.no_grad():
        net.weight.copy_(solution[:-1][None])
        net.bias.copy_(solution[-1:])
    return net


ls_net = fit_least_squares(X_train, y_train)

# %%
# D2L trains the same model with minibatch SGD instead: weights drawn from
# :math:`\mathcal{N}(0, 0.01^2)`, zero bias, mean squared error, learning rate
# 0.01, batch size 16, 5 epochs. We repeat that recipe exactly (the sizes are
# D2L's too; nothing on this page is shrunk, and quick mode runs the same code).


def train_sgd(X, y, num_epochs=5, lr=0.01, batch_size=16):
    """D2L's recipe: nn.Linear trained by minibatch SGD on the mean squared error."""
    net = nn.Linear(X.shape[1], 1)
    nn.init.normal_(net.weight, std=0.01)
    nn.init.zeros_(net.bias)
    loss = nn.MSELoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(handson.reproducibility.seed_offset())
    for _ in range(num_epochs):
        for X_batch, y_batch in handson.batches(X, y, batch_size, generator=generator):
            l = loss(net(X_batch)[:, 0], y_batch)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
    return net


sgd_net = train_sgd(X_train, y_train)


def mse(net, X, y):
    with torch.no_grad():
        return ((net(X)[:, 0] - y) ** 2).mean().item()


for name, net in [("least squares", ls_net), ("SGD, 5 epochs", sgd_net)]:
    w = ", ".join(f"{v:+.3f}" for v in net.weight[0].tolist())
    print(f"{name:14s} w = [{w}] (sum {net.weight.sum().item():.3f}), "
          f"b = {net.bias.item():+.4f}, training MSE {mse(net, X_train, y_train):.5f}")
assert mse(ls_net, X_train, y_train) <= mse(sgd_net, X_train, y_train) + 1e-6

# %%
# Least squares is the exact minimiser of the training error, so SGD cannot beat
# it there (asserted). Both put weight on every lag and the weights sum to about
# one: the prediction is close to an average of the last four values, which
# smooths the noise. Whether that is good enough shows on the held-out part.
#
# One step ahead, on held-out data
# --------------------------------
#
# A *one-step-ahead* prediction of :math:`x_t` uses the true observations up to
# :math:`x_{t-1}`. To predict further ahead, say :math:`x_{t}` from observations up
# to :math:`x_{t-k}`, the model needs inputs it has not seen yet, and we feed it
# its own predictions instead, one step at a time. With :math:`\tau = 4`:
#
# .. math::
#
#    \hat{x}_{t-k+1} &= f(x_{t-k-3}, x_{t-k-2}, x_{t-k-1}, x_{t-k}), \\
#    \hat{x}_{t-k+2} &= f(x_{t-k-2}, x_{t-k-1}, x_{t-k}, \hat{x}_{t-k+1}), \\
#    &\;\;\vdots \\
#    \hat{x}_{t} &= f(\ldots, \hat{x}_{t-2}, \hat{x}_{t-1}),
#
# and :math:`\hat{x}_t` is the *k-step-ahead prediction*. The function below does
# this for many targets at once: one row per target, each row's window sliding
# forward by one prediction per step.


@torch.no_grad()
def k_step_predict(net, x, targets, k, tau):
    """Predict x[targets] from the tau observations that end k steps earlier.

    The first step uses observed values only; each later step appends the previous
    prediction to the window and drops its oldest value.
    """
    window = torch.stack([x[targets - k - tau + 1 + i] for i in range(tau)], 1)
    for _ in range(k):
        prediction = net(window)[:, 0]
        window = torch.cat([window[:, 1:], prediction[:, None]], 1)
    return prediction


def rmse(prediction, target):
    return ((prediction - target) ** 2).mean().sqrt().item()


# %%
# To compare horizons fairly, every horizon is scored on the **same** targets, all
# in the held-out part, and chosen so that even the 64-step forecasts start from a
# window of held-out observations: target indices from ``split + tau - 1 + 64``
# on. The naive baseline forecasts :math:`x_t` by the last value observed,
# :math:`x_{t-k}`.

max_k = 64
targets = torch.arange(split + tau - 1 + max_k, T)
y_test = x[targets]
print(f"{len(targets)} held-out targets, time steps {targets[0] + 1} to {T}")

one_step = k_step_predict(ls_net, x, targets, 1, tau)
with torch.no_grad():  # one step ahead is just the model on the lag features
    torch.testing.assert_close(one_step, ls_net(features[targets - tau])[:, 0])

rmse_1 = rmse(one_step, y_test)
rmse_naive_1 = rmse(x[targets - 1], y_test)
rmse_sgd_1 = rmse(k_step_predict(sgd_net, x, targets, 1, tau), y_test)
print(f"one step ahead, held out: least squares RMSE {rmse_1:.4f} "
      f"= {rmse_1 / sigma:.3f} sigma")
print(f"                          SGD (D2L)     RMSE {rmse_sgd_1:.4f} "
      f"= {rmse_sgd_1 / sigma:.3f} sigma")
print(f"                          last value    RMSE {rmse_naive_1:.4f} "
      f"= {rmse_naive_1 / sigma:.3f} sigma")
print(f"for reference: an equal-weight average of the last {tau} values would give "
      f"about sqrt(1 + 1/tau) = {math.sqrt(1 + 1 / tau):.3f} sigma, the last value "
      f"sqrt(2) = {math.sqrt(2):.3f} sigma (ignoring the sine's own movement)")
handson.check("1-step held-out RMSE / noise std", rmse_1 / sigma, "<", 1.35,
              quick=True)
handson.check("1-step held-out RMSE / noise std (floor 1)", rmse_1 / sigma, ">",
              0.9, quick=True)
handson.check("1-step RMSE: autoregression / last value", rmse_1 / rmse_naive_1,
              "<", 0.9, quick=True)
handson.check("1-step RMSE: |SGD - least squares| / least squares",
              abs(rmse_sgd_1 - rmse_1) / rmse_1, "<", 0.03, quick=True)

# %%
# One step ahead, the autoregression is close to the floor :math:`\sigma`: most of
# what remains above it is the noise left in an average of four noisy values,
# whose variance is :math:`\sigma^2/\tau` for equal weights, plus a little because
# the sine moves while we average. "Repeat the last value" is clearly worse, as it
# must be: it copies the previous step's noise along with the signal, so its
# squared error is about :math:`2\sigma^2`. D2L's five epochs of SGD give the same
# one-step error as the exact least-squares fit, to within the few per cent
# checked above.
#
# Many steps ahead
# ----------------
#
# D2L's experiment: pretend we have observed the series only up to the end of the
# training part and forecast all the rest, feeding predictions back in. Written as
# D2L writes it, one time step at a time:

free_run = x.clone()
with torch.no_grad():
    for i in range(split, T):
        free_run[i] = ls_net(free_run[i - tau : i][None])[0, 0]

# the same forecast, 64 steps ahead, from the batched function
last = torch.tensor([split + max_k - 1])
torch.testing.assert_close(free_run[last], k_step_predict(ls_net, x, last, max_k, tau))

# %%
# Next to it we compute D2L's :math:`k`-step-ahead predictions for
# :math:`k = 1, 4, 16, 64` on our held-out targets.

shown_ks = (1, 4, 16, 64)
k_preds = {k: k_step_predict(ls_net, x, targets, k, tau) for k in shown_ks}

held_out = slice(split, T)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), sharey=True)
axes[0].plot(time[held_out], x[held_out], ".", ms=2, color="0.6", label="$x_t$")
axes[0].plot(time[held_out], ls_net(features[split - tau :]).detach()[:, 0],
             lw=1, label="1-step predictions")
axes[0].plot(time[held_out], free_run[held_out], lw=2,
             label=f"forecast from $t = {split}$")
axes[0].set_title("held-out part: one step vs. free-running forecast")
axes[1].plot(time[targets], y_test, ".", ms=2, color="0.6", label="$x_t$")
for k, prediction in k_preds.items():
    axes[1].plot(time[targets], prediction, lw=1.2, label=f"{k}-step predictions")
axes[1].set_title("$k$-step-ahead predictions, same targets")
for ax in axes:
    ax.set_xlabel("time step $t$")
    ax.legend(fontsize=8, loc="lower left")
fig.tight_layout()
plt.show()

# %%
# The free-running forecast (left) fails as it does in D2L: it stays close to a
# constant, drifting only slowly, and misses the whole rise and fall of the sine.
# On the right, the 1- and 4-step predictions track the series; the 16-step ones lag
# behind it, and the 64-step ones are far off. The reason is that errors compound.
# Say the first prediction is off by :math:`\epsilon_1 = \bar\epsilon`. The second
# prediction takes :math:`\hat{x}_{t-k+1}` as an input, so it inherits part of
# that error on top of its own, :math:`\epsilon_2 \approx \bar\epsilon + c\,
# \epsilon_1` for some constant :math:`c`, and so on: every step adds its own
# error to a growing inherited one. As D2L notes, weather forecasts behave the
# same way: fairly accurate for the next 24 hours, and much less so beyond.
#
# The error against the horizon
# -----------------------------
#
# We measure the held-out RMSE for every horizon :math:`k` from 1 to 64, for the
# least-squares model, for D2L's SGD model and for the last-value baseline, all on
# the same targets.

ks = list(range(1, max_k + 1))
errors = {
    "least squares": [rmse(k_step_predict(ls_net, x, targets, k, tau), y_test)
                      for k in ks],
    "SGD (D2L)": [rmse(k_step_predict(sgd_net, x, targets, k, tau), y_test)
                  for k in ks],
    "last value": [rmse(x[targets - k], y_test) for k in ks],
}

print(f"{'k':>3} | {'least squares':>13} | {'SGD (D2L)':>9} | {'last value':>10} | "
      f"{'LS / sigma':>10}")
for k in (1, 2, 4, 8, 16, 32, 64):
    row = [errors[name][k - 1] for name in errors]
    print(f"{k:3d} | {row[0]:13.4f} | {row[1]:9.4f} | {row[2]:10.4f} | "
          f"{row[0] / sigma:10.3f}")

ls_errors = errors["least squares"]
growth_16 = ls_errors[15] / ls_errors[0]
growth_64 = ls_errors[63] / ls_errors[0]
print(f"RMSE grows by a factor {growth_16:.2f} from k = 1 to 16 and "
      f"{growth_64:.2f} from k = 1 to 64 (MSE: {growth_64**2:.1f})")
handson.check("RMSE at k=16 / RMSE at k=1", growth_16, ">", 1.05, quick=True)
handson.check("RMSE at k=64 / RMSE at k=1", growth_64, ">", 1.7, quick=True)
lead_1 = ls_errors[0] / errors["last value"][0]
lead_64 = ls_errors[63] / errors["last value"][63]
print(f"RMSE of least squares / last value: {lead_1:.3f} at k = 1, "
      f"{lead_64:.3f} at k = 64")
handson.check("RMSE ratio least squares / last value, k=64 minus k=1",
              lead_64 - lead_1, ">", 0.05, quick=True)

fig, ax = plt.subplots(figsize=(6, 3.6))
for (name, errs), style in zip(errors.items(), ["-", "--", ":"]):
    ax.plot(ks, errs, style, lw=2, label=name)
ax.axhline(sigma, color="k", lw=1, label=r"noise floor $\sigma$")
ax.set_xscale("log", base=2)
ax.set_xticks(shown_ks + (2, 8, 32), labels=[str(k) for k in shown_ks + (2, 8, 32)])
ax.set_xlabel("horizon $k$ (steps ahead)")
ax.set_ylabel("held-out RMSE")
ax.set_title("$k$-step-ahead error")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The error starts near the floor and grows with the horizon, slowly (and not
# necessarily monotonically: look at the table and the curve) up to about 16 steps
# and then fast (the axis is logarithmic in :math:`k`): the longer the model runs on
# its own predictions, the less the observed data constrain it. The naive
# baseline grows too, because the sine moves away from the last observed value,
# and the autoregression's lead over it shrinks (the ratio printed above, checked):
# 64 steps ahead, four noisy values and a model fed its own outputs do little
# better than repeating the last observation. The two fits that agree one step
# ahead can also differ at long horizons (compare the two columns of the table):
# small differences in the weights are amplified by feeding predictions back 64
# times.
#
# .. note::
#
#    Training fits one-step predictions only; nothing in the loss asks the model
#    to stay accurate when its own outputs are fed back. A good one-step error says
#    little about long forecasts, so measure the horizon you care about, on data
#    the model has not seen.
#
# How Markov is this series?
# --------------------------
#
# Our model assumed a Markov condition of order :math:`\tau = 4`. If that held,
# more lags could not help (beyond the luck of a finite sample). We refit the
# least-squares model with :math:`\tau = 1, 2, \ldots, 32` lags, always on
# training labels only, and score one-step predictions on the same held-out
# targets.


def fit_and_score(series, num_lags):
    """Least squares on num_lags lags (training labels only); held-out 1-step RMSE."""
    windows = series.unfold(0, num_lags + 1, 1)
    X, y = windows[:, :num_lags], windows[:, num_lags]
    net = fit_least_squares(X[: split - num_lags], y[: split - num_lags])
    prediction = k_step_predict(net, series, targets, 1, num_lags)
    return net, rmse(prediction, series[targets])


lag_errors = {n: fit_and_score(x, n)[1] for n in (1, 2, 4, 8, 16, 32)}
for n, err in lag_errors.items():
    print(f"tau = {n:2d}: 1-step held-out RMSE {err:.4f} = {err / sigma:.3f} sigma")
handson.check("1-step RMSE: tau=1 / tau=4", lag_errors[1] / lag_errors[4], ">", 1.1,
              quick=True)
handson.check("1-step RMSE: tau=16 / tau=4", lag_errors[16] / lag_errors[4], "<",
              1.0, quick=True)

# %%
# More lags help beyond four (checked for 16 against 4), with gains that shrink as
# :math:`\tau` grows (compare 16 with 32 lags in the printed sweep): the noisy
# series is not Markov of order 4, nor of any small order. Without the noise it
# would be. The identity
# :math:`\sin(a + h) + \sin(a - h) = 2 \cos(h) \sin(a)` gives, for the clean
# signal, :math:`s_t = 2\cos(0.01)\, s_{t-1} - s_{t-2}`: two lags determine
# the next value exactly. Least squares on the clean series (in double precision)
# finds this recurrence, and a forecast that feeds its own predictions back stays
# on the sine for the whole held-out part:

clean = torch.sin(0.01 * time.double())
clean_net, clean_rmse = fit_and_score(clean, 2)
print(f"clean series, tau = 2: w = {clean_net.weight[0].tolist()}, "
      f"b = {clean_net.bias.item():.1e}; expected w = [-1, {2 * math.cos(0.01)}]")
expected_w = torch.tensor([-1.0, 2 * math.cos(0.01)], dtype=torch.float64)
torch.testing.assert_close(clean_net.weight[0].detach(), expected_w, atol=1e-6,
                           rtol=0)
clean_run = clean.clone()
with torch.no_grad():
    for i in range(split, T):
        clean_run[i] = clean_net(clean_run[i - 2 : i][None])[0, 0]
max_gap = (clean_run[split:] - clean[split:]).abs().max().item()
print(f"clean series: 1-step RMSE {clean_rmse:.1e}; forecast of all "
      f"{T - split} held-out steps from t = {split}: max error {max_gap:.1e}")
assert max_gap < 1e-6

# %%
# So the sine itself has a two-dimensional *state*, two consecutive clean values
# (equivalently, the phase), that evolves by a fixed rule. The noise hides that
# state: each observation tells us only a little about it, and every older
# observation adds a little more. A window of :math:`\tau` values throws the rest
# away, and a longer window costs more inputs, more parameters and fewer training
# examples.
#
# The way out is the second strategy from the start of the page: keep a
# fixed-size estimate :math:`h_t` of the hidden state and update it with each new
# observation, :math:`h_t = g(h_{t-1}, x_{t-1})`. Such a latent autoregressive model
# can draw on the entire past with a fixed number of parameters. For this linear
# series with Gaussian noise the classic choice of :math:`g` is the Kalman filter,
# which requires knowing the dynamics. A recurrent neural network learns
# :math:`g` and the prediction :math:`f(h_t)` from data instead, and works for text
# too, where no one knows the dynamics: that is the rest of this chapter, from
# text as sequences (:doc:`02_text_sequences`) and language models
# (:doc:`03_language_models`) to RNNs (:doc:`04_rnn_from_scratch`).
#
# Summary
# -------
#
# * Autoregressive models predict :math:`x_t` from the past of the same series; the
#   chain rule turns next-step prediction into a model of the whole sequence.
# * The Markov assumption keeps a window of :math:`\tau` past values, giving
#   fixed-size lag features; latent autoregressive models instead carry a state
#   updated at every step, which RNNs learn.
# * Split a series in time and measure on the later part. With noise of known
#   standard deviation :math:`\sigma`, no predictor's RMSE is below :math:`\sigma`
#   on average; the linear autoregression is close to it one step ahead and beats
#   repeating the last value.
# * Predicting :math:`k` steps ahead means feeding predictions back in; errors
#   compound, and the held-out error grows with :math:`k`: little over the first
#   steps, fast at long horizons.
# * The noisy sine is not Markov of order 4 (more lags help), although the clean
#   sine is exactly Markov of order 2: noise hides a state that a latent model can
#   track.

# %%
# Exercises
# ---------
#
# 1. How many lags do you really need? Extend the sweep to :math:`\tau = 64` and
#    :math:`128`. Then keep four features but make them older: e.g. averages of
#    blocks of past values, or lags :math:`1, 2, 4, 8`. What do you expect, and
#    why?
#
#    .. dropdown:: Hint
#
#       More lags average away more noise but reach further back, where the sine
#       has turned, and each lag costs training examples (``split - num_lags``
#       rows). Averages of blocks of past values reduce the noise while keeping the
#       number of parameters fixed, a hand-made version of a summary state.
#
# 2. Replace the linear model by a small MLP (one hidden layer, ReLU) trained with
#    Adam on the same rows, and fill in the same table. Can it do better one step
#    ahead? What happens at long horizons?
#
#    .. dropdown:: Hint
#
#       One step ahead the floor :math:`\sigma` holds for any model, and the linear
#       model is already close to it. At long horizons the network is applied to
#       its own outputs, inputs unlike the training windows; a nonlinear map need
#       not stay close to the data there. Compare several seeds before drawing
#       conclusions.
#
# 3. An investor looks at the past returns of securities to pick one that is
#    likely to do well. What could go wrong?
#
#    .. dropdown:: Answer
#
#       The strategy assumes stationarity: that the dynamics that produced the
#       past will produce the future. Markets change (regimes, news, other traders
#       acting on the same signal), so a model fitted to the past may not hold. It
#       is also a multi-step forecast with the compounding errors of this page, and
#       picking the best of many past performers selects for luck.
#
# 4. Does causality also apply to text? Give an example of data whose dynamics
#    need a latent autoregressive model.
#
#    .. dropdown:: Answer
#
#       Partly: a writer produces text left to right, and later words depend on
#       earlier ones, but the writer plans ahead, so earlier words also depend on
#       what is going to be said. A latent model is needed whenever the quantity
#       that drives the dynamics is not observed directly: a moving object whose
#       position is measured with noise (velocity is hidden), a patient's disease
#       state behind noisy test results, or this page's sine behind its noise.
#
# 5. **Programming task.** Instead of feeding predictions back, fit one
#    least-squares model per horizon that predicts :math:`x_t` *directly* from the
#    window :math:`x_{t-k-\tau+1}, \ldots, x_{t-k}` (*direct* multi-step
#    forecasting). Compare its held-out RMSE with the iterated forecasts for
#    :math:`k = 1, \ldots, 64` on the same ``targets``, and add it to the plot.
#
#    .. dropdown:: Hint
#
#       ``w = x.unfold(0, tau + k, 1)`` gives windows whose first ``tau`` columns
#       are the features and whose last column is the label ``k`` steps after the
#       window. Keep only rows whose label index is below ``split``, fit with
#       ``fit_least_squares``, and predict the targets from
#       ``torch.stack([x[targets - k - tau + 1 + i] for i in range(tau)], 1)``.
#       For :math:`k = 1` both methods are the same model, a good first check. The
#       direct model is trained for the horizon it is scored on, but it still sees
#       only four noisy values.
