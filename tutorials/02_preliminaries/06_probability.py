"""
Probability and statistics
==========================

Machine learning is about uncertainty: a classifier outputs probabilities, a training
set is a random sample, and a measured accuracy is an estimate with an error bar. This
page gathers the probability that the rest of the course uses, and checks every
formula against a simulation: we roll dice, watch frequencies settle on
probabilities, combine two random variables into joint, marginal and conditional
distributions, update a diagnosis with Bayes' rule, compute expectations and
variances, and end with continuous variables: the Gaussian density and the covariance
matrix of a random vector. Each simulated number is compared with its exact value
within a tolerance derived from the simulation's own standard error, so the page also
shows how to tell a real discrepancy from sampling noise.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * sample from a discrete distribution with ``torch.multinomial``,
        ``torch.distributions.Categorical``, and from scratch
      * the law of large numbers, and why errors shrink like
        :math:`1/\\sqrt{n}`
      * joint, marginal and conditional probabilities, and independence
      * Bayes' rule on a medical test, in closed form and by simulation
      * expectation, variance and covariance, and how to check a simulation
        against a formula with standard errors
      * continuous random variables: densities, the Gaussian, and the covariance
        matrix of a random vector, with
        :math:`\\mathrm{Var}[\\mathbf{v}^\\top \\mathbf{x}] =
        \\mathbf{v}^\\top \\boldsymbol{\\Sigma} \\mathbf{v}`

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`01_tensors` (shapes, indexing, reductions, broadcasting)
      * sums and fractions; no probability background is assumed
      * data: simulated dice, patients and Gaussian samples, drawn by the page (no
        download)
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import torch
from torch.distributions import Binomial, Categorical, Multinomial, Normal

import handson

handson.seed(0)

# %%
# The idea
# --------
#
# A *random variable* :math:`A` takes values at random; its *distribution* says how
# likely each value is. A fair die is a random variable with values
# :math:`1, \dots, 6` and
#
# .. math::
#
#    P(A = a) = \frac{1}{6}, \qquad a = 1, \dots, 6.
#
# Probabilities are non-negative and sum to 1 over all values. We cannot observe a
# probability directly, only samples. If :math:`a^{(1)}, \dots, a^{(n)}` are :math:`n`
# independent rolls, the *relative frequency*
#
# .. math::
#
#    \hat{P}_n(A = a) = \frac{1}{n} \sum_{i=1}^{n} \mathbb{I}\left[a^{(i)} = a\right]
#
# (the fraction of rolls that show :math:`a`; :math:`\mathbb{I}[\cdot]` is 1 when its
# condition holds and 0 otherwise) estimates :math:`P(A = a)`, and the estimate
# improves as :math:`n` grows. How much it improves is the most useful fact on this
# page: its typical error, the *standard error*, is
#
# .. math::
#
#    \mathrm{SE} = \sqrt{\frac{p (1 - p)}{n}}, \qquad p = P(A = a),
#
# because :math:`\hat{P}_n` is an average of :math:`n` independent indicators, each of
# variance :math:`p(1-p)` (we derive this in the section on variance). By the central
# limit theorem the error of such an average is close to normally distributed, so an
# error larger than 5 standard errors essentially never happens by chance. That is the
# test we apply to every simulation below. The chance of a false alarm, the
# probability that a standard normal variable is more than 5 away from 0:

k = 5  # tolerance, in standard errors
normal = Normal(torch.tensor(0.0, dtype=torch.float64), 1.0)
false_alarm = 2 * normal.cdf(torch.tensor(-k, dtype=torch.float64)).item()
print(f"P(|z| > {k}) = {false_alarm:.1e}")
assert false_alarm < 1e-6


def compare(name, simulated, exact, se):
    """Print a simulated value next to the exact one, and assert |z| < k.

    ``z = (simulated - exact) / se`` counts the difference in standard errors. Works
    elementwise on tables; entries with ``se == 0`` (probability 0 or 1) must match
    exactly.
    """
    simulated, exact, se = (torch.as_tensor(t, dtype=torch.float64).flatten()
                            for t in (simulated, exact, se))
    certain = se == 0
    assert torch.equal(simulated[certain], exact[certain]), name
    z = ((simulated - exact)[~certain] / se[~certain]).abs().max().item()
    if simulated.numel() == 1:
        print(f"{name:36} exact {exact.item():<10.4g} simulated "
              f"{simulated.item():<10.4g} |z| = {z:.2f}")
    else:
        print(f"{name:36} {simulated.numel()} entries, largest |z| = {z:.2f}")
    handson.check(f"{name}: largest |z|", z, "<", k, quick=True)


# %%
# Sampling
# --------
#
# ``torch.multinomial(probs, n, replacement=True)`` draws ``n`` indices with the
# given probabilities. Indices count from 0, the faces of a die from 1, so we add 1.
# :class:`torch.distributions.Categorical` does the same behind an object that also
# knows the distribution's probabilities, log-probabilities and entropy; its
# ``sample(shape)`` returns a tensor of that shape. We use it from now on.
# :class:`torch.distributions.Multinomial` draws the rolls too, but returns only
# how often each face came up.

fair_probs = torch.ones(6) / 6
print("torch.multinomial:", torch.multinomial(fair_probs, 10, replacement=True) + 1)
die = Categorical(probs=fair_probs)
print("Categorical:      ", die.sample((10,)) + 1)
print("Multinomial counts of 60 rolls:", Multinomial(60, fair_probs).sample())

# %%
# From scratch: inverting the cumulative distribution
# ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#
# All a computer provides is uniform random numbers :math:`u \in [0, 1)`
# (``torch.rand``). Cut :math:`[0, 1)` into consecutive pieces of lengths
# :math:`p_1, \dots, p_6`; the piece that :math:`u` falls into has probability equal to
# its length. The piece boundaries are the cumulative sums
# :math:`c_a = p_1 + \dots + p_a`, and ``torch.searchsorted`` finds the piece. We test
# it on a loaded die, where mistakes would show, against ``torch.multinomial``.

loaded_probs = torch.tensor([0.1, 0.1, 0.1, 0.1, 0.1, 0.5])


def sample_discrete(probs, n):
    """n indices drawn with the given probabilities, by inverting the CDF."""
    cdf = torch.cumsum(probs, dim=0)
    cdf[-1] = 1.0  # guard against rounding: the last boundary must be exactly 1
    u = torch.rand(n)
    return torch.searchsorted(cdf, u, right=True)  # index a with c_a <= u < c_(a+1)


num_rolls = handson.shrink(100_000, 10_000)
se = (loaded_probs * (1 - loaded_probs) / num_rolls).sqrt()
for name, idx in [("from scratch", sample_discrete(loaded_probs, num_rolls)),
                  ("torch.multinomial",
                   torch.multinomial(loaded_probs, num_rolls, replacement=True))]:
    freq = torch.bincount(idx, minlength=6) / num_rolls
    print(f"{name:18} frequencies {freq}")
    compare(f"loaded die, {name}", freq, loaded_probs, se)

# %%
# The law of large numbers
# ------------------------
#
# Roll the fair die many times and follow the running estimate
# :math:`\hat{P}_n(A = a)` of each face as :math:`n` grows. ``one_hot`` turns each roll
# into a row with a single 1, and a cumulative sum down the rows counts every face so
# far.

num_rolls = handson.shrink(10_000, 2_000)
rolls = die.sample((num_rolls,))
counts = torch.nn.functional.one_hot(rolls, 6).cumsum(dim=0)
n_so_far = torch.arange(1, num_rolls + 1).reshape(-1, 1)
estimates = counts / n_so_far  # row n - 1: the six estimates after n rolls
print(f"{'after 10 rolls:':>20}", estimates[9])
print(f"{f'after {num_rolls} rolls:':>20}", estimates[-1])
compare(f"P(A = a) after {num_rolls} rolls", estimates[-1], fair_probs,
        (fair_probs * (1 - fair_probs) / num_rolls).sqrt())

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for face in range(6):
    ax.semilogx(n_so_far, estimates[:, face], lw=1, label=f"$P(A = {face + 1})$")
ax.axhline(1 / 6, color="k", ls="--", label="exact: 1/6")
ax.set_xlabel("number of rolls $n$")
ax.set_ylabel("estimated probability")
ax.set_title("Frequencies settle on probabilities")
ax.legend(ncol=2, fontsize=8)
plt.show()

# %%
# The curves swing wildly at first and settle on :math:`1/6`: this is the *law of
# large numbers*. How fast? The standard error formula claims that the mean squared
# error of the estimate is :math:`p(1-p)/n`, so the typical error (its square root)
# shrinks by a factor :math:`\sqrt{10}` for every factor 10 in :math:`n`.
#
# We test the claim directly. We repeat the whole experiment many times for each
# :math:`n`, with fresh rolls, and average the squared error of the estimate of
# :math:`P(A = 6)` over the repetitions. That average is itself an estimate, with a
# standard error of its own: the standard deviation of the squared errors divided by
# the square root of the number of repetitions. So the same 5-standard-error test
# applies.

p = 1 / 6
num_repeats = handson.shrink(1_000, 100)
ns = [10, 100, 1_000, 10_000]
rms_errors = []
for n in ns:
    p_hat = (die.sample((num_repeats, n)) == 5).float().mean(dim=1)  # face 6 is 5
    sq_err = (p_hat - p) ** 2
    compare(f"n = {n:6d}: mean squared error", sq_err.mean(), p * (1 - p) / n,
            sq_err.std() / num_repeats**0.5)
    rms_errors.append(sq_err.mean().sqrt().item())
    print(f"{'':10}n * mean squared error / (p (1 - p)) = "
          f"{n * sq_err.mean().item() / (p * (1 - p)):.3f}")

# %%
# The printed ratio stays near 1 while :math:`n` grows a thousandfold, and every
# mean squared error is within a few of its standard errors of :math:`p(1-p)/n`: the
# squared error falls like :math:`1/n`. On log-log axes the formula for the root mean
# squared error is a line of slope :math:`-1/2`, and the simulated points sit on it:

ns_t = torch.tensor(ns, dtype=torch.float64)
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.loglog(ns, rms_errors, "o", ms=8, label=f"simulated ({num_repeats} repeats)")
ax.loglog(ns, (p * (1 - p) / ns_t).sqrt(), "k--",
          label=r"$\sqrt{p(1-p)/n}$")
ax.set_xlabel("number of rolls $n$")
ax.set_ylabel("root mean squared error")
ax.set_title(r"Errors shrink like $1/\sqrt{n}$")
ax.legend()
plt.show()

# %%
# .. note::
#
#    :math:`1/\sqrt{n}` is slow: a ten times smaller error costs a hundred times more
#    samples. The same law governs a test accuracy measured on :math:`n` test
#    examples, which is why small test sets give noisy comparisons between models.
#
# Joint, marginal and conditional probability
# -------------------------------------------
#
# Roll two fair dice, :math:`A` and :math:`B`, and let :math:`S = A + B` be their sum.
# The *joint* distribution of :math:`A` and :math:`S` gives the probability of each
# pair of values, :math:`P(A = a, S = s)`. Each of the 36 outcomes :math:`(a, b)` has
# probability :math:`1/36`, and :math:`S = s` with :math:`A = a` needs
# :math:`b = s - a`, so
#
# .. math::
#
#    P(A = a, S = s) = \begin{cases} 1/36 & \text{if } 1 \le s - a \le 6, \\
#    0 & \text{otherwise.} \end{cases}
#
# Summing the joint over one variable gives the *marginal* distribution of the
# other (the *sum rule*), and dividing the joint by a marginal gives a *conditional*
# distribution, the distribution of :math:`A` among the outcomes with :math:`S = s`:
#
# .. math::
#
#    P(S = s) = \sum_{a=1}^{6} P(A = a, S = s), \qquad
#    P(A = a \mid S = s) = \frac{P(A = a, S = s)}{P(S = s)}.
#
# The code builds the exact tables from these formulas: rows are
# :math:`a = 1, \dots, 6`, columns :math:`s = 2, \dots, 12`.

faces = torch.arange(1, 7)
sums = torch.arange(2, 13)
b_needed = sums.reshape(1, -1) - faces.reshape(-1, 1)  # b = s - a, shape (6, 11)
joint = ((b_needed >= 1) & (b_needed <= 6)).double() / 36
p_s = joint.sum(dim=0)  # marginal of S: sum over a (the rows)
p_a = joint.sum(dim=1)  # marginal of A: sum over s (the columns)
cond = joint / p_s  # column s: P(A = a | S = s); broadcasting divides every row
print("P(S = s), s = 2..12:", p_s.float())
print("P(A = a), a = 1..6: ", p_a.float())
print("P(A = a | S = 4):   ", cond[:, 4 - 2].float())
torch.testing.assert_close(p_a, torch.full((6,), 1 / 6, dtype=torch.float64))
torch.testing.assert_close(cond.sum(dim=0), torch.ones(11, dtype=torch.float64))
assert cond[0, 2 - 2] == 1  # a sum of 2 forces a = 1
uniform = torch.full((6,), 1 / 6, dtype=torch.float64)
torch.testing.assert_close(cond[:, 7 - 2], uniform)  # a sum of 7 says nothing about a

# %%
# The marginal of :math:`A` is the fair die again, as it must be, and every
# conditional distribution sums to 1. Now the same three tables from simulated rolls.
# For a conditional probability the relevant number of samples is the number of rolls
# with :math:`S = s`, not all rolls.

num_pairs = handson.shrink(1_000_000, 100_000)
a = die.sample((num_pairs,)) + 1
b = die.sample((num_pairs,)) + 1
s = a + b
joint_counts = torch.bincount((a - 1) * 11 + (s - 2), minlength=66).reshape(6, 11)
joint_hat = joint_counts / num_pairs
n_s = joint_counts.sum(dim=0)  # how many rolls had each sum
compare("joint P(A = a, S = s)", joint_hat, joint,
        (joint * (1 - joint) / num_pairs).sqrt())
compare("marginal P(S = s)", joint_hat.sum(dim=0), p_s,
        (p_s * (1 - p_s) / num_pairs).sqrt())
compare("conditional P(A = a | S = s)", joint_counts / n_s, cond,
        (cond * (1 - cond) / n_s).sqrt())

fig, axs = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True, layout="constrained")
for ax, table, title in [(axs[0], joint_hat, "joint $P(A = a, S = s)$"),
                         (axs[1], joint_counts / n_s,
                          r"conditional $P(A = a \mid S = s)$")]:
    im = ax.imshow(table, origin="lower", cmap="Blues",
                   extent=(1.5, 12.5, 0.5, 6.5))
    ax.set_xlabel("sum $s$")
    ax.set_title(f"{title}\n(simulated)")
    fig.colorbar(im, ax=ax)
axs[0].set_ylabel("first die $a$")
plt.show()

# %%
# The joint table is a band of equal cells; conditioning on :math:`S = s` rescales a
# column so that it sums to 1. Knowing that the sum is 2 pins the first die down to
# 1; knowing that it is 7 tells us nothing about it.
#
# Bayes' rule
# -----------
#
# Write the joint both ways, :math:`P(A, B) = P(B \mid A) P(A) = P(A \mid B) P(B)`,
# and solve for :math:`P(A \mid B)`:
#
# .. math::
#
#    P(A \mid B) = \frac{P(B \mid A) \, P(A)}{P(B)}, \qquad
#    P(B) = \sum_{a} P(B \mid A = a) \, P(A = a).
#
# This turns around a conditional probability: from the probability of the evidence
# given the cause to the probability of the cause given the evidence.
#
# The example of D2L: :math:`H = 1` if a patient has HIV (a rare disease) and
# :math:`D_1 = 1` if a first test comes back positive. The test never misses an
# infection, but it flags a small fraction of healthy patients too. The numbers are in
# the code. A patient tests positive. How likely is the infection?

p_h = 0.0015  # prior P(H = 1): how common the disease is
p_d1 = {1: 1.00, 0: 0.01}  # P(D1 = 1 | H = h) for h = 1, 0
p_d2 = {1: 0.98, 0: 0.03}  # a second, different test: P(D2 = 1 | H = h)
print(f"P(H = 1) = {p_h}")
for h in (1, 0):
    print(f"H = {h}:  P(D1 = 1 | H) = {p_d1[h]:.2f}   P(D2 = 1 | H) = {p_d2[h]:.2f}")

p_pos1 = p_d1[1] * p_h + p_d1[0] * (1 - p_h)  # P(D1 = 1), summing over h
post1 = p_d1[1] * p_h / p_pos1  # P(H = 1 | D1 = 1)
print(f"P(D1 = 1) = {p_pos1:.6f},  P(H = 1 | D1 = 1) = {post1:.4f}, "
      f"{post1 / p_h:.0f} times the prior")
assert post1 < 0.5  # a positive result still most likely means no infection
assert post1 / p_h > 10  # ... but it is far more likely than before the test

# %%
# The printed posterior is small: most positives come from the many healthy patients,
# not the few sick ones. The test is not useless (the printed factor shows how much the
# probability of infection went up from the prior), but a positive result calls for a
# second test.
# Suppose the second test has its own errors and, *given* :math:`H`, errs
# independently of the first (*conditional independence*):
# :math:`P(D_1, D_2 \mid H) = P(D_1 \mid H) P(D_2 \mid H)`. Then
#
# .. math::
#
#    P(H = 1 \mid D_1 = 1, D_2 = 1) =
#    \frac{P(D_1 = 1 \mid H = 1) P(D_2 = 1 \mid H = 1) P(H = 1)}
#         {\sum_{h \in \{0, 1\}} P(D_1 = 1 \mid H = h) P(D_2 = 1 \mid H = h) P(H = h)}.

p_h_of = {1: p_h, 0: 1 - p_h}
p_pos12 = sum(p_d1[h] * p_d2[h] * p_h_of[h] for h in (1, 0))  # P(D1 = 1, D2 = 1)
post12 = p_d1[1] * p_d2[1] * p_h / p_pos12
print(f"P(H = 1 | D1 = 1, D2 = 1) = {post12:.4f}")
assert post12 > post1

# %%
# Now check both posteriors the hard way: simulate a population of patients, give
# each a disease status and two test results with the stated probabilities, and count.
# A posterior is a fraction *among the patients who tested positive*, so its standard
# error uses their number.

num_patients = handson.shrink(2_000_000, 200_000)
H = torch.rand(num_patients) < p_h
D1 = torch.rand(num_patients) < torch.where(H, p_d1[1], p_d1[0])
D2 = torch.rand(num_patients) < torch.where(H, p_d2[1], p_d2[0])
both = D1 & D2
print(f"{num_patients} patients: {H.sum().item()} infected, "
      f"{D1.sum().item()} positive on test 1, {both.sum().item()} on both tests")
compare("P(D1 = 1)", D1.double().mean(), p_pos1,
        (p_pos1 * (1 - p_pos1) / num_patients) ** 0.5)
compare("P(H = 1 | D1 = 1)", H[D1].double().mean(), post1,
        (post1 * (1 - post1) / D1.sum().item()) ** 0.5)
compare("P(H = 1 | D1 = 1, D2 = 1)", H[both].double().mean(), post12,
        (post12 * (1 - post12) / both.sum().item()) ** 0.5)

# %%
# .. warning::
#
#    :math:`P(D_1 = 1 \mid H = 1)` and :math:`P(H = 1 \mid D_1 = 1)` are different
#    numbers, here very different. Taking one for the other, the *confusion of the
#    inverse*, is the classic mistake Bayes' rule prevents. What separates the two is
#    the prior :math:`P(H = 1)`, the *base rate*; forgetting it is *base-rate
#    neglect*.
#
# Expectation and variance
# ------------------------
#
# The *expectation* (mean) of a random variable weights each value by its probability,
# and the *variance* is the expected squared distance from the mean:
#
# .. math::
#
#    \mathbb{E}[A] = \sum_a a \, P(A = a), \qquad
#    \mathrm{Var}[A] = \mathbb{E}\left[(A - \mathbb{E}[A])^2\right]
#    = \mathbb{E}[A^2] - \mathbb{E}[A]^2.
#
# The *standard deviation* is :math:`\sqrt{\mathrm{Var}[A]}`. The average of
# :math:`n` independent samples has expectation :math:`\mathbb{E}[A]` and variance
# :math:`\mathrm{Var}[A] / n` (variances of independent variables add, see below,
# and scaling by :math:`1/n` scales the variance by :math:`1/n^2`). So its standard
# error is :math:`\sqrt{\mathrm{Var}[A] / n}`. An indicator
# :math:`\mathbb{I}[A = a]` has mean :math:`p` and variance :math:`p - p^2 = p(1-p)`,
# which gives the standard error we have used all along.
#
# For the fair die, in closed form:

values = faces.double()
mean = (values * fair_probs.double()).sum()
var = ((values - mean) ** 2 * fair_probs.double()).sum()
print(f"E[A] = {mean.item():.4f},  Var[A] = {var.item():.4f},  "
      f"std = {var.sqrt().item():.4f}")
torch.testing.assert_close(var, (values**2 * fair_probs.double()).sum() - mean**2)

# %%
# The simulated rolls give the sample mean and the sample variance. The sample
# variance is (up to a factor :math:`n/(n-1)` that is negligible here) an average of
# the squares :math:`(a^{(i)} - \mathbb{E}[A])^2`, whose variance is
# :math:`\mathbb{E}[(A - \mathbb{E}[A])^4] - \mathrm{Var}[A]^2`; that gives its
# standard error.

mu4 = ((values - mean) ** 4 * fair_probs.double()).sum()  # 4th central moment
a_f = a.double()
compare("E[A]", a_f.mean(), mean, (var / num_pairs).sqrt())
compare("Var[A]", a_f.var(), var, ((mu4 - var**2) / num_pairs).sqrt())

# %%
# The distributions in :mod:`torch.distributions` know their moments. A binomial
# variable counts the successes in ``total_count`` independent trials of success
# probability ``probs``; its mean and variance are :math:`np` and :math:`np(1-p)`:

binom = Binomial(total_count=10, probs=torch.tensor(0.3))
print(f"Binomial(10, 0.3): mean {binom.mean.item():.4f}, "
      f"variance {binom.variance.item():.4f}")
torch.testing.assert_close(binom.mean, torch.tensor(10 * 0.3))
torch.testing.assert_close(binom.variance, torch.tensor(10 * 0.3 * 0.7))

# %%
# Independence
# ------------
#
# Two random variables are *independent* if their joint distribution is the product of
# the marginals, :math:`P(A = a, B = b) = P(A = a) P(B = b)` for all values;
# equivalently, conditioning on one does not change the distribution of the other.
# The two dice are independent; the first die and the sum are not. In closed form the
# largest gap between the joint and the product of the marginals:

gap = (joint - p_a.reshape(-1, 1) * p_s.reshape(1, -1)).abs().max().item()
print(f"A and S: largest |P(A = a, S = s) - P(A = a) P(S = s)| = {gap:.4f}")
assert gap > 0.01

# %%
# And the independence of :math:`A` and :math:`B`, checked on the simulated pairs:

joint_ab = torch.bincount((a - 1) * 6 + (b - 1), minlength=36) / num_pairs
p_ab = torch.full((36,), 1 / 36, dtype=torch.float64)  # P(A = a) P(B = b)
compare("P(A = a, B = b) = P(A = a) P(B = b)", joint_ab, p_ab,
        (p_ab * (1 - p_ab) / num_pairs).sqrt())

# %%
# Independence makes variances add. In general
#
# .. math::
#
#    \mathrm{Var}[A + B] = \mathrm{Var}[A] + \mathrm{Var}[B] + 2 \, \mathrm{Cov}[A, B],
#    \qquad
#    \mathrm{Cov}[A, B]
#    = \mathbb{E}\left[(A - \mathbb{E}[A])(B - \mathbb{E}[B])\right],
#
# and independent variables have covariance 0. The sum :math:`S` is not independent
# of :math:`A`: :math:`\mathrm{Cov}[A, S] = \mathrm{Cov}[A, A] + \mathrm{Cov}[A, B] =
# \mathrm{Var}[A]`. We check the three formulas by simulation. Here we take the
# standard errors from the samples themselves: each quantity is an average of
# per-sample terms (a product of deviations, or a squared deviation), and its standard
# error is their standard deviation over :math:`\sqrt{n}`.


def mean_and_se(terms):
    """The average of per-sample terms, and its standard error."""
    return terms.mean(), terms.std() / terms.numel() ** 0.5


dev_a, dev_b, dev_s = a_f - mean, b.double() - mean, s.double() - 2 * mean
cov_ab, cov_ab_se = mean_and_se(dev_a * dev_b)
var_s, var_s_se = mean_and_se(dev_s**2)
cov_as, cov_as_se = mean_and_se(dev_a * dev_s)
compare("Cov[A, B] = 0", cov_ab, 0.0, cov_ab_se)
compare("Var[A + B] = 2 Var[A]", var_s, 2 * var, var_s_se)
compare("Cov[A, S] = Var[A]", cov_as, var, cov_as_se)

# %%
# The simulation agrees with all three: the dice do not covary, their variances add,
# and the first die covaries with the sum by exactly its own variance.
#
# .. dropdown:: Uncorrelated does not mean independent
#
#    Covariance 0 follows from independence, but not the other way round. Let
#    :math:`A` be uniform on :math:`\{-1, 0, 1\}` and :math:`B = A^2`. Then
#    :math:`\mathrm{Cov}[A, B] = \mathbb{E}[A^3] - \mathbb{E}[A]\mathbb{E}[A^2] = 0`,
#    yet :math:`B` is a function of :math:`A`: knowing :math:`A` tells you :math:`B`
#    exactly. Covariance only measures *linear* dependence.
#
# Continuous random variables and densities
# -----------------------------------------
#
# The noise added to the targets on the first page and the random starting weights
# of a network are not dice: they can take any real value. For such a *continuous*
# random variable :math:`X` every single value has probability 0, and a *probability
# density* :math:`p(x) \ge 0` takes the role of the table of probabilities. The
# probability of an interval is the area under the density,
#
# .. math::
#
#    P(a \le X \le b) = \int_a^b p(x) \, dx, \qquad
#    \int_{-\infty}^{\infty} p(x) \, dx = 1,
#
# and sums over values become integrals: :math:`\mathbb{E}[X] = \int x \, p(x) \, dx`,
# :math:`\mathrm{Var}[X] = \int (x - \mathbb{E}[X])^2 \, p(x) \, dx`. A density is
# not a probability: for a narrow interval of width :math:`\Delta`,
# :math:`P(x \le X \le x + \Delta) \approx p(x) \, \Delta`, so :math:`p(x)` may exceed
# 1 as long as the total area is 1.
#
# The *Gaussian* (normal) distribution :math:`\mathcal{N}(\mu, \sigma^2)` has the
# density
#
# .. math::
#
#    p(x) = \frac{1}{\sqrt{2 \pi \sigma^2}}
#    \exp\left(-\frac{(x - \mu)^2}{2 \sigma^2}\right),
#
# with mean :math:`\mu` and variance :math:`\sigma^2`. ``torch.randn`` draws from
# :math:`\mathcal{N}(0, 1)`, and :math:`\mu + \sigma Z` with :math:`Z \sim
# \mathcal{N}(0, 1)` is :math:`\mathcal{N}(\mu, \sigma^2)`: that is how the first page
# made its noise and how normal initialisation scales its weights. We write the
# density from scratch, compare it with :class:`torch.distributions.Normal`, and
# check with the trapezoidal rule (:func:`torch.trapezoid`) that the area under it is
# 1 and that the integrals for the mean and the variance give :math:`\mu` and
# :math:`\sigma^2`.


def gaussian_pdf(x, mu, sigma):
    """The density of N(mu, sigma^2) at x."""
    scale = (2 * torch.pi * sigma**2) ** 0.5
    return torch.exp(-((x - mu) ** 2) / (2 * sigma**2)) / scale


mu, sigma = 1.0, 0.25
xs = torch.linspace(mu - 10 * sigma, mu + 10 * sigma, 10_001, dtype=torch.float64)
density = gaussian_pdf(xs, mu, sigma)
gauss = Normal(torch.tensor(mu, dtype=torch.float64), sigma)
torch.testing.assert_close(density, gauss.log_prob(xs).exp())
area = torch.trapezoid(density, xs)
mean_integral = torch.trapezoid(xs * density, xs)
var_integral = torch.trapezoid((xs - mu) ** 2 * density, xs)
print(f"area {area.item():.8f} | mean {mean_integral.item():.6f} | "
      f"variance {var_integral.item():.6f} | "
      f"largest density {density.max().item():.4f}")
torch.testing.assert_close(area.item(), 1.0)
torch.testing.assert_close(mean_integral.item(), mu)
torch.testing.assert_close(var_integral.item(), sigma**2)
assert density.max() > 1  # a density, not a probability

# %%
# Now samples. A histogram with ``density=True`` divides each bin's count by
# :math:`n` times the bin width, so it estimates the density and should follow the
# curve. The fraction of samples in a bin :math:`[a, b)` estimates
# :math:`P(a \le X < b)`, the area of the bin under the density, which
# ``Normal.cdf`` gives exactly; each fraction has the standard error of a frequency,
# so ``compare`` applies bin by bin. (The bins cover :math:`\mu \pm 3\sigma`, where
# every bin expects enough samples for the normal approximation of the error.)

num_samples = handson.shrink(200_000, 20_000)
samples = mu + sigma * torch.randn(num_samples, dtype=torch.float64)
edges = torch.linspace(mu - 3 * sigma, mu + 3 * sigma, 25, dtype=torch.float64)
counts_bins = torch.histogram(samples, bins=edges).hist
bin_probs = gauss.cdf(edges[1:]) - gauss.cdf(edges[:-1])
compare("Gaussian: fraction of samples per bin", counts_bins / num_samples, bin_probs,
        (bin_probs * (1 - bin_probs) / num_samples).sqrt())
compare("Gaussian: sample mean", samples.mean(), mu, sigma / num_samples**0.5)

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.hist(samples.numpy(), bins=edges.numpy(), density=True, alpha=0.5,
        label=f"histogram of {num_samples} samples")
ax.plot(xs, density, "k", label=r"density $p(x)$")
ax.set_xlim(mu - 4 * sigma, mu + 4 * sigma)
ax.set_xlabel("$x$")
ax.set_ylabel("density")
ax.set_title(rf"$\mathcal{{N}}(\mu = {mu}, \sigma = {sigma})$: samples and density")
ax.legend()
plt.show()

# %%
# Random vectors and the covariance matrix
# ----------------------------------------
#
# A vector of random variables :math:`\mathbf{x} \in \mathbb{R}^d` (the :math:`d`
# features of a random example, say) has a mean vector
# :math:`\boldsymbol{\mu} = \mathbb{E}[\mathbf{x}]` and a *covariance matrix*
#
# .. math::
#
#    \boldsymbol{\Sigma}
#    = \mathbb{E}\left[(\mathbf{x} - \boldsymbol{\mu})
#      (\mathbf{x} - \boldsymbol{\mu})^\top\right],
#    \qquad \Sigma_{ij} = \mathrm{Cov}[x_i, x_j],
#
# with the variances on the diagonal; it is symmetric, since
# :math:`\mathrm{Cov}[x_i, x_j] = \mathrm{Cov}[x_j, x_i]`. A linear model or a neuron
# computes a weighted sum :math:`\mathbf{v}^\top \mathbf{x}` of such a vector, and its
# variance follows from :math:`\boldsymbol{\Sigma}` alone:
#
# .. math::
#
#    \mathrm{Var}[\mathbf{v}^\top \mathbf{x}]
#    = \mathbb{E}\left[\left(\mathbf{v}^\top (\mathbf{x} - \boldsymbol{\mu})\right)^2
#      \right]
#    = \mathbb{E}\left[\mathbf{v}^\top (\mathbf{x} - \boldsymbol{\mu})
#      (\mathbf{x} - \boldsymbol{\mu})^\top \mathbf{v}\right]
#    = \mathbf{v}^\top \boldsymbol{\Sigma} \mathbf{v} .
#
# With :math:`\mathbf{v} = (1, 1)^\top` this is the formula for
# :math:`\mathrm{Var}[A + B]` above; and since a variance is never negative,
# :math:`\mathbf{v}^\top \boldsymbol{\Sigma} \mathbf{v} \ge 0` for every
# :math:`\mathbf{v}`. To test it we need vectors whose covariance we know exactly:
# :math:`\mathbf{x} = \mathbf{L} \mathbf{z}` with :math:`\mathbf{z}` a vector of
# independent standard normal variables (covariance :math:`\mathbf{I}`) has mean
# :math:`\mathbf{0}` and covariance :math:`\mathbf{L} \mathbf{L}^\top`. We estimate
# :math:`\boldsymbol{\Sigma}` from samples, from scratch and with :func:`torch.cov`,
# and compare :math:`\mathrm{Var}[\mathbf{v}^\top \mathbf{x}]` with
# :math:`\mathbf{v}^\top \boldsymbol{\Sigma} \mathbf{v}` for a few random
# :math:`\mathbf{v}`, within 5 standard errors as before.

L = torch.tensor([[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [-0.5, 0.3, 0.4]],
                 dtype=torch.float64)
Sigma = L @ L.T  # the exact covariance
num_vectors = handson.shrink(200_000, 20_000)
Xv = torch.randn(num_vectors, 3, dtype=torch.float64) @ L.T  # one x = L z per row
centred = Xv - Xv.mean(dim=0)
Sigma_hat = centred.T @ centred / (num_vectors - 1)  # from scratch
torch.testing.assert_close(Sigma_hat, torch.cov(Xv.T))  # torch.cov: variables in rows
print("exact covariance:\n", Sigma.numpy().round(3))
print("estimated from samples:\n", Sigma_hat.numpy().round(3))
products = Xv.reshape(-1, 3, 1) * Xv.reshape(-1, 1, 3)  # per-sample x x^T (mean 0)
compare("covariance matrix, entry by entry", products.mean(dim=0), Sigma,
        products.std(dim=0) / num_vectors**0.5)

for trial in range(3):
    v = torch.randn(3, dtype=torch.float64)
    var_v, var_v_se = mean_and_se((Xv @ v) ** 2)  # the mean of v^T x is 0
    compare(f"Var[v^T x] = v^T Sigma v, v no. {trial + 1}", var_v, v @ Sigma @ v,
            var_v_se)

# %%
# The estimated covariance matches the exact one entry by entry, and the variance of
# every weighted sum matches :math:`\mathbf{v}^\top \boldsymbol{\Sigma} \mathbf{v}`.
# :doc:`../05_multilayer_perceptrons/04_numerical_stability` uses this to choose
# the scale of initial weights so that the
# variance of a layer's outputs neither grows nor shrinks from layer to layer.
#
# Summary
# -------
#
# * A distribution assigns probabilities to values; ``Categorical(probs).sample()``
#   (or ``torch.multinomial``) draws from it, and inverting the cumulative
#   distribution does the same from uniform numbers.
# * Frequencies converge to probabilities (the law of large numbers) with a standard
#   error :math:`\sqrt{p(1-p)/n}`: a ten times smaller error needs a hundred times
#   more samples.
# * Joint, marginal and conditional distributions are linked by the sum rule and by
#   :math:`P(A, B) = P(B \mid A) P(A)`; Bayes' rule turns
#   :math:`P(B \mid A)` into :math:`P(A \mid B)` and needs the prior.
# * Expectation and variance summarise a distribution; variances of independent
#   variables add, and covariance measures the linear part of a dependence.
# * A continuous variable has a density, whose integral over an interval is a
#   probability; the Gaussian :math:`\mathcal{N}(\mu, \sigma^2)` is
#   :math:`\mu + \sigma Z`. For a random vector with covariance matrix
#   :math:`\boldsymbol{\Sigma}`, :math:`\mathrm{Var}[\mathbf{v}^\top \mathbf{x}] =
#   \mathbf{v}^\top \boldsymbol{\Sigma} \mathbf{v}`.
# * Compare a simulation with a formula in units of standard errors: beyond about 5,
#   the discrepancy is real.

# %%
# Exercises
# ---------
#
# 1. How many rolls of a fair die does it take to estimate :math:`P(A = 6)` so
#    precisely that 5 standard errors are at most 0.001?
#
#    .. dropdown:: Answer
#
#       Solve :math:`5 \sqrt{p(1-p)/n} \le 0.001` for :math:`n`:
#       :math:`n \ge 25 \, p(1-p) / 0.001^2` with :math:`p = 1/6`, that is
#       ``25 * (1 / 6) * (5 / 6) / 0.001**2``, about three and a half million rolls.
#
# 2. How common would the disease have to be for a single positive test to mean a
#    50% chance of infection? Change ``p_h`` and check your answer with the page's
#    formula.
#
#    .. dropdown:: Answer
#
#       :math:`P(H = 1 \mid D_1 = 1) = 1/2` when the infected positives equal the
#       healthy positives: :math:`1 \cdot p_h = 0.01 (1 - p_h)`, so
#       :math:`p_h = 0.01 / 1.01`, about 1 in 100. The rarer the disease, the
#       smaller the posterior for the same test.
#
# 3. The two tests are independent *given* :math:`H`. Are :math:`D_1` and
#    :math:`D_2` independent? Compare :math:`P(D_2 = 1)` with
#    :math:`P(D_2 = 1 \mid D_1 = 1)`, in closed form and on the simulated patients.
#
#    .. dropdown:: Answer
#
#       No. A positive first test makes infection more likely, which makes a positive
#       second test more likely.
#
#       .. code-block:: python
#
#          p_pos2 = p_d2[1] * p_h + p_d2[0] * (1 - p_h)  # P(D2 = 1)
#          print(p_pos2, p_pos12 / p_pos1)  # P(D2 = 1 | D1 = 1) is much larger
#          print(D2.double().mean(), D2[D1].double().mean())
#
# 4. Show that :math:`\mathrm{Var}[A - B] = \mathrm{Var}[A] + \mathrm{Var}[B]` for
#    independent :math:`A` and :math:`B` (a difference, yet the variances add) and
#    check it on the simulated dice.
#
#    .. dropdown:: Answer
#
#       :math:`\mathrm{Var}[-B] = (-1)^2 \mathrm{Var}[B]`, and
#       :math:`\mathrm{Cov}[A, -B] = -\mathrm{Cov}[A, B] = 0`. In code:
#
#       .. code-block:: python
#
#          var_d, var_d_se = mean_and_se((dev_a - dev_b) ** 2)
#          compare("Var[A - B] = 2 Var[A]", var_d, 2 * var, var_d_se)
#
# 5. **Programming task.** The birthday problem: in a group of :math:`m` people with
#    birthdays uniform over 365 days, what is the probability that two share a
#    birthday? The exact answer is
#    :math:`1 - \prod_{j=0}^{m-1} (365 - j) / 365`. Simulate many groups with
#    ``torch.randint``, estimate the probability for :math:`m = 23`, and check it
#    against the formula with ``compare``.
#
#    .. dropdown:: Worked answer
#
#       A group has a shared birthday when sorting its birthdays puts two equal days
#       next to each other.
#
#       .. code-block:: python
#
#          m, num_groups = 23, 100_000
#          days = torch.randint(0, 365, (num_groups, m)).sort(dim=1).values
#          shared = (days[:, 1:] == days[:, :-1]).any(dim=1)
#          exact = 1 - torch.prod((365 - torch.arange(m)) / 365).item()
#          compare("shared birthday, m = 23", shared.double().mean(), exact,
#                  (exact * (1 - exact) / num_groups) ** 0.5)
#
#       The probability is just above one half: far higher than most people guess,
#       because 23 people form 253 pairs.
