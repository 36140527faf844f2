"""Extractive answers: score the sentences of retrieved passages against the question, cite the best.

No language model: the answer is made of exact quoted sentences with [n] markers, or an
abstention when the evidence is weak. Does not retrieve chunks itself; see rag/retrieve.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.dates import find_dates
from index.normalize import search_tokens
from rag.corpus import Corpus, SentenceRef
from rag.framing import compose
from rag.question import Question
from rag.retrieve import Filters, Hit, Retriever
from rag.types import Answer, Citation

_NUMBER = re.compile(r"[0-9٠-٩]|(?<!\w)(?:ثلاث|أربع|اربع|خمس|ست|سبع|ثماني|تسع|عشر|مئ|مائ|ألف|الف|آلاف|مليون)")


@dataclass(frozen=True)
class AnswerConfig:
    """Weights of the sentence score and the abstention threshold.

    score = z(dense cosine over all sentences) + lexical_weight * (query idf mass the sentence holds)
            + context_weight * (relevance of the best retrieved chunk holding it)
            + type_weight * (it holds the kind of answer asked for: a number, a date)
    """

    excerpts: int = 3
    chunks: int = 8
    sentence_pool: int = 40
    lexical_weight: float = 1.5
    context_weight: float = 1.0
    type_weight: float = 0.5
    duplicate_cosine: float = 0.97
    abstain_below: float = 2.0

    def __post_init__(self) -> None:
        if self.excerpts < 1 or self.chunks < 1 or self.sentence_pool < 0:
            raise ValueError("excerpts and chunks must be >= 1 and sentence_pool >= 0")


@dataclass(frozen=True)
class Scored:
    ref: SentenceRef
    score: float


class Answerer:
    """Turns a question into cited excerpts from one index version."""

    def __init__(self, corpus: Corpus, retriever: Retriever, config: AnswerConfig | None = None) -> None:
        self.corpus = corpus
        self.retriever = retriever
        self.config = config or AnswerConfig()

    def answer(self, question: Question, k: int | None = None, filters: Filters | None = None) -> Answer:
        """Answer ``question`` with up to ``k`` excerpts (default ``config.excerpts``)."""
        k = k or self.config.excerpts
        ranked = self.rank_sentences(question, filters)
        chosen = self._distinct(ranked, k)
        abstained = not chosen or chosen[0].score < self.config.abstain_below
        citations = tuple(self._cite(n, s) for n, s in enumerate(chosen, start=1))
        return Answer(
            question=question.asked,
            answer=compose(question.language, citations, abstained),
            abstained=abstained,
            language=question.language,
            citations=citations,
            notice=question.notice,
        )

    def rank_sentences(self, question: Question, filters: Filters | None = None) -> list[Scored]:
        """Every candidate sentence with its score, best first."""
        qvec = self.retriever.embed_query(question.search)
        hits = self.retriever.search(question.search, k=self.config.chunks, filters=filters, query_vector=qvec)
        if not hits:
            return []
        allowed = {h.chunk.doc_id for h in hits} if filters and filters.active() else None
        sims = self.corpus.vectors @ qvec
        z = (sims - sims.mean()) / (float(sims.std()) or 1.0)
        context = self._context(hits)
        pool = set(context)
        for pos in np.argsort(-sims)[: self.config.sentence_pool]:
            ref = self.corpus.sentences[int(pos)]
            if allowed is None or ref.doc_id in allowed:
                pool.add(int(pos))
        terms = search_tokens(question.search)
        idf = self.retriever.snapshot.lexical.idf(terms) if terms else np.zeros(0)
        mass = float(idf.sum()) or 1.0
        c = self.config
        scored = []
        for pos in pool:
            ref = self.corpus.sentences[pos]
            tokens = self.corpus.tokens(ref)
            lexical = sum(w for t, w in zip(terms, idf, strict=True) if t in tokens) / mass
            fits = _fits(self.corpus.text(ref), question.expect)
            score = float(z[pos]) + c.lexical_weight * lexical + c.context_weight * context.get(pos, 0.0)
            scored.append(Scored(ref, score + c.type_weight * fits))
        return sorted(scored, key=lambda s: (-s.score, s.ref.pos))

    def _context(self, hits: Sequence[Hit]) -> dict[int, float]:
        """Each sentence of a retrieved chunk, with that chunk's relevance rescaled to 0..1."""
        scores = np.array([h.score for h in hits])
        span = float(scores.max() - scores.min())
        out: dict[int, float] = {}
        for hit, s in zip(hits, scores, strict=True):
            rel = (s - scores.min()) / span if span > 0 else 1.0
            for ref in self.corpus.within(hit.chunk.doc_id, hit.chunk.start, hit.chunk.end):
                out[ref.pos] = max(out.get(ref.pos, 0.0), float(rel))
        return out

    def _distinct(self, ranked: Sequence[Scored], k: int) -> list[Scored]:
        """The best ``k`` sentences, skipping near-duplicates of ones already chosen."""
        chosen: list[Scored] = []
        for s in ranked:
            if len(chosen) == k:
                break
            vec = self.corpus.vectors[s.ref.pos]
            if all(float(vec @ self.corpus.vectors[c.ref.pos]) < self.config.duplicate_cosine for c in chosen):
                chosen.append(s)
        return chosen

    def _cite(self, n: int, s: Scored) -> Citation:
        article = self.corpus.articles[s.ref.doc_id]
        return Citation(
            n=n,
            doc_id=s.ref.doc_id,
            title=article.title,
            date=article.date,
            start=s.ref.start,
            end=s.ref.end,
            text=article.text[s.ref.start : s.ref.end],
            score=s.score,
        )


def _fits(text: str, expect: str) -> float:
    if expect == "number":
        return 1.0 if _NUMBER.search(text) else 0.0
    if expect == "date":
        return 1.0 if find_dates(text) else 0.0
    return 0.0
