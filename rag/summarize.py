"""Extractive per-article summaries: central, non-redundant sentences with a news-lead prior.

Computed at indexing time (``SummaryEnricher``) and stored, so reading one is instant; other
lengths are recomputed from the stored sentence vectors without re-embedding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.documents import Article, Span
from rag.corpus import title_sentence
from rag.scores import rescale, standardise

MIN_WORDS = 5  # shorter body lines are subheadings or labels, not summary material


@dataclass(frozen=True)
class SummaryConfig:
    """Summary length and the weights of the sentence-selection score."""

    min_sentences: int = 3
    max_sentences: int = 5
    ratio: float = 0.2  # default length: this share of the body sentences, within the bounds above
    lead_weight: float = 0.6  # news puts the key facts first
    title_weight: float = 0.5  # similarity to the headline, when there is one
    redundancy: float = 0.5  # MMR trade-off against sentences already chosen

    def __post_init__(self) -> None:
        if not 1 <= self.min_sentences <= self.max_sentences or not 0 < self.ratio <= 1:
            raise ValueError("need 1 <= min_sentences <= max_sentences and 0 < ratio <= 1")


def default_length(body_sentences: int, config: SummaryConfig) -> int:
    return max(config.min_sentences, min(config.max_sentences, round(body_sentences * config.ratio)))


def select_sentences(
    article: Article,
    sentences: Sequence[Span],
    vectors: np.ndarray,
    n: int | None = None,
    config: SummaryConfig | None = None,
) -> list[Span]:
    """Choose ``n`` summary sentences (default from ``config``), returned in the article's order."""
    config = config or SummaryConfig()
    body = [i for i, s in enumerate(sentences) if _is_body(article, s)]
    if not body:
        body = list(range(len(sentences)))
    n = default_length(len(body), config) if n is None else n
    if n >= len(body):
        return [sentences[i] for i in body]
    vecs = vectors[body]
    sims = vecs @ vecs.T
    centrality = (sims.sum(axis=1) - 1.0) / max(len(body) - 1, 1)
    lead = np.array([1 / math.sqrt(1 + r) for r in range(len(body))])
    relevance = standardise(centrality) + config.lead_weight * lead
    title = _title_vector(article, sentences, vectors)
    if title is not None:
        relevance += config.title_weight * standardise(vecs @ title)
    chosen = _mmr(relevance, rescale(sims), n, config.redundancy)
    return [sentences[body[i]] for i in sorted(chosen)]


def _is_body(article: Article, span: Span) -> bool:
    if any(h.start < span.end and span.start < h.end for h in article.header):
        return False
    return len(article.text[span.start : span.end].split()) >= MIN_WORDS


def _title_vector(article: Article, sentences: Sequence[Span], vectors: np.ndarray) -> np.ndarray | None:
    found = title_sentence(article, sentences)
    return None if found is None else vectors[found]


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
    version = 1

    def __init__(self, config: SummaryConfig | None = None) -> None:
        self.config = config or SummaryConfig()

    def __call__(self, article: Article, sentences: Sequence[Span], vectors: np.ndarray) -> list[list[int]]:
        return [[s.start, s.end] for s in select_sentences(article, sentences, vectors, config=self.config)]
