"""Title, date, author and outlet: what the seeds state, what HTML/Markdown declare, and None otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.clean import clean_text
from index.documents import Article
from index.ingest import read_article
from index.metadata import Hints, extract_metadata

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PARA = (
    "وقال المتحدث باسم الحكومة إن المفاوضات ستستمر خلال الأسابيع المقبلة، "
    "وإن الجانبين اتفقا على جدول زمني."
)
PARA2 = "وأضاف أن اللجنة العسكرية العليا ستجتمع مرة أخرى في بغداد لبحث التفاصيل الفنية للانسحاب المرتقب."
EN = "The talks will continue over the coming weeks, officials in Baghdad and Washington said on Thursday."

EXPECTED = {
    "000_d0cea0f9fb883b10": ("مفاوضات الجلاء الأميركي تحت النيران العراق محطة أولى…!", None, None,
                             "محمد صادق الحسينيّ"),
    "001_9ab64c683f1565c2": ("الانسحاب الأمريكي القتالي من العراق: المقاومة هي الحكم!", "2021-12-09",
                             "الخميس 09 كانون الاول , 2021", None),
    "002_167104a5c28d01cf": ('الهجمات الجديدة على عين الأسد "بلا توقيع".. ما الهدف والانسحاب الأمريكي وشيك؟!',
                             "2024-07-28", "28 يوليو, 2024", "تميم الحسن"),
    "003_8b30ea1d89039507": (None, None, None, None),
    "004_3ffd546b70ef6a8c": ("واشنطن وبغداد تتفاوضان بلا أفق لانهاء الوجود الأجنبي", None, None, None),
}


def _assert_spans_exact(article: Article) -> None:
    """Header spans are whole stripped lines; date_text sits inside one of them."""
    lines = {ln.strip() for ln in article.text.split("\n")}
    for span in article.header:
        assert article.text[span.start:span.end] in lines
    if article.title is not None and article.title in lines:
        assert any(article.text[s.start:s.end] == article.title for s in article.header)
    if article.date_text is not None:
        assert any(article.date_text in article.text[s.start:s.end] for s in article.header)


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_seed_metadata(doc_id: str) -> None:
    article = read_article(SEEDS / f"{doc_id}.txt")
    assert (article.title, article.date, article.date_text, article.author) == EXPECTED[doc_id]
    assert article.outlet is None
    _assert_spans_exact(article)


def test_seed_header_lines() -> None:
    article = read_article(SEEDS / "002_167104a5c28d01cf.txt")
    assert [article.text[s.start:s.end] for s in article.header] == [
        "بغداد/ تميم الحسن", EXPECTED["002_167104a5c28d01cf"][0], "نشر في: 28 يوليو, 2024: 12:21 ص"]
    article = read_article(SEEDS / "000_d0cea0f9fb883b10.txt")
    assert article.text[article.header[1].start:article.header[1].end] == "محمد صادق الحسينيّ"


def test_no_metadata_gives_all_none() -> None:
    meta = extract_metadata(f"{PARA}\n{PARA2}\n{EN}")
    assert (meta.title, meta.date, meta.date_text, meta.author, meta.outlet, meta.header) == (
        None, None, None, None, None, ())


def test_body_date_is_never_the_publication_date() -> None:
    body_line = "وقع الهجوم في 7 تشرين الأول/ أكتوبر 2023 على القاعدة."
    text = f"واشنطن وبغداد تتفاوضان بلا أفق\n{PARA}\n{body_line}\n{PARA2}"
    meta = extract_metadata(text)
    assert meta.title == "واشنطن وبغداد تتفاوضان بلا أفق"
    assert meta.date is None


def test_english_byline_and_published_beats_updated() -> None:
    text = ("Iraq and US begin talks on troop exit\nBy Jane Doe\nUpdated: July 29, 2024 10:00 am\n"
            f"Published: July 28, 2024\n{EN}\n{EN}")
    meta = extract_metadata(text)
    assert (meta.title, meta.author, meta.date, meta.date_text) == (
        "Iraq and US begin talks on troop exit", "Jane Doe", "2024-07-28", "July 28, 2024")


@pytest.mark.parametrize(("line", "author"), [
    ("بقلم: سارة علي", "سارة علي"), ("كتب - أحمد حسن", "أحمد حسن"), ("بغداد/ تميم الحسن", "تميم الحسن"),
    ("By John Smith", "John Smith"), ("محمد صادق الحسينيّ", "محمد صادق الحسينيّ"),
])
def test_bylines_under_the_title(line: str, author: str) -> None:
    meta = extract_metadata(f"واشنطن وبغداد تتفاوضان بلا أفق\n{line}\n{PARA}")
    assert meta.author == author


@pytest.mark.parametrize("line", [
    "الانسحاب الأمريكي من العراق", "أخبار العراق", "The Big Picture", "وقال المتحدث",
])
def test_labels_under_the_title_are_not_authors(line: str) -> None:
    assert extract_metadata(f"واشنطن وبغداد تتفاوضان بلا أفق\n{line}\n{PARA}").author is None


def test_trailing_label_is_not_author() -> None:
    assert extract_metadata(f"{PARA}\n{PARA2}\nروزنامة المحور").author is None


def test_footer_title_block_next_to_dateline() -> None:
    footer = "Iraq and US begin talks on troop exit\nA subtitle line here\nPublished on 28 July 2024"
    text = f"{EN}\n{EN}\n{footer}"
    meta = extract_metadata(text)
    assert (meta.title, meta.date) == ("Iraq and US begin talks on troop exit", "2024-07-28")


def test_footer_headline_without_dateline_is_not_a_title() -> None:
    assert extract_metadata(f"{EN}\n{EN}\nIraq and US begin talks on troop exit").title is None


def test_source_line_names_the_outlet() -> None:
    meta = extract_metadata(f"{PARA}\n{PARA2}\nالمصدر: وكالة الأنباء العراقية")
    assert meta.outlet == "وكالة الأنباء العراقية"


def test_declared_hints_win_and_date_text_is_found_in_text() -> None:
    text = f"Iraq talks\n28 July 2024\n{EN}"
    meta = extract_metadata(text, Hints(title="Iraq talks", published="2024-07-28T09:00:00Z",
                                        updated="2024-07-30", author="Jane Doe", outlet="The Paper"))
    assert (meta.title, meta.date, meta.date_text, meta.author, meta.outlet) == (
        "Iraq talks", "2024-07-28", "28 July 2024", "Jane Doe", "The Paper")
    assert [text[s.start:s.end] for s in meta.header] == ["Iraq talks", "28 July 2024"]


def test_html_meta_tags(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("""<!doctype html><html><head>
<title>US and Iraq open talks | The Daily Paper</title>
<meta property="article:published_time" content="2024-01-27T10:00:00+03:00">
<meta property="article:modified_time" content="2024-01-28T10:00:00+03:00">
<meta name="author" content="Jane Doe">
</head><body><nav>Home World</nav><article><h1>US and Iraq open talks</h1>
<p>Published <time datetime="2024-01-27">27 January 2024</time></p>
<p>The first round of talks on the future of the coalition began in Baghdad on Saturday, officials said.</p>
</article><footer>© 2024 The Daily Paper</footer></body></html>""", encoding="utf-8")
    article = read_article(path)
    assert (article.title, article.date, article.date_text, article.author, article.outlet) == (
        "US and Iraq open talks", "2024-01-27", "27 January 2024", "Jane Doe", "The Daily Paper")
    assert "Home" not in article.text
    _assert_spans_exact(article)


def test_html_og_and_json_ld(tmp_path: Path) -> None:
    path = tmp_path / "ld.html"
    path.write_text(f"""<html><head>
