"""What every reader shares: the passage it reads, the reading it gives, and the ``Reader`` seam.

A reader returns, per candidate sentence, a calibrated probability that the sentence answers the
question and, when it can, the answer phrase inside it. Implementations live beside this module;
rag/reading/registry.py picks one by name. Does not retrieve or order anything itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from rag.abstain import AbstentionModel


@dataclass(frozen=True)
class Passage:
    """A candidate sentence and what is read with it (the article's headline, if any)."""

    sentence: str
    context: str = ""


@dataclass(frozen=True)
class Reading:
    """What a reader says about one candidate.

    ``span`` is the answer phrase as ``[start, end)`` inside the sentence, given only when the
    reader is confident of it; ``sentence[start:end]`` is the phrase.
    """

    probability: float
    span: tuple[int, int] | None = None


@runtime_checkable
class Reader(Protocol):
    name: str

    @property
    def abstention(self) -> AbstentionModel | None:
        """When to abstain, from this reader's readings of the pool (``rag.abstain.reader_evidence``);
        None: none was fitted for this reader, so ``ask`` keeps the first-stage abstention model."""
        ...

    @property
    def first_stage_weight(self) -> float:
        """What the first-stage ranking adds to the reader's log-odds when ``ask`` orders the pool
        (per standard deviation of the first-stage score within the pool): the two disagree on
        different questions, so together they order better than either. Fitted with the
        calibration on held-out data; 0 when none was fitted."""
        ...

    @property
    def calibrated_pool(self) -> int | None:
        """How many first-stage sentences per question the calibration was fitted on: abstention
        reads the spread of the pool, so a reader asked to read another number should be
        recalibrated. None: nothing was fitted, or the size was not recorded."""
        ...

    def read(self, question: str, passages: Sequence[Passage]) -> list[Reading]:
        """One reading per passage, in order."""
        ...
