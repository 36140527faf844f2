"""Stage 1 of ``ask``: every candidate sentence for a question, with its evidence and fused score.

Candidates are the sentences of the best retrieved chunks (dense + BM25, filtered: rag/retrieve.py)
plus the sentences closest by dense cosine and by names across scripts. Does not read or abstain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from index.normalize import search_tokens
from rag.corpus import Corpus
from rag.question import Question
from rag.retrieve import Filters
from rag.scores import standardise
from rag.stages import signals
from rag.stages.contracts import Candidate, ChunkRetriever, Ranking
from rag.stages.fusion import FusionWeights

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")  # typed in Arabic script: a dialect or MSA, not Arabizi


@dataclass(frozen=True)
class FirstStageConfig:
    """How many chunks are retrieved, how many closest sentences join them, and the fusion weights."""

    chunks: int = 8
    sentence_pool: int = 40
    weights: FusionWeights = field(default_factory=FusionWeights)

    def __post_init__(self) -> None:
        if self.chunks < 1 or self.sentence_pool < 0:
            raise ValueError("chunks must be >= 1 and sentence_pool >= 0")


class FirstStage:
    """Ranks the sentences of one index version for a question (a ``SentenceRanker``)."""

    def __init__(self, corpus: Corpus, retriever: ChunkRetriever, config: FirstStageConfig | None = None) -> None:
        self.corpus = corpus
        self.retriever = retriever
        self.config = config or FirstStageConfig()

    def _query_vector(self, question: Question) -> np.ndarray:
        """The searched text's vector; for an Arabizi question, the mean direction of its spelling in
        Arabic script and the question as typed. Arabizi's spelling back is a guess per word, and the
        multilingual embedder has seen chat Latin-script Arabic, so the typed text keeps what a wrong
        guess loses. Measured on the varieties dev sets (eval/reports/2026-12-07-e621a67-*): with it
        for every rewrite, first excerpt +6 of 240 rewrites but +3 false abstentions, all of the gain
        and none of the net loss on Arabizi; dialect rewrites are exact word swaps and gain nothing.
        It costs one more query embedding (~27 ms here), paid by Arabizi questions only."""
        qvec = self.retriever.embed_query(question.search)
        if not question.searched or _ARABIC_SCRIPT.search(question.asked):
            return qvec
        both = qvec + self.retriever.embed_query(question.asked)
        return both / np.linalg.norm(both)

    def rank(self, question: Question, filters: Filters | None = None) -> Ranking:
        """Every candidate sentence with its score, best first."""
        corpus, c = self.corpus, self.config
        sparse_query = signals.start_sparse(corpus, self.retriever.embedder, question)  # beside the dense vector
        qvec = self._query_vector(question)
        hits = self.retriever.search(question.search, k=c.chunks, filters=filters, query_vector=qvec)
        if not hits:
            return Ranking(())
        allowed = self.retriever.allowed_docs(filters)
        sims = corpus.vectors @ qvec  # raw cosine: evidence for abstention, comparable across corpora
        headed = corpus.headed_vectors @ qvec  # ranking: the sentence read with its headline
        terms = search_tokens(question.search)
        idf = self.retriever.term_idf(terms) if terms else np.zeros(0)
        mass = float(idf.sum()) or 1.0
        # Scores are standardised over the searchable sentences: with filters, over those only.
        mask = corpus.mask(allowed)
        raw_sparse = signals.sparse_scores(corpus, sparse_query)
        dense, sparse_z = standardise(headed, mask), standardise(raw_sparse, mask)
        names = signals.name_match(corpus, question)
        cross = corpus.cross_language(question.language)
        context = signals.chunk_context(corpus, hits)
        pool = set(context) | {int(p) for p in np.argsort(-names)[: c.sentence_pool] if names[p] > 0}
        pool |= {int(p) for p in np.argsort(-headed)[: c.sentence_pool]}
        if question.expect == "author":  # bylines share no words with the question
            pool |= {s.pos for s in corpus.sentences if s.header and signals.fits(corpus, s, "author")}
        scored = []
        for pos in pool:
            ref = corpus.sentences[pos]
            if allowed is not None and ref.doc_id not in allowed:
                continue
            tokens = corpus.tokens(ref)
            lexical = sum(w for t, w in zip(terms, idf, strict=True) if t in tokens) / mass
            features = (
                float(dense[pos]), float(sparse_z[pos]), float(names[pos]), lexical,
                context.get(pos, 0.0), signals.fits(corpus, ref, question.expect), float(cross[pos]),
                float(sims[pos]), float(raw_sparse[pos]),
            )
            scored.append(Candidate(ref, c.weights.score(features, question.expect), features))
        if question.expect == "author":
            scored = c.weights.bylines_by_article(scored)
        return Ranking(tuple(sorted(scored, key=lambda s: (-s.score, s.ref.pos))))
