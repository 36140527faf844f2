"""The shipped reader: its files are checked on load, and it reads Arabic and English questions.

Uses the real weights in rag/reading/weights/ (never trained in the tests).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.errors import ReaderError
from rag.ask import AnswerConfig
from rag.reading.base import Passage
from rag.reading.shipped import BATCH, WEIGHTS, SanadReader

pytestmark = pytest.mark.slow

TROOPS = "وتنشر واشنطن 2500 عسكري في العراق ضمن مهمة التحالف الدولي."
OTHER = "وقال المتحدث إن الطقس في بغداد سيكون حاراً هذا الأسبوع."
COALITION = "ويضم التحالف الدولي الذي تقوده واشنطن عشرات الدول منذ عام 2014."


@pytest.fixture(scope="module")
def reader() -> SanadReader:
    return SanadReader()


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "weights"
    shutil.copytree(WEIGHTS, folder)
    return folder


def test_the_shipped_calibration_was_fitted_for_the_pool_ask_reads() -> None:
    assert SanadReader().calibrated_pool == AnswerConfig().reader_pool


def test_the_shipped_files_fit_the_size_limit() -> None:
    meta = json.loads((WEIGHTS / "reader.json").read_text(encoding="utf-8"))
    assert (WEIGHTS / meta["weights"]).stat().st_size <= 60_000_000
    assert (WEIGHTS / "MODEL_CARD.md").read_text(encoding="utf-8").startswith("# Sanad reader")


@pytest.mark.parametrize(
    ("question", "answer", "phrase"),
    [
        ("How many US troops are deployed in Iraq?", TROOPS, "2500"),
        ("كم عدد الجنود الأميركيين في العراق؟", TROOPS, "2500"),
        ("Who leads the international coalition?", COALITION, "واشنطن"),
        ("من يقود التحالف الدولي؟", COALITION, "واشنطن"),
    ],
)
def test_the_answering_sentence_reads_as_more_likely(reader: SanadReader, question: str, answer: str,
                                                     phrase: str) -> None:
    readings = reader.read(question, [Passage(OTHER), Passage(answer)])
    assert all(0.0 <= r.probability <= 1.0 for r in readings)
    assert readings[1].probability > readings[0].probability
    span = readings[1].span
    if span is not None:  # given only when the span head is confident; then it is exact and apt
        assert 0 <= span[0] < span[1] <= len(answer)
        assert phrase in answer[span[0] : span[1]] or answer[span[0] : span[1]] in phrase


def test_order_and_batching_do_not_change_the_readings(reader: SanadReader) -> None:
    passages = [Passage(OTHER), Passage(TROOPS, "عنوان"), Passage(COALITION)] * 15  # more than one batch
    readings = reader.read("How many US troops are deployed in Iraq?", passages)
    again = reader.read("How many US troops are deployed in Iraq?", passages[::-1])[::-1]
    # bfloat16 arithmetic (on CPUs with AMX) rounds differently with a batch's padding: close, not equal
    assert np.allclose([r.probability for r in readings], [r.probability for r in again], atol=0.01)
    assert [r.span for r in readings] == [r.span for r in again]
    assert reader.read("anything", []) == []


def test_the_batch_size_changes_the_readings_only_in_rounding(reader: SanadReader) -> None:
    passages = [Passage(OTHER), Passage(TROOPS, "عنوان"), Passage(COALITION), Passage(OTHER + " " + OTHER)]
    whole = reader.read("How many US troops are deployed in Iraq?", passages)
    reader.batch = 1
    try:
        one_by_one = reader.read("How many US troops are deployed in Iraq?", passages)
    finally:
        reader.batch = BATCH
    assert np.allclose([r.probability for r in whole], [r.probability for r in one_by_one], atol=0.01)
    with pytest.raises(ValueError, match="batch"):
        SanadReader(batch=0)


def test_damaged_weights_are_refused(copy: Path) -> None:
    meta = json.loads((copy / "reader.json").read_text(encoding="utf-8"))
    weights = copy / meta["weights"]
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ReaderError, match="damaged"):
        SanadReader(copy).read("q", [Passage("s")])


def test_missing_weights_are_refused(copy: Path) -> None:
    (copy / json.loads((copy / "reader.json").read_text(encoding="utf-8"))["weights"]).unlink()
    with pytest.raises(ReaderError, match="missing"):
        SanadReader(copy).read("q", [Passage("s")])


def test_other_base_weights_are_refused(copy: Path) -> None:
    meta = json.loads((copy / "reader.json").read_text(encoding="utf-8"))
    meta["base"]["sha256"] = "0" * 64
    (copy / "reader.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ReaderError, match="not the one the reader was trained on"):
        SanadReader(copy).read("q", [Passage("s")])


def test_damaged_metadata_is_refused(copy: Path) -> None:
    (copy / "reader.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ReaderError, match="missing or damaged"):
        SanadReader(copy).read("q", [Passage("s")])
