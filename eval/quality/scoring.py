"""Outcomes to figures: the metrics of each system over a group of questions (a dataset or a language).

Answer metrics count answerable questions; abstention counts the unanswerable ones against their
answerable partners. A figure that cannot be measured on a group is ``None``, never 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eval.quality import metrics
from eval.quality.datasets import Dataset, Question
from eval.quality.systems import ANSWER_SYSTEMS, DEPTH, RETRIEVAL_SYSTEMS, SYSTEMS, Outcome
from rag import matching

Figures = dict[str, float | None]
ByQuestion = Mapping[str, Mapping[str, Outcome]]  # question id -> system -> outcome
KS = tuple(range(1, DEPTH + 1))


ANSWERED = "answered"  # subgroup: the questions every system ran on, when `ask` ran on a sample


def groups(dataset: Dataset) -> dict[str, list[Question]]:
    """The dataset as a whole, each language when it mixes them (``seeds/ar``), and, when ``ask``
    answered only a sample, that sample (``xquad-ar/answered``) for like-for-like comparisons."""
    out: dict[str, list[Question]] = {dataset.name: list(dataset.questions)}
    if len(dataset.languages) > 1:
        for language in dataset.languages:
            out[f"{dataset.name}/{language}"] = [q for q in dataset.questions if q.language == language]
    by_id = {q.id: q for q in dataset.questions}
    for variety in sorted({q.variety for q in dataset.questions if q.variety}):
        rewrites = [q for q in dataset.questions if q.variety == variety]
        out[f"{dataset.name}/{variety}"] = rewrites
        if variety != "msa":  # the MSA originals of exactly these rewrites, to compare like with like
            out[f"{dataset.name}/{variety}/msa"] = [by_id[q.original] for q in rewrites if q.original]
    if not all(q.ask for q in dataset.questions):
        out[f"{dataset.name}/{ANSWERED}"] = [q for q in dataset.questions if q.ask]
    return out


def dataset_groups(figures: Mapping[str, Any]) -> list[str]:
    """Whole-dataset groups (``seeds``, ``xquad-ar``), without language or summary subgroups."""
    return [g for g in figures if "/" not in g]


def language_groups(figures: Mapping[str, Any]) -> list[str]:
    """One group per dataset and language: ``seeds/ar``, ``seeds/en``, ``xquad-ar``, ``xquad-en``."""
    out = []
    for group in dataset_groups(figures):
        subs = [g for g in figures if g in (f"{group}/ar", f"{group}/en")]
        out.extend(subs or [group])
    return out


def score_group(questions: Sequence[Question], outcomes: ByQuestion) -> dict[str, Figures]:
    """system -> figures, for every system with outcomes in this group."""
    out = {}
    for system in SYSTEMS:
        ran = [(q, outcomes[q.id][system]) for q in questions if system in outcomes.get(q.id, {})]
        if ran:
            out[system] = score_system(system, ran)
    return out


def score_system(system: str, ran: Sequence[tuple[Question, Outcome]]) -> Figures:
    answerable = [(q, o) for q, o in ran if q.answerable]
    figures: Figures = {"questions": float(len(answerable))}
    if system in RETRIEVAL_SYSTEMS:
        figures.update(_retrieval(answerable))
    figures.update(_answers(answerable))
    if system in ANSWER_SYSTEMS:
        figures.update(_abstention(ran))
        figures.update(_phrases(answerable))
        figures.update(_pool_recall(answerable))
    main = [o for q, o in ran if q.allowed is None]  # filtered asks are timed apart from the rest
    ms = [o.seconds * 1000 for o in main]
    figures["latency_p50_ms"] = metrics.percentile(ms, 50)
    figures["latency_p95_ms"] = metrics.percentile(ms, 95)
    return figures


def _retrieval(answerable: Sequence[tuple[Question, Outcome]]) -> Figures:
    ranks = [metrics.first_rank(o.docs, q.doc_ids) for q, o in answerable]
    return {
        "recall@1": metrics.mean(metrics.recall_at(r, 1) for r in ranks),
        "recall@5": metrics.mean(metrics.recall_at(r, 5) for r in ranks),
        "recall@10": metrics.mean(metrics.recall_at(r, 10) for r in ranks),
        "mrr": metrics.mean(metrics.reciprocal_rank(r) for r in ranks),
        "ndcg@10": metrics.mean(metrics.ndcg_at(o.docs, q.doc_ids, 10) for q, o in answerable),
    }


def _answers(answerable: Sequence[tuple[Question, Outcome]]) -> Figures:
    """Excerpt quality whether or not the system abstained (abstention is scored on its own)."""
    first = [(q, o.excerpts[0] if o.excerpts else "") for q, o in answerable]
    claimed = [(q, o) for q, o in answerable if not o.abstained]
    flags = [e for _, o in answerable for e in o.exact]
    return {
        "answer_in_first": metrics.mean(float(matching.contains_answer(e, q.answers)) for q, e in first),
        "answer_in_top3": metrics.mean(
            float(any(matching.contains_answer(e, q.answers) for e in o.excerpts[:3])) for q, o in answerable
        ),
        "token_f1": metrics.mean(matching.token_f1(e, q.answers) for q, e in first),
        "first_excerpt_chars": metrics.mean(float(len(e)) for _, e in first),
        "citation_exact": metrics.mean(float(f) for f in flags),
        "citation_support": metrics.mean(metrics.support(o.excerpts[:3], q.answers) for q, o in claimed),
    }


def _abstention(ran: Sequence[tuple[Question, Outcome]]) -> Figures:
    """Precision/recall of abstaining: unanswerable questions against answerable partners.

    When the unanswerable questions are derived from answerable ones (XQuAD without its gold
    paragraph), the negatives are exactly those source questions, so both classes are the same
    size and the same questions; otherwise (seeds) every answerable question is a negative.
    """
    asked = [(q, o) for q, o in ran if o.abstained is not None]
    sources = {q.source_id for q, _ in asked if q.source_id}
    pairs = [(q, o) for q, o in asked if not q.answerable or not sources or q.id in sources]
    scores = metrics.abstention([not q.answerable for q, _ in pairs], [bool(o.abstained) for _, o in pairs])
    answerable = [o for q, o in asked if q.answerable]
    return {
        "abstain_precision": scores["precision"],
        "abstain_recall": scores["recall"],
        "abstain_f1": scores["f1"],
        "false_abstention": metrics.mean(float(bool(o.abstained)) for o in answerable),
        "unanswerable": float(sum(not q.answerable for q, _ in pairs)),
    }


def _phrases(answerable: Sequence[tuple[Question, Outcome]]) -> Figures:
    """The answer phrase of the first excerpt: how often one is given, and its exact match / token
    F1 against the gold answers where it is (SQuAD-style, on normalised text)."""
    given = [(q, o.phrase) for q, o in answerable if o.phrase]
    return {
        "phrase_given": metrics.mean(float(bool(o.phrase)) for _, o in answerable),
        "phrase_em": metrics.mean(float(matching.exact_match(p, q.answers)) for q, p in given),
        "phrase_f1": metrics.mean(matching.token_f1(p, q.answers) for q, p in given),
    }


POOL_SIZES = (24, 32, 48)  # pool recall beside the shipped pool's: what a larger pool would hold


def _pool_recall(answerable: Sequence[tuple[Question, Outcome]]) -> Figures:
    """Share of answerable questions whose answer sentence is in the reader's pool (the reader can
    only choose what the first stage hands it), at the pool ``ask`` read and at larger ones."""
    ranks = [o.answer_rank for _, o in answerable if o.pool is not None]
    pool = next((o.pool for _, o in answerable if o.pool is not None), None)
    if pool is None:
        return {}
    sizes = {"pool_recall": pool, **{f"pool_recall@{n}": n for n in POOL_SIZES}}
    out: Figures = {"pool": float(pool)}
    for name, size in sizes.items():
        out[name] = metrics.mean(float(r is not None and r < size) for r in ranks)
    return out


def curves(questions: Sequence[Question], outcomes: ByQuestion) -> dict[str, list[float]]:
    """Recall@k for k = 1..10, per retrieval system."""
    out = {}
    for system in RETRIEVAL_SYSTEMS:
        ranks = [
            metrics.first_rank(outcomes[q.id][system].docs, q.doc_ids)
            for q in questions
            if q.answerable and system in outcomes.get(q.id, {})
        ]
        if ranks:
            out[system] = metrics.recall_curve(ranks, KS)
    return out
