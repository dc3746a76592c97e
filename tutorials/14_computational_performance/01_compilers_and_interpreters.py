"""
Compilers and interpreters: eager PyTorch and ``torch.compile``
===============================================================

Everything so far ran *imperatively*: Python executes one line, PyTorch runs one
operation, and the next line waits for it. That is easy to write and to debug, but
the Python interpreter sits between every two operations, and no one sees the whole
computation at once, so nothing can be merged or reordered. *Symbolic* programs are
first written down as a whole, then compiled, then run. This page tells D2L's story
of the two styles for today's PyTorch: D2L's PyTorch code uses TorchScript, which the
installed PyTorch deprecates in favour of ``torch.compile``. We capture a graph from
plain Python, compile the MLP of chapter 5 and LeNet of chapter 7, measure the
compile time and the time per step against eager execution, check that the outputs
agree, and look at a *graph break*: Python that the compiler cannot put in a graph.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * imperative (interpreted) against symbolic (compiled) programs
      * what ``torch.compile`` does: TorchDynamo captures a graph from the Python
        byte code, a backend (Inductor) turns it into fused kernels
      * measure compile time and steady-state time per step, honestly, and
        check compiled outputs against eager ones
      * find graph breaks with ``torch._dynamo.explain``, forbid them with
        ``fullgraph=True``, and remove them

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`../05_multilayer_perceptrons/02_mlp_fashion_mnist` (the MLP)
      * :doc:`../07_convolutional_networks/02_lenet` (LeNet)
      * :doc:`../04_linear_classification/02_softmax_regression_scratch` (a training
        step, ``handson.Timer``)
      * a C++ compiler on the machine (Inductor writes and builds C++ for the CPU);
        data: Fashion-MNIST (one minibatch)
"""

# sphinx_gallery_thumbnail_number = 1

import contextlib
import io
import platform
import time
import warnings

import matplotlib.pyplot as plt
import torch
import torch._dynamo
from torch import nn

import handson
from handson.data import load_fashion_mnist

handson.seed(0)
torch._dynamo.reset()  # forget what earlier code in this process compiled
quick = handson.is_quick()
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
      f"CPU: {platform.processor() or platform.machine()}")
if quick:
    print("QUICK MODE: torch.compile with Inductor is SKIPPED on this page (it takes "
          "tens of seconds on 2 cores); only graph capture (TorchDynamo) runs.")

# %%
# Imperative programs
# -------------------
#
# D2L starts from a small program:


def add(a, b):
    return a + b


def fancy_func(a, b, c, d):
    e = add(a, b)
    f = add(c, d)
    g = add(e, f)
    return g


print(fancy_func(1, 2, 3, 4))

# %%
# Python *interprets* it: it runs ``e = add(a, b)``, stores ``e``, runs the next
# line, and so on, three function calls in sequence. It must keep ``e`` and ``f``
# alive until the end, because it cannot know whether a later line will use them.
# With tensors on a fast device, the time Python spends between two operations
# (looking up names, calling functions, dispatching to a kernel) can exceed the time
# of the operation itself.
#
# Symbolic programs
# -----------------
#
# A *symbolic* program is (1) defined as a whole, (2) compiled, (3) called with
# inputs. Because the compiler sees all of it, it may rewrite
# ``(1 + 2) + (3 + 4)`` as ``10``, free ``e`` and ``f`` early, or never allocate
# them. D2L simulates this with Python's own compiler: build the program as text,
# compile it into byte code, execute it.

prog = """
def add(a, b):
    return a + b

def fancy_func(a, b, c, d):
    e = add(a, b)
    f = add(c, d)
    g = add(e, f)
    return g

result = fancy_func(1, 2, 3, 4)
"""
namespace = {}
exec(compile(prog, "<fancy_func>", "exec"), namespace)
print("result of the compiled program:", namespace["result"])
assert namespace["result"] == fancy_func(1, 2, 3, 4) == 10

# %%
# D2L sums up the trade-off: imperative programs are easier to write and debug
# (print anything, use a debugger, any Python); symbolic programs are easier to
# optimise and to *port*, because a compiled graph no longer needs Python.
#
# Hybrid programming in PyTorch, then and now
# -------------------------------------------
#
# Frameworks used to choose: Theano and TensorFlow 1 were symbolic, Chainer and
# PyTorch imperative. D2L's PyTorch code bridges the two with TorchScript,
# ``net = torch.jit.script(net)``, which compiles a module from its Python source
# into a program that runs without Python. The PyTorch installed here deprecates it,
# and says what to use instead:

