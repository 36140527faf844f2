"""Extractive per-article summaries: the sentences people would pick, in the article's order.

Candidates are whole sentences (rag/summary_units.py), scored by a small model fitted on human
summaries (rag/summary_model.py) and chosen with a redundancy penalty. Computed at indexing time
(``SummaryEnricher``) and stored, so reading one is instant; other lengths are recomputed from the
stored sentence vectors without re-embedding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from index.documents import Article, Span
from rag.scores import rescale
from rag.summary_model import SummaryModel, features, load_model
from rag.summary_units import summary_units, unit_vectors


@dataclass(frozen=True)
class SummaryConfig:
    """Summary length (``ratio`` of the candidate sentences, else the fitted default) and the model."""

    ratio: float | None = None
    model: SummaryModel = field(default_factory=load_model)

    def __post_init__(self) -> None:
        if self.ratio is not None and not 0 < self.ratio <= 1:
            raise ValueError("need 0 < ratio <= 1")


def default_length(candidates: int, config: SummaryConfig) -> int:
    """Sentences in a summary of an article with ``candidates`` candidate sentences."""
    if config.ratio is not None:
        return min(candidates, max(1, round(candidates * config.ratio)))
    return config.model.length(candidates)


def select_sentences(
    article: Article,
    sentences: Sequence[Span],
    vectors: np.ndarray,
    n: int | None = None,
    config: SummaryConfig | None = None,
) -> list[Span]:
    """Choose ``n`` summary sentences (default from ``config``), returned in the article's order.

    ``sentences`` are the splitter's sentences of ``article`` and ``vectors`` their embeddings;
    a returned span may join several of them (a sentence wrapped over lines).
    """
    config = config or SummaryConfig()
    units = summary_units(article, sentences)
    n = default_length(len(units), config) if n is None else n
    if n >= len(units):
        return [Span(u.start, u.end) for u in units]
    vecs = unit_vectors(units, vectors)
    x = features([article.text[u.start : u.end] for u in units], [u.paragraph_start for u in units], vecs)
    relevance = config.model.sentence.score(x)
    chosen = _mmr(relevance, rescale(vecs @ vecs.T), n, config.model.sentence.redundancy)
    return [Span(units[i].start, units[i].end) for i in sorted(chosen)]


def _mmr(relevance: np.ndarray, sims: np.ndarray, n: int, redundancy: float) -> list[int]:
    rel = rescale(relevance)
    chosen: list[int] = []
    remaining = list(range(len(rel)))
    while remaining and len(chosen) < n:
        penalty = sims[np.ix_(remaining, chosen)].max(axis=1) if chosen else np.zeros(len(remaining))
        best = remaining[int(np.argmax((1 - redundancy) * rel[remaining] - redundancy * penalty))]
        chosen.append(best)
        remaining.remove(best)
    return chosen


class SummaryEnricher:
    """Index-time hook: stores each article's default summary as sentence spans."""

    name = "summary"
    version = 2  # 2: whole (unwrapped) sentences chosen by the fitted model, at the fitted length

    def __init__(self, config: SummaryConfig | None = None) -> None:
        self.config = config or SummaryConfig()

    def __call__(self, article: Article, sentences: Sequence[Span], vectors: np.ndarray) -> list[list[int]]:
        return [[s.start, s.end] for s in select_sentences(article, sentences, vectors, config=self.config)]
