"""Consistency of a published index: FAISS ids, SQLite rows, BM25, sparse terms, stored extras and manifest agree.

``open_index`` already verifies checksums and counts; this goes further, row by row, so that a kill,
a full disk or a bug that left parts disagreeing is found (``sanad check``). It also compares two
indexes by content, which is how a resumed build is shown equal to an uninterrupted one.
Does not repair anything: the fix is always another ``sanad index`` (or ``--rebuild``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.documents import Span
from index.errors import SanadError
from index.records import Sentence
from index.store import CURRENT, STAGING_PREFIX, VERSIONS, IndexSnapshot, current_version
from index.stores import FolderStore, IndexStore, parse_store

# Extras that hold sentence spans of their document (the stored summary); each span must be one.
SPAN_EXTRAS: tuple[str, ...] = ("summary",)
_NORM_TOLERANCE = 1e-3  # vectors are stored L2-normalised (or all zero for an empty text)


@dataclass(frozen=True)
class CheckReport:
    """What ``check_index`` found: ``problems`` make the index unusable, ``notes`` are harmless leftovers."""

    index_dir: Path | IndexStore
    version: str | None
    documents: int = 0
    chunks: int = 0
    sentences: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.version is not None and not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "index_dir": str(self.index_dir), "version": self.version, "ok": self.ok,
            "documents": self.documents, "chunks": self.chunks, "sentences": self.sentences,
            "problems": self.problems, "notes": self.notes,
        }


def check_index(index_dir: Path | IndexStore, span_extras: Collection[str] = SPAN_EXTRAS) -> CheckReport:
    """Open the live version and cross-check every part of it; never raises for a damaged index."""
    store = parse_store(index_dir)
    notes = list(_leftovers(store.index_dir)) if isinstance(store, FolderStore) else []
    try:
        snapshot = store.open()
    except SanadError as exc:
        return CheckReport(index_dir, None, problems=[str(exc)], notes=notes)
    try:
        problems = list(_problems(snapshot, span_extras))
        return CheckReport(
            index_dir,
            snapshot.version,
            documents=len(snapshot.manifest.documents),
            chunks=len(snapshot.chunk_vectors),
            sentences=len(snapshot.sentence_vectors),
            problems=problems,
            notes=notes,
        )
    finally:
        snapshot.close()


def _problems(s: IndexSnapshot, span_extras: Collection[str]) -> Iterator[str]:
    try:
        articles = {d: s.records.article(d) for d in s.records.doc_ids()}
        chunks = s.records.chunks()
        sentences = s.records.sentences()
    except SanadError as exc:
        yield str(exc)
        return
    documents = s.manifest.documents
    if set(articles) != set(documents):
        yield _differ("documents", "SQLite", set(articles), "the manifest", set(documents))
    chunk_ids = [c.id for c in chunks]
    sentence_ids = [x.id for x in sentences]
    yield from _same_ids("chunk", chunk_ids, {
        "the chunk vectors": s.chunk_vectors.ids(), "the BM25 index": s.lexical.ids,
    })
    tables = {"the sentence vectors": s.sentence_vectors.ids()}
    if s.sentence_sparse is not None:
        tables["the sparse sentence terms"] = s.sentence_sparse.ids
    yield from _same_ids("sentence", sentence_ids, tables)
    yield from _documents(s, articles, chunks, sentences, span_extras)
    yield from _vectors("chunk", s.chunk_vectors.get(np.array(chunk_ids, np.int64)))
    yield from _vectors("sentence", s.sentence_vectors.get(np.array(sentence_ids, np.int64)))


def _documents(
    s: IndexSnapshot, articles: Mapping[str, Any], chunks: list[Any], sentences: list[Sentence],
    span_extras: Collection[str],
) -> Iterator[str]:
    """Per document: manifest facts, chunk text and offsets, sentence offsets, stored extras."""
    by_doc_chunks: dict[str, list[Any]] = {}
    for c in chunks:
        by_doc_chunks.setdefault(c.doc_id, []).append(c)
    by_doc_sentences: dict[str, list[Sentence]] = {}
    for x in sentences:
        by_doc_sentences.setdefault(x.doc_id, []).append(x)
    for orphan in sorted((set(by_doc_chunks) | set(by_doc_sentences)) - set(articles)):
        yield f"chunks or sentences belong to {orphan!r}, which has no document row"
    for doc_id, article in sorted(articles.items()):
        entry = s.manifest.documents.get(doc_id)
        doc_chunks, doc_sentences = by_doc_chunks.get(doc_id, []), by_doc_sentences.get(doc_id, [])
        if entry is not None:
            if (entry.chunks, entry.sentences) != (len(doc_chunks), len(doc_sentences)):
                yield (f"{doc_id!r}: the manifest lists {entry.chunks} chunks and {entry.sentences} sentences, "
                       f"SQLite holds {len(doc_chunks)} and {len(doc_sentences)}")
            if entry.sha256 != article.sha256 or entry.text_sha256 != article.text_sha256:
                yield f"{doc_id!r}: the stored text does not match the manifest's hash"
        text = article.text
        for c in doc_chunks:
            if not 0 <= c.start < c.end <= len(text) or text[c.start : c.end] != c.text:
                yield f"{doc_id!r}: chunk {c.id} [{c.start}, {c.end}) is not the text at its offsets"
                break
        if not _ordered_within(doc_sentences, len(text)):
            yield f"{doc_id!r}: sentence offsets overlap, are out of order or outside the text"
        yield from _extras(s, doc_id, doc_sentences, span_extras)


def _ordered_within(sentences: list[Sentence], length: int) -> bool:
    end = 0
    for x in sentences:
        if not end <= x.start < x.end <= length:
            return False
        end = x.end
    return True


def _extras(s: IndexSnapshot, doc_id: str, sentences: list[Sentence], span_extras: Collection[str]) -> Iterator[str]:
    try:
        extras = s.records.extras(doc_id)
    except (SanadError, ValueError) as exc:
        yield f"{doc_id!r}: stored extras are unreadable ({exc})"
        return
    missing = sorted(set(s.manifest.enrichers) - set(extras))
    if missing:
        yield f"{doc_id!r}: stored {', '.join(missing)} missing (the manifest says every document has it)"
    spans = {(x.start, x.end) for x in sentences}
    for name in span_extras:
        value = extras.get(name)
        if value is None:
            continue
        try:
            stored = [Span(int(a), int(b)) for a, b in value]
        except (TypeError, ValueError):
            yield f"{doc_id!r}: the stored {name} is not a list of spans"
            continue
        if any((p.start, p.end) not in spans for p in stored):
            yield f"{doc_id!r}: the stored {name} cites spans that are not sentences of the article"


def _same_ids(kind: str, expected: list[int], tables: Mapping[str, np.ndarray]) -> Iterator[str]:
    if len(set(expected)) != len(expected):
        yield f"SQLite holds duplicate {kind} ids"
    want = set(expected)
    for name, ids in tables.items():
        got = [int(i) for i in ids]
        if len(got) != len(set(got)):
            yield f"{name} holds duplicate {kind} ids"
        if set(got) != want:
            yield _differ(f"{kind} ids", "SQLite", want, name, set(got))


def _vectors(kind: str, vectors: np.ndarray) -> Iterator[str]:
    if not len(vectors):
        return
    if not np.isfinite(vectors).all():
        yield f"some {kind} vectors are not finite"
        return
    norms = np.linalg.norm(vectors, axis=1)
    bad = int(np.sum((norms > _NORM_TOLERANCE) & (np.abs(norms - 1) > _NORM_TOLERANCE)))
    if bad:
        yield f"{bad} {kind} vectors are not unit length"


def _differ(what: str, left: str, a: set[Any], right: str, b: set[Any]) -> str:
    only_a, only_b = sorted(a - b, key=str)[:3], sorted(b - a, key=str)[:3]
    return (f"{what} differ: {len(a - b)} only in {left} (e.g. {only_a}), "
            f"{len(b - a)} only in {right} (e.g. {only_b})")


def _leftovers(index_dir: Path) -> Iterator[str]:
    """Files an interrupted writer leaves behind; the next update removes them."""
    versions = index_dir / VERSIONS
    staging = [p.name for p in versions.glob(f"{STAGING_PREFIX}*")] if versions.is_dir() else []
    if staging:
        yield f"{len(staging)} unfinished build folder(s) from an interrupted update (the next update removes them)"
    pointers = list(index_dir.glob(f"{CURRENT}.*.tmp"))
    if pointers:
        yield f"{len(pointers)} unused pointer file(s) from an interrupted publish (the next update removes them)"
    try:
        live = current_version(index_dir)
    except SanadError:
        return
    newer = [p.name for p in versions.iterdir() if not p.name.startswith(".") and live and p.name > live] \
        if versions.is_dir() else []
    if newer:
        yield f"{len(newer)} complete but unpublished version(s) newer than the live one (the next update removes them)"


# -- comparing two indexes by content --------------------------------------------------------------


def index_content(index_dir: Path | IndexStore) -> dict[str, Any]:
    """Everything an index holds that a build determines, without build times and version names.

    Vectors are kept as arrays keyed by id so that ``content_differences`` can compare them with a
    float tolerance; everything else compares exactly.
    """
    s = parse_store(index_dir).open()
    try:
        m = s.manifest
        docs = {}
        for doc_id in s.records.doc_ids():
            a = s.records.article(doc_id)
            docs[doc_id] = {
                "article": (a.text, a.source, a.title, a.date, a.date_text, a.author, a.outlet, a.encoding, a.header),
                "extras": s.records.extras(doc_id),
            }
        chunks = s.records.chunks()
        sentences = s.records.sentences()
        chunk_ids = np.array(sorted(c.id for c in chunks), np.int64)
        sentence_ids = np.array(sorted(x.id for x in sentences), np.int64)
        return {
            "manifest": {
                "embedder": m.embedder, "chunker": m.chunker, "normalizer_version": m.normalizer_version,
                "documents": m.documents, "roots": m.roots, "enrichers": m.enrichers,
            },
            "documents": docs,
            "chunks": sorted((c.id, c.doc_id, c.start, c.end, c.text, c.sentences) for c in chunks),
            "sentences": sorted((x.id, x.doc_id, x.start, x.end) for x in sentences),
            "bm25_ids": sorted(int(i) for i in s.lexical.ids),
            "chunk_vectors": (chunk_ids, s.chunk_vectors.get(chunk_ids)),
            "sentence_vectors": (sentence_ids, s.sentence_vectors.get(sentence_ids)),
            "sentence_sparse": None if s.sentence_sparse is None
            else (sentence_ids, s.sentence_sparse.get(sentence_ids).toarray()),
        }
    finally:
        s.close()


def content_differences(a: Mapping[str, Any], b: Mapping[str, Any], atol: float = 1e-5) -> list[str]:
    """Names of the parts of two ``index_content`` results that differ (empty: same index)."""
    out = []
    for key in a.keys() | b.keys():
        x, y = a.get(key), b.get(key)
        if isinstance(x, tuple) and isinstance(y, tuple) and len(x) == 2 and isinstance(x[0], np.ndarray):
            same = np.array_equal(x[0], y[0]) and x[1].shape == y[1].shape and np.allclose(x[1], y[1], atol=atol)
        else:
            same = x == y
        if not same:
            out.append(key)
    return sorted(out)
