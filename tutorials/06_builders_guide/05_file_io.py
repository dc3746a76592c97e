"""
Reading and writing files
=========================

Training takes minutes to weeks; the trained weights should outlive the Python
process that made them. You want to stop a run and resume it tomorrow, ship a
model to a colleague, or keep the best epoch's weights for later. This page saves
and loads tensors and models with ``torch.save`` and ``torch.load``: plain tensors
and containers of them, a network's ``state_dict`` loaded into a fresh instance, and
a full training checkpoint. Two things can go wrong with files that never go wrong
in memory, and we guard against both: a file from someone else can run code when
you load it, and a save interrupted halfway can destroy the checkpoint it was
overwriting.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * save and load a tensor, a list and a dict of tensors with ``torch.save`` /
        ``torch.load``
      * save a model's ``state_dict`` and load it into a fresh instance; save and
        resume a training checkpoint with the optimiser's state
      * why ``torch.load(..., weights_only=True)``: pickle files can run code
      * write checkpoints atomically (a temporary file, ``fsync``, ``os.replace``,
        and an ``fsync`` of the folder), as ``handson.save_atomic`` does
      * how large a saved model is, in bytes per parameter

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`01_modules` and :doc:`02_parameters` (``nn.Module``,
        ``state_dict()``)
      * a training loop with ``torch.optim``, from
        :doc:`../01_getting_started/01_fit_a_line`
      * data: Fashion-MNIST (60,000 training and 10,000 test images of clothing,
        28 by 28 pixels) through ``handson.data``
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# The idea
# --------
#
# ``torch.save(obj, f)`` *serialises* ``obj``: it turns it into bytes in a file.
# Tensors are written as raw bytes, the raw memory of their values (4 bytes per
# ``float32`` number), and everything around them (lists, dicts, numbers, strings)
# is written with Python's :mod:`pickle`. ``torch.load(f)`` reverses it. A model is
# saved through its ``state_dict()``, an ordered dict that maps each parameter's
# name to its tensor; to load, build a fresh model *from code* and copy the tensors
# in with ``load_state_dict``. The file holds numbers, the code holds the
# architecture.
#
# Every file on this page goes into a temporary directory that is deleted at the
# end, so running the page leaves nothing behind.

import inspect
import os
import tempfile
import zipfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson.data import load_fashion_mnist

handson.seed(0)
tmp_dir = tempfile.TemporaryDirectory()
root = Path(tmp_dir.name)
print("files go to a temporary directory:", root.name)

# %%
# Tensors, lists and dicts
# ------------------------
#
# A tensor goes in and comes back equal, with its dtype and shape:

x = torch.arange(4)
torch.save(x, root / "x-file.pt")
x2 = torch.load(root / "x-file.pt", weights_only=True)
print(x2, x2.dtype)
assert torch.equal(x, x2) and x2.dtype == x.dtype

# %%
# Lists and dicts of tensors too; a dict is the usual way to keep several named
# tensors in one file.

y = torch.zeros(4)
torch.save([x, y], root / "x-files.pt")
x2, y2 = torch.load(root / "x-files.pt", weights_only=True)
print(x2, y2)

mydict = {"x": x, "y": y}
torch.save(mydict, root / "mydict.pt")
mydict2 = torch.load(root / "mydict.pt", weights_only=True)
print(mydict2)
assert torch.equal(x2, x) and torch.equal(y2, y)
assert mydict2.keys() == mydict.keys()
assert all(torch.equal(mydict2[k], mydict[k]) for k in mydict)

# %%
# What is inside? A ``.pt`` file is a zip archive: ``data.pkl`` holds the pickled
# structure (here the dict and its keys), and each tensor's raw bytes sit in a file
# of their own under ``data/``.

with zipfile.ZipFile(root / "mydict.pt") as archive:
    for info in archive.infolist():
        print(f"{info.file_size:6d} bytes  {info.filename}")

# %%
# .. warning::
#
#    ``torch.save`` writes a tensor's whole *storage*, the block of memory it is a
#    view of, not just the entries the view shows. Save a slice of a large tensor
#    and the file carries the large tensor. ``.clone()`` first copies the slice
#    into its own storage:

big = torch.arange(1_000_000, dtype=torch.float32)
torch.save(big[:10], root / "view.pt")
torch.save(big[:10].clone(), root / "clone.pt")
size_view = os.path.getsize(root / "view.pt")
size_clone = os.path.getsize(root / "clone.pt")
print(f"10 numbers saved as a view: {size_view:,} bytes; "
      f"as a clone: {size_clone:,} bytes")
assert size_view > 4 * big.numel() > 100 * size_clone

# %%
# Model parameters
# ----------------
#
# Now a real model: a multilayer perceptron for Fashion-MNIST, trained for one
# epoch so that its weights are worth keeping. We write it as a class: the class is
# the code we will need again to rebuild the model.


class MLP(nn.Module):
    """Flatten 28x28 images, one hidden ReLU layer, 10 class scores."""

    def __init__(self, num_hiddens=256):
        super().__init__()
        self.flatten = nn.Flatten()
        self.hidden = nn.Linear(28 * 28, num_hiddens)
        self.output = nn.Linear(num_hiddens, 10)

    def forward(self, X):
        return self.output(torch.relu(self.hidden(self.flatten(X))))


X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
print("train:", tuple(X_train.shape), "| test:", tuple(X_test.shape))

# %%
# One epoch of minibatch SGD with momentum, batches by indexing a random
# permutation:

batch_size, lr, num_epochs = 256, 0.1, handson.epochs(1)
net = MLP()
loss = nn.CrossEntropyLoss()
trainer = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
for epoch in range(num_epochs):
    perm = torch.randperm(len(X_train))
    for start in range(0, len(X_train), batch_size):
        idx = perm[start:start + batch_size]
        trainer.zero_grad()
        l = loss(net(X_train[idx]), y_train[idx])
        l.backward()
        trainer.step()
    print(f"epoch {epoch + 1}: loss on the last batch {l.item():.4f}")

net.eval()
with torch.no_grad():
    test_acc = (net(X_test).argmax(dim=1) == y_test).float().mean().item()
print(f"test accuracy after {num_epochs} epoch: {test_acc:.4f}")
handson.check("test accuracy after one epoch", test_acc, ">", 0.75)

# %%
# The ``state_dict`` lists every parameter by the attribute names of the class:

for name, tensor in net.state_dict().items():
    print(f"{name:15s} {str(tuple(tensor.shape)):12s} {tensor.dtype}")

# %%
# Save it, then build a *fresh* ``MLP``, which starts from its own random
# weights, and load the saved tensors into it. ``load_state_dict`` reports which
# keys matched.

torch.save(net.state_dict(), root / "mlp.params")

clone = MLP()
X_batch = X_test[:256]  # a real batch of test images
with torch.no_grad():
    print("fresh model agrees with the trained one:",
          torch.equal(clone(X_batch), net(X_batch)))
    print(clone.load_state_dict(torch.load(root / "mlp.params", weights_only=True)))
    clone.eval()
    Y_clone, Y = clone(X_batch), net(X_batch)
print("loaded model agrees with the trained one:", torch.equal(Y_clone, Y))
print("predicted classes of the first 5 test images:",
      [handson.data.FASHION_MNIST_CLASSES[int(k)] for k in Y_clone[:5].argmax(dim=1)])
assert torch.equal(Y_clone, Y)  # bit for bit, not just close

# %%
# The outputs are equal bit for bit: the same numbers went through the same code.
#
# .. warning::
#
#    The file holds no architecture. Load it into a model whose shapes differ, and
#    ``load_state_dict`` refuses, naming every mismatch (by default it also refuses
#    missing and unexpected keys; ``strict=False`` relaxes only the latter):

try:
    MLP(num_hiddens=128).load_state_dict(
        torch.load(root / "mlp.params", weights_only=True))
except RuntimeError as err:
    print(str(err).splitlines()[0])
    print(str(err).splitlines()[1].strip())
else:
    raise AssertionError("a state_dict with other shapes was loaded without error")

# %%
# .. note::
#
#    Call ``net.eval()`` after loading a model for prediction. It changes nothing
#    for this MLP, but layers such as dropout and batch normalisation behave
#    differently in training and evaluation mode, and that mode is not part of the
#    ``state_dict``.
#
# Checkpoints: resuming training
# ------------------------------
#
# To *continue* training later, the weights are not enough: the optimiser has state
# of its own (here the momentum of every parameter), and a resumed run without it
# takes different steps. A checkpoint is a dict with everything needed:

checkpoint = {
    "epoch": num_epochs,
    "model": net.state_dict(),
    "optimizer": trainer.state_dict(),
}
torch.save(checkpoint, root / "checkpoint.pt")
print("optimizer state of the first weight:",
      list(trainer.state_dict()["state"][0]))

# %%
# Test it: take one more training step with the original model and optimiser, and
# the same step with a fresh model and optimiser restored from the checkpoint. Both
# must end at exactly the same weights.

net.train()
X_step, y_step = X_train[:batch_size], y_train[:batch_size]
trainer.zero_grad()
loss(net(X_step), y_step).backward()
trainer.step()

ckpt = torch.load(root / "checkpoint.pt", weights_only=True)
net_resumed = MLP()
net_resumed.load_state_dict(ckpt["model"])
trainer_resumed = torch.optim.SGD(net_resumed.parameters(), lr=lr, momentum=0.9)
trainer_resumed.load_state_dict(ckpt["optimizer"])
trainer_resumed.zero_grad()
loss(net_resumed(X_step), y_step).backward()
trainer_resumed.step()

for (name, p), p_resumed in zip(net.named_parameters(), net_resumed.parameters()):
    assert torch.equal(p, p_resumed), name
print("resumed at epoch", ckpt["epoch"], "and took the identical step")

# %%
# Loading safely: ``weights_only=True``
# -------------------------------------
#
# Every ``torch.load`` above passed ``weights_only=True``. Here is why.
#
# .. warning::
#
#    A pickle file is not data, it is a small program that rebuilds objects, and
#    that program may call any Python function, ``os.system`` included. Loading an
#    untrusted ``.pt`` file with ``weights_only=False`` can therefore run arbitrary
#    code on your machine. ``weights_only=True`` restricts the unpickler to tensors,
#    primitive types and containers of them, which is all a ``state_dict`` or a
#    checkpoint like the one above needs. It is the default since PyTorch 2.6;
#    writing it out keeps the code safe on older versions and tells the reader
#    that the file is only data.
#
# A harmless demonstration. An object can tell pickle how to rebuild it with
# ``__reduce__``, which returns a function and its arguments; pickle calls that
# function when the file is loaded. Ours calls ``print``; an attacker's would call
# something worse.


class Payload:
    def __reduce__(self):
        return (print, ("!!! this line was printed by torch.load: loading ran code",))


torch.save(Payload(), root / "untrusted.pt")
print("loading with weights_only=False:")
obj = torch.load(root / "untrusted.pt", weights_only=False)

# %%
# With ``weights_only=True`` the same file is refused before anything runs:

try:
    torch.load(root / "untrusted.pt", weights_only=True)
    refused = False
except Exception as err:  # pickle.UnpicklingError
    refused = True
    reason = [line for line in str(err).splitlines() if "Unsupported global" in line]
    print(type(err).__name__ + ":", (reason or str(err).splitlines())[0].strip())
assert refused

# %%
# .. dropdown:: Why not ``torch.save(net)``?
#
#    ``torch.save(net)`` pickles the whole module object. The file then refers to
#    the class ``MLP`` by its module and name, so loading needs
#    ``weights_only=False`` (the code-running path) *and* the same class importable
#    under the same name; rename or move the class and old files stop loading.
#    Saving ``state_dict()`` keeps the file pure data and the architecture in code,
#    where it can be read, versioned and changed. For a self-contained model file
#    that needs no Python class, look at ``torch.export`` and ONNX.
#
# .. note::
#
#    Tensors remember their device. A checkpoint saved from a GPU loads back onto
#    the GPU, which fails on a machine without one; pass
#    ``map_location="cpu"`` (or any device) to ``torch.load`` to choose where the
#    tensors go. :doc:`06_devices` is about devices.
#
# Writing atomically
# ------------------
#
# ``torch.save(obj, path)`` first truncates ``path`` and then writes. If the
# process dies in between, from a Ctrl-C, a crash, a full disk or a cluster job
# running out of time, the old checkpoint is gone and the new one is incomplete. We
# simulate such an interruption with an object that raises ``KeyboardInterrupt``,
# like a Ctrl-C, while ``torch.save`` is writing it.


class Interruption:
    """Stands in for a Ctrl-C that arrives in the middle of torch.save."""

    def __reduce__(self):
        raise KeyboardInterrupt("simulated interruption during torch.save")


path = root / "model.pt"
torch.save(net.state_dict(), path)  # a good checkpoint from earlier
print(f"good checkpoint: {os.path.getsize(path):,} bytes")
try:
    torch.save({"model": net.state_dict(), "oops": Interruption()}, path)
except KeyboardInterrupt as err:
    print("interrupted:", err)
else:
    raise AssertionError("the simulated interruption did not happen")
print(f"after the interrupted save: {os.path.getsize(path):,} bytes")
try:
    torch.load(path, weights_only=True)
    corrupted = False
except RuntimeError as err:
    corrupted = True
    print("RuntimeError:", str(err).split(". ")[0])
assert corrupted

# %%
# The cure is to never write over the good file. Four steps:
#
# 1. write the new checkpoint to a temporary file *in the same folder* as ``path``;
# 2. flush it and call :func:`os.fsync` on it: ``write`` only hands the bytes to
#    the operating system, which keeps them in memory for a while, and ``fsync``
#    returns once they are on the disk;
# 3. rename the temporary file over the old one with :func:`os.replace`. Renaming
#    within one file system is atomic: anyone who opens ``path`` sees either the
#    complete old file or the complete new one, never a mix;
# 4. call ``fsync`` on the *folder*. A rename changes no file's bytes; it changes the
#    folder, the table that maps the name ``model.pt`` to a file, and that table is
#    cached in memory like any other data. The ``fsync`` of step 2 does not cover
#    it: Linux's manual page of ``fsync`` says that it "does not necessarily ensure
#    that the entry in the directory containing the file has also reached disk",
#    and asks for an explicit ``fsync`` of the folder. Without it, a power cut
#    shortly after the save can bring the machine back up with the folder still
#    naming the old checkpoint (or, for a first save, no checkpoint at all), even
#    though the new bytes sit on the disk.
#
# If anything fails before the rename, the temporary file is deleted and ``path``
# is untouched. The fsyncs only matter when the whole machine stops (power cut,
# kernel crash): when just the Python process dies, the operating system still
# writes out what it holds in memory. That case, the one we can simulate here, is
# handled by steps 1 and 3.
#
# ``handson.save_atomic(obj, path)`` does these four steps; here is its code
# (docstring left out). The folder ``fsync`` runs on POSIX systems such as Linux and
# macOS; on Windows Python cannot open a folder for it, and the step is skipped.
# The other pages of the course save their checkpoints with this function.

source = inspect.getsource(handson.save_atomic)
doc_start = source.index('"""')
doc_end = source.index('"""', doc_start + 3) + 3
print(source[:doc_start].rstrip() + source[doc_end:])
print(inspect.getsource(handson.files._sync_folder))

