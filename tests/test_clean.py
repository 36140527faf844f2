"""Furniture goes, article lines stay byte-for-byte: on the seeds and on synthetic pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.clean import clean_text, furniture_kind

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TEASER = "المرصد السوري: مقتل أكثر من 1018 مدنياً علويا في عملية أمنية بمناطق الساحل السوري"
FURNITURE = {
    "000_d0cea0f9fb883b10": ["أولىكتاب بناء", "مقالات ذات صلة", "زر الذهاب إلى الأعلى", "إغلاق"],
    "001_9ab64c683f1565c2": ["روزنامة المحور"],
    "002_167104a5c28d01cf": [],
    "003_8b30ea1d89039507": ["شاهد أيضاً", TEASER, TEASER + " هيئة …"],
    "004_3ffd546b70ef6a8c": [],
}
PARA = (
    "وقال المتحدث باسم الحكومة إن المفاوضات ستستمر خلال الأسابيع المقبلة، "
    "وإن الجانبين اتفقا على جدول زمني."
)
PARA2 = "وأضاف أن اللجنة العسكرية العليا ستجتمع مرة أخرى في بغداد لبحث التفاصيل الفنية للانسحاب المرتقب."
EN = "The talks will continue over the coming weeks, officials in Baghdad and Washington said on Thursday."
EN2 = "Neither side gave a date for the end of the mission, and the militias said they would keep watching."


def _lines(text: str) -> set[str]:
    return set(text.split("\n"))


@pytest.mark.parametrize("doc_id", sorted(FURNITURE))
def test_seed_furniture_removed_and_body_kept_verbatim(doc_id: str) -> None:
    raw = (SEEDS / f"{doc_id}.txt").read_text(encoding="utf-8")
    result = clean_text(raw)
    kept = _lines(result.text)
    assert sorted(result.removed) == sorted(FURNITURE[doc_id])
    for line in FURNITURE[doc_id]:
        assert line not in kept
    for line in raw.split("\n"):
        if line.strip() and line not in FURNITURE[doc_id]:
            assert line in kept, line


def test_seed_000_keeps_sign_off_and_short_last_sentence() -> None:
    text = clean_text((SEEDS / "000_d0cea0f9fb883b10.txt").read_text(encoding="utf-8")).text
    assert "بعدنا طيّبين، قولوا الله" in _lines(text)
    assert "أو تحوّل العراق الى فيتنام ثانية." in _lines(text)
    assert "\xa0محمد صادق الحسينيّ" in _lines(text)  # leading NBSP untouched
    assert "\n\n\n" not in text


def test_subheadings_in_seeds_are_kept() -> None:
    seed_001 = (SEEDS / "001_9ab64c683f1565c2.txt").read_text(encoding="utf-8")
    seed_002 = (SEEDS / "002_167104a5c28d01cf.txt").read_text(encoding="utf-8")
    assert "فصائل المقاومة تراقب بدقة وهي الحكم" in _lines(clean_text(seed_001).text)
    assert "ماذا عن الانسحاب؟" in _lines(clean_text(seed_002).text)


def test_inline_read_also_teaser_is_one_line() -> None:
    text = f"{PARA}\nاقرأ أيضا: الحكومة تعلن موعد الانسحاب الكامل\n{PARA2}"
    result = clean_text(text)
    assert result.text == f"{PARA}\n{PARA2}"
    assert result.removed == ["اقرأ أيضا: الحكومة تعلن موعد الانسحاب الكامل"]


MARKERS = [
    "إقرأ أيضاً:", "اقرا ايضا", "أخبار ذات صلة", "مواضيع ذات صلة", "قد يعجبك أيضاً", "الأكثر قراءة", "المزيد",
    "Related articles", "See also:", "Read more", "You may also like", "MORE STORIES",
]


@pytest.mark.parametrize("marker", MARKERS)
def test_related_block_in_the_middle_keeps_following_paragraphs(marker: str) -> None:
    teasers = [
        "بغداد تستدعي السفير",
        "Militias warn Washington over strikes",
        "تفاصيل جديدة عن الهجوم على القاعدة …",
    ]
    text = "\n\n".join([PARA, marker, *teasers, PARA2, EN])
    result = clean_text(text)
    assert result.text == "\n\n".join([PARA, PARA2, EN])
    assert result.removed == [marker, *teasers]


def test_english_related_block_at_the_end() -> None:
    text = f"{EN}\n{EN2}\nRelated articles\nIraq talks stall again\nWhat the US withdrawal means..."
    assert clean_text(text).text == f"{EN}\n{EN2}"


def test_marker_alone_at_the_end_is_removed() -> None:
    assert clean_text(f"{PARA}\n\nمقالات ذات صلة\n").text == PARA


def test_mid_document_subheading_is_kept() -> None:
    text = f"{PARA}\nماذا عن الانسحاب؟\n{PARA2}\nفصائل المقاومة تراقب\n{EN}"
    assert clean_text(text).text == text


UI_LINES = [
    "Back to top", "Scroll to top", "العودة للأعلى", "للأعلى", "زر الذهاب إلى الأعلى", "إغلاق", "اغلاق",
    "Close", "×", "شارك", "مشاركة", "طباعة", "تعليقات (12)", "Share", "Print", "Comments", "Tweet",
    "Share | Tweet | Print", "فيسبوك تويتر واتساب", "Advertisement", "إعلان",
    "© 2024 Al-Mada. All rights reserved.", "جميع الحقوق محفوظة © 2024",
    "We use cookies to improve your experience. By continuing you agree to our policy.",
    "الرئيسية » أخبار » العراق", "الوسوم: العراق، أمريكا، الانسحاب", "تابعونا على تلغرام",
]
NOT_UI = [
    PARA, "ماذا عن الانسحاب؟", "بعدنا طيّبين، قولوا الله", "Close to the border, troops wait.",
    "Share prices fell sharply on Monday after the announcement.", "إعلان بغداد",
]


@pytest.mark.parametrize("label", UI_LINES)
def test_ui_labels_between_paragraphs_are_removed(label: str) -> None:
    text = f"{PARA}\n{label}\n{PARA2}"
    result = clean_text(text)
    assert result.text == f"{PARA}\n{PARA2}"
    assert result.removed == [label]
    assert furniture_kind(label) is not None


@pytest.mark.parametrize("line", NOT_UI)
def test_article_lines_are_not_furniture(line: str) -> None:
    assert furniture_kind(line) is None


def test_top_navigation_residue_before_a_title() -> None:
    text = f"الرئيسية\nأخبار\nواشنطن وبغداد تتفاوضان بلا أفق\n{PARA}"
    result = clean_text(text)
    assert result.text == f"واشنطن وبغداد تتفاوضان بلا أفق\n{PARA}"


def test_three_word_title_followed_by_prose_is_kept() -> None:
    text = f"Iraq Talks Stall\n{EN}\n{EN2}"
    assert clean_text(text).text == text


def test_trailing_section_labels_are_removed_but_dateline_kept() -> None:
    text = f"{PARA}\n{PARA2}\nالعراق\nروزنامة المحور\nنشر في: 28 يوليو, 2024"
    result = clean_text(text)
    assert result.text == f"{PARA}\n{PARA2}\nنشر في: 28 يوليو, 2024"


def test_declared_title_is_protected() -> None:
    text = f"Talks begin\n{EN}\n{EN2}"
    assert clean_text(text).removed == ["Talks begin"]  # two words on top: indistinguishable from a nav label
    assert clean_text(text, keep=["Talks begin", None]).text == text  # unless the source declares it


@pytest.mark.parametrize("text", [
    "", "جملة واحدة فقط.", "نص عربي مع تشكيلٌ وتطويـــل وEnglish words و 2024 أرقام ٢٠٢٤.", "كلمة " * 10000,
])
def test_hard_inputs_are_kept_and_cleaning_is_idempotent(text: str) -> None:
    once = clean_text(text).text
    assert once == text.rstrip("\n")
    assert clean_text(once).text == once


def test_whitespace_only_lines_and_blank_runs_collapse() -> None:
    result = clean_text(f"\n\n{PARA}\n \xa0\n\n\n{PARA2}  \n\n")
    assert result.text == f"{PARA}\n\n{PARA2}  "
