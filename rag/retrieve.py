"""Find the chunks that bear on a question: dense (FAISS), BM25, their fusion, diversity and filters.

Does not pick sentences or decide to abstain; see rag/stages/. The LangChain adapter is in
rag/langchain.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from index.dates import day_number
from index.documents import Chunk
from index.embed import Embedder
from index.lexical import LexicalIndex
from index.normalize import search_tokens
from index.store import IndexSnapshot
from index.vectors import VectorTable
from rag.scores import rescale

Mode = Literal["hybrid", "dense", "bm25", "rrf"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25", "rrf")


@dataclass(frozen=True)
class RetrievalConfig:
    """How candidates are found and fused.

    ``lexical_weight`` scales BM25 against dense z-scores in hybrid mode. The BM25 side is
    normalised by the score a document matching every query term once would get, counting terms
    the corpus lacks (e.g. English words against Arabic articles), so a query the corpus cannot
    match lexically contributes almost nothing and dense retrieval decides.
    """

    mode: Mode = "hybrid"
    pool: int = 100  # candidates taken from each retriever before fusion
    lexical_weight: float = 1.5
    rrf_k: int = 60
    diversity: float = 0.3  # MMR trade-off: 0 ranks by relevance only
    max_per_doc: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown retrieval mode {self.mode!r}; choose from {MODES}")
        if self.pool < 1 or self.rrf_k < 1 or self.lexical_weight < 0 or not 0 <= self.diversity < 1:
            raise ValueError("pool and rrf_k must be >= 1, lexical_weight >= 0, 0 <= diversity < 1")


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some articles and/or a publication-date range (ISO dates, inclusive)."""

    doc_ids: frozenset[str] | None = None
    date_from: str | None = None
    date_to: str | None = None

    def active(self) -> bool:
        return self.doc_ids is not None or self.date_from is not None or self.date_to is not None


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the evidence from each retriever."""

    chunk: Chunk
    score: float
    dense: float
    lexical: float  # BM25 normalised to the query's full-match score (0..~1)


@dataclass
class Candidates:
    """Chunks found by either retriever, with both retrievers' evidence (what fusion reads)."""

    ids: np.ndarray
    vectors: np.ndarray  # their chunk vectors, read once for the dense score and for diversity
    dense: np.ndarray
    lexical: np.ndarray
    dense_rank: np.ndarray
    lexical_rank: np.ndarray


class _Rows:
    """Chunk ids -> positions in an array of ids, vectorised (a dict of a million ints is ~100 MB)."""

    def __init__(self, ids: np.ndarray) -> None:
        self._order = np.argsort(ids, kind="stable")
        self._sorted = ids[self._order]

    def of(self, ids: np.ndarray) -> np.ndarray:
        """Position of each of ``ids`` (each must be present)."""
        return self._order[np.searchsorted(self._sorted, ids)]


class Retriever:
    """Hybrid retrieval over one loaded index version.

    Filters become a boolean mask over the vector table's rows, computed with array operations
    from per-article metadata, and FAISS applies it inside its scan (an ID selector): no Python
    loop over chunks at any corpus size. Chunk texts are read from the records file for the hits only.

    Example:
        >>> retriever = Retriever(open_index(path), get_embedder("e5-small"))
        >>> [h.chunk.doc_id for h in retriever.search("من يقود التحالف؟", k=3)]
    """

    def __init__(self, snapshot: IndexSnapshot, embedder: Embedder, config: RetrievalConfig | None = None) -> None:
        self.snapshot = snapshot
        self.embedder = embedder
        self.config = config or RetrievalConfig()
        documents = snapshot.records.documents()
        self._doc_names = np.array([d.doc_id for d in documents], dtype=object)
        self._doc_pos = {d.doc_id: i for i, d in enumerate(documents)}
        # A partial date ("2024-05") stands for its whole period [20240500, 20240599]; an article
        # is in a range when its period overlaps the range's. Integers: compared in microseconds.
        self._date_lo = np.array([day_number(d, "0") for d in (x.date for x in documents)], dtype=np.int64)
        self._date_hi = np.array([day_number(d, "9") for d in (x.date for x in documents)], dtype=np.int64)
        vector_ids = snapshot.chunk_vectors.ids()
        self._vector_rows = _Rows(vector_ids)
        chunk_ids, chunk_docs = snapshot.records.chunk_owners()
        self._row_doc = np.zeros(len(vector_ids), dtype=np.int32)  # article position of each vector row
        if chunk_ids:
            rows = self._vector_rows.of(np.array(chunk_ids, dtype=np.int64))
            self._row_doc[rows] = [self._doc_pos[d] for d in chunk_docs]
        self._lexical_rows = _Rows(snapshot.lexical.ids)
        self._lexical_doc = self._row_doc[self._vector_rows.of(snapshot.lexical.ids)] if len(vector_ids) else (
            np.zeros(0, np.int64)
        )

    def embed_query(self, query: str) -> np.ndarray:
        return self.embedder.embed_queries([query])[0]

    def search(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        mode: Mode | None = None,
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The ``k`` best chunks for ``query``, best first, diversified and filtered."""
        mode = mode or self.config.mode
        docs = self._doc_mask(filters) if filters and filters.active() else None
        if docs is not None and not docs.any():
            return []
        qvec = query_vector if query_vector is not None else self.embed_query(query)
        cands = self._candidates(query, qvec, docs, mode, filters)
        if not len(cands.ids):
            return []
        scores = self._fuse(cands, mode)
        order = self._diversify(cands, scores, k)
        chunks = {c.id: c for c in self.snapshot.records.chunks([int(cands.ids[i]) for i in order])}
        return [
            Hit(chunks[int(cands.ids[i])], float(scores[i]), float(cands.dense[i]), float(cands.lexical[i]))
            for i in order
        ]

    def allowed_docs(self, filters: Filters | None) -> set[str] | None:
        """The doc_ids ``filters`` admit, or None when nothing is filtered."""
        if filters is None or not filters.active():
            return None
        docs = self._doc_mask(filters)
        docs &= np.bincount(self._row_doc, minlength=len(docs)) > 0  # articles with chunks
        return set(self._doc_names[docs].tolist())

    def _doc_mask(self, filters: Filters) -> np.ndarray:
        """Per article (in ``documents()`` order): does ``filters`` admit it?"""
        if filters.doc_ids is None:
            docs = np.ones(len(self._doc_names), dtype=bool)
        else:
            docs = np.zeros(len(self._doc_names), dtype=bool)
            docs[[self._doc_pos[d] for d in filters.doc_ids if d in self._doc_pos]] = True
        if filters.date_from or filters.date_to:
            lo, hi = day_number(filters.date_from or "0000", "0"), day_number(filters.date_to or "9999", "9")
            docs &= (self._date_lo > 0) & (self._date_hi >= lo) & (self._date_lo <= hi)
        return docs

    def _candidates(
        self, query: str, qvec: np.ndarray, docs: np.ndarray | None, mode: Mode, filters: Filters | None
    ) -> Candidates:
        pool = self.config.pool
        lexical_all = self.lexical_scores(query)
        dense_ids = np.zeros(0, np.int64)
        if mode != "bm25":
            allowed = docs[self._row_doc] if docs is not None else None
            _, dense_ids = self._table().search(qvec, pool, allowed=allowed)
        lex_ids = np.zeros(0, np.int64)
        if mode != "dense":
            lexical_ok = lexical_all if docs is None else np.where(docs[self._lexical_doc], lexical_all, 0)
            lex_ids = self.snapshot.lexical.ids[_top_positive(lexical_ok, pool)]
        ids = np.array(list(dict.fromkeys([*dense_ids.tolist(), *lex_ids.tolist()])), dtype=np.int64)
        vectors = self.snapshot.chunk_vectors.get(ids)
        dense = vectors @ qvec if len(ids) else np.zeros(0)
        lexical = lexical_all[self._lexical_rows.of(ids)] if len(ids) else np.zeros(0)
        return Candidates(ids, vectors, dense, lexical, ranks(ids, dense_ids), ranks(ids, lex_ids))

    def _table(self) -> VectorTable:
        table = self.snapshot.chunk_vectors
        if not isinstance(table, VectorTable):
            raise TypeError("in-memory FAISS search is the folder store's; a Milvus store searches in Milvus")
        return table

    def term_frequency(self, term: str) -> int:
        """How many chunks hold the search term (0 for one the collection lacks)."""
        return int(self.snapshot.lexical.document_frequency([term])[0])

    def term_idf(self, terms: Sequence[str]) -> np.ndarray:
        """Lucene BM25 idf of each search term (the largest possible for terms the corpus lacks)."""
        return self.snapshot.lexical.idf(terms)

    def lexical_scores(self, query: str) -> np.ndarray:
        """BM25 of every chunk divided by the score of a chunk matching each query term once."""
        tokens = search_tokens(query)
        lexical = self.snapshot.lexical
        if not isinstance(lexical, LexicalIndex):
            raise TypeError("BM25 over every chunk is the folder store's; a Milvus store searches in Milvus")
        raw = lexical.scores(query)
        if not tokens:
            return raw
        return raw / float(self.snapshot.lexical.idf(tokens).sum())

    def _fuse(self, c: Candidates, mode: Mode) -> np.ndarray:
        if mode == "dense":
            return c.dense
        if mode == "bm25":
            return c.lexical
        if mode == "rrf":
            k = self.config.rrf_k
            return _rrf(c.dense_rank, k) + _rrf(c.lexical_rank, k)
        spread = float(c.dense.std()) or 1.0
        return (c.dense - float(c.dense.mean())) / spread + self.config.lexical_weight * c.lexical

    def _diversify(self, cands: Candidates, scores: np.ndarray, k: int) -> list[int]:
        """Maximal marginal relevance on chunk vectors, plus an optional cap per article."""
        order = list(np.argsort(-scores, kind="stable"))
        lam = self.config.diversity
        cap = self.config.max_per_doc
        if lam == 0 and cap is None:
            return order[:k]
        # With a per-article cap every candidate may be needed to fill k from distinct articles.
        shortlist = order if cap is not None else order[: max(4 * k, 20)]
        vectors = cands.vectors[shortlist]
        owners = self._row_doc[self._vector_rows.of(cands.ids[shortlist])]
        rel = rescale(scores[shortlist], flat=1.0)
        sims = _minmax_matrix(vectors @ vectors.T)
        chosen: list[int] = []
        per_doc: dict[int, int] = {}
        remaining = list(range(len(shortlist)))
        while remaining and len(chosen) < k:
            penalty = sims[np.ix_(remaining, chosen)].max(axis=1) if chosen else np.zeros(len(remaining))
            mmr = (1 - lam) * rel[remaining] - lam * penalty
            for j in np.argsort(-mmr, kind="stable"):
                pick = remaining[int(j)]
                doc = int(owners[pick])
                if cap is None or per_doc.get(doc, 0) < cap:
                    chosen.append(pick)
                    per_doc[doc] = per_doc.get(doc, 0) + 1
                    remaining.remove(pick)
                    break
            else:
                break
        return [shortlist[i] for i in chosen]


def _top_positive(scores: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` largest positive scores, best first, ties in position order.

    A partition finds the n-th largest in linear time; only those at or above it are sorted
    (sorting a million BM25 scores per question took ~80 ms, this takes a few).
    """
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > n:
        kth = np.partition(scores[candidates], len(candidates) - n)[len(candidates) - n]
        candidates = candidates[scores[candidates] >= kth]
    return candidates[np.argsort(-scores[candidates], kind="stable")][:n]


def ranks(ids: np.ndarray, ranked: Iterable[int]) -> np.ndarray:
    """1-based rank of each id in ``ranked`` (0 when absent)."""
    pos = {int(i): r + 1 for r, i in enumerate(ranked)}
    return np.array([pos.get(int(i), 0) for i in ids], dtype=np.float64)


def _rrf(ranks: np.ndarray, k: int) -> np.ndarray:
    return np.where(ranks > 0, 1.0 / (k + ranks), 0.0)


def _minmax_matrix(m: np.ndarray) -> np.ndarray:
    """Rescale pairwise similarities to 0..1 over the off-diagonal (e5 cosines crowd into 0.7..1)."""
    if m.shape[0] < 2:
        return np.zeros_like(m)
    off = m[~np.eye(m.shape[0], dtype=bool)]
    lo, hi = float(off.min()), float(off.max())
    return np.clip((m - lo) / (hi - lo), 0, 1) if hi > lo else np.zeros_like(m)
