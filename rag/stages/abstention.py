"""Stage 4 of ``ask``: should the answer say "the articles do not say"?

Yes when nothing was found, when the question asks only about times after every date the searched
articles give (rag/timescope.py), or when the abstention model judges the evidence weak: the
reader's model over its readings of the pool, else the first-stage model over the best
first-stage sentence (rag/abstain.py holds both models).
"""

from __future__ import annotations

import logging
from functools import cached_property

from rag.abstain import AbstentionModel, reader_evidence
from rag.corpus import Corpus
from rag.question import Question
from rag.reading.base import Reader
from rag.retrieve import Filters
from rag.stages.contracts import FEATURES, ChunkRetriever, Ranking, Verdict
from rag.timescope import beyond

log = logging.getLogger(__name__)


class Abstention:
    """Judges one question's rankings over one index version."""

    def __init__(
        self, corpus: Corpus, retriever: ChunkRetriever, reader: Reader | None, model: AbstentionModel | None = None
    ) -> None:
        self.corpus = corpus
        self.retriever = retriever
        self.reader = reader
        self._given = model

    @cached_property
    def first_stage_model(self) -> AbstentionModel | None:
        """The model given, else the one fitted for this embedder, loaded on first use (calibration
        ranks sentences before one exists). Without one, answers never abstain, and a warning says
        how to fit one."""
        if self._given is not None:
            return self._given
        name = self.retriever.embedder.name
        model = AbstentionModel.load(name)
        if model is None:
            log.warning(
                "no abstention model for embedder %r: answers will not abstain; fit one with "
                "`python -m eval.quality.calibrate_abstention --embedder %s`", name, name,
            )
        return model

    def judge(self, question: Question, filters: Filters | None, first: Ranking, read: Ranking) -> Verdict:
        """The verdict on ``read``, the reader's order of the first-stage ranking ``first``."""
        newest = self._newest_before(question, filters)
        return Verdict(not read or newest is not None or self._weak(read, first), newest)

    def _weak(self, read: Ranking, first: Ranking) -> bool:
        """The reader's abstention model judges its readings of the pool; without a reader, or one
        without a model fitted beside this embedder (its evidence includes first-stage scores), the
        first-stage model judges the first-stage ranking's evidence."""
        model = self.reader.abstention if self.reader is not None else None
        readings = [c.reading.probability for c in read.candidates if c.reading is not None]
        if readings and model is not None and model.embedder == self.retriever.embedder.name:
            pool = [c.score for c in first.candidates[: len(readings)]]
            return model.abstain(reader_evidence(readings, pool))
        fallback = self.first_stage_model
        return fallback is not None and fallback.abstain(evidence(first))

    def _newest_before(self, question: Question, filters: Filters | None) -> str | None:
        """The newest date the searched articles give, when the question asks only about later times."""
        if not question.dates:  # most questions name no date: nothing to look up
            return None
        allowed = self.retriever.allowed_docs(filters)
        docs = self.corpus.dates.keys() if allowed is None else allowed
        return beyond(question.dates, (d for doc in docs for d in self.corpus.dates[doc]))


def evidence(ranking: Ranking) -> dict[str, float]:
    """What the first-stage abstention model may use: the best sentence's features, its score and its lead."""
    ranked = ranking.candidates
    top = ranked[0]
    margin = top.score - ranked[1].score if len(ranked) > 1 else top.score
    return {**dict(zip(FEATURES, top.features, strict=True)), "score": top.score, "margin": margin}
