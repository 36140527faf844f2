"""Article, chunk and sentence records in one SQLite file (no pickle), read and written by offset.

Does not decide what changed between builds; see index/build.py.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from index.documents import Article, Chunk, Span
from index.errors import IndexCorruptError, UnknownDocumentError
from index.titles import derived_title

OPENING_CHARS = 2000  # of an untitled article's text, enough for its derived title

SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    title TEXT, date TEXT, date_text TEXT, author TEXT, outlet TEXT,
    encoding TEXT NOT NULL,
    header TEXT NOT NULL,
    extras TEXT NOT NULL
);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    sentences TEXT NOT NULL
);
CREATE INDEX chunks_by_doc ON chunks(doc_id, start);
CREATE TABLE sentences (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL
);
CREATE INDEX sentences_by_doc ON sentences(doc_id, start);
"""


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article, with the id its vector has in the sentence index."""

    id: int
    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class DocumentInfo:
    """What ``sanad docs`` lists: metadata and sizes, without the text."""

    doc_id: str
    title: str | None
    date: str | None
    author: str | None
    outlet: str | None
    source: str
    chars: int
    chunks: int
    sha256: str
    title_derived: bool = False  # the article states no title; ``title`` is its opening (index/titles.py)

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of ``sanad docs --json`` and the web API's ``/articles`` (one shape for both)."""
        keys = ("doc_id", "title", "title_derived", "date", "author", "outlet", "source", "chars", "chunks")
        return {k: getattr(self, k) for k in keys}


def _spans(raw: str) -> tuple[Span, ...]:
    return tuple(Span(s, e) for s, e in json.loads(raw))


def _dump_spans(spans: Iterable[Span]) -> str:
    return json.dumps([[s.start, s.end] for s in spans])


