"""Which Milvus index for the chunk vectors, measured: recall against exact search, and latency.

The chunks collection of index/milvus_upload.py uses FLAT (exact) up to ``FLAT_UNTIL`` chunks and
HNSW past it. This times both on synthetic corpora shaped like real e5 passages (eval/bench/scale.py's
``synthetic_vectors``: mixes of two real vectors plus noise with their covariance), in Milvus Lite,
with real question vectors as queries, and sweeps HNSW's search ``ef``.

    python -m eval.bench.milvus_ann --sizes 20000 100000 --out eval/reports/bench-milvus-ann.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench.scale import synthetic_vectors
from eval.quality.datasets import load_seeds
from index.embed import get_embedder
from index.milvus_upload import HNSW

K = 100  # the retriever's pool of chunks from the dense side (rag/retrieve.py RetrievalConfig.pool)
EFS = (100, 200, 400)  # the store searches with ef = max(64, 4·k): 400 for the pool


def _collection(client: Any, name: str, dim: int, index: str, params: dict[str, Any]) -> None:
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    spec = client.prepare_index_params()
    spec.add_index("dense", index_type=index, metric_type="IP", params=params)
    client.create_collection(name, schema=schema, index_params=spec)


def measure(client: Any, vectors: np.ndarray, queries: np.ndarray, index: str, ef: int | None) -> dict[str, Any]:
    name = f"ann_{index.lower()}_{len(vectors)}"
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :K]
    params = {"metric_type": "IP", "params": {"ef": ef} if ef else {}}
    found, ms = [], []
    for q in queries:
        started = time.perf_counter()
        hits = client.search(name, data=[q.tolist()], anns_field="dense", limit=K, search_params=params)[0]
        ms.append((time.perf_counter() - started) * 1000)
        found.append([h["id"] for h in hits])
    recall = float(np.mean([len(set(f) & set(t.tolist())) / K for f, t in zip(found, truth, strict=True)]))
    top10 = float(np.mean([len(set(f[:10]) & set(t[:10].tolist())) / 10 for f, t in zip(found, truth, strict=True)]))
    return {"index": index, "ef": ef, "recall_at_100": round(recall, 4), "recall_at_10": round(top10, 4),
            "p50_ms": round(statistics.median(ms), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2)}


def run(sizes: list[int]) -> list[dict[str, Any]]:
    from pymilvus import MilvusClient

    embedder = get_embedder("e5-small")
    seeds = load_seeds()
    base = embedder.embed_passages([a.text[i : i + 600] for a in seeds.articles for i in range(0, len(a.text), 300)])
    queries = embedder.embed_queries([q.question for q in seeds.questions])
    out = []
    with tempfile.TemporaryDirectory() as folder:
        client = MilvusClient(str(Path(folder) / "ann.db"))
        for n in sizes:
            vectors = synthetic_vectors(base, n, seed=n)
            for index, params in (("FLAT", {}), ("HNSW", HNSW)):
                name = f"ann_{index.lower()}_{n}"
                _collection(client, name, vectors.shape[1], index, params)
                started = time.perf_counter()
                for lo in range(0, n, 2000):
                    client.insert(name, [{"id": i, "dense": vectors[i].tolist()} for i in range(lo, min(n, lo + 2000))])
                client.flush(name)
                client.load_collection(name)
                build_s = time.perf_counter() - started
                # Milvus Lite builds the index of sealed segments in the background: one untimed pass
                # over the queries, then a pause, so the timed passes search the built index.
                measure(client, vectors, queries, index, EFS[0] if index == "HNSW" else None)
                time.sleep(5)
                for ef in (EFS if index == "HNSW" else (None,)):
                    row = measure(client, vectors, queries, index, ef)
                    out.append({"chunks": n, "build_s": round(build_s, 1), **row})
                    print(json.dumps(out[-1]), flush=True)
                client.drop_collection(name)
        client.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows = run(args.sizes)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
