"""The pure metric functions of eval/quality/metrics.py against hand-computed values and rouge-score as an oracle."""

from __future__ import annotations

import math

import pytest

from eval.quality import metrics
from rag import matching

# -- retrieval -------------------------------------------------------------------------------


def test_first_rank_counts_chunks_not_articles() -> None:
    assert metrics.first_rank(["b", "b", "a", "c"], {"a"}) == 3
    assert metrics.first_rank(["b", "c"], {"a"}) is None
    assert metrics.first_rank([], {"a"}) is None
    assert metrics.first_rank(["c", "b", "a"], {"a", "b"}) == 2  # any gold article


@pytest.mark.parametrize(
    ("rank", "k", "expected"), [(1, 1, 1.0), (2, 1, 0.0), (5, 5, 1.0), (6, 5, 0.0), (None, 10, 0.0)]
)
def test_recall_at(rank: int | None, k: int, expected: float) -> None:
    assert metrics.recall_at(rank, k) == expected


def test_reciprocal_rank() -> None:
    assert metrics.reciprocal_rank(1) == 1.0
    assert metrics.reciprocal_rank(4) == 0.25
    assert metrics.reciprocal_rank(None) == 0.0


def test_ndcg_single_gold_is_discounted_first_rank() -> None:
    assert metrics.ndcg_at(["x", "y", "a"], {"a"}) == pytest.approx(1 / math.log2(4))
    assert metrics.ndcg_at(["a"], {"a"}) == 1.0
    assert metrics.ndcg_at(["x"] * 10 + ["a"], {"a"}, k=10) == 0.0  # beyond the cut-off


def test_ndcg_counts_each_gold_article_once() -> None:
    # a at 1, a again at 2 (no gain), b at 3; ideal: gold at 1 and 2.
    expected = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert metrics.ndcg_at(["a", "a", "b"], {"a", "b"}) == pytest.approx(expected)
    assert metrics.ndcg_at(["a", "a", "a"], {"a", "b"}) == pytest.approx(1 / (1 + 1 / math.log2(3)))
    assert metrics.ndcg_at(["a"], set()) == 0.0


def test_recall_curve() -> None:
    assert metrics.recall_curve([1, 3, None, 2], [1, 2, 3]) == [0.25, 0.5, 0.75]
    assert metrics.recall_curve([], [1, 2]) == [0.0, 0.0]


# -- answers and citations -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("excerpt", "gold"),
    [
        ("أعلنت الحكومةُ العراقية", "الحكومة العراقية"),  # diacritics
        ("أعلنت الحكومـــة", "الحكومة"),  # tatweel
        ("قالت الحكومه", "الحكومة"),  # ta marbuta typed as ha
        ("زار أميركا", "اميركا"),  # hamza on alef dropped
        ("مستشفى المدينة", "مستشفي"),  # alef maqsura / ya
        ("في عام ٢٠٢١ أعلن", "2021"),  # Arabic-Indic digits
        ("Ain al-Asad\nair base", "ain al-asad air base"),  # case and line break
        ("4  صواريخ", "4 صواريخ"),  # collapsed whitespace
    ],
)
def test_contains_answer_after_normalisation(excerpt: str, gold: str) -> None:
    assert matching.contains_answer(excerpt, [gold])


def test_contains_answer_negative_and_alternatives() -> None:
    assert not matching.contains_answer("أعلنت الحكومة", ["البرلمان"])
    assert matching.contains_answer("أعلن البرلمان", ["الحكومة", "البرلمان"])
    assert not matching.contains_answer("anything", [])
    assert not matching.contains_answer("anything", [""])  # an empty gold string never matches


def test_token_f1_hand_values() -> None:
    assert matching.token_f1("the cat sat on the mat", ["cat sat"]) == pytest.approx(0.5)  # p=2/6, r=1
    assert matching.token_f1("قال إن الحكومة", ["الحكومه"]) == pytest.approx(0.5)  # normalised tokens
    assert matching.token_f1("cat", ["dog", "cat"]) == 1.0  # best gold answer
    assert matching.token_f1("a a b", ["a"]) == pytest.approx(2 * (1 / 3) / (1 + 1 / 3))  # multiset overlap
    assert matching.token_f1("", ["cat"]) == 0.0
    assert matching.token_f1("cat", []) == 0.0


def test_citation_exact() -> None:
    text = "الجملة الأولى. الجملة الثانية."
    assert metrics.citation_exact("الجملة الثانية.", text, 15, 30)
    assert not metrics.citation_exact("الجملة الثانية.", text, 14, 29)  # off by one
    assert not metrics.citation_exact("x", text, 40, 41)  # outside the text
    assert not metrics.citation_exact("", text, 5, 3)


