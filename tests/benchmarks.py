"""``nox -s bench``: how fast the course trains and builds, as ratios taken in one run.

Prints a table and writes ``_build/bench/bench.json``. Nothing here is a pass/fail
test: the figures depend on the machine, so they are reported, not asserted.

Parts (each can be chosen with ``--parts``):

* ``matmul``   -- the machine's fp32 matrix-multiply rate at the sizes the models use;
* ``train``    -- samples/s (train and eval) of the course's Fashion-MNIST workloads,
  their model FLOP/s as a fraction of the matmul rate, and time to the accuracy the
  tutorial asserts;
* ``pipeline`` -- a per-sample ``Dataset`` + ``DataLoader`` against in-memory batching,
  same model, same epoch;
* ``build``    -- cold build, rebuild with nothing changed, rebuild after touching one
  tutorial, peak memory; one worker and two (``HANDSON_GALLERY_PARALLEL=2``).
"""

from __future__ import annotations

import argparse
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
sys.path[:0] = [str(ROOT), str(ROOT / "reference" / "_ext")]
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
    parser.add_argument("--parts", default="matmul,train,pipeline,build")
    parser.add_argument("--quick", action="store_true",
                        help="small data, one epoch, quick-mode builds (checks the script)")
    parser.add_argument("--workers", default="1,2", help="gallery workers to build with")
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    torch.manual_seed(0)
    report: dict = {"machine": {"cpus": os.cpu_count(), "torch": torch.__version__,
                                "threads": torch.get_num_threads(), "quick": args.quick}}
    if "matmul" in parts or "train" in parts:
        report["matmul GFLOP/s"] = bench_matmul()
        print(_table("fp32 matrix multiply, GFLOP/s", report["matmul GFLOP/s"]), flush=True)
    if "train" in parts:
        peak = max(report["matmul GFLOP/s"].values())
        report["training"] = bench_train(peak, args.quick)
        print(_table("Training on Fashion-MNIST (batch 256)", report["training"]), flush=True)
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
