"""Pure metric functions: retrieval ranks, answer matching, citations, abstention, summaries, latency.

Values in, numbers out: no index, model or file access, so every figure can be checked by hand
(tests/test_eval_metrics.py). Matching is on ``index.normalize`` output, the same folding search uses.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from itertools import combinations

import numpy as np

from index.normalize import search_tokens, tokenize
from rag.matching import contains_answer, fold

# -- retrieval -------------------------------------------------------------------------------


def first_rank(ranked_docs: Sequence[str], gold: Collection[str]) -> int | None:
    """1-based rank of the first result (chunk) from a gold article; ``None`` when none is ranked."""
    return next((i for i, doc in enumerate(ranked_docs, start=1) if doc in gold), None)


def recall_at(rank: int | None, k: int) -> float:
    """1 when a gold article is among the top ``k`` results (one gold doc: recall = hit rate)."""
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank is not None else 0.0


def ndcg_at(ranked_docs: Sequence[str], gold: Collection[str], k: int = 10) -> float:
    """Binary nDCG@k at article level: a gold article gains once, at the rank of its first chunk.

    Further chunks of an article already found gain nothing, so several chunks of one article
    cannot fake a multi-article answer; the ideal ranking puts every gold article first.
    """
    if not gold:
        return 0.0
    seen: set[str] = set()
    dcg = 0.0
    for i, doc in enumerate(ranked_docs[:k], start=1):
        if doc in gold and doc not in seen:
            seen.add(doc)
            dcg += 1.0 / math.log2(i + 1)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(gold), k) + 1))
    return dcg / ideal


def recall_curve(ranks: Sequence[int | None], ks: Iterable[int]) -> list[float]:
    """Mean Recall@k for each k (the curves in the report)."""
    return [float(np.mean([recall_at(r, k) for r in ranks])) if ranks else 0.0 for k in ks]


# -- answers and citations -------------------------------------------------------------------


def citation_exact(cited: str, article_text: str, start: int, end: int) -> bool:
    """A citation is exact when its text is the article's text at its offsets, character for character."""
    return 0 <= start <= end <= len(article_text) and article_text[start:end] == cited


def support(excerpts: Sequence[str], answers: Sequence[str]) -> float:
    """Share of the cited excerpts that hold a gold answer (0 when nothing is cited)."""
    return sum(contains_answer(e, answers) for e in excerpts) / len(excerpts) if excerpts else 0.0


def abstention(should: Sequence[bool], did: Sequence[bool]) -> dict[str, float | None]:
    """Precision, recall and F1 of abstaining, the positive class being "should abstain".

    ``None`` where undefined (no abstentions for precision, no unanswerable questions for recall).
    """
    tp = sum(s and d for s, d in zip(should, did, strict=True))
    p = tp / sum(did) if sum(did) else None
    r = tp / sum(should) if sum(should) else None
    if p is None or r is None:
        return {"precision": p, "recall": r, "f1": None}
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


# -- summaries -------------------------------------------------------------------------------


def keyfact_coverage(summary: str, facts: Sequence[Sequence[str]]) -> float:
    """Share of facts for which any of their phrases, normalised, appears in the normalised summary."""
    if not facts:
        return 0.0
    folded = fold(summary)
    return sum(any(fold(m) in folded for m in phrases) for phrases in facts) / len(facts)


def jaccard(a: Collection[str], b: Collection[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 0.0


def redundancy(sentences: Sequence[str]) -> float:
    """Mean pairwise Jaccard of the sentences' content terms (``search_tokens``: stemmed, no stopwords).

    Content terms rather than all tokens: function words would make any two Arabic sentences look alike.
    """
    pairs = list(combinations([search_tokens(s) for s in sentences], 2))
    return float(np.mean([jaccard(a, b) for a, b in pairs])) if pairs else 0.0


def compression(summary: str, article: str) -> float:
    """Summary characters per article character (lower is shorter)."""
    return len(summary) / len(article) if article else 0.0


# ROUGE implemented here rather than with rouge-score: its default tokenizer keeps only [a-z0-9]
# and so drops every Arabic letter. Same definitions as rouge-score's rouge1/rouge2/rougeL
# (clipped n-gram overlap; LCS over the whole text, no sentence split), F-measure, over the
# ``tokenize`` tokens (normalised, unstemmed). tests/test_eval_metrics.py checks it against
# rouge-score on English text, where the two tokenizers agree.


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f(overlap: int, predicted: int, reference: int) -> float:
    if not overlap:
        return 0.0
    p, r = overlap / predicted, overlap / reference
    return 2 * p * r / (p + r)


def rouge_n(prediction: str, reference: str, n: int) -> float:
    """ROUGE-N F-measure."""
    pred, ref = _ngrams(tokenize(prediction), n), _ngrams(tokenize(reference), n)
    return _f(sum((pred & ref).values()), sum(pred.values()), sum(ref.values()))


def rouge_n_recall(prediction: str, reference: str, n: int) -> float:
    """ROUGE-N recall: the share of the reference's n-grams the prediction has (0 for an empty reference)."""
    pred, ref = _ngrams(tokenize(prediction), n), _ngrams(tokenize(reference), n)
    total = sum(ref.values())
    return sum((pred & ref).values()) / total if total else 0.0


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (dynamic programming, one row at a time)."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F-measure (longest common subsequence over the whole text)."""
    pred, ref = tokenize(prediction), tokenize(reference)
    return _f(lcs_length(pred, ref), len(pred), len(ref))


# -- aggregation -----------------------------------------------------------------------------


def mean(values: Iterable[float]) -> float | None:
    """Mean, or ``None`` for no values (a figure that could not be measured, not a zero)."""
    vals = list(values)
    return float(np.mean(vals)) if vals else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (linear interpolation, numpy's default), ``None`` for no values."""
    return float(np.percentile(values, q)) if len(values) else None
