"""Reading a question: refusals, cuts, the kind of answer expected, and when earlier turns count."""

from __future__ import annotations

import pytest

from index.errors import QuestionError
from rag.question import MAX_QUESTION_CHARS, read_question
from rag.types import Turn

EARLIER = [Turn("Who wrote the article about the attacks on Ain al-Asad?", "…")]


@pytest.mark.parametrize("question", ["and who leads it?", "Who leads it?", "وكم صاروخاً؟", "ومن يقودها؟", "when?"])
def test_follow_ups_carry_the_previous_question(question: str) -> None:
    read = read_question(question, EARLIER)
    assert read.search == f"{EARLIER[0].question} {read.asked}"


@pytest.mark.parametrize(
    "question",
    [
        "What is the weather in Baghdad this weekend?",
        "Which base did that attack target in western Anbar province?",
        "كم صاروخاً استهدف قاعدة عين الأسد في هجوم يوم الخميس؟",
    ],
)
def test_a_new_question_stands_alone(question: str) -> None:
    assert read_question(question, EARLIER).search == question


@pytest.mark.parametrize(
    ("question", "expect"),
    [
        ("How many rockets hit the base?", "number"),
        ("كم عدد الجنود؟", "number"),
        ("When did the talks start?", "date"),
        ("متى بدأت المحادثات؟", "date"),
        ("Who wrote the column?", "author"),
        ("من كتب المقال؟", "author"),
        ("Who leads the coalition?", "other"),
    ],
)
def test_the_kind_of_answer_expected(question: str, expect: str) -> None:
    assert read_question(question).expect == expect


def test_empty_is_refused_and_huge_is_cut_with_a_notice() -> None:
    with pytest.raises(QuestionError, match="empty"):
        read_question(" \n\t ")
    read = read_question("كلمة " * 50_000)
    assert len(read.asked) <= MAX_QUESTION_CHARS and read.notice and "250,000" in read.notice
    assert read.language == "ar"
