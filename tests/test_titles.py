"""Derived titles for articles that state none: the lead's opening, marked as derived everywhere."""

from __future__ import annotations

from index.documents import Span
from index.titles import MAX_WORDS, derived_title
from rag.pipeline import Pipeline
from rag.render import DERIVED_MARK, summary_text
from ui.viewer import doc_choices

UNTITLED = "003_8b30ea1d89039507"  # the seed article that states no headline


def test_a_short_first_sentence_is_the_title() -> None:
    assert derived_title("  US forces stay in Iraq.\nMore text follows here.") == "US forces stay in Iraq"
    assert derived_title("القوات الأمريكية تبقى في العراق؟ ثم نص آخر.") == "القوات الأمريكية تبقى في العراق"


def test_a_long_first_sentence_is_cut_at_its_first_clause() -> None:
    text = ("تسعى الولايات المتحدة الأمريكية الى إطالة مدة بقاء قواتها العسكرية في العراق، وإلغاء فكرة الانسحاب "
            "من أذهان العراقيين، كونها تعمل على إيجاد ذرائع.")
    assert derived_title(text) == "تسعى الولايات المتحدة الأمريكية الى إطالة مدة بقاء قواتها العسكرية في العراق"


def test_without_a_usable_clause_the_first_words_and_an_ellipsis() -> None:
    text = "Baghdad, Iraq — US forces said on Monday that they will stay in the country for two more years."
    title = derived_title(text)
    assert title is not None and title.endswith("…")
    assert len(title.rstrip("…").split()) == MAX_WORDS and text.startswith(title.rstrip("…"))


def test_leading_header_lines_are_skipped() -> None:
    text = "بغداد/ تميم الحسن\nبدأت عمليات استهداف جديدة على القواعد.\nنص."
    assert derived_title(text, [Span(0, 17)]) == "بدأت عمليات استهداف جديدة على القواعد"


def test_no_words_no_title() -> None:
    assert derived_title("") is None
    assert derived_title(" … «» \n") is None


def test_an_untitled_article_is_named_by_its_opening_marked_as_derived(pipeline: Pipeline) -> None:
    docs = {d.doc_id: d for d in pipeline.documents()}
    untitled = docs[UNTITLED]
    article = pipeline.article(UNTITLED)
    assert article.title is None, "the stored article keeps its (missing) title"
    assert untitled.title_derived and untitled.title and article.text.lstrip().startswith(untitled.title)
    assert untitled.to_dict()["title_derived"] is True
    assert not any(d.title_derived for d in docs.values() if d.doc_id != UNTITLED)
    summary = pipeline.summarize(UNTITLED)
    assert summary.title == untitled.title and summary.to_dict()["title_derived"] is True
    assert DERIVED_MARK in summary_text(summary)
    label = dict((d, label) for label, d in doc_choices(pipeline))[UNTITLED]
    assert label.startswith(untitled.title) and DERIVED_MARK in label and UNTITLED not in label


def test_citations_of_an_untitled_article_carry_the_derived_title(pipeline: Pipeline) -> None:
    answer = pipeline.ask("ما الذي تسعى إليه الولايات المتحدة بشأن بقاء قواتها في العراق؟", doc_ids=[UNTITLED])
    assert answer.citations
    for c in answer.citations:
        assert c.doc_id == UNTITLED and c.title_derived and c.title == pipeline.documents_by_id()[UNTITLED].title
        assert c.to_dict()["title_derived"] is True
