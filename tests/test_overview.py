"""Where sources differ: the same thing given different figures or dates, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.embed import Embedder
from rag.clauses import LONG_WORDS
from rag.figures import conflicts, figures
from rag.overview import NO_DIFFERENCES
from rag.pipeline import Pipeline
from rag.render import overview_text
from rag.summarize import READER_SENTENCES
from rag.types import Overview


def _values(a: str, b: str) -> list[tuple[str, str]]:
    return [(x.value, y.value) for x, y in conflicts(figures(a), figures(b))]


def test_different_counts_of_the_same_thing_conflict() -> None:
    assert _values("وتنشر واشنطن 2500 جندي في العراق.", "ينتشر في العراق 3000 جندي أمريكي.") == [("2500", "3000")]
    assert _values("about 2,500 troops remain", "some 3,000 troops remain") == [("2500", "3000")]


def test_counts_of_different_things_and_agreeing_dates_do_not() -> None:
    assert _values("سحب 120 ألف حاوية من البلاد", "لديها أكثر من 80 الف جندي") == []
    assert _values("وتنشر واشنطن 2500 جندي", "وتنشر واشنطن 2,500 جندي") == []
    assert _values("أعلنت هزيمة التنظيم في أواخر العام 2017", "أعلنت هزيمة التنظيم في كانون الأول 2017") == []


def test_dates_of_different_events_do_not_conflict() -> None:
    seized = "بعدما سيطر التنظيم على مساحات شاسعة من البلاد في عام 2014 قبل أن يهزمه الجيش"
    defeated = "الذي أعلنت الحكومة العراقية هزيمته في أواخر العام 2017، واستعادت السيطرة على البلاد"
    assert _values(seized, defeated) == []
    assert _values("أعلنت الحكومة هزيمة التنظيم في 2017", "أعلنت الحكومة هزيمة التنظيم في 2018") == [("2017", "2018")]


def test_a_number_touching_an_arabic_prefix_is_read_whole() -> None:
    assert [f.value for f in figures("مقارنةً بــ734,000 ميل و ب2500 جندي")] == ["734000", "2500"]


def test_dates_must_share_more_than_a_generic_word() -> None:
    amsterdam = "ولتعزيز التنمية من خلال معاهدة أمستردام سنة 1997، وللقيام بتنقيحات"
    assert _values(amsterdam, "ثم جاءت معاهدة نيس سنة 2001 التي عدلت") == []


def test_scale_words_belong_to_the_number() -> None:
    (found,) = figures("انسحاب 14 ألف جندي أميركي")
    assert (found.value, found.text) == ("14 الف", "14 ألف") and "جند" in found.about


ARTICLES = {
    "a.txt": "قالت وزارة الدفاع إن 2500 جندي أمريكي ينتشرون في العراق ضمن التحالف الدولي.\n"
    "وأضافت الوزارة أن المحادثات مع بغداد مستمرة.\nوتناول الاجتماع ملف الطاقة والكهرباء في الصيف.",
    "b.txt": "أفادت مصادر عراقية بأن 3000 جندي أمريكي ينتشرون في العراق ضمن التحالف الدولي.\n"
    "وقال مسؤول إن الحكومة تدرس الخيارات.\nوشهدت العاصمة أمطاراً غزيرة يوم الأحد.",
}


def _indexed(tmp_path: Path, e5: Embedder, articles: dict[str, str]) -> Pipeline:
    """A real index over ``articles`` (file name -> text)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
    pipeline = Pipeline(tmp_path / "index", e5)
    pipeline.index([corpus])
    return pipeline


@pytest.mark.slow
def test_overview_names_the_differing_figures_and_cites_both_sources(tmp_path: Path, e5: Embedder) -> None:
    pipeline = _indexed(tmp_path, e5, ARTICLES)
    overview = pipeline.overview("en")
    assert overview.differences, overview_text(overview)
    first = overview.differences[0]
    assert "2500" in first.summary and "3000" in first.summary
    assert {c.doc_id for c in first.citations} == {"a", "b"}
    for c in first.citations:
        assert pipeline.article(c.doc_id).text[c.start : c.end] == c.text


def test_no_difference_is_said_plainly() -> None:
    assert NO_DIFFERENCES["ar"] in overview_text(Overview(), "ar")
    assert NO_DIFFERENCES["en"] in overview_text(Overview(), "en")


