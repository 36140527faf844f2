"""Find the chunks that bear on a question: dense (FAISS), BM25, their fusion, diversity and filters.

Does not pick sentences or decide to abstain; see rag/answer.py. The LangChain adapter is in
rag/langchain.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from index.documents import Chunk
from index.embed import Embedder
from index.normalize import search_tokens
from index.store import IndexSnapshot
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
class _Candidates:
    ids: np.ndarray
    dense: np.ndarray
    lexical: np.ndarray
    dense_rank: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lexical_rank: np.ndarray = field(default_factory=lambda: np.zeros(0))


class Retriever:
    """Hybrid retrieval over one loaded index version.

    Example:
        >>> retriever = Retriever(open_index(path), get_embedder("e5-small"))
        >>> [h.chunk.doc_id for h in retriever.search("من يقود التحالف؟", k=3)]
    """

    def __init__(self, snapshot: IndexSnapshot, embedder: Embedder, config: RetrievalConfig | None = None) -> None:
        self.snapshot = snapshot
        self.embedder = embedder
        self.config = config or RetrievalConfig()
        self.chunks = {c.id: c for c in snapshot.records.chunks()}
        self.dates = {d.doc_id: d.date for d in snapshot.records.documents()}
        self._lexical_pos = {int(i): p for p, i in enumerate(snapshot.lexical.ids)}

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
        allowed = self._allowed(filters) if filters and filters.active() else None
        if allowed is not None and not allowed:
            return []
        qvec = query_vector if query_vector is not None else self.embed_query(query)
        cands = self._candidates(query, qvec, allowed, mode)
        if not len(cands.ids):
            return []
        scores = self._fuse(cands, mode)
        order = self._diversify(cands.ids, scores, k)
        return [
            Hit(self.chunks[int(cands.ids[i])], float(scores[i]), float(cands.dense[i]), float(cands.lexical[i]))
            for i in order
        ]

    def allowed_docs(self, filters: Filters | None) -> set[str] | None:
        """The doc_ids ``filters`` admit, or None when nothing is filtered."""
        if filters is None or not filters.active():
            return None
        return {self.chunks[cid].doc_id for cid in self._allowed(filters)}

    def _allowed(self, filters: Filters) -> set[int]:
        docs = set(self.dates) if filters.doc_ids is None else set(filters.doc_ids) & set(self.dates)
        if filters.date_from or filters.date_to:
            lo, hi = filters.date_from or "0000", filters.date_to or "9999"
            # Dates may be partial (YYYY-MM): compare on the common prefix so a month counts as in range.
            docs = {d for d in docs if (date := self.dates[d]) and lo[: len(date)] <= date <= hi[: len(date)] + "~"}
        return {cid for cid, c in self.chunks.items() if c.doc_id in docs}

    def _candidates(self, query: str, qvec: np.ndarray, allowed: set[int] | None, mode: Mode) -> _Candidates:
        pool = self.config.pool
        lexical_all = self.lexical_scores(query)
        dense_ids = np.zeros(0, np.int64)
        if mode != "bm25":
            _, dense_ids = self.snapshot.chunk_vectors.search(qvec, len(self.chunks) if allowed else pool)
            if allowed is not None:
                dense_ids = np.array([i for i in dense_ids if int(i) in allowed], dtype=np.int64)
            dense_ids = dense_ids[:pool]
        lex_order = np.argsort(-lexical_all, kind="stable")
        lex_ids = self.snapshot.lexical.ids[lex_order[lexical_all[lex_order] > 0]]
        if allowed is not None:
            lex_ids = np.array([i for i in lex_ids if int(i) in allowed], dtype=np.int64)
        lex_ids = lex_ids[:pool] if mode != "dense" else np.zeros(0, np.int64)
        ids = np.array(list(dict.fromkeys([*dense_ids.tolist(), *lex_ids.tolist()])), dtype=np.int64)
        dense = self.snapshot.chunk_vectors.get(ids) @ qvec if len(ids) else np.zeros(0)
        lexical = np.array([lexical_all[self._lexical_pos[int(i)]] for i in ids])
        return _Candidates(ids, dense, lexical, _ranks(ids, dense_ids), _ranks(ids, lex_ids))

    def lexical_scores(self, query: str) -> np.ndarray:
        """BM25 of every chunk divided by the score of a chunk matching each query term once."""
        tokens = search_tokens(query)
        raw = self.snapshot.lexical.scores(query)
        if not tokens:
            return raw
        return raw / float(self.snapshot.lexical.idf(tokens).sum())

    def _fuse(self, c: _Candidates, mode: Mode) -> np.ndarray:
        if mode == "dense":
            return c.dense
        if mode == "bm25":
            return c.lexical
        if mode == "rrf":
            k = self.config.rrf_k
            return _rrf(c.dense_rank, k) + _rrf(c.lexical_rank, k)
        spread = float(c.dense.std()) or 1.0
        return (c.dense - float(c.dense.mean())) / spread + self.config.lexical_weight * c.lexical

    def _diversify(self, ids: np.ndarray, scores: np.ndarray, k: int) -> list[int]:
        """Maximal marginal relevance on chunk vectors, plus an optional cap per article."""
        order = list(np.argsort(-scores, kind="stable"))
        lam = self.config.diversity
        cap = self.config.max_per_doc
        if lam == 0 and cap is None:
            return order[:k]
        # With a per-article cap every candidate may be needed to fill k from distinct articles.
        shortlist = order if cap is not None else order[: max(4 * k, 20)]
        vectors = self.snapshot.chunk_vectors.get(ids[shortlist])
        rel = rescale(scores[shortlist], flat=1.0)
        sims = _minmax_matrix(vectors @ vectors.T)
        chosen: list[int] = []
        per_doc: dict[str, int] = {}
        remaining = list(range(len(shortlist)))
        while remaining and len(chosen) < k:
            penalty = sims[np.ix_(remaining, chosen)].max(axis=1) if chosen else np.zeros(len(remaining))
            mmr = (1 - lam) * rel[remaining] - lam * penalty
            for j in np.argsort(-mmr, kind="stable"):
                pick = remaining[int(j)]
                doc = self.chunks[int(ids[shortlist[pick]])].doc_id
                if cap is None or per_doc.get(doc, 0) < cap:
                    chosen.append(pick)
                    per_doc[doc] = per_doc.get(doc, 0) + 1
                    remaining.remove(pick)
                    break
            else:
                break
        return [shortlist[i] for i in chosen]


def _ranks(ids: np.ndarray, ranked: Iterable[int]) -> np.ndarray:
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
