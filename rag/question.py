"""Reading a question: validation, language, the kind of answer it expects, and follow-up context.

Pure functions over strings. Does not retrieve or score passages; see rag/ask.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from index.dates import find_dates
from index.errors import QuestionError
from index.normalize import detect_language, normalize, search_tokens
from rag.types import Language, Turn

MAX_QUESTION_CHARS = 2000
Expect = Literal["number", "date", "author", "other"]

# Cue words are matched on normalised text (alef/ya/ta-marbuta folded), so one spelling suffices.
_NUMBER_CUES = re.compile(r"\b(?:how (?:many|much)|number of|what percentage)\b|(?:^|\s)و?(?:كم|عدد)(?:\s|$)")
_DATE_CUES = re.compile(
    r"\b(?:when|what (?:year|date|day|month)|which (?:year|date|day|month)|in what year)\b"
    r"|(?:^|\s)و?(?:متي|تاريخ)(?:\s|$)|(?:في|باي|اي) (?:عام|سنه|شهر|يوم|تاريخ)"
)
_AUTHOR_CUES = re.compile(
    r"\b(?:who (?:wrote|writes|authored|penned|reported)|author|writer|columnist|reporter|byline"
    r"|whose (?:article|column))\b"
    r"|(?:^|\s)(?:من كتب|من الكاتب|الكاتب|كاتب|كاتبه|المراسل|مراسل|بقلم|محرر)(?:\s|$)"
)
_FOLLOW_UP_CUES = re.compile(
    r"^(?:and|also|what about|how about|and what|and who|then)\b"
    r"|^(?:وماذا|ماذا عن|وما|ومن|وكم|ومتي|واين|وهل|ولماذا|وكيف)(?:\s|$)"
)
# Personal pronouns only: "this", "that" are mostly determiners in questions ("this weekend").
_PRONOUNS = re.compile(r"\b(?:it|its|they|them|their|he|him|his|she|her)\b")


@dataclass(frozen=True)
class Question:
    """A validated question: the text as asked, what is searched, and how to answer it."""

    asked: str
    search: str  # the question with follow-up context prepended when needed
    language: Language
    expect: Expect
    notice: str | None = None
    dates: tuple[str, ...] = ()  # ISO dates the question names ("in 2025", "November 2024")
    searched: str | None = None  # the question rewritten into MSA (dialect, Arabizi), when that changed it


def read_question(
    raw: str, history: Sequence[Turn] = (), max_chars: int = MAX_QUESTION_CHARS,
    rewrite: Callable[[str], str] | None = None,
) -> Question:
    """Validate and analyse ``raw``; empty questions raise ``QuestionError``, long ones are cut.

    ``rewrite`` turns a dialect or Arabizi question into MSA (rag/varieties.py); the rewrite is
    what is searched and analysed, and ``searched`` records it when it differs from the question.
    """
    if not isinstance(raw, str):
        raise QuestionError("the question must be text")
    text = " ".join(raw.split())
    if not text:
        raise QuestionError("the question is empty; ask something about the articles")
    notice = None
    if len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars)
        text = text[: cut if cut > max_chars // 2 else max_chars]
        notice = f"the question was {len(raw):,} characters long; only the first {len(text):,} were used"
    standard = rewrite(text) if rewrite is not None else text
    folded = normalize(standard)
    return Question(
        asked=text,
        search=_with_context(standard, folded, history),
        language=detect_language(standard),
        expect=_expect(folded),
        notice=notice,
        dates=tuple(m.iso for m in find_dates(text)),
        searched=standard if standard != text else None,
    )


def _expect(folded: str) -> Expect:
    if _AUTHOR_CUES.search(folded) and re.search(r"\b(?:who|which)\b|(?:^|\s)(?:من|ما اسم)(?:\s|$)", folded):
        return "author"
    if _NUMBER_CUES.search(folded):
        return "number"
    if _DATE_CUES.search(folded):
        return "date"
    return "other"


def _with_context(text: str, folded: str, history: Sequence[Turn]) -> str:
    """Prepend the previous question when this one leans on it ("and who leads it?")."""
    if not history:
        return text
    terms = len(search_tokens(text))
    if terms <= 2 or _FOLLOW_UP_CUES.search(folded) or (terms <= 5 and _PRONOUNS.search(folded)):
        return f"{history[-1].question} {text}"
    return text
