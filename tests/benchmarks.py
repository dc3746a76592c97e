"""``nox -s bench``: how fast the course trains and builds, as ratios taken in one run.

Prints a table and writes ``_build/bench/bench.json``. Nothing here is a pass/fail
test: the figures depend on the machine, so they are reported, not asserted.

Parts (each can be chosen with ``--parts``):

* ``matmul``   -- the machine's fp32 matrix-multiply rate at the sizes the models use;
* ``train``    -- samples/s (train and eval) of the course's Fashion-MNIST workloads,
  their model FLOP/s as a fraction of the matmul rate, and time to the accuracy the
  tutorial asserts;
* ``cnns``     -- training images/s of the modern CNNs of chapter 09 and their model
  FLOP/s as a fraction of the matmul rate, in the default memory format and in
  channels-last;
* ``sequences`` -- training tokens/s of the hand-written RNN of chapter 11, ours
  (indexing the input weights, loss read once) against the usual D2L-style loop
  (one-hot inputs times a weight matrix, one ``.item()`` per batch) at equal
  perplexity, on characters (28 tokens) and on words (thousands: one-hot's cost grows
  with the vocabulary), and the concise LSTM's fraction of the matmul rate;
* ``transformer`` -- training tokens/s of the small GPT of chapter 13 and its fraction
  of the matmul rate, and the fused attention kernel's speed-up over the scratch one
  (``tests/bench_transformer.py``);
* ``compile``  -- ``torch.compile``'s steady-state speed-up on the course's models, and
  bfloat16 autocast against float32 (``tests/bench_compile.py``, chapter 14);
* ``ddp``      -- ``DistributedDataParallel`` training samples/s with 1 and 2 processes
  (``tests/bench_ddp.py``, chapter 14);
* ``pipeline`` -- a per-sample ``Dataset`` + ``DataLoader`` against in-memory batching,
  same model, same epoch;
* ``build``    -- cold build, rebuild with nothing changed, rebuild after touching one
  tutorial, peak memory; one worker and two (``HANDSON_GALLERY_PARALLEL=2``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "reference" / "_ext"), str(ROOT / "tests")]
from layout import GALLERY_DIRNAME as GALLERY  # noqa: E402

OUT = ROOT / "_build" / "bench"


# --------------------------------------------------------------------------- matmul
def matmul_gflops(m: int, k: int, n: int, min_time: float = 0.5) -> float:
    """Best fp32 GFLOP/s of ``(m, k) @ (k, n)`` over repeated runs."""
    a, b = torch.randn(m, k), torch.randn(k, n)
    for _ in range(3):
        a @ b
    best, spent = float("inf"), 0.0
    while spent < min_time:
        t = time.perf_counter()
        a @ b
        dt = time.perf_counter() - t
        best, spent = min(best, dt), spent + dt
    return 2 * m * k * n / best / 1e9


def bench_matmul() -> dict:
    sizes = {"256x784 @ 784x256 (MLP layer 1)": (256, 784, 256),
             "256x256 @ 256x10 (MLP layer 2)": (256, 256, 10),
             "1024 cube": (1024, 1024, 1024)}
    return {name: round(matmul_gflops(*mkn), 1) for name, mkn in sizes.items()}


# --------------------------------------------------------------------------- models
def softmax_regression() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def mlp() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def lenet() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


class Residual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.skip = nn.Identity() if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return torch.relu(self.body(x) + self.skip(x))


def small_resnet() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        Residual(16, 16), Residual(16, 32, 2), Residual(32, 64, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


#: (model, optimizer settings, accuracy the tutorial asserts, epochs at most)
WORKLOADS = {
    "softmax regression": (softmax_regression, {"lr": 0.1}, 0.83, 10),
    "MLP": (mlp, {"lr": 0.1}, 0.86, 15),
    "LeNet (modern)": (lenet, {"lr": 0.1}, 0.88, 6),
    "small ResNet": (small_resnet, {"lr": 0.05, "momentum": 0.9}, 0.89, 4),
}


def forward_flops(net: nn.Module, x: torch.Tensor) -> int:
    """Multiply-adds x2 of the Linear and Conv2d layers for one example."""
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Linear):
            total += 2 * module.in_features * module.out_features
        elif isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            total += 2 * module.in_channels // module.groups * k * output[0].numel()

    handles = [m.register_forward_hook(hook) for m in net.modules()
               if isinstance(m, (nn.Linear, nn.Conv2d))]
    with torch.no_grad():
        net.eval()(x[:1])
    for h in handles:
        h.remove()
    return total


def train_epoch(net, opt, X, y, batch_size=256) -> None:
    net.train()
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(len(X))
    for i in range(0, len(X), batch_size):
        idx = order[i : i + batch_size]
        opt.zero_grad(set_to_none=True)
        loss_fn(net(X[idx]), y[idx]).backward()
        opt.step()


@torch.no_grad()
def accuracy(net, X, y, batch_size=1024) -> float:
    net.eval()
    hits = sum(int((net(X[i : i + batch_size]).argmax(1) == y[i : i + batch_size]).sum())
               for i in range(0, len(X), batch_size))
    return hits / len(y)


def bench_train(peak_gflops: float, quick: bool) -> dict:
    from handson.data import load_fashion_mnist

    X, y = load_fashion_mnist("train")
    X_test, y_test = load_fashion_mnist("test")
    if quick:
        X, y = X[:6000], y[:6000]
    results = {}
    for name, (make, opt_args, target, max_epochs) in WORKLOADS.items():
        torch.manual_seed(0)
        net = make()
        opt = torch.optim.SGD(net.parameters(), **opt_args)
        flops = forward_flops(net, X)
        reached, spent, epochs_run, acc = None, 0.0, 0, 0.0
        train_rates = []
        for epoch in range(1 if quick else max_epochs):
            t = time.perf_counter()
            train_epoch(net, opt, X, y)
            dt = time.perf_counter() - t
            spent += dt
            train_rates.append(len(X) / dt)
            epochs_run += 1
            acc = accuracy(net, X_test, y_test)
            if reached is None and acc >= target:
                reached = spent
                break
        t = time.perf_counter()
        accuracy(net, X_test, y_test)
        eval_rate = len(X_test) / (time.perf_counter() - t)
        train_rate = max(train_rates)
        achieved = 3 * flops * train_rate / 1e9  # forward + backward (about 2x forward)
        results[name] = {
            "train samples/s": round(train_rate),
            "eval samples/s": round(eval_rate),
            "model GFLOP/s (train)": round(achieved, 1),
            "fraction of matmul peak": round(achieved / peak_gflops, 3),
            "target accuracy": target,
            "test accuracy": round(acc, 4),
            "epochs": epochs_run,
            "seconds to target": round(reached, 1) if reached is not None else None,
        }
    return results


# --------------------------------------------------------------------------- cnns
def bench_cnns(peak_gflops: float, quick: bool) -> dict:
    """Images/s of chapter 09's networks on batches of 128, NCHW and channels-last."""
    from handson import classic_cnns, modern_cnns

    networks = {"AlexNet": classic_cnns.alexnet_small, "VGG": classic_cnns.vgg_small,
                "NiN": classic_cnns.nin_small, "GoogLeNet": classic_cnns.googlenet_small,
                "ResNet": modern_cnns.resnet_small, "DenseNet": modern_cnns.densenet_small,
                "ResNeXt": modern_cnns.resnext_small, "RegNet": modern_cnns.regnet_small}
    X, y = torch.randn(128, 1, 28, 28), torch.randint(0, 10, (128,))
    steps = 2 if quick else 8
    results = {}
    for name, make in networks.items():
        row = {}
        for fmt_name, fmt in [("NCHW", torch.contiguous_format),
                              ("channels-last", torch.channels_last)]:
            torch.manual_seed(0)
            net = make().to(memory_format=fmt)
            Xf = X.contiguous(memory_format=fmt)
            opt = torch.optim.SGD(net.parameters(), lr=0.01)
            loss_fn = nn.CrossEntropyLoss()
            best = float("inf")
            for i in range(steps + 2):  # two warm-up steps
                t = time.perf_counter()
                opt.zero_grad(set_to_none=True)
                loss_fn(net(Xf), y).backward()
                opt.step()
                if i >= 2:
                    best = min(best, time.perf_counter() - t)
            rate = len(X) / best
            flops = 2 * classic_cnns.count_macs(net, (1, 28, 28))
            row[f"{fmt_name} images/s"] = round(rate)
            row[f"{fmt_name} fraction of matmul peak"] = round(
                3 * flops * rate / 1e9 / peak_gflops, 3)
        row["channels-last speed-up"] = round(
            row["channels-last images/s"] / row["NCHW images/s"], 2)
        results[name] = row
    return results


