"""The first stage's evidence beyond dense cosine: sparse latent terms, names across scripts, the kind
of answer a sentence holds, and the relevance of the chunk it was retrieved in.

Each is a plain array or dict over the corpus's sentence positions; rag/stages/fusion.py weighs them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from scipy import sparse

from index.dates import find_dates
from index.embed import Embedder
from index.normalize import ENGLISH_STOPWORDS
from rag.corpus import Corpus, SentenceRef
from rag.question import Expect, Question
from rag.retrieve import Hit
from rag.scores import rescale
from rag.translit import arabic_skeletons, latin_name_skeletons

# Capitalised English words that are not names worth matching across scripts.
NAME_STOPWORDS = ENGLISH_STOPWORDS | {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
}
# Sparse query vectors run here while the calling thread computes the dense one: the engine
# releases the GIL, so the two take one model pass of time on two cores.
_SPARSE_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sanad-sparse")
_NUMBER = re.compile(r"[0-9٠-٩]|(?<!\w)(?:ثلاث|أربع|اربع|خمس|ست|سبع|ثماني|تسع|عشر|مئ|مائ|ألف|الف|آلاف|مليون)")


def start_sparse(corpus: Corpus, embedder: Embedder, question: Question) -> Future[sparse.csr_matrix] | None:
    """The question's sparse latent terms, computed in the background (None without a sparse head)."""
    embed = getattr(embedder, "embed_sparse", None)
    if corpus.sparse is None or embed is None:
        return None
    return _SPARSE_POOL.submit(embed, [question.search])


def sparse_scores(corpus: Corpus, query: Future[sparse.csr_matrix] | None) -> np.ndarray:
    """Sparse latent-term match of every sentence (zeros when the index has no sparse rows)."""
    if query is None or corpus.sparse is None:
        return np.zeros(len(corpus.sentences))
    return np.asarray((query.result() @ corpus.sparse).todense()).ravel()


def name_match(corpus: Corpus, question: Question) -> np.ndarray:
    """Share of the question's name idf mass (by consonant skeleton) each other-language sentence holds.

    The share is damped by one maximal idf, so a lone common name ("American") weighs little
    and the rare names a question hinges on weigh a lot.
    """
    out = np.zeros(len(corpus.sentences))
    if question.language == "en":
        skeletons = latin_name_skeletons(question.search, NAME_STOPWORDS)
    else:
        skeletons = arabic_skeletons(question.search)
    if not skeletons:
        return out
    index, n = corpus.name_index, len(corpus.sentences)
    idf = {s: float(np.log1p(n / (1 + len(index.get(s, []))))) for s in skeletons}
    for skeleton, weight in idf.items():
        for pos in index.get(skeleton, []):
            out[pos] += weight
    damped = sum(idf.values()) + float(np.log1p(n))
    return out / damped * corpus.cross_language(question.language)


def fits(corpus: Corpus, ref: SentenceRef, expect: Expect) -> float:
    """Does the sentence hold the kind of answer asked for (a number, a date, the byline)?"""
    text = corpus.text(ref)
    if expect == "author":
        author = corpus.articles[ref.doc_id].author
        return 1.0 if ref.header and author and author in text else 0.0
    if expect == "number":
        return 1.0 if _NUMBER.search(text) else 0.0
    if expect == "date":
        return 1.0 if find_dates(text) else 0.0
    return 0.0


def chunk_context(corpus: Corpus, hits: Sequence[Hit]) -> dict[int, float]:
    """Each sentence of a retrieved chunk, with that chunk's relevance rescaled to 0..1."""
    relevance = rescale(np.array([h.score for h in hits]), flat=1.0)
    out: dict[int, float] = {}
    for hit, rel in zip(hits, relevance, strict=True):
        for ref in corpus.within(hit.chunk.doc_id, hit.chunk.start, hit.chunk.end):
            out[ref.pos] = max(out.get(ref.pos, 0.0), float(rel))
    return out
