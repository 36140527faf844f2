"""The cross-article summary: shared themes, points where sources differ, and a dated timeline.

Extractive and cited like everything else: each point is made of source sentences. Does not
summarise single articles; see rag/summarize.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from index.dates import find_dates
from rag.corpus import Corpus, SentenceRef
from rag.figures import Figure, conflicts, figures
from rag.summarize import MIN_WORDS
from rag.types import Citation, Language, Overview, Point, TimelineEntry

# Shown when no two related passages disagree on a figure or a date.
NO_DIFFERENCES: dict[Language, str] = {
    "en": "No two closely related passages give different figures or dates for the same thing.",
    "ar": "لا تعطي المقاطع المتقاربة أرقاماً أو تواريخ مختلفة للأمر نفسه.",
}


@dataclass(frozen=True)
class OverviewConfig:
    themes: int = 6
    # A theme's sentences are on average as similar as this quantile of cross-article pairs. Read on
    # the seeds' overview and on XQuAD (topic purity of the top themes) at 0.8/0.9/0.95.
    theme_quantile: float = 0.9
    link_quantile: float = 0.97  # differences: sentence pairs across articles above this quantile are compared
    max_citations: int = 4
    differences: int = 6


def build_overview(corpus: Corpus, language: Language = "en", config: OverviewConfig | None = None) -> Overview:
    """Themes, differences and timeline over every article in ``corpus``."""
    config = config or OverviewConfig()
    body = [s for s in corpus.sentences if not s.header and len(corpus.text(s).split()) >= MIN_WORDS]
    pairs = _Pairs.of(corpus, body)
    groups = _theme_groups(body, pairs, config)
    themes = tuple(_theme_point(corpus, g, config) for g in groups[: config.themes])
    differences = tuple(_differences(corpus, body, pairs, config, language))
    return Overview(themes=themes, differences=differences, timeline=tuple(_timeline(corpus)))


def _cite(corpus: Corpus, n: int, ref: SentenceRef, score: float = 0.0) -> Citation:
    article = corpus.articles[ref.doc_id]
    return Citation(n, ref.doc_id, article.title, article.date, ref.start, ref.end, corpus.text(ref), score)


@dataclass(frozen=True)
class _Pairs:
    """Cosine similarity of every pair of body sentences, and which pairs join two articles.

    Computed once; themes and differences both set their thresholds on the cross-article pairs.
    """

    sims: np.ndarray
    cross: np.ndarray

    @classmethod
    def of(cls, corpus: Corpus, body: Sequence[SentenceRef]) -> _Pairs:
        vecs = corpus.vectors[[s.pos for s in body]]
        docs = np.array([s.doc_id for s in body])
        return cls(vecs @ vecs.T, docs[:, None] != docs[None, :])

    def cross_quantile(self, q: float) -> float:
        """The ``q`` quantile of the cross-article similarities (call only when ``cross.any()``)."""
        return float(np.quantile(self.sims[self.cross], q))


def _theme_groups(body: Sequence[SentenceRef], pairs: _Pairs, config: OverviewConfig) -> list[list[SentenceRef]]:
    """Groups of related sentences shared by several articles, most widely shared first.

    Average-linkage clustering (scipy), cut where a group's sentences are on average as similar as
    the ``theme_quantile`` of cross-article sentence pairs: relative to the collection, so it holds
    for any embedder's similarity scale. (Linking the closest pairs and taking connected groups
    chains nearly everything into one group: 59 of 113 body sentences on the seeds, 1,139 of 1,212
    on XQuAD's 240 paragraphs.)
    """
    if len(body) < 2 or not pairs.cross.any():
        return []
    distances = np.clip(1.0 - pairs.sims, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    cut = 1.0 - pairs.cross_quantile(config.theme_quantile)
    groups: dict[int, list[SentenceRef]] = {}
    for label, ref in zip(fcluster(tree, t=cut, criterion="distance"), body, strict=True):
        groups.setdefault(int(label), []).append(ref)
    shared = [g for g in groups.values() if len({s.doc_id for s in g}) >= 2]
    return sorted(shared, key=lambda g: (-len({s.doc_id for s in g}), -len(g), g[0].pos))


def _theme_point(corpus: Corpus, group: Sequence[SentenceRef], config: OverviewConfig) -> Point:
    """The group's most central sentence per article, the most central of all first."""
    vecs = corpus.vectors[[s.pos for s in group]]
    centrality = (vecs @ vecs.T).mean(axis=1)
    best: dict[str, tuple[float, SentenceRef]] = {}
    for c, ref in zip(centrality, group, strict=True):
        if ref.doc_id not in best or c > best[ref.doc_id][0]:
            best[ref.doc_id] = (float(c), ref)
    picked = sorted(best.values(), key=lambda x: -x[0])[: config.max_citations]
    citations = tuple(_cite(corpus, n, ref, score) for n, (score, ref) in enumerate(picked, start=1))
    return Point(summary=citations[0].text, citations=citations)