# %%
# The same interruption as before, now against ``handson.save_atomic``:

handson.save_atomic(net.state_dict(), path)  # a good checkpoint again
try:
    handson.save_atomic({"model": net.state_dict(), "oops": Interruption()}, path)
except KeyboardInterrupt as err:
    print("interrupted:", err)
else:
    raise AssertionError("the simulated interruption did not happen")
state = torch.load(path, weights_only=True)  # still loads
print(f"after the interrupted atomic save: {os.path.getsize(path):,} bytes, "
      f"{len(state)} tensors, loads fine")
print("files left in the directory:", sorted(p.name for p in root.glob("model.pt*")))
assert all(torch.equal(state[k], v) for k, v in net.state_dict().items())
assert sorted(p.name for p in root.glob("model.pt*")) == ["model.pt"]

# %%
# .. note::
#
#    Atomic saving protects the *latest* checkpoint. Long runs also keep a few older
#    ones (``checkpoint-epoch3.pt``, ...), so that a bug that writes bad weights, or
#    a file damaged later on disk, does not cost the whole run.
#
# How big is a saved model?
# -------------------------
#
# The tensors dominate the file: a ``float32`` parameter is 4 bytes, so a model
# with :math:`p` parameters should need about :math:`4p` bytes plus a small,
# fixed overhead for the zip archive and the pickled names. We check by saving
# ``MLP``\ s of growing width, once in ``float32`` and once converted to
# ``float16`` (2 bytes per number, the format often used to ship models).

