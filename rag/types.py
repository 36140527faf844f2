"""Frozen result types of the answer layer: citations, answers, summaries and the overview.

Each has ``to_dict()`` giving the JSON shape the CLI contract promises (keep it stable).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Language = Literal["ar", "en"]


@dataclass(frozen=True)
class Citation:
    """One cited excerpt: ``show(doc_id).text[start:end] == text`` always holds."""

    n: int
    doc_id: str
    title: str | None
    date: str | None
    start: int
    end: int
    text: str
    score: float
    # The answer phrase inside the excerpt, as ``[start, end)`` of the article's text, when the
    # reader is confident of it.
    answer_span: tuple[int, int] | None = None
    outlet: str | None = None  # who published the article, where its metadata says
    title_derived: bool = False  # the article states no title; ``title`` is its opening (index/titles.py)

    @property
    def answer_phrase(self) -> str | None:
        if self.answer_span is None:
            return None
        a, b = self.answer_span
        return self.text[a - self.start : b - self.start]

    def to_dict(self) -> dict[str, Any]:
        out = {**asdict(self), "score": round(self.score, 4)}
        if self.answer_span is not None:
            out["answer_span"] = {"start": self.answer_span[0], "end": self.answer_span[1], "text": self.answer_phrase}
        return out


@dataclass(frozen=True)
class Answer:
    """An answer built from cited excerpts, or an abstention that still lists the closest passages."""

    question: str
    answer: str
    abstained: bool
    language: Language
    citations: tuple[Citation, ...]
    notice: str | None = None  # e.g. the question was cut to the maximum length
    searched: str | None = None  # what was searched, when the question was rewritten into MSA

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "language": self.language,
            "citations": [c.to_dict() for c in self.citations],
        }
        if self.notice:
            out["notice"] = self.notice
        if self.searched:
            out["searched"] = self.searched
        return out


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation, used to read follow-up questions."""

    question: str
    answer: str = ""


@dataclass(frozen=True)
class SummarySentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Summary:
    """An extractive summary: sentences of the article, in the article's order, with their spans."""

    doc_id: str
    title: str | None
    date: str | None
    sentences: tuple[SummarySentence, ...]
    title_derived: bool = False

    @property
    def summary(self) -> str:
        return " ".join(s.text for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "title_derived": self.title_derived,
            "date": self.date,
            "summary": self.summary,
            "sentences": [asdict(s) for s in self.sentences],
        }


@dataclass(frozen=True)
class Source:
    """An article that supports a point: who published it and when (``None`` where it does not say)."""

    doc_id: str
    title: str | None
    outlet: str | None
    date: str | None
    title_derived: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Point:
    """A theme or a difference: a short summary backed by cited sentences from several articles.

    ``sources`` lists every article that supports a theme (earliest first), also those beyond the
    cited sentences.
    """

    summary: str
    citations: tuple[Citation, ...]
    sources: tuple[Source, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"summary": self.summary, "citations": [c.to_dict() for c in self.citations]}
        if self.sources:
            out["sources"] = [s.to_dict() for s in self.sources]
        return out


@dataclass(frozen=True)
class TimelineEntry:
    """A dated event: the ISO date, the sentence that states it, and its citation.

    ``also`` cites the other sentences that give the same date for the same event (merged into
    this entry), from the same or other articles.
    """

    date: str
    text: str
    citation: Citation
    kind: Literal["published", "mentioned"] = "mentioned"
    also: tuple[Citation, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"date": self.date, "text": self.text, "kind": self.kind,
                               "citation": self.citation.to_dict()}
        if self.also:
            out["also"] = [c.to_dict() for c in self.also]
        return out


@dataclass(frozen=True)
class Overview:
    """The multi-document summary: a short cited briefing, shared themes, disagreements and a timeline."""

    briefing: tuple[Citation, ...] = field(default=())
    themes: tuple[Point, ...] = field(default=())
    differences: tuple[Point, ...] = field(default=())
    timeline: tuple[TimelineEntry, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "briefing": [c.to_dict() for c in self.briefing],
            "themes": [t.to_dict() for t in self.themes],
            "differences": [d.to_dict() for d in self.differences],
            "timeline": [t.to_dict() for t in self.timeline],
        }
