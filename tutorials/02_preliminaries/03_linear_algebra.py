"""
Linear algebra
==============

Every model in this course, from the line of the first page to a transformer, is
built from a handful of operations on arrays of numbers: add them elementwise, sum
them along an axis, multiply matrices, and measure how large they are with a norm.
This page introduces the objects (scalars, vectors, matrices, tensors) and these
operations. Each product and each norm is written twice: first from scratch, with
loops and sums that show its definition, then with the one-line PyTorch call the rest
of the course uses, and the two are checked to agree. Then we check the textbook
identities of linear algebra numerically on random tensors, and watch a
:math:`2 \\times 2` matrix turn the unit circle into an ellipse.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * scalars, vectors, matrices and tensors as PyTorch tensors; the transpose and
        symmetric matrices
      * elementwise operations and the Hadamard product; sums and means along an
        axis, ``keepdim``, and the cumulative sum
      * dot products, matrix-vector and matrix-matrix products, from scratch and with
        ``@``, ``torch.mv`` and ``torch.mm``
      * the :math:`\\ell_1`, :math:`\\ell_2`, :math:`\\ell_\\infty` and Frobenius
        norms, from scratch and with ``torch.linalg.norm``
      * check identities such as :math:`(\\mathbf{A}\\mathbf{B})^\\top =
        \\mathbf{B}^\\top \\mathbf{A}^\\top` and the Cauchy–Schwarz inequality on
        random tensors

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../01_getting_started/01_fit_a_line` and :doc:`01_tensors` (tensors,
        shapes, broadcasting)
      * school algebra; no linear algebra is assumed
      * data: none; small random tensors drawn by the page itself
"""

# sphinx_gallery_thumbnail_number = 2

import math
import time

import matplotlib.pyplot as plt
import torch

import handson

handson.seed(0)

# %%
# Scalars
# -------
#
# A *scalar* is a single number, written in lowercase italics: :math:`x, y, a`.
# :math:`x \in \mathbb{R}` says that :math:`x` is a real number. In PyTorch a scalar
# is a tensor with no axes at all: its shape is empty. The usual arithmetic works.

x = torch.tensor(3.0)
y = torch.tensor(2.0)
print("x + y =", x + y, "| x * y =", x * y, "| x / y =", x / y, "| x ** y =", x**y)
print("shape:", x.shape, "| number of axes:", x.ndim)
assert x.ndim == 0 and x.shape == torch.Size([])

# %%
# Vectors
# -------
#
# A *vector* is a list of scalars, its *elements*, written in bold lowercase:
#
# .. math::
#
#    \mathbf{x} = \begin{bmatrix} x_1 \\ x_2 \\ \vdots \\ x_n \end{bmatrix},
#    \qquad \mathbf{x} \in \mathbb{R}^n .
#
# Vectors are *column* vectors unless we say otherwise. The number of elements
# :math:`n` is the vector's *dimension*. In a data set, one example with :math:`d`
# features is a vector :math:`\mathbf{x}^{(i)} \in \mathbb{R}^d`. In code a vector is
# a tensor with one axis, and the element :math:`x_i` is ``x[i - 1]``: the math counts
# from 1, Python from 0.

x = torch.arange(3)
print("x =", x)
print("x_3 = x[2] =", x[2].item(), "| len(x) =", len(x), "| x.shape =", x.shape)
assert len(x) == x.shape[0] == 3 and x.ndim == 1

# %%
# .. note::
#
#    "Dimension" means two things. The *dimension of a vector* is its length
#    (``len(x)``); the *dimensionality of a tensor* is its number of axes
#    (``x.ndim``). A vector of dimension 3 is a tensor with one axis. We say "axis"
#    for the second meaning whenever we can.
#
# Matrices
# --------
#
# A *matrix* is a table of scalars with :math:`m` rows and :math:`n` columns,
# written in bold uppercase, :math:`\mathbf{A} \in \mathbb{R}^{m \times n}`. Its
# element in row :math:`i` and column :math:`j` is :math:`a_{ij}`, which is
# ``A[i - 1, j - 1]`` in code. A data set of :math:`n` examples with :math:`d`
# features is a matrix :math:`\mathbf{X} \in \mathbb{R}^{n \times d}`, one example
# per row.
#
# The *transpose* :math:`\mathbf{A}^\top` flips a matrix over its diagonal: row
# :math:`i` becomes column :math:`i`, so :math:`(\mathbf{A}^\top)_{ij} = a_{ji}` and
# :math:`\mathbf{A}^\top \in \mathbb{R}^{n \times m}`. In code it is ``A.T``.

A = torch.arange(6).reshape(3, 2)
print("A =\n", A, "\nA.T =\n", A.T)
assert A.T.shape == (2, 3) and A[2, 0] == A.T[0, 2]
assert torch.equal(A.T.T, A)  # transposing twice gives A back

# %%
# A square matrix that equals its own transpose, :math:`\mathbf{A} =
# \mathbf{A}^\top`, is *symmetric*. Distance tables and covariance matrices are
# symmetric, and so is the Hessian, the matrix of second derivatives of a function
# (:doc:`05_autograd` meets it in an exercise, and
# :doc:`../03_linear_regression/01_california_housing` computes one).

S = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
print("S == S.T:\n", S == S.T)
assert torch.equal(S, S.T)