# --------------------------------------------------------------------------- sequences
class _ScratchRNN(nn.Module):
    """Chapter 11's hand-written RNN LM; ``one_hot`` picks D2L's input route."""

    def __init__(self, vocab_size: int, hidden: int, one_hot: bool):
        super().__init__()
        self.one_hot, self.vocab_size = one_hot, vocab_size
        self.W_xh = nn.Parameter(torch.randn(vocab_size, hidden) * 0.01)
        self.W_hh = nn.Parameter(torch.randn(hidden, hidden) * 0.01)
        self.b_h = nn.Parameter(torch.zeros(hidden))
        self.head = nn.Linear(hidden, vocab_size)

    def forward(self, X, state=None):
        if self.one_hot:  # (steps, batch, vocab) float inputs times W_xh
            inputs = nn.functional.one_hot(X.T, self.vocab_size).float() @ self.W_xh
        else:  # row lookups: the same numbers without the multiplications by zero
            inputs = self.W_xh[X.T]
        H = torch.zeros(X.shape[0], self.W_hh.shape[0]) if state is None else state
        outputs = []
        for x in inputs:
            H = torch.tanh(x + H @ self.W_hh + self.b_h)
            outputs.append(H)
        return self.head(torch.stack(outputs, 1)), H


def _d2l_style_epoch(net, corpus, optimizer, batch_size, num_steps, generator) -> float:
    """One epoch the D2L way: a ``.item()`` per batch, the loss averaged on the host."""
    from handson.language_models import clip_gradients
    from handson.sequences import random_batches

    total, count = 0.0, 0
    for X, Y in random_batches(corpus, batch_size, num_steps, generator):
        logits, _ = net(X, None)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                           Y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        clip_gradients(net, 1.0)
        optimizer.step()
        total += loss.item() * Y.numel()  # waits for the step to finish
        count += Y.numel()
    return count


