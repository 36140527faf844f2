"""Extractive answers: score the sentences of retrieved passages against the question, cite the best.

No language model: the answer is made of exact quoted sentences with [n] markers, or an
abstention when the evidence is weak. Does not retrieve chunks itself; see rag/retrieve.py.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse

from index.dates import find_dates
from index.normalize import ENGLISH_STOPWORDS, search_tokens
from rag.abstain import AbstentionModel, reader_evidence
from rag.corpus import Corpus, SentenceRef
from rag.framing import compose
from rag.question import Question
from rag.reader import Passage, Reader, Reading
from rag.retrieve import Filters, Hit, Retriever
from rag.scores import fused, rescale, standardise
from rag.timescope import beyond
from rag.translit import arabic_skeletons, latin_name_skeletons
from rag.types import Answer, Citation

# Capitalised English words that are not names worth matching across scripts.
NAME_STOPWORDS = ENGLISH_STOPWORDS | {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
}
log = logging.getLogger(__name__)
# Sparse query vectors run here while the calling thread computes the dense one: the engine
# releases the GIL, so the two take one model pass of time on two cores.
_SPARSE_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sanad-sparse")
_NUMBER = re.compile(r"[0-9٠-٩]|(?<!\w)(?:ثلاث|أربع|اربع|خمس|ست|سبع|ثماني|تسع|عشر|مئ|مائ|ألف|الف|آلاف|مليون)")


@dataclass(frozen=True)
class AnswerConfig:
    """Weights of the sentence score and the abstention threshold.

    score = z(dense cosine over all sentences) + sparse weight * z(sparse latent-term match)
            + lexical_weight * (share of the query's idf mass the sentence holds: words, and names
                                matched across scripts by consonant skeleton)
            + context_weight * (relevance of the best retrieved chunk holding it)
            + type_weight * (it holds the kind of answer asked for: a number, a date)

    The sparse weight is larger when the question and the sentence are in different languages:
    there, word overlap is nil and dense cosine is vague about names and figures.
    """

    excerpts: int = 3
    chunks: int = 8
    sentence_pool: int = 40
    lexical_weight: float = 3.0
    sparse_same: float = 0.5
    sparse_cross: float = 2.0
    context_weight: float = 1.0
    type_weight: float = 0.5
    byline_weight: float = 6.0  # "who wrote…": the byline is the answer, though it shares no words
    duplicate_cosine: float = 0.97
    reader_pool: int = 12  # best first-stage sentences the reader reads

    def __post_init__(self) -> None:
        if self.excerpts < 1 or self.chunks < 1 or self.sentence_pool < 0 or self.reader_pool < 1:
            raise ValueError("excerpts, chunks and reader_pool must be >= 1 and sentence_pool >= 0")


@dataclass(frozen=True)
class Scored:
    """A candidate sentence, its score, and the evidence the score is made of (see ``FEATURES``)."""

    ref: SentenceRef
    score: float
    features: tuple[float, ...] = ()
    reading: Reading | None = None  # what the reader said, when one read it


# *_z are standardised over the searchable sentences (comparable within one question); cosine and
# sparse_dot are the raw similarities (comparable across questions and corpora of any size).
FEATURES = ("dense_z", "sparse_z", "names", "lexical", "context", "fits", "cross_language", "cosine", "sparse_dot")


class Answerer:
    """Turns a question into cited excerpts from one index version."""

    def __init__(
        self,
        corpus: Corpus,
        retriever: Retriever,
        config: AnswerConfig | None = None,
        abstention: AbstentionModel | None = None,
        reader: Reader | None = None,
    ) -> None:
        self.corpus = corpus
        self.retriever = retriever
        self.config = config or AnswerConfig()
        self._given_abstention = abstention
        self.reader = reader
        self._pool_checked = False

    @cached_property
    def abstention(self) -> AbstentionModel | None:
        """The model given, else the one fitted for this embedder, loaded on first use (calibration
        ranks sentences before one exists). Without one, answers never abstain, and a warning says
        how to fit one."""
        if self._given_abstention is not None:
            return self._given_abstention
        name = self.retriever.embedder.name
        model = AbstentionModel.load(name)
        if model is None:
            log.warning(
                "no abstention model for embedder %r: answers will not abstain; fit one with "
                "`python -m eval.calibrate_abstention --embedder %s`", name, name,
            )
        return model

    def answer(self, question: Question, k: int | None = None, filters: Filters | None = None) -> Answer:
        """Answer ``question`` with up to ``k`` excerpts (default ``config.excerpts``)."""
        k = k or self.config.excerpts
        first_stage = ranked = self.rank_sentences(question, filters)
        # "Who wrote…" is answered by the byline, which says nothing about the topic asked: the
        # first-stage ranking handles it (see _bylines_by_article), not the reader.
        if self.reader is not None and question.expect != "author" and ranked:
            ranked = self.read(question, ranked)
        chosen = self._distinct(ranked, k)
        newest = self._newest_before(question, filters)
        abstained = not chosen or newest is not None or self._abstain(ranked, first_stage)
        # The closest passages of an abstained answer carry no answer phrase: none of them answers.
        citations = tuple(self._cite(n, s, phrase=not abstained) for n, s in enumerate(chosen, start=1))
        return Answer(
            question=question.asked,
            answer=compose(question.language, citations, abstained, newest),
            abstained=abstained,
            language=question.language,
            citations=citations,
            notice=question.notice,
        )

    def read(self, question: Question, ranked: Sequence[Scored]) -> list[Scored]:
        """The first-stage pool in the reader's order, the rest after it.

        The order is the reader's log-odds plus its fitted weight times the first-stage score
        standardised within the pool (``fused``); the score kept is that sum as a probability.
        """
        assert self.reader is not None
        self._check_pool(self.reader)
        pool, passages = self.pool(ranked)
        readings = self.reader.read(question.search, passages)
        order = fused([r.probability for r in readings], [s.score for s in pool], self.reader.first_stage_weight)
        read = [Scored(s.ref, float(o), s.features, r) for s, r, o in zip(pool, readings, order, strict=True)]
        read.sort(key=lambda s: -s.score)  # stable: ties keep the first-stage order
        return read + list(ranked[self.config.reader_pool :])

    def _check_pool(self, reader: Reader) -> None:
        """Warn once when the reader reads a pool of another size than its calibration was fitted on."""
        if self._pool_checked:
            return
        self._pool_checked = True
        fitted, reading = reader.calibrated_pool, self.config.reader_pool
        if fitted is not None and fitted != reading:
            log.warning("reader %r was calibrated on pools of %d sentences but reads %d: its abstention and answer "
                        "phrases may be off; recalibrate with `python -m eval.calibrate_reader --reader %s`",
                        reader.name, fitted, reading, reader.name)

    def pool(self, ranked: Sequence[Scored]) -> tuple[list[Scored], list[Passage]]:
        """The sentences the reader reads from a first-stage ranking, and what it reads for each."""
        pool = list(ranked[: self.config.reader_pool])
        return pool, [self.passage(s.ref) for s in pool]

    def passage(self, ref: SentenceRef) -> Passage:
        """What the reader reads for a sentence: its text and its article's headline (none for a
        header line itself)."""
        title = self.corpus.articles[ref.doc_id].title
        return Passage(self.corpus.text(ref), "" if not title or ref.header else title)

    def _abstain(self, ranked: Sequence[Scored], first_stage: Sequence[Scored]) -> bool:
        """The reader's abstention model judges its readings of the pool; without a reader, or one
        without a model fitted beside this embedder (its evidence includes first-stage scores), the
        first-stage model judges the first-stage ranking's evidence."""
        model = self.reader.abstention if self.reader is not None else None
        readings = [s.reading.probability for s in ranked if s.reading is not None]
        if readings and model is not None and model.embedder == self.retriever.embedder.name:
            pool = [s.score for s in first_stage[: len(readings)]]
            return model.abstain(reader_evidence(readings, pool))
        model = self.abstention
        return model is not None and model.abstain(evidence(first_stage))

    def _newest_before(self, question: Question, filters: Filters | None) -> str | None:
        """The newest date the searched articles give, when the question asks only about later times."""
        if not question.dates:  # most questions name no date: nothing to look up
            return None
        allowed = self.retriever.allowed_docs(filters)
        docs = self.corpus.dates.keys() if allowed is None else allowed
        return beyond(question.dates, (d for doc in docs for d in self.corpus.dates[doc]))

    def rank_sentences(self, question: Question, filters: Filters | None = None) -> list[Scored]:
        """Every candidate sentence with its score, best first."""
        sparse_query = self._start_sparse(question)  # computed beside the dense vector and the search
        qvec = self.retriever.embed_query(question.search)
        hits = self.retriever.search(question.search, k=self.config.chunks, filters=filters, query_vector=qvec)
        if not hits:
            return []
        allowed = self.retriever.allowed_docs(filters)
        sims = self.corpus.vectors @ qvec  # raw cosine: evidence for abstention, comparable across corpora
        headed = self.corpus.headed_vectors @ qvec  # ranking: the sentence read with its headline
        terms = search_tokens(question.search)
        idf = self.retriever.snapshot.lexical.idf(terms) if terms else np.zeros(0)
        mass = float(idf.sum()) or 1.0
        # Scores are standardised over the searchable sentences: with filters, over those only.
        mask = self.corpus.mask(allowed)
        raw_sparse = self._sparse_scores(sparse_query)
        dense, sparse_z, names = standardise(headed, mask), standardise(raw_sparse, mask), self._name_match(question)
        cross = self.corpus.cross_language(question.language)
        context = self._context(hits)
        pool = set(context) | {int(p) for p in np.argsort(-names)[: self.config.sentence_pool] if names[p] > 0}
        pool |= {int(p) for p in np.argsort(-headed)[: self.config.sentence_pool]}
        if question.expect == "author":  # bylines share no words with the question
            pool |= {s.pos for s in self.corpus.sentences if s.header and self._fits(s, "author")}
        c = self.config
        scored = []
        for pos in pool:
            ref = self.corpus.sentences[pos]
            if allowed is not None and ref.doc_id not in allowed:
                continue
            tokens = self.corpus.tokens(ref)
            lexical = sum(w for t, w in zip(terms, idf, strict=True) if t in tokens) / mass
            features = (
                float(dense[pos]), float(sparse_z[pos]), float(names[pos]), lexical,
                context.get(pos, 0.0), self._fits(ref, question.expect), float(cross[pos]),
                float(sims[pos]), float(raw_sparse[pos]),
            )
            sparse_weight = c.sparse_cross if cross[pos] else c.sparse_same
            score = (
                features[0] + sparse_weight * features[1] + c.lexical_weight * (features[2] + features[3])
                + c.context_weight * features[4]
                + (c.byline_weight if question.expect == "author" else c.type_weight) * features[5]
            )
            scored.append(Scored(ref, score, features))
        if question.expect == "author":
            scored = self._bylines_by_article(scored)
        return sorted(scored, key=lambda s: (-s.score, s.ref.pos))

    def _bylines_by_article(self, scored: list[Scored]) -> list[Scored]:
        """For "who wrote the piece about X?": a byline shares no words with X, its article does.

        Each byline takes the score and the evidence of its own article's best other sentence (the
        score plus the byline weight), so the byline of the article that matches the question comes
        first, and abstention judges how well that article matches rather than the bare name.
        """
        fits = FEATURES.index("fits")
        bylines = {s.ref.pos for s in scored if s.ref.header and s.features[fits]}
        best: dict[str, Scored] = {}
        for s in scored:
            if s.ref.pos not in bylines and (s.ref.doc_id not in best or s.score > best[s.ref.doc_id].score):
                best[s.ref.doc_id] = s
        out = []
        for s in scored:
            article = best.get(s.ref.doc_id)
            if s.ref.pos in bylines and article is not None:
                features = (*article.features[:fits], s.features[fits], *article.features[fits + 1 :])
                s = Scored(s.ref, article.score + self.config.byline_weight, features)
            out.append(s)
        return out

    def _start_sparse(self, question: Question) -> Future[sparse.csr_matrix] | None:
        """The question's sparse latent terms, computed in the background (None without a sparse head)."""
        embed = getattr(self.retriever.embedder, "embed_sparse", None)
        if self.corpus.sparse is None or embed is None:
            return None
        return _SPARSE_POOL.submit(embed, [question.search])

    def _sparse_scores(self, query: Future[sparse.csr_matrix] | None) -> np.ndarray:
        """Sparse latent-term match of every sentence (zeros when the index has no sparse rows)."""
        if query is None or self.corpus.sparse is None:
            return np.zeros(len(self.corpus.sentences))
        return np.asarray((query.result() @ self.corpus.sparse).todense()).ravel()

    def _name_match(self, question: Question) -> np.ndarray:
        """Share of the question's name idf mass (by consonant skeleton) each other-language sentence holds.

        The share is damped by one maximal idf, so a lone common name ("American") weighs little
        and the rare names a question hinges on weigh a lot.
        """
        out = np.zeros(len(self.corpus.sentences))
        if question.language == "en":
            skeletons = latin_name_skeletons(question.search, NAME_STOPWORDS)
        else:
            skeletons = arabic_skeletons(question.search)
        if not skeletons:
            return out
        index, n = self.corpus.name_index, len(self.corpus.sentences)
        idf = {s: float(np.log1p(n / (1 + len(index.get(s, []))))) for s in skeletons}
        for skeleton, weight in idf.items():
            for pos in index.get(skeleton, []):
                out[pos] += weight
        damped = sum(idf.values()) + float(np.log1p(n))
        return out / damped * self.corpus.cross_language(question.language)

    def _fits(self, ref: SentenceRef, expect: str) -> float:
        """Does the sentence hold the kind of answer asked for (a number, a date, the byline)?"""
        author = self.corpus.articles[ref.doc_id].author
        return _fits(self.corpus.text(ref), expect, author, ref.header)

    def _context(self, hits: Sequence[Hit]) -> dict[int, float]:
        """Each sentence of a retrieved chunk, with that chunk's relevance rescaled to 0..1."""
        relevance = rescale(np.array([h.score for h in hits]), flat=1.0)
        out: dict[int, float] = {}
        for hit, rel in zip(hits, relevance, strict=True):
            for ref in self.corpus.within(hit.chunk.doc_id, hit.chunk.start, hit.chunk.end):
                out[ref.pos] = max(out.get(ref.pos, 0.0), float(rel))
        return out

    def _distinct(self, ranked: Sequence[Scored], k: int) -> list[Scored]:
        """The best ``k`` sentences, skipping near-duplicates of ones already chosen."""
        chosen: list[Scored] = []
        for s in ranked:
            if len(chosen) == k:
                break
            vec = self.corpus.vectors[s.ref.pos]
            if all(float(vec @ self.corpus.vectors[c.ref.pos]) < self.config.duplicate_cosine for c in chosen):
                chosen.append(s)
        return chosen

    def _cite(self, n: int, s: Scored, phrase: bool = True) -> Citation:
        article = self.corpus.articles[s.ref.doc_id]
        span = s.reading.span if phrase and s.reading is not None else None
        return Citation(
            n=n,
            doc_id=s.ref.doc_id,
            title=article.title,
            date=article.date,
            start=s.ref.start,
            end=s.ref.end,
            text=article.text[s.ref.start : s.ref.end],
            score=s.score,
            answer_span=(s.ref.start + span[0], s.ref.start + span[1]) if span else None,
        )


def evidence(ranked: Sequence[Scored]) -> dict[str, float]:
    """What the abstention model may use: the best sentence's features, its score and its lead."""
    top = ranked[0]
    margin = top.score - ranked[1].score if len(ranked) > 1 else top.score
    return {**dict(zip(FEATURES, top.features, strict=True)), "score": top.score, "margin": margin}



def _fits(text: str, expect: str, author: str | None = None, header: bool = False) -> float:
    if expect == "author":
        return 1.0 if header and author and author in text else 0.0
    if expect == "number":
        return 1.0 if _NUMBER.search(text) else 0.0
    if expect == "date":
        return 1.0 if find_dates(text) else 0.0
    return 0.0
