"""Do both stores give the same answers? ``ask`` over the folder store and over Milvus, side by side.

The same cached index version is answered from its folder (FAISS, SQLite, bm25s) and from a copy of
it in Milvus, so any difference is the store's: the first three citations (article and exact span)
are compared per question, and every difference is listed with both orders.

    python -m eval.quality.store_parity --store milvus:/tmp/parity.db --dataset seeds
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from eval.quality import datasets
from eval.quality.evaluate import in_milvus
from index.embed import get_embedder
from index.milvus import MilvusStore
from index.segment import ChunkerConfig
from index.stores import parse_store
from rag.index_cache import cache_root, cached_index
from rag.pipeline import Pipeline
from rag.summarize import SummaryConfig

FIRST = 3


def first_citations(pipeline: Pipeline, question: datasets.Question) -> list[tuple[str, int, int]]:
    answer = pipeline.ask(question.question, doc_ids=question.allowed)
    return [(c.doc_id, c.start, c.end) for c in answer.citations[:FIRST]]


def compare(name: str, store: MilvusStore, limit: int | None) -> dict[str, object]:
    """Share of asked questions whose first three citations are the same on both stores, with the differences."""
    data = datasets.load(name, limit=limit)  # type: ignore[arg-type]
    embedder = get_embedder("e5-small")
    cached = cached_index(cache_root(), data.corpus, data.articles, embedder, ChunkerConfig(), SummaryConfig())
    folder = Pipeline(cached.path, embedder)
    milvus = Pipeline(in_milvus(cached.path, store, data.corpus), embedder, reader=folder.reader)
    asked = [q for q in data.questions if q.ask]
    differences = []
    seconds: dict[str, list[float]] = {"folder": [], "milvus": []}
    for q in asked:
        found = {}
        for store_name, pipeline in (("folder", folder), ("milvus", milvus)):
            started = time.perf_counter()
            found[store_name] = first_citations(pipeline, q)
            seconds[store_name].append(time.perf_counter() - started)
        if found["folder"] != found["milvus"]:
            differences.append({"id": q.id, "question": q.question, **found})
    same = len(asked) - len(differences)
    return {"dataset": name, "questions": len(asked), "same_first_three": same,
            "share": round(same / len(asked), 4) if asked else None,
            "ask_p50_ms": {k: round(1000 * statistics.median(v), 1) for k, v in seconds.items() if v},
            "differences": differences}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="milvus:PATH.db or a Milvus server URI")
    parser.add_argument("--dataset", action="append", choices=list(datasets.DATASETS), required=True)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write the JSON here too")
    args = parser.parse_args(argv)
    store = parse_store(args.store)
    if not isinstance(store, MilvusStore):
        parser.error("--store must name a Milvus store")
    results = [compare(name, store, args.limit) for name in args.dataset]
    text = json.dumps(results, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
