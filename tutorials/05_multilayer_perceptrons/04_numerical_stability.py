"""
Numerical stability and initialisation
======================================

Add layers to an MLP and at some depth it stops learning: the loss stays at its
starting value, or is astronomically large from the first step. The cause is
a product. Backpropagation multiplies one factor per layer, and a product of many
factors that are each a little below or above one shrinks to nothing or grows beyond
any float. This page measures that in a 20-layer network on real Fashion-MNIST
images, layer by layer, for five combinations of activation function and initial
weights, derives the two initialisations that keep the product near one (Xavier for
tanh, Kaiming for ReLU), checks PyTorch's ``nn.init`` against the formulas, and shows
why the weights must start random at all.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * why gradients vanish or explode in deep networks (a product of Jacobians)
      * why the sigmoid makes vanishing gradients likely
      * measure activations and gradients layer by layer in a deep MLP
      * derive the Xavier and Kaiming variances and check ``nn.init`` against them
      * why constant initialisation leaves all hidden units identical

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`01_mlp_basics` (activation functions and their derivatives)
      * :doc:`02_mlp_fashion_mnist` (an MLP trained with ``handson.train``)
      * variance of a sum of independent variables
        (:doc:`../02_preliminaries/06_probability`)
      * data: Fashion-MNIST (one batch for the measurements, 10,000 images for a
        short training run)
"""

# sphinx_gallery_thumbnail_number = 3

import itertools
import math

import matplotlib.pyplot as plt
import torch
from torch import nn

import handson
from handson.data import load_fashion_mnist

handson.seed(0)
device = handson.device()

# %%
# The idea
# --------
#
# Take a network of :math:`K` layers. For one example, layer :math:`k` turns the
# previous layer's output :math:`\mathbf{h}^{(k-1)}` into
# :math:`\mathbf{h}^{(k)} = f_k(\mathbf{h}^{(k-1)})`, starting from the input
# :math:`\mathbf{h}^{(0)} = \mathbf{x}` and ending with the output
# :math:`\mathbf{o} = \mathbf{h}^{(K)}`. By the chain rule the gradient of the output
# with respect to the weights :math:`\mathbf{W}^{(k)}` of layer :math:`k` is a
# product,
#
# .. math::
#
#    \partial_{\mathbf{W}^{(k)}} \mathbf{o}
#    = \underbrace{\partial_{\mathbf{h}^{(K-1)}} \mathbf{h}^{(K)}}_{\mathbf{M}^{(K)}}
#    \cdots
#    \underbrace{\partial_{\mathbf{h}^{(k)}} \mathbf{h}^{(k+1)}}_{\mathbf{M}^{(k+1)}}
#    \,\underbrace{\partial_{\mathbf{W}^{(k)}} \mathbf{h}^{(k)}}_{\mathbf{v}^{(k)}},
#
# of :math:`K - k` Jacobian matrices and one last factor. For an MLP layer
# :math:`\mathbf{h}^{(k)} = \phi(\mathbf{z}^{(k)})` with
# :math:`\mathbf{z}^{(k)} = \mathbf{W}^{(k)\top} \mathbf{h}^{(k-1)} +
# \mathbf{b}^{(k)}`, the Jacobian is
# :math:`\mathbf{M}^{(k)} = \operatorname{diag}(\phi'(\mathbf{z}^{(k)}))
# \mathbf{W}^{(k)\top}`: the weights times the activation's derivative at every
# unit. If these matrices shrink vectors a little, the gradient of the first layers
# *vanishes*; if they stretch vectors a little, it *explodes*. Both scale
# geometrically with depth, and both depend on two choices we make: the activation
# function :math:`\phi` and the scale of the initial weights.
#
# Vanishing gradients: the sigmoid
# --------------------------------
#
# :doc:`01_mlp_basics` showed the derivative of the sigmoid,
# :math:`\operatorname{sigmoid}'(x) = \operatorname{sigmoid}(x)(1 -
# \operatorname{sigmoid}(x))`. Here it is again, from autograd:

x = (torch.arange(-160, 161) / 20).requires_grad_(True)  # -8, -7.95, ..., 8
y = torch.sigmoid(x)
(grad,) = torch.autograd.grad(y.sum(), x)
print(f"largest derivative of the sigmoid: {grad.max().item():.4f} "
      f"at x = {x[grad.argmax()].item():.2f}")