# %%
# Tensors
# -------
#
# Tensors extend the sequence scalar (no axis), vector (one axis), matrix (two axes)
# to any number of axes. We write tensors of order three and more in a sans-serif
# font, :math:`\mathsf{X}`, with elements :math:`x_{ijk}`. A colour image is a tensor
# with three axes (channel, height, width); a batch of images adds a fourth, which is
# how the course's image loaders return Fashion-MNIST: shape ``(N, 1, 28, 28)``.

X = torch.arange(24).reshape(2, 3, 4)
print(X)
print("shape:", X.shape, "| axes:", X.ndim, "| elements:", X.numel())
assert X.numel() == 2 * 3 * 4

# %%
# Elementwise operations
# ----------------------
#
# Two tensors of the same shape combine *elementwise*: :math:`\mathbf{A} +
# \mathbf{B}` adds the elements in matching positions. Multiplying elements in
# matching positions is the *Hadamard product* :math:`\mathbf{A} \odot \mathbf{B}`,
#
# .. math::
#
#    (\mathbf{A} \odot \mathbf{B})_{ij} = a_{ij} \, b_{ij},
#
# which PyTorch writes ``A * B``. A scalar combined with a tensor is applied to every
# element (broadcasting), and the shape does not change.

A = torch.arange(6, dtype=torch.float32).reshape(2, 3)
B = A.clone()  # a copy in new memory; B = A would make both names share one tensor
print("A + B =\n", A + B)
print("A * B (Hadamard) =\n", A * B)
print("2 + X has shape", (2 + X).shape, "| 2 * X has shape", (2 * X).shape)
assert torch.equal(A * B, A**2) and (2 * X).shape == X.shape

# %%
# .. warning::
#
#    ``*`` is the *elementwise* product, not the matrix product (that is ``@``,
#    below). For two square matrices of the same size both exist, neither raises an
#    error, and they give different answers:

M = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
print("M * M =\n", M * M, "\nM @ M =\n", M @ M)
assert not torch.equal(M * M, M @ M)

# %%
# Reductions: sums and means
# --------------------------
#
# The sum of the elements of a vector is :math:`\sum_{i=1}^{n} x_i`; of a matrix,
# :math:`\sum_{i=1}^{m} \sum_{j=1}^{n} a_{ij}`. ``.sum()`` adds up every element of
# a tensor of any shape and returns a scalar: it *reduces* all axes.

x = torch.arange(4, dtype=torch.float32)
print("x =", x, "| sum:", x.sum())
print("A =\n", A, "\nsum of all elements:", A.sum())
assert x.sum() == 0 + 1 + 2 + 3

# %%
# Summing along one axis reduces only that axis. ``A.sum(dim=0)`` adds the rows
# together (it runs down each column, :math:`\sum_i a_{ij}`), so axis 0 disappears
# from the shape; ``A.sum(dim=1)`` adds the columns (along each row,
# :math:`\sum_j a_{ij}`). Summing over both axes is the full sum. The *mean* is the
# sum divided by the number of elements summed. (PyTorch also accepts NumPy's name
# ``axis=`` for ``dim=``.)

print("A.sum(dim=0) =", A.sum(dim=0), "shape", tuple(A.sum(dim=0).shape))
print("A.sum(dim=1) =", A.sum(dim=1), "shape", tuple(A.sum(dim=1).shape))
print("A.mean() =", A.mean(), "| A.sum() / A.numel() =", A.sum() / A.numel())
print("A.mean(dim=0) =", A.mean(dim=0))
assert A.sum(dim=0).shape == (3,) and A.sum(dim=1).shape == (2,)
torch.testing.assert_close(A.sum(dim=[0, 1]), A.sum())
torch.testing.assert_close(A.mean(), A.sum() / A.numel())
torch.testing.assert_close(A.mean(dim=0), A.sum(dim=0) / A.shape[0])

# %%
# Keeping the reduced axis
# ~~~~~~~~~~~~~~~~~~~~~~~~
#
# ``keepdim=True`` keeps the summed axis with length 1. The result then broadcasts
# against the original tensor, which is what we want to, say, divide each row by its
# own sum so that every row sums to 1 (the last step of softmax, in
# :doc:`../04_linear_classification/02_softmax_regression_scratch`).

row_sums = A.sum(dim=1, keepdim=True)
print("row sums:", row_sums.tolist(), "shape", tuple(row_sums.shape))
P = A / row_sums  # (2, 3) / (2, 1): each row divided by its own sum
print("A / row_sums =\n", P, "\nits row sums:", P.sum(dim=1))
torch.testing.assert_close(P.sum(dim=1), torch.ones(2))

# %%
# .. warning::
#
#    Without ``keepdim`` the row sums have shape ``(m,)``, and broadcasting lines
#    that up with the *last* axis: it divides *columns*, not rows. For the
#    :math:`2 \times 3` matrix above PyTorch raises a shape error, but for a square
#    matrix the division silently does the wrong thing:

M = torch.tensor([[1.0, 3.0], [2.0, 6.0]])
right = M / M.sum(dim=1, keepdim=True)
wrong = M / M.sum(dim=1)
print("with keepdim, row sums:   ", right.sum(dim=1))
print("without keepdim, row sums:", wrong.sum(dim=1))
torch.testing.assert_close(right.sum(dim=1), torch.ones(2))
assert not torch.allclose(wrong.sum(dim=1), torch.ones(2))

# %%
# A sum that does not reduce: the *cumulative sum* along an axis keeps the shape and
# holds the running totals, :math:`c_{ij} = \sum_{k=1}^{i} a_{kj}` along axis 0. Its
# last row is the full sum along that axis.

