"""Outcomes to figures on hand-made outcomes: which questions count, abstention pairing, undefined figures."""

from __future__ import annotations

from dataclasses import replace

import pytest

from eval.quality.datasets import Dataset, Question
from eval.quality.scoring import curves, groups, score_group, score_system
from eval.quality.systems import Outcome


def q(qid: str, answerable: bool = True, language: str = "ar", source: str | None = None) -> Question:
    return Question(
        id=qid, question=qid, language=language, answerable=answerable,  # type: ignore[arg-type]
        doc_ids=("a",) if answerable else (), answers=("الحكومة",) if answerable else (),
        allowed=("b",) if source else None, source_id=source,
    )


def hit(qid: str, system: str, docs: tuple[str, ...], excerpts: tuple[str, ...], abstained: bool | None = None,
        ms: float = 10.0) -> Outcome:
    return Outcome(qid, system, docs, excerpts, tuple(True for _ in excerpts), ms / 1000, abstained)


def test_retrieval_and_answer_figures() -> None:
    questions = [q("q1"), q("q2")]
    outcomes = {
        "q1": {"hybrid": hit("q1", "hybrid", ("a", "b"), ("قالت الحكومه", "x"))},
        "q2": {"hybrid": hit("q2", "hybrid", ("b", "b", "c", "a"), ("x", "y", "z"), ms=30.0)},
    }
    f = score_group(questions, outcomes)["hybrid"]
    assert f["questions"] == 2
    assert f["recall@1"] == 0.5 and f["recall@5"] == 1.0
    assert f["mrr"] == pytest.approx((1 + 1 / 4) / 2)
    assert f["answer_in_first"] == 0.5 and f["answer_in_top3"] == 0.5
    assert f["citation_exact"] == 1.0
    assert f["citation_support"] == pytest.approx((1 / 2 + 0) / 2)
    assert f["latency_p50_ms"] == pytest.approx(20.0)
    assert "abstain_recall" not in f


def test_abstention_seeds_style_uses_every_answerable_question() -> None:
    questions = [q("a1"), q("a2"), q("a3"), q("u1", answerable=False), q("u2", answerable=False)]
    did = {"a1": False, "a2": False, "a3": True, "u1": True, "u2": False}
    ran = [(x, hit(x.id, "sanad", ("a",), ("الحكومة",), abstained=did[x.id])) for x in questions]
    f = score_system("sanad", ran)
    assert f["abstain_precision"] == 0.5 and f["abstain_recall"] == 0.5
    assert f["false_abstention"] == pytest.approx(1 / 3)
    assert f["unanswerable"] == 2
    assert f["questions"] == 3  # answer metrics count answerable questions only
    assert f["citation_support"] == 1.0  # the abstained a3 is left out of support


def test_abstention_pairs_derived_questions_with_their_sources() -> None:
    questions = [q("x1"), q("x2"), q("x3"), q("x1~nogold", answerable=False, source="x1")]
    did = {"x1": False, "x2": True, "x3": True, "x1~nogold": True}
    ran = [(x, hit(x.id, "sanad", ("a",), ("y",), abstained=did[x.id])) for x in questions]
    f = score_system("sanad", ran)
    # Negatives are only x1 (the source of the derived question), so x2/x3 do not lower precision.
    assert f["abstain_precision"] == 1.0 and f["abstain_recall"] == 1.0
    assert f["false_abstention"] == pytest.approx(2 / 3)  # over every answerable question
    assert f["unanswerable"] == 1


def test_undefined_figures_are_none_not_zero() -> None:
    ran = [(q("a1"), hit("a1", "sanad", (), (), abstained=False))]
    f = score_system("sanad", ran)
    assert f["abstain_recall"] is None and f["abstain_precision"] is None and f["abstain_f1"] is None
    assert f["citation_exact"] is None  # nothing cited
    assert f["answer_in_first"] == 0.0  # no excerpt: the answer is not in it


def test_groups_split_mixed_languages_only() -> None:
    mixed = Dataset("seeds", "seeds", (), (q("1", language="ar"), q("2", language="en")))
    assert list(groups(mixed)) == ["seeds", "seeds/ar", "seeds/en"]
    single = Dataset("xquad-ar", "xquad", (), (q("1"),))
    assert list(groups(single)) == ["xquad-ar"]
    sampled = Dataset("xquad-en", "xquad", (), (q("1"), replace(q("2"), ask=False)))
    assert {k: [x.id for x in v] for k, v in groups(sampled).items()} == {
        "xquad-en": ["1", "2"], "xquad-en/answered": ["1"]
    }


def test_curves() -> None:
    questions = [q("q1"), q("q2"), q("u", answerable=False)]
    outcomes = {
        "q1": {"bm25": hit("q1", "bm25", ("a",), ())},
        "q2": {"bm25": hit("q2", "bm25", ("b", "a"), ())},
        "u": {},
    }
    assert curves(questions, outcomes) == {"bm25": [0.5] + [1.0] * 9}


def test_pool_recall_counts_answer_sentences_inside_the_pool_read_and_larger_ones() -> None:
    questions = [q("p1"), q("p2"), q("p3"), q("p4"), q("u1", answerable=False)]
    ranks = {"p1": 0, "p2": 11, "p3": 30, "p4": None, "u1": None}
    ran = [(x, replace(hit(x.id, "sanad", ("a",), ("y",), abstained=False), answer_rank=ranks[x.id], pool=12))
           for x in questions]
    f = score_system("sanad", ran)
    assert f["pool"] == 12
    assert f["pool_recall"] == 0.5  # ranks 0 and 11 are in a pool of 12; the unanswerable u1 does not count
    assert f["pool_recall@24"] == 0.5 and f["pool_recall@32"] == 0.75 and f["pool_recall@48"] == 0.75
    assert "pool_recall" not in score_system("hybrid", [(questions[0], hit("p1", "hybrid", ("a",), ("y",)))])