def bench_sequences(peak_gflops: float, quick: bool) -> dict:
    """Tokens/s of the character RNN, ours against D2L's style, and the LSTM's rate."""
    from handson.language_models import evaluate_perplexity, train_language_model
    from handson.text import time_machine

    H, batch_size, num_steps = 128, 32, 35
    results = {}
    for level in ("char", "word"):  # 28 tokens, then thousands: one-hot grows with V
        vocab, train, valid = time_machine(level)
        if quick:
            train = train[:20_000]
        V = len(vocab)
        for name, one_hot in [("ours (indexing, loss read once per epoch)", False),
                              ("D2L style (one-hot @ W, .item() per batch)", True)]:
            rates = []
            for _ in range(2):  # the first run also warms up; the second is kept
                torch.manual_seed(0)
                net = _ScratchRNN(V, H, one_hot)
                opt = torch.optim.Adam(net.parameters(), lr=0.01)
                gen = torch.Generator().manual_seed(0)
                t = time.perf_counter()
                if one_hot:
                    tokens = _d2l_style_epoch(net, train, opt, batch_size, num_steps, gen)
                    rates.append(tokens / (time.perf_counter() - t))
                else:
                    rates.append(train_language_model(
                        net, train, None, opt, 1, batch_size, num_steps,
                        generator=gen).tokens_per_sec[-1])
            results[f"{level} level, V = {V}, {name}"] = {
                "train tokens/s": round(rates[-1]),
                "held-out perplexity after 1 epoch": round(
                    evaluate_perplexity(net, valid), 3)}
    vocab, train, valid = time_machine("char")
    if quick:
        train = train[:20_000]
    V = len(vocab)

    class LSTMLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed, self.rnn = nn.Embedding(V, H), nn.LSTM(H, H, batch_first=True)
            self.head = nn.Linear(H, V)

        def forward(self, X, state=None):
            out, state = self.rnn(self.embed(X), state)
            return self.head(out), state

    torch.manual_seed(0)
    lstm = LSTMLM()
    rate = train_language_model(lstm, train, None,
                                torch.optim.Adam(lstm.parameters(), lr=0.01), 1,
                                batch_size, num_steps).tokens_per_sec[-1]
    flops_per_token = 2 * (4 * H * H * 2 + H * V)  # input and hidden gates, head
    results["concise LSTM (nn.LSTM, 128 hidden)"] = {
        "train tokens/s": round(rate),
        "fraction of matmul peak": round(3 * flops_per_token * rate / 1e9 / peak_gflops,
                                         4)}
    return results


