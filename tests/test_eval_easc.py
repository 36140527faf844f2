"""The human-summary benchmark end to end on a small file in EASC's format (the real set stays in ../shared/)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from eval.quality import easc
from eval.quality.easc_eval import AGREEMENT, LENGTHS, SYSTEMS, evaluate_easc, leave_one_out
from eval.quality.run import run
from index.embed import Embedder

SENTENCES = [
    "أعلنت وزارة الصحة افتتاح مستشفى جديد للأطفال في مدينة البصرة بسعة مئتي سرير.",
    "وقال الوزير إن المستشفى يضم أقساماً للعناية المركزة وجراحة القلب والطوارئ.",
    "وبلغت كلفة المشروع نحو أربعين مليون دولار بتمويل من الحكومة المحلية.",
    "ويعمل في المستشفى أكثر من ثلاثمئة طبيب وممرض من أبناء المحافظة.",
    "وأشار مدير الصحة إلى أن العمل جار لبناء مستشفيين آخرين في الأقضية.",
]
WRAPPED = ("افتتحت بلدية المدينة اليوم حديقة عامة جديدة على ضفاف النهر بمساحة عشرة\n"
           "هكتارات وسط حضور كبير من الأهالي والمسؤولين المحليين في المحافظة.\n"
           "وقال رئيس البلدية إن الحديقة تضم ملاعب للأطفال ومسارات للمشي وركوب الدراجات.\n"
           "وأضاف أن البلدية زرعت فيها أكثر من خمسة آلاف شجرة من أنواع محلية مختلفة.\n"
           "وتفتح الحديقة أبوابها يومياً من الصباح حتى منتصف الليل مجاناً للجميع.")


def _row(doc_id: str, text: str, picked: str) -> str:
    return json.dumps({"id": doc_id, "topic": doc_id.rsplit("-", 1)[0], "article": text,
                       "summaries": [picked] * 5}, ensure_ascii=False)


@pytest.fixture
def easc_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four articles whose five summaries all pick the first two sentences (one article hard-wrapped,
    its summaries written with the line breaks deleted, as EASC's are)."""
    rows = []
    for n, topic in enumerate(["health-1", "health-2", "cities-1"]):
        order = SENTENCES[n:] + SENTENCES[:n]
        rows.append(_row(topic, "\n".join(order), " ".join(order[:2]).replace("أ", "ا")))
    lines = WRAPPED.split("\n")
    rows.append(_row("cities-2", WRAPPED, (lines[0] + lines[1] + " " + lines[2]).replace("أ", "ا")))
    path = tmp_path / "easc-mini.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setenv(easc.ENV, str(path))
    return path


def test_picks_follow_the_references(easc_file: Path) -> None:
    data = easc.load()
    assert len(data.articles) == 4 and all(len(r) == 5 for r in data.references.values())
    wrapped = next(a for a in data.articles if a.doc_id == "cities-2")
    assert wrapped.title is None  # a wrapped first line is body, not a headline
    first = wrapped.text[: wrapped.text.index(".") + 1]
    assert easc.pick_matrix([first, "وتفتح الحديقة أبوابها يومياً"], data.references["cities-2"]) == [
        [True] * 5, [False] * 5]


@pytest.mark.slow
def test_benchmark_scores_every_system_at_every_length(easc_file: Path, tmp_path: Path, e5: Embedder) -> None:
    bench = evaluate_easc(e5, tmp_path / "cache", k=2)
    assert bench["articles"] == 4 and bench["folds"] == 2 and len(bench["by_fold"]) == 2
    assert bench["sentences"]["reference"] == 2.0
    for length in LENGTHS:
        assert set(bench["figures"][length]) == set(SYSTEMS)
    at_reference = bench["figures"]["reference"]
    assert at_reference["lead"]["rouge1"] == pytest.approx(1.0)  # the references are the leads
    assert at_reference["lead"]["rouge2_max"] == pytest.approx(1.0)
    assert at_reference["random"]["rouge2"] < 1.0
    assert all(0 <= v <= 1 for figures in at_reference.values() for m, v in figures.items() if m != "words")
    assert at_reference["lead"]["coverage"] == pytest.approx(1.0)  # it holds every sentence they picked
    assert at_reference["lead"]["rouge1_recall"] == pytest.approx(1.0)
    assert at_reference["random"]["coverage"] < 1.0
    assert bench["sentences"]["3"] <= 3 and bench["sentences"]["5"] <= 5
    assert all(bench["figures"][length]["sanad"]["words"] > 0 for length in LENGTHS)
    assert set(bench["agreement"]) == set(AGREEMENT)  # five identical summaries: each is the others' lead
    assert bench["agreement"]["human"]["rouge2"] == pytest.approx(1.0)
    assert bench["agreement"]["lead"]["rouge1"] == pytest.approx(1.0)


def test_leave_one_out_scores_each_person_against_the_others() -> None:
    a, b = "أعلنت الوزارة افتتاح المستشفى", "وقال الوزير إن العمل جار"
    references = [a, a, a, b]  # three people agree, one does not
    lengths = [1, 1, 1, 3]
    asked: list[int] = []

    def first(n: int) -> list[str]:
        asked.append(n)
        return [a]

    got = leave_one_out(references, lengths, {"lead": first})
    assert got["human"]["rouge1"] == pytest.approx((2 / 3 * 3 + 0) / 4)  # each of the three matches two of three
    assert got["lead"]["rouge1"] == pytest.approx((2 / 3 * 3 + 1) / 4)  # the consensus beats any one person
    assert asked == [2, 2, 2, 1]  # the others' mean length, rounded
    with pytest.raises(ValueError, match="two references"):
        leave_one_out([a], [1], {})


def test_a_missing_set_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from ui.cli import main

    monkeypatch.setenv(easc.ENV, str(tmp_path / "nowhere.jsonl"))
    assert main(["eval", "--dataset", "easc-dev", "--out", str(tmp_path / "out"),
                 "--cache-dir", str(tmp_path / "cache")]) == 1
    assert "../shared/" in capsys.readouterr().err
    assert not easc.available()


@pytest.mark.slow
def test_sanad_eval_reports_the_benchmark(easc_file: Path, tmp_path: Path) -> None:
    args = argparse.Namespace(dataset="easc-dev", out=tmp_path / "report", limit=None, check_floors=False,
                              answer_sample=None, cache_dir=tmp_path / "cache", index_dir=Path("unused"),
                              embedder="e5-small", verbose=False, reader="sanad", st_reader=None)
    assert run(args) == 0
    text = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "## Summaries against human summaries (easc-dev)" in text
    assert "At the references' length" in text and "Sanad (CV) − Lead-N" in text and "per fold" in text
    results = json.loads((tmp_path / "report" / "results.json").read_text(encoding="utf-8"))
    assert results["summary_benchmarks"]["easc-dev"]["articles"] == 4
