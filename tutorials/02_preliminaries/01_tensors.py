"""
Tensors
=======

Every model in this course reads its data from tensors, keeps its parameters in
tensors and computes its predictions, losses and gradients as operations on tensors.
A tensor is PyTorch's n-dimensional array: a block of numbers with a *shape*, a
*dtype* (what kind of number) and a *device* (where in memory it lives). This page
is a tour of the operations the rest of the course uses without further comment:
creating tensors, reshaping, indexing, elementwise arithmetic, concatenation and
:term:`broadcasting`, and the three details that cause most beginners' bugs: which
operations write into existing memory, which results share memory with their input
(views) and which are copies, and which dtype a result gets. Most claims on the page
are checked by an ``assert`` next to them.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * create tensors (``zeros``, ``ones``, ``arange``, ``randn``, from lists) and
        read and change their shape
      * index, slice, compute elementwise and concatenate
      * the broadcasting rules, drawn, and broadcasting written by hand with
        ``repeat``
      * when an operation allocates new memory, and when two tensors share it
        (views, ``clone``, ``data_ptr()``)
      * dtypes, devices and the hand-over to and from NumPy

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../01_getting_started/01_fit_a_line` (a first look at tensors,
        shapes and ``torch.device``)
      * Python lists and slices; NumPy helps but is not required
      * data: none, every tensor is made by the page itself (no download)
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle

import handson

handson.seed(0)

# %%
# The idea
# --------
#
# A scalar :math:`x` is a tensor with no axes; a vector
# :math:`\mathbf{x} \in \mathbb{R}^{n}` has one axis of length :math:`n`; a matrix
# :math:`\mathbf{X} \in \mathbb{R}^{m \times n}` has two; a tensor of order three,
# such as :math:`\mathsf{X} \in \mathbb{R}^{2 \times 3 \times 4}`, has three. The
# *shape* lists the lengths of the axes, and the number of entries is their product.
# In memory the entries of every tensor sit in one flat row, and a tensor is a
# recipe for reading that row: where to start, and how far to jump (the *stride*)
# to move one step along each axis. That recipe is what makes reshaping, slicing and
# broadcasting cheap, and it is also why some results share memory with their input.
#
# Creating tensors
# ----------------
#
# ``torch.arange(12)`` is the vector :math:`(0, 1, \dots, 11)`. Asking for
# ``dtype=torch.float32`` gives floating-point numbers, the dtype models compute in.

x = torch.arange(12, dtype=torch.float32)
print(x)
print("shape:", x.shape, "| number of entries:", x.numel())
assert x.shape == (12,) and x.numel() == 12
assert x[0] == 0 and x[-1] == 11

# %%
# Tensors filled with a constant, or with random numbers, take the shape as
# arguments. ``torch.randn`` draws each entry independently from a standard normal
# distribution (mean 0, standard deviation 1), one common way to initialise weights in
# code written from scratch (scaled down, as ``torch.normal(0.0, 0.01, ...)`` on the
# first page). It is not the only one: ``torch.nn.Linear`` draws its initial weights
# from a *uniform* distribution, bounded by :math:`1/\sqrt{\text{fan-in}}` (the number
# of inputs), as the bound checked below shows.

zeros = torch.zeros((2, 3, 4))
ones = torch.ones(2, 3, 4)  # the shape as a tuple or as separate numbers
R = torch.randn(3, 4)
print("zeros", tuple(zeros.shape), "| ones", tuple(ones.shape), "| randn",
      tuple(R.shape))
print(R)
assert zeros.shape == ones.shape == (2, 3, 4)
assert zeros.sum() == 0 and ones.sum() == 2 * 3 * 4
linear_weight = torch.nn.Linear(100, 3).weight  # fan-in 100: bound 1 / sqrt(100)
print(f"nn.Linear(100, 3): largest |weight| {linear_weight.abs().max().item():.4f}")
assert linear_weight.abs().max() <= 100**-0.5  # a standard normal would exceed 0.1

# %%
# ``torch.tensor`` builds a tensor from (nested) Python lists; the nesting sets the
# shape, one level per axis.

Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
print(Y)
assert Y.shape == (3, 4) and Y[0, 2] == 4

# %%
# Shapes and reshape
# ------------------
#
# ``reshape`` reads the same twelve entries into a new shape, row by row (the last
# axis varies fastest, "row-major" order). In the math's 1-based indexing, the
# entry in row :math:`i` and column :math:`j` of the :math:`3 \times 4` matrix is
#
# .. math::
#
#    X_{ij} = x_{4(i - 1) + j}, \qquad i = 1, 2, 3, \quad j = 1, \dots, 4,
#
# which in the 0-based code reads ``X[i, j] == x[4 * i + j]``. One length may be
# given as ``-1``: PyTorch infers it from the number of entries.

X = x.reshape(3, 4)
print(X)
for i in range(3):
    for j in range(4):
        assert X[i, j] == x[4 * i + j]
assert x.reshape(-1, 4).shape == x.reshape(3, -1).shape == (3, 4)
print("x.reshape(2, 3, 2):", tuple(x.reshape(2, 3, 2).shape))

# %%
# A shape must account for every entry; ``reshape(5, -1)`` cannot, since 5 does not
# divide 12:

try:
    x.reshape(5, -1)
except RuntimeError as err:
    print("RuntimeError:", err)
else:
    raise AssertionError("reshape(5, -1) of 12 entries should fail")

# %%
# Indexing and slicing
# --------------------
#
# Indexing works as for Python lists, one index or slice per axis: ``X[-1]`` is the
# last row, ``X[1:3]`` rows 1 and 2 (the stop is excluded), ``X[:, 1]`` the second
# column. A missing index means "the whole axis".

print("X[-1]     =", X[-1])
print("X[1:3]    =", X[1:3])
print("X[:, 1]   =", X[:, 1])
assert torch.equal(X[-1], torch.tensor([8.0, 9, 10, 11]))
assert X[1:3].shape == (2, 4) and X[:, 1].shape == (3,)
assert torch.equal(X[1:3, 1:3], torch.tensor([[5.0, 6], [9, 10]]))

# %%
# Assigning to an index or a slice writes into the tensor. A *mask*, a tensor of
# ``True``/``False`` of the same shape, picks out the entries where it is ``True``
# (as a vector, in row-major order).

Z = X.clone()  # a copy to play with; clone() is explained below
Z[1, 2] = 17
Z[0:2, :] = 12  # the first two rows, every column
print(Z)
assert Z[1, 2] == 12 and (Z[:2] == 12).all() and torch.equal(Z[2], X[2])
print("entries of X above 5:", X[X > 5])
assert torch.equal(X[X > 5], torch.arange(6.0, 12))

# %%
# Elementwise operations
# ----------------------
#
# The arithmetic operators apply to each pair of entries in the same position: for
# two tensors of the same shape and a function of two numbers :math:`f`, the result
# has entries :math:`c_i = f(a_i, b_i)`. The product ``a * b`` is the elementwise
# (Hadamard) product :math:`\mathbf{a} \odot \mathbf{b}`, *not* the matrix product
# (that is ``a @ b``). Functions of one number, such as ``torch.exp``, apply to each
# entry on their own.

a = torch.tensor([1.0, 2, 4, 8])
b = torch.tensor([2.0, 2, 2, 2])
print("a + b  =", a + b)
print("a - b  =", a - b)
print("a * b  =", a * b)
print("a / b  =", a / b)
print("a ** b =", a**b)
print("exp(a) =", torch.exp(a))
assert torch.equal(a * b, 2 * a) and torch.equal(a**b, a * a)
assert torch.equal(a / b * b, a)
torch.testing.assert_close(torch.log(torch.exp(a)), a)

# %%
# Comparisons are elementwise too and give a tensor of booleans; reductions such as
# ``sum`` collapse it (here: counting the positions where ``X`` and ``Y`` agree).
# A full reduction returns a 0-dimensional tensor; ``.item()`` turns it into a
# Python number.

print(X == Y)
num_equal = (X == Y).sum()
print("positions where X == Y:", num_equal, "->", num_equal.item())
assert num_equal.shape == () and isinstance(num_equal.item(), int)
assert X.sum().item() == sum(range(12))

# %%
# Concatenation
# -------------
#
# ``torch.cat`` glues tensors along an existing axis: along axis 0 the rows of
# ``Y`` go under those of ``X``, along axis 1 its columns go to the right. All other
# axes must agree. ``torch.stack`` instead creates a *new* axis.

XY0 = torch.cat((X, Y), dim=0)
XY1 = torch.cat((X, Y), dim=1)
XYs = torch.stack((X, Y))
print("cat dim=0:", tuple(XY0.shape), "| cat dim=1:", tuple(XY1.shape),
      "| stack:", tuple(XYs.shape))
print(XY1)
assert XY0.shape == (6, 4) and XY1.shape == (3, 8) and XYs.shape == (2, 3, 4)
assert torch.equal(XY0[3:], Y) and torch.equal(XY1[:, 4:], Y)
assert torch.equal(XYs[1], Y)

# %%
# Broadcasting
# ------------
#
# Elementwise operations also work on tensors of *different* shapes, as long as the
# shapes are compatible. The rules, for two shapes:
#
# 1. **Align on the right.** If one shape has fewer axes, put axes of length 1 in
#    front of it until both have the same number: ``(4,)`` becomes ``(1, 4)``
#    next to a matrix, and ``(1, 1, 4)`` next to a tensor of order three.
# 2. **Compare axis by axis.** In every axis the two lengths must be equal, or one
#    of them must be 1. Otherwise the operation fails.
# 3. **Stretch the 1s.** In every axis the result takes the other length, and a
#    tensor of length 1 along that axis acts as if its single slice were copied
#    that many times.
#
# For the matrices :math:`\mathbf{A} \in \mathbb{R}^{3 \times 1}` (one column) and
# :math:`\mathbf{B} \in \mathbb{R}^{1 \times 4}` (one row), the sum is therefore the
# :math:`3 \times 4` matrix with entries
#
# .. math::
#
#    C_{ij} = A_{i1} + B_{1j}, \qquad i = 1, 2, 3, \quad j = 1, \dots, 4:
#
# the column is copied into every column, the row into every row, and the copies
# are added entry by entry. The picture:

A = torch.arange(3.0).reshape(3, 1)
B = torch.arange(4.0).reshape(1, 4) * 10
C = A + B
print("A", tuple(A.shape), "+ B", tuple(B.shape), "->", tuple(C.shape))
print(C)
assert C.shape == (3, 4)
for i in range(3):
    for j in range(4):
        assert C[i, j] == A[i, 0] + B[0, j]


def draw_cells(ax, values, stretched_from=None, color="C0", title=""):
    """Draw a matrix as a grid of coloured cells with its values written in.

    ``stretched_from`` is the shape before broadcasting: cells outside it are
    copies made by the stretch, drawn pale with a dashed edge.
    """
    rows, cols = values.shape
    for i in range(rows):
        for j in range(cols):
            copy = stretched_from is not None and (
                i >= stretched_from[0] or j >= stretched_from[1])
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=color,
                                   alpha=0.25 if copy else 0.7, edgecolor="k",
                                   linestyle="--" if copy else "-", linewidth=1.2))
            ax.text(j + 0.5, i + 0.5, f"{values[i, j]:g}", ha="center",
                    va="center", fontsize=11, color="0.35" if copy else "k")
    ax.set_xlim(-0.1, 4.1)  # the same frame for every panel: cells of one size
    ax.set_ylim(3.1, -0.1)  # row 0 at the top, as the matrix is printed
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)


A_stretched, B_stretched = torch.broadcast_tensors(A, B)
fig, axes = plt.subplot_mosaic([["A", "A34", "C"], ["B", "B34", "C"]],
                               figsize=(10, 5), layout="constrained")
draw_cells(axes["A"], A, color="C0", title="A: (3, 1)")
draw_cells(axes["B"], B, color="C1", title="B: (1, 4)")
draw_cells(axes["A34"], A_stretched, stretched_from=A.shape, color="C0",
           title="A stretched along axis 1 to (3, 4)")
draw_cells(axes["B34"], B_stretched, stretched_from=B.shape, color="C1",
           title="B stretched along axis 0 to (3, 4)")
draw_cells(axes["C"], C, color="C2", title="C = A + B: (3, 4)")
fig.suptitle("Broadcasting (3, 1) + (1, 4): pale dashed cells are the "
             "stretched copies")
plt.show()

# %%
# The rules in action, on shapes with different numbers of axes.
# :func:`torch.broadcast_shapes` applies the rules to shapes alone:

for shape_a, shape_b in [((3, 1), (1, 4)), ((3, 4), (4,)), ((2, 3, 1), (4,)),
                         ((5, 1, 3), (2, 1)), ((3, 4), ())]:
    print(f"{str(shape_a):>10} with {str(shape_b):>7} -> "
          f"{tuple(torch.broadcast_shapes(shape_a, shape_b))}")
assert torch.broadcast_shapes((3, 4), (4,)) == (3, 4)  # a row added to every row
assert torch.broadcast_shapes((2, 3, 1), (4,)) == (2, 3, 4)
assert torch.broadcast_shapes((5, 1, 3), (2, 1)) == (5, 2, 3)
assert torch.broadcast_shapes((3, 4), ()) == (3, 4)  # a scalar goes everywhere

# %%
# Aligning on the right matters: a vector of length 3 cannot be added to a
# :math:`3 \times 4` matrix, because it lines up with the axis of length 4. Make
# it a column first, shape ``(3, 1)``:

v = torch.tensor([1.0, 2, 3])
try:
    X + v
except RuntimeError as err:
    print("RuntimeError:", err)
else:
    raise AssertionError("(3, 4) + (3,) should fail")
print("X + v.reshape(3, 1):", tuple((X + v.reshape(3, 1)).shape))
assert torch.equal((X + v.reshape(3, 1))[:, 0], X[:, 0] + v)

# %%
# .. warning::
#
#    Broadcasting never fails when one of the two axes has length 1, even when
#    you did not mean it. A column ``(n, 1)`` minus a vector ``(n,)`` is an
#    ``(n, n)`` matrix, not ``n`` differences: the bug met in
#    :doc:`../01_getting_started/01_fit_a_line`. Print shapes when in doubt.

print("(3, 1) - (3,) ->", tuple((v.reshape(3, 1) - v).shape))
assert (v.reshape(3, 1) - v).shape == (3, 3)

# %%
# From scratch: broadcasting by hand
# ----------------------------------
#
# The three rules translate into code directly. ``broadcast_shape`` implements
# rules 1 and 2 on shapes; ``broadcast_by_hand`` implements rule 3 by literally
# copying: ``reshape`` adds the leading axes of length 1 and ``repeat(r_1, r_2,
# ...)`` tiles a tensor :math:`r_k` times along axis :math:`k`. After that both
# tensors have the same shape, and the plain elementwise operation of the previous
# sections applies.


def broadcast_shape(shape_a, shape_b):
    """The shape two tensors broadcast to, by the three rules (rule 1, then 2)."""
    k = max(len(shape_a), len(shape_b))
    shape_a = (1,) * (k - len(shape_a)) + tuple(shape_a)  # rule 1: align right
    shape_b = (1,) * (k - len(shape_b)) + tuple(shape_b)
    shape = []
    for s, t in zip(shape_a, shape_b):
        if s != t and 1 not in (s, t):  # rule 2
            raise ValueError(f"shapes {shape_a} and {shape_b} do not broadcast")
        shape.append(t if s == 1 else s)  # rule 3: take the other length
    return tuple(shape)


def broadcast_by_hand(M, shape):
    """Copy the entries of M so that it has the given shape (rule 3, with copies)."""
    M = M.reshape((1,) * (len(shape) - M.dim()) + tuple(M.shape))
    return M.repeat(*[r if s == 1 else 1 for s, r in zip(M.shape, shape)])


def add_by_hand(M, N):
    """M + N with the broadcasting done by hand."""
    shape = broadcast_shape(M.shape, N.shape)
    M_big, N_big = broadcast_by_hand(M, shape), broadcast_by_hand(N, shape)
    assert M_big.shape == N_big.shape == shape  # now a plain elementwise sum
    return M_big + N_big


A_by_hand = broadcast_by_hand(A, (3, 4))
print(A_by_hand)
print("A + B by hand:")
print(add_by_hand(A, B))

# %%
# Concise: built-in broadcasting
# ------------------------------
#
# The built-in ``+`` must give exactly the same numbers, for every pair of shapes
# above, and :func:`torch.broadcast_shapes` the same shapes. Incompatible shapes
# must fail in both.

shape_pairs = [((3, 1), (1, 4)), ((3, 4), (4,)), ((2, 3, 1), (4,)),
               ((5, 1, 3), (2, 1)), ((3, 4), ()), ((1,), (0,)), ((2, 1, 1), (1, 3, 5))]
for shape_a, shape_b in shape_pairs:
    M, N = torch.randn(shape_a), torch.randn(shape_b)
    shape = torch.broadcast_shapes(shape_a, shape_b)
    assert broadcast_shape(shape_a, shape_b) == shape
    torch.testing.assert_close(add_by_hand(M, N), M + N, rtol=0, atol=0)
print(f"by hand == built in, exactly, for all {len(shape_pairs)} pairs of shapes")

try:
    broadcast_shape((3, 4), (3,))
except ValueError as err:
    print("by hand:  ValueError:", err)
else:
    raise AssertionError("(3, 4) and (3,) should not broadcast")

# %%
# The two differ in cost. ``repeat`` really copies, while PyTorch's built-in
# broadcasting stretches without copying: it reads the stretched axis with stride 0,
# so every step along that axis reads the same number again. ``+`` does this
# internally, and :meth:`torch.Tensor.expand` makes such a stretched tensor visible,
# as a *view* whose stride along the stretched axis is 0. The copy holds 12 numbers;
# the view still reads the 3 of ``A``.

A_view = A.expand(3, 4)
print("repeat: stride", A_by_hand.stride(), "| storage",
      A_by_hand.untyped_storage().nbytes(), "bytes")
print("expand: stride", A_view.stride(), "| storage",
      A_view.untyped_storage().nbytes(), "bytes")
assert torch.equal(A_view, A_by_hand)
assert A_view.stride()[1] == 0
assert A_view.untyped_storage().nbytes() == A.numel() * A.element_size()
assert A_by_hand.untyped_storage().nbytes() == 12 * A.element_size()

# %%
# .. dropdown:: A corner case: axes of length 0
#
#    The rules say "take the other length", not "take the larger length". The
#    difference shows for empty axes: ``(1,)`` broadcasts with ``(0,)`` to ``(0,)``,
#    an empty result (``max`` would say 1). The pair ``((1,), (0,))`` in the test
#    above checks this case, and the assert below checks it once more.

assert torch.broadcast_shapes((1,), (0,)) == (0,)

# %%
# In-place operations and memory
# ------------------------------
#
# ``Y = Y + X`` computes a new tensor in fresh memory and then rebinds the *name*
# ``Y`` to it. Python's ``id()`` identifies an object, and ``data_ptr()`` gives the
# memory address of a tensor's first entry; both change:

Y = torch.ones(3, 4)
before_id, before_ptr = id(Y), Y.data_ptr()
Y = Y + X
print("Y = Y + X:     same object?", id(Y) == before_id,
      "| same memory?", Y.data_ptr() == before_ptr)
assert id(Y) != before_id and Y.data_ptr() != before_ptr

# %%
# Writing into a slice, ``Y[:] = ...``, or using an augmented assignment such as
# ``+=`` updates the existing tensor *in place*: same object, same memory. Methods
# whose names end in an underscore, such as ``add_``, do the same.

before_id, before_ptr = id(Y), Y.data_ptr()
Y[:] = Y + X
print("Y[:] = Y + X:  same object?", id(Y) == before_id,
      "| same memory?", Y.data_ptr() == before_ptr)
assert id(Y) == before_id and Y.data_ptr() == before_ptr
Y += X
Y.add_(X)
print("Y += X, add_:  same object?", id(Y) == before_id,
      "| same memory?", Y.data_ptr() == before_ptr)
assert id(Y) == before_id and Y.data_ptr() == before_ptr
torch.testing.assert_close(Y, 1 + 4 * X)  # ones, plus X four times

# %%
# Why care? Memory, for one: a model updates millions of parameters many times a
# second, and in-place updates avoid allocating a new tensor each time (the
# training loops of :doc:`../01_getting_started/01_fit_a_line` update with ``-=``).
# And *aliasing*: another name bound to the same tensor sees in-place changes but
# not rebinding.

Y = torch.ones(2)
alias = Y
Y = Y + 1  # new tensor; alias still holds the old one
print("after Y = Y + 1: alias =", alias)
assert torch.equal(alias, torch.ones(2))
Y = torch.ones(2)
alias = Y
Y += 1  # in place; alias sees the change
print("after Y += 1:    alias =", alias)
assert torch.equal(alias, torch.full((2,), 2.0))

# %%
# .. warning::
#
#    Autograd (met in :doc:`../01_getting_started/01_fit_a_line`) stores some
#    intermediate results to compute gradients later. Changing one of them in
#    place makes the gradient wrong, so PyTorch refuses at ``backward()``:

w = torch.ones(3, requires_grad=True)
e = torch.exp(w)  # exp keeps its output: it is its own derivative
e += 1  # in place on a tensor autograd still needs
try:
    e.sum().backward()
except RuntimeError as err:
    print("RuntimeError:", str(err).split(":")[0])
else:
    raise AssertionError("backward after an in-place change should fail")

# %%
# Views and copies
# ----------------
#
# Many operations do not copy any numbers: they return a *view*, a new tensor
# object that reads the same memory with a different shape or stride. ``view`` and
# ``reshape`` of a tensor whose entries lie in row-major order, transposes and basic
# slices are views; writing through a view changes the original. We compare the
# start of the underlying memory block, the *storage*:


def same_storage(M, N):
    """Whether two tensors read the same block of memory."""
    return M.untyped_storage().data_ptr() == N.untyped_storage().data_ptr()


x = torch.arange(12.0)
V = x.view(3, 4)
R = x.reshape(3, 4)
S = V[:, 1]  # a column: every 4th number of the storage
print("view:", same_storage(x, V), "| reshape:", same_storage(x, R),
      "| slice:", same_storage(x, S))
assert same_storage(x, V) and same_storage(x, R) and same_storage(x, S)
V[0, 0] = 100.0  # write through the view ...
print("x[0] after writing V[0, 0]:", x[0].item())
assert x[0] == 100 and R[0, 0] == 100  # ... and the original changes

# %%
# The column slice ``S`` starts one entry after ``x`` and jumps 4 entries per step,
# as its ``data_ptr()`` and ``stride()`` show. Its entries are not next to each
# other in memory: ``S`` is not *contiguous*.

offset = (S.data_ptr() - x.data_ptr()) // x.element_size()
print("S starts", offset, "entry after x; stride", S.stride(),
      "; contiguous:", S.is_contiguous())
assert offset == 1 and S.stride() == (4,) and not S.is_contiguous()

# %%
# ``clone`` copies into new memory, and so does indexing with a mask or with a
# list of indices ("advanced indexing"). Writing to a copy leaves the original alone.

Xc = V.clone()
Xm = V[V > 5]
Xi = V[[0, 2]]
print("clone:", same_storage(V, Xc), "| mask:", same_storage(V, Xm),
      "| index list:", same_storage(V, Xi))
assert not same_storage(V, Xc) and not same_storage(V, Xm)
assert not same_storage(V, Xi)
Xc[0, 0] = -1.0
assert V[0, 0] == 100

# %%
# ``view`` and ``reshape`` differ on tensors that are not contiguous, such as the
# transpose ``V.T``. ``view`` never copies, so it refuses when the new shape cannot
# be read from the old memory with fixed strides; ``reshape`` then quietly copies.
# So whether ``reshape`` returns a view depends on its input: do not rely on either.

T = V.T
print("transpose is a view:", same_storage(V, T), "| contiguous:", T.is_contiguous())
assert same_storage(V, T) and not T.is_contiguous()
try:
    T.view(12)
except RuntimeError as err:
    print("T.view(12): RuntimeError:", str(err).split(".")[0])
else:
    raise AssertionError("view of a transpose into one axis should fail")
T12 = T.reshape(12)
print("T.reshape(12) shares memory with V:", same_storage(V, T12))
assert not same_storage(V, T12)
assert torch.equal(T12, T.contiguous().view(12))

# %%
# .. note::
#
#    Rules of thumb: if you want a copy, say so with ``clone()``; if you write
#    into a tensor in place, make sure no view of it is still in use elsewhere.

# %%
# dtype and device
# ----------------
#
# Every tensor has one *dtype*. Floats default to 32-bit (``torch.float32``), which
# is precise enough for deep learning and half the memory of the 64-bit floats
# Python and NumPy use. Python integers become 64-bit integers (``torch.int64``,
# also called ``long``), the dtype of class labels and indices.

print("default float dtype:", torch.get_default_dtype())
f, i = torch.tensor([1.5, 2.0]), torch.tensor([1, 2])
print(f"{f.dtype}: {f.element_size()} bytes per entry | "
      f"{i.dtype}: {i.element_size()} bytes per entry")
assert torch.get_default_dtype() == torch.float32 and f.dtype == torch.float32
assert i.dtype == torch.int64 and torch.arange(3).dtype == torch.int64
assert torch.arange(3.0).dtype == torch.zeros(2).dtype == torch.float32
assert f.element_size() == 4 and i.element_size() == 8

# %%
# Mixing dtypes *promotes* to the one that can hold both (an integer plus a float
# is a float), and ``/`` always divides exactly. ``//`` rounds *down* (towards
# minus infinity), which shows only for negative numbers: ``-7 // 2`` is ``-4``, not
# ``-3``. ``.to(dtype)`` (or ``.float()``, ``.long()``) converts; converting a float
# to an integer instead cuts off the fractional part, towards zero.

print("int64 + float32 ->", (i + f).dtype, "| int64 / int64 ->", (i / i).dtype)
print("[7, -7] // 2 ->", torch.tensor([7, -7]) // 2)
g = torch.tensor([-1.7, 1.7])
print("float -> int64:", g.long(), "| float -> float64:", g.to(torch.float64).dtype)
assert (i + f).dtype == torch.float32 and (i / i).dtype == torch.float32
assert torch.equal(torch.tensor([7, -7]) // 2, torch.tensor([3, -4]))  # floor
assert torch.equal(g.long(), torch.tensor([-1, 1]))  # truncation

# %%
# The *device* is where the memory lives. ``handson.device()`` picks the GPU when
# there is one and the CPU otherwise (taught in
# :doc:`../01_getting_started/01_fit_a_line`), and ``.to(device)`` moves a tensor
# there. ``.to`` returns the tensor itself, without a copy, if it is already on the
# requested device with the requested dtype.

device = handson.device()
X_dev = X.to(device)
print("device:", device, "| X_dev is on", X_dev.device)
assert X_dev.device.type == device.type
assert X.to("cpu") is X and X.to(torch.float32) is X  # nothing to do, no copy
assert (X_dev.cpu() == X).all()

# %%
# .. warning::
#
#    The tensors in one operation must be on the same device: adding a CPU tensor
#    to a GPU tensor raises an error. Move the data to where the model is, once,
#    before the computation.

# %%
# NumPy interop
# -------------
#
# ``.numpy()`` hands a CPU tensor to NumPy *without copying*: the array and the
# tensor share memory, so a write to one shows in the other.
# :func:`torch.from_numpy` (and :func:`torch.as_tensor`) share in the other
# direction, while :func:`torch.tensor` always copies.

t = torch.arange(4.0)
arr = t.numpy()
arr[0] = 42.0
print("tensor after writing to the array:", t)
assert t[0] == 42 and np.shares_memory(arr, t.numpy())

arr = np.zeros(3)
shared, copied = torch.from_numpy(arr), torch.tensor(arr)
arr[0] = 7.0
print("from_numpy:", shared, "| tensor:", copied)
assert shared[0] == 7 and copied[0] == 0

# %%
# .. warning::
#
#    NumPy's default float is 64-bit, and :func:`torch.from_numpy` keeps the dtype.
#    A model's weights are 32-bit. Elementwise operations such as ``*`` promote
#    silently to 64-bit (slower, twice the memory), while the matrix product ``@``,
#    and with it ``nn.Linear``, refuses to mix the two. Either way, convert with
#    ``.float()`` (or ``torch.tensor(arr, dtype=torch.float32)``).

weight = torch.ones(3)  # float32, like a model's weights
print("torch.from_numpy(np.zeros(3)).dtype:", shared.dtype)
print("float64 * float32 ->", (shared * weight).dtype)
try:
    shared @ weight
except RuntimeError as err:
    print("float64 @ float32: RuntimeError:", err)
else:
    raise AssertionError("@ of float64 and float32 should fail")
assert shared.dtype == torch.float64 and (shared * weight).dtype == torch.float64
assert (shared.float() @ weight).dtype == torch.float32

# %%
# ``.numpy()`` works only on CPU tensors that autograd does not track: write
# ``t.detach().cpu().numpy()`` for a parameter that may live on a GPU. For a
# single number use ``.item()``.

w = torch.ones(2, requires_grad=True)
try:
    w.numpy()
except RuntimeError as err:
    print("RuntimeError:", err)
else:
    raise AssertionError("numpy() of a tensor that requires grad should fail")
print(w.detach().cpu().numpy(), "| sum as a Python float:", w.sum().item())
assert isinstance(w.sum().item(), float)

# %%
# Summary
# -------
#
# * A tensor is a shape, a dtype and a device over a flat block of memory; the
#   default float is ``float32``, integers are ``int64``.
# * Broadcasting aligns shapes on the right, requires each pair of lengths to be
#   equal or 1, and stretches the 1s. It gives the same numbers as copying with
#   ``repeat``, but reads the stretched axes with stride 0 instead of copying.
# * ``Y = Y + X`` allocates new memory and rebinds ``Y``; ``Y[:] = ...``, ``+=``
#   and ``add_`` write in place, which every alias of ``Y`` sees.
# * ``view``, slices, transposes and usually ``reshape`` share memory with their
#   input; ``clone``, mask indexing and ``torch.tensor`` copy. ``.numpy()`` and
#   ``torch.from_numpy`` share memory with NumPy.

# %%
# Exercises
# ---------
#
# 1. Replace ``X == Y`` in the comparison cell by ``X < Y`` and ``X > Y``. What
#    do you get, and what does ``(X < Y).sum()`` count?
#
#    .. dropdown:: Answer
#
#       Boolean tensors of shape ``(3, 4)``; summing one counts its ``True``
#       entries, here the positions where ``X`` is below (or above) ``Y``. At
#       every position exactly one of ``X == Y``, ``X < Y`` and ``X > Y`` holds,
#       so the three counts add up to the number of entries, 12.
#
# 2. Predict the shape of the result, or an error, for ``(2, 1, 4) + (3, 1)``,
#    ``(5,) + (5, 1)``, ``(2, 3) + (3, 2)`` and ``(8, 1, 6, 1) + (7, 1, 5)``. Then
#    check your answers with ``torch.broadcast_shapes``.
#
#    .. dropdown:: Answer
#
#       ``(2, 3, 4)``; ``(5, 5)`` (the vector becomes a row, the column is
#       stretched across it); an error (2 meets 3 and 3 meets 2, and neither
#       pair contains a 1); ``(8, 7, 6, 5)``.
#
# 3. Does ``x.reshape(3, 4).T.reshape(12)`` share memory with ``x``? And
#    ``x.reshape(3, 4)[:, ::2]``? Predict, then check with ``same_storage``.
#
#    .. dropdown:: Answer
#
#       The first is a copy: the transpose is not contiguous, and no single stride
#       reads it as one row, so ``reshape`` copies. The second is a view (a basic
#       slice with a step only changes the stride, to 2 along axis 1).
#
# 4. ``Y[:] = Y + X`` keeps the memory of ``Y``, but the right-hand side ``Y + X``
#    is still computed into a temporary tensor first. Find two ways to add ``X``
#    to ``Y`` with no temporary at all, and check with ``data_ptr()`` that ``Y``
#    stays where it was.
#
#    .. dropdown:: Answer
#
#       ``Y.add_(X)`` (or ``Y += X``), and ``torch.add(Y, X, out=Y)``: all three
#       write the result directly into the memory of ``Y``.
#
# 5. **Programming task.** Write ``broadcast_all(*tensors)`` that broadcasts any
#    number of tensors to a common shape by hand (with ``broadcast_shape`` and
#    ``broadcast_by_hand`` from this page, no built-in broadcasting), and check it
#    against :func:`torch.broadcast_tensors` on three tensors of shapes ``(4, 1)``,
#    ``(3,)`` and ``(2, 1, 1)``.
#
#    .. dropdown:: Worked answer
#
#       Broadcasting is associative: the common shape of three shapes is the common
#       shape of the first two, broadcast with the third.
#
#       .. code-block:: python
#
#          from functools import reduce
#
#          def broadcast_all(*tensors):
#              shape = reduce(broadcast_shape, [t.shape for t in tensors], ())
#              return [broadcast_by_hand(t, shape) for t in tensors]
#
#          ts = [torch.randn(4, 1), torch.randn(3), torch.randn(2, 1, 1)]
#          for mine, theirs in zip(broadcast_all(*ts), torch.broadcast_tensors(*ts)):
#              assert mine.shape == (2, 4, 3)
#              torch.testing.assert_close(mine, theirs)
