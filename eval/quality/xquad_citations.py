"""Is the gold paragraph among the first N citations of `ask`, for every XQuAD question?

Each of the 240 Arabic paragraphs is one document (the evaluation's cached index); every answerable
question of xquad-ar and xquad-en is asked with ``k`` excerpts. Prints, per language, the share of
questions whose gold paragraph is cited among the first ``k`` and first.

Run: python -m eval.quality.xquad_citations [--k 5] [--limit N]
"""

from __future__ import annotations

import argparse

from eval.quality import datasets
from index.blas import single_threaded_blas
from index.embed import get_embedder
from index.segment import ChunkerConfig
from rag.index_cache import cache_root, cached_index
from rag.pipeline import Pipeline
from rag.summarize import SummaryConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=5, help="citations per answer (default %(default)s)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions per language")
    args = parser.parse_args(argv)
    single_threaded_blas()
    embedder = get_embedder("e5-small")
    chunker, summary = ChunkerConfig(), SummaryConfig()
    print(f"{'language':<10}{'questions':>10}{f'gold in first {args.k}':>18}{'gold first':>12}")
    for name in ("xquad-ar", "xquad-en"):
        ds = datasets.load(name, limit=args.limit, answer_sample=None)
        cached = cached_index(cache_root(), ds.corpus, ds.articles, embedder, chunker, summary)
        pipeline = Pipeline(cached.path, embedder, chunker=chunker, summary=summary)
        questions = [q for q in ds.questions if q.answerable and q.source_id is None]
        within = first = 0
        for q in questions:
            cited = [c.doc_id for c in pipeline.ask(q.question, k=args.k).citations]
            within += any(d in q.doc_ids for d in cited[: args.k])
            first += bool(cited) and cited[0] in q.doc_ids
        n = len(questions)
        print(f"{name:<10}{n:>10}{within / n:>18.3f}{first / n:>12.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