mlp_d2l = nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 128),
                        nn.ReLU(), nn.Linear(128, 2))  # D2L's get_net()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    scripted = torch.jit.script(mlp_d2l)
deprecations = [str(w.message) for w in caught
                if issubclass(w.category, DeprecationWarning)]
print("\n".join(sorted(set(deprecations))))
assert any("torch.compile" in message for message in deprecations)
x = torch.randn(1, 512)
torch.testing.assert_close(scripted(x), mlp_d2l(x))

# %%
# ``torch.compile`` (PyTorch 2) keeps the model a plain ``nn.Module`` and works in
# two stages:
#
# 1. **TorchDynamo** runs the Python function and, as it interprets the byte code,
#    records every tensor operation in an FX *graph*: a list of operations with
#    their inputs, the symbolic program. It also records *guards* (the shapes,
#    dtypes and Python values the graph assumed); a later call that breaks a guard
#    triggers a recompilation.
# 2. A **backend** compiles the graph. The default, **Inductor**, fuses operations
#    and generates C++ code on a CPU (Triton on a GPU); on a CPU the machine's
#    C++ compiler builds it.
#
# We can watch stage 1 alone: a *backend* is any function that receives the
# captured graph (a ``torch.fx.GraphModule``) and returns something to call. Ours
# prints the graph's code and runs it unchanged.

captured = []


def show_graph(gm, example_inputs):
    """A do-nothing backend: print the captured graph, then run it as it is."""
    captured.append(gm)
    print(gm.code.strip())
    return gm.forward


a, b, c, d = (torch.randn(3) for _ in range(4))
fancy_compiled = torch.compile(fancy_func, backend=show_graph)
torch.testing.assert_close(fancy_compiled(a, b, c, d), fancy_func(a, b, c, d))
num_adds = sum(node.target is torch.ops.aten.add.Tensor or "add" in str(node.target)
               for node in captured[0].graph.nodes if node.op == "call_function")
print(f"{len(captured)} graph, {num_adds} additions in it")
assert len(captured) == 1 and num_adds == 3

# %%
# The three calls to ``add`` are gone: Dynamo *inlined* them, and the graph is
# three additions on the four inputs. That is the program a compiler can optimise.
#
# What a compiler gains: fusion
# -----------------------------
#
# Each eager operation reads its inputs from memory and writes its output back.
# A chain of elementwise operations on a large tensor therefore moves the whole
# tensor through memory once per operation, while a compiler can *fuse* the chain
# into one loop that reads each number once and writes the result once. We time
# the tanh approximation of GELU, a chain of eight elementwise operations (a cube,
# four products or additions with constants, a ``tanh``, two more products), on
# four million numbers, eager and compiled.
# Throughout the page a time is the best of several repeats after a warm-up call,
# because the first calls include one-off costs and other programs share the CPU.


def best_time(fn, number, repeat=5):
    """Seconds per call of fn(): best over `repeat` runs of `number` calls each."""
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def compile_first_call(fn, *args):
    """Compile fn and call it once; return (compiled fn, seconds), or (None, None).

    Inductor needs a working C++ compiler; where it has none (or quick mode is on),
    the page says so and goes on without the compiled version.
    """
    if quick:
        return None, None
    compiled = torch.compile(fn)
    start = time.perf_counter()
    try:
        compiled(*args)
    except torch._dynamo.exc.BackendCompilerFailed as err:
        print(f"torch.compile could not build code on this machine, skipping: {err}")
        return None, None
    return compiled, time.perf_counter() - start


def gelu_tanh(x):
    """The tanh approximation of GELU: a chain of eight elementwise operations."""
    return 0.5 * x * (1 + torch.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))


# The first compilation in a Python process also starts the compiler's machinery
# (imports, a pool of worker processes, C++ headers). A tiny function compiled
# first takes that one-off cost, so that the compile times below are per model.
_, startup_s = compile_first_call(lambda v: torch.sin(v) + 1, torch.rand(8))
if startup_s is not None:
    print(f"one-off start-up (compiling a tiny function first): {startup_s:.1f} s")

