"""``python -m eval.bench.reader``: the shipped reader's time per pool, by batch size, side by side.

Reads the pools ``ask`` gives the reader for the seeds questions (the first-stage best
``AnswerConfig.reader_pool`` sentences of each), then times ``SanadReader.scores`` on every pool
at each batch size, the sizes interleaved and rotated per pool so that load from elsewhere falls on
all of them alike. Prints p50/p95 per size, the median per-pool ratio to one batch holding the whole
pool, and how far the logits move (bfloat16 padding changes the last bits). Timings depend on what
else the machine runs; run it on an idle machine.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from eval.quality import datasets
from index.embed import get_embedder
from index.segment import ChunkerConfig
from rag.index_cache import cache_root, cached_index
from rag.pipeline import Pipeline
from rag.question import read_question
from rag.reading.base import Passage
from rag.reading.shipped import SanadReader
from rag.summarize import SummaryConfig


def seeds_pools(cache: Path | None) -> list[tuple[str, list[Passage]]]:
    """(question as the reader reads it, its pool) for every seeds question."""
    data = datasets.load("seeds")
    embedder = get_embedder("e5-small")
    cached = cached_index(cache_root(cache), data.corpus, data.articles, embedder, ChunkerConfig(), SummaryConfig())
    asker = Pipeline(cached.path, embedder, reader=None).asker
    out = []
    for q in data.questions:
        question = read_question(q.question)
        out.append((question.search, list(asker.pool.take(asker.first_stage.rank(question)).passages)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.reader", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="12,6,4,3,2", help="batch sizes to compare (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="passes over the pools (default %(default)s)")
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    pools = [p for p in seeds_pools(args.cache_dir) if p[1]]
    reader = SanadReader()
    reader.warm()
    for question, passages in pools[:3]:  # allocator and kernel warm-up
        reader.scores(question, passages)
    ms: dict[int, list[float]] = {b: [] for b in sizes}
    logits: dict[int, list[np.ndarray]] = {b: [] for b in sizes}
    for repeat in range(args.repeats):
        for i, (question, passages) in enumerate(pools):
            shift = (i + repeat) % len(sizes)
            for b in sizes[shift:] + sizes[:shift]:
                reader.batch = b
                started = time.perf_counter()
                out, _ = reader.scores(question, passages)
                ms[b].append((time.perf_counter() - started) * 1000)
                if repeat == 0:
                    logits[b].append(out)
    whole = max(sizes)
    print(f"{len(pools)} seeds pools of up to {max(len(p) for _, p in pools)} sentences, {args.repeats} passes")
    print(f"| batch | p50 ms | p95 ms | ratio to batch {whole} (median per pool) | max logit change |")
    print("|---|---|---|---|---|")
    for b in sizes:
        ratio = float(np.median(np.array(ms[b]) / np.array(ms[whole])))
        change = max(float(np.abs(x - y).max()) for x, y in zip(logits[b], logits[whole], strict=True))
        print(f"| {b} | {np.percentile(ms[b], 50):.0f} | {np.percentile(ms[b], 95):.0f} | {ratio:.3f} | {change:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
