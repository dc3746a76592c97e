"""
Tricks of the trade, measured one at a time
===========================================

Every training recipe comes with a list of tricks: a learning-rate schedule,
momentum, weight decay, data augmentation, dropout, a careful initialisation, label
smoothing. Each was shown to help somewhere, usually on a large model trained for a
long time. Does each help *here*, and by more than the noise of another random seed?
This page answers the question the way an experimenter would: fix a baseline, change
one thing at a time, train every variant with four seeds in runs *paired* with the
baseline (same initial weights, same batch order), judge every change on a
validation split carved from the training data with an honest confidence interval,
and touch the test set once, at the end, for the configuration we chose.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * run an *ablation*: a fixed baseline, one change per variant, paired runs
        that share initial weights and batch order
      * choose on a validation split, and use the test set once, at the end
      * a confidence interval for an effect from a few seeds, with Student's
        :math:`t` multiplier
      * learning-rate schedules with ``torch.optim.lr_scheduler`` (cosine and step),
        checked against their formulas
      * momentum and weight decay as ``torch.optim.SGD`` computes them, by hand,
        and how much weight decay can shrink the weights in a short run
      * label smoothing, by hand and with ``nn.CrossEntropyLoss(label_smoothing=)``

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * weight decay, dropout, initialisation and validation data, from the chapter
        :ref:`chapter-multilayer-perceptrons`
      * ``handson.train`` from the chapter :ref:`chapter-linear-classification`
      * data augmentation with :class:`handson.Augment`:
        :doc:`../07_convolutional_networks/03_cifar10_color_images`
      * :doc:`01_saving_and_loading` (batch order drawn by a generator of its own)
        and :doc:`03_transfer_learning` (for the chapter exercise at the end)
      * data: Fashion-MNIST, 8,000 training images split into 6,000 to train and
        2,000 to validate; the 10,000 test images, used once
"""

# sphinx_gallery_thumbnail_number = 4

# %%
# The idea
# --------
#
# A trick is worth keeping if it changes the accuracy by more than chance does.
# Write :math:`A(c, s)` for the *validation* accuracy of a training run with
# configuration :math:`c` (network, optimiser, data pipeline, loss, number of
# epochs) and random seed :math:`s` (initial weights, batch order, dropout masks,
# augmentations). For a change :math:`c_0 \to c` and seeds :math:`s = 1, \dots,
# S`, the *paired differences* and their mean are
#
# .. math::
#
#    d_s = A(c, s) - A(c_0, s), \qquad
#    \Delta(c) = \bar{d} = \frac{1}{S} \sum_{s=1}^{S} d_s .
#
# Four rules make :math:`\Delta` mean something:
#
# * **change one thing at a time**: each variant differs from the baseline
#   :math:`c_0` in a single setting, so the difference is due to that setting;
# * **pair the runs**: the variant and the baseline of seed :math:`s` start from
#   the same initial weights and see the batches in the same order, so that
#   :math:`d_s` does not also contain the luck of a different draw;
# * **compare with the noise**: the :math:`d_s` still differ from seed to seed
#   (training amplifies any small difference; even the number of CPU threads
#   changes the last bits and, after a few epochs, the accuracy). With their
#   standard deviation :math:`\hat{\sigma}_d`, the interval
#
#   .. math::
#
#      \bar{d} \pm t_{S-1} \, \frac{\hat{\sigma}_d}{\sqrt{S}}
#
#   covers the true effect with probability 95 % if the :math:`d_s` are roughly
#   normal; :math:`t_{S-1}` is the 97.5 % quantile of Student's :math:`t`
#   distribution with :math:`S - 1` degrees of freedom. With few seeds it is far
#   above the normal distribution's 1.96, because :math:`\hat{\sigma}_d` itself
#   is uncertain: 12.7 for :math:`S = 2`, 3.18 for :math:`S = 4`. We call a change
#   helpful only when the whole interval lies above zero;
# * **choose on validation data, test once**: every decision above (which tricks
#   help, which configuration to keep) is made on a validation split carved from
#   the training data. The test set is used once, for the configuration we chose.
#   Choosing among nine variants by their test accuracy would pick, in part, the
#   variant that got lucky on the test set, and its test accuracy would overstate
#   what it does on new data; D2L and MegEngine's course both warn against it.
#
# .. note::
#
#    **What we shrank, and why.** The page trains 9 variants with 4 seeds, 36
#    runs, so each run must take only seconds on a 2-core CPU: a multilayer
#    perceptron with three hidden layers of 64 units, trained for 10 epochs on
#    6,000 Fashion-MNIST training images, validated on 2,000 others. Most tricks
#    were invented for large networks trained for a long time; at this scale the
#    network is still short of its best after 10 epochs, so tricks that fight
#    overfitting have little to fight. Four seeds resolve effects of a few points,
#    not fractions of a point. The results below are about this setting, and we
#    will see that it matters.

import math

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson.data import load_fashion_mnist
from handson.reproducibility import seed_offset

handson.seed(0)
device = handson.device()

# %%
# The data: training, validation, test
# ------------------------------------
#
# We take 8,000 images of the Fashion-MNIST training set, drawn at random (with a
# generator of its own), and split them into 6,000 to train on and 2,000 to
# validate on.
# The 10,000 test images stay untouched until the end of the page.