def test_support() -> None:
    assert metrics.support(["4 صواريخ أطلقت", "لا شيء", "صاروخ"], ["4 صواريخ"]) == pytest.approx(1 / 3)
    assert metrics.support([], ["x"]) == 0.0


def test_abstention_precision_recall() -> None:
    scores = metrics.abstention([True, True, False, False], [True, False, True, False])
    assert scores == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert metrics.abstention([True, False], [False, False]) == {"precision": None, "recall": 0.0, "f1": None}
    assert metrics.abstention([False, False], [True, False]) == {"precision": 0.0, "recall": None, "f1": None}
    assert metrics.abstention([True, False], [True, False]) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert metrics.abstention([True, False], [False, True])["f1"] == 0.0


# -- summaries -------------------------------------------------------------------------------


def test_keyfact_coverage_normalises_both_sides() -> None:
    summary = "وتحدث عن مفاوضات سريّة، وعن قصف قاعدة التاجى العسكرية."
    facts = [["مفاوضات سرية"], ["xyz", "قاعدة التاجي"], ["حركة طالبان"]]
    assert metrics.keyfact_coverage(summary, facts) == pytest.approx(2 / 3)
    assert metrics.keyfact_coverage(summary, []) == 0.0


def test_redundancy_and_jaccard() -> None:
    assert metrics.redundancy(["الحكومة تعلن الانسحاب", "الحكومة تعلن الانسحاب"]) == 1.0
    assert metrics.redundancy(["الحكومة تعلن الانسحاب", "football scores today"]) == 0.0
    assert metrics.redundancy(["one sentence only"]) == 0.0
    assert metrics.jaccard(["a", "b"], ["b", "c"]) == pytest.approx(1 / 3)
    assert metrics.jaccard([], []) == 0.0


def test_compression() -> None:
    assert metrics.compression("abc", "abcdef") == 0.5
    assert metrics.compression("abc", "") == 0.0


PRED = "the cat was found under the bed"
REF = "the cat was under the bed"


def test_rouge_hand_values() -> None:
    assert metrics.rouge_n(PRED, REF, 1) == pytest.approx(12 / 13)  # p=6/7, r=6/6
    assert metrics.rouge_n(PRED, REF, 2) == pytest.approx(16 / 22)  # p=4/6, r=4/5
    assert metrics.rouge_l(PRED, REF) == pytest.approx(12 / 13)  # LCS = 6
    assert metrics.rouge_n("", REF, 1) == 0.0
    assert metrics.rouge_l("a b", "c d") == 0.0


def test_lcs_length() -> None:
    assert metrics.lcs_length("ABCBDAB", "BDCABA") == 4
    assert metrics.lcs_length([], ["a"]) == 0


def test_rouge_keeps_arabic() -> None:
    pred, ref = "أعلنت الحكومة انسحاب القوات", "الحكومة تعلن انسحاب القوات الأمريكية"
    assert metrics.rouge_n(pred, ref, 1) == pytest.approx(2 * 3 / (4 + 5))  # 3 shared of 4 and 5 tokens


ENGLISH = [
    (PRED, REF),
    ("police killed the gunman", "the gunman was shot dead by police"),
    ("a b c d e f", "f e d c b a"),
    ("the the the the", "the cat sat on the mat"),
    ("iraq says combat mission of the coalition has ended in 2021",
     "the international coalition ended its combat mission in iraq in december 2021"),
]


@pytest.mark.parametrize(("pred", "ref"), ENGLISH)
def test_rouge_matches_rouge_score_on_english(pred: str, ref: str) -> None:
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
    oracle = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False).score(ref, pred)
    assert metrics.rouge_n(pred, ref, 1) == pytest.approx(oracle["rouge1"].fmeasure)
    assert metrics.rouge_n(pred, ref, 2) == pytest.approx(oracle["rouge2"].fmeasure)
    assert metrics.rouge_l(pred, ref) == pytest.approx(oracle["rougeL"].fmeasure)


def test_rouge_score_default_tokenizer_drops_arabic() -> None:
    """Why eval/quality/metrics.py implements ROUGE itself: rouge-score sees no tokens in Arabic text."""
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
    oracle = rouge_scorer.RougeScorer(["rouge1"]).score("الحكومة تعلن", "الحكومة تعلن")
    assert oracle["rouge1"].fmeasure == 0.0
    assert metrics.rouge_n("الحكومة تعلن", "الحكومة تعلن", 1) == 1.0


# -- aggregation -----------------------------------------------------------------------------


def test_mean_and_percentile() -> None:
    assert metrics.mean([]) is None
    assert metrics.mean([1.0, 2.0]) == 1.5
    assert metrics.percentile([], 50) is None
    assert metrics.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert metrics.percentile(list(map(float, range(101))), 95) == pytest.approx(95.0)
