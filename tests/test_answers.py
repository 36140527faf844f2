"""Cited answers on a real index of the seeds: exact spans, framing, abstention, bad input, filters."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from index.errors import IndexMissingError, QuestionError, UnknownDocumentError
from index.normalize import normalize
from rag.pipeline import Pipeline
from rag.summarize import READER_SENTENCES, default_words
from rag.types import Answer, Turn

pytestmark = pytest.mark.slow
QUESTIONS = [json.loads(line) for line in (Path(__file__).parent.parent / "eval/data/seeds_questions.jsonl").open()]


def _assert_exact(pipeline: Pipeline, answer: Answer) -> None:
    for n, citation in enumerate(answer.citations, start=1):
        assert citation.n == n
        assert pipeline.article(citation.doc_id).text[citation.start : citation.end] == citation.text
        assert f"[{n}]" in answer.answer


@pytest.fixture(scope="module")
def answers(pipeline: Pipeline) -> dict[str, Answer]:
    return {q["id"]: pipeline.ask(q["question"]) for q in QUESTIONS}


def test_every_citation_of_every_answer_is_an_exact_span(pipeline: Pipeline, answers: dict[str, Answer]) -> None:
    for answer in answers.values():
        assert answer.citations, "even an abstention lists the closest passages"
        _assert_exact(pipeline, answer)


def _rate(hits: list[bool]) -> float:
    return sum(hits) / len(hits)


def test_question_set_floors(answers: dict[str, Answer]) -> None:
    """Floors sit a little below the figures measured when they were set (see the issue notes)."""
    answerable = [q for q in QUESTIONS if q["answerable"]]
    unanswerable = [q for q in QUESTIONS if not q["answerable"]]

    def found(q: dict, within: int) -> bool:  # type: ignore[type-arg]
        golds = [normalize(g) for g in q["answers"]]
        return any(any(g in normalize(c.text) for g in golds) for c in answers[q["id"]].citations[:within])

    first = _rate([found(q, 1) for q in answerable])
    top3 = _rate([found(q, 3) for q in answerable])
    abstain = _rate([answers[q["id"]].abstained for q in unanswerable])
    false_abstain = _rate([answers[q["id"]].abstained for q in answerable])
    assert first >= FLOORS["first"], first
    assert top3 >= FLOORS["top3"], top3
    assert abstain >= FLOORS["abstain"], abstain
    assert false_abstain <= FLOORS["false_abstain"], false_abstain


# Measured when set (2026-12-03, the shipped reader reading pools of 12): first 0.769, top-3 0.877,
# abstains on 8/14 unanswerable, 7/65 (10.8%) false abstentions. Floors allow two questions less on
# each side (the reader runs in bfloat16 where the CPU has it, float32 elsewhere).
FLOORS = {"first": 0.73, "top3": 0.84, "abstain": 0.42, "false_abstain": 0.14}


@pytest.mark.parametrize(
    ("question", "doc_prefix", "author"),
    [
        ("من هو كاتب مقال مفاوضات الجلاء الأميركي؟", "000_", "محمد صادق الحسينيّ"),
        ("Who wrote the article about the unclaimed attacks on Ain al-Asad?", "002_", "تميم الحسن"),
    ],
)
def test_who_wrote_cites_the_byline_of_the_matching_article(
    pipeline: Pipeline, question: str, doc_prefix: str, author: str
) -> None:
    answer = pipeline.ask(question)
    first = answer.citations[0]
    assert not answer.abstained
    assert first.doc_id.startswith(doc_prefix) and author in first.text
    _assert_exact(pipeline, answer)


def test_framing_follows_the_question_language(pipeline: Pipeline) -> None:
    english = pipeline.ask("How many rockets hit Ain al-Asad?")
    arabic = pipeline.ask("كم صاروخاً ضرب قاعدة عين الأسد؟")
    assert english.language == "en" and english.answer.startswith(("According", "The articles"))
    assert arabic.language == "ar" and arabic.answer.startswith(("وفقاً", "لا تذكر"))
    assert any("\u0600" <= ch <= "\u06ff" for ch in english.citations[0].text)  # excerpts stay in Arabic


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_refused(pipeline: Pipeline, question: str) -> None:
    with pytest.raises(QuestionError, match="empty"):
        pipeline.ask(question)


def test_huge_question_is_cut_with_a_notice(pipeline: Pipeline) -> None:
    answer = pipeline.ask("ما عدد القوات الأمريكية في العراق؟ " * 3000)
    assert answer.notice and "characters" in answer.notice
    _assert_exact(pipeline, answer)


@pytest.mark.parametrize("question", ["Какова погода сегодня?", "今日の天気はどうですか", "🙂🙂🙂", "12345"])
def test_other_scripts_get_an_answer_or_a_clean_abstention(pipeline: Pipeline, question: str) -> None:
    answer = pipeline.ask(question)
    assert answer.citations and answer.answer
    _assert_exact(pipeline, answer)


def test_unknown_doc_filter_says_how_to_list_ids(pipeline: Pipeline) -> None:
    with pytest.raises(UnknownDocumentError, match="sanad docs"):
        pipeline.ask("من يقود التحالف؟", doc_ids=["no-such-article"])


def test_doc_and_date_filters_restrict_citations(pipeline: Pipeline) -> None:
    doc = "004_3ffd546b70ef6a8c"
    answer = pipeline.ask("ما عدد القوات الأمريكية في العراق؟", doc_ids=[doc])
    assert {c.doc_id for c in answer.citations} == {doc}
    dated = pipeline.ask("ما عدد القوات الأمريكية في العراق؟", date_from="2024-01-01", date_to="2024-12-31")
    assert dated.citations and all(c.date and c.date.startswith("2024") for c in dated.citations)


@pytest.mark.parametrize(
    "question",
    [
        "What happened to the US military presence in Iraq in 2025?",
        "من فاز بالانتخابات الأمريكية في تشرين الثاني 2024؟",
    ],
)
def test_a_question_about_a_time_after_every_article_abstains_and_says_why(pipeline: Pipeline, question: str) -> None:
    answer = pipeline.ask(question)  # the newest article of the seeds is dated 2024-07-28
    assert answer.abstained and "2024-07-28" in answer.answer
    assert answer.citations, "the closest passages are still shown"
    _assert_exact(pipeline, answer)
    restricted = pipeline.ask("What did Iraq announce in 2024?", doc_ids=["001_9ab64c683f1565c2"])  # dated 2021-12-09
    assert restricted.abstained and "2021-12-09" in restricted.answer


def test_a_question_about_a_covered_year_is_not_cut_off_by_its_date(pipeline: Pipeline) -> None:
    answer = pipeline.ask("What did the Pentagon say about the talks in 2024?")
    assert "newest date" not in answer.answer


def test_follow_up_question_uses_the_conversation(pipeline: Pipeline) -> None:
    first = "ما هي الفصائل التي هاجمت قاعدة عين الأسد؟"
    alone = pipeline.ask("وكم صاروخاً؟")
    followed = pipeline.ask("وكم صاروخاً؟", history=[Turn(first, pipeline.ask(first).answer)])
    assert any("صواريخ" in c.text and "عين" in c.text for c in followed.citations)
    assert followed.citations != alone.citations


def test_no_index_says_how_to_build_one(tmp_path: Path, e5) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IndexMissingError, match="sanad index"):
        Pipeline(tmp_path / "empty", e5).ask("أي سؤال")


def test_summaries_are_exact_ordered_and_sized(pipeline: Pipeline) -> None:
    for info in pipeline.documents():
        summary = pipeline.summarize(info.doc_id)
        text = pipeline.article(info.doc_id).text
        candidates = len(pipeline.summarize(info.doc_id, ratio=1.0).sentences)
        # What people pick for an article this size, at most 5 sentences and a quarter of the words.
        assert 1 <= len(summary.sentences) <= min(READER_SENTENCES, pipeline.summary.model.length(candidates))
        assert len(summary.summary.split()) <= default_words(pipeline.article(info.doc_id))
        assert [s.start for s in summary.sentences] == sorted(s.start for s in summary.sentences)
        assert all(text[s.start : s.end] == s.text for s in summary.sentences)
        two = pipeline.summarize(info.doc_id, sentences=2)
        assert len(two.sentences) == 2 and all(text[s.start : s.end] == s.text for s in two.sentences)
        body = candidates  # ratio 1: every candidate sentence
        half = pipeline.summarize(info.doc_id, ratio=0.5)
        assert body >= len(summary.sentences) and len(half.sentences) == max(1, round(body * 0.5))
        assert all(text[s.start : s.end] == s.text for s in half.sentences)


def test_overview_citations_are_exact_and_timeline_sorted(pipeline: Pipeline) -> None:
    overview = pipeline.overview()
    assert overview.themes and overview.timeline
    for point in (*overview.themes, *overview.differences):
        assert len({c.doc_id for c in point.citations}) >= 2
        for c in point.citations:
            assert pipeline.article(c.doc_id).text[c.start : c.end] == c.text
    dates = [e.date for e in overview.timeline]
    assert dates == sorted(dates)
    assert {"2021-12-09", "2024-07-28"} <= set(dates)  # the two stated publication dates
    for entry in overview.timeline:
        c = entry.citation
        assert pipeline.article(c.doc_id).text[c.start : c.end] == c.text


def test_langchain_retriever_returns_exact_chunks(pipeline: Pipeline) -> None:
    from rag.langchain import SanadRetriever

    docs = SanadRetriever(pipeline=pipeline, k=3).invoke("من يقود التحالف الدولي؟")
    assert len(docs) == 3
    for d in docs:
        text = pipeline.article(d.metadata["doc_id"]).text
        assert text[d.metadata["start"] : d.metadata["end"]] == d.page_content


def test_concurrent_questions_get_the_same_answers_as_one_at_a_time(pipeline: Pipeline) -> None:
    """Web users ask at once: the two engine handles and the sparse worker threads must not mix them up."""
    questions = [q["question"] for q in QUESTIONS[::6]]
    alone = [pipeline.ask(q) for q in questions]
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(pipeline.ask, questions * 2))
    assert together == alone * 2
