"""An in-memory view of one index version: articles, sentences, their vectors and search tokens.

Built once per published version and shared by answers, summaries and the overview. Does not
rank anything itself.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np

from index.dates import find_dates
from index.documents import Article, Span
from index.normalize import ENGLISH_STOPWORDS, detect_language, search_tokens
from index.records import DocumentInfo
from index.store import IndexSnapshot
from rag.translit import arabic_skeletons, latin_name_skeletons


@dataclass(frozen=True)
class SentenceRef:
    """A sentence of the corpus by position: ``pos`` indexes ``Corpus.vectors``."""

    pos: int
    id: int
    doc_id: str
    start: int
    end: int
    header: bool  # a title, byline or dateline line rather than body prose


# How much of its article's headline vector is added to a sentence's own for answer ranking. Chosen
# among 0.3/0.5/0.8 on XQuAD questions outside the evaluation sample (topic titles) and the seeds.
HEADLINE_WEIGHT = 0.5


class _Ranged(Protocol):
    """A character range of an article (a ``Span`` or a ``SentenceRef``)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def title_sentence(article: Article, sentences: Sequence[_Ranged]) -> int | None:
    """Position in ``sentences`` of the article's headline line (or of its first part), if any."""
    if not article.title:
        return None
    for i, s in enumerate(sentences):
        text = article.text[s.start : s.end]
        if article.title in text or text in article.title:
            return i
    return None


class Corpus:
    """Sentences of every article in text order, with their unit vectors in one matrix."""

    def __init__(self, snapshot: IndexSnapshot) -> None:
        self.snapshot = snapshot
        self.documents: dict[str, DocumentInfo] = {d.doc_id: d for d in snapshot.records.documents()}
        self.articles: dict[str, Article] = {d: snapshot.records.article(d) for d in self.documents}
        records = snapshot.records.sentences()
        self.sentences: list[SentenceRef] = []
        for pos, s in enumerate(records):
            header = any(h.start < s.end and s.start < h.end for h in self.articles[s.doc_id].header)
            self.sentences.append(SentenceRef(pos, s.id, s.doc_id, s.start, s.end, header))
        ids = np.array([s.id for s in records], dtype=np.int64)
        self.vectors = snapshot.sentence_vectors.get(ids)
        # Sparse latent-term rows aligned with ``vectors`` (None when the embedder has no sparse head).
        self.sparse = snapshot.sentence_sparse.get(ids).T.tocsr() if snapshot.sentence_sparse is not None else None
        self.by_doc: dict[str, list[SentenceRef]] = {d: [] for d in self.documents}
        for ref in self.sentences:
            self.by_doc[ref.doc_id].append(ref)
        self._tokens: dict[int, frozenset[str]] = {}
        self._cross: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def text(self, ref: SentenceRef | Span, doc_id: str | None = None) -> str:
        """The exact source text of a sentence (or of a span of ``doc_id``)."""
        doc = ref.doc_id if isinstance(ref, SentenceRef) else doc_id
        assert doc is not None
        return self.articles[doc].text[ref.start : ref.end]

    def tokens(self, ref: SentenceRef) -> frozenset[str]:
        """Search tokens of a sentence (normalised, stemmed), computed once."""
        found = self._tokens.get(ref.pos)
        if found is None:
            found = frozenset(search_tokens(self.text(ref)))
            with self._lock:
                self._tokens[ref.pos] = found
        return found

    def within(self, doc_id: str, start: int, end: int) -> list[SentenceRef]:
        """Sentences of ``doc_id`` lying inside ``[start, end)``."""
        return [s for s in self.by_doc.get(doc_id, []) if s.start >= start and s.end <= end]

    @cached_property
    def headed_vectors(self) -> np.ndarray:
        """Sentence vectors with their article's headline vector added, renormalised.

        A news sentence often leaves its subject to the headline ("the talks", "the base"); adding
        the headline, like a contextual chunk header, lets such a sentence match a question that
        names the subject. Sentences of articles without a headline line keep their own vector.
        """
        out = self.vectors.copy()
        for refs in self.by_doc.values():
            found = title_sentence(self.articles[refs[0].doc_id], refs) if refs else None
            if found is not None:
                positions = [r.pos for r in refs]
                out[positions] += HEADLINE_WEIGHT * self.vectors[refs[found].pos]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)

    @cached_property
    def languages(self) -> dict[str, str]:
        """The language of each article's text."""
        return {d: detect_language(a.text) for d, a in self.articles.items()}

    @cached_property
    def name_index(self) -> dict[str, list[int]]:
        """Consonant skeleton -> positions of the sentences holding it (for names across scripts)."""
        index: dict[str, list[int]] = {}
        for ref in self.sentences:
            text = self.text(ref)
            for skeleton in arabic_skeletons(text) | latin_name_skeletons(text, ENGLISH_STOPWORDS):
                index.setdefault(skeleton, []).append(ref.pos)
        return index

    @cached_property
    def dates(self) -> dict[str, frozenset[str]]:
        """Per article: its publication date and every date its text mentions (ISO strings)."""
        return {
            doc_id: frozenset({m.iso for m in find_dates(article.text)} | ({article.date} if article.date else set()))
            for doc_id, article in self.articles.items()
        }

    def mask(self, doc_ids: set[str] | None) -> np.ndarray:
        """Per sentence: does it belong to one of ``doc_ids`` (all sentences when None)?"""
        if doc_ids is None:
            return np.ones(len(self.sentences), dtype=bool)
        return np.array([s.doc_id in doc_ids for s in self.sentences], dtype=bool)

    def cross_language(self, language: str) -> np.ndarray:
        """Per sentence: is its article in another language than ``language``? (Read-only, cached.)"""
        found = self._cross.get(language)
        if found is None:
            langs = self.languages
            found = np.array([langs[s.doc_id] != language for s in self.sentences], dtype=bool)
            found.flags.writeable = False
            with self._lock:
                self._cross[language] = found
        return found