print(f"derivative at x = 5: {grad[x.detach() == 5].item():.4f}")
print(f"0.25 ** 10 = {0.25 ** 10:.2e} (the most that the derivatives of ten sigmoid "
      "layers leave)")
torch.testing.assert_close(grad.max(), torch.tensor(0.25))

fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(x.detach(), y.detach(), label="sigmoid")
ax.plot(x.detach(), grad, "--", label="derivative")
ax.axhline(0.25, color="gray", lw=0.6)
ax.set_xlabel("$x$")
ax.set_title("The sigmoid's derivative is at most 1/4")
ax.legend()
plt.show()

# %%
# The derivative is at most one quarter (at :math:`x = 0`) and almost zero once
# :math:`|x|` is a few units, where the sigmoid *saturates*. Every sigmoid layer
# multiplies the backward signal by these derivatives, so over ten layers they
# contribute a factor of at most the printed power of one quarter. That is not yet
# the whole gradient: each Jacobian also contains the layer's weights, and weights
# large enough could make up for the quarter. But large weights make the inputs
# :math:`z` of the next sigmoid large too, and there the derivative is far below one
# quarter, so the sigmoid leaves little room between vanishing and saturating. This
# is why ReLU, whose derivative is exactly 1 wherever it is active, replaced the
# sigmoid in hidden layers.
#
# Exploding products: random matrices
# -----------------------------------
#
# The weight matrices in the product matter as much as the derivatives. Multiply 100
# random :math:`4 \times 4` matrices with standard normal entries, as D2L does, and
# follow the Frobenius norm of the running product. We do the same for
# :math:`256 \times 256` matrices, once with standard normal entries and once with
# entries of variance :math:`1/256`. Double precision keeps the largest products
# finite.


def product_norms(n, std, num_factors=100):
    """Frobenius norms of the running product of num_factors random n x n matrices."""
    P = torch.eye(n, dtype=torch.float64)
    norms = []
    for _ in range(num_factors):
        P = P @ (torch.randn(n, n, dtype=torch.float64) * std)
        norms.append(torch.linalg.norm(P).item())
    return norms


products = {
    "4 x 4, N(0, 1)": product_norms(4, 1.0),
    "256 x 256, N(0, 1)": product_norms(256, 1.0),
    "256 x 256, N(0, 1/256)": product_norms(256, 1 / math.sqrt(256)),
}
for name, norms in products.items():
    print(f"{name:24s} norm of 1 factor {norms[0]:9.3g}, of the product of 100: "
          f"{norms[-1]:9.3g}")
assert products["4 x 4, N(0, 1)"][-1] > 1e15
assert products["256 x 256, N(0, 1)"][-1] > torch.finfo(torch.float32).max
assert 0.1 < products["256 x 256, N(0, 1/256)"][-1] / math.sqrt(256) < 10

fig, ax = plt.subplots(figsize=(6, 3.5))
for name, norms in products.items():
    ax.semilogy(range(1, 101), norms, label=name)
ax.set_xlabel("number of factors")
ax.set_ylabel("Frobenius norm of the product")
ax.set_title("Products of random matrices")
ax.legend()
plt.show()