x_big = torch.randn(handson.shrink(4_000_000, 100_000))
results = {}  # workload -> (eager s/step, compiled s/step, compile s)
gelu_name = f"GELU, {x_big.numel():,} numbers"
gelu_compiled, gelu_compile_s = compile_first_call(gelu_tanh, x_big)
t_eager = best_time(lambda: gelu_tanh(x_big), number=10)
if gelu_compiled is not None:
    torch.testing.assert_close(gelu_compiled(x_big), gelu_tanh(x_big),
                               rtol=1e-5, atol=1e-5)
    t_comp = best_time(lambda: gelu_compiled(x_big), number=10)
    results[gelu_name] = (t_eager, t_comp, gelu_compile_s)
    print(f"first call (compiling): {gelu_compile_s:.1f} s")
    print(f"eager {t_eager * 1e3:.2f} ms, compiled {t_comp * 1e3:.2f} ms per call: "
          f"speed-up {t_eager / t_comp:.2f}x")
else:
    results[gelu_name] = (t_eager, None, None)
    print(f"eager {t_eager * 1e3:.2f} ms per call; compiled version skipped")

# %%
# The compiled function agrees with the eager one to :math:`10^{-5}` (not
# necessarily bit for bit: the fused loop may evaluate ``tanh`` and the products
# in another order and with vector instructions of its own). The speed-up printed
# above is what fusion buys on the machine that built this page.
#
# The course's models, eager and compiled
# ---------------------------------------
#
# Now the MLP of :doc:`../05_multilayer_perceptrons/02_mlp_fashion_mnist` and
# D2L's LeNet (sigmoids and average pooling) of
# :doc:`../07_convolutional_networks/02_lenet`, on a minibatch of Fashion-MNIST.
# We time three workloads:
#
# * **MLP inference on one image**, D2L's experiment (it times 1000 calls of its MLP
#   on a single example): there is almost no arithmetic, so Python's overhead is
#   what we see;
# * **an MLP training step** (forward, backward, SGD update) on 128 images;
# * **a LeNet training step** on 128 images.
#
# We compile the *module*, ``torch.compile(net)``: its forward pass is captured,
# and AOTAutograd (part of ``torch.compile``) also captures and compiles its
# backward pass. The optimiser step stays eager. Each training workload is
# compiled once, for one batch shape: a new shape would break a guard and compile
# again, so each model's outputs are checked on the shape it was compiled for.

X_train, y_train = load_fashion_mnist("train")
batch_size = 128
X, y = X_train[:batch_size], y_train[:batch_size]


def make_mlp():
    """The MLP of chapter 5: 784 -> 256 -> 10 with a ReLU."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(),
                         nn.Linear(256, 10))


def make_lenet():
    """D2L's LeNet of chapter 7 (sigmoid activations, average pooling)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


# Inference on one image, in evaluation mode and without autograd.
mlp = make_mlp().eval()
x_one = X[:1]
with torch.no_grad():
    mlp_inf, mlp_inf_s = compile_first_call(mlp, x_one)
    t_eager = best_time(lambda: mlp(x_one), number=200)
    if mlp_inf is not None:
        torch.testing.assert_close(mlp_inf(x_one), mlp(x_one), rtol=1e-5, atol=1e-5)
        t_comp = best_time(lambda: mlp_inf(x_one), number=200)
    else:
        t_comp = None
results["MLP inference, 1 image"] = (t_eager, t_comp, mlp_inf_s)

# %%
# For training we build two copies of each network with the same starting weights,
# one eager and one compiled, and take the same five SGD steps with both. The
# losses and the parameters must agree; then we time steps of each.


def train_step(net, optimizer):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(net(X), y)
    loss.backward()
    optimizer.step()
    return loss.detach()


