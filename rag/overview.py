"""The cross-article summary: a short briefing, shared themes, points where sources differ, a timeline.

Extractive and cited like everything else: each point is made of source sentences. Does not
summarise single articles; see rag/summarize.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from index.documents import Span
from rag.clauses import key_clause, topic_terms
from rag.corpus import Corpus, SentenceRef
from rag.figures import Figure, conflicts, figures
from rag.summarize import READER_SENTENCES
from rag.summary_units import MIN_WORDS
from rag.types import Citation, Language, Overview, Point, Source, TimelineEntry

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
    briefing: int = READER_SENTENCES  # the per-article summaries' rule: the gist in a few lines


def build_overview(corpus: Corpus, language: Language = "en", config: OverviewConfig | None = None) -> Overview:
    """Briefing, themes, differences and timeline over every article in ``corpus``."""
    config = config or OverviewConfig()
    body = [s for s in corpus.sentences if not s.header and len(corpus.text(s).split()) >= MIN_WORDS]
    pairs = _Pairs.of(corpus, body)
    groups = _theme_groups(body, pairs, config)
    themes = tuple(_theme_point(corpus, g, config) for g in groups[: config.themes])
    differences = tuple(_differences(corpus, body, pairs, config, language))
    related = pairs.cross_quantile(config.link_quantile) if pairs.cross.any() else 1.0
    return Overview(briefing=_briefing(corpus, body, groups, config), themes=themes, differences=differences,
                    timeline=tuple(_timeline(corpus, related)))


def _briefing(corpus: Corpus, body: Sequence[SentenceRef], groups: Sequence[Sequence[SentenceRef]],
              config: OverviewConfig) -> tuple[Citation, ...]:
    """The lead paragraph: at most ``config.briefing`` cited sentences, the most widely shared first.

    One sentence per theme (the group's most central, whichever article it is in); where there are
    fewer themes than sentences, the lead sentence of each article not yet cited, oldest first (a
    news lead states the key facts). A run-on is cut to its key clauses (rag/clauses.py), as in a
    per-article summary, so each is still an exact span of its article.
    """
    picks = [g[int(np.argmax(_centrality(corpus, g)))] for g in groups]
    leads: dict[str, SentenceRef] = {}
    for s in body:
        leads.setdefault(s.doc_id, s)
    cited = {p.doc_id for p in picks}
    picks += [leads[d] for d in sorted(leads, key=lambda d: (*_when(corpus, d), d)) if d not in cited]
    out = []
    for n, ref in enumerate(picks[: config.briefing], start=1):
        topic = topic_terms(corpus.text(s) for s in body if s.doc_id == ref.doc_id)
        span = key_clause(corpus.articles[ref.doc_id].text, Span(ref.start, ref.end), topic)
        out.append(_cite(corpus, n, replace(ref, start=span.start, end=span.end)))
    return tuple(out)


def _centrality(corpus: Corpus, group: Sequence[SentenceRef]) -> np.ndarray:
    """Each sentence's mean similarity to the group's sentences."""
    vecs = corpus.vectors[[s.pos for s in group]]
    return (vecs @ vecs.T).mean(axis=1)


def _cite(corpus: Corpus, n: int, ref: SentenceRef, score: float = 0.0) -> Citation:
    article = corpus.articles[ref.doc_id]
    info = corpus.documents[ref.doc_id]
    return Citation(n, ref.doc_id, info.title, article.date, ref.start, ref.end, corpus.text(ref), score,
                    outlet=article.outlet, title_derived=info.title_derived)


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
    """Each article's most representative sentence of the group, the earliest article first.

    Representative: the highest mean similarity to the group's sentences. Articles are ordered by
    publication date; undated ones follow, and ties go to the article whose sentence is the most
    central, so with no dates at all the theme opens with its most central sentence.
    """
    centrality = _centrality(corpus, group)
    best: dict[str, tuple[float, SentenceRef]] = {}
    for c, ref in zip(centrality, group, strict=True):
        if ref.doc_id not in best or c > best[ref.doc_id][0]:
            best[ref.doc_id] = (float(c), ref)
    order = sorted(best, key=lambda d: (*_when(corpus, d), -best[d][0], d))
    citations = tuple(_cite(corpus, n, best[d][1], best[d][0])
                      for n, d in enumerate(order[: config.max_citations], start=1))
    sources = tuple(_source(corpus, d) for d in order)
    return Point(summary=citations[0].text, citations=citations, sources=sources)


def _when(corpus: Corpus, doc_id: str) -> tuple[bool, str]:
    """Sort key of an article's publication date: dated articles first, oldest first."""
    date = corpus.articles[doc_id].date
    return date is None, date or ""


def _source(corpus: Corpus, doc_id: str) -> Source:
    info = corpus.documents[doc_id]
    return Source(doc_id, info.title, info.outlet, info.date, info.title_derived)


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


def _timeline(corpus: Corpus, related: float) -> list[TimelineEntry]:
    """Publication dates and dates stated in the text, oldest first, each cited.

    Sentences that give the same date for the same event become one entry: the same event when
    the words around the date are shared (the rule ``figures.conflicts`` uses to compare dates)
    or the sentences are at least ``related`` similar. The entry quotes the earliest article's
    sentence and cites the others under ``also``.
    """
    entries: list[TimelineEntry] = []
    mentions: dict[str, list[tuple[SentenceRef, Figure]]] = {}
    for doc_id in sorted(corpus.articles, key=lambda d: (*_when(corpus, d), d)):
        article = corpus.articles[doc_id]
        if article.date and article.date_text:
            start = article.text.find(article.date_text)
            if start >= 0:
                info = corpus.documents[doc_id]
                span = Citation(0, doc_id, info.title, article.date, start, start + len(article.date_text),
                                article.date_text, 0.0, outlet=article.outlet, title_derived=info.title_derived)
                entries.append(TimelineEntry(article.date, info.title or article.date_text, span, "published"))
        for ref in corpus.by_doc[doc_id]:
            if ref.header:
                continue
            dated = {f.value: f for f in figures(corpus.text(ref)) if f.kind == "date"}
            for iso, figure in dated.items():
                mentions.setdefault(iso, []).append((ref, figure))
    for iso, found in mentions.items():
        for event in _events(corpus, found, related):
            first, *others = event
            entries.append(TimelineEntry(iso, corpus.text(first), _cite(corpus, 0, first), "mentioned",
                                         tuple(_cite(corpus, 0, ref) for ref in others)))
    entries.sort(key=lambda e: (e.date, e.kind != "published", *_when(corpus, e.citation.doc_id),
                                e.citation.doc_id, e.citation.start))
    return [
        replace(e, citation=replace(e.citation, n=n), also=tuple(replace(c, n=n) for c in e.also))
        for n, e in enumerate(entries, start=1)
    ]


def _events(corpus: Corpus, found: Sequence[tuple[SentenceRef, Figure]], related: float) -> list[list[SentenceRef]]:
    """Mentions of one date grouped by event, in the order given (earliest article first)."""
    groups: list[list[tuple[SentenceRef, Figure]]] = []
    for ref, figure in found:
        for group in groups:
            if any(_same_event(corpus, ref, figure, r, f, related) for r, f in group):
                group.append((ref, figure))
                break
        else:
            groups.append([(ref, figure)])
    return [[ref for ref, _ in group] for group in groups]


def _same_event(corpus: Corpus, a: SentenceRef, fa: Figure, b: SentenceRef, fb: Figure, related: float) -> bool:
    need = 2 if min(len(fa.about), len(fb.about)) >= 2 else 1
    if len(fa.about & fb.about) >= need:
        return True
    return float(corpus.vectors[a.pos] @ corpus.vectors[b.pos]) >= related
