"""Stage 5 of ``ask``: the excerpts to cite, and each as a ``Citation`` (exact span of its article).

Near-duplicates (the same sentence syndicated in two articles) are cited once. An abstained
answer still cites the closest passages, but without the reader's answer phrase: none answers.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.corpus import Corpus
from rag.stages.contracts import Candidate, Ranking
from rag.types import Citation


class Citations:
    """Picks and cites excerpts from one index version."""

    def __init__(self, corpus: Corpus, duplicate_cosine: float) -> None:
        self.corpus = corpus
        self.duplicate_cosine = duplicate_cosine

    def choose(self, ranking: Ranking, k: int) -> tuple[Candidate, ...]:
        """The best ``k`` candidates, skipping near-duplicates of ones already chosen."""
        vectors = self.corpus.vectors
        chosen: list[Candidate] = []
        for c in ranking.candidates:
            if len(chosen) == k:
                break
            vec = vectors[c.ref.pos]
            if all(float(vec @ vectors[o.ref.pos]) < self.duplicate_cosine for o in chosen):
                chosen.append(c)
        return tuple(chosen)

    def cite(self, chosen: Sequence[Candidate], phrases: bool) -> tuple[Citation, ...]:
        """``chosen`` as numbered citations; ``phrases``: keep the answer phrase the reader found."""
        return tuple(self._cite(n, c, phrases) for n, c in enumerate(chosen, start=1))

    def _cite(self, n: int, c: Candidate, phrase: bool) -> Citation:
        article = self.corpus.articles[c.ref.doc_id]
        span = c.reading.span if phrase and c.reading is not None else None
        info = self.corpus.documents[c.ref.doc_id]  # its title, or the derived one (index/titles.py)
        return Citation(
            n=n,
            doc_id=c.ref.doc_id,
            title=info.title,
            date=article.date,
            start=c.ref.start,
            end=c.ref.end,
            text=article.text[c.ref.start : c.ref.end],
            score=c.score,
            answer_span=(c.ref.start + span[0], c.ref.start + span[1]) if span else None,
            outlet=article.outlet,
            title_derived=info.title_derived,
        )