def compare_training(name, make_net, lr=0.1, num_steps=5):
    handson.seed(1)
    net_eager = make_net()
    net_twin = make_net()
    net_twin.load_state_dict(net_eager.state_dict())
    opt_eager = torch.optim.SGD(net_eager.parameters(), lr=lr)
    opt_twin = torch.optim.SGD(net_twin.parameters(), lr=lr)
    compiled, compile_s = compile_first_call(net_twin, X)
    if compiled is None:
        results[name] = (best_time(lambda: train_step(net_eager, opt_eager), 10),
                         None, None)
        return
    losses_eager = [train_step(net_eager, opt_eager) for _ in range(num_steps)]
    losses_comp = [train_step(compiled, opt_twin) for _ in range(num_steps)]
    torch.testing.assert_close(torch.stack(losses_comp), torch.stack(losses_eager),
                               rtol=1e-5, atol=1e-5)
    for p_comp, p_eager in zip(net_twin.parameters(), net_eager.parameters()):
        torch.testing.assert_close(p_comp, p_eager, rtol=1e-4, atol=1e-5)
    print(f"{name}: {num_steps} steps, losses {losses_eager[0]:.4f} -> "
          f"{losses_eager[-1]:.4f}, compiled and eager agree")
    results[name] = (best_time(lambda: train_step(net_eager, opt_eager), 10),
                     best_time(lambda: train_step(compiled, opt_twin), 10), compile_s)


compare_training("MLP training step, 128 images", make_mlp)
compare_training("LeNet training step, 128 images", make_lenet)

# %%
# The training losses agree to :math:`10^{-5}` and the parameters after five
# steps to :math:`10^{-4}` relative: the compiled kernels round differently from
# the eager ones, and five SGD steps carry those differences along. The table:

print(f"{'workload':34}{'eager ms':>10}{'compiled ms':>13}{'speed-up':>10}"
      f"{'compile s':>11}{'break-even steps':>18}")
for name, (t_e, t_c, compile_s) in results.items():
    if t_c is None:
        print(f"{name:34}{t_e * 1e3:10.3f}{'skipped':>13}")
        continue
    gain = t_e - t_c
    even = f"{compile_s / gain:,.0f}" if gain > 0 else "never"
    print(f"{name:34}{t_e * 1e3:10.3f}{t_c * 1e3:13.3f}{t_e / t_c:9.2f}x"
          f"{compile_s:11.1f}{even:>18}")
compiled_ran = all(t_c is not None for _, t_c, _ in results.values())

fig, ax = plt.subplots(figsize=(7, 3.2))
names = list(results)
pos = torch.arange(len(names)).float()
ax.barh(pos + 0.2, [results[n][0] * 1e3 for n in names], 0.4, label="eager")
if compiled_ran:
    ax.barh(pos - 0.2, [results[n][1] * 1e3 for n in names], 0.4, label="compiled")
ax.set_yticks(pos.tolist(), names)
ax.set_xscale("log")
ax.set_xlabel("milliseconds per call (best of 5, log scale)")
ax.legend()
ax.set_title(f"eager against torch.compile, {torch.get_num_threads()} CPU threads")
fig.tight_layout()
plt.show()

# %%
# How to read the table: *speed-up* is eager time over compiled time per call
# after warm-up, and *break-even steps* is how many calls it takes for the time
# saved per call to pay back the compile time ("never" when compiled is not
# faster). For the training rows the compile time is that of the first forward
# call only: Inductor compiles the backward graph lazily, at the first
# ``backward()``, which the column leaves out, so their break-even is too low.
# The sentences below are printed from the measurements, since they depend on the
# machine that ran the page:

if compiled_ran:
    for name, (t_e, t_c, compile_s) in results.items():
        verdict = "faster" if t_c < 0.95 * t_e else (
            "slower" if t_c > 1.05 * t_e else "within 5% of eager")
        print(f"* {name}: compiled is {verdict} "
              f"({t_e / t_c:.2f}x), after {compile_s:.1f} s of compiling.")
else:
    print("torch.compile was skipped, so there is no comparison on this run.")