print("A.cumsum(dim=0) =\n", A.cumsum(dim=0))
assert A.cumsum(dim=0).shape == A.shape
torch.testing.assert_close(A.cumsum(dim=0)[-1], A.sum(dim=0))

# %%
# Products from scratch
# ---------------------
#
# The *dot product* of two vectors of the same length multiplies matching elements
# and adds them up:
#
# .. math::
#
#    \mathbf{x}^\top \mathbf{y} = \sum_{i=1}^{n} x_i y_i .
#
# It is the workhorse of the course: a linear model's prediction
# :math:`\mathbf{w}^\top \mathbf{x} + b` is a dot product plus a bias, and when the
# weights are non-negative and sum to 1 the dot product is a weighted average.
#
# A *matrix-vector product* :math:`\mathbf{A}\mathbf{x}`, with
# :math:`\mathbf{A} \in \mathbb{R}^{m \times n}` and :math:`\mathbf{x} \in
# \mathbb{R}^n`, takes the dot product of every row :math:`\mathbf{a}_i^\top` of
# :math:`\mathbf{A}` with :math:`\mathbf{x}`, and gives a vector in
# :math:`\mathbb{R}^m`:
#
# .. math::
#
#    (\mathbf{A}\mathbf{x})_i = \mathbf{a}_i^\top \mathbf{x}
#    = \sum_{j=1}^{n} a_{ij} x_j, \qquad i = 1, \dots, m.
#
# So a matrix maps vectors of :math:`\mathbb{R}^n` to vectors of
# :math:`\mathbb{R}^m`; a fully connected layer of a network is exactly this map plus
# a bias. A *matrix-matrix product* :math:`\mathbf{C} = \mathbf{A}\mathbf{B}`, with
# :math:`\mathbf{B} \in \mathbb{R}^{n \times p}`, is :math:`p` matrix-vector products
# side by side, one per column :math:`\mathbf{b}_j` of :math:`\mathbf{B}`:
#
# .. math::
#
#    c_{ij} = \mathbf{a}_i^\top \mathbf{b}_j = \sum_{k=1}^{n} a_{ik} b_{kj},
#    \qquad \mathbf{C} \in \mathbb{R}^{m \times p}.
#
# The inner sizes must agree (:math:`n` columns of :math:`\mathbf{A}`, :math:`n` rows
# of :math:`\mathbf{B}`). Here are the three definitions written with loops, one
# scalar at a time.


def dot(x, y):
    """Dot product of two vectors of the same length, one term at a time."""
    assert x.shape == y.shape and x.ndim == 1
    total = torch.zeros((), dtype=x.dtype)
    for i in range(len(x)):
        total += x[i] * y[i]
    return total


def matvec(A, x):
    """Matrix-vector product: entry i is the dot product of row i of A with x."""
    return torch.stack([dot(A[i], x) for i in range(A.shape[0])])


def matmat(A, B):
    """Matrix-matrix product: entry (i, j) is row i of A dotted with column j of B."""
    m, n = A.shape
    assert B.shape[0] == n, f"inner sizes differ: {A.shape} and {B.shape}"
    C = torch.zeros(m, B.shape[1], dtype=A.dtype)
    for i in range(m):
        for j in range(B.shape[1]):
            C[i, j] = dot(A[i], B[:, j])
    return C


x = torch.arange(3, dtype=torch.float32)
y = torch.ones(3, dtype=torch.float32)
print("dot(x, y) =", dot(x, y), "= sum(x) =", x.sum())
assert dot(x, y) == x.sum()

# %%
# The matrix-vector product also has a middle way between loops and a library call:
# broadcast :math:`\mathbf{x}` over the rows of :math:`\mathbf{A}`, multiply
# elementwise and sum along each row. It is the formula
# :math:`\sum_j a_{ij} x_j` read literally.

A = torch.randn(5, 4)
x = torch.randn(4)
print("matvec(A, x)        =", matvec(A, x))
print("(A * x).sum(dim=1)  =", (A * x).sum(dim=1))
torch.testing.assert_close((A * x).sum(dim=1), matvec(A, x))

# %%
# Products, concise
# -----------------
#
# PyTorch has one function per product, and the operator ``@`` (:func:`torch.matmul`)
# that picks the right one from the shapes:
#
# ==================================  ===================  =========
# math                                function             operator
# ==================================  ===================  =========
# :math:`\mathbf{x}^\top \mathbf{y}`  ``torch.dot(x, y)``  ``x @ y``
# :math:`\mathbf{A} \mathbf{x}`       ``torch.mv(A, x)``   ``A @ x``
# :math:`\mathbf{A} \mathbf{B}`       ``torch.mm(A, B)``   ``A @ B``
# ==================================  ===================  =========
#
# All of them agree with our loops:

y = torch.randn(4)
B = torch.randn(4, 3)
torch.testing.assert_close(torch.dot(x, y), dot(x, y))
torch.testing.assert_close(x @ y, dot(x, y))
torch.testing.assert_close(torch.mv(A, x), matvec(A, x))
torch.testing.assert_close(A @ x, matvec(A, x))
torch.testing.assert_close(torch.mm(A, B), matmat(A, B))
torch.testing.assert_close(A @ B, matmat(A, B))
print("shapes: A", tuple(A.shape), "@ x", tuple(x.shape), "->", tuple((A @ x).shape),
      "| A", tuple(A.shape), "@ B", tuple(B.shape), "->", tuple((A @ B).shape))