# --------------------------------------------------------------------------- pipeline
class PerSampleDataset(torch.utils.data.Dataset):
    """What most tutorials on the web do: convert each image in Python when it is read."""

    def __init__(self, images_uint8, labels):
        self.images, self.labels = images_uint8, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        image = torch.tensor(self.images[i], dtype=torch.float32).div(255).unsqueeze(0)
        image = (image - 0.5) / 0.5  # the usual Normalize((0.5,), (0.5,))
        return image, int(self.labels[i])


def bench_pipeline(quick: bool) -> dict:
    from handson.data import load_fashion_mnist

    X, y = load_fashion_mnist("train")
    X_test, y_test = load_fashion_mnist("test")
    if quick:
        X, y = X[:6000], y[:6000]
    images_uint8 = (X[:, 0] * 255).round().to(torch.uint8).numpy()
    labels = y.numpy()
    out = {}
    for name in ("DataLoader, per-sample Dataset", "in-memory tensor batches"):
        torch.manual_seed(0)
        net = mlp()
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        loss_fn = nn.CrossEntropyLoss()
        t = time.perf_counter()
        if name.startswith("DataLoader"):
            loader = torch.utils.data.DataLoader(PerSampleDataset(images_uint8, labels),
                                                 batch_size=256, shuffle=True)
            net.train()
            for xb, yb in loader:
                opt.zero_grad(set_to_none=True)
                loss_fn(net(xb), yb).backward()
                opt.step()
            test = (X_test - 0.5) / 0.5
        else:
            Xn = (X - 0.5) / 0.5  # normalised once, for the whole set
            train_epoch(net, opt, Xn, y)
            test = (X_test - 0.5) / 0.5
        seconds = time.perf_counter() - t
        out[name] = {"epoch seconds": round(seconds, 2),
                     "test accuracy after 1 epoch": round(accuracy(net, test, y_test), 4)}
    slow = out["DataLoader, per-sample Dataset"]["epoch seconds"]
    fast = out["in-memory tensor batches"]["epoch seconds"]
    out["speed-up"] = round(slow / fast, 1)
    return out


# --------------------------------------------------------------------------- build
def _sphinx(src: Path, env: dict) -> tuple[float, float]:
    """Run one build; return (seconds, peak RSS of the build process in MB)."""
    t = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html",
         ".", "_build/html"], cwd=src, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"build failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def _copy_sources(dst: Path) -> Path:
    names = ["conf.py", "gallery_conf.py", "index.md", "source", "reference", "tutorials"]
    for name in names:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dst / name, ignore=shutil.ignore_patterns(
                "generated", "backreferences", "__pycache__", "_generated"))
        else:
            shutil.copy2(ROOT / name, dst / name)
    return dst


