"""Bench rows for chapter 14: ``torch.compile`` and bfloat16 autocast, as measured ratios.

``run(peak_gflops, quick)`` returns ``{row name: dict}``:

* ``torch.compile, <model> training step``: eager and compiled milliseconds per
  training step (forward, backward, SGD update; best of repeats after warm-up), the
  speed-up, and the first compiled call's time (compile time, measured with a cold
  Inductor cache in a fresh temporary directory), for the MLP of chapter 05 and
  D2L's LeNet of chapter 07 on batches of 128 Fashion-MNIST-sized images, after a
  separate row for the compiler's one-off start-up (a tiny function compiled first),
  and for the small GPT of ``handson.gpt`` (2 layers, 64 hidden units, 32 sequences
  of 64 characters; full runs only: in ``--quick`` it is skipped, for its compile
  time);
* ``bfloat16 autocast vs float32, <model> training``: training samples/s of both
  over the same batches, and their ratio.

The pages that teach these are
``tutorials/14_computational_performance/01_compilers_and_interpreters.py`` and
``07_mixed_precision.py``. Nothing here is asserted (only that compiled and eager
losses agree, so that a broken compiler is not timed): timings depend on the machine.

``python tests/bench_compile.py --quick`` prints the dict.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import torch
from torch import nn

BATCH = 128


def _mlp() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def _lenet() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))


MODELS = {"MLP": _mlp, "LeNet": _lenet}


def _gpt_case():
    """The small GPT of handson.gpt (chapter 13) and a batch of tokens, if it exists."""
    try:
        from handson.gpt import GPT
    except ImportError:
        return None
    gen = torch.Generator().manual_seed(0)
    tokens = torch.randint(0, 28, (32, 65), generator=gen)  # 28 characters
    return (lambda: GPT(vocab_size=28, num_hiddens=64, num_heads=4, num_layers=2,
                        max_len=64), tokens[:, :-1], tokens[:, 1:])


def _best_ms(fn, number: int, repeat: int) -> float:
    fn()
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t) / number)
    return best * 1e3


def _step(net, opt, X, y):
    opt.zero_grad()
    out = net(X)
    if isinstance(out, tuple):  # a language model returns (logits, state)
        out = out[0]
    loss = nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))
    loss.backward()
    opt.step()
    return loss.detach()


def bench_compile(quick: bool) -> dict:
    """Eager against torch.compile: ms per training step and compile time."""
    import torch._dynamo

    X, y = torch.rand(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,))
    number, repeat = (5, 3) if quick else (10, 5)
    cases = {name: (make, X, y) for name, make in MODELS.items()}
    results = {}
    gpt = _gpt_case()
    if gpt is None:
        results["torch.compile, small GPT"] = "skipped: no handson.gpt module"
    elif quick:
        results["torch.compile, small GPT"] = "skipped in --quick (compile time)"
    else:
        cases["small GPT (2 layers, 64 hidden, 32 x 64 tokens)"] = gpt
    old_cache = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache  # cold cache: honest compile time
        try:
            torch._dynamo.reset()
            t = time.perf_counter()
            try:  # one-off start-up of the compiler, so the rows below exclude it
                torch.compile(lambda v: torch.sin(v) + 1)(torch.rand(8))
            except torch._dynamo.exc.BackendCompilerFailed as err:
                return {"torch.compile": f"skipped: {str(err).splitlines()[0]}"}
            results["torch.compile start-up s (first tiny compile, cold cache)"] = (
                round(time.perf_counter() - t, 2))
            for name, (make, X, y) in cases.items():
                torch._dynamo.reset()
                torch.manual_seed(0)
                net, twin = make(), make()
                twin.load_state_dict(net.state_dict())
                opt = torch.optim.SGD(net.parameters(), lr=0.1)
                opt_twin = torch.optim.SGD(twin.parameters(), lr=0.1)
                compiled = torch.compile(twin)
                t = time.perf_counter()
                try:
                    loss_c = _step(compiled, opt_twin, X, y)
                except torch._dynamo.exc.BackendCompilerFailed as err:
                    results[f"torch.compile, {name} training step"] = (
                        f"skipped: {str(err).splitlines()[0]}")
                    continue
                compile_s = time.perf_counter() - t
                torch.testing.assert_close(loss_c, _step(net, opt, X, y),
                                           rtol=1e-5, atol=1e-5)
                eager = _best_ms(lambda: _step(net, opt, X, y), number, repeat)
                comp = _best_ms(lambda: _step(compiled, opt_twin, X, y), number, repeat)
                results[f"torch.compile, {name} training step"] = {
                    "batch": len(X), "eager ms": round(eager, 3),
                    "compiled ms": round(comp, 3), "speed-up": round(eager / comp, 3),
                    "compile s (first call, cold cache)": round(compile_s, 2)}
        finally:
            torch._dynamo.reset()
            if old_cache is None:
                os.environ.pop("TORCHINDUCTOR_CACHE_DIR", None)
            else:
                os.environ["TORCHINDUCTOR_CACHE_DIR"] = old_cache
    return results


def bench_bf16(quick: bool) -> dict:
    """Training samples/s in float32 and under bfloat16 autocast, same batches."""
    num_batches = 20 if quick else 100
    gen = torch.Generator().manual_seed(0)
    data = [(torch.rand(BATCH, 1, 28, 28, generator=gen),
             torch.randint(0, 10, (BATCH,), generator=gen)) for _ in range(num_batches)]
    results = {}
    for name, make in MODELS.items():
        rates = {}
        for dtype in (torch.float32, torch.bfloat16):
            torch.manual_seed(0)
            net = make()
            opt = torch.optim.SGD(net.parameters(), lr=0.1)

            def epoch():
                for X, y in data:
                    opt.zero_grad()
                    with torch.autocast("cpu", dtype=torch.bfloat16,
                                        enabled=dtype is torch.bfloat16):
                        out = net(X)
                    nn.functional.cross_entropy(out.float(), y).backward()
                    opt.step()

            best = _best_ms(epoch, 1, 2 if quick else 3) / 1e3
            rates[dtype] = num_batches * BATCH / best
        results[f"bfloat16 autocast vs float32, {name} training"] = {
            "float32 samples/s": round(rates[torch.float32]),
            "bfloat16 samples/s": round(rates[torch.bfloat16]),
            "bfloat16 / float32": round(rates[torch.bfloat16] / rates[torch.float32], 3)}
    return results


def run(peak_gflops: float, quick: bool) -> dict:
    """All rows of this file; ``peak_gflops`` is unused (the rows are ratios)."""
    del peak_gflops
    return {**bench_compile(quick), **bench_bf16(quick)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    start = time.perf_counter()
    print(json.dumps(run(0.0, args.quick), indent=2))
    print(f"{time.perf_counter() - start:.1f} s, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
