"""Chunk retrieval over a Milvus store: the dense and BM25 searches run in Milvus, filters inside them.

Fusion, diversity and the chunk records are rag/retrieve.py's, so both stores rank alike. Sanad's
hybrid fusion (dense z-scores plus normalised BM25) is not one of Milvus's rankers (RRF, weighted
sum of raw scores), so Milvus returns each side's candidates and the client fuses them.
"""

from __future__ import annotations

import json

import numpy as np

from index.dates import day_number
from index.embed import Embedder
from index.milvus_views import MilvusChunks, TermStats, sparse_dict
from index.normalize import search_tokens
from index.store import IndexSnapshot
from rag.retrieve import Candidates, Filters, Mode, RetrievalConfig, Retriever, ranks


class MilvusRetriever(Retriever):
    """``Retriever`` whose candidates come from Milvus searches (see index/milvus.py)."""

    def _candidates(
        self, query: str, qvec: np.ndarray, docs: np.ndarray | None, mode: Mode, filters: Filters | None
    ) -> Candidates:
        chunks, stats = self.snapshot.chunk_vectors, self.snapshot.lexical
        assert isinstance(chunks, MilvusChunks) and isinstance(stats, TermStats)
        where = milvus_filter(filters)
        tokens = search_tokens(query)
        terms = stats.query_terms(tokens)
        empty = np.zeros(0, np.int64)
        dense_ids = chunks.search(qvec, self.config.pool, where)[1] if mode != "bm25" else empty
        lex_ids = chunks.search(terms, self.config.pool, where)[1] if mode != "dense" else empty
        ids = np.array(list(dict.fromkeys([*dense_ids.tolist(), *lex_ids.tolist()])), dtype=np.int64)
        rows = chunks.fetch(ids.tolist(), ["dense", "bm25"])
        vectors = np.array([rows[int(i)]["dense"] for i in ids], dtype=np.float32).reshape(len(ids), chunks.dim)
        dense = vectors @ qvec if len(ids) else np.zeros(0)
        weights = [sparse_dict(rows[int(i)]["bm25"]) for i in ids]
        raw = np.array([sum(w * row.get(t, 0.0) for t, w in terms.items()) for row in weights], dtype=np.float64)
        lexical = raw / float(stats.idf(tokens).sum()) if tokens else raw
        return Candidates(ids, vectors, dense, lexical, ranks(ids, dense_ids), ranks(ids, lex_ids))


def milvus_filter(filters: Filters | None) -> str:
    """The Milvus expression for ``filters``: the same rule as ``Retriever``'s mask (partial dates overlap)."""
    if filters is None or not filters.active():
        return ""
    parts = []
    if filters.doc_ids is not None:
        parts.append(f"doc_id in {json.dumps(sorted(filters.doc_ids), ensure_ascii=False)}")
    if filters.date_from or filters.date_to:
        lo, hi = day_number(filters.date_from or "0000", "0"), day_number(filters.date_to or "9999", "9")
        parts.append(f"day_lo > 0 and day_hi >= {lo} and day_lo <= {hi}")
    return " and ".join(parts)


def retriever_for(snapshot: IndexSnapshot, embedder: Embedder, config: RetrievalConfig | None = None) -> Retriever:
    """The retriever that searches ``snapshot`` where its chunks live: Milvus, or FAISS in memory."""
    cls = MilvusRetriever if isinstance(snapshot.chunk_vectors, MilvusChunks) else Retriever
    return cls(snapshot, embedder, config)
