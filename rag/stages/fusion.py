"""The first stage's one score per sentence: a hand-weighted sum of its evidence (``FEATURES``).

score = z(dense cosine over all sentences) + sparse weight * z(sparse latent-term match)
        + lexical_weight * (share of the query's idf mass the sentence holds: words, and names
                            matched across scripts by consonant skeleton)
        + context_weight * (relevance of the best retrieved chunk holding it)
        + type_weight * (it holds the kind of answer asked for: a number, a date)

This order picks the pool every reader reads, and is the final order with ``--reader none``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.question import Expect
from rag.stages.contracts import FEATURES, Candidate

_FITS = FEATURES.index("fits")


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the first-stage score.

    The sparse weight is larger when the question and the sentence are in different languages:
    there, word overlap is nil and dense cosine is vague about names and figures.
    """

    lexical_weight: float = 3.0
    sparse_same: float = 0.5
    sparse_cross: float = 2.0
    context_weight: float = 1.0
    type_weight: float = 0.5
    byline_weight: float = 6.0  # "who wrote…": the byline is the answer, though it shares no words

    def score(self, features: tuple[float, ...], expect: Expect) -> float:
        """The weighted sum of one sentence's ``FEATURES``."""
        dense, sparse_z, names, lexical, context, fits, cross = features[:7]
        sparse_weight = self.sparse_cross if cross else self.sparse_same
        fit_weight = self.byline_weight if expect == "author" else self.type_weight
        return (
            dense + sparse_weight * sparse_z + self.lexical_weight * (names + lexical)
            + self.context_weight * context + fit_weight * fits
        )

    def bylines_by_article(self, scored: list[Candidate]) -> list[Candidate]:
        """For "who wrote the piece about X?": a byline shares no words with X, its article does.

        Each byline takes the score and the evidence of its own article's best other sentence (the
        score plus the byline weight), so the byline of the article that matches the question comes
        first, and abstention judges how well that article matches rather than the bare name.
        """
        bylines = {s.ref.pos for s in scored if s.ref.header and s.features[_FITS]}
        best: dict[str, Candidate] = {}
        for s in scored:
            if s.ref.pos not in bylines and (s.ref.doc_id not in best or s.score > best[s.ref.doc_id].score):
                best[s.ref.doc_id] = s
        out = []
        for s in scored:
            article = best.get(s.ref.doc_id)
            if s.ref.pos in bylines and article is not None:
                features = (*article.features[:_FITS], s.features[_FITS], *article.features[_FITS + 1 :])
                s = Candidate(s.ref, article.score + self.byline_weight, features)
            out.append(s)
        return out