class RecordWriter:
    """Creates a fresh records file, optionally copying unchanged documents from the previous one."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path)
        self._db.executescript(SCHEMA)

    def copy_documents(self, old_path: Path, doc_ids: Sequence[str]) -> None:
        """Copy the rows of ``doc_ids`` (documents, chunks, sentences) from an older records file."""
        if not doc_ids:
            return
        self._db.execute("ATTACH DATABASE ? AS old", (f"file:{old_path}?mode=ro",))
        try:
            self._db.execute("CREATE TEMP TABLE keep (doc_id TEXT PRIMARY KEY)")
            self._db.executemany("INSERT INTO keep VALUES (?)", [(d,) for d in doc_ids])
            for table in ("documents", "chunks", "sentences"):
                self._db.execute(
                    f"INSERT INTO main.{table} SELECT * FROM old.{table} WHERE doc_id IN (SELECT doc_id FROM keep)"
                )
            self._db.commit()
        finally:
            if self._db.in_transaction:  # a failed copy (e.g. a full disk): DETACH needs no open transaction
                self._db.rollback()
            self._db.execute("DROP TABLE IF EXISTS temp.keep")
            self._db.execute("DETACH DATABASE old")

    def add(
        self, article: Article, chunks: Sequence[Chunk], sentences: Sequence[Sentence], extras: dict[str, Any]
    ) -> None:
        """Insert one article with its chunks and sentences."""
        self._db.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                article.doc_id,
                article.sha256,
                article.source,
                article.text,
                article.title,
                article.date,
                article.date_text,
                article.author,
                article.outlet,
                article.encoding,
                _dump_spans(article.header),
                json.dumps(extras, ensure_ascii=False),
            ),
        )
        self._db.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?)",
            [(c.id, c.doc_id, c.start, c.end, c.text, _dump_spans(c.sentences)) for c in chunks],
        )
        self._db.executemany(
            "INSERT INTO sentences VALUES (?,?,?,?)", [(s.id, s.doc_id, s.start, s.end) for s in sentences]
        )

    def move_sources(self, sources: Mapping[str, str]) -> None:
        """Record new source paths for documents already written (a file moved, its text did not)."""
        self._db.executemany("UPDATE documents SET source = ? WHERE doc_id = ?", [(s, d) for d, s in sources.items()])

    def close(self) -> None:
        """Commit and close; the file is complete after this returns."""
        self._db.commit()
        self._db.close()


class RecordReader:
    """Read-only access to one records file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        try:
            self._db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            self._db.execute("SELECT count(*) FROM documents").fetchone()
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"{path} is not a readable records file ({exc})") from exc
        self._lock = threading.Lock()

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            with self._lock:
                return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(
                f"the records file is damaged ({exc}); run `sanad index --rebuild`"
            ) from exc

    def documents(self) -> list[DocumentInfo]:
        """All documents, ordered by doc_id."""
        rows = self._query(
            "SELECT d.doc_id, d.title, d.date, d.author, d.outlet, d.source, length(d.text), "
            "(SELECT count(*) FROM chunks c WHERE c.doc_id = d.doc_id), d.sha256, "
            f"CASE WHEN d.title IS NULL THEN substr(d.text, 1, {OPENING_CHARS}) END, d.header "
            "FROM documents d ORDER BY d.doc_id"
        )
        out = []
        for *fields, opening, header in rows:
            info = DocumentInfo(*fields)
            derived = derived_title(opening, _spans(header)) if opening else None
            out.append(replace(info, title=derived, title_derived=True) if derived else info)
        return out

    def doc_ids(self) -> list[str]:
        return [r[0] for r in self._query("SELECT doc_id FROM documents ORDER BY doc_id")]

    def article(self, doc_id: str) -> Article:
        """The stored article; raises ``UnknownDocumentError`` for an unknown id."""
        rows = self._query(
            "SELECT doc_id, text, source, title, date, date_text, author, outlet, encoding, header "
            "FROM documents WHERE doc_id = ?",
            (doc_id,),
        )
        if not rows:
            raise UnknownDocumentError(f"no article with doc_id {doc_id!r}; list them with `sanad docs`")
        doc, text, source, title, date, date_text, author, outlet, encoding, header = rows[0]
        return Article(doc, text, source, title, date, date_text, author, outlet, encoding, _spans(header))

    def extras(self, doc_id: str) -> dict[str, Any]:
        """Per-document data computed at indexing time (e.g. the stored summary)."""
        rows = self._query("SELECT extras FROM documents WHERE doc_id = ?", (doc_id,))
        if not rows:
            raise UnknownDocumentError(f"no article with doc_id {doc_id!r}; list them with `sanad docs`")
        return dict(json.loads(rows[0][0]))

    def chunks(self, ids: Sequence[int] | None = None) -> list[Chunk]:
        """The chunks with ``ids`` in that order, or every chunk ordered by (doc_id, start)."""
        cols = "id, doc_id, start, end, text, sentences"
        if ids is None:
            rows = self._query(f"SELECT {cols} FROM chunks ORDER BY doc_id, start")
        else:
            found = {
                r[0]: r
                for r in self._query(
                    f"SELECT {cols} FROM chunks WHERE id IN ({','.join('?' * len(ids))})", list(ids)
                )
            }
            rows = [found[i] for i in ids if i in found]
        return [Chunk(r[0], r[1], r[2], r[3], r[4], _spans(r[5])) for r in rows]

    def chunk_owners(self) -> tuple[list[int], list[str]]:
        """(chunk id, doc_id) of every chunk, without the texts: what filters need, at any corpus size."""
        rows = self._query("SELECT id, doc_id FROM chunks")
        return [r[0] for r in rows], [r[1] for r in rows]

    def sentences(self, doc_id: str | None = None) -> list[Sentence]:
        """Sentences of one document (or all), in text order."""
        if doc_id is None:
            rows = self._query("SELECT id, doc_id, start, end FROM sentences ORDER BY doc_id, start")
        else:
            rows = self._query(
                "SELECT id, doc_id, start, end FROM sentences WHERE doc_id = ? ORDER BY start", (doc_id,)
            )
        return [Sentence(*r) for r in rows]

    def close(self) -> None:
        self._db.close()
