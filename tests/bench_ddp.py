"""Bench rows for chapter 14's DDP page: training samples/s with 1 and 2 processes.

Runs :mod:`handson.ddp_train` (the MLP on Fashion-MNIST) under ``torchrun
--standalone`` with one process and with two, one thread each, and reports the
samples/s the script measured between its barriers (start-up not counted).
``python tests/bench_ddp.py --quick`` prints the dict.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from handson import distributed as hd  # noqa: E402


def _torchrun(nproc: int, num_train: int, num_epochs: int, out: Path) -> dict:
    cmd = hd.torchrun_command(
        "--standalone", "--nproc_per_node", nproc, "-m", "handson.ddp_train",
        "--num-train", num_train, "--num-epochs", num_epochs, "--batch-size", 256,
        "--threads", 1, "--out", out)
    (p,) = hd.run_launchers([cmd], timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"torchrun failed ({p.returncode}):\n{p.stdout[-3000:]}")
    line = next(s for s in p.stdout.splitlines() if s.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def run(peak_gflops: float, quick: bool) -> dict:
    """DDP throughput of the MLP (batch 256, 1 thread per process) with 1 and 2
    processes, and their ratio. ``peak_gflops`` is unused (the row is a rate)."""
    num_train, num_epochs = (5_120, 1) if quick else (25_600, 2)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for nproc in (1, 2):
            r = _torchrun(nproc, num_train, num_epochs, Path(tmp) / f"p{nproc}.pt")
            rows[nproc] = r
    name = "DDP MLP on Fashion-MNIST, batch 256, gloo, 1 thread/process"
    return {name: {
        "1 process samples/s": round(rows[1]["samples_per_s"]),
        "2 processes samples/s": round(rows[2]["samples_per_s"]),
        "2 / 1 processes": round(rows[2]["samples_per_s"] / rows[1]["samples_per_s"], 2),
        "steps": rows[1]["steps"],
    }}


if __name__ == "__main__":
    print(json.dumps(run(0.0, "--quick" in sys.argv[1:]), indent=2))