# %%
# With standard normal entries the product explodes: each :math:`4 \times 4` factor
# stretches a typical vector by a factor above one, and the printed norm after 100
# factors is astronomically large; each :math:`256 \times 256` factor stretches by
# about :math:`\sqrt{256} = 16`, and the product's norm ends beyond anything float32
# can hold. Scaled to variance :math:`1/n`, the factors stretch by about one on
# average, and the norm of the product stays near that of a single factor. Choosing
# the variance of the weights so that each layer keeps the scale is what the two
# standard initialisations do.
#
# Keeping the variance: Xavier and Kaiming
# ----------------------------------------
#
# Look at one unit of a layer with :math:`n_\text{in}` inputs and
# :math:`n_\text{out}` outputs, without the bias:
# :math:`z = \sum_{j=1}^{n_\text{in}} w_j x_j`. Suppose the weights are independent
# with mean 0 and variance :math:`\sigma^2`, and independent of the inputs. Then each
# term has mean 0 and variance :math:`\mathbb{E}[w_j^2 x_j^2] = \sigma^2
# \mathbb{E}[x_j^2]`, and the variances of independent terms add:
#
# .. math::
#
#    \operatorname{Var}[z] = n_\text{in} \, \sigma^2 \, \mathbb{E}[x^2].
#
# *Xavier* (Glorot and Bengio, 2010). If the activation is close to the identity
# near 0, as tanh is, then :math:`\mathbb{E}[x^2]` is the variance of the previous
# layer's :math:`z`, and the forward pass keeps the variance when
# :math:`n_\text{in} \sigma^2 = 1`. The backward pass multiplies by
# :math:`\mathbf{W}^\top`, which sums over the :math:`n_\text{out}` outputs instead,
# and keeps the variance of the gradients when :math:`n_\text{out} \sigma^2 = 1`.
# Both cannot hold unless :math:`n_\text{in} = n_\text{out}`; Xavier takes the
# average:
#
# .. math::
#
#    \sigma^2 = \frac{2}{n_\text{in} + n_\text{out}}
#    \quad \text{(normal)}, \qquad
#    w \sim U\left(-\sqrt{\frac{6}{n_\text{in} + n_\text{out}}},
#    \sqrt{\frac{6}{n_\text{in} + n_\text{out}}}\right) \quad \text{(uniform)},
#
# where the uniform bound :math:`a` is chosen so that the variance :math:`a^2 / 3`
# is the same :math:`\sigma^2`.
#
# *Kaiming* (He et al., 2015). After a ReLU, half of a symmetric :math:`z` is set to
# zero, so the next layer sees :math:`\mathbb{E}[x^2] = \operatorname{Var}[z] / 2`.
# Keeping :math:`\operatorname{Var}[z]` from layer to layer then needs
# :math:`n_\text{in} \sigma^2 / 2 = 1`:
#
# .. math::
#
#    \sigma^2 = \frac{2}{n_\text{in}} \quad \text{(normal)}, \qquad
#    w \sim U\left(-\sqrt{\frac{6}{n_\text{in}}}, \sqrt{\frac{6}{n_\text{in}}}\right)
#    \quad \text{(uniform)}.
#
# From scratch
# ^^^^^^^^^^^^
#
# The formulas are one line each. Like ``nn.Linear``, we store a weight as an
# ``(n_out, n_in)`` matrix.


def xavier_normal(n_in, n_out):
    """Weights of shape (n_out, n_in) from N(0, 2 / (n_in + n_out))."""
    return torch.randn(n_out, n_in) * math.sqrt(2 / (n_in + n_out))


def kaiming_normal(n_in, n_out):
    """Weights of shape (n_out, n_in) from N(0, 2 / n_in), for ReLU layers."""
    return torch.randn(n_out, n_in) * math.sqrt(2 / n_in)


# %%
# Concise: ``torch.nn.init``
# ^^^^^^^^^^^^^^^^^^^^^^^^^^
#
# :mod:`torch.nn.init` fills a tensor in place (hence the trailing underscore):
# :func:`~torch.nn.init.xavier_normal_`, :func:`~torch.nn.init.xavier_uniform_`,
# :func:`~torch.nn.init.kaiming_normal_` and :func:`~torch.nn.init.kaiming_uniform_`.
# It reads :math:`n_\text{in}` and :math:`n_\text{out}` from the shape of the weight,
# ``(n_out, n_in)``, so a rectangular layer tells us whether it got them the right
# way round. We compare the standard deviation of 200,704 initialised weights of a
# ``Linear(784, 256)`` layer with the formulas; with that many samples the measured
# value is within a fraction of a percent of the true one. The last row is the
# default initialisation of ``nn.Linear``, a uniform distribution on
# :math:`[-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}}]`, whose standard deviation is
# :math:`1/\sqrt{3 n_\text{in}}`.