X_all, y_all = load_fashion_mnist("train")
n_train, n_val = handson.shrink(6_000, 1_600), handson.shrink(2_000, 400)
perm = torch.randperm(len(y_all), generator=torch.Generator().manual_seed(0))
X, y = X_all[perm[:n_train]], y_all[perm[:n_train]]
X_val, y_val = (X_all[perm[n_train:n_train + n_val]],
                y_all[perm[n_train:n_train + n_val]])
X_test, y_test = load_fashion_mnist("test")
print("train:", tuple(X.shape), "| validation:", tuple(X_val.shape),
      "| test:", tuple(X_test.shape))
assert not set(perm[:n_train].tolist()) & set(perm[n_train:n_train + n_val].tolist())

# %%
# The baseline is a reasonable first try, written down once as a dict so that
# every variant can state precisely what it changes: minibatch SGD with momentum,
# a constant learning rate, PyTorch's default initialisation, no regularisation,
# no augmentation, the plain cross-entropy loss. The learning rate is given as the
# *effective* step size :math:`\eta / (1 - \beta)` (explained with momentum
# below): SGD gets ``lr = lr_eff * (1 - momentum)``, 0.02 for the baseline.

num_epochs, batch_size, num_hiddens = handson.epochs(10), 128, 64
seeds = [0, 1, 2, 3]
baseline = dict(lr_eff=0.2, momentum=0.9, schedule=None, weight_decay=0.0,
                augment=False, dropout=0.0, init="default", label_smoothing=0.0)


def sgd_lr(cfg):
    """The lr handed to torch.optim.SGD: the effective step times (1 - momentum)."""
    return cfg["lr_eff"] * (1 - cfg["momentum"])


# %%
# Each trick is one entry below; the sections that follow explain them.

variants = {
    "baseline": {},
    "cosine schedule": {"schedule": "cosine"},
    "no momentum": {"momentum": 0.0},
    "weight decay": {"weight_decay": 5e-4},
    "augmentation": {"augment": True},
    "dropout": {"dropout": 0.2},
    "Kaiming init": {"init": "kaiming"},
    "tiny init": {"init": "tiny"},
    "label smoothing": {"label_smoothing": 0.1},
}
assert all(len(change) <= 1 and change.keys() <= baseline.keys()
           for change in variants.values())  # one change at a time, no typos

# %%
# Learning-rate schedules
# -----------------------
#
# A constant learning rate :math:`\eta` keeps SGD bouncing around a minimum, with
# steps as large at the end as at the start. A *schedule* lowers it over the
# :math:`T` epochs. ``handson.train`` calls ``scheduler.step()`` once after every
# epoch, so epoch :math:`t = 1, \dots, T` trains with :math:`\eta_{t-1}`, where
#
# .. math::
#
#    \eta_t^\text{cosine} = \frac{\eta}{2} \left( 1 + \cos \frac{\pi t}{T} \right),
#    \qquad
#    \eta_t^\text{step} = \eta \, \gamma^{\lfloor t / k \rfloor},
#
# the *cosine* schedule (Loshchilov and Hutter, 2017) gliding from :math:`\eta`
# towards 0, the *step* schedule multiplying by :math:`\gamma` every :math:`k`
# epochs. We take :math:`\gamma = 0.1` and :math:`k = T / 2`. To keep the page
# within its time budget the ablation trains only the cosine schedule; the step
# schedule is checked and drawn here, and exercise 2 adds it to the ablation.