print("the loops and torch.dot / torch.mv / torch.mm / @ agree")

# %%
# ``torch.mv`` and ``torch.mm`` accept only vectors and matrices. ``@`` also
# multiplies *batches*: for a tensor of shape ``(2, 5, 4)`` it multiplies each of
# the two :math:`5 \times 4` matrices by :math:`\mathbf{B}`, which is how a layer is
# applied to a batch of sequences later in the course.

X = torch.randn(2, 5, 4)
print("(2, 5, 4) @ (4, 3) ->", tuple((X @ B).shape))
torch.testing.assert_close((X @ B)[1], X[1] @ B)

# %%
# Why bother with the library call? Speed. Our ``matmat`` spends its time in Python,
# one scalar at a time; ``@`` hands the whole product to an optimised routine in
# compiled code (multithreaded, for large matrices). We time both on two square
# matrices (a small size, because the loop is slow; quick mode shrinks it further).
# Other programs on the machine can slow any single run down, so we keep the fastest
# of several runs, the least disturbed one. And we time on one thread: on a busy
# machine a multithreaded product this small can spend milliseconds waiting for a
# free core, which would measure the machine's load, not the code.


def best_time(fn, num_repeats):
    """The shortest wall-clock time of num_repeats calls of fn(), in seconds."""
    times = []
    for _ in range(num_repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


size = handson.shrink(24, 8)
A, B = torch.randn(size, size), torch.randn(size, size)
torch.testing.assert_close(A @ B, matmat(A, B))
num_threads = torch.get_num_threads()
torch.set_num_threads(1)
time_loops = best_time(lambda: matmat(A, B), num_repeats=3)
time_library = best_time(lambda: A @ B, num_repeats=100)
torch.set_num_threads(num_threads)  # back to the default
speedup = time_loops / time_library
print(f"{size} x {size} matrices: loops {time_loops * 1e3:.1f} ms, "
      f"@ {time_library * 1e6:.1f} us, speed-up {speedup:.0f}x")
handson.check("speed-up of @ over the Python loops", speedup, ">", 10, quick=True)

# %%
# The printed speed-up is the reason the models of this course compute with
# whole-tensor operations. Loops over elements appear only where they spell out a
# definition, as in the from-scratch functions of this page.
#
# Norms
# -----
#
# A *norm* measures the size of a vector. Any norm :math:`f` satisfies three rules:
#
# .. math::
#
#    f(\alpha \mathbf{x}) = |\alpha| f(\mathbf{x}), \qquad
#    f(\mathbf{x} + \mathbf{y}) \le f(\mathbf{x}) + f(\mathbf{y}), \qquad
#    f(\mathbf{x}) > 0 \text{ for } \mathbf{x} \neq \mathbf{0},
#
# scaling, the *triangle inequality*, and positivity. The three norms used most in
# deep learning are the Euclidean :math:`\ell_2` norm, the length of the arrow from
# the origin to :math:`\mathbf{x}`; the :math:`\ell_1` norm, the sum of absolute
# values; and the :math:`\ell_\infty` norm, the largest absolute value:
#
# .. math::
#
#    \|\mathbf{x}\|_2 = \sqrt{\sum_{i=1}^n x_i^2}, \qquad
#    \|\mathbf{x}\|_1 = \sum_{i=1}^n |x_i|, \qquad
#    \|\mathbf{x}\|_\infty = \max_i |x_i| .
#
# All three are members of the :math:`\ell_p` family,
# :math:`\|\mathbf{x}\|_p = (\sum_i |x_i|^p)^{1/p}`. Without a subscript,
# :math:`\|\mathbf{x}\|` means :math:`\|\mathbf{x}\|_2`. For a matrix, the
# *Frobenius norm* is the :math:`\ell_2` norm of all its elements taken as one long
# vector:
#
# .. math::
#
#    \|\mathbf{X}\|_F = \sqrt{\sum_{i=1}^m \sum_{j=1}^n x_{ij}^2} .
#
# From scratch, each is one line:


def l2_norm(x):
    """Euclidean norm: the square root of the sum of squares."""
    return torch.sqrt((x**2).sum())


def l1_norm(x):
    """The sum of absolute values."""
    return x.abs().sum()


def linf_norm(x):
    """The largest absolute value."""
    return x.abs().max()


def frobenius_norm(X):
    """The l2 norm of all the elements of a matrix."""
    return torch.sqrt((X**2).sum())


u = torch.tensor([3.0, -4.0])
print(f"u = {u.tolist()}: l2 {l2_norm(u):.4f}, l1 {l1_norm(u):.4f}, "
      f"l_inf {linf_norm(u):.4f}")
ones = torch.ones(4, 9)
print(f"Frobenius norm of a 4 x 9 matrix of ones: {frobenius_norm(ones):.4f}")

# %%
# The concise versions are :func:`torch.linalg.norm` with an ``ord`` argument for
# vectors, and :func:`torch.linalg.matrix_norm` (Frobenius by default) for matrices.

torch.testing.assert_close(torch.linalg.norm(u), l2_norm(u))
torch.testing.assert_close(torch.linalg.norm(u, ord=1), l1_norm(u))
torch.testing.assert_close(torch.linalg.norm(u, ord=math.inf), linf_norm(u))
W = torch.randn(4, 9)
torch.testing.assert_close(torch.linalg.matrix_norm(W), frobenius_norm(W))
torch.testing.assert_close(torch.linalg.norm(W), frobenius_norm(W))
print("from scratch and torch.linalg agree on the l2, l1, l_inf and Frobenius norms")

# %%
# .. warning::
#
#    ``torch.linalg.norm(W)`` with no ``ord`` is the Frobenius norm, but
#    ``torch.linalg.norm(W, ord=2)`` on a *matrix* is a different norm: the spectral
#    norm, the largest stretch :math:`\max_{\|\mathbf{x}\| = 1}
#    \|\mathbf{W}\mathbf{x}\|` (we meet it again at the end of the page). Only for
#    vectors does ``ord=2`` mean the Euclidean norm.

spectral = torch.linalg.norm(W, ord=2)
print(f"W: Frobenius {frobenius_norm(W):.4f}, ord=2 (spectral) {spectral:.4f}")
assert spectral < frobenius_norm(W)

# %%
# Norms are everywhere in deep learning. The mean squared error of the first page is
# a squared :math:`\ell_2` norm, :math:`L = \frac{1}{n} \|\hat{\mathbf{y}} -
# \mathbf{y}\|_2^2`; weight decay (:doc:`../05_multilayer_perceptrons/03_generalization`)
# adds
# :math:`\frac{\lambda}{2}\|\mathbf{w}\|_2^2` to a loss to keep the weights small
# (:math:`\lambda \ge 0` sets how strongly).

y_hat, y = torch.randn(10), torch.randn(10)
torch.testing.assert_close(((y_hat - y) ** 2).mean(),
                           torch.linalg.norm(y_hat - y) ** 2 / len(y))

# %%
# What does "size" look like for each norm? The *unit ball* of a norm is the set of
# points with norm at most 1. To draw its boundary in the plane we take a unit
# direction :math:`(\cos\theta, \sin\theta)` for many angles and rescale it to norm
# 1. By construction every point then has norm exactly 1; the code checks it.

theta = torch.linspace(0, 2 * math.pi, 721)
directions = torch.stack([torch.cos(theta), torch.sin(theta)], dim=1)  # (721, 2)
fig, ax = plt.subplots(figsize=(5, 5), layout="constrained")
for p, name in [(1, r"$\ell_1$"), (2, r"$\ell_2$"), (math.inf, r"$\ell_\infty$")]:
    lengths = torch.linalg.norm(directions, ord=p, dim=1, keepdim=True)
    boundary = directions / lengths  # every row now has norm 1
    torch.testing.assert_close(torch.linalg.norm(boundary, ord=p, dim=1),
                               torch.ones(len(theta)))
    ax.plot(boundary[:, 0], boundary[:, 1], lw=2, label=name)
ax.set_aspect("equal")
ax.axhline(0, color="gray", lw=0.5)
ax.axvline(0, color="gray", lw=0.5)
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.set_title("Points of norm 1")
ax.legend()
plt.show()

# %%
# The :math:`\ell_1` ball is a diamond with corners on the axes, the
# :math:`\ell_\infty` ball a square, and the :math:`\ell_2` ball the circle between
# them. The corners of the diamond are why an :math:`\ell_1` penalty tends to set
# weights exactly to zero, a story for the chapter on regularisation.
#
# Identities, checked numerically
# -------------------------------
#
# Linear algebra comes with rules that are proved once, on paper. Here we also test
# them on random tensors. For matrices of compatible sizes and vectors of equal
# length:
#
# .. math::
#
#    (\mathbf{A}\mathbf{B})^\top &= \mathbf{B}^\top \mathbf{A}^\top, \\
#    \mathbf{A}(\mathbf{B} + \mathbf{C}) &= \mathbf{A}\mathbf{B} +
#    \mathbf{A}\mathbf{C}, \\
#    \|\mathbf{x}\|_2^2 &= \mathbf{x}^\top \mathbf{x}, \\
#    \operatorname{tr}(\mathbf{A}\mathbf{D}) &=
#    \operatorname{tr}(\mathbf{D}\mathbf{A}), \\
#    \|\mathbf{x} + \mathbf{y}\|_2 &\le \|\mathbf{x}\|_2 + \|\mathbf{y}\|_2
#    \quad \text{(triangle inequality)}, \\
#    |\mathbf{x}^\top \mathbf{y}| &\le \|\mathbf{x}\|_2 \, \|\mathbf{y}\|_2
#    \quad \text{(Cauchy–Schwarz)}.
#
# The *trace* :math:`\operatorname{tr}(\mathbf{M}) = \sum_i m_{ii}` is the sum of
# the diagonal of a square matrix (:func:`torch.trace`). In the trace identity
# :math:`\mathbf{A} \in \mathbb{R}^{m \times n}` and :math:`\mathbf{D} \in
# \mathbb{R}^{n \times m}`, so :math:`\mathbf{A}\mathbf{D}` is :math:`m \times m`
# and :math:`\mathbf{D}\mathbf{A}` is :math:`n \times n`: two matrices of different
# sizes with the same trace.
#
# Cauchy–Schwarz is what makes angles between vectors well defined: the ratio
# :math:`\cos\theta = \mathbf{x}^\top \mathbf{y} / (\|\mathbf{x}\| \|\mathbf{y}\|)`
# always lies in :math:`[-1, 1]`.
#
# Each trial below draws random sizes and random tensors. The two sides of an
# identity are computed by different sequences of floating-point operations, so
# they agree up to rounding, and ``assert_close`` allows for exactly that. For the
# inequalities we record the worst ratio of left to right side over all trials. A
# ratio can come arbitrarily close to 1 (when the two random vectors happen to be
# nearly parallel), and in ``float32`` it may then round to 1 or a hair above it;
# so the ratios are computed in ``float64`` and compared with 1 allowing for
# ``float64`` rounding.

num_trials = handson.shrink(200, 20)
worst = {"(AB)^T - B^T A^T": 0.0, "A(B+C) - (AB+AC)": 0.0,
         "||x||^2 - x^T x": 0.0, "tr(AD) - tr(DA)": 0.0}
worst_triangle = worst_cauchy = 0.0
for _ in range(num_trials):
    m, n, p = torch.randint(2, 8, (3,)).tolist()
    A, D = torch.randn(m, n), torch.randn(n, m)
    B, C = torch.randn(n, p), torch.randn(n, p)
    x, y = torch.randn(n), torch.randn(n)
    pairs = {"(AB)^T - B^T A^T": ((A @ B).T, B.T @ A.T),
             "A(B+C) - (AB+AC)": (A @ (B + C), A @ B + A @ C),
             "||x||^2 - x^T x": (torch.linalg.norm(x) ** 2, x @ x),
             "tr(AD) - tr(DA)": (torch.trace(A @ D), torch.trace(D @ A))}
    for name, (left, right) in pairs.items():
        torch.testing.assert_close(left, right)
        worst[name] = max(worst[name], (left - right).abs().max().item())
    x, y = x.double(), y.double()  # float64 for the ratios
    norm_x, norm_y = torch.linalg.norm(x), torch.linalg.norm(y)
    worst_triangle = max(worst_triangle,
                         (torch.linalg.norm(x + y) / (norm_x + norm_y)).item())
    worst_cauchy = max(worst_cauchy, (torch.abs(x @ y) / (norm_x * norm_y)).item())

print(f"{num_trials} random trials; largest difference between the two sides:")
for name, value in worst.items():
    print(f"  {name:18} {value:.2e}")
print(f"largest ||x + y|| / (||x|| + ||y||): {worst_triangle:.6f}")
print(f"largest |x^T y| / (||x|| ||y||):     {worst_cauchy:.6f}")
tol = 1e-12  # room for float64 rounding
handson.check("largest ||x + y|| / (||x|| + ||y||)", worst_triangle, "<=", 1 + tol,
              quick=True)
handson.check("largest |x^T y| / (||x|| ||y||)", worst_cauchy, "<=", 1 + tol,
              quick=True)

# %%
# The printed differences are zero or at the level of float32 rounding, and both
# printed ratios are at most 1, as the inequalities demand. (Sizes start at 2: in
# one dimension all vectors lie on one line, so the Cauchy–Schwarz ratio is always
# exactly 1, and the triangle ratio is 1 whenever the two numbers have the same
# sign.) A triangle ratio reaches 1 only when :math:`\mathbf{y}` is a positive
# multiple of :math:`\mathbf{x}` (a Cauchy–Schwarz ratio, when it is any multiple):
# the two arrows lie on one line.

x = torch.randn(5)
y = 2.5 * x
torch.testing.assert_close(torch.linalg.norm(x + y),
                           torch.linalg.norm(x) + torch.linalg.norm(y))
torch.testing.assert_close(x @ y, torch.linalg.norm(x) * torch.linalg.norm(y))
print("y = 2.5 x: both inequalities hold with equality")

# %%
# .. dropdown:: Why the identities hold
#
#    Write each side with indices. :math:`((\mathbf{A}\mathbf{B})^\top)_{ij} =
#    (\mathbf{A}\mathbf{B})_{ji} = \sum_k a_{jk} b_{ki} = \sum_k
#    (\mathbf{B}^\top)_{ik} (\mathbf{A}^\top)_{kj}`. Distributivity holds entry by
#    entry because :math:`\sum_k a_{ik}(b_{kj} + c_{kj}) = \sum_k a_{ik} b_{kj} +
#    \sum_k a_{ik} c_{kj}`. :math:`\operatorname{tr}(\mathbf{A}\mathbf{D}) =
#    \sum_i \sum_k a_{ik} d_{ki}`, and swapping the order of the two sums gives
#    :math:`\operatorname{tr}(\mathbf{D}\mathbf{A})`. For Cauchy–Schwarz, the
#    quadratic :math:`q(t) = \|\mathbf{x} + t\mathbf{y}\|^2 = \|\mathbf{x}\|^2 +
#    2t\,\mathbf{x}^\top\mathbf{y} + t^2 \|\mathbf{y}\|^2` is never negative, so its
#    discriminant is not positive: :math:`(\mathbf{x}^\top\mathbf{y})^2 \le
#    \|\mathbf{x}\|^2 \|\mathbf{y}\|^2`. The triangle inequality follows by expanding
#    :math:`\|\mathbf{x} + \mathbf{y}\|^2` and applying Cauchy–Schwarz to the cross
#    term.
#
# A matrix as a map of the plane
# ------------------------------
#
# A matrix :math:`\mathbf{A} \in \mathbb{R}^{2 \times 2}` maps every point
# :math:`\mathbf{x}` of the plane to the point :math:`\mathbf{A}\mathbf{x}`. Feed it
# the unit circle, all :math:`\mathbf{x}` with :math:`\|\mathbf{x}\| = 1`, and it
# returns an *ellipse*. The ellipse's longest and shortest semi-axes are the
# matrix's *singular values* :math:`\sigma_1 \ge \sigma_2`: the most and the least
# that :math:`\mathbf{A}` stretches any unit vector,
#
# .. math::
#
#    \sigma_1 = \max_{\|\mathbf{x}\| = 1} \|\mathbf{A}\mathbf{x}\|, \qquad
#    \sigma_2 = \min_{\|\mathbf{x}\| = 1} \|\mathbf{A}\mathbf{x}\|.
#
# The unit vectors that are stretched most and least, :math:`\mathbf{v}_1` and
# :math:`\mathbf{v}_2`, are perpendicular, and :math:`\mathbf{A}` sends them to
# perpendicular directions :math:`\mathbf{u}_1, \mathbf{u}_2`:
# :math:`\mathbf{A}\mathbf{v}_k = \sigma_k \mathbf{u}_k`. These come out of the
# *singular value decomposition* :math:`\mathbf{A} = \mathbf{U} \operatorname{diag}
# (\sigma_1, \sigma_2) \mathbf{V}^\top`, :func:`torch.linalg.svd`. We check all of
# it against the circle itself, sampled at many points, one per column of a
# :math:`2 \times k` matrix so that a single product maps them all.

A = torch.tensor([[1.5, 0.8], [0.3, 1.0]])
num_points = handson.shrink(3600, 720)
theta = torch.linspace(0, 2 * math.pi, num_points + 1)[:-1]
circle = torch.stack([torch.cos(theta), torch.sin(theta)])  # (2, k), unit columns
ellipse = A @ circle  # every point of the circle, mapped at once
stretch = torch.linalg.norm(ellipse, dim=0)  # ||A x|| for every x on the circle

U, sigma, Vh = torch.linalg.svd(A)
V = Vh.T  # the columns of V are v_1 and v_2
# v_k and u_k are defined up to a common sign; flip them to point right and up
signs = torch.sign(torch.diagonal(V))
U, V = U * signs, V * signs
print(f"singular values:        sigma_1 = {sigma[0]:.4f}, sigma_2 = {sigma[1]:.4f}")
print(f"stretch on the circle:  max     = {stretch.max():.4f}, min     = "
      f"{stretch.min():.4f}")
torch.testing.assert_close(stretch.max(), sigma[0], rtol=1e-4, atol=0.0)
torch.testing.assert_close(stretch.min(), sigma[1], rtol=1e-4, atol=0.0)
torch.testing.assert_close(A @ V, U * sigma)  # A v_k = sigma_k u_k, both k at once
torch.testing.assert_close(torch.linalg.norm(A, ord=2), sigma[0])  # spectral norm
torch.testing.assert_close(torch.abs(torch.linalg.det(A)), sigma[0] * sigma[1])
print(f"|det A| = {torch.linalg.det(A).abs():.4f} = sigma_1 * sigma_2")

# %%
# The printed maximum and minimum stretch over the sampled circle match the singular
# values to the resolution of the sampling. Two more facts came along: the spectral
# norm from the warning above is :math:`\sigma_1`, and :math:`|\det \mathbf{A}| =
# \sigma_1 \sigma_2`, because the ellipse's area :math:`\pi \sigma_1 \sigma_2` is the
# circle's area :math:`\pi` times the factor by which :math:`\mathbf{A}` scales
# areas. The picture:

fig, ax = plt.subplots(figsize=(7, 6), layout="constrained")
ax.plot(circle[0], circle[1], color="gray", lw=1.5, label="unit circle")
ax.plot(ellipse[0], ellipse[1], color="C0", lw=2.5,
        label=r"its image $\mathbf{A}\mathbf{x}$")
for k, colour in [(0, "C3"), (1, "C2")]:
    v, Av = V[:, k], sigma[k] * U[:, k]
    ax.annotate("", xy=v.tolist(), xytext=(0, 0),
                arrowprops=dict(arrowstyle="->", color=colour, lw=1.5, ls="--"))
    ax.annotate("", xy=Av.tolist(), xytext=(0, 0),
                arrowprops=dict(arrowstyle="->", color=colour, lw=2.5))
    ax.annotate(rf"$\mathbf{{v}}_{k + 1}$", xy=v.tolist(), xytext=(-22, 2),
                textcoords="offset points", color=colour, fontsize=13)
    ax.annotate(rf"$\sigma_{k + 1} \mathbf{{u}}_{k + 1}$", xy=Av.tolist(),
                xytext=(6, 4), textcoords="offset points", color=colour, fontsize=13)
ax.set_aspect("equal")
ax.set_xlim(-2.1, 2.1)
ax.set_ylim(-1.6, 1.6)
ax.axhline(0, color="gray", lw=0.5)
ax.axvline(0, color="gray", lw=0.5)
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.set_title("A $2 \\times 2$ matrix maps the unit circle to an ellipse")
ax.legend(loc="upper left")
plt.show()

# %%
# Summary
# -------
#
# * Scalars, vectors, matrices and tensors are PyTorch tensors with 0, 1, 2 and more
#   axes; ``A.T`` transposes, and a symmetric matrix equals its transpose.
# * ``*`` is the elementwise (Hadamard) product and ``@`` the matrix product; for
#   square matrices both run, so mixing them up raises no error.
# * ``sum`` and ``mean`` reduce all axes or the ones named in ``dim``; ``keepdim=True``
#   keeps the reduced axis so the result broadcasts back (divide rows by row sums
#   only with it); ``cumsum`` sums without reducing.
# * Dot, matrix-vector and matrix-matrix products are sums of products; written as
#   loops they match ``torch.dot``, ``torch.mv``, ``torch.mm`` and ``@``, which are
#   far faster.
# * Norms measure size: :math:`\ell_2`, :math:`\ell_1`, :math:`\ell_\infty` for
#   vectors, Frobenius for matrices (``torch.linalg.norm``). A matrix stretches unit
#   vectors by at most :math:`\sigma_1` and at least :math:`\sigma_2`, its singular
#   values.

# %%
# Exercises
# ---------
#
# 1. Show that for any square matrix :math:`\mathbf{M}`, the matrix
#    :math:`\mathbf{M} + \mathbf{M}^\top` is symmetric, and that
#    :math:`\mathbf{M}^\top \mathbf{M}` is symmetric even when :math:`\mathbf{M}` is
#    not square. Check both with ``torch.randn``.
#
#    .. dropdown:: Answer
#
#       :math:`(\mathbf{M} + \mathbf{M}^\top)^\top = \mathbf{M}^\top + \mathbf{M}`,
#       and by the product rule for transposes :math:`(\mathbf{M}^\top
#       \mathbf{M})^\top = \mathbf{M}^\top (\mathbf{M}^\top)^\top = \mathbf{M}^\top
#       \mathbf{M}`. In code, with ``M = torch.randn(3, 5)``:
#       ``torch.testing.assert_close(M.T @ M, (M.T @ M).T)``.
#
# 2. Take ``X = torch.arange(24).reshape(2, 3, 4)``. What does ``len(X)`` return?
#    Predict the shapes of ``X.sum(dim=0)``, ``X.sum(dim=1)``, ``X.sum(dim=2)`` and
#    ``X.sum(dim=1, keepdim=True)``, then check.
#
#    .. dropdown:: Answer
#
#       ``len`` returns the length of the first axis, 2. Summing over an axis
#       removes it from the shape, ``(3, 4)``, ``(2, 4)`` and ``(2, 3)``; with
#       ``keepdim=True`` it stays with length 1, ``(2, 1, 4)``.
#
# 3. What does ``torch.linalg.norm`` return for a tensor with three axes, such as
#    ``torch.ones(2, 3, 4)``? Compare with ``torch.linalg.norm`` of the same tensor
#    flattened with ``.reshape(-1)``.
#
#    .. dropdown:: Answer
#
#       With no ``ord`` and no ``dim``, :func:`torch.linalg.norm` flattens its input
#       and returns the :math:`\ell_2` norm of all the elements, here
#       :math:`\sqrt{24}`, the same as for the flattened vector. That is also why it
#       equals the Frobenius norm for a matrix. Give ``dim=`` to get one norm per
#       slice instead, as the unit-ball plot does with ``dim=1``.
#
# 4. For :math:`n \times n` matrices :math:`\mathbf{A}, \mathbf{B}` and a vector
#    :math:`\mathbf{x}`, :math:`(\mathbf{A}\mathbf{B})\mathbf{x} =
#    \mathbf{A}(\mathbf{B}\mathbf{x})`. Which order needs fewer multiplications?
#    Time both with ``n = 2000`` and check that they agree.
#
#    .. dropdown:: Answer
#
#       :math:`\mathbf{A}\mathbf{B}` costs :math:`n^3` multiplications, then
#       :math:`n^2` more for the vector; :math:`\mathbf{A}(\mathbf{B}\mathbf{x})` is
#       two matrix-vector products, :math:`2n^2`. For :math:`n = 2000` that is about
#       a thousand times fewer. The measured speed-up is smaller, because a
#       matrix-matrix product gets more work done per memory access than a
#       matrix-vector product. The results agree only up to rounding, so compare
#       with ``torch.testing.assert_close`` and a looser ``rtol`` if needed. Where to
#       put the brackets matters in backpropagation too: it multiplies Jacobians from
#       the output side so that every product is with a vector.
#
# 5. **Programming task.** The largest singular value :math:`\sigma_1` can be found
#    with products alone. *Power iteration* starts from a random unit vector
#    :math:`\mathbf{v}` and repeats :math:`\mathbf{v} \leftarrow
#    \mathbf{A}^\top\mathbf{A}\mathbf{v} / \|\mathbf{A}^\top\mathbf{A}\mathbf{v}\|`;
#    then :math:`\|\mathbf{A}\mathbf{v}\| \to \sigma_1`. Write
#    ``largest_singular_value(A, num_iters)`` using only ``@`` and
#    ``torch.linalg.norm``, and check it against ``torch.linalg.svdvals(A)[0]`` for
#    the matrix of the last figure and for ``torch.randn(50, 30)``.
#
#    .. dropdown:: Worked answer
#
#       Each step multiplies by :math:`\mathbf{A}^\top\mathbf{A}`, whose largest
#       eigenvalue is :math:`\sigma_1^2`, so the component of :math:`\mathbf{v}`
#       along :math:`\mathbf{v}_1` grows fastest and takes over; the error shrinks
#       by a factor :math:`(\sigma_2 / \sigma_1)^2` per step.
#
#       .. code-block:: python
#
#          def largest_singular_value(A, num_iters=100):
#              v = torch.randn(A.shape[1])
#              v = v / torch.linalg.norm(v)
#              for _ in range(num_iters):
#                  w = A.T @ (A @ v)  # two matrix-vector products, never A.T @ A
#                  v = w / torch.linalg.norm(w)
#              return torch.linalg.norm(A @ v)
#
#          for M in [A, torch.randn(50, 30)]:
#              torch.testing.assert_close(largest_singular_value(M, 500),
#                                         torch.linalg.svdvals(M)[0])
