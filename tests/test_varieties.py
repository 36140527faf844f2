"""Dialect and Arabizi questions rewritten into MSA: the lexicon, the spelling back from Latin letters
against a collection's terms, leaving MSA and English alone, and what the user is shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.arabizi import is_arabizi, to_arabic
from rag.dialect import to_msa
from rag.pipeline import Pipeline
from rag.question import read_question
from rag.render import answer_text
from rag.varieties import standard_arabic
from ui.answers import answer_html

DATA = Path(__file__).resolve().parents[1] / "eval" / "data"


def _questions(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [qa["question"] for a in data["data"] for p in a["paragraphs"] for qa in p["qas"]]


@pytest.mark.parametrize(("dialect", "msa"), [
    ("شكد صاروخ ضرب القاعدة؟", "كم صاروخ ضرب القاعدة؟"),  # Iraqi
    ("منو اللي وقع الاتفاق؟", "من اللي وقع الاتفاق؟"),  # Iraqi / Gulf; the relative is left as typed
    ("قديش في جنود بالقاعدة؟", "كم في جنود بالقاعدة؟"),  # Levantine
    ("الاجتماع كان فين؟", "الاجتماع كان أين؟"),  # Egyptian
    ("علاش انسحبو؟", "لماذا انسحبو؟"),  # Maghrebi
    ("وشوكت صاير الهجوم؟", "ومتى حدث الهجوم؟"),  # the conjunction stays attached
    ("الانسحاب مو قريب كتيييير", "الانسحاب ليس قريب كثير"),  # elongation
])
def test_dialect_words_become_msa(dialect: str, msa: str) -> None:
    assert to_msa(dialect) == msa


def test_msa_questions_are_left_alone() -> None:
    """ARCD's and XQuAD's 1,883 MSA questions (not the seeds'): at most a handful change; «آية» and
    the spelled letter «أيه» never become Egyptian «إيه», MSA «ما في» never "there is not"."""
    questions = _questions(DATA / "arcd" / "arcd-train.json") + _questions(DATA / "xquad" / "xquad.ar.json")
    changed = [q for q in questions if to_msa(q) != q]
    assert len(changed) <= 0.005 * len(questions), changed
    assert to_msa("بأي سورة وآية من القرآن؟") == "بأي سورة وآية من القرآن؟"
    assert to_msa("متى بدأت شبكة أيه بي سي؟") == "متى بدأت شبكة أيه بي سي؟"  # the letter A of ABC
    assert to_msa("بأي لغة ورد جل ما في الكتابة؟") == "بأي لغة ورد جل ما في الكتابة؟"


@pytest.mark.parametrize("english", [
    "How many US troops are deployed in Iraq?", "When was the first 3D Dragon Quest?",
    "When were MP3s invented?", "When did Beethoven compose his 9th symphony?",
    "Who leads the international coalition?", "What did al-Sudani say about the F-16 deal?",
    "Hutchinson Hall was designed to look like what Oxford hall?", "Which primes differ by 2n?",
])
def test_english_is_not_taken_for_arabizi(english: str) -> None:
    assert not is_arabizi(english)


def test_arabizi_is_spelled_with_the_collections_own_words() -> None:
    terms = {"عدد": 5, "جنود": 3, "امريك": 4, "عراق": 9, "عين": 2, "اسد": 2, "هجوم": 1}
    frequency = lambda term: terms.get(term, 0)  # noqa: E731
    assert is_arabizi("kam 3adad el jnood el amrikan bel 3iraq?")
    assert to_msa(to_arabic("kam 3adad el jnood el amrikan bel 3iraq?", frequency)) == \
        "كم عدد الجنود الأمريكيين بالعراق ؟"
    assert to_arabic("emta el hojoom 3ala 3ain el asad", frequency) == "متى الهجوم على عين الاسد"
    assert to_arabic("shu 9ar b Bagram", frequency).endswith("bagram")  # unknown word: left as typed


def test_arabizi_digraphs_hamza_seat_and_unknown_words() -> None:
    terms = {"قواعد": 2, "مسوول": 1}
    frequency = lambda term: terms.get(term, 0)  # noqa: E731
    assert to_arabic("qawa3edhom", frequency) == "قواعدهم"  # "dh" here is d + the suffix -hom
    assert to_arabic("el mas2ool", frequency) == "المسؤول"  # 2 on a waw seat
    # a digit for a letter marks an Arabic word even when the index spells it otherwise: Arabic
    # script, not Latin letters the embedder and the reader cannot read as Arabic
    assert to_arabic("njara7u aw la", frequency) == "نجرحو أو لا"


def test_a_rewrite_is_searched_and_analysed_and_recorded() -> None:
    question = read_question("shgad 3adad el jnood?", rewrite=lambda t: standard_arabic(t, lambda _: 1))
    assert question.asked == "shgad 3adad el jnood?"
    assert question.language == "ar" and question.expect == "number"
    assert question.searched == question.search and question.searched.startswith("كم")
    msa = read_question("كم عدد الجنود؟", rewrite=lambda t: standard_arabic(t, lambda _: 1))
    assert msa.searched is None and msa.search == "كم عدد الجنود؟"


@pytest.mark.slow
def test_the_answer_says_what_was_searched(pipeline: Pipeline) -> None:
    answer = pipeline.ask("kam 3adad el jnood el amrikan bel 3iraq?")
    assert answer.searched is not None and "الجنود" in answer.searched
    assert answer.language == "ar" and answer.to_dict()["searched"] == answer.searched
    assert answer_text(answer).splitlines()[0] == f"بحثتُ عن: {answer.searched}"
    assert "sanad-searched" in answer_html(answer)
    plain = pipeline.ask("كم عدد الجنود الأمريكيين في العراق؟")
    assert plain.searched is None and "searched" not in plain.to_dict()
    off = Pipeline(pipeline.store, pipeline.embedder, varieties=False).ask("kam 3adad el jnood?")
    assert off.searched is None


class _Recording:
    """The real embedder, with the queries it was asked to embed written down."""

    def __init__(self, embedder: object) -> None:
        self._embedder = embedder
        self.queries: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._embedder, name)

    def embed_queries(self, texts: list[str]) -> object:
        self.queries.extend(texts)
        return self._embedder.embed_queries(texts)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_an_arabizi_question_is_searched_as_spelled_back_and_as_typed(pipeline: Pipeline) -> None:
    recording = _Recording(pipeline.embedder)
    spy = Pipeline(pipeline.store, recording, varieties=True)  # type: ignore[arg-type]
    typed = "shgad 3adad el jnood el amrikan bel 3iraq?"
    answer = spy.ask(typed)
    assert answer.searched is not None
    assert answer.searched in recording.queries and typed in recording.queries
    recording.queries.clear()
    for typed in ("كم عدد الجنود الأمريكيين في العراق؟", "شكد عدد الجنود الامريكان بالعراق؟"):  # MSA, Iraqi
        answer = spy.ask(typed)
        assert set(recording.queries) == {answer.searched or typed}  # one query vector: the rewrite's
        recording.queries.clear()
