"""Bench part ``transformer``: the small GPT of chapter 13 and its attention kernels.

``run(peak_gflops, quick)`` returns

* the training tokens/s of ``handson.gpt.GPT`` as page 13/08 trains it (width 64,
  4 heads, 2 blocks, windows of 64 characters, batches of 32, Adam, clipping at 1,
  fused attention), and its model FLOP/s as a fraction of ``peak_gflops``. FLOPs per
  training token: ``6 * N`` for the ``N`` weights used in matrix products (12 d^2 per
  block plus the d x V output layer; embeddings are lookups, layer norms and biases
  are left out), 2 for the forward pass and 4 for the backward pass, plus the
  attention products: ``Q K^T`` and the weighted sum of values cost ``2 T d`` each
  per token and layer forward, counted over the full ``T x T`` matrix (as the
  scratch attention computes it; a kernel that skips the masked half does less),
  times 3 for forward and backward: ``12 L T d`` per token.
* the time of the scratch attention (scores, ``masked_softmax``, weighted sum) over
  that of ``F.scaled_dot_product_attention(is_causal=True)``, forward and
  forward-plus-backward, at the page's shape (batch 32, 4 heads of 16, T = 64) and
  at T = 512.

``python tests/bench_transformer.py --quick`` prints the dict.
"""

from __future__ import annotations

import argparse
import time

import torch


def _matmul_gflops(n: int = 1024, min_time: float = 0.5) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best, spent = float("inf"), 0.0
    while spent < min_time:
        t = time.perf_counter()
        a @ b
        dt = time.perf_counter() - t
        best, spent = min(best, dt), spent + dt
    return 2 * n ** 3 / best / 1e9


def _best_time(f, repeat: int) -> float:
    f()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def _attention_speedup(T: int, quick: bool) -> dict:
    from handson.gpt import causal_attention

    torch.manual_seed(0)
    shape = (32, 4, T, 16)
    Q, K, V = (torch.randn(shape, requires_grad=True) for _ in range(3))
    repeat = 3 if quick else 10

    def forward(fused):
        with torch.no_grad():
            causal_attention(Q, K, V, fused=fused)

    def train_step(fused):
        causal_attention(Q, K, V, fused=fused).sum().backward()

    out = {}
    for name, f in [("forward", forward), ("forward+backward", train_step)]:
        scratch = _best_time(lambda: f(False), repeat)
        fused = _best_time(lambda: f(True), repeat)
        out[f"{name} speed-up"] = round(scratch / fused, 2)
    return out


def run(peak_gflops: float, quick: bool) -> dict:
    """Tokens/s of the small GPT, its fraction of the matmul rate, attention speed-up."""
    from handson.gpt import GPT
    from handson.language_models import train_language_model
    from handson.text import time_machine

    vocab, train, _ = time_machine("char")
    train = train[:20_000] if quick else train[:60_000]
    V, d, heads, L, T, batch = len(vocab), 64, 4, 2, 64, 32
    rates = []
    for _ in range(2):  # the first run warms up; the second is kept
        torch.manual_seed(0)
        net = GPT(V, d, heads, L, max_len=T)
        optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
        history = train_language_model(net, train, None, optimizer, 1, batch, T,
                                       generator=torch.Generator().manual_seed(0))
        rates.append(history.tokens_per_sec[-1])
    matmul_params = L * 12 * d * d + d * V
    flops_per_token = 6 * matmul_params + 12 * L * T * d
    results = {
        "small GPT (d 64, 4 heads, 2 blocks, T 64, batch 32)": {
            "train tokens/s": round(rates[-1]),
            "model GFLOP per 1k tokens": round(flops_per_token * 1000 / 1e9, 3),
            "fraction of matmul peak": round(
                flops_per_token * rates[-1] / 1e9 / peak_gflops, 4)},
        "fused over scratch causal attention, T = 64 (the page's)":
            _attention_speedup(T, quick),
    }
    if not quick:
        results["fused over scratch causal attention, T = 512"] = \
            _attention_speedup(512, quick)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="less data, fewer repeats")
    args = parser.parse_args()
    peak = _matmul_gflops()
    print({"matmul GFLOP/s (1024 cube)": round(peak, 1),
           **run(peak, args.quick)})


if __name__ == "__main__":
    main()
