"""Every compared system answers one question: four retrieval modes, the LangChain default, ``Pipeline.ask``.

The question is embedded once and the vector reused by every retrieval system, so the modes
differ only in how they rank. Produces raw outcomes; turning them into figures is eval/scoring.py.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from eval.baselines import LangChainDefault
from eval.datasets import Question
from eval.metrics import citation_exact
from rag.pipeline import Pipeline
from rag.retrieve import MODES, Hit, Retriever

RETRIEVAL_SYSTEMS: tuple[str, ...] = ("bm25", "dense", "rrf", "hybrid", "langchain")
ANSWER_SYSTEM = "sanad"
SYSTEMS: tuple[str, ...] = (*RETRIEVAL_SYSTEMS, ANSWER_SYSTEM)
LABELS = {
    "bm25": "bm25: BM25 only",
    "dense": "dense: dense only",
    "rrf": "rrf: plain RRF",
    "hybrid": "hybrid: project retrieval",
    "langchain": "langchain: LangChain default",
    "sanad": "sanad: `ask` (cited sentences)",
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


class Systems:
    """Runs every system over one evaluation index.

    ``retriever`` must be a ``Retriever`` over the same index version and config as ``pipeline``;
    it is used directly so that one query vector serves all four modes.
    """

    def __init__(self, pipeline: Pipeline, retriever: Retriever, langchain: LangChainDefault | None) -> None:
        self.pipeline = pipeline
        self.retriever = retriever
        self.langchain = langchain
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
            outcomes.append(self.ask(question))
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

    def ask(self, q: Question) -> Outcome:
        started = time.perf_counter()
        answer = self.pipeline.ask(q.question, doc_ids=q.allowed)
        seconds = time.perf_counter() - started
        cites = answer.citations
        return Outcome(
            q.id, "sanad", tuple(c.doc_id for c in cites), tuple(c.text for c in cites),
            tuple(self._exact(c.doc_id, c.text, c.start, c.end) for c in cites), seconds,
            bool(answer.abstained),  # rag may hand back numpy.bool_, which json cannot write
        )

    def _exact(self, doc_id: str, text: str, start: int, end: int) -> bool:
        """Checked against ``pipeline.article(doc_id).text``, the text ``sanad show`` prints."""
        article = self.texts.get(doc_id)
        return article is not None and citation_exact(text, article, start, end)