rows = []
for num_hiddens in [16, 32, 64, 128, 256, 512, 1024]:
    model = MLP(num_hiddens)
    num_params = sum(p.numel() for p in model.parameters())
    torch.save(model.state_dict(), root / "size32.pt")
    torch.save({k: v.half() for k, v in model.state_dict().items()},
               root / "size16.pt")
    rows.append((num_hiddens, num_params, os.path.getsize(root / "size32.pt"),
                 os.path.getsize(root / "size16.pt")))

print(f"{'hiddens':>8}{'params':>10}{'float32 bytes':>15}{'float16 bytes':>15}"
      f"{'overhead32':>12}")
for num_hiddens, num_params, size32, size16 in rows:
    print(f"{num_hiddens:8d}{num_params:10,}{size32:15,}{size16:15,}"
          f"{size32 - 4 * num_params:12,}")
for num_hiddens, num_params, size32, size16 in rows:
    assert 0 < size32 - 4 * num_params < 10_000  # 4 bytes each + a small overhead
    assert 0 < size16 - 2 * num_params < 10_000  # 2 bytes each + a small overhead

# %%
# The printed overhead stays at a few kilobytes whatever the width, so for any
# model of real size the file is 4 bytes per parameter in ``float32`` and 2 in
# ``float16``:

