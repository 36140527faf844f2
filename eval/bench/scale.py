"""Search at 10k–1M chunks: synthetic corpora persisted as real Sanad indexes, timed through ``Retriever``.

How the corpora are made (nothing here is committed; they live in a temporary folder):

- **Vectors**: each synthetic chunk vector is a random convex mix of two *real* e5 passage vectors
  (the XQuAD-ar and seeds chunks and sentences), plus Gaussian noise drawn with the covariance
  of the real vectors, renormalised. This spreads vectors over the region real Arabic news
  embeddings occupy (anisotropic, cosines crowded into 0.7–1) instead of making near-copies.
- **Text** (for BM25): each chunk is ~120 words of real Arabic sentences (XQuAD-ar paragraphs and
  the seeds) drawn at random. The vocabulary is that of the source sentences, so each term's
  posting list is *longer* than in a real collection of that size: BM25 timings are pessimistic.
- **Articles**: 7 chunks each, dated uniformly over 20 years, so date and article filters select
  realistic shares (a year ~ 5 %, one article 7 chunks).

Each corpus is written with the index's own writers (records in SQLite, the FAISS table of the
kind ``IndexSpec.for_size`` picks, bm25s) and published with the atomic CURRENT switch, then
opened with ``open_index`` (checksums verified) and searched with the product's ``Retriever``.
Tokenisation runs once per distinct source sentence (the product tokenises every chunk; at 1M
chunks that alone is ~3 minutes of Python and says nothing about search).
"""

from __future__ import annotations

import gc
import logging
import shutil
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from eval.bench.machine import rss_mb
from index.documents import Article, Chunk, Span, stable_id
from index.lexical import LexicalIndex
from index.manifest import DocumentEntry, EmbedderSpec, Manifest
from index.normalize import NORMALIZER_VERSION, search_tokens
from index.records import RecordWriter
from index.store import (
    BM25_DIR,
    CHUNK_VECTORS,
    RECORDS,
    SENTENCE_VECTORS,
    new_staging_dir,
    open_index,
    publish,
)
from index.vectors import IndexSpec, VectorTable, faiss
from rag.retrieve import Filters, RetrievalConfig, Retriever

log = logging.getLogger(__name__)

CHUNKS_PER_ARTICLE = 7
WORDS_PER_CHUNK = 120
YEARS = (2005, 2024)
NOISE = 0.6  # scale of the covariance-shaped noise; see ``vector_stats`` for how close to real it is


@dataclass(frozen=True)
class Material:
    """Real vectors and real sentences the synthetic corpora are made from."""

    vectors: np.ndarray  # unit passage vectors
    sentences: list[str]
    queries: np.ndarray  # unit query vectors of real questions
    query_texts: list[str]