<meta property="og:title" content="واشنطن وبغداد تتفاوضان">
<meta property="og:site_name" content="صحيفة العرب">
<script type="application/ld+json">{{"@graph": [{{"@type": "NewsArticle", "headline": "x",
 "datePublished": "2024-01-27", "author": [{{"@type": "Person", "name": "جعفر الحسيني"}}]}}]}}</script>
</head><body><p>واشنطن وبغداد تتفاوضان</p><p>{PARA}</p></body></html>""", encoding="utf-8")
    article = read_article(path)
    assert (article.title, article.date, article.date_text, article.author, article.outlet) == (
        "واشنطن وبغداد تتفاوضان", "2024-01-27", None, "جعفر الحسيني", "صحيفة العرب")
    assert "datePublished" not in article.text


def test_markdown_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(f"""---
title: "Talks begin"
date: 2024-07-28
author:
  - Jane Doe
source: The Paper
---
# Talks begin

{EN} See [the statement](https://example.com) for **details**.
""", encoding="utf-8")
    article = read_article(path)
    assert (article.title, article.date, article.author, article.outlet) == (
        "Talks begin", "2024-07-28", "Jane Doe", "The Paper")
    assert article.text.startswith("Talks begin\n")
    assert "---" not in article.text and "](" not in article.text and "**" not in article.text
    _assert_spans_exact(article)


def test_markdown_heading_is_the_title_without_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text(f"# واشنطن وبغداد\n\n{PARA}\n", encoding="utf-8")
    assert read_article(path).title == "واشنطن وبغداد"


def test_cleaned_seed_text_is_what_metadata_reads() -> None:
    raw = (SEEDS / "001_9ab64c683f1565c2.txt").read_text(encoding="utf-8")
    meta = extract_metadata(clean_text(raw).text)
    assert meta.date == "2021-12-09"