def bench_build_runs(quick: bool, workers: list[int]) -> dict:
    out = {}
    for n in workers:
        with tempfile.TemporaryDirectory() as tmp:
            src = _copy_sources(Path(tmp))
            env = {**os.environ, "MPLBACKEND": "Agg", "HANDSON_GALLERY_PARALLEL": str(n)}
            if quick:
                env["HANDSON_QUICK"] = "1"
            cold, peak_cold = _sphinx(src, env)
            nothing, _ = _sphinx(src, env)
            touched = sorted((src / "tutorials").rglob("[0-9][0-9]_*.py"))[0]
            touched.write_text(touched.read_text() + "\n# touched by the benchmark\n")
            one, peak_one = _sphinx(src, env)
            cost = json.loads(next((src / GALLERY).rglob(
                touched.stem + ".cost.json")).read_text())["time"]
            out[f"{n} worker(s)"] = {
                "cold build s": round(cold, 1),
                "rebuild, nothing changed s": round(nothing, 1),
                "rebuild, one tutorial touched s": round(one, 1),
                "  of which that tutorial s": round(cost, 1),
                "  overhead beyond it s": round(one - cost, 1),
                "peak memory MB": round(max(peak_cold, peak_one)),
            }
    return out


# ------------------------------------------------------------- chapters 13 and 14
#: Parts kept in their own files next to this one (``tests/bench_<part>.py``), each with
#: ``run(peak_gflops, quick) -> dict``.
EXTRA_PARTS = {
    "transformer": "Small GPT and fused attention (chapter 13)",
    "compile": "torch.compile and bfloat16 autocast (chapter 14)",
    "ddp": "DistributedDataParallel, 1 and 2 processes (chapter 14)",
}


# --------------------------------------------------------------------------- report
def _table(title: str, rows: dict) -> str:
    lines = [f"\n{title}", "-" * len(title)]
    for name, value in rows.items():
        if isinstance(value, dict):
            lines.append(f"{name}:")
            lines += [f"    {k:32} {v}" for k, v in value.items()]
        else:
            lines.append(f"{name:36} {value}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts",
                        default="matmul,train,cnns,sequences,transformer,compile,ddp,"
                                "pipeline,build")
    parser.add_argument("--quick", action="store_true",
                        help="small data, one epoch, quick-mode builds (checks the script)")
    parser.add_argument("--workers", default="1,2", help="gallery workers to build with")
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    torch.manual_seed(0)
    report: dict = {"machine": {"cpus": os.cpu_count(), "torch": torch.__version__,
                                "threads": torch.get_num_threads(), "quick": args.quick}}
    if any(p in parts for p in ("matmul", "train", "cnns", "sequences", "transformer",
                                "compile", "ddp")):
        report["matmul GFLOP/s"] = bench_matmul()
        print(_table("fp32 matrix multiply, GFLOP/s", report["matmul GFLOP/s"]), flush=True)
    if "train" in parts:
        peak = max(report["matmul GFLOP/s"].values())
        report["training"] = bench_train(peak, args.quick)
        print(_table("Training on Fashion-MNIST (batch 256)", report["training"]), flush=True)
    if "cnns" in parts:
        peak = max(report["matmul GFLOP/s"].values())
        report["cnns"] = bench_cnns(peak, args.quick)
        print(_table("Chapter 09 networks, training on batches of 128", report["cnns"]),
              flush=True)
    if "sequences" in parts:
        peak = max(report["matmul GFLOP/s"].values())
        report["sequences"] = bench_sequences(peak, args.quick)
        print(_table("Character language models (chapter 11-12)", report["sequences"]),
              flush=True)
    for part, title in EXTRA_PARTS.items():
        if part in parts:
            module = importlib.import_module(f"bench_{part}")
            peak = max(report["matmul GFLOP/s"].values())
            report[part] = module.run(peak, args.quick)
            print(_table(title, report[part]), flush=True)
    if "pipeline" in parts:
        report["pipeline"] = bench_pipeline(args.quick)
        print(_table("Input pipeline, one MLP epoch", report["pipeline"]), flush=True)
    if "build" in parts:
        workers = [int(w) for w in args.workers.split(",")]
        report["build"] = bench_build_runs(args.quick, workers)
        print(_table("Site build", report["build"]), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {OUT / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
