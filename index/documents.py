"""Frozen value types for what flows through the index: articles, sentences, chunks.

Every position is a character offset into ``Article.text`` (the cleaned text), so
``article.text[span.start:span.end]`` is always the exact cited string.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` into an article's cleaned text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")


@dataclass(frozen=True)
class Article:
    """One cleaned source document and the metadata its text states (``None`` where it states none).

    Example:
        >>> a = Article(doc_id="a", text="Hello.", source="a.txt")
        >>> a.text[0:5]
        'Hello'
    """

    doc_id: str
    text: str
    source: str
    title: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD, or YYYY-MM / YYYY when only those are stated)
    date_text: str | None = None  # the date exactly as written in the source
    author: str | None = None
    outlet: str | None = None
    encoding: str = "utf-8"
    # Title, byline and dateline lines: article text, but not body prose (summaries skip them).
    header: tuple[Span, ...] = field(default=())

    @property
    def sha256(self) -> str:
        """Content hash of the text and metadata; an unchanged hash means nothing to re-embed."""
        record = asdict(self)
        record.pop("source")
        payload = json.dumps(record, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def text_sha256(self) -> str:
        """Hash of the whitespace-normalised text: the same story saved twice has the same value."""
        return hashlib.sha256(" ".join(self.text.split()).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of whole sentences of one article: the unit of retrieval.

    ``id`` is derived from the article's content hash and the span, so it is stable
    across rebuilds and survives updates of other articles.
    """

    id: int
    doc_id: str
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]


def stable_id(*parts: str | int) -> int:
    """A positive int64 derived from content (FAISS ids are int64)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF
