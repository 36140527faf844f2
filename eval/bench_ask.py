"""In-process `ask` latency on a question set, beside the model passes it is made of, in one run.

Builds (or reuses) an index of the corpus in a temporary folder, warms the model, then times every
question of the set ``--repeat`` times: the whole ``Pipeline.ask``, and on their own the dense
query vector and the sparse latent-term vector that ``ask`` computes side by side. Prints the
median and 95th percentile in milliseconds.

Run: python -m eval.bench_ask [--questions eval/data/seeds_questions.jsonl] [--corpus seeds] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from index.embed import E5SmallEmbedder
from index.openmp import single_threaded_blas
from rag.pipeline import Pipeline

DATA = Path(__file__).resolve().parent / "data"


def timings(run: Callable[[str], object], questions: list[str], repeat: int) -> list[float]:
    """Milliseconds per call of ``run`` over every question, ``repeat`` times."""
    out = []
    for _ in range(repeat):
        for q in questions:
            started = time.perf_counter()
            run(q)
            out.append((time.perf_counter() - started) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DATA / "seeds_questions.jsonl")
    parser.add_argument("--corpus", type=Path, default=Path("seeds"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with args.questions.open(encoding="utf-8") as f:
        questions = [json.loads(line)["question"] for line in f if line.strip()]
    single_threaded_blas()  # as every `sanad` command does (index/openmp.py)
    embedder = E5SmallEmbedder()  # the default model, with the sparse head ``ask`` uses
    with tempfile.TemporaryDirectory() as tmp:
        pipeline = Pipeline(Path(tmp), embedder)
        pipeline.index([args.corpus])
        pipeline.ask(questions[0])  # loads the index and both engine handles
        rows = [
            ("ask (whole answer)", timings(pipeline.ask, questions, args.repeat)),
            ("dense query vector alone", timings(lambda q: embedder.embed_queries([q]), questions, args.repeat)),
            ("sparse query vector alone", timings(lambda q: embedder.embed_sparse([q]), questions, args.repeat)),
        ]
    print(f"{len(questions)} questions x {args.repeat} over {args.corpus}")
    print(f"{'stage':<28}{'p50 ms':>9}{'p95 ms':>9}")
    for name, ms in rows:
        p95 = statistics.quantiles(ms, n=20)[-1]
        print(f"{name:<28}{statistics.median(ms):>9.1f}{p95:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
