"""
LeNet
=====

LeNet was among the first convolutional networks to do useful work: from the early
1990s it read handwritten digits on cheques and envelopes. It stacks the pieces of the
previous page into a classifier: two convolution-and-pooling blocks that turn an
image into feature maps, then fully connected layers that turn the feature maps into
class scores. This page builds LeNet in the form Dive into Deep Learning trains it
(sigmoid activations, average pooling), walks an image through it shape by shape,
trains it on Fashion-MNIST, and then trains a modern form of the same network (ReLU,
max pooling, batch normalisation) with the same data, optimiser and budget, to see
what three decades of small changes buy. At the end we look inside: the kernels the
first layer learned and the feature maps of one image.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * LeNet's architecture, and how to follow the shape of a tensor through it
      * train a convolutional network with ``handson.train``
      * measure the cost of training before choosing how much of it to do
      * what ReLU, max pooling and batch normalisation change, measured
      * look at learned kernels and feature maps

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * convolution, padding, channels and pooling, from :doc:`01_convolutions`
      * the training loop behind ``handson.train``, from
        :doc:`../04_linear_classification/02_softmax_regression_scratch`
      * ReLU, and why sigmoids make gradients vanish, from
        :doc:`../05_multilayer_perceptrons/01_mlp_basics` and
        :doc:`../05_multilayer_perceptrons/04_numerical_stability`
      * ``nn.Sequential``, from :doc:`../06_builders_guide/01_modules`
      * data: Fashion-MNIST (10,000 of the 60,000 training images, all 10,000 test
        images), loaded with :func:`handson.data.load_fashion_mnist`
"""

# sphinx_gallery_thumbnail_number = 3

# %%
# The idea
# --------
#
# LeNet has two parts.
#
# * A *convolutional encoder* of two blocks. Each block is a 5x5 convolution, a
#   sigmoid, and a 2x2 average pooling with stride 2. The first block has 6 output
#   channels, the second 16. The first convolution pads by 2, so it keeps the
#   28x28 size; the second does not pad.
# * A *dense block* of three fully connected layers with 120, 84 and 10 outputs,
#   sigmoids in between. The last layer gives the 10 class scores, for the softmax
#   cross-entropy loss.
#
# Between the two, the feature maps of each example are flattened into one vector.
# With the output-size formula of :doc:`01_convolutions`,
# :math:`\lfloor (n + 2p - k)/s \rfloor + 1`, the height (and the width) goes
#
# .. math::
#
#    28 \xrightarrow{\text{conv } k=5,\, p=2} 28
#    \xrightarrow{\text{pool } 2} 14
#    \xrightarrow{\text{conv } k=5} 10
#    \xrightarrow{\text{pool } 2} 5,
#
# so the flattened vector has :math:`16 \times 5 \times 5 = 400` entries. The
# pattern of the encoder, where the image shrinks while the channels grow, is the
# pattern of almost every convolutional network since.
#
# .. dropdown:: The original LeNet-5
#
#    LeCun, Bottou, Bengio and Haffner (1998) described LeNet-5 for 32x32 digit
#    images. Its pooling layers had a trainable weight and bias per channel, the
#    second convolution connected each output channel to only some input
#    channels, and the output layer compared the features with fixed class
#    prototypes (radial basis functions) rather than using a softmax. Its
#    activation was a scaled hyperbolic tangent, :math:`1.7159 \tanh(2a/3)`, not
#    the logistic sigmoid. D2L's version, which we follow, keeps the layer sizes,
#    uses the sigmoid, and drops those details.

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson.data import FASHION_MNIST_CLASSES, load_fashion_mnist

handson.seed(0)

# %%
# The network
# -----------
#
# In PyTorch the architecture is one ``nn.Sequential``. Like D2L we initialise the
# weights with Xavier's uniform initialisation
# (:doc:`../05_multilayer_perceptrons/04_numerical_stability`), which scales them to
# the number of inputs and outputs of each layer.


def init_xavier(module):
    """Xavier-uniform weights for the convolutional and linear layers."""
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.xavier_uniform_(module.weight)


def make_lenet():
    """LeNet as in D2L: sigmoid activations and average pooling."""
    net = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))
    net.apply(init_xavier)
    return net


# %%
# The shape walk: push one random image of shape ``(1, 1, 28, 28)`` (a batch of
# one, one channel) through the layers one at a time and print what comes out.

