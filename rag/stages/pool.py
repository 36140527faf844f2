"""Stage 2 of ``ask``: the best first-stage sentences the reader reads, each with what it reads."""

from __future__ import annotations

from rag.corpus import Corpus, SentenceRef
from rag.reading.base import Passage
from rag.stages.contracts import Pool, Ranking


class ReaderPool:
    """The ``size`` best candidates of a ranking, with their passages."""

    def __init__(self, corpus: Corpus, size: int) -> None:
        if size < 1:
            raise ValueError("the reader's pool must hold at least one sentence")
        self.corpus = corpus
        self.size = size

    def take(self, ranking: Ranking) -> Pool:
        chosen = ranking.candidates[: self.size]
        return Pool(chosen, tuple(self.passage(c.ref) for c in chosen))

    def passage(self, ref: SentenceRef) -> Passage:
        """What the reader reads for a sentence: its text and its article's headline (none for a
        header line itself)."""
        title = self.corpus.articles[ref.doc_id].title
        return Passage(self.corpus.text(ref), "" if not title or ref.header else title)