# %%
# Three things to take from it. First, compiling costs seconds per model on a
# small CPU, far more than a step; it pays off only after many calls (the
# break-even column). Second, where there is a gain, it comes from *fusing*
# memory-bound elementwise work, like the GELU chain; a matrix multiplication or
# a convolution is already one library call, and compiling it does not make it
# faster. LeNet has sigmoids and pooling to fuse, but also convolutions and their
# backward passes: whether its compiled step wins on a CPU is for the measurement
# above to say. Third, for a tiny model called on one
# image there is little to fuse, and a compiled call must first check its guards,
# so on a CPU it can even be slower than eager; on a GPU,
# ``mode="reduce-overhead"`` attacks exactly this overhead with CUDA graphs (the
# ``torch.compile`` docstring: "today, we only reduce overhead for CUDA only
# graphs"). The other modes, ``"max-autotune"`` and
# ``"max-autotune-no-cudagraphs"``, spend more compile time searching for faster
# kernels; we do not try them here because each compiles again.
#
# Graph breaks
# ------------
#
# Dynamo puts in a graph only what it can express as tensor operations. When it
# meets something else, say a ``print``, a ``.item()`` or an ``if`` whose
# condition depends on the *values* in a tensor, it stops the graph, lets Python
# run that piece, and starts a new graph after it: a **graph break**. The
# program stays correct, but each break splits the code into smaller graphs
# (less to fuse) with the interpreter in between. MXNet's ``hybridize`` in D2L
# dropped ``print`` calls from the compiled program; ``torch.compile`` keeps
# Python's meaning, so the ``print`` still runs on every call.
#
# Here is the MLP with two such lines, a data-dependent branch that rescales
# inputs that are not in :math:`[0, 1]` and a ``print`` of the batch size:


class ChattyMLP(nn.Module):
    """The MLP with a data-dependent branch and a print in its forward pass."""

    def __init__(self):
        super().__init__()
        self.net = make_mlp()

    def forward(self, X):
        if X.max() > 1:  # depends on the values in X: Python must see a bool
            X = X / X.max()
        print("forward on a batch of", X.shape[0])
        return self.net(X)


class QuietMLP(nn.Module):
    """The same computation with tensor operations only."""

    def __init__(self):
        super().__init__()
        self.net = make_mlp()

    def forward(self, X):
        X = X / torch.clamp(X.max(), min=1)  # divides only when max(X) > 1
        return self.net(X)


chatty, quiet = ChattyMLP(), QuietMLP()
quiet.load_state_dict(chatty.state_dict())
X_scaled = 3 * X  # values in [0, 3], so the branch is taken
torch.testing.assert_close(quiet(X_scaled), chatty(X_scaled))
explanations = {}
for name, model in [("ChattyMLP", chatty), ("QuietMLP", quiet)]:
    torch._dynamo.reset()
    explanations[name] = torch._dynamo.explain(model)(X_scaled)
    e = explanations[name]
    print(f"{name}: {e.graph_count} graph(s), {e.graph_break_count} graph break(s)")
    for reason in e.break_reasons:
        print("   reason:", str(reason.reason).splitlines()[0][:75])
assert explanations["ChattyMLP"].graph_break_count >= 1
assert explanations["QuietMLP"].graph_break_count == 0
assert explanations["QuietMLP"].graph_count == 1

# %%
# ``ChattyMLP`` breaks: the comparison ``X.max() > 1`` gives a tensor, and the
# ``if`` needs a Python ``bool`` ("generic_jump" on a tensor is Dynamo's name for a
# jump that depends on a tensor), and ``print`` is a Python side effect. The
# ``print`` ran during ``explain`` because Python runs it, between graphs.
# ``QuietMLP`` computes the same outputs (checked above) with ``torch.clamp``
# instead of the ``if``, and is one graph.
#
# Compiled or not, the ``print`` keeps running: here ``ChattyMLP`` is compiled
# with the ``"eager"`` backend (Dynamo captures the graphs, nothing is
# generated) and called twice, and we count the lines it printed.
#
torch._dynamo.reset()
chatty_compiled = torch.compile(chatty, backend="eager")
with contextlib.redirect_stdout(io.StringIO()) as printed:
    for _ in range(2):
        torch.testing.assert_close(chatty_compiled(X_scaled), chatty(X_scaled))
lines = [line for line in printed.getvalue().splitlines() if line.startswith("forward")]
print(f"{len(lines)} lines printed by 2 compiled and 2 eager calls:", lines[0])
assert len(lines) == 4

# %%
# When a graph break would be a performance bug, ask for an error instead:
# ``fullgraph=True`` makes ``torch.compile`` raise at the first break rather
# than fall back to Python. Tracing fails before any code is generated, so this
# is quick even without a C++ compiler.

torch._dynamo.reset()
try:
    torch.compile(chatty, fullgraph=True)(X_scaled)
    raised = None
except torch._dynamo.exc.Unsupported as err:
    raised = err
    print(f"{type(err).__name__}: {str(err).splitlines()[0]}")
assert raised is not None, "fullgraph=True should refuse the graph break"
torch._dynamo.reset()

