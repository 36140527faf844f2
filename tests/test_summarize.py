"""Per-article summaries: header lines never eat body text, whole sentences as candidates, the default
rule (at most 5 sentences and a quarter of the words), run-ons cut to their key clauses under a budget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.documents import Article, Span
from index.embed import Embedder
from index.ingest import article_from_text
from index.lines import wraps
from index.segment import split_sentences
from rag.clauses import KEEP_WORDS, LONG_WORDS, key_clause, topic_terms
from rag.pipeline import Pipeline
from rag.summarize import READER_SENTENCES, SummaryConfig, default_words, select_sentences
from rag.summary_model import FEATURES, LengthModel, features, load_model
from rag.summary_units import summary_units

AR_FIRST = "أعلنت الحكومة العراقية اليوم انتهاء المهام القتالية لقوات التحالف الدولي في البلاد."
AR_REST = ("وقال مستشار الأمن القومي إن العلاقة مع هذه القوات ستستمر في مجالات التدريب والاستشارة.\n"
           "وأضاف أن اللجنة العسكرية العليا ستجتمع مرة أخرى في بغداد لبحث التفاصيل الفنية.")
EN_FIRST = "Iraq's government said on Thursday that the combat mission of the coalition had ended."
EN_REST = ("The national security adviser said training and advice would continue for some time.\n"
           "A joint military committee will meet again in Baghdad to settle the technical details.")
AR_WRAPPED = ("تبدأ الغرفة التجارية الصناعية في محافظة الأحساء تنفيذ برامجها التدريبية\n"
              "النسائية اعتباراً من يوم الأحد المقبل وذلك من خلال برنامجين نسائيين بعنوان\n"
              "فنون التعامل مع الزوج في مقر الغرفة بمدينة المبرز التابعة للأحساء.\n"
              " وأوضح مدير التدريب والتطوير بالغرفة أن المحاضرة ستتناول في البرنامج الأول\n"
              "دراسة لأفضل توافق زواجي في العالم ومظاهر الأسرة السعيدة.")
EN_WRAPPED = ("The chamber of commerce in the eastern province will start its training\n"
              "programmes for women next Sunday with two courses on family life, held\n"
              "at its offices in the city of Mubarraz.\n"
              "The head of training said the first course would study happy marriages.")

# (case, text, what the header holds, the first sentence of the body)
CASES = [
    ("ar headline", "واشنطن وبغداد تتفاوضان على انسحاب القوات\n\n" + AR_FIRST + "\n" + AR_REST,
     {"title": "واشنطن وبغداد تتفاوضان على انسحاب القوات"}, AR_FIRST),
    ("ar no headline", AR_FIRST + "\n" + AR_REST, {}, AR_FIRST),
    ("ar byline only", "بقلم: أحمد الربيعي\n" + AR_FIRST + "\n" + AR_REST, {"author": "أحمد الربيعي"}, AR_FIRST),
    ("ar dateline only", "الخميس 09 كانون الاول 2021\n" + AR_FIRST + "\n" + AR_REST, {"date": "2021-12-09"},
     AR_FIRST),
    ("ar wrapped, no headline", AR_WRAPPED, {}, AR_WRAPPED[: AR_WRAPPED.index(".") + 1]),
    ("en headline", "Iraq and US open talks on troop withdrawal\n\n" + EN_FIRST + "\n" + EN_REST,
     {"title": "Iraq and US open talks on troop withdrawal"}, EN_FIRST),
    ("en no headline", EN_FIRST + "\n" + EN_REST, {}, EN_FIRST),
    ("en byline only", "By Jane Arraf\n" + EN_FIRST + "\n" + EN_REST, {"author": "Jane Arraf"}, EN_FIRST),
    ("en dateline only", "9 December 2021\n" + EN_FIRST + "\n" + EN_REST, {"date": "2021-12-09"}, EN_FIRST),
    ("en wrapped, no headline", EN_WRAPPED, {}, EN_WRAPPED[: EN_WRAPPED.index(".") + 1]),
]


@pytest.mark.parametrize(("case", "text", "header", "first"), CASES, ids=[c[0] for c in CASES])
def test_header_lines_are_found_and_the_first_sentence_stays_a_candidate(
    case: str, text: str, header: dict[str, str], first: str
) -> None:
    article = article_from_text(text, "a", "a.txt")
    found = {"title": article.title, "author": article.author, "date": article.date}
    assert found == {"title": None, "author": None, "date": None} | header, case
    candidates = [article.text[u.start : u.end] for u in summary_units(article, split_sentences(article.text))]
    assert candidates[0] == first, case
    assert all(h.end <= article.text.index(first) for h in article.header), "a header span reaches into the body"


def test_a_hard_wrapped_sentence_is_one_candidate() -> None:
    article = article_from_text(AR_WRAPPED, "a", "a.txt")
    units = summary_units(article, split_sentences(article.text))
    assert len(units) == 2 and [u.paragraph_start for u in units] == [True, True]
    assert article.text[units[0].start : units[0].end].count("\n") == 2
    assert len(units[0].parts) == 3  # the splitter's three line-long pieces


def test_wraps_tells_a_wrapped_line_from_a_headline_and_a_label_list() -> None:
    wrapped = ["A short title", "Body text that runs all the way to the end of the", "line and on."]
    assert wraps(wrapped) == [False, True, False]
    assert wraps(AR_WRAPPED.split("\n")) == [True, True, False, True, False]
    assert wraps(["Share", "Tweet", "Email"]) == [False, False, False]  # narrower than prose
    assert wraps(["عنوان قصير للمقال", "", AR_FIRST]) == [False, False, False]


def test_subheadings_and_fragments_are_not_candidates() -> None:
    text = f"{AR_FIRST}\nالانسحاب الأمريكي من العراق وتداعياته\nتابع.\n{EN_FIRST}"
    article = Article("a", text, "a")
    candidates = [text[u.start : u.end] for u in summary_units(article, split_sentences(text))]
    assert candidates == [AR_FIRST, EN_FIRST]
    only_short = Article("b", "Iraq\nTalks resume", "b")
    assert len(summary_units(only_short, split_sentences(only_short.text))) == 2  # still has a summary


def test_default_length_follows_the_article_size_and_stays_within_it() -> None:
    length = LengthModel(scale=0.5, power=0.8, n_min=3, n_max=40)
    assert [length(n) for n in (0, 1, 2)] == [0, 1, 1]
    assert length(10) == round(0.5 * 10**0.8)
    assert length(400) == length(40)  # beyond the sizes it was fitted on, no longer
    assert all(length(n) <= length(n + 1) for n in range(1, 60))
    shipped = load_model().length
    assert shipped(15) >= 3 and shipped(15) <= 8  # people pick about a third of 15 sentences


def test_features_are_ordered_and_standardised() -> None:
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(4, 8))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    texts = ["one two three four five", "one two three", "a b c d e f g h", "x y z w v"]
    x = features(texts, [True, False, True, False], vecs)
    assert x.shape == (4, len(FEATURES))
    assert list(x[:, FEATURES.index("first")]) == [1, 0, 0, 0]
    centrality = x[:, FEATURES.index("centrality")]
    assert abs(centrality.mean()) < 1e-9 and abs(centrality.std() - 1) < 1e-9  # standardised: any embedder's scale


def test_select_keeps_article_order_and_length(e5: Embedder) -> None:
    text = "\n".join([AR_FIRST, *AR_REST.split("\n"), EN_FIRST, *EN_REST.split("\n")])
    article = Article("a", text, "a")
    spans = split_sentences(text)
    vectors = e5.embed_passages([text[s.start : s.end] for s in spans])
    chosen = select_sentences(article, spans, vectors, n=3)
    assert len(chosen) == 3 and chosen == sorted(chosen, key=lambda s: s.start)
    assert chosen[0] == Span(0, len(AR_FIRST))  # the lead
    assert len(select_sentences(article, spans, vectors, config=SummaryConfig(ratio=0.5))) == 3


@pytest.mark.slow
def test_an_article_without_a_headline_is_summarised_from_its_first_sentence(tmp_path: Path, e5: Embedder) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "wrapped.txt").write_text(AR_WRAPPED, encoding="utf-8")
    (corpus / "plain.txt").write_text(EN_FIRST + "\n" + EN_REST, encoding="utf-8")
    pipeline = Pipeline(tmp_path / "index", e5)
    pipeline.index([corpus])
    for doc_id, first in (("wrapped", AR_WRAPPED[: AR_WRAPPED.index(".") + 1]), ("plain", EN_FIRST)):
        one = pipeline.summarize(doc_id, sentences=1)
        assert [s.text for s in one.sentences] == [first]
        stored = pipeline.summarize(doc_id)
        assert stored.sentences[0].text == first
        recomputed = pipeline.summarize(doc_id, sentences=len(stored.sentences),
                                        words=default_words(pipeline.article(doc_id)))
        assert recomputed == stored  # stored = recomputed under the same limits
        text = pipeline.article(doc_id).text
        assert all(text[s.start : s.end] == s.text for s in stored.sentences)


@pytest.mark.slow
def test_default_summaries_of_the_seeds_are_short(pipeline: Pipeline) -> None:
    """The issue's rule on every seed article: at most 5 sentences and a quarter of the article's words."""
    for summary in pipeline.summaries():
        text = pipeline.article(summary.doc_id).text
        assert 1 <= len(summary.sentences) <= READER_SENTENCES, summary.doc_id
        assert len(summary.summary.split()) <= len(text.split()) / 4, summary.doc_id
        assert all(text[s.start : s.end] == s.text for s in summary.sentences)


@pytest.mark.slow
def test_words_and_sentences_limit_a_summary(pipeline: Pipeline) -> None:
    doc_id = pipeline.summaries()[0].doc_id
    for words in (15, 40, 120):
        summary = pipeline.summarize(doc_id, words=words)
        assert 0 < len(summary.summary.split()) <= words
    longer = pipeline.summarize(doc_id, sentences=8)
    assert len(longer.sentences) == 8  # asked for sentences, no word cap: as many as asked
    both = pipeline.summarize(doc_id, sentences=2, words=60)
    assert len(both.sentences) <= 2 and len(both.summary.split()) <= 60


# A run-on of exactly 60 words: the splitter (index/segment.py) cuts longer sentences into pieces of
# at most 60, so a 60-word candidate is the longest a summary meets.
_ASIDE = "مشيراً إلى أن المفاوضات التي جرت خلال الأشهر الماضية بين الجانبين تناولت ملفات كثيرة ومتشعبة"
_HEAD = "وقال المتحدث باسم الحكومة العراقية إن القوات الأميركية ستغادر قاعدة عين الأسد في أيلول 2025"
_FILL = ("، ".join([_ASIDE] * 6)).split()
RUN_ON = _HEAD + "، " + " ".join(_FILL[: LONG_WORDS - len(_HEAD.split())]).rstrip("،") + "."


def test_a_run_on_is_cut_to_its_key_clause_as_an_exact_span() -> None:
    assert len(RUN_ON.split()) >= LONG_WORDS
    topic = topic_terms([RUN_ON, "القوات الأميركية في قاعدة عين الأسد.", "الحكومة العراقية والقوات الأميركية."])
    text = "مقدمة. " + RUN_ON
    span = key_clause(text, Span(7, len(text)), topic)
    clause = text[span.start : span.end]
    assert clause.startswith("وقال المتحدث") and "عين الأسد" in clause and "2025" in clause
    assert 5 <= len(clause.split()) <= KEEP_WORDS and RUN_ON.startswith(clause)
    short = Span(0, 6)
    assert key_clause(text, short, topic) == short  # a sentence under the run-on length stays whole


def test_a_run_on_is_cut_only_under_a_word_budget() -> None:
    text = AR_FIRST + "\n" + RUN_ON + "\n" + AR_REST
    article = article_from_text(text, "a", "a.txt")
    spans = split_sentences(article.text)
    vectors = np.eye(len(spans), 8, dtype=np.float32)
    units = summary_units(article, spans)
    whole = select_sentences(article, spans, vectors, n=len(units))
    assert {article.text[s.start : s.end] for s in whole} >= {RUN_ON}
    budget = select_sentences(article, spans, vectors, n=len(units), words=10_000)
    assert RUN_ON not in {article.text[s.start : s.end] for s in budget}
    assert any(RUN_ON.startswith(article.text[s.start : s.end]) for s in budget)