def make_scheduler(trainer, schedule, num_epochs):
    """A scheduler stepped once per epoch, or None for a constant learning rate."""
    if schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(trainer, T_max=num_epochs)
    if schedule == "step":
        return torch.optim.lr_scheduler.StepLR(
            trainer, step_size=max(1, num_epochs // 2), gamma=0.1)
    assert schedule is None, schedule
    return None


def lr_curve(schedule, lr, num_epochs):
    """The learning rate used in each epoch, read from a scheduler."""
    trainer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = make_scheduler(trainer, schedule, num_epochs)
    lrs = []
    for epoch in range(num_epochs):
        lrs.append(trainer.param_groups[0]["lr"])
        trainer.step()  # no gradients, so nothing moves; schedulers expect it first
        if scheduler is not None:
            scheduler.step()
    return torch.tensor(lrs)


# %%
# The schedulers must follow the formulas; we check both against them, computed
# from scratch, and draw the learning rate of every epoch:

lr, T = sgd_lr(baseline), num_epochs
t = torch.arange(T)
torch.testing.assert_close(lr_curve("cosine", lr, T),
                           lr / 2 * (1 + torch.cos(math.pi * t / T)))
torch.testing.assert_close(lr_curve("step", lr, T),
                           lr * 0.1 ** torch.div(t, max(1, T // 2),
                                                 rounding_mode="floor"))
print("cosine:", [f"{v:.4f}" for v in lr_curve("cosine", lr, T).tolist()])

fig, ax = plt.subplots(figsize=(6, 3.5))
for schedule, style in [(None, "k-o"), ("step", "C1-s"), ("cosine", "C0-^")]:
    ax.plot(range(1, T + 1), lr_curve(schedule, lr, T), style, ms=4,
            label=schedule or "constant (baseline)")
ax.set_xlabel("epoch")
ax.set_ylabel("learning rate")
ax.set_title("Learning-rate schedules, one value per epoch")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Momentum and weight decay
# -------------------------
#
# Both are options of :class:`torch.optim.SGD`. With the minibatch gradient
# :math:`\mathbf{g}_t` at step :math:`t`, weight decay :math:`\lambda` (an
# :math:`\frac{\lambda}{2} \lVert \boldsymbol{\theta} \rVert^2` penalty, see the
# chapter :ref:`chapter-multilayer-perceptrons`) and momentum :math:`\beta`, one
# step is
#
# .. math::
#
#    \mathbf{g}_t \leftarrow \mathbf{g}_t + \lambda \boldsymbol{\theta}_{t-1},
#    \qquad
#    \mathbf{v}_t = \beta \mathbf{v}_{t-1} + \mathbf{g}_t,
#    \qquad
#    \boldsymbol{\theta}_t = \boldsymbol{\theta}_{t-1} - \eta \mathbf{v}_t,
#
# with :math:`\mathbf{v}_0 = \mathbf{0}`. The *velocity* :math:`\mathbf{v}` is a
# running sum of past gradients: directions in which the gradients agree build up
# speed, directions in which they flip sign cancel. For a constant gradient the
# velocity grows to :math:`\mathbf{g} / (1 - \beta)`, so momentum
# :math:`\beta = 0.9` makes the steps up to ten times longer. We check the three
# formulas against PyTorch on three steps of a toy loss:

theta = torch.tensor([1.0, -2.0], requires_grad=True)
trainer = torch.optim.SGD([theta], lr=0.1, momentum=0.9, weight_decay=0.01)
theta_hand, v = theta.detach().clone(), torch.zeros(2)
for step in range(3):
    trainer.zero_grad()
    (theta ** 4).sum().backward()  # any loss will do
    trainer.step()
    g = 4 * theta_hand ** 3 + 0.01 * theta_hand  # gradient plus weight decay
    v = 0.9 * v + g
    theta_hand = theta_hand - 0.1 * v
    torch.testing.assert_close(theta.detach(), theta_hand)
print("SGD with momentum and weight decay, by hand and by torch.optim:", theta_hand)

# %%
# The baseline already uses momentum: almost nobody trains with plain SGD today.
# The variant "no momentum" *removes* it (:math:`\beta = 0`) and measures what it
# buys. Removing it at the same ``lr`` would change two things at once: the
# averaging of past gradients, and the length of the steps, which for a steady
# gradient shrinks from :math:`\eta / (1 - \beta)` to :math:`\eta`, ten times
# shorter. That is why the baseline dict holds the effective step size
# ``lr_eff`` :math:`= \eta / (1 - \beta) = 0.2`: "no momentum" keeps it, and SGD
# gets ``lr = 0.2`` instead of 0.02. What remains is the one change, the
# averaging. (Exercise 3 measures the naive removal at ``lr = 0.02``.)
#
# The variant "weight decay" adds :math:`\lambda = 5 \times 10^{-4}`, a common
# value for image classifiers. How much can it do in our budget? By itself the
# decay term pulls every weight towards zero by the factor :math:`1 - \eta
# \lambda` per step, and with momentum by about :math:`1 - \eta \lambda / (1 -
# \beta)` in the long run. Over all the steps of a run that compounds to:

steps = num_epochs * math.ceil(n_train / batch_size)
decay_only = (1 - sgd_lr(baseline) * 5e-4 / (1 - baseline["momentum"])) ** steps
print(f"{steps} SGD steps: decay alone multiplies the weights by {decay_only:.3f}")

# %%
# So even with no gradient pushing back, weight decay can shrink the weights by
# only the few percent printed above within the run. We measure the real shrinkage
# below; it bounds what this regulariser can do here.
#
# Data augmentation
# -----------------
#
# Augmentation trains on randomly altered copies of the images that keep their
# label: a shirt mirrored left to right is still a shirt, and so is a shirt moved by
# a pixel. :class:`handson.Augment`, built in
# :doc:`../07_convolutional_networks/03_cifar10_color_images`, does both on a
# whole batch at once, drawn anew for every image and every epoch: a random
# horizontal flip, and a random shift by up to ``padding`` pixels (pad with zeros,
# cut out a window at a random offset). It acts only in training mode;
# ``handson.evaluate_accuracy`` switches the network to ``eval()``, and validation
# and test images are seen as they are. We shift by at most one pixel.

augment = handson.Augment(padding=1, flip=True)
augment.eval()
assert torch.equal(augment(X[:8]), X[:8])  # identity in evaluation mode
augment.train()
X_aug = augment(X[:8])
# Without shifts, every image comes back either unchanged or mirrored:
X_flip = handson.Augment(padding=0).train()(X[:8])
same = (X_flip == X[:8]).flatten(1).all(dim=1)
mirrored = (X_flip == X[:8].flip(-1)).flatten(1).all(dim=1)
assert (same | mirrored).all()
fig = handson.show_images(torch.cat([X[:8], X_aug]), ncols=8, scale=1.1)
fig.suptitle("top: training images; bottom: the same, randomly flipped and shifted")
fig.tight_layout()
plt.show()

# %%
# Dropout, initialisation and label smoothing
# -------------------------------------------
#
# **Dropout** with probability :math:`p` (the chapter
# :ref:`chapter-multilayer-perceptrons` writes it from scratch) goes after every
# hidden ReLU; we use :math:`p = 0.2`.
#
# **Initialisation.** ``nn.Linear`` draws its weights from
# :math:`\mathcal{U}(-1/\sqrt{d_\text{in}}, 1/\sqrt{d_\text{in}})`, which has variance
# :math:`1 / (3 d_\text{in})` for :math:`d_\text{in}` inputs. *Kaiming*
# initialisation uses :math:`\mathcal{N}(0, 2 / d_\text{in})`, the variance that
# keeps the size of the signal constant through ReLU layers. A *tiny* initialisation,
# :math:`\mathcal{N}(0, 0.01^2)`, is a classic beginner's choice. The biases start at
# zero in the last two. Here is the network, with every option of the baseline dict:


def make_mlp(dropout=0.0, init="default", augment=False):
    """The MLP of the page: three hidden ReLU layers of num_hiddens units."""
    layers = [handson.Augment(padding=1)] if augment else []
    layers.append(nn.Flatten())
    num_inputs = 28 * 28
    for _ in range(3):
        layers += [nn.Linear(num_inputs, num_hiddens), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        num_inputs = num_hiddens
    layers.append(nn.Linear(num_hiddens, 10))
    net = nn.Sequential(*layers)
    for module in net.modules():
        if isinstance(module, nn.Linear) and init != "default":
            if init == "kaiming":
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            elif init == "tiny":
                nn.init.normal_(module.weight, std=0.01)
            else:
                raise ValueError(f"unknown init {init!r}")
            nn.init.zeros_(module.bias)
    return net


# %%
# How large are the signals inside the three networks before any training? We pass
# 1,000 training images through each and print the standard deviation of the output
# of every linear layer.


def layer_stds(net, X):
    """Standard deviation of the output of every linear layer of net on X."""
    stds = []
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            if isinstance(layer, nn.Linear):
                stds.append(X.std().item())
    return stds


stds = {}
for init in ["default", "kaiming", "tiny"]:
    handson.seed(0)
    stds[init] = layer_stds(make_mlp(init=init), X[:1000])
    print(f"{init:8}", "  ".join(f"{v:.2e}" for v in stds[init]))
assert stds["tiny"][-1] < 1e-3 * stds["kaiming"][-1]  # the signal has all but vanished
assert stds["default"][-1] > 0.1 * stds["default"][0]  # shrinks, by less than 10x
assert max(stds["kaiming"]) < 2 * min(stds["kaiming"])  # roughly level

fig, ax = plt.subplots(figsize=(6, 3.5))
for init, style in [("default", "k-o"), ("kaiming", "C0-^"), ("tiny", "C3-s")]:
    ax.semilogy(range(1, 5), stds[init], style, label=init)
ax.set_xticks(range(1, 5))
ax.set_xlabel("linear layer")
ax.set_ylabel("std of its output (log scale)")
ax.set_title("Signal size at initialisation, 1,000 images")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# With tiny weights each layer shrinks the signal by a large factor, so the scores
# and the gradients of the early layers start close to zero: the network first has
# to grow its weights before it learns. The default keeps the signal within a factor
# of ten over four layers, Kaiming keeps it roughly level (within a factor of two).
#
# **Label smoothing** (Szegedy et al., 2016) trains against a softened target.
# Instead of the one-hot vector :math:`\mathbf{y}` of the label, with :math:`q`
# classes it uses
#
# .. math::
#
#    \tilde{\mathbf{y}} = (1 - \varepsilon) \, \mathbf{y} + \frac{\varepsilon}{q}
#    \mathbf{1},
#    \qquad
#    \ell = -\sum_{j=1}^{q} \tilde{y}_j \log \operatorname{softmax}(\mathbf{o})_j,
#
# so the network is never pushed towards infinitely confident scores
# :math:`\mathbf{o}`. From scratch, against PyTorch:

q, eps = 10, 0.1
scores, labels = torch.randn(5, q), torch.randint(0, q, (5,))
y_smooth = (1 - eps) * nn.functional.one_hot(labels, q) + eps / q
loss_hand = -(y_smooth * torch.log_softmax(scores, dim=1)).sum(dim=1).mean()
loss_torch = nn.CrossEntropyLoss(label_smoothing=eps)(scores, labels)
torch.testing.assert_close(loss_hand, loss_torch)
print(f"label smoothing loss: by hand {loss_hand:.4f}, PyTorch {loss_torch:.4f}")

# %%
# Running the ablation
# --------------------
#
# ``run`` trains one configuration with one seed: the baseline dict, updated by
# the variant's change. ``handson.seed(seed)`` fixes the initial weights, and a
# ``torch.Generator`` of its own, seeded with the same number and passed to
# ``handson.train(..., generator=...)``, draws the batch order (as
# :doc:`01_saving_and_loading` recommends). So the batch order of seed :math:`s`
# is the same in every variant, whatever else draws random numbers: dropout masks
# and augmentations draw from the global generator and would otherwise shift the
# order. We train without evaluating after every epoch (``test_data=None``) and
# measure at the end, in evaluation mode, on the training and validation images.


def run(change, seed):
    """Train the baseline with one change, from one seed; return the network."""
    cfg = {**baseline, **change}
    handson.seed(seed)
    net = make_mlp(cfg["dropout"], cfg["init"], cfg["augment"]).to(device)
    trainer = torch.optim.SGD(net.parameters(), lr=sgd_lr(cfg),
                              momentum=cfg["momentum"],
                              weight_decay=cfg["weight_decay"])
    scheduler = make_scheduler(trainer, cfg["schedule"], num_epochs)
    loss = nn.CrossEntropyLoss(label_smoothing=cfg["label_smoothing"])
    batch_order = torch.Generator().manual_seed(seed + seed_offset())
    handson.train(net, (X, y), None, loss, trainer, num_epochs, batch_size,
                  scheduler=scheduler, verbose=False, generator=batch_order)
    return net


# %%
# Pairing means that a variant which does not change the initialisation starts
# from the baseline's weights. Dropout and augmentation add modules without
# parameters, so the linear layers are created, and drawn, in the same order:

handson.seed(0)
plain_net = make_mlp()
handson.seed(0)
busy_net = make_mlp(dropout=0.2, augment=True)
n_differ = sum(not torch.equal(p, q)
               for p, q in zip(plain_net.parameters(), busy_net.parameters()))
print("initial weight tensors that differ, baseline vs dropout + augmentation:",
      n_differ)
assert n_differ == 0

# %%
# Now the 36 runs, keeping every trained network:

timer = handson.Timer()
nets, train_acc, val_acc = {}, {}, {}
for name, change in variants.items():
    timer.start()
    nets[name] = [run(change, seed) for seed in seeds]
    train_acc[name] = [handson.evaluate_accuracy(net, X, y) for net in nets[name]]
    val_acc[name] = [handson.evaluate_accuracy(net, X_val, y_val)
                     for net in nets[name]]
    print(f"{name:16} validation acc "
          + "  ".join(f"{a:.4f}" for a in val_acc[name]) + f"  ({timer.stop():.1f} s)")

# %%
# Results on the validation split
# -------------------------------
#
# For each variant: the mean validation accuracy, the effect :math:`\Delta` (the
# mean paired difference to the baseline), its 95 % interval, the gap between
# training and validation accuracy (both measured in evaluation mode, after
# training, on the 6,000 training and the 2,000 validation images), and a verdict:
# "helps" when the whole interval lies above zero, "hurts" when it lies below,
# "inconclusive" otherwise. SciPy is not a dependency of this course and
# ``torch.distributions.StudentT`` has no quantile function (``icdf``), so the
# :math:`t` quantiles come from a table.

# 97.5 % quantiles of Student's t distribution by degrees of freedom, from
# standard tables (the values of scipy.stats.t.ppf(0.975, df)).
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365,
         8: 2.306, 9: 2.262, 10: 2.228, 15: 2.131, 20: 2.086, 30: 2.042}


def paired_interval(acc, ref):
    """Mean paired difference acc - ref and its 95 % t interval (low, high)."""
    d = torch.tensor(acc) - torch.tensor(ref)
    half = T_975[len(d) - 1] * d.std().item() / math.sqrt(len(d))  # sd with S - 1
    return d.mean().item(), d.mean().item() - half, d.mean().item() + half


base = torch.tensor(val_acc["baseline"])
print(f"baseline: validation accuracy {base.mean():.4f}, sd over {len(seeds)} seeds "
      f"{base.std():.4f}; t multiplier for S = {len(seeds)}: {T_975[len(seeds) - 1]}")
effect, verdict, gap = {}, {}, {}
for name in variants:
    gap[name] = sum(a - b for a, b in zip(train_acc[name], val_acc[name])) / len(seeds)
    if name == "baseline":
        continue
    effect[name] = paired_interval(val_acc[name], val_acc["baseline"])
    mean, low, high = effect[name]
    verdict[name] = "helps" if low > 0 else "hurts" if high < 0 else "inconclusive"

print(f"\n{'variant':17}{'val acc':>8}{'Delta':>9}{'95% interval':>20}{'gap':>8}"
      "   verdict")
for name in variants:
    mean_acc = sum(val_acc[name]) / len(seeds)
    if name == "baseline":
        print(f"{name:17}{mean_acc:8.4f}{'':29}{gap[name]:8.4f}   (reference)")
        continue
    mean, low, high = effect[name]
    print(f"{name:17}{mean_acc:8.4f}{mean:+9.4f}   [{low:+.4f}, {high:+.4f}]"
          f"{gap[name]:8.4f}   {verdict[name]}")

# %%
# The same as a picture: each bar is :math:`\Delta`, each line its interval,
# each dot one seed's paired difference.

names = list(effect)
order = sorted(names, key=lambda name: effect[name][0])
fig, ax = plt.subplots(figsize=(7, 4.5))
colors = ["C2" if verdict[n] == "helps" else "C3" if verdict[n] == "hurts" else "C7"
          for n in order]
ax.barh(order, [effect[n][0] for n in order], color=colors, alpha=0.6)
for i, name in enumerate(order):
    mean, low, high = effect[name]
    ax.plot([low, high], [i, i], "k-", lw=1.5)
    diffs = [a - b for a, b in zip(val_acc[name], val_acc["baseline"])]
    ax.plot(diffs, [i] * len(diffs), "ko", ms=3)
ax.axvline(0, color="k", lw=0.8)
ax.set_xlabel("validation accuracy minus baseline (bar: mean; line: 95% interval)")
ax.set_title(f"One change at a time ({len(seeds)} paired seeds, {num_epochs} "
             f"epochs, {len(X):,} images)")
fig.tight_layout()
plt.show()

# %%
# Weight decay, measured
# ----------------------
#
# How much did weight decay shrink the weights? Each decay run is paired with the
# baseline run of the same seed, so we can compare the size of all their
# parameters, :math:`\lVert \boldsymbol{\theta} \rVert`, at the end:


def param_norm(net):
    return torch.sqrt(sum((p.detach() ** 2).sum() for p in net.parameters())).item()


ratios = [param_norm(a) / param_norm(b)
          for a, b in zip(nets["weight decay"], nets["baseline"])]
print("weight norm with decay / without, per seed:",
      "  ".join(f"{r:.3f}" for r in ratios), f"| decay alone: {decay_only:.3f}")
handson.check("largest weight-norm ratio, with decay / without", max(ratios), "<", 1)
handson.check("smallest weight-norm ratio, with decay / without", min(ratios), ">",
              0.85)

# %%
# The weights end a few percent smaller, a little less than the decay term alone
# would do in this many steps (the gradient of the loss partly pushes back).
# Penalising :math:`\lVert \boldsymbol{\theta} \rVert^2` regularises by keeping
# the weights small, and in a run of a few hundred steps at this learning rate,
# :math:`\lambda = 5 \times 10^{-4}` cannot make them much smaller: the null
# result of weight decay is built into the budget, not a verdict on weight decay.
# A larger :math:`\lambda`, or a longer run, changes that (exercise 4).
#
# The checks
# ----------
#
# We check only what holds with a margin for other seeds too: every run except
# those with tiny weights learned (far above the 10 % of guessing); tiny weights
# hurt, with an interval far below zero; augmentation does not help this MLP (the
# upper end of its interval stays below +0.02; we check no more than that, although
# in the run shown it is behind the baseline in every seed); and
# the baseline has barely begun to overfit (its mean gap between training and
# validation accuracy is small).

learned = [a for name, accs in val_acc.items() if name != "tiny init" for a in accs]
print(f"tiny init, validation accuracy per seed: {val_acc['tiny init']}")
handson.check("lowest validation accuracy of the runs without tiny init",
              min(learned), ">", 0.5)
handson.check("upper end of the interval of tiny init", effect["tiny init"][2],
              "<", -0.1)
handson.check("upper end of the interval of augmentation", effect["augmentation"][2],
              "<", 0.02)
handson.check("mean train-minus-validation gap of the baseline", gap["baseline"],
              "<", 0.08)
for outcome in ["helps", "inconclusive", "hurts"]:
    print(f"{outcome + ':':14}", ", ".join(n for n in names if verdict[n] == outcome))

# %%
# Choosing, and the test set
# --------------------------
#
# Now, and only now, a decision: we keep the variant whose interval lies above
# zero with the largest effect, or the baseline if none does. Then the test set is
# used, once, to report the accuracy of the chosen configuration and, for
# comparison, of the baseline, with the paired difference on the test set. No
# decision follows from these numbers; had we chosen by them, they would no longer
# estimate the accuracy on new data.

helpful = [name for name in names if verdict[name] == "helps"]
chosen = max(helpful, key=lambda name: effect[name][0]) if helpful else "baseline"
print("chosen on the validation split:", chosen)
test_acc = {name: [handson.evaluate_accuracy(net, X_test, y_test)
                   for net in nets[name]]
            for name in dict.fromkeys(["baseline", chosen])}
for name, accs in test_acc.items():
    print(f"{name:16} test acc " + "  ".join(f"{a:.4f}" for a in accs)
          + f"  mean {sum(accs) / len(accs):.4f}"
          + f"  (validation mean {sum(val_acc[name]) / len(seeds):.4f})")
if chosen != "baseline":
    mean, low, high = paired_interval(test_acc[chosen], test_acc["baseline"])
    print(f"on the test set: Delta {mean:+.4f}, 95% interval [{low:+.4f}, {high:+.4f}]")

# %%
# What the tables say
# -------------------
#
# The printed lists sort the variants by their verdict. Tiny weights decide
# whether optimisation gets going at all: they leave the network with a vanishing
# signal (the figure of the signal sizes), and with it vanishing gradients, and in
# 10 epochs the network does not escape (its accuracy per seed is printed above).
# Removing momentum *while keeping the effective step size* is a smaller change
# than it sounds: at the same step length, plain SGD differs only in following
# one minibatch per step instead of an average of about :math:`1 / (1 - \beta) =
# 10`, and its verdict shows whether four seeds can tell that apart here (the
# naive removal, with ten times shorter steps, is exercise 3). Kaiming
# initialisation keeps the signal level where the default lets it shrink layer by
# layer (the same figure), which can give a short run a faster start; its
# interval says whether four seeds resolve that. Most of the other intervals are
# a few points wide and contain zero: at this scale, and with this many seeds, we
# cannot tell those changes from noise, and the honest verdict is
# "inconclusive", not "does nothing".
#
# That is not a verdict on the tricks, but on the setting. The baseline's training
# accuracy is only a few points above its validation accuracy (the ``gap``
# column): after 10 epochs the network has barely begun to overfit, and the
# regularisers (weight decay, dropout, augmentation, label smoothing) have little
# to fix; weight decay, as measured, could barely move the weights. Augmentation
# does not help (checked: the upper end of its interval stays below +0.02; in the
# table it even hurts), and
# for a multilayer perceptron there is a reason to expect that: a shifted image is
# a new pattern of pixels, so augmentation makes the task harder without teaching
# the network anything it can reuse, whereas a convolutional network (chapter
# :ref:`chapter-convolutional-networks`) is built to handle shifts. The test set
# then says, once, whether the configuration chosen on the validation split keeps
# its advantage on new data: the paired difference printed last (when a variant
# was chosen). Schedules usually matter most at the end of long runs. The lesson
# is to measure in your own setting before adopting a trick, to report the tricks
# that did not help as well, and to keep the test set for the end.
#
# .. dropdown:: How many seeds are enough?
#
#    The half-width of the interval is :math:`t_{S-1} \hat{\sigma}_d / \sqrt{S}`.
#    Both factors shrink with :math:`S`: :math:`1 / \sqrt{S}` slowly, and the
#    :math:`t` multiplier fast at first (12.7 for two seeds, 4.30 for three, 3.18
#    for four, 2.26 for ten; 1.96 in the limit). With two seeds the interval is
#    about six times wider than the "mean plus or minus two standard errors" of the
#    normal approximation, which is why two seeds can rarely establish anything.
#    Halving the width of four seeds takes about nine (if
#    :math:`\hat{\sigma}_d` stays put: :math:`3.18 / \sqrt{4} \approx 2 \times
#    2.31 / \sqrt{9}`).
#    Pairing shrinks :math:`\hat{\sigma}_d` itself, to the extent that the
#    variant and the baseline of a seed stay correlated. Papers that compare
#    tricks use five or more seeds (Bouthillier et al., 2021, "Accounting for
#    variance in machine learning benchmarks"); exercise 1 adds seeds here.
#
# .. dropdown:: Tricks do not add up
#
#    An ablation measures each change *around one baseline*. Effects interact: weight
#    decay and dropout both regularise, so the second helps less once the first is
#    there; momentum changes which learning rate is best; a schedule changes how
#    long one should train. Combining all the tricks that helped alone is a good
#    next experiment, not a guaranteed sum (exercise 2).

# %%
# Summary
# -------
#
# * An ablation fixes a baseline and changes one setting per variant; "no
#   momentum" keeps the effective step size :math:`\eta / (1 - \beta)`, so that
#   it changes one thing only.
# * Pair each variant with the baseline of the same seed: the same initial weights
#   and, through ``handson.train(..., generator=...)``, the same batch order. Judge
#   the mean paired difference by its interval :math:`\bar{d} \pm t_{S-1}
#   \hat{\sigma}_d / \sqrt{S}`; with few seeds the :math:`t` multiplier is large.
# * Make every choice on a validation split carved from the training data, and use
#   the test set once, for the configuration chosen.
# * ``torch.optim.lr_scheduler`` schedules (cosine, step) are stepped once per
#   epoch by ``handson.train``; ``torch.optim.SGD`` computes momentum and weight
#   decay as :math:`\mathbf{v} \leftarrow \beta \mathbf{v} + \mathbf{g} +
#   \lambda \boldsymbol{\theta}`, :math:`\boldsymbol{\theta} \leftarrow
#   \boldsymbol{\theta} - \eta \mathbf{v}`; in a short run weight decay can
#   shrink the weights by a few percent only.
# * At this scale (a small MLP, 6,000 images, 10 epochs) the initialisation
#   mattered most, augmentation did not help the MLP, and four seeds could not tell
#   most other tricks from noise. Measure in your own setting.

# %%
# Exercises
# ---------
#
# 1. Use eight seeds instead of four. How much narrower do the intervals get, and
#    which verdicts change?
#
#    .. dropdown:: Answer
#
#       The :math:`t` multiplier falls from 3.18 to 2.36 and :math:`\sqrt{S}`
#       grows from 2 to 2.83, so for the same :math:`\hat{\sigma}_d` the
#       intervals get about 1.9 times narrower. Effects of a point or two that
#       were "inconclusive" may now be resolved, in either direction; large
#       effects keep their verdict.
#       The estimate :math:`\hat{\sigma}_d` itself changes too, so an interval can
#       also widen when a new seed turns out unusual.
#
# 2. Add the step schedule to ``variants``, and combine the changes that helped
#    into one configuration, for example ``{"schedule": "cosine", "init":
#    "kaiming"}``. Compare with the baseline and with each change alone, on the
#    validation split. Are the effects additive?
#
#    .. dropdown:: Hint
#
#       Remove the one-change ``assert`` for this experiment, or call
#       ``run(change, seed)`` directly with the combined dict. Only after you have
#       chosen, evaluate the choice on the test set.
#
# 3. Remove momentum the naive way: :math:`\beta = 0` at the baseline's
#    ``lr = 0.02`` (``run({"momentum": 0.0, "lr_eff": 0.02}, seed)``: two
#    settings, so call ``run`` directly). Compare with the page's
#    "no momentum", which kept the effective step size. How much of what momentum
#    buys is simply a longer step?
#
#    .. dropdown:: Answer
#
#       The naive removal changes two things: it drops the averaging and makes
#       every step ten times shorter. The difference between the two "no
#       momentum" variants is the part due to step length alone; the difference
#       between the page's "no momentum" and the baseline is the part due to the
#       averaging. Run both with the same seeds, and judge each with its interval.
#       Expect the naive variant to lag after 10 epochs, since its steps are up
#       to ten times shorter; how far behind it ends is what the runs measure.
#
# 4. Train the baseline and the variants "dropout" and "weight decay" for 30
#    epochs instead of 10, and also with :math:`\lambda = 5 \times 10^{-3}`. What
#    happens to the gap between training and validation accuracy, and to the
#    weight-norm ratio of weight decay?
#
#    .. dropdown:: Hint
#
#       Three times as many steps, or ten times the :math:`\lambda`, raise the
#       exponent of the decay-only factor printed on the page by three or ten; work
#       out what it allows before you train. A longer run also gives the network
#       time to overfit, and the regularisers something to fix: measure the gap
#       with ``handson.evaluate_accuracy`` on both sets, as above.
#
# 5. **Chapter exercise.** Put the chapter together. Pretrain the small CNN of
#    :doc:`03_transfer_learning` on MNIST, save its ``state_dict`` with
#    :func:`handson.save_atomic` (see :doc:`01_saving_and_loading`) and load it
#    back with ``weights_only=True``. Then fine-tune it on 500 Fashion-MNIST images
#    (50 per class) with the tricks of this page, one at a time and then combined:
#    a cosine schedule, label smoothing, augmentation. Use three draws of the 500
#    images as seeds, judge on a validation split of other Fashion-MNIST training
#    images, and report a table like the one above. Do the tricks behave as they
#    did for the MLP on 6,000 images? (Extension: replace the body by a small
#    residual network of :doc:`02_resnet`, and remember that a network with batch
#    normalisation needs its own handling when parts of it are frozen.)
#
#    .. dropdown:: Worked answer
#
#       The code reuses ``make_scheduler``, ``paired_interval`` and ``T_975`` from
#       this page. Each draw of 500 images comes from the first 50,000 training
#       images, and the validation split is the last 10,000, so the two never
#       overlap; the test set is not used.
#
#       .. code-block:: python
#
#          import pathlib
#          import tempfile
#          from collections import OrderedDict
#
#          from handson.data import load_mnist
#
#          def make_cnn(augment=False):
#              body = nn.Sequential(
#                  nn.Conv2d(1, 8, kernel_size=5, padding=2), nn.ReLU(),
#                  nn.MaxPool2d(2),
#                  nn.Conv2d(8, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
#                  nn.Flatten())
#              parts = OrderedDict(body=body, head=nn.Linear(400, 10))
#              if augment:
#                  parts = OrderedDict(augment=handson.Augment(padding=1), **parts)
#              return nn.Sequential(parts)
#
#          # pretrain on MNIST (03), save atomically and reload safely (01)
#          X_mnist, y_mnist = load_mnist("train")
#          handson.seed(0)
#          pretrained = make_cnn()
#          trainer = torch.optim.SGD(pretrained.parameters(), lr=0.05, momentum=0.9)
#          handson.train(pretrained, (X_mnist, y_mnist), None, nn.CrossEntropyLoss(),
#                        trainer, 1, 128)
#          tmp_dir = tempfile.TemporaryDirectory()
#          path = pathlib.Path(tmp_dir.name) / "mnist_cnn.pt"
#          handson.save_atomic(pretrained.state_dict(), path)
#          state = torch.load(path, weights_only=True)
#          body_state = {k: v for k, v in state.items() if k.startswith("body.")}
#
#          # draws of 500 images from the first 50,000; validate on the last 10,000
#          X_fashion, y_fashion = load_fashion_mnist("train")
#          X_pool, y_pool = X_fashion[:50_000], y_fashion[:50_000]
#          X_val5, y_val5 = X_fashion[50_000:], y_fashion[50_000:]
#
#          def draw(seed, per_class=50):
#              order = torch.randperm(len(y_pool),
#                                     generator=torch.Generator().manual_seed(seed))
#              idx = torch.cat([order[y_pool[order] == k][:per_class]
#                               for k in range(10)])
#              return X_pool[idx], y_pool[idx]
#
#          def fine_tune(change, seed, num_epochs=10):
#              cfg = {"schedule": None, "label_smoothing": 0.0, "augment": False,
#                     **change}
#              handson.seed(seed)
#              net = make_cnn(cfg["augment"])
#              result = net.load_state_dict(body_state, strict=False)
#              assert sorted(result.missing_keys) == ["head.bias", "head.weight"]
#              trainer = torch.optim.SGD(net.parameters(), lr=0.02, momentum=0.9)
#              scheduler = make_scheduler(trainer, cfg["schedule"], num_epochs)
#              loss = nn.CrossEntropyLoss(label_smoothing=cfg["label_smoothing"])
#              handson.train(net, draw(seed), None, loss, trainer, num_epochs, 50,
#                            scheduler=scheduler, verbose=False,
#                            generator=torch.Generator().manual_seed(seed))
#              return handson.evaluate_accuracy(net, X_val5, y_val5)
#
#          changes = {
#              "fine-tuning": {},
#              "+ cosine": {"schedule": "cosine"},
#              "+ label smoothing": {"label_smoothing": 0.1},
#              "+ augmentation": {"augment": True},
#              "+ all three": {"schedule": "cosine", "label_smoothing": 0.1,
#                              "augment": True},
#          }
#          acc = {name: [fine_tune(change, seed) for seed in range(3)]
#                 for name, change in changes.items()}
#          for name in changes:
#              mean, low, high = paired_interval(acc[name], acc["fine-tuning"])
#              print(f"{name:18} val acc {sum(acc[name]) / 3:.4f}  "
#                    f"Delta {mean:+.4f}  [{low:+.4f}, {high:+.4f}]")
#          tmp_dir.cleanup()
#
#       With three draws the :math:`t` multiplier is 4.30, so only large effects
#       get an interval that excludes zero. Compare the verdicts with the page's,
#       and remember that with 500 images the fine-tuned network can overfit,
#       which gives the regularising tricks more to do than they had here; they
#       also interact, so "all three" need not be the sum of the three.