net = make_lenet()
X = torch.rand(size=(1, 1, 28, 28))
for layer in net:
    X = layer(X)
    print(f"{layer.__class__.__name__:10s} output shape: {tuple(X.shape)}")
assert net[:6](torch.rand(1, 1, 28, 28)).shape == (1, 16, 5, 5)
assert X.shape == (1, 10)

# %%
# The shapes follow the formula: 28, 28, 14, 10, 5, then 400 features. Where are the
# parameters? Count them layer by layer:

for name, param in net.named_parameters():
    print(f"{name:10s} {str(tuple(param.shape)):18s} {param.numel():7,d}")
num_params = sum(p.numel() for p in net.parameters())
print(f"total: {num_params:,d} parameters")
assert num_params == 61_706
for kind in (nn.Conv2d, nn.Linear):
    n = sum(p.numel() for layer in net if isinstance(layer, kind)
            for p in layer.parameters())
    print(f"in {kind.__name__} layers: {n:6,d} ({n / num_params:.0%})")

# %%
# The two convolutional layers hold only a few percent of them (printed). The first
# fully connected layer, 400 inputs times 120 outputs, holds most of the network. The
# convolutions do most of the *arithmetic*, though: each kernel weight is used at
# every position of the image.
#
# The data and the budget
# -----------------------
#
# Fashion-MNIST: 60,000 training and 10,000 test images of clothes, 28x28 grey
# pixels, 10 classes.

X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
print("train:", tuple(X_train.shape), "| test:", tuple(X_test.shape))
device = handson.device()
print("device:", device)

# %%
# D2L (the 1.0 edition) trains LeNet for 10 epochs on all 60,000 training images,
# with batches of 128 and SGD at learning rate 0.1. (The older r0.17 edition used
# batches of 256 and learning rate 0.9.) Before we copy that, we measure what it
# costs here: time some training steps of each network (after one warm-up step,
# since the first call is slow) and convert to seconds per 1,000 images.