def synthetic_vectors(base: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` unit vectors: mixes of two real vectors plus noise shaped like the real ones' spread."""
    rng = np.random.default_rng(seed)
    centred = base - base.mean(axis=0)
    cov_root = np.linalg.cholesky(np.cov(centred, rowvar=False) + 1e-6 * np.eye(base.shape[1])).astype(np.float32)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for lo in range(0, n, 100_000):
        hi = min(n, lo + 100_000)
        a, b = base[rng.integers(0, len(base), hi - lo)], base[rng.integers(0, len(base), hi - lo)]
        w = rng.uniform(0.5, 1.0, size=(hi - lo, 1)).astype(np.float32)
        noise = rng.standard_normal((hi - lo, base.shape[1]), dtype=np.float32) @ cov_root.T
        block = w * a + (1 - w) * b + NOISE * noise
        out[lo:hi] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def vector_stats(vectors: np.ndarray, seed: int = 0) -> dict[str, float]:
    """Mean cosine of random pairs and of each sampled vector's nearest neighbour (to compare with real)."""
    rng = np.random.default_rng(seed)
    sample = vectors[rng.choice(len(vectors), min(500, len(vectors)), replace=False)]
    pairs = vectors[rng.integers(0, len(vectors), (2000, 2))]
    sims = sample @ vectors[: min(len(vectors), 100_000)].T
    sims[sims > 0.99999] = -1  # the sample itself
    return {
        "random_pair_cosine": float(np.mean(np.sum(pairs[:, 0] * pairs[:, 1], axis=1))),
        "nearest_neighbour_cosine": float(np.mean(sims.max(axis=1))),
    }


class _TextMaker:
    """Chunks of ~120 words of real sentences, tokenised once per distinct sentence."""

    def __init__(self, sentences: Sequence[str], seed: int) -> None:
        self.sentences = [s for s in sentences if len(s.split()) >= 4]
        self.tokens = [search_tokens(s) for s in self.sentences]
        self.words = np.array([len(s.split()) for s in self.sentences])
        self.rng = np.random.default_rng(seed)

    def chunk(self) -> tuple[str, list[str]]:
        picked: list[int] = []
        words = 0
        while words < WORDS_PER_CHUNK:
            i = int(self.rng.integers(0, len(self.sentences)))
            picked.append(i)
            words += int(self.words[i])
        return " ".join(self.sentences[i] for i in picked), [t for i in picked for t in self.tokens[i]]


def build_corpus(index_dir: Path, material: Material, n: int, spec_name: str, seed: int = 0) -> dict[str, Any]:
    """Write and publish an index of ``n`` synthetic chunks; return build timings and sizes."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    vectors = synthetic_vectors(material.vectors, n, seed)
    timings["make_vectors_s"] = time.perf_counter() - started
    maker = _TextMaker(material.sentences, seed)
    staging = new_staging_dir(index_dir)
    writer = RecordWriter(staging / RECORDS)
    ids = np.empty(n, dtype=np.int64)
    tokens: list[list[str]] = []
    documents: dict[str, DocumentEntry] = {}
    rng = np.random.default_rng(seed + 1)
    started = time.perf_counter()
    for first in range(0, n, CHUNKS_PER_ARTICLE):
        doc_id = f"syn{first // CHUNKS_PER_ARTICLE:07d}"
        parts = [maker.chunk() for _ in range(min(CHUNKS_PER_ARTICLE, n - first))]
        texts = [p[0] for p in parts]
        text = "\n\n".join(texts)
        day = rng.integers(0, 365 * (YEARS[1] - YEARS[0] + 1))
        date = (np.datetime64(f"{YEARS[0]}-01-01") + np.timedelta64(int(day), "D")).astype(str)
        article = Article(doc_id, text, f"synthetic/{doc_id}.txt", title=None, date=date)
        chunks, offset = [], 0
        for j, chunk_text in enumerate(texts):
            cid = stable_id(spec_name, n, first + j)
            chunks.append(Chunk(cid, doc_id, offset, offset + len(chunk_text), chunk_text,
                                (Span(offset, offset + len(chunk_text)),)))
            ids[first + j] = cid
            offset += len(chunk_text) + 2
        tokens.extend(p[1] for p in parts)
        writer.add(article, chunks, [], {})
        documents[doc_id] = DocumentEntry(article.sha256, article.text_sha256, article.source, len(chunks), 0)
    writer.close()
    timings["records_s"] = time.perf_counter() - started

    started = time.perf_counter()
    table = VectorTable.build(ids, vectors)
    table.write(staging / CHUNK_VECTORS)
    timings["vectors_build_s"] = time.perf_counter() - started
    VectorTable.build(np.zeros(0, np.int64), np.zeros((0, vectors.shape[1]), np.float32)).write(
        staging / SENTENCE_VECTORS
    )
    started = time.perf_counter()
    bm25 = bm25s.BM25()
    bm25.index(tokens, show_progress=False)
    LexicalIndex(bm25, ids).save(staging / BM25_DIR)
    timings["bm25_build_s"] = time.perf_counter() - started
    del tokens, bm25
    manifest = Manifest(
        embedder=EmbedderSpec("synthetic", f"synthetic mixes of real e5 vectors (seed {seed})", vectors.shape[1]),
        chunker={"synthetic_words_per_chunk": WORDS_PER_CHUNK},
        normalizer_version=NORMALIZER_VERSION,
        documents=documents,
        roots=[],
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        packages={},
        vectors={CHUNK_VECTORS: table.spec.as_dict(), SENTENCE_VECTORS: IndexSpec().as_dict()},
    )
    publish(index_dir, staging, manifest)
    version = sorted((index_dir / "versions").iterdir())[-1]
    return {
        "spec": table.spec.as_dict(),
        "vector_bytes_per_chunk": table.memory_bytes() / n,
        "disk_bytes_per_chunk": {
            "vectors": (version / CHUNK_VECTORS).stat().st_size / n,
            "bm25": sum(p.stat().st_size for p in (version / BM25_DIR).iterdir()) / n,
            "records": (version / RECORDS).stat().st_size / n,
        },
        "exact_vectors": vectors,
        **{k: round(v, 2) for k, v in timings.items()},
    }


def _percentiles(ms: Sequence[float]) -> dict[str, float]:
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50_ms": statistics.median(ms), "p95_ms": q[94], "p99_ms": q[98]}


def _timed(run: Any, items: Sequence[Any] | np.ndarray) -> tuple[list[float], list[Any]]:
    ms, out = [], []
    for item in items:
        started = time.perf_counter()
        out.append(run(item))
        ms.append((time.perf_counter() - started) * 1000)
    return ms, out


def measure(index_dir: Path, material: Material, built: dict[str, Any], k: int = 10) -> dict[str, Any]:
    """Open the published corpus and time dense, BM25, filtered and hybrid search; recall@10 vs exact."""
    exact_vectors = built.pop("exact_vectors")
    before = rss_mb()
    started = time.perf_counter()
    snapshot = open_index(index_dir)
    open_s = time.perf_counter() - started
    opened_mb = rss_mb() - before
    table = snapshot.chunk_vectors
    assert isinstance(table, VectorTable)  # open_index: the folder store
    vector_mb = _vector_memory_mb(snapshot.path / CHUNK_VECTORS, table.dim, table.spec)
    ids, queries = table.ids(), material.queries
    exact = faiss.IndexFlatIP(exact_vectors.shape[1])
    exact.add(exact_vectors)
    truth = ids[exact.search(queries, k)[1]]
    del exact

    def recall(found: Sequence[np.ndarray]) -> float:
        return float(np.mean([len(set(f.tolist()) & set(t.tolist())) / k for f, t in zip(found, truth, strict=True)]))

    dense_ms, found = _timed(lambda q: table.search(q, k)[1], queries)
    sweep = []
    if table.spec.kind != "flat":
        for nprobe in sorted({8, 16, 32, 64, 128, 256, table.spec.nprobe} & set(range(1, table.spec.nlist + 1))):
            ms, got = _timed(lambda q, p=nprobe: table.search(q, k, nprobe=p)[1], queries)
            sweep.append({"nprobe": nprobe, "recall_at_10": recall(got), **_percentiles(ms)})
    flat_ms = _exact_scan_ms(ids, exact_vectors, queries[:50], k)
    del exact_vectors
    gc.collect()

    retriever = Retriever(snapshot, _NoEmbedder(table.dim), RetrievalConfig())
    texts = material.query_texts
    year = Filters(date_from="2015-01-01", date_to="2015-12-31")
    admitted = retriever.allowed_docs(year) or set()
    docs = sorted(snapshot.manifest.documents)
    picks = np.random.default_rng(5).integers(0, len(docs), len(queries))
    one_doc = [Filters(frozenset({docs[int(i)]})) for i in picks]
    with_docs = list(zip(queries, one_doc, strict=True))
    with_texts = list(zip(queries, texts, strict=True))
    bm25_ms, _ = _timed(lambda t: _top(retriever.lexical_scores(t), 100), texts)
    year_ms, year_hits = _timed(lambda q: retriever.search("", k, year, "dense", q), queries)
    doc_ms, doc_hits = _timed(lambda qf: retriever.search("", k, qf[1], "dense", qf[0]), with_docs)
    hybrid_ms, _ = _timed(lambda qt: retriever.search(qt[1], k, None, "hybrid", qt[0]), with_texts)
    hybrid_year_ms, _ = _timed(lambda qt: retriever.search(qt[1], k, year, "hybrid", qt[0]), with_texts)
    result = {
        "chunks": len(ids),
        "articles": len(docs),
        **built,
        "open_s": round(open_s, 2),
        "rss_open_mb": round(opened_mb, 1),
        "vector_rss_bytes_per_chunk": vector_mb * 2**20 / len(ids),
        "recall_at_10_vs_exact": recall(found),
        "nprobe_sweep": sweep,
        "dense": _percentiles(dense_ms),
        "exact_scan": _percentiles(flat_ms),
        "bm25": _percentiles(bm25_ms),
        "dense_filtered_year": _percentiles(year_ms),
        "year_filter_share": len(admitted) / len(docs),
        "year_filter_respected": all(h.chunk.doc_id in admitted for hits in year_hits for h in hits),
        "dense_filtered_one_article": _percentiles(doc_ms),
        "one_article_filter_respected": all(
            h.chunk.doc_id in f.doc_ids for hits, f in zip(doc_hits, one_doc, strict=True) for h in hits  # type: ignore[operator]
        ),
        "hybrid": _percentiles(hybrid_ms),
        "hybrid_filtered_year": _percentiles(hybrid_year_ms),
    }
    snapshot.close()
    return result


_MEMORY_PROBE = """
import json, sys
from pathlib import Path
from eval.bench.machine import rss_mb
from index.vectors import IndexSpec, VectorTable
before = rss_mb()
table = VectorTable.read(Path(sys.argv[1]), int(sys.argv[2]), IndexSpec(**json.loads(sys.argv[3])))
print(rss_mb() - before)
"""


def _vector_memory_mb(path: Path, dim: int, spec: IndexSpec) -> float:
    """Resident memory the loaded table adds, measured in a fresh process (this one reuses freed memory)."""
    import json
    import subprocess
    import sys

    argv = [sys.executable, "-c", _MEMORY_PROBE, str(path), str(dim), json.dumps(spec.as_dict())]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2])
    return float(done.stdout.strip().splitlines()[-1])


def _exact_scan_ms(ids: np.ndarray, vectors: np.ndarray, queries: np.ndarray, k: int) -> list[float]:
    """What exact search would cost at this size: the latency curve the threshold is read from."""
    table = VectorTable.build(ids, vectors, IndexSpec())
    return _timed(lambda q: table.search(q, k), queries)[0]


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """What retrieval does with BM25 scores: the ``n`` best (part of the timed BM25 stage)."""
    from rag.retrieve import _top_positive

    return _top_positive(scores, n)


class _NoEmbedder:
    """Retrieval here is always given the query vector; embedding is measured elsewhere."""

    name = "synthetic"
    model_id = "synthetic"

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        raise AssertionError("the scale benchmark passes query vectors")

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise AssertionError("the scale benchmark passes query vectors")


def run(sizes: Sequence[int], material: Material, workdir: Path) -> list[dict[str, Any]]:
    """Build, measure and delete one corpus per size, smallest first."""
    out = []
    for n in sizes:
        folder = workdir / f"scale-{n}"
        shutil.rmtree(folder, ignore_errors=True)
        log.warning("scale %d chunks: building", n)
        started = time.perf_counter()
        built = build_corpus(folder, material, n, "bench")
        built["build_s"] = round(time.perf_counter() - started, 1)
        log.warning("scale %d chunks: built in %.0f s, measuring", n, built["build_s"])
        out.append(measure(folder, material, built))
        shutil.rmtree(folder, ignore_errors=True)
        gc.collect()
    return out
