"""How ``ask`` uses a reader: order, abstention, answer phrases, exact spans, the LangChain compressor.

A deterministic keyword reader stands in for the model here: what is tested is what ``ask`` does
with readings, which needs readings chosen by the test (the shipped model is tested in
tests/test_reader_model.py). It honours the ``Reader`` protocol like every backend.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pytest
from langchain_core.documents import Document

from index.embed import Embedder
from index.errors import ReaderError
from rag.abstain import AbstentionModel
from rag.ask import AnswerConfig
from rag.pipeline import Pipeline
from rag.reading.base import Passage, Reader, Reading
from rag.reading.compressor import ReaderCompressor
from rag.reading.registry import get_reader

pytestmark = pytest.mark.slow


class KeywordReader:
    """Probability 0.9 for sentences holding ``keyword`` (its span as the phrase), else 0.05."""

    name = "keyword"

    def __init__(self, keyword: str, threshold: float | None = 0.5) -> None:
        self.keyword = keyword
        # p = sigmoid(best log-odds): abstains when the best reading is below ``threshold``
        self.abstention = None if threshold is None else AbstentionModel(
            "e5-small", ("best",), (0.0,), (1.0,), (1.0,), 0.0, threshold)
        self.first_stage_weight = 0.0
        self.calibrated_pool: int | None = None
        self.calls: list[tuple[str, list[Passage]]] = []

    def read(self, question: str, passages: Sequence[Passage]) -> list[Reading]:
        self.calls.append((question, list(passages)))
        out = []
        for p in passages:
            at = p.sentence.find(self.keyword)
            out.append(Reading(0.9, (at, at + len(self.keyword))) if at >= 0 else Reading(0.05))
        return out


def _pipeline(index: Path, e5: Embedder, reader: Reader | None) -> Pipeline:
    return Pipeline(index, e5, reader=reader)


def test_the_reader_orders_the_excerpts_and_gives_the_phrase(seed_index: Path, e5: Embedder) -> None:
    reader = KeywordReader("2500")
    answer = _pipeline(seed_index, e5, reader).ask("How many US troops are deployed in Iraq?")
    first = answer.citations[0]
    assert "2500" in first.text and not answer.abstained
    assert first.answer_span is not None and first.answer_phrase == "2500"
    text = _pipeline(seed_index, e5, reader).article(first.doc_id).text
    assert text[first.answer_span[0] : first.answer_span[1]] == "2500"
    assert first.start <= first.answer_span[0] < first.answer_span[1] <= first.end
    assert answer.answer.splitlines()[1].startswith("- 2500 — «")  # English: the phrase leads
    assert answer.to_dict()["citations"][0]["answer_span"] == {
        "start": first.answer_span[0], "end": first.answer_span[1], "text": "2500"}
    question, passages = reader.calls[0]
    assert question == "How many US troops are deployed in Iraq?" and 1 <= len(passages) <= 24


def test_reading_another_pool_than_the_calibrated_one_is_warned_once(seed_index: Path, e5: Embedder,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    reader = KeywordReader("2500")
    reader.calibrated_pool = 12
    with caplog.at_level(logging.WARNING, logger="rag.stages.reading"):
        Pipeline(seed_index, e5, reader=reader, answering=AnswerConfig(reader_pool=12)).ask("How many troops?")
        assert not caplog.records
        wider = Pipeline(seed_index, e5, reader=reader, answering=AnswerConfig(reader_pool=24))
        wider.ask("How many troops?")
        wider.ask("كم عدد الجنود؟")
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 1 and "calibrated on pools of 12 sentences but reads 24" in warned[0]
    assert len(reader.calls[-1][1]) > 12  # it still reads what it was asked to


def test_an_arabic_question_is_not_led_by_the_phrase(seed_index: Path, e5: Embedder) -> None:
    answer = _pipeline(seed_index, e5, KeywordReader("2500")).ask("كم عدد الجنود الأميركيين في العراق؟")
    assert answer.citations[0].answer_phrase == "2500"
    assert answer.answer.splitlines()[1].startswith("- «")


def test_below_the_readers_abstention_threshold_it_abstains(seed_index: Path, e5: Embedder) -> None:
    answer = _pipeline(seed_index, e5, KeywordReader("no sentence holds this")).ask(
        "How many US troops are deployed in Iraq?")
    assert answer.abstained and answer.citations  # the closest passages are still listed
    assert all(c.answer_span is None for c in answer.citations)


def test_an_abstained_answer_highlights_no_phrase(seed_index: Path, e5: Embedder) -> None:
    reader = KeywordReader("2500", threshold=0.95)  # it finds the phrase (0.9) but is not sure enough to answer
    answer = _pipeline(seed_index, e5, reader).ask("How many US troops are deployed in Iraq?")
    assert answer.abstained and any("2500" in c.text for c in answer.citations)
    assert all(c.answer_span is None and c.answer_phrase is None for c in answer.citations)
    assert "2500 —" not in answer.answer


def test_a_reader_without_an_abstention_model_keeps_the_first_stage_abstention(seed_index: Path, e5: Embedder) -> None:
    question = "What is the price of oil in Norway?"
    without = _pipeline(seed_index, e5, None).ask(question)
    unfitted = _pipeline(seed_index, e5, KeywordReader("no sentence holds this", threshold=None)).ask(question)
    assert unfitted.abstained == without.abstained


def test_who_wrote_questions_skip_the_reader(seed_index: Path, e5: Embedder) -> None:
    reader = KeywordReader("2500")
    answer = _pipeline(seed_index, e5, reader).ask("من هو كاتب مقال مفاوضات الجلاء الأميركي؟")
    assert not reader.calls and "محمد صادق الحسينيّ" in answer.citations[0].text


def test_the_headline_is_read_with_each_sentence_but_not_with_itself(seed_index: Path, e5: Embedder) -> None:
    reader = KeywordReader("العراق")
    pipeline = _pipeline(seed_index, e5, reader)
    pipeline.ask("ما هدف الهجمات على عين الأسد؟")
    titles = {d.title for d in pipeline.documents() if d.title}
    for passage in reader.calls[0][1]:
        assert passage.context in titles | {""}
        assert passage.context != passage.sentence


def test_unknown_reader_names_say_what_exists() -> None:
    with pytest.raises(ReaderError, match="unknown reader 'nope'; choose from"):
        get_reader("nope")
    assert get_reader("none") is None


def test_the_compressor_keeps_the_best_documents_with_their_scores() -> None:
    docs = [Document(page_content=t, metadata={"title": "t"}) for t in ("no", "troops: 2500 here", "nothing")]
    kept = ReaderCompressor(reader=KeywordReader("2500"), top_n=2).compress_documents(docs, "how many?")
    assert [d.page_content for d in kept] == ["troops: 2500 here", "no"]
    assert kept[0].metadata["relevance_score"] == 0.9 and kept[0].metadata["answer_span"] == [8, 12]
    assert kept[0].metadata["title"] == "t" and "answer_span" not in kept[1].metadata


def test_the_first_stage_weight_breaks_the_readers_ties_by_the_first_stage_order(seed_index: Path,
                                                                                  e5: Embedder) -> None:
    question = "How many US troops are deployed in Iraq?"
    first_stage = _pipeline(seed_index, e5, None).ask(question)
    flat = KeywordReader("no sentence holds this", threshold=0.01)  # every sentence 0.05: a tie
    flat.first_stage_weight = 1.0
    fused = _pipeline(seed_index, e5, flat).ask(question)
    assert [c.start for c in fused.citations] == [c.start for c in first_stage.citations]
    strong = KeywordReader("2500")
    strong.first_stage_weight = 1.0  # 0.9 against 0.05 is 5 log-odds: one z-unit does not undo it
    assert "2500" in _pipeline(seed_index, e5, strong).ask(question).citations[0].text