params = [r[1] for r in rows]
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(params, [r[2] for r in rows], "o", color="C0", label="float32 file")
ax.loglog(params, [r[3] for r in rows], "s", color="C1", label="float16 file")
ax.loglog(params, [4 * p for p in params], "C0--", lw=1, label="4 bytes / parameter")
ax.loglog(params, [2 * p for p in params], "C1--", lw=1, label="2 bytes / parameter")
ax.set_xlabel("number of parameters")
ax.set_ylabel("file size (bytes)")
ax.set_title("Saved MLP state_dicts: file size vs parameters")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Finally, delete the temporary directory and every file in it.

tmp_dir.cleanup()
assert not root.exists()

# %%
# Summary
# -------
#
# * ``torch.save`` / ``torch.load`` store tensors and containers of them (lists,
#   dicts); a ``.pt`` file is a zip of the pickled structure plus each tensor's raw
#   storage, all of it, so ``.clone()`` slices before saving.
# * Save models as ``state_dict()``; to load, build the model from code and call
#   ``load_state_dict``. A checkpoint for resuming also holds the optimiser's
#   ``state_dict`` and the epoch.
# * Always load with ``weights_only=True``: pickle can run arbitrary code, and a
#   weights-only load refuses anything but tensors and plain containers.
# * Save checkpoints atomically: write a temporary file in the same directory,
#   ``fsync`` it, ``os.replace`` it over the old one, and ``fsync`` the directory,
#   so neither an interruption nor a power cut leaves a broken or missing
#   checkpoint. ``handson.save_atomic`` does all four steps.

