"""Stage 3 of ``ask``: the reader reads the pool and the pool is put in its order, the rest after.

The order is the reader's log-odds plus its fitted weight times the first-stage score
standardised within the pool (``rag.scores.fused``); the score kept is that sum as a probability.
Without a reader, or for "who wrote…" (the byline shares no words with the topic; the first
stage handles it), the first-stage order stands.
"""

from __future__ import annotations

import logging

from rag.question import Question
from rag.reading.base import Reader
from rag.scores import fused
from rag.stages.contracts import Candidate, Pool, Ranking

log = logging.getLogger(__name__)


class ReadingStage:
    """Orders a pool by one reader (or keeps the first-stage order when there is none)."""

    def __init__(self, reader: Reader | None, pool_size: int) -> None:
        self.reader = reader
        self.pool_size = pool_size  # the pool's configured size (a small corpus may fill less)
        self._pool_checked = False

    def read(self, question: Question, pool: Pool, ranking: Ranking) -> Ranking:
        """``ranking`` with ``pool`` (its head) in the reader's order and carrying its readings."""
        if self.reader is None or question.expect == "author" or not pool.candidates:
            return ranking
        self._check_pool(self.reader)
        readings = self.reader.read(question.search, pool.passages)
        order = fused([r.probability for r in readings], [c.score for c in pool.candidates],
                      self.reader.first_stage_weight)
        read = [Candidate(c.ref, float(o), c.features, r)
                for c, r, o in zip(pool.candidates, readings, order, strict=True)]
        read.sort(key=lambda c: -c.score)  # stable: ties keep the first-stage order
        return Ranking((*read, *ranking.candidates[len(read) :]))

    def _check_pool(self, reader: Reader) -> None:
        """Warn once when the reader reads a pool of another size than its calibration was fitted on."""
        if self._pool_checked:
            return
        self._pool_checked = True
        fitted, size = reader.calibrated_pool, self.pool_size
        if fitted is not None and fitted != size:
            log.warning("reader %r was calibrated on pools of %d sentences but reads %d: its abstention and answer "
                        "phrases may be off; recalibrate with `python -m rag.reading.training.calibrate --reader %s`",
                        reader.name, fitted, size, reader.name)
