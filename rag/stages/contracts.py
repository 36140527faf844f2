"""What passes between the stages of ``ask``, and the seams a stage can be swapped at.

Values are frozen; each stage takes the previous one's output and returns its own. The reader's
seam (``Reader``) is in rag/reading/base.py, beside its implementations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from index.embed import Embedder
from rag.corpus import SentenceRef
from rag.question import Question
from rag.reading.base import Passage, Reading
from rag.retrieve import Filters, Hit, Mode
from rag.types import Citation

# The evidence each first-stage candidate carries (``Candidate.features``, in this order). *_z are
# standardised over the searchable sentences (comparable within one question); cosine and
# sparse_dot are the raw similarities (comparable across questions and corpora of any size).
FEATURES = ("dense_z", "sparse_z", "names", "lexical", "context", "fits", "cross_language", "cosine", "sparse_dot")


@dataclass(frozen=True)
class Candidate:
    """A candidate sentence, its score, and the evidence the score is made of (see ``FEATURES``)."""

    ref: SentenceRef
    score: float
    features: tuple[float, ...] = ()
    reading: Reading | None = None  # what the reader said, when one read it


@dataclass(frozen=True)
class Ranking:
    """Candidate sentences, best first."""

    candidates: tuple[Candidate, ...]

    def __len__(self) -> int:
        return len(self.candidates)

    def __bool__(self) -> bool:
        return bool(self.candidates)


@dataclass(frozen=True)
class Pool:
    """The candidates the reader reads, and what it reads for each (same order)."""

    candidates: tuple[Candidate, ...]
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class Verdict:
    """Whether to abstain; ``newest`` is set when it is because the question asks about a time after
    the newest date the searched articles give (ISO)."""

    abstained: bool
    newest: str | None = None


class ChunkRetriever(Protocol):
    """The store seam: chunk search over one index version (rag/retrieve.py's ``Retriever``)."""

    embedder: Embedder

    def embed_query(self, query: str) -> np.ndarray: ...

    def search(
        self, query: str, k: int = 5, filters: Filters | None = None, mode: Mode | None = None,
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]: ...

    def allowed_docs(self, filters: Filters | None) -> set[str] | None: ...

    def term_idf(self, terms: Sequence[str]) -> np.ndarray: ...


class SentenceRanker(Protocol):
    """The first stage: every candidate sentence for a question, scored, within the filters."""

    def rank(self, question: Question, filters: Filters | None = None) -> Ranking: ...


class Composer(Protocol):
    """The last stage: the answer's text from the cited excerpts (extractive today; a chat model later)."""

    def compose(self, question: Question, citations: Sequence[Citation], verdict: Verdict) -> str: ...