n_in, n_out = 784, 256
weight = nn.Linear(n_in, n_out).weight.detach()  # PyTorch's default initialisation
default_std = weight.std().item()
rows = [
    ("Xavier normal", math.sqrt(2 / (n_in + n_out)), xavier_normal(n_in, n_out),
     nn.init.xavier_normal_),
    ("Xavier uniform", math.sqrt(2 / (n_in + n_out)), None, nn.init.xavier_uniform_),
    ("Kaiming normal", math.sqrt(2 / n_in), kaiming_normal(n_in, n_out),
     lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu")),
    ("Kaiming uniform", math.sqrt(2 / n_in), None,
     lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu")),
]
print(f"{'':16}{'formula':>9}{'scratch':>9}{'nn.init':>9}")
for name, std, ours, init_ in rows:
    theirs = init_(torch.empty(n_out, n_in))
    ours_text = "" if ours is None else f"{ours.std().item():9.5f}"
    print(f"{name:16}{std:9.5f}{ours_text:>9}{theirs.std().item():9.5f}")
    for w in [ours, theirs]:
        if w is not None:
            assert abs(w.std().item() / std - 1) < 0.02, name
print(f"{'nn.Linear':16}{1 / math.sqrt(3 * n_in):9.5f}{'':>9}{default_std:9.5f}")
assert abs(default_std * math.sqrt(3 * n_in) - 1) < 0.02
assert 1 / math.sqrt(3 * n_in) < math.sqrt(2 / (n_in + n_out)) < math.sqrt(2 / n_in)

# %%
# All rows agree with their formulas. Note how the printed Kaiming value is larger
# than the Xavier value for this layer (it ignores :math:`n_\text{out}` and has a 2
# in the numerator), and that PyTorch's default is smaller than both.
#
# .. warning::
#
#    ``kaiming_normal_`` and ``kaiming_uniform_`` default to ``mode="fan_in"`` and
#    ``nonlinearity="leaky_relu"`` with slope ``a=0``, which happens to equal ReLU.
#    Pass ``nonlinearity="relu"`` anyway so the code says what it means, and never
#    pass a weight stored as ``(n_in, n_out)``, such as our ``W1`` of
#    :doc:`02_mlp_fashion_mnist`: ``nn.init`` would swap the two fans.
#
# Measuring a deep network
# ------------------------
#
# Now the real thing: an MLP with 20 hidden layers of 256 units on a batch of 256
# Fashion-MNIST images, in five set-ups.
#
# * sigmoid with weights from :math:`\mathcal{N}(0, 0.01^2)`, the small fixed scale
#   used in :doc:`02_mlp_fashion_mnist`;
# * tanh with Xavier initialisation;
# * ReLU with Kaiming initialisation;
# * ReLU with :math:`\mathcal{N}(0, 0.01^2)` (too small) and with
#   :math:`\mathcal{N}(0, 1)` (too large: what ``torch.randn`` gives).
#
# All biases start at zero. We run one forward and one backward pass and record, for
# every hidden layer, the standard deviation of its output :math:`\mathbf{H}^{(k)}`
# and the norm of the gradient of the loss with respect to its weight. Statistics
# are computed in double precision, because the squares of the largest values
# overflow float32.

X_train, y_train = load_fashion_mnist("train")
X_test, y_test = load_fashion_mnist("test")
X, y = X_train[:256].to(device), y_train[:256].to(device)
depth, width = 20, 256


def make_deep_mlp(activation, init, depth=depth, width=width):
    """Flatten, then depth x (Linear, activation), then Linear(width, 10)."""
    layers = [nn.Flatten()]
    n_in = 784
    for _ in range(depth):
        layers += [nn.Linear(n_in, width), activation()]
        n_in = width
    layers.append(nn.Linear(width, 10))
    net = nn.Sequential(*layers)
    for module in net:
        if isinstance(module, nn.Linear):
            init(module.weight)
            nn.init.zeros_(module.bias)
    return net


def layer_stats(net, X, y):
    """Loss, std of every hidden layer's output, norms of the weight gradients."""
    stds = []
    H = X
    for module in net:
        H = module(H)
        if not isinstance(module, (nn.Linear, nn.Flatten)):  # an activation
            stds.append(H.detach().double().std().item())
    l = nn.functional.cross_entropy(H, y)
    net.zero_grad()
    l.backward()
    grads = [m.weight.grad.double().norm().item() for m in net
             if isinstance(m, nn.Linear)]
    return l.item(), stds, grads


setups = {
    "sigmoid, N(0, 0.01²)": (nn.Sigmoid, lambda w: nn.init.normal_(w, 0, 0.01)),
    "tanh, Xavier": (nn.Tanh, nn.init.xavier_normal_),
    "ReLU, Kaiming": (nn.ReLU, lambda w: nn.init.kaiming_normal_(w,
                                                                 nonlinearity="relu")),
    "ReLU, N(0, 0.01²)": (nn.ReLU, lambda w: nn.init.normal_(w, 0, 0.01)),
    "ReLU, N(0, 1)": (nn.ReLU, lambda w: nn.init.normal_(w, 0, 1)),
}
stats = {}
print(f"{'':22}{'loss':>9} | {'std of H: layer 1':>18}{'layer 20':>10} | "
      f"{'grad norm: layer 1':>19}{'layer 20':>10}")
for name, (activation, init) in setups.items():
    handson.seed(0)
    net = make_deep_mlp(activation, init).to(device)
    stats[name] = loss_value, stds, grads = layer_stats(net, X, y)
    print(f"{name:22}{loss_value:9.3g} | {stds[0]:18.2e}{stds[-1]:10.2e} | "
          f"{grads[0]:19.2e}{grads[depth - 1]:10.2e}")

# %%
# A picture of all the layers, on a log scale: left the forward pass, right the
# backward pass.

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for name, (_, stds, grads) in stats.items():
    axes[0].semilogy(range(1, depth + 1), stds, "o-", ms=3, label=name)
    axes[1].semilogy(range(1, depth + 2), grads, "o-", ms=3, label=name)
axes[0].set_xlabel("hidden layer $k$")
axes[0].set_title("forward: std of the layer's output")
axes[1].set_xlabel("layer $k$ (21 = output layer)")
axes[1].set_title("backward: norm of the weight gradient")
axes[1].legend(fontsize=8)
fig.tight_layout()
plt.show()

relu_kaiming = torch.tensor(stats["ReLU, Kaiming"][1])
relu_small = torch.tensor(stats["ReLU, N(0, 0.01²)"][1])
relu_large = torch.tensor(stats["ReLU, N(0, 1)"][1])
sigmoid_stds = torch.tensor(stats["sigmoid, N(0, 0.01²)"][1])
sigmoid_grads = stats["sigmoid, N(0, 0.01²)"][2]
kaiming_grads = torch.tensor(stats["ReLU, Kaiming"][2])
tanh_stds = torch.tensor(stats["tanh, Xavier"][1])
tanh_grads = torch.tensor(stats["tanh, Xavier"][2])
kaiming_ratio = relu_kaiming / relu_kaiming[0]
print(f"ReLU + Kaiming: std of layer k / std of layer 1 between "
      f"{kaiming_ratio.min().item():.2f} and {kaiming_ratio.max().item():.2f}")
print(f"ReLU + N(0, 0.01²): layer 20 / layer 1 = "
      f"{(relu_small[-1] / relu_small[0]).item():.1e}")
print(f"ReLU + N(0, 1):     layer 20 / layer 1 = "
      f"{(relu_large[-1] / relu_large[0]).item():.1e}")
print(f"sigmoid: gradient norm of layer 1 / layer 20 = "
      f"{sigmoid_grads[0] / sigmoid_grads[depth - 1]:.1e}")
print(f"tanh + Xavier: gradient norms between {tanh_grads.min().item():.2f} and "
      f"{tanh_grads.max().item():.2f}")
handson.check("ReLU + Kaiming: smallest std ratio (layer k / layer 1)",
              kaiming_ratio.min(), ">", 0.5, quick=True)
handson.check("ReLU + Kaiming: largest std ratio (layer k / layer 1)",
              kaiming_ratio.max(), "<", 2, quick=True)
handson.check("ReLU + N(0, 0.01²): std ratio layer 20 / layer 1 (collapse)",
              relu_small[-1] / relu_small[0], "<", 1e-10, quick=True)
handson.check("ReLU + N(0, 1): std ratio layer 20 / layer 1 (explosion)",
              relu_large[-1] / relu_large[0], ">", 1e10, quick=True)
handson.check("sigmoid: gradient norm ratio layer 1 / layer 20 (vanishing)",
              sigmoid_grads[0] / sigmoid_grads[depth - 1], "<", 1e-10, quick=True)
handson.check("tanh + Xavier: largest / smallest gradient norm",
              tanh_grads.max() / tanh_grads.min(), "<", 10, quick=True)
handson.check("ReLU + Kaiming: largest / smallest gradient norm",
              kaiming_grads.max() / kaiming_grads.min(), "<", 5, quick=True)
handson.check("tanh + Xavier: std ratio layer 20 / layer 1 (a slow downward drift)",
              tanh_stds[-1] / tanh_stds[0], "<", 0.5, quick=True)
sigmoid_ratio = sigmoid_stds[-1] / sigmoid_stds[0]
handson.check("sigmoid: std ratio layer 20 / layer 1 (no collapse forwards)",
              sigmoid_ratio, ">", 1 / 3, quick=True)
handson.check("sigmoid: std ratio layer 20 / layer 1 (no explosion forwards)",
              sigmoid_ratio, "<", 3, quick=True)

# %%
# The printed ratios and the two plots tell four different stories.
#
# * **ReLU + Kaiming** keeps the scale: every layer's output has about the same
#   standard deviation, and the gradients of all layers are of similar size. This
#   is the combination the derivation promised.
# * **tanh + Xavier** keeps the gradients of all layers within a small factor of
#   each other; its forward scale drifts down slowly, because tanh is only close to
#   the identity near 0 (exercise 3).
# * **ReLU with the wrong scale**: each layer multiplies the output's scale by
#   :math:`\sqrt{n_\text{in} \sigma^2 / 2}`, far below one for
#   :math:`\sigma = 0.01` and far above one for :math:`\sigma = 1`, and after 20
#   layers the outputs have collapsed to almost zero or grown to astronomical values
#   (look at the printed loss). The gradient norms are flat across layers but sit
#   far too low or far too high for any learning rate. (A weight's gradient is the
#   layer's input times the gradient arriving from above; along the network the two
#   change in opposite directions, and for ReLU they cancel.)
# * **sigmoid + N(0, 0.01²)** looks harmless forwards: the outputs sit near
#   :math:`\operatorname{sigmoid}(0) = 1/2` with a small, steady spread. Backwards,
#   every layer multiplies the gradient by at most one quarter times a small weight,
#   and the first layer's gradient is smaller than the last one's by the printed
#   factor: it will not learn.
#
# Does it matter for training?
# ----------------------------
#
# Train the 20-layer ReLU network twice, with Kaiming and with
# :math:`\mathcal{N}(0, 0.01^2)`, for two epochs on the first 10,000 training images
# (a deep network is slower, and two epochs are enough to see the difference).
# Everything else is identical. How much too small is a standard deviation of 0.01?
# Kaiming's is :math:`\sqrt{2 / n_\text{in}}`, so the factor depends on the layer:
# the first layer has 784 inputs, the others 256. A loss of :math:`\log 10` means the
# network still guesses uniformly among the ten classes.

for n_in in (784, width):
    print(f"n_in = {n_in}: Kaiming std {math.sqrt(2 / n_in):.4f}, "
          f"{math.sqrt(2 / n_in) / 0.01:.1f} times 0.01")

lr, num_epochs, batch_size = 0.01, handson.epochs(2), 128
train_data = (X_train[:10_000], y_train[:10_000])
histories = {}
for name in ["ReLU, Kaiming", "ReLU, N(0, 0.01²)"]:
    handson.seed(0)
    net = make_deep_mlp(*setups[name]).to(device)
    print(name)
    histories[name] = handson.train(net, train_data, (X_test, y_test),
                                    nn.CrossEntropyLoss(),
                                    torch.optim.SGD(net.parameters(), lr=lr),
                                    num_epochs, batch_size)
print(f"log 10 = {math.log(10):.4f}")
kaiming_run, small_run = histories["ReLU, Kaiming"], histories["ReLU, N(0, 0.01²)"]
handson.check("training loss after two epochs, Kaiming initialisation",
              kaiming_run.train_loss[-1], "<", 1.5)
handson.check("training loss after two epochs, N(0, 0.01²) (log 10 = 2.30)",
              small_run.train_loss[-1], ">", 2.25, quick=True)
handson.check("test accuracy after two epochs, N(0, 0.01²) (chance: 0.1)",
              small_run.test_acc[-1], "<", 0.2, quick=True)

# %%
# The printed epochs show the Kaiming network learning while the other stays at
# chance, its loss pinned to :math:`\log 10`. Its weights do change, but by amounts
# proportional to gradients of the size printed above. We do not recommend a
# 20-layer plain MLP for these images; the point is that the same architecture is
# trainable or not depending on the initial scale alone.
#
# Breaking the symmetry
# ---------------------
#
# Why not start all weights at the same value, say a small constant? Then every
# hidden unit of a layer computes the same function of the input, so they all get
# the same output, and backpropagation gives them the same gradient. After the
# update they are still equal, and so on for ever: a layer of 16 identical units
# is a layer of one unit. We check this on a small MLP trained for 50 minibatch SGD
# steps from constant weights.

sym_net = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.ReLU(),
                        nn.Linear(16, 10))
for module in [sym_net[1], sym_net[3]]:
    nn.init.constant_(module.weight, 0.01)
    nn.init.zeros_(module.bias)
sym_net = sym_net.to(device)
trainer = torch.optim.SGD(sym_net.parameters(), lr=0.1)
num_steps = 0
for X_b, y_b in itertools.islice(handson.batches(X_train, y_train, 64), 50):
    X_b, y_b = X_b.to(device), y_b.to(device)
    trainer.zero_grad()
    l = nn.functional.cross_entropy(sym_net(X_b), y_b)
    l.backward()
    trainer.step()
    num_steps += 1
W1 = sym_net[1].weight.detach()
print(f"after {num_steps} steps: loss {l.item():.3f}; the 16 hidden units' weights "
      f"differ by at most {(W1 - W1[0]).abs().max().item():.1e}")
print("rank of the first weight matrix:", torch.linalg.matrix_rank(W1).item())
torch.testing.assert_close(W1, W1[0].expand_as(W1))  # all rows equal
assert torch.linalg.matrix_rank(W1).item() == 1
assert (W1[0] - 0.01).abs().max() > 1e-4  # the weights did move, together

# %%
# The weights moved, but in lockstep: every row of the printed first weight matrix
# is the same, so its rank is one. Minibatch SGD never breaks this symmetry, because
# nothing in it treats one unit differently from another. Random initialisation
# breaks it from the start. (Dropout, from :doc:`03_generalization`, would also
# break it, since it drops different units at random.)
#
# Summary
# -------
#
# * A gradient in a deep network is a product of one Jacobian per layer; products of
#   many factors vanish or explode unless each factor keeps the scale.
# * The sigmoid's derivative is at most 1/4, so deep sigmoid networks lose their
#   gradient layer by layer; ReLU's is 1 where it is active.
# * Xavier initialisation, :math:`\sigma^2 = 2 / (n_\text{in} + n_\text{out})`,
#   keeps the scale for tanh-like activations; Kaiming,
#   :math:`\sigma^2 = 2 / n_\text{in}`, keeps it for ReLU. ``nn.init`` implements
#   both and reads the fans from the ``(n_out, n_in)`` weight shape.
# * A 20-layer ReLU MLP with Kaiming initialisation trains; with a standard
#   deviation of 0.01, 8.8 times below Kaiming's for its hidden layers (5.1 times
#   for the first), it stays at chance.
# * Weights must start random: with constant weights all hidden units stay identical.

# %%
# Exercises
# ---------
#
# 1. Add ``"ReLU, PyTorch default"`` to ``setups``, with the initialisation
#    ``lambda w: nn.init.kaiming_uniform_(w, a=math.sqrt(5))`` (what ``nn.Linear``
#    does by itself). Predict from the variance formula what happens to the standard
#    deviation from layer to layer, then check.
#
#    .. dropdown:: Answer
#
#       The default has :math:`\sigma^2 = 1 / (3 n_\text{in})`, so after a ReLU
#       :math:`\operatorname{Var}[z]` is multiplied by
#       :math:`n_\text{in} \sigma^2 / 2 = 1/6` at every layer: the standard
#       deviation shrinks by :math:`\sqrt{6} \approx 2.4` per layer, by about
#       :math:`6^{19/2}` from the first hidden layer to the 20th. Harmless for the
#       two-layer network of :doc:`02_mlp_fashion_mnist`, fatal for deep plain
#       networks. Initialise deep ReLU networks with Kaiming, or add normalisation
#       layers (:doc:`../08_model_development/02_resnet`).
#
# 2. Derive the Kaiming variance for a *leaky* ReLU, :math:`\max(x, a x)` with a
#    small slope :math:`a`, and compare with
#    ``nn.init.calculate_gain("leaky_relu", a) ** 2 / n_in``.
#
#    .. dropdown:: Answer
#
#       For symmetric :math:`z`, :math:`\mathbb{E}[\max(z, a z)^2] =
#       \tfrac{1}{2}\operatorname{Var}[z] + \tfrac{a^2}{2}\operatorname{Var}[z]`,
#       so keeping the variance needs :math:`n_\text{in} \sigma^2 (1 + a^2) / 2 = 1`,
#       that is :math:`\sigma^2 = 2 / ((1 + a^2) n_\text{in})`. PyTorch's gain is
#       :math:`\sqrt{2 / (1 + a^2)}`, the same.
#
# 3. Why does the forward scale of the tanh + Xavier network drift down with depth?
#    Try ``nn.init.xavier_normal_(w, gain=5 / 3)``, the gain that
#    ``nn.init.calculate_gain("tanh")`` recommends.
#
#    .. dropdown:: Answer
#
#       Xavier assumes :math:`\phi(z) \approx z`, but :math:`|\tanh(z)| < |z|` for
#       every :math:`z \neq 0`, so each layer loses a little variance. A gain above
#       one makes up for it; with 5/3 the scale stays roughly constant over 20
#       layers.
#
# 4. In the symmetry experiment, initialise only the first layer with a constant
#    and keep PyTorch's random initialisation of the second. Do the hidden units
#    stay identical?
#
#    .. dropdown:: Answer
#
#       No. The hidden units still compute the same value at the first step, but the
#       gradient that reaches unit :math:`j` is
#       :math:`\sum_k w^{(2)}_{jk} \, \partial_{o_k} \ell`, which differs from unit
#       to unit when the columns of the second layer differ. After one step the rows
#       of the first weight matrix differ and the units go their own ways.
#
# 5. **Programming task.** Write ``init_kaiming_uniform(module)``, which fills
#    every ``nn.Linear`` weight with :math:`U(-a, a)`, :math:`a = \sqrt{6 /
#    n_\text{in}}`, using only ``torch.rand`` (no ``nn.init``) and zeroes the bias.
#    Apply it with ``net.apply`` to a 50-layer ReLU MLP and check that the standard
#    deviation of every layer's output stays within a factor 10 of the first layer's
#    (with PyTorch's default initialisation, exercise 1, it falls by a factor of
#    about :math:`\sqrt{6}` per layer).
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def init_kaiming_uniform(module):
#              if isinstance(module, nn.Linear):
#                  n_in = module.weight.shape[1]  # weight is (n_out, n_in)
#                  a = math.sqrt(6 / n_in)
#                  with torch.no_grad():
#                      u = torch.rand_like(module.weight)  # U(0, 1)
#                      module.weight.copy_((2 * u - 1) * a)  # U(-a, a)
#                      module.bias.zero_()
#
#          handson.seed(0)
#          net = make_deep_mlp(nn.ReLU, lambda w: None, depth=50)
#          net.apply(init_kaiming_uniform)
#          net = net.to(device)  # X and y are on the device
#          _, stds, _ = layer_stats(net, X, y)
#          ratio = torch.tensor(stds) / stds[0]
#          print(f"std of layer k / layer 1: from {ratio.min().item():.2f} "
#                f"to {ratio.max().item():.2f}")
#          assert 1 / 10 < ratio.min() and ratio.max() < 10
#
#       ``net.apply`` calls the function on every submodule, so the activations
#       and ``nn.Flatten`` are skipped by the ``isinstance`` test. Over 50 layers
#       the scale wanders more than over 20: with 256 units per layer, each layer
#       multiplies it by a slightly random factor, and how far the extremes reach
#       depends on the seed (a factor 3 either way is too tight a bound for some
#       seeds, hence the 10). It does not drift steadily up or down, as it
#       does with a wrong :math:`\sigma`, where 50 layers would change it by a
#       factor of :math:`6^{49/2} \approx 10^{19}`.