# %%
# .. note::
#
#    ``torch._dynamo.explain`` only captures graphs (no Inductor, no C++), so it is
#    the cheap way to find breaks; ``TORCH_LOGS=graph_breaks python script.py``
#    prints them during a normal run. Breaks are common in real code (logging,
#    ``.item()`` for a progress bar, ``numpy`` calls); keep them out of the
#    compiled function rather than out of your program.
#
# .. dropdown:: Saving a compiled model (D2L's "Serialization")
#
#    D2L saves its scripted MLP with ``net.save("my_mlp")``: a TorchScript file that
#    C++ can load without Python. ``torch.compile`` does not produce a file; its
#    result lives in the Python process (plus an on-disk cache of generated code).
#    The deprecation message printed above names the replacement for that use,
#    ``torch.export``: its docstring says it traces the tensor computation ahead of
#    time into one graph with Python control flow eliminated (so, like
#    ``fullgraph=True``, no graph breaks) and returns an ``ExportedProgram``,
#    which ``torch.export.save`` writes to a file.
#
# Summary
# -------
#
# * Imperative (eager) code is easy to write and debug; a symbolic program, seen
#   whole by a compiler, can be fused, reordered and run without Python.
# * ``torch.compile`` gets both: TorchDynamo captures graphs from ordinary Python,
#   Inductor generates fused kernels (C++ on a CPU); TorchScript
#   (``torch.jit.script``, D2L's tool) is deprecated.
# * Compiling costs seconds; it pays off for memory-bound elementwise chains and
#   long runs, not for one tiny call. Measure after warm-up, and compare outputs
#   (agreement to about :math:`10^{-5}`, not bit for bit).
# * Values-dependent ``if``, ``print`` and ``.item()`` cause graph breaks;
#   ``torch._dynamo.explain`` counts them, ``fullgraph=True`` forbids them.

# %%
# Exercises
# ---------
#
# 1. Time the MLP's inference at batch sizes 1, 16 and 1024, eager and compiled.
#    Where does compiling start to pay, and why?
#
#    .. dropdown:: Hint
#
#       Each new batch size breaks a shape guard, so the first call at a new size
#       compiles again (after the second size, Dynamo compiles a version with a
#       dynamic batch dimension). At batch 1 the call is mostly overhead; at 1024
#       it is mostly two matrix multiplications, which compilation does not speed
#       up; the ReLU and bias additions in between are all it can fuse.
#
# 2. Replace ``print`` in ``ChattyMLP`` by ``torch._dynamo.graph_break()`` and the
#    ``if`` by a ``torch.where``. How many graphs does ``explain`` report now?
#
#    .. dropdown:: Answer
#
#       Two graphs and one break: ``graph_break()`` forces exactly one break, and
#       ``torch.where`` is an ordinary tensor operation.
#
# 3. Call a compiled function with inputs of four different shapes and count the
#    compilations with ``torch._dynamo.explain`` or ``TORCH_LOGS=recompiles``. What
#    does ``dynamic=True`` change?
#
#    .. dropdown:: Answer
#
#       Without it the first shape is specialised, the second triggers a
#       recompilation with a symbolic (dynamic) size, and later sizes reuse that
#       one. ``dynamic=True`` compiles a dynamic version from the start.
#
# 4. **Programming task.** Compile the *whole* training step (``train_step`` with
#    the optimiser inside) of the MLP instead of only the module, check that five
#    steps give the same parameters as eager training, and compare the time per
#    step with the table above.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          handson.seed(1)
#          net_a, net_b = make_mlp(), make_mlp()
#          net_b.load_state_dict(net_a.state_dict())
#          opt_a = torch.optim.SGD(net_a.parameters(), lr=0.1)
#          opt_b = torch.optim.SGD(net_b.parameters(), lr=0.1)
#          step_b = torch.compile(lambda: train_step(net_b, opt_b))
#          for _ in range(5):
#              train_step(net_a, opt_a)
#              step_b()
#          for p, q in zip(net_a.parameters(), net_b.parameters()):
#              torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)
#          print(best_time(step_b, 10) * 1e3, "ms per compiled step")
#
#       Count the graphs with ``torch._dynamo.explain(step_b)()`` to see where
#       Dynamo splits the step, and expect a longer first call: there is more to
#       compile than the module alone.