# %%
# Exercises
# ---------
#
# 1. Save ``net.state_dict()`` and then ``net.hidden.state_dict()``. What are the
#    keys of the second? Load it into a fresh ``nn.Linear(784, 256)``.
#
#    .. dropdown:: Answer
#
#       ``weight`` and ``bias``: the names are relative to the module you call
#       ``state_dict()`` on, which is why a sub-layer's weights can be moved into
#       another model that uses the same layer type, for example to reuse the
#       first layers of a trained network (*transfer learning*).
#
# 2. Write a small integer, a string and a float into the checkpoint dict and load
#    it with ``weights_only=True``. Then add a :class:`pathlib.Path` and try again.
#    What happens, and how would you store the path instead?
#
#    .. dropdown:: Answer
#
#       Numbers, strings, lists, tuples and dicts load fine. A ``Path`` is a Python
#       class, so the weights-only unpickler refuses it ("Unsupported global").
#       Store ``str(path)`` instead, or, for a class you trust, allow it with
#       ``torch.serialization.add_safe_globals``.
#
# 3. ``handson.save_atomic`` creates its temporary file with ``dir=path.parent``,
#    not in the system's temporary directory (``tempfile.gettempdir()``). Why would
#    the latter break when ``path`` is on another disk?
#
#    .. dropdown:: Answer
#
#       ``os.replace`` is an atomic rename only within one file system. Across file
#       systems it fails (``OSError: Invalid cross-device link``), and a
#       copy-then-delete fallback would reopen the window in which a half-written
#       file exists.
#
# 4. Save the test-set predictions ``net(X_test)`` as ``float32`` and as
#    ``float16`` and compare the file sizes and the largest difference between the
#    loaded values. Does the ``float16`` copy still give the same predicted classes?
#
#    .. dropdown:: Hint
#
#       ``float16`` keeps about 3 significant decimal digits; the argmax changes
#       only where two class scores are within that rounding of each other. Count
#       those with ``(a.argmax(1) != b.float().argmax(1)).sum()``.
#
# 5. **Programming task.** Write ``train_with_checkpoints(num_epochs, path)`` that
#    trains the ``MLP`` and saves a checkpoint with ``handson.save_atomic`` after
#    every epoch; when ``path`` already exists, it resumes from it instead of starting
#    over. Check that training 2 epochs, then calling it again with
#    ``num_epochs=3``, gives the same weights as training 3 epochs in one go (seed
#    each epoch's permutation with ``torch.manual_seed(epoch)``).
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def train_with_checkpoints(num_epochs, path):
#              torch.manual_seed(0)  # the same starting weights every time
#              net = MLP()
#              trainer = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
#              start = 0
#              if Path(path).exists():
#                  ckpt = torch.load(path, weights_only=True)
#                  net.load_state_dict(ckpt["model"])
#                  trainer.load_state_dict(ckpt["optimizer"])
#                  start = ckpt["epoch"]
#              for epoch in range(start, num_epochs):
#                  torch.manual_seed(epoch)
#                  perm = torch.randperm(len(X_train))
#                  for i in range(0, len(X_train), batch_size):
#                      idx = perm[i:i + batch_size]
#                      trainer.zero_grad()
#                      loss(net(X_train[idx]), y_train[idx]).backward()
#                      trainer.step()
#                  handson.save_atomic({"epoch": epoch + 1,
#                                       "model": net.state_dict(),
#                                       "optimizer": trainer.state_dict()}, path)
#              return net
#
#          with tempfile.TemporaryDirectory() as d:
#              train_with_checkpoints(2, Path(d) / "a.pt")
#              resumed = train_with_checkpoints(3, Path(d) / "a.pt")
#              straight = train_with_checkpoints(3, Path(d) / "b.pt")
#          for p, q in zip(resumed.parameters(), straight.parameters()):
#              assert torch.equal(p, q)
#
#       Seeding each epoch's permutation by its epoch number makes the data order
#       independent of whether the run was interrupted; without it, the resumed
#       run would draw different batches from the uninterrupted one.