@pytest.mark.slow
def test_themes_are_several_groups_each_shared_by_articles(pipeline: Pipeline) -> None:
    """Linking close pairs and taking connected groups chained the seeds into 2 themes; clustering gives 6."""
    themes = pipeline.overview("en").themes
    assert len(themes) >= 4
    for theme in themes:
        assert len({c.doc_id for c in theme.citations}) >= 2
        for c in theme.citations:
            assert pipeline.article(c.doc_id).text[c.start : c.end] == c.text
    assert len({(t.citations[0].doc_id, t.citations[0].start) for t in themes}) == len(themes)


@pytest.mark.slow
def test_themes_lead_with_the_earliest_article_and_list_their_sources(pipeline: Pipeline) -> None:
    themes = pipeline.overview("en").themes
    support = [len(t.sources) for t in themes]
    assert support == sorted(support, reverse=True)  # the most widely supported theme first
    docs = pipeline.documents_by_id()  # titles as shown: an untitled article's derived one
    for theme in themes:
        assert {c.doc_id for c in theme.citations} <= {s.doc_id for s in theme.sources}
        dates = [s.date for s in theme.sources]
        dated = [d for d in dates if d is not None]
        assert dated == sorted(dated) and dates[: len(dated)] == dated  # oldest first, undated last
        assert theme.citations[0].doc_id == theme.sources[0].doc_id
        assert theme.summary == theme.citations[0].text
        for s in theme.sources:
            d = docs[s.doc_id]
            assert (s.title, s.title_derived, s.outlet, s.date) == (d.title, d.title_derived, d.outlet, d.date)


@pytest.mark.slow
def test_the_briefing_is_a_few_cited_sentences_with_run_ons_cut(pipeline: Pipeline) -> None:
    overview = pipeline.overview("ar")
    briefing = overview.briefing
    assert 1 <= len(briefing) <= READER_SENTENCES
    assert [c.n for c in briefing] == list(range(1, len(briefing) + 1))
    for c in briefing:
        assert pipeline.article(c.doc_id).text[c.start : c.end] == c.text
        assert len(c.text.split()) < LONG_WORDS
    assert briefing[0].doc_id in {s.doc_id for s in overview.themes[0].sources}  # the widest theme first
    text = overview_text(overview, "ar")
    assert text.startswith("BRIEFING") and f"{briefing[0].text} [1]" in text


DATED = {
    "early.txt": "Source: Baghdad Today\n3 March 2024\n"
    "The United States and Iraq signed the withdrawal agreement on 12 March 2024 in Baghdad.\n"
    "Officials said the first units would leave the Ain al-Asad base within months of the signing.",
    "late.txt": "Source: Gulf Wire\n20 March 2024\n"
    "Iraq and the United States signed the withdrawal agreement on 12 March 2024, the ministry said.\n"
    "The first units are expected to leave the Ain al-Asad base within months, officials added.\n"
    "Separately, heavy rain flooded several streets of Basra on 15 March 2024.",
}


@pytest.mark.slow
def test_timeline_merges_the_same_event_and_themes_cite_outlets(tmp_path: Path, e5: Embedder) -> None:
    pipeline = _indexed(tmp_path, e5, DATED)
    overview = pipeline.overview("en")
    signed = [e for e in overview.timeline if e.date == "2024-03-12"]
    assert len(signed) == 1, [e.text for e in signed]  # one event, told by both articles
    assert signed[0].citation.doc_id == "early" and [c.doc_id for c in signed[0].also] == ["late"]
    assert [e.date for e in overview.timeline if e.kind == "mentioned"] == ["2024-03-12", "2024-03-15"]
    for entry in overview.timeline:
        for c in (entry.citation, *entry.also):
            assert pipeline.article(c.doc_id).text[c.start : c.end] == c.text
    assert overview.themes, overview_text(overview)
    theme = overview.themes[0]
    assert [(s.doc_id, s.outlet, s.date) for s in theme.sources] == [
        ("early", "Baghdad Today", "2024-03-03"), ("late", "Gulf Wire", "2024-03-20")]
    assert theme.citations[0].doc_id == "early"
    assert "Baghdad Today (2024-03-03)" in overview_text(overview)
    assert overview.to_dict()["timeline"][0]["citation"]["doc_id"] == "early"