def make_modern_lenet():
    """LeNet with ReLU, max pooling and batch normalisation after the convolutions."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.BatchNorm2d(6), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def seconds_per_1000_images(net, batch_size=128, num_batches=8):
    """Time num_batches SGD steps on training images; return seconds per 1,000."""
    net = net.to(device)
    trainer = torch.optim.SGD(net.parameters(), lr=0.01)
    loss = nn.CrossEntropyLoss()
    timer = handson.Timer()
    for step in range(num_batches + 1):
        X = X_train[step * batch_size:(step + 1) * batch_size].to(device)
        y = y_train[step * batch_size:(step + 1) * batch_size].to(device)
        if step == 1:  # step 0 was the warm-up
            timer.start()
        trainer.zero_grad()
        loss(net(X), y).backward()
        trainer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()  # GPU work runs asynchronously: wait for it
    return timer.stop() / (num_batches * batch_size) * 1000


cost = {"LeNet": seconds_per_1000_images(make_lenet()),
        "modern LeNet": seconds_per_1000_images(make_modern_lenet())}
d2l_images = 60_000 * 10  # images seen in D2L's run: 60,000 per epoch, 10 epochs
budget_s = 60  # seconds of training this page may take on a 2-core CPU
for name, sec in cost.items():
    print(f"{name:13s} {sec:.3f} s per 1,000 training images -> "
          f"D2L's full run: {sec * d2l_images / 1000:.0f} s")
full_s = sum(cost.values()) * d2l_images / 1000
print(f"both networks, D2L's full run: {full_s:.0f} s, "
      f"{'over' if full_s > budget_s else 'within'} the page's budget of {budget_s} s")

# %%
# Compare the printed estimate with the budget. On a 2-core CPU, D2L's full run of
# both networks does not fit, and the page should compute the same numbers on every
# machine, fast or slow. So we keep D2L's 10 epochs, its batch size of 128 and
# plain SGD, but train on a *subset*: the first 10,000 training images, a sixth of
# the data, and evaluate on the whole test set.
# Fashion-MNIST's training images come in random order, so the first 10,000 hold
# roughly 1,000 of each class (printed below).
#
# A sixth of the data means a sixth of the updates (printed below). D2L 1.0's
# learning rate of 0.1 is too timid for the sigmoid network on so few updates
# (exercise 2), so for the original form we take the larger 0.9 of D2L r0.17.
#
# .. note::
#
#    On a GPU the printed costs are far smaller. There, set ``n_train = 60_000``
#    and ``lr = 0.1`` to reproduce D2L 1.0's setting.

n_train, batch_size = 10_000, 128
X_train, y_train = X_train[:n_train], y_train[:n_train]
n_train = len(X_train)  # quick mode loads only 2,000 images
lr, num_epochs = 0.9, handson.epochs(10)
num_updates = num_epochs * -(-n_train // batch_size)  # -(-a // b) rounds a / b up
d2l_updates = 10 * -(-60_000 // 128)  # D2L 1.0: 10 epochs, batches of 128
print(f"training on {n_train:,d} images: {num_updates} updates; D2L 1.0's full run: "
      f"{d2l_updates}, {d2l_updates / num_updates:.1f} times as many")
print("images per class:", torch.bincount(y_train, minlength=10).tolist())
subset_s = sum(cost.values()) * n_train * num_epochs / 1000
print(f"estimated training time, both networks: {subset_s:.0f} s (plus evaluation)")

# %%
# Training the original form
# --------------------------
#
# ``handson.train`` runs the loop of the softmax-regression tutorial: minibatches by
# indexing, SGD steps, and after each epoch the training loss and accuracy and the
# test accuracy (in evaluation mode, without gradients).

handson.seed(0)
net = make_lenet().to(device)
loss = nn.CrossEntropyLoss()
trainer = torch.optim.SGD(net.parameters(), lr=lr)
history = handson.train(net, (X_train, y_train), (X_test, y_test), loss, trainer,
                        num_epochs, batch_size, device=device)

# %%
# The first epochs are flat at chance level, one correct guess in ten: the sigmoids
# squash the signal and their gradients are small, so the weights move slowly until
# the network finds a direction that helps; then the accuracy climbs. Our network
# is limited by its budget: its training accuracy is still rising at the last
# epoch. How many epochs it spends on the plateau varies from seed to seed (and
# from machine to machine), and so does its final accuracy, by many points. So the
# checks below ask only for what the lesson needs: a start at chance level, and an
# end well above it, at least twice chance.

test_acc_lenet = history.test_acc[-1]
print(f"LeNet: test accuracy {history.test_acc[0]:.3f} after one epoch, "
      f"{test_acc_lenet:.3f} after {num_epochs} epochs on {n_train:,d} images "
      f"({sum(history.epoch_time):.1f} s)")
handson.check("test accuracy of the original LeNet after one epoch",
              history.test_acc[0], "<", 0.2)
handson.check("test accuracy of the original LeNet after the last epoch",
              test_acc_lenet, ">", 0.2)

# %%
# A modern form
# -------------
#
# Three changes, all from the years after LeNet:
#
# * **ReLU** instead of the sigmoid, :math:`\operatorname{ReLU}(z) = \max(z, 0)`.
#   Its gradient is 1 wherever it is active, so the signal and the gradient do not
#   shrink at every layer the way they do through a sigmoid, whose slope is at most
#   :math:`1/4`.
# * **Max pooling** instead of average pooling: keep the strongest response in
#   each window instead of diluting it.
# * **Batch normalisation** after each convolution (``nn.BatchNorm2d``). For every
#   channel it subtracts the mean and divides by the standard deviation computed
#   over the minibatch and all pixels, then applies a learned scale and shift. The
#   next layer then sees inputs of a stable scale whatever the weights before it
#   do, which makes training much less sensitive to the learning rate and the
#   initialisation.
#
# .. warning::
#
#    Batch normalisation behaves differently in training and in evaluation. In
#    ``net.train()`` mode it normalises with the statistics of the current batch
#    (and updates running averages); in ``net.eval()`` mode it uses the running
#    averages, so that a prediction does not depend on the other images in the
#    batch. Forgetting ``net.eval()`` before testing gives noisy, batch-dependent
#    results. ``handson.evaluate_accuracy``, which ``handson.train`` calls, switches
#    to evaluation mode and back for you.
#
# The layer sizes, the data, plain SGD, the batch size, the number of epochs and
# the seed stay. Three parts of the training recipe change with the architecture,
# so what we compare below are two recipes, not the three changes alone:
#
# * the **learning rate**: the sigmoid network needs the large 0.9 to get moving;
#   the ReLU network would take too large steps with it (exercise 2), so it gets
#   0.1, the learning rate of D2L 1.0;
# * its **schedule**: the rate is lowered along a half cosine to zero over the ten
#   epochs (:class:`torch.optim.lr_scheduler.CosineAnnealingLR`, stepped once per
#   epoch by ``handson.train``), so that the small steps of the last epochs let the
#   weights settle; the original form keeps a constant rate;
# * the **initialisation**: ``make_modern_lenet`` keeps PyTorch's default
#   initialisation of each layer instead of Xavier's.
#
# The shape walk is the same as before, with the batch-norm layers keeping the
# shapes:

handson.seed(0)
modern_net = make_modern_lenet().to(device)
X = torch.rand(size=(1, 1, 28, 28), device=device)
modern_net.eval()  # a batch of one image: batch norm needs evaluation mode here
for layer in modern_net:
    X = layer(X)
    print(f"{layer.__class__.__name__:11s} output shape: {tuple(X.shape)}")
modern_net.train()

trainer = torch.optim.SGD(modern_net.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(trainer, T_max=num_epochs)
modern_history = handson.train(modern_net, (X_train, y_train), (X_test, y_test), loss,
                               trainer, num_epochs, batch_size, scheduler=scheduler,
                               device=device)

# %%
# Results
# -------

# The training accuracy that ``handson.train`` prints is averaged over the epoch,
# in training mode, while the weights change; to compare it with the test accuracy
# we measure both afresh with ``handson.evaluate_accuracy``, in evaluation mode.

test_acc_modern = modern_history.test_acc[-1]
print(f"{'':14s}{'train acc':>10s}{'test acc':>10s}{'time (s)':>10s}")
for name, model, h in [("LeNet", net, history),
                       ("modern LeNet", modern_net, modern_history)]:
    print(f"{name:14s}{handson.evaluate_accuracy(model, X_train, y_train):10.3f}"
          f"{handson.evaluate_accuracy(model, X_test, y_test):10.3f}"
          f"{sum(h.epoch_time):10.1f}")
print(f"training accuracy during the first epoch: LeNet {history.train_acc[0]:.3f}, "
      f"modern LeNet {modern_history.train_acc[0]:.3f}")
handson.check("training accuracy of the modern LeNet during its first epoch",
              modern_history.train_acc[0], ">", 0.3)
handson.check("test accuracy of the modern LeNet", test_acc_modern, ">", 0.8)
handson.check("lead of the modern LeNet over the original in test accuracy",
              test_acc_modern - test_acc_lenet, ">", 0.05)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
history.plot(ax=axes[0], title="LeNet (sigmoid, average pooling)")
modern_history.plot(ax=axes[1], title="modern LeNet (ReLU, max pooling, batch norm)")
axes[0].set_ylim(0, 2.5)
fig.tight_layout()
plt.show()

# %%
# The modern form learns from the first epoch, while the original spends its first
# epochs at chance level, and with the same ten epochs it ends with a clearly higher
# test accuracy (printed above). For both networks the training and test
# accuracies are close: on this budget neither overfits much.
#
# .. note::
#
#    In the middle epochs the modern form's test accuracy jumps up and down, by
#    many points from one epoch to the next. There are two suspects. One is the
#    weights: the test accuracy is measured after the last step of each epoch, and
#    at learning rate 0.1 each step, computed from one batch of 128 images, may
#    still move the weights enough to change the predictions on many test images.
#    The other is batch normalisation, whose running averages lag behind the
#    weights. The code below tells them apart: it recomputes the statistics from
#    all training images after every epoch, so if the jumps remain, the weights are
#    the cause. It trains the network once more, so it is not run on this page:
#    run it, and compare the two columns it prints.
#
#    .. dropdown:: Code: recompute the batch-norm statistics after every epoch
#
#       .. code-block:: python
#
#          import copy
#
#          def recomputed_bn_accuracy(net):
#              """Test accuracy with batch-norm statistics from all training images."""
#              net = copy.deepcopy(net)
#              for m in net.modules():
#                  if isinstance(m, nn.BatchNorm2d):
#                      m.reset_running_stats()
#                      m.momentum = None  # a plain average over the batches below
#              net.train()
#              with torch.no_grad():
#                  for i in range(0, len(X_train), 1000):
#                      net(X_train[i:i + 1000].to(device))
#              return handson.evaluate_accuracy(net, X_test, y_test)
#
#          handson.seed(0)
#          net2 = make_modern_lenet().to(device)
#          trainer = torch.optim.SGD(net2.parameters(), lr=0.1)
#          scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
#              trainer, T_max=num_epochs)
#          for epoch in range(num_epochs):  # one epoch per call of handson.train
#              h = handson.train(net2, (X_train, y_train), (X_test, y_test), loss,
#                                trainer, 1, batch_size, scheduler=scheduler,
#                                device=device, verbose=False)
#              print(f"epoch {epoch + 1:2d}  test acc: running averages "
#                    f"{h.test_acc[-1]:.3f}, recomputed "
#                    f"{recomputed_bn_accuracy(net2):.3f}")
#
# Looking inside
# --------------
#
# The first layer of the modern network has 6 kernels of size 5x5, each applied to
# the grey input. Blue weights subtract the pixels under them, red ones add them.

kernels = modern_net[0].weight.detach().cpu()[:, 0]  # shape (6, 5, 5)
fig, axes = plt.subplots(1, 6, figsize=(9, 1.9))
for k, ax in enumerate(axes):
    vmax = kernels[k].abs().max()
    ax.imshow(kernels[k], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    ax.set_title(f"kernel {k}", fontsize=9)
    ax.axis("off")
fig.suptitle("first-layer kernels of the modern LeNet", fontsize=10)
fig.tight_layout()
plt.show()

# %%
# After such short training the kernels are noisy, but look for the pattern of
# the hand-made detector of :doc:`01_convolutions`: a band of positive weights next
# to a band of negative ones responds to an edge across the bands, and some kernels
# show it in different directions. Nobody designed them; they are what helped the
# classification loss.
#
# What do they do to an image? Run one test image through the network in
# evaluation mode and keep the outputs of the first block (after the ReLU, 6 maps
# of 28x28) and of the second (16 maps of 10x10). Indexing an ``nn.Sequential``
# with a slice, ``modern_net[:3]``, gives the network up to that layer.

modern_net.eval()
image = X_test[0:1].to(device)  # an ankle boot
with torch.no_grad():
    maps1 = modern_net[:3](image)[0].cpu()  # conv, batch norm, ReLU
    maps2 = modern_net[:7](image)[0].cpu()  # ... pool, conv, batch norm, ReLU
modern_net.train()
print("class:", FASHION_MNIST_CLASSES[int(y_test[0])])
print("block 1 maps:", tuple(maps1.shape), "| block 2 maps:", tuple(maps2.shape))
assert maps1.shape == (6, 28, 28) and maps2.shape == (16, 10, 10)

fig, axes = plt.subplots(3, 8, figsize=(10, 4.2))
axes[0, 0].imshow(image[0, 0].cpu(), cmap="gray")
axes[0, 0].set_title("input", fontsize=8)
for k in range(6):
    axes[0, k + 1].imshow(maps1[k], cmap="viridis")
    axes[0, k + 1].set_title(f"block 1, ch {k}", fontsize=8)
for k in range(16):
    ax = axes[1 + k // 8, k % 8]
    ax.imshow(maps2[k], cmap="viridis")
    ax.set_title(f"block 2, ch {k}", fontsize=8)
for ax in axes.flat:
    ax.axis("off")
fig.tight_layout()
plt.show()

# %%
# The first block's maps are still recognisably the boot, each one lighting up a
# different kind of edge or region. The second block's maps are coarser and more
# abstract: 10x10 summaries of where higher-level patterns occur. The dense block
# classifies from those 16 maps.
#
# Summary
# -------
#
# * LeNet is two blocks of convolution, activation and pooling (6 and 16 channels,
#   5x5 kernels) followed by three fully connected layers (120, 84, 10): the image
#   shrinks from 28x28 to 5x5 while the channels grow.
# * A shape walk, one layer at a time on a dummy input, is the quickest way to check
#   an architecture; the output-size formula predicts every step.
# * Measure the cost per 1,000 images before choosing the data and epochs; here it
#   made us train on 10,000 images instead of 60,000.
# * With the same budget, ReLU, max pooling and batch normalisation (with a learning
#   rate, schedule and initialisation of their own) learn from the first epoch and
#   reach a clearly higher accuracy than the sigmoid network.
# * Batch normalisation behaves differently in training and evaluation mode, so
#   evaluate with ``net.eval()``.

# %%
# Exercises
# ---------
#
# 1. Change one thing at a time in the modern form: put the sigmoid back, or the
#    average pooling, or remove the batch normalisation. Which of the three changes
#    matters most on this budget?
#
#    .. dropdown:: Answer
#
#       Build each variant with its own ``nn.Sequential`` and train it with the same
#       ``handson.train`` call, schedule and seed; compare the final test
#       accuracies. Expect large differences, not small ones. The sigmoid brings
#       back the small gradients of the original form, now at learning rate 0.1.
#       Measure what removing batch normalisation costs too, and repeat each
#       variant with a few values of ``HANDSON_SEED_OFFSET`` before you rely on a
#       difference: read every difference against the spread between seeds.
#
# 2. Swap the learning rates: train the original LeNet with the modern form's
#    recipe (0.1 with the cosine schedule), and the modern form with constant 0.9.
#    Then train the original with ``torch.optim.Adam`` at learning rate 0.001. What
#    happens in each case?
#
#    .. dropdown:: Answer
#
#       The gradients of the sigmoid network are small (each sigmoid multiplies them
#       by at most 1/4), so at 0.1 it moves slowly: with the few updates of this
#       page, expect it to stay near chance level for most of the ten epochs. D2L
#       1.0 does train the sigmoid LeNet at 0.1, but on all 60,000 images, with
#       several times as many updates (the ratio is printed above); the older r0.17
#       edition used 0.9. For the modern form, 0.9 is a much larger step than the
#       0.1 it was given: expect larger jumps of the test accuracy from epoch to
#       epoch and a less predictable final accuracy. Adam rescales each parameter's
#       step by the size of its recent gradients, which removes most of the
#       sigmoid's problem: expect the original LeNet to leave chance level much
#       sooner.
#
# 3. In the modern form, replace the first fully connected layer's 120 outputs
#    with 30 and with 480. How do the parameter count and the test accuracy
#    change?
#
#    .. dropdown:: Answer
#
#       ``nn.Linear(400, h)`` and the next layer, ``nn.Linear(h, 84)``, hold
#       :math:`401 h + 84 h + 84` parameters, most of the network, so the total
#       shrinks or grows almost in proportion to :math:`h`. For the test accuracy,
#       compare the change with the spread between seeds (rerun with
#       ``HANDSON_SEED_OFFSET=1`` and ``2``): a change no larger than that spread
#       says that the size of the dense layers is not what limits the network on
#       this budget.
#
# 4. Count the multiply-adds of one forward pass of LeNet, layer by layer (use the
#    formula of exercise 3 of :doc:`01_convolutions` for the convolutions). Which
#    layer does the most arithmetic, and which holds the most parameters?
#
#    .. dropdown:: Answer
#
#       The second convolution: :math:`16 \cdot 6 \cdot 5 \cdot 5 \cdot 10 \cdot 10
#       = 240{,}000`, against :math:`6 \cdot 25 \cdot 28 \cdot 28 = 117{,}600` for the
#       first convolution and :math:`400 \cdot 120 = 48{,}000` for the first dense
#       layer, which holds the most parameters.
#
# 5. **Programming task.** Write LeNet as an ``nn.Module`` subclass whose
#    ``__init__`` takes the activation class and the pooling class
#    (``LeNet(nn.Sigmoid, nn.AvgPool2d)``), check that ``LeNet(nn.ReLU,
#    nn.MaxPool2d)`` gives the same shape walk, and train the variant with ReLU and
#    *average* pooling with the budget of this page.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          class LeNet(nn.Module):
#              def __init__(self, activation=nn.Sigmoid, pool=nn.AvgPool2d):
#                  super().__init__()
#                  self.net = nn.Sequential(
#                      nn.Conv2d(1, 6, kernel_size=5, padding=2), activation(),
#                      pool(kernel_size=2, stride=2),
#                      nn.Conv2d(6, 16, kernel_size=5), activation(),
#                      pool(kernel_size=2, stride=2), nn.Flatten(),
#                      nn.Linear(400, 120), activation(),
#                      nn.Linear(120, 84), activation(), nn.Linear(84, 10))
#                  self.net.apply(init_xavier)
#
#              def forward(self, X):
#                  return self.net(X)
#
#          for layer in LeNet(nn.ReLU, nn.MaxPool2d).net:
#              ...  # the shape walk from above
#          handson.seed(0)
#          variant = LeNet(nn.ReLU, nn.AvgPool2d).to(device)
#          trainer = torch.optim.SGD(variant.parameters(), lr=0.1)
#          scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
#              trainer, T_max=num_epochs)
#          h = handson.train(variant, (X_train, y_train), (X_test, y_test), loss,
#                            trainer, num_epochs, batch_size, scheduler=scheduler,
#                            device=device)
#
#       It uses the modern form's recipe (0.1 with the cosine schedule): without
#       batch normalisation a ReLU network takes too large steps at 0.9. Compare
#       its curves and its final test accuracy with the two networks of the page:
#       it differs from the original by the activation and the recipe, and from the
#       modern form by the pooling and the missing batch normalisation.
