"""Every compared system answers one question: four retrieval modes, the LangChain default, and
``Pipeline.ask`` with each reader (the shipped one, none, a user's cross-encoder).

The question is embedded once and the vector reused by every retrieval system, so the modes
differ only in how they rank; the ``ask`` systems share one index and differ only in the reader.
Produces raw outcomes; turning them into figures is eval/quality/scoring.py.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from eval.quality.baselines import LangChainDefault
from eval.quality.datasets import Question
from eval.quality.metrics import citation_exact
from rag import matching
from rag.pipeline import Pipeline
from rag.retrieve import MODES, Filters, Hit, Retriever

RETRIEVAL_SYSTEMS: tuple[str, ...] = ("bm25", "dense", "rrf", "hybrid", "langchain")
ANSWER_SYSTEM = "sanad"  # the product: `ask` with the reader chosen by --reader (default: Sanad's own)
LITERAL = "literal"  # `ask` with the product's reader, the question taken as typed (no MSA rewrite)
ANSWER_SYSTEMS: tuple[str, ...] = (ANSWER_SYSTEM, LITERAL, "scorer", "st")
SYSTEMS: tuple[str, ...] = (*RETRIEVAL_SYSTEMS, *ANSWER_SYSTEMS)
LABELS = {
    "bm25": "bm25: BM25 only",
    "dense": "dense: dense only",
    "rrf": "rrf: plain RRF",
    "hybrid": "hybrid: project retrieval",
    "langchain": "langchain: LangChain default",
    "sanad": "sanad: `ask` with the reader",
    "literal": "literal: `ask` with the reader, dialect and Arabizi not rewritten",
    "scorer": "scorer: `ask`, first-stage scorer (--reader none)",
    "st": "st: `ask` with the given CrossEncoder",
}
DEPTH = 10  # ranked results kept: Recall@10 and nDCG@10 need ten


@dataclass(frozen=True)
class Outcome:
    """What one system returned for one question.

    For retrieval systems the ranked chunks are the answer (an excerpt is a chunk); for ``sanad``
    the excerpts are its citations.
    """

    qid: str
    system: str
    docs: tuple[str, ...]  # doc_id of each ranked chunk / citation, best first
    excerpts: tuple[str, ...]  # excerpt texts, best first (retrieval: the top three chunks)
    exact: tuple[bool, ...]  # per excerpt: its text is the article's text at its offsets
    seconds: float  # ask: question in, answer out; retrieval systems: ranking, query vector given
    abstained: bool | None = None  # retrieval systems never abstain
    phrase: str | None = None  # ask: the answer phrase the reader found in the first excerpt
    confidence: float | None = None  # ask with a reader: its probability for the first excerpt
    # ask, answerable questions: the first-stage rank (0 = best) of the first candidate sentence that
    # holds a gold answer (None: no candidate does), and the size of the pool the reader reads.
    answer_rank: int | None = None
    pool: int | None = None


class Systems:
    """Runs every system over one evaluation index.

    ``askers`` maps each answer system to a pipeline over the same index (differing in the reader);
    ``retriever`` must be a ``Retriever`` over that index version and config; it is used directly
    so that one query vector serves all four modes.
    """

    def __init__(self, askers: Mapping[str, Pipeline], retriever: Retriever, langchain: LangChainDefault | None
                 ) -> None:
        self.askers = askers
        self.retriever = retriever
        self.langchain = langchain
        pipeline = askers[ANSWER_SYSTEM]
        self.texts = {d: pipeline.article(d).text for d in pipeline.documents_by_id()}

    def run(self, question: Question, query_vector: np.ndarray | None = None) -> list[Outcome]:
        """Retrieval systems on answerable questions (nothing to find otherwise), ``ask`` on the sample.

        ``query_vector`` is the question's embedding, computed in a batch beforehand (identical to
        embedding it alone, and several times faster); without it the question is embedded here.
        """
        outcomes = []
        if question.answerable and question.allowed is None:
            qvec = self.retriever.embed_query(question.question) if query_vector is None else query_vector
            outcomes.extend(self._retrieve(question, qvec))
        if question.ask:
            outcomes.extend(self.ask(system, question) for system in self.askers)
        return outcomes

    def _retrieve(self, q: Question, qvec: np.ndarray) -> list[Outcome]:
        out = []
        for mode in MODES:
            started = time.perf_counter()
            hits = self.retriever.search(q.question, k=DEPTH, mode=mode, query_vector=qvec)
            out.append(self._chunks(q.id, mode, hits, time.perf_counter() - started))
        if self.langchain is not None:
            started = time.perf_counter()
            found = self.langchain.search(qvec, DEPTH)
            seconds = time.perf_counter() - started
            top = found[:3]
            exact = tuple(self._exact(c.doc_id, c.text, c.start, c.start + len(c.text)) for c in top)
            out.append(Outcome(q.id, "langchain", tuple(c.doc_id for c in found), tuple(c.text for c in top),
                               exact, seconds))
        return out

    def _chunks(self, qid: str, system: str, hits: Sequence[Hit], seconds: float) -> Outcome:
        top = [h.chunk for h in hits[:3]]
        exact = tuple(self._exact(c.doc_id, c.text, c.start, c.end) for c in top)
        return Outcome(qid, system, tuple(h.chunk.doc_id for h in hits), tuple(c.text for c in top), exact, seconds)

    def ask(self, system: str, q: Question) -> Outcome:
        started = time.perf_counter()
        answer = self.askers[system].ask(q.question, doc_ids=q.allowed)
        seconds = time.perf_counter() - started
        cites = answer.citations
        return Outcome(
            q.id, system, tuple(c.doc_id for c in cites), tuple(c.text for c in cites),
            tuple(self._exact(c.doc_id, c.text, c.start, c.end) for c in cites), seconds,
            bool(answer.abstained),  # rag may hand back numpy.bool_, which json cannot write
            cites[0].answer_phrase if cites else None,
            cites[0].score if cites and self.askers[system].reader is not None else None,
            self._answer_rank(self.askers[system], q) if q.answerable else None,
            self.askers[system].answering.reader_pool,
        )

    def _answer_rank(self, pipeline: Pipeline, q: Question) -> int | None:
        """Where the first stage ranks the first sentence holding a gold answer, for the question as
        ``ask`` searched it (untimed: ``ask`` is timed above; this reruns only its first stage, which
        is deterministic)."""
        filters = Filters(frozenset(q.allowed) if q.allowed else None)
        first = pipeline.asker.first_stage.rank(pipeline.read(q.question), filters)
        corpus = pipeline.corpus
        return next((i for i, c in enumerate(first.candidates)
                     if matching.contains_answer(corpus.text(c.ref), q.answers)), None)

    def _exact(self, doc_id: str, text: str, start: int, end: int) -> bool:
        """Checked against ``pipeline.article(doc_id).text``, the text ``sanad show`` prints."""
        article = self.texts.get(doc_id)
        return article is not None and citation_exact(text, article, start, end)
