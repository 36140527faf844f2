"""Extractive per-article summaries: the sentences people would pick, in the article's order.

Candidates are whole sentences (rag/summary_units.py), a long one cut to its key clauses
(rag/clauses.py), scored by a small model fitted on human summaries (rag/summary_model.py) and
chosen with a redundancy penalty within a length budget. Computed at indexing time
(``SummaryEnricher``) and stored, so reading one is instant; other lengths are recomputed from the
stored sentence vectors without re-embedding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from index.documents import Article, Span
from rag.clauses import key_clause, topic_terms
from rag.scores import rescale
from rag.summary_model import SummaryModel, features, load_model
from rag.summary_units import summary_units, unit_vectors

# The reader's default: the gist in a few lines, then more on request. Five sentences is the
# length of a news brief (and about what EASC's annotators picked for a median article, 4.8); a
# quarter of the words keeps a short article's summary well short of the article itself.
READER_SENTENCES = 5
READER_SHARE = 0.25


@dataclass(frozen=True)
class SummaryConfig:
    """Summary length (``ratio`` of the candidate sentences, else the default rule) and the model."""

    ratio: float | None = None
    model: SummaryModel = field(default_factory=load_model)

    def __post_init__(self) -> None:
        if self.ratio is not None and not 0 < self.ratio <= 1:
            raise ValueError("need 0 < ratio <= 1")


def default_length(candidates: int, config: SummaryConfig) -> int:
    """Sentences in a summary of an article with ``candidates`` candidate sentences.

    ``ratio`` when set, else what people pick for an article that size (the fitted length model),
    at most ``READER_SENTENCES``.
    """
    if config.ratio is not None:
        return min(candidates, max(1, round(candidates * config.ratio)))
    return min(READER_SENTENCES, config.model.length(candidates))


def default_words(article: Article) -> int:
    """The default word budget: ``READER_SHARE`` of the article's words, at least one."""
    return max(1, int(len(article.text.split()) * READER_SHARE))


def select_sentences(
    article: Article,
    sentences: Sequence[Span],
    vectors: np.ndarray,
    n: int | None = None,
    config: SummaryConfig | None = None,
    words: int | None = None,
) -> list[Span]:
    """Choose at most ``n`` summary sentences of at most ``words`` words in all, in the article's order.

    With neither given (and no ``ratio``) the default rule holds: ``default_length`` sentences
    and ``default_words`` words. Given only ``words``, as many sentences as fit; given only ``n``
    (or a ``ratio``), that many with no word cap. ``sentences`` are the splitter's sentences of
    ``article`` and ``vectors`` their embeddings; a returned span may join several of them (a
    sentence wrapped over lines). Under a word budget a run-on is cut to its key clauses
    (rag/clauses.py): there its words cost facts from other sentences. Asked for sentences and no
    word cap, a summary keeps them whole, as people do (see rag/clauses.py for the figures).
    """
    config = config or SummaryConfig()
    units = summary_units(article, sentences)
    if not units:
        return []
    if n is None:
        if words is None and config.ratio is None:  # the default rule
            words = default_words(article)
            n = default_length(len(units), config)
        else:  # only a word cap: as many sentences as fit; a ratio: that share
            n = len(units) if config.ratio is None else default_length(len(units), config)
    spans = [Span(u.start, u.end) for u in units]
    if words is not None:  # under a budget a run-on's words cost other facts: its key clauses instead
        topic = topic_terms(article.text[u.start : u.end] for u in units)
        spans = [key_clause(article.text, s, topic) for s in spans]
    vecs = unit_vectors(units, vectors)
    x = features([article.text[u.start : u.end] for u in units], [u.paragraph_start for u in units], vecs)
    relevance = config.model.sentence.score(x)
    sizes = [len(article.text[s.start : s.end].split()) for s in spans]
    chosen = _mmr(relevance, rescale(vecs @ vecs.T), n, config.model.sentence.redundancy, sizes, words)
    if not chosen and words is not None:  # not even the best sentence fits the budget: its best clauses that do
        best = int(np.argmax(relevance))
        return [key_clause(article.text, spans[best], topic, longest=words, keep=words)]
    return [spans[i] for i in sorted(chosen)]


def _mmr(relevance: np.ndarray, sims: np.ndarray, n: int, redundancy: float, sizes: Sequence[int],
         words: int | None) -> list[int]:
    """Maximal marginal relevance, taking only sentences that still fit in ``words`` (None: no cap)."""
    rel = rescale(relevance)
    chosen: list[int] = []
    left = float("inf") if words is None else words
    remaining = [i for i in range(len(rel)) if sizes[i] <= left]
    while remaining and len(chosen) < n:
        penalty = sims[np.ix_(remaining, chosen)].max(axis=1) if chosen else np.zeros(len(remaining))
        best = remaining[int(np.argmax((1 - redundancy) * rel[remaining] - redundancy * penalty))]
        chosen.append(best)
        left -= sizes[best]
        remaining = [i for i in remaining if i != best and sizes[i] <= left]
    return chosen


class SummaryEnricher:
    """Index-time hook: stores each article's default summary as sentence spans."""

    name = "summary"
    version = 3  # 3: at most 5 sentences and a quarter of the words, long sentences cut to their key clauses

    def __init__(self, config: SummaryConfig | None = None) -> None:
        self.config = config or SummaryConfig()

    def __call__(self, article: Article, sentences: Sequence[Span], vectors: np.ndarray) -> list[list[int]]:
        return [[s.start, s.end] for s in select_sentences(article, sentences, vectors, config=self.config)]