def _differences(
    corpus: Corpus, body: Sequence[SentenceRef], pairs: _Pairs, config: OverviewConfig, language: Language
) -> list[Point]:
    """Closely related sentences from different articles that give different figures or dates for
    the same thing (see rag/figures.py)."""
    if not pairs.cross.any():
        return []
    links = (pairs.sims >= pairs.cross_quantile(config.link_quantile)) & pairs.cross
    facts = [figures(corpus.text(s)) for s in body]
    candidates = []
    for i, j in zip(*np.nonzero(np.triu(links)), strict=True):
        found = conflicts(facts[int(i)], facts[int(j)])
        if found:
            candidates.append((float(pairs.sims[i, j]), int(i), int(j), found))
    out: list[Point] = []
    seen: set[str] = set()
    for _, i, j, found in sorted(candidates, key=lambda p: (-p[0], p[1], p[2])):
        x, y = body[i], body[j]
        if x.doc_id in seen and y.doc_id in seen and len(out) >= 2:
            continue
        c1, c2 = _cite(corpus, 1, x), _cite(corpus, 2, y)
        out.append(Point(summary=_difference_text(language, found), citations=(c1, c2)))
        seen |= {x.doc_id, y.doc_id}
        if len(out) == config.differences:
            break
    return out


def _difference_text(language: Language, found: Sequence[tuple[Figure, Figure]]) -> str:
    sep = "، " if language == "ar" else ", "
    left = sep.join(dict.fromkeys(a.text for a, _ in found))
    right = sep.join(dict.fromkeys(b.text for _, b in found))
    if language == "ar":
        return f"يختلف المصدران في رقم أو تاريخ للأمر نفسه: {left} [1] مقابل {right} [2]"
    return f"The sources give different figures or dates for the same thing: {left} [1] versus {right} [2]"


def _timeline(corpus: Corpus) -> list[TimelineEntry]:
    """Publication dates and dates stated in the text, oldest first, each cited."""
    entries: list[TimelineEntry] = []
    for doc_id, article in corpus.articles.items():
        refs = corpus.by_doc[doc_id]
        if article.date and article.date_text:
            start = article.text.find(article.date_text)
            if start >= 0:
                span = Citation(0, doc_id, article.title, article.date, start, start + len(article.date_text),
                                article.date_text, 0.0)
                entries.append(TimelineEntry(article.date, article.title or article.date_text, span, "published"))
        for ref in refs:
            if ref.header:
                continue
            text = corpus.text(ref)
            for mention in {m.iso: m for m in find_dates(text)}.values():
                entries.append(TimelineEntry(mention.iso, text, _cite(corpus, 0, ref), "mentioned"))
    entries.sort(key=lambda e: (e.date, e.kind != "published", e.citation.doc_id, e.citation.start))
    return [
        TimelineEntry(e.date, e.text, Citation(**{**e.citation.__dict__, "n": n}), e.kind)
        for n, e in enumerate(entries, start=1)
    ]
