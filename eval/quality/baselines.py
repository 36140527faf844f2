"""Baselines run beside Sanad on the same articles: the "LangChain default" RAG and a lead-n summary.

The four retrieval variants (BM25 only, dense only, plain RRF, hybrid) need no code here: they are
modes of ``Retriever.search`` over the project's own index (see eval/quality/systems.py).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from index.build import Progress
from index.documents import Article, Span
from index.embed import BATCH_SIZE, Embedder
from index.segment import split_sentences
from index.vectors import faiss  # loaded with passive OpenMP waiting (index/openmp.py)
from rag.index_cache import cache_key, prune, slug
from rag.summary_units import summary_units, unit_vectors

log = logging.getLogger(__name__)

CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200  # LangChain's RAG-tutorial settings
SPLITTER = {"chunk_size": CHUNK_SIZE, "chunk_overlap": CHUNK_OVERLAP}


@dataclass(frozen=True)
class LangChainChunk:
    """A splitter chunk; ``start`` is LangChain's ``start_index`` (found with ``str.find``, -1 if lost)."""

    doc_id: str
    start: int
    text: str


class LangChainDefault:
    """``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` + FAISS + the same embedder.

    Reproduces ``FAISS.from_documents(splitter.split_documents(docs), embeddings)`` of
    langchain-community (an exact ``IndexFlatL2`` over the raw vectors, no normalisation) with
    faiss directly: no langchain-community dependency, and the cached vectors are a ``.npy`` file,
    never a pickle (``FAISS.load_local`` needs ``allow_dangerous_deserialization=True``). The top
    chunks are the answer. Passages are embedded through the embedder's LangChain ``Embeddings``
    interface (``embed_documents``).

    Example:
        >>> lc = LangChainDefault.build(articles, get_embedder("e5-small"))
        >>> [c.doc_id for c in lc.search(embedder.embed_queries(["من يقود التحالف؟"])[0], k=3)]
    """

    name = "langchain"

    def __init__(self, chunks: Sequence[LangChainChunk], vectors: np.ndarray) -> None:
        self.chunks = list(chunks)
        self.index = faiss.IndexFlatL2(vectors.shape[1])
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    @staticmethod
    def split(articles: Sequence[Article]) -> list[LangChainChunk]:
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        docs = splitter.create_documents([a.text for a in articles], [{"doc_id": a.doc_id} for a in articles])
        return [LangChainChunk(d.metadata["doc_id"], d.metadata["start_index"], d.page_content) for d in docs]

    @classmethod
    def build(
        cls,
        articles: Sequence[Article],
        embedder: Embedder,
        cache: Path | None = None,
        corpus: str = "corpus",
        progress: Progress | None = None,
    ) -> LangChainDefault:
        """Split and embed ``articles``, reusing vectors cached under ``cache`` when they match."""
        chunks = cls.split(articles)
        folder = None
        if cache is not None:
            settings = {**SPLITTER, "model_id": embedder.model_id,
                        "splitters": metadata.version("langchain-text-splitters")}
            folder = cache / f"{corpus}-{slug(embedder.name)}-langchain-{cache_key(articles, settings)}"
            vectors = _load(folder, chunks, embedder.dim)
            if vectors is not None:
                return cls(chunks, vectors)
        vectors = _embed([c.text for c in chunks], embedder, progress)
        if folder is not None and cache is not None:
            _save(folder, chunks, vectors)
            prune(cache, f"{corpus}-{slug(embedder.name)}-langchain-")
        return cls(chunks, vectors)

    def search(self, query_vector: np.ndarray, k: int) -> list[LangChainChunk]:
        """The ``k`` nearest chunks (the same vector ``Embeddings.embed_query`` returns for the question)."""
        _, ids = self.index.search(np.asarray(query_vector, dtype=np.float32).reshape(1, -1), k)
        return [self.chunks[int(i)] for i in ids[0] if i >= 0]


def _embed(texts: Sequence[str], embedder: Embedder, progress: Progress | None) -> np.ndarray:
    if isinstance(embedder, Embeddings):
        def embed(batch: list[str]) -> np.ndarray:
            return np.asarray(embedder.embed_documents(batch), dtype=np.float32)
    else:  # an Embedder without the LangChain interface: the same passage embedding
        def embed(batch: list[str]) -> np.ndarray:
            return embedder.embed_passages(batch)
    parts = []
    for i in range(0, len(texts), BATCH_SIZE):
        parts.append(embed(list(texts[i : i + BATCH_SIZE])))
        if progress:
            progress("embedding (LangChain baseline)", min(i + BATCH_SIZE, len(texts)), len(texts))
    return np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)


def _load(folder: Path, chunks: Sequence[LangChainChunk], dim: int) -> np.ndarray | None:
    """Cached vectors when they belong to exactly these chunks, else ``None``."""
    try:
        stored = [json.loads(line) for line in (folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
    except (OSError, ValueError) as exc:
        if folder.exists():
            log.warning("LangChain baseline cache %s is unusable (%s); re-embedding", folder, exc)
        return None
    same = [LangChainChunk(**row) for row in stored] == list(chunks)
    return vectors if same and vectors.shape == (len(chunks), dim) else None


def _save(folder: Path, chunks: Sequence[LangChainChunk], vectors: np.ndarray) -> None:
    """Write to a sibling folder, then rename: a killed run never leaves a half-written cache."""
    staging = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    lines = [json.dumps({"doc_id": c.doc_id, "start": c.start, "text": c.text}, ensure_ascii=False) for c in chunks]
    (staging / "chunks.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    np.save(staging / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)


def lead_summary(article: Article, n: int, words: int | None = None) -> list[Span]:
    """The first ``n`` candidate sentences: the classic news baseline (the lead carries the key facts).

    The candidates Sanad's summariser chooses from (``rag.summary_units``: whole sentences, no
    header line, no fragment), so the two differ only in which sentences they choose. Under a
    word budget (``words``) it takes, in the article's order, each sentence that still fits, as
    Sanad's default rule does; the first sentence when none fits.
    """
    units = summary_units(article, split_sentences(article.text))
    if words is None:
        return [Span(u.start, u.end) for u in units[:n]]
    chosen: list[Span] = []
    for u in units:
        size = len(article.text[u.start : u.end].split())
        if len(chosen) < n and size <= words:
            chosen.append(Span(u.start, u.end))
            words -= size
    return chosen or [Span(u.start, u.end) for u in units[:1]]


def centrality_summary(article: Article, sentences: Sequence[Span], vectors: np.ndarray, n: int) -> list[Span]:
    """The ``n`` candidates closest on average to the article's other candidates, in text order.

    Degree centrality over the sentence vectors (LexRank's graph without the walk), with no
    position prior: what centrality alone contributes to a summary.
    """
    units = summary_units(article, sentences)
    vecs = unit_vectors(units, vectors)
    sims = vecs @ vecs.T
    score = sims.sum(axis=1) - np.diag(sims)
    top = sorted(int(i) for i in np.argsort(-score, kind="stable")[:n])
    return [Span(units[i].start, units[i].end) for i in top]
