"""
Saving and loading: checkpoints and resuming
============================================

A long training run will be interrupted: a cluster job hits its time limit, a laptop
goes to sleep, a machine crashes. The run should then continue where it stopped, and
the result should not depend on whether it was interrupted. Saving the weights is not
enough for that. This page finds *all* the state a training run carries (the model's
parameters, the optimiser's momentum, the learning-rate schedule, the epoch, the
metrics so far, and the random number generators that draw the data order and the
dropout masks), puts it into one checkpoint file, and proves that a run stopped
halfway and resumed by fresh Python objects ends with weights *bit for bit* equal to
those of a run that never stopped. Then we show what a checkpoint file from a
stranger can do when loaded carelessly.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * what a model's and an optimiser's ``state_dict`` hold, and when the
        momentum buffers appear
      * that random number generators are state too: save and restore them with
        ``torch.get_rng_state`` / ``torch.set_rng_state`` and
        ``torch.Generator.get_state`` / ``set_state``
      * write a checkpoint (model, optimiser, scheduler, epoch, RNG states,
        history) atomically, and resume training from it *exactly*
      * why a resumed run without the RNG states drifts away from the original
      * why ``torch.load(..., weights_only=True)``: a checkpoint can carry code

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../06_builders_guide/05_file_io` (``torch.save``, ``torch.load``,
        ``state_dict``, atomic writes); this page goes further
      * :doc:`../06_builders_guide/02_parameters` (parameters and ``state_dict``)
      * minibatch SGD and dropout:
        :doc:`../05_multilayer_perceptrons/02_mlp_fashion_mnist` and
        :doc:`../05_multilayer_perceptrons/03_generalization` (momentum is
        written out on this page)
      * data: Fashion-MNIST, a subset of 20,000 training images and the 10,000
        test images
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# Write one step of minibatch SGD with momentum as PyTorch does it. At step
# :math:`t` a minibatch :math:`\mathcal{B}_t` is drawn, the gradient
# :math:`\mathbf{g}_t` of the loss on that batch is computed (through dropout masks
# :math:`\mathbf{m}_t`, drawn at random too), and the parameters
# :math:`\boldsymbol{\theta}` move along the velocity :math:`\mathbf{v}`:
#
# .. math::
#
#    \mathbf{g}_t = \nabla_{\boldsymbol{\theta}}
#       L(\boldsymbol{\theta}_{t-1}; \mathcal{B}_t, \mathbf{m}_t),
#    \qquad
#    \mathbf{v}_t = \beta \mathbf{v}_{t-1} + \mathbf{g}_t,
#    \qquad
#    \boldsymbol{\theta}_t = \boldsymbol{\theta}_{t-1} - \eta_t \mathbf{v}_t,
#
# with momentum :math:`\beta` (``momentum``) and a learning rate :math:`\eta_t`
# that a schedule changes from epoch to epoch. Everything on the right-hand side
# must be the same after a restart as it would have been without one:
#
# * :math:`\boldsymbol{\theta}_{t-1}`: the model's ``state_dict``;
# * :math:`\mathbf{v}_{t-1}`: the optimiser's ``state_dict``;
# * :math:`\eta_t`: the scheduler's ``state_dict`` and the epoch counter;
# * :math:`\mathcal{B}_t` and :math:`\mathbf{m}_t`: the *states of the random
#   number generators* that draw the data order and the dropout masks.
#
# Training is then a deterministic function of this state, and a run that saves
# all of it and loads it back computes exactly the same numbers as one that never
# stopped. Leave out any piece, and it does not.
#
# Every file on this page goes into a temporary directory that is deleted at the
# end.

import copy
import os
import pickle
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson.data import load_fashion_mnist

handson.seed(0)
device = handson.device()
tmp_dir = tempfile.TemporaryDirectory()
root = Path(tmp_dir.name)

# %%
# We train on 20,000 of the 60,000 training images so that the page builds in
# seconds; nothing on it depends on the size of the data.

X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
n_train = handson.shrink(20_000, 2_000)
X_train, y_train = X_train[:n_train], y_train[:n_train]
print("train:", tuple(X_train.shape), "| test:", tuple(X_test.shape))

# %%
# The model's ``state_dict``
# --------------------------
#
# A multilayer perceptron with dropout, so that training consumes random numbers
# in the forward pass as well as in the data order.


class MLP(nn.Module):
    """Flatten, a hidden ReLU layer with dropout, 10 class scores."""

    def __init__(self, num_hiddens=256, dropout=0.2):
        super().__init__()
        self.flatten = nn.Flatten()
        self.hidden = nn.Linear(28 * 28, num_hiddens)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(num_hiddens, 10)

    def forward(self, X):
        H = self.dropout(torch.relu(self.hidden(self.flatten(X))))
        return self.output(H)


net = MLP().to(device)
for name, tensor in net.state_dict().items():
    print(f"{name:15s} {tuple(tensor.shape)!s:12s} {tensor.dtype}")

# %%
# The keys are the attribute names of the layers; dropout has no parameters and
# does not appear. ``state_dict()`` returns *references* to the live tensors, not
# copies: an optimiser step changes them. Keep a copy with ``copy.deepcopy`` when you
# want a snapshot in memory.
#
# .. note::
#
#    A ``state_dict`` holds *buffers* as well as parameters: tensors a layer updates
#    without gradients, such as the running statistics of the batch normalisation
#    layer of :doc:`02_resnet`. ``net.parameters()`` misses them;
#    ``net.state_dict()`` does not.
#
# The optimiser's ``state_dict``
# ------------------------------
#
# An optimiser has a ``state_dict`` too, with two entries. ``param_groups`` holds the
# hyperparameters, and refers to the parameters by number (their position in
# ``net.parameters()``), not by tensor. ``state`` holds what the optimiser keeps per
# parameter; before the first step it is empty.

batch_size, lr, momentum = 256, 0.1, 0.9
loss = nn.CrossEntropyLoss()
trainer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
state = trainer.state_dict()
print("state:", state["state"])
print("param_groups:", {k: v for k, v in state["param_groups"][0].items()
                        if k in ("lr", "momentum", "weight_decay", "params")})
assert state["state"] == {}

# %%
# One step later every parameter has a ``momentum_buffer``, the velocity
# :math:`\mathbf{v}` of the update rule, of the parameter's shape. On the first step
# :math:`\mathbf{v}_0 = \mathbf{0}`, so the buffer equals the gradient.

X, y = X_train[:batch_size].to(device), y_train[:batch_size].to(device)
trainer.zero_grad()
loss(net(X), y).backward()
trainer.step()
for i, (name, p) in enumerate(net.named_parameters()):
    buf = trainer.state_dict()["state"][i]["momentum_buffer"]
    print(f"state[{i}] ({name:13s}): momentum_buffer {tuple(buf.shape)}")
    assert torch.equal(buf, p.grad)

# %%
# Without this buffer a resumed run would restart with :math:`\mathbf{v} =
# \mathbf{0}` and take different steps. Optimisers such as Adam keep more per
# parameter (two running averages and a step count), all of it in ``state``.
#
# Randomness is state too
# -----------------------
#
# ``torch.rand``, ``torch.randperm``, dropout and weight initialisation all draw
# from PyTorch's global random number generator (RNG). It is a deterministic
# machine: its *state* fixes every number it will produce. ``torch.get_rng_state()``
# returns that state as a tensor of bytes, and ``torch.set_rng_state`` winds the
# generator back to it:

rng_state = torch.get_rng_state()
a = torch.rand(3)
torch.set_rng_state(rng_state)
b = torch.rand(3)
print("state:", rng_state.dtype, tuple(rng_state.shape))
print("first draw: ", a)
print("second draw:", b)
assert torch.equal(a, b)

# %%
# We shuffle the data with a generator of its own, ``torch.Generator``, passed to
# :func:`handson.batches`. Then the data order depends only on that generator: it
# does not change when the model draws more or fewer random numbers (a different
# initialisation, more dropout layers), and it can be saved and restored
# separately with ``get_state`` / ``set_state``.

shuffle_gen = torch.Generator().manual_seed(1)
saved = shuffle_gen.get_state()
first = torch.randperm(8, generator=shuffle_gen)
shuffle_gen.set_state(saved)
print("order:", first, "| again:", torch.randperm(8, generator=shuffle_gen))

# %%
# .. note::
#
#    :func:`handson.train` shuffles with the *global* generator unless it is given
#    one (``handson.train(..., generator=shuffle_gen)``); without it,
#    ``torch.get_rng_state()`` alone covers both the data order and dropout. On a
#    GPU, dropout draws from the GPU's own generator:
#    ``torch.cuda.get_rng_state_all()`` saves it. Code that uses Python's
#    :mod:`random` or NumPy's generator must save those states as well.
#
# A training run, and its checkpoint
# ----------------------------------
#
# A run is built by ``start_run``, which does what the top of a training script
# does: seed, build the model, the optimiser, a learning-rate schedule (cosine
# decay over ``num_epochs`` epochs, stepped once per epoch) and the shuffling
# generator, and start an empty history. ``train_epochs`` trains from one epoch to
# another; it is the loop of the earlier chapters, with the batches drawn by the
# generator.

num_epochs = handson.epochs(4)


def start_run(optimizer="sgd"):
    """Everything a fresh training script creates, from seed 0."""
    handson.seed(0)
    net = MLP().to(device)
    if optimizer == "adam":  # used once, at the end of "Resuming exactly"
        trainer = torch.optim.Adam(net.parameters(), lr=1e-3)
    else:
        trainer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(trainer, T_max=num_epochs)
    shuffle_gen = torch.Generator().manual_seed(1)
    history = {"step_loss": [], "train_loss": [], "test_acc": []}
    return net, trainer, scheduler, shuffle_gen, history


def train_epochs(net, trainer, scheduler, shuffle_gen, history, start, end,
                 verbose=True):
    """Train epochs start+1, ..., end (counted from 1), appending to history."""
    for epoch in range(start, end):
        net.train()
        step_losses, loss_sum = [], torch.zeros((), device=device)
        for X, y in handson.batches(X_train, y_train, batch_size,
                                    generator=shuffle_gen):
            X, y = X.to(device), y.to(device)
            l = loss(net(X), y)
            trainer.zero_grad()
            l.backward()
            trainer.step()
            step_losses.append(l.detach())
            loss_sum += l.detach() * len(y)
        scheduler.step()
        history["step_loss"] += torch.stack(step_losses).tolist()  # one sync
        history["train_loss"].append(float(loss_sum) / len(y_train))
        history["test_acc"].append(handson.evaluate_accuracy(net, X_test, y_test))
        if verbose:
            print(f"epoch {epoch + 1}  loss {history['train_loss'][-1]:.4f}  "
                  f"test acc {history['test_acc'][-1]:.4f}  "
                  f"next lr {scheduler.get_last_lr()[0]:.4f}")


# %%
# A checkpoint is a plain dict of everything in the list of the idea section. All
# its leaves are tensors, numbers and lists, which is what a safe load accepts
# (see the last section).


def make_checkpoint(epoch, net, trainer, scheduler, shuffle_gen, history):
    """All the state of a run after `epoch` epochs, as a dict of plain data."""
    checkpoint = {
        "epoch": epoch,
        "model": net.state_dict(),
        "optimizer": trainer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "rng": {"torch": torch.get_rng_state(), "shuffle": shuffle_gen.get_state()},
        "history": history,
    }
    if torch.cuda.is_available():
        checkpoint["rng"]["cuda"] = torch.cuda.get_rng_state_all()
    return checkpoint


# %%
# To save, we write atomically with :func:`handson.save_atomic`, built in
# :doc:`../06_builders_guide/05_file_io`: it writes into a temporary file in the same
# directory, flushes it to disk, renames it over the old checkpoint with
# :func:`os.replace`, and syncs the directory so that the rename is on disk too. An
# interruption during the save leaves the previous checkpoint intact.
#
# Resuming builds a fresh run with ``start_run`` and then overwrites every piece of
# its state from the file. The order matters for one detail: the scheduler is
# created before the optimiser's state is loaded (creating a scheduler sets the
# learning rate), so the loaded values win.


def resume(path, restore_rng=True, optimizer="sgd"):
    """A fresh run, with its state replaced by the checkpoint at path."""
    net, trainer, scheduler, shuffle_gen, _ = start_run(optimizer)
    checkpoint = torch.load(path, map_location=device, weights_only=True)
    net.load_state_dict(checkpoint["model"])
    trainer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    if restore_rng:
        torch.set_rng_state(checkpoint["rng"]["torch"].cpu())
        shuffle_gen.set_state(checkpoint["rng"]["shuffle"].cpu())
        if "cuda" in checkpoint["rng"]:
            torch.cuda.set_rng_state_all([s.cpu() for s in checkpoint["rng"]["cuda"]])
    return (net, trainer, scheduler, shuffle_gen, checkpoint["history"],
            checkpoint["epoch"])


# %%
# .. note::
#
#    ``map_location=device`` puts the tensors on the device we train on, whatever
#    device they were saved from. The RNG states must be CPU byte tensors, hence the
#    ``.cpu()``.
#
# Resuming exactly
# ----------------
#
# First the reference: a run that trains all ``num_epochs`` epochs without stopping.

halfway = num_epochs // 2
net, trainer, scheduler, shuffle_gen, history = start_run()
train_epochs(net, trainer, scheduler, shuffle_gen, history, 0, num_epochs)
straight_params = copy.deepcopy(net.state_dict())
straight_history = history

# %%
# Now the interrupted run. It trains to ``halfway``, saves a checkpoint and stops.
# To make sure nothing survives in memory, we delete every object of the run and
# seed the global generator with something else, as if a new Python process had
# started.

net, trainer, scheduler, shuffle_gen, history = start_run()
train_epochs(net, trainer, scheduler, shuffle_gen, history, 0, halfway)
path = root / "checkpoint.pt"
handson.save_atomic(
    make_checkpoint(halfway, net, trainer, scheduler, shuffle_gen, history), path)
size = os.path.getsize(path)
num_params = sum(p.numel() for p in net.parameters())
rng_bytes = torch.get_rng_state().numel() + shuffle_gen.get_state().numel()
extra = size - 8 * num_params
print(f"saved {path.name} after epoch {halfway}: {size:,} bytes "
      f"for {num_params:,} parameters")
print(f"8 bytes per parameter: {8 * num_params:,} | the rest: {extra:,} bytes, "
      f"of which the two RNG states: {rng_bytes:,}")
handson.check("bytes of the checkpoint beyond 8 per parameter", extra, "<", 50_000,
              quick=True)
assert extra > rng_bytes
torch.manual_seed(12345)  # a new process would be in some other state
del net, trainer, scheduler, shuffle_gen, history

# %%
# The file holds 8 bytes per parameter: 4 for the weight and 4 for its momentum
# buffer, which is as large as the parameters (Adam's two buffers would make it 12).
# The rest, printed on the second line, is mostly the two RNG states (byte tensors);
# the history, the key names and the headers of the file make up the remainder.
#
# Fresh objects, loaded from the file, train the remaining epochs:

net, trainer, scheduler, shuffle_gen, history, start = resume(path)
print("resuming after epoch", start, "| history so far:", len(history["test_acc"]),
      "epochs")
train_epochs(net, trainer, scheduler, shuffle_gen, history, start, num_epochs)
resumed_history = history

# %%
# The resumed run ends with the same weights as the uninterrupted one, not close
# to them but equal bit for bit (``torch.equal``), and with the same history:

n_differ = sum(not torch.equal(tensor, straight_params[name])
               for name, tensor in net.state_dict().items())
print(f"tensors of the state_dict that differ: {n_differ} of {len(straight_params)};",
      "histories equal:", resumed_history == straight_history)
handson.check("tensors that differ between resumed and uninterrupted run", n_differ,
              "==", 0, quick=True)
assert resumed_history == straight_history

# %%
# Nothing here is specific to SGD. Adam keeps more per parameter (a step count and
# two running averages), but all of it is in the optimiser's ``state_dict``, so the
# same three functions resume an Adam run exactly, with no change to the checkpoint:

net, trainer, scheduler, shuffle_gen, history = start_run("adam")
train_epochs(net, trainer, scheduler, shuffle_gen, history, 0, num_epochs,
             verbose=False)
adam_straight = copy.deepcopy(net.state_dict())
net, trainer, scheduler, shuffle_gen, history = start_run("adam")
train_epochs(net, trainer, scheduler, shuffle_gen, history, 0, halfway,
             verbose=False)
handson.save_atomic(
    make_checkpoint(halfway, net, trainer, scheduler, shuffle_gen, history),
    root / "adam.pt")
print("Adam keeps, per parameter:", list(trainer.state_dict()["state"][0]))
torch.manual_seed(12345)
del net, trainer, scheduler, shuffle_gen, history
net, trainer, scheduler, shuffle_gen, history, start = resume(root / "adam.pt",
                                                              optimizer="adam")
train_epochs(net, trainer, scheduler, shuffle_gen, history, start, num_epochs,
             verbose=False)
n_differ_adam = sum(not torch.equal(tensor, adam_straight[name])
                    for name, tensor in net.state_dict().items())
print(f"Adam: tensors that differ after resuming: {n_differ_adam}")
handson.check("tensors that differ between resumed and uninterrupted Adam run",
              n_differ_adam, "==", 0, quick=True)

# %%
# Resuming without the RNG states
# -------------------------------
#
# Load the same checkpoint, restore the model, the optimiser and the scheduler, but
# not the generators:

net, trainer, scheduler, shuffle_gen, history, start = resume(path,
                                                              restore_rng=False)
train_epochs(net, trainer, scheduler, shuffle_gen, history, start, num_epochs)
no_rng_history = history
diff = max((tensor - straight_params[name]).abs().max().item()
           for name, tensor in net.state_dict().items())
print(f"largest difference from the uninterrupted run's weights: {diff:.3e}")
handson.check("largest weight difference after resuming without RNG states", diff,
              ">", 0, quick=True)

# %%
# The weights differ. ``start_run`` seeded both generators, exactly as a fresh
# script does, so after the restart the shuffling generator replays the data order
# of *epoch 1* instead of drawing a new one, and the global generator, which stands
# where it was right after initialising the model, replays epoch 1's dropout masks.
# Both are legal random draws, so the run still trains normally (compare the
# printed losses); but it is a different run, and a bug hunt, a comparison of two
# settings, or a reproduction of a published result cannot tell a real effect from
# the restart.
#
# The figure shows the three runs: on the left the loss of every minibatch in the
# steps around the restart, on the right the test accuracy after each epoch. After
# the restart the resumed run lies exactly on the uninterrupted one; the run
# without the RNG states leaves it at the first step.

steps_per_epoch = len(straight_history["step_loss"]) // num_epochs
restart = halfway * steps_per_epoch  # steps before the restart
window = range(max(restart - 30, 0), min(restart + 30, num_epochs * steps_per_epoch))
after = range(restart, window.stop)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
for ax, key, x, x_after in [
    (axes[0], "step_loss", [k + 1 for k in window], [k + 1 for k in after]),
    (axes[1], "test_acc", range(1, num_epochs + 1), range(halfway, num_epochs + 1)),
]:
    first, last = x[0] - 1, x[-1]
    ax.plot(x, straight_history[key][first:last], "-", lw=5, alpha=0.3,
            label="uninterrupted")
    ax.plot(x_after, resumed_history[key][x_after[0] - 1:last], "k--", lw=1.5,
            label="resumed")
    ax.plot(x_after, no_rng_history[key][x_after[0] - 1:last], "C3-", lw=1,
            label="resumed, no RNG states")
axes[0].axvline(restart + 0.5, color="gray", lw=1)
axes[0].set_xlabel("SGD step")
axes[0].set_title("training loss of each minibatch")
axes[1].axvline(halfway + 0.5, color="gray", lw=1)
axes[1].set_xticks(range(1, num_epochs + 1))
axes[1].set_xlabel("epoch")
axes[1].set_title("test accuracy")
axes[1].legend(loc="lower right")
fig.tight_layout()
plt.show()

# %%
# .. dropdown:: Bit-identical: under which conditions? And on a GPU?
#
#    Floating-point addition is not associative, so "the same operations on the
#    same numbers" must include the *order* of every sum. On a CPU that order
#    depends on the number of threads: a matrix product split over two threads adds
#    partial sums in a different order than one thread does, and the last bits
#    differ. Our two runs are bit-identical because they run in one process with
#    one ``torch.get_num_threads()``; a resumed job on another machine or with
#    another thread count (``torch.set_num_threads``, ``OMP_NUM_THREADS``) drifts
#    from the uninterrupted run by rounding errors that training then amplifies.
#    Exactness also needs the same PyTorch version, the same hardware and the same
#    batch size, since these change which kernels run.
#
#    Some GPU kernels go further: they add in an order that depends on thread
#    timing (atomic additions), so even two uninterrupted runs differ in the last
#    bits. ``torch.use_deterministic_algorithms(True)`` selects deterministic
#    kernels (or raises an error where there is none), at some cost in speed;
#    cuBLAS then also needs the environment variable
#    ``CUBLAS_WORKSPACE_CONFIG=:4096:8``.
#
# Loading safely: ``weights_only=True``
# -------------------------------------
#
# ``resume`` loads with ``weights_only=True``, and our checkpoint passes: the RNG
# states are byte tensors, the history is a dict of lists of floats. Here is why we
# insist. :mod:`pickle`, which ``torch.save`` uses for everything around the
# tensors, rebuilds an object by calling whatever function the object's
# ``__reduce__`` names, with whatever arguments. A checkpoint from someone else can
# therefore look perfectly normal and still run code when it is loaded. A harmless
# payload, hidden in the history of a genuine checkpoint:


class Payload:
    """Pickles as a call to print; a real attacker would name os.system."""

    def __reduce__(self):
        return (print, ("!!! this line was printed by torch.load: loading ran code",))


tampered = torch.load(path, weights_only=True)
tampered["history"]["note"] = Payload()
torch.save(tampered, root / "downloaded.pt")

# %%
# Loading it with ``weights_only=False`` runs the payload, and the result looks like
# any other checkpoint: nothing tells you that code ran (ours printed a line; a real
# one would not).

print("loading with weights_only=False:")
checkpoint = torch.load(root / "downloaded.pt", weights_only=False)
print("keys:", list(checkpoint))

# %%
# With ``weights_only=True`` the unpickler accepts only tensors, numbers, strings
# and containers of them, and refuses the file before anything runs:

try:
    torch.load(root / "downloaded.pt", weights_only=True)
    refused = False
except pickle.UnpicklingError as err:
    refused = True
    reason = [line for line in str(err).splitlines() if "Unsupported global" in line]
    print(type(err).__name__ + ":", (reason or str(err).splitlines())[0].strip())
assert refused, "weights_only=True loaded the tampered file"

# %%
# .. note::
#
#    ``weights_only=True`` is the default since PyTorch 2.6; writing it out keeps
#    older versions safe and tells the reader the file is only data. If a checkpoint
#    must hold a class of your own that you trust, allow exactly that class with
#    ``torch.serialization.add_safe_globals([MyClass])`` rather than switching the
#    check off. Better still, store plain data (``str(path)`` instead of a
#    ``Path``, a dict instead of a dataclass).
#
# Finally, delete the temporary directory and every file in it.

tmp_dir.cleanup()
assert not root.exists()

# %%
# Summary
# -------
#
# * Training is a deterministic function of its state: parameters, optimiser state
#   (momentum buffers appear after the first step), scheduler state, the epoch, and
#   the states of the random number generators that draw batches and dropout masks.
# * A checkpoint is a dict of all of it plus the history; ``torch.get_rng_state``,
#   ``torch.Generator.get_state`` (and ``torch.cuda.get_rng_state_all`` on a GPU)
#   return the generator states as byte tensors.
# * Resuming with fresh objects and every state restored gives weights bit-identical
#   to an uninterrupted run; without the RNG states the resumed run replays old data
#   orders and dropout masks and becomes a different run.
# * Shuffle with a dedicated ``torch.Generator``, so the data order does not depend
#   on what else draws random numbers; save checkpoints atomically.
# * Load with ``weights_only=True``: pickle runs whatever code a file names, and a
#   tampered checkpoint looks like any other.

# %%
# Exercises
# ---------
#
# 1. Restore only the global generator in ``resume`` (not ``shuffle_gen``), then
#    only ``shuffle_gen``. Are the final weights equal to the uninterrupted run's
#    in either case? Which randomness does each generator drive?
#
#    .. dropdown:: Answer
#
#       Neither is equal. The global generator draws the dropout masks, the
#       shuffling generator the order of the batches; a mismatch in either changes
#       every gradient after the restart. (In this run nothing else draws random
#       numbers after initialisation.)
#
# 2. Create ``torch.optim.Adam(net.parameters(), lr=1e-3)``, take one step and
#    print ``trainer.state_dict()["state"][0]``. What does Adam keep per parameter,
#    and of what shape? How large would our checkpoint be with Adam? Why did the
#    Adam run of "Resuming exactly" need no change to ``make_checkpoint``?
#
#    .. dropdown:: Answer
#
#       ``step`` (a count, a one-element tensor), ``exp_avg`` and ``exp_avg_sq``
#       (the running averages of the gradient and of its square, each of the
#       parameter's shape). So the file grows to about 12 bytes per parameter. All
#       of it is in the optimiser's ``state_dict``, which the checkpoint saves
#       whole, whatever the optimiser keeps; the Adam cell above checks that the
#       resumed weights are again bit-identical.
#
# 3. Delete ``scheduler.load_state_dict(...)`` from ``resume`` and rerun. Print the
#    learning rate of each epoch after the restart. What went wrong, and why did the
#    optimiser's ``state_dict`` not save you?
#
#    .. dropdown:: Answer
#
#       The optimiser's ``state_dict`` restores the current learning rate, but the
#       fresh scheduler believes it is at epoch 0. Cosine annealing computes each
#       new rate from the previous one and the epoch counter, so from the next
#       ``scheduler.step()`` on the schedule is wrong (it decays from the wrong point
#       of the cosine), and the weights differ.
#
# 4. Our ``train_epochs`` computes the test accuracy after every epoch. Would the
#    resumed run still be exact if the evaluation used the model in training mode
#    (``net.train()``) with dropout on? What if we evaluated only in the resumed
#    run?
#
#    .. dropdown:: Answer
#
#       In training mode dropout draws masks from the global generator during
#       evaluation too. If both runs evaluate identically, both draw the same
#       numbers and stay equal. If only one of them evaluates, its generator moves
#       ahead and the later dropout masks differ. Evaluation in ``eval()`` mode
#       draws nothing, which is one more reason to use it.
#
# 5. **Programming task.** Write ``fit(num_epochs, ckpt_dir)`` that saves a
#    checkpoint ``epoch-K.pt`` after every epoch :math:`K` (with
#    :func:`handson.save_atomic`) and,
#    when ``ckpt_dir`` already holds checkpoints, resumes from the newest one.
#    Simulate a crash by raising an exception at the start of epoch 3, call
#    ``fit`` again, and check that the final weights equal those of a run without a
#    crash.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          class Crash(Exception):
#              pass
#
#
#          def fit(num_epochs, ckpt_dir, crash_in_epoch=None):
#              done = sorted(Path(ckpt_dir).glob("epoch-*.pt"),
#                            key=lambda p: int(p.stem.split("-")[1]))
#              if done:
#                  net, trainer, scheduler, shuffle_gen, history, start = resume(
#                      done[-1])
#              else:
#                  net, trainer, scheduler, shuffle_gen, history = start_run()
#                  start = 0
#              for epoch in range(start, num_epochs):
#                  if epoch + 1 == crash_in_epoch:
#                      raise Crash(f"crashed in epoch {epoch + 1}")
#                  train_epochs(net, trainer, scheduler, shuffle_gen, history,
#                               epoch, epoch + 1)
#                  handson.save_atomic(
#                      make_checkpoint(epoch + 1, net, trainer, scheduler,
#                                      shuffle_gen, history),
#                      Path(ckpt_dir) / f"epoch-{epoch + 1}.pt")
#              return net
#
#
#          with tempfile.TemporaryDirectory() as d1, \
#                  tempfile.TemporaryDirectory() as d2:
#              try:
#                  fit(num_epochs, d1, crash_in_epoch=3)
#              except Crash as err:
#                  print(err)
#              resumed = fit(num_epochs, d1)
#              straight = fit(num_epochs, d2)
#          for p, q in zip(resumed.parameters(), straight.parameters()):
#              assert torch.equal(p, q)
#
#       Sorting by the epoch number, not by name, matters once there are ten
#       checkpoints (``epoch-10.pt`` sorts before ``epoch-2.pt`` as text). A crash
#       in the middle of an epoch loses that epoch's partial work, which the resumed
#       run redoes from the checkpoint of the epoch before; the result is the same.
