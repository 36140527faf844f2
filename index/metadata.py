"""Read title, publication date, author and outlet from cleaned article text (and declared hints).

Never guesses: a field the text (or the HTML head / front matter) does not state is ``None``.
Does not remove furniture; run index/clean.py first so edge zones are real header/footer lines.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from index.dates import DateMention, find_dates, is_mostly_date, parse_date
from index.documents import Span
from index.lines import (
    Line,
    ends_with_period,
    fold,
    has_byline_cue,
    is_body,
    is_label,
    paragraphs,
    split_lines,
    words,
)

logger = logging.getLogger(__name__)

HEADER_LINES = 6  # how many lines before the first paragraph count as the header zone
FOOTER_LINES = 6  # and after the last paragraph, as the footer zone

_UPDATED_CUES = ("اخر تحديث", "تاريخ التحديث", "تم التحديث", "updated", "last updated", "last modified",
                 "modified")
_PUBLISHED_CUES = ("نشر في", "نشر بتاريخ", "تاريخ النشر", "تم النشر", "نشر", "بتاريخ", "التاريخ",
                   "published", "posted", "date")
_KIND_RANK = {"published": 0, "plain": 1, "updated": 2}

_BYLINE = re.compile(r"^(?:بقلم|كتب|كتبت|كتبه|إعداد|اعداد|تقرير|written by|words by|by)\s*[:：\-–—]?\s*"
                     r"(?P<name>[^:：\d]{2,60}?)\s*[.،,]?$", re.IGNORECASE)
_CITY_SLASH_NAME = re.compile(r"^(?P<city>[^\W\d_]+(?:\s[^\W\d_]+)?)\s*/\s*(?P<name>[^/\d]{3,50})$")
_SOURCE = re.compile(r"^(?:المصدر|مصدر|source|المصدر الأصلي)\s*[:：]\s*(?P<name>\S.{1,60})$", re.IGNORECASE)
# Function words and verbs that never occur in a personal name (raw spellings: «علي» is a name, «على» is not).
_NOT_NAME_RAW = frozenset({
    "من", "في", "على", "إلى", "الى", "عن", "مع", "بين", "هو", "هي", "هذا", "هذه", "أن", "ان", "إن", "لا",
    "ما", "قد", "كل", "أو", "او", "ثم", "بعد", "قبل", "حول", "ضد", "عند", "لم", "لن", "the", "of", "and",
    "in", "on", "for", "to", "a", "an", "with", "from",
    # reporting verbs that open news sentences
    "قال", "وقال", "قالت", "وقالت", "أكد", "وأكد", "أضاف", "وأضاف", "أعلن", "وأعلن", "أشار", "وأشار", "كشف",
    "وكشف", "ذكر", "وذكر", "تابع", "وتابع", "يقول", "تقول", "said", "says",
})
# Section and genre labels that often stand on a short line under a headline (folded).
_SECTION_WORDS = frozenset({
    "اخبار", "خبر", "تقرير", "تقارير", "مقال", "مقالات", "راي", "اراء", "سياسه", "اقتصاد", "رياضه",
    "محليات", "عربي", "دولي", "دوليه", "عالم", "ثقافه", "فن", "فنون", "تحقيق", "تحقيقات", "حوار",
    "متابعه", "خاص", "عاجل", "فيديو", "صور", "منوعات", "news", "opinion", "world", "politics", "sport",
    "sports", "business", "video", "exclusive", "analysis", "breaking", "live",
})


@dataclass(frozen=True)
class Hints:
    """Metadata a source declares outside its text (HTML head, JSON-LD, Markdown front matter).

    Raw strings as declared; ``extract_metadata`` parses and validates them.
    """

    title: str | None = None
    published: str | None = None
    updated: str | None = None
    author: str | None = None
    outlet: str | None = None


@dataclass(frozen=True)
class Metadata:
    """What an article states about itself; spans point at its title, byline and dateline lines."""

    title: str | None = None
    date: str | None = None
    date_text: str | None = None
    author: str | None = None
    outlet: str | None = None
    header: tuple[Span, ...] = ()


@dataclass(frozen=True)
class _Dateline:
    index: int
    mention: DateMention
    kind: str


def extract_metadata(text: str, hints: Hints | None = None) -> Metadata:
    """Title, date, author and outlet of a cleaned article; ``date_text`` is always a substring of text.

    Example:
        >>> extract_metadata("Iraq and US open talks\\n\\nBody text that is a sentence here.").title
        'Iraq and US open talks'
    """
    hints = hints or Hints()
    lines = split_lines(text)
    body, wrapped = _prose(lines)
    first_body = body[0] if body else len(lines)
    header_zone = [i for i in range(min(first_body, HEADER_LINES)) if i not in wrapped]
    tail_start = body[-1] + 1 if body else min(first_body, HEADER_LINES)
    footer_zone = [i for i in range(max(tail_start, len(lines) - FOOTER_LINES), len(lines))
                   if i not in header_zone and i not in wrapped]
    datelines = [d for i in header_zone + footer_zone if (d := _dateline(lines[i], i))]
    spans: list[int] = []

    date, date_text = _pick_date(lines, datelines, hints, spans)
    title, title_idx = _pick_title(lines, header_zone, footer_zone, datelines, hints, first_body)
    if title_idx is not None:
        spans.append(title_idx)
    author = _pick_author(lines, header_zone, footer_zone, title_idx, hints, spans)
    outlet = hints.outlet or _source_line(lines, header_zone + footer_zone, spans)
    header = tuple(Span(lines[i].start, lines[i].end) for i in sorted(set(spans)))
    logger.debug("metadata: title=%r date=%r author=%r outlet=%r", title, date, author, outlet)
    return Metadata(title, date, date_text, author, outlet, header)


def _prose(lines: list[Line]) -> tuple[list[int], set[int]]:
    """Lines of body paragraphs, and lines of a sentence wrapped over several lines.

    A paragraph hard-wrapped at a fixed width is read whole (``lines.paragraphs``): its first
    line alone looks like a headline (no full stop, a dozen words) but is the start of a
    sentence, so it is body, and no line of it is ever a title, byline or dateline.
    """
    body: list[int] = []
    wrapped: set[int] = set()
    for group in paragraphs(lines):
        if len(group) > 1:
            wrapped.update(group)
        if is_body(" ".join(lines[i].text for i in group)):
            body.extend(group)
    return body, wrapped


def _dateline(line: Line, index: int) -> _Dateline | None:
    """A short line that is a date (with weekday/time/city), or a publication cue plus a date."""
    mentions = [m for m in find_dates(line.text) if m.precision != "year"]
    if not mentions:
        return None
    key = fold(line.text)
    n = len(words(line.text))
    for kind, cues in (("updated", _UPDATED_CUES), ("published", _PUBLISHED_CUES)):
        if n <= 20 and any(re.match(re.escape(c) + r"(?!\w)", key) for c in cues):
            return _Dateline(index, mentions[0], kind)
    if n <= 12 and is_mostly_date(line.text, mentions[0]):
        return _Dateline(index, mentions[0], "plain")
    return None


def _pick_date(lines: list[Line], datelines: list[_Dateline], hints: Hints,
               spans: list[int]) -> tuple[str | None, str | None]:
    """Declared date first (published over updated), else the best dateline of the edge zones."""
    parsed = (parse_date(p) for p in (hints.published, hints.updated) if p)
    declared = next((p for p in parsed if p is not None), None)
    if declared is not None:
        iso = declared[0]
        for d in datelines:
            if d.mention.iso == iso:
                spans.append(d.index)
                return iso, _mention_text(lines[d.index], d.mention)
        return iso, None  # stated only in machine-readable metadata, not in the text
    if not datelines:
        return None, None
    best = min(datelines, key=lambda d: _KIND_RANK[d.kind])
    spans.append(best.index)
    return best.mention.iso, _mention_text(lines[best.index], best.mention)


def _mention_text(line: Line, mention: DateMention) -> str:
    return line.text[mention.start : mention.end]


def _pick_title(lines: list[Line], header_zone: list[int], footer_zone: list[int],
                datelines: list[_Dateline], hints: Hints, first_body: int) -> tuple[str | None, int | None]:
    """Declared title, else the first headline at the top, else the headline block above a footer dateline.

    Scraped pages sometimes put title and date after the article; that block is only trusted
    when the document starts straight with prose and a footer dateline anchors it.
    """
    date_idx = {d.index for d in datelines}
    if hints.title:
        match = next((i for i, ln in enumerate(lines) if fold(ln.text) == fold(hints.title)), None)
        return hints.title, match
    for i in header_zone:
        if i not in date_idx and _headline(lines[i].text):
            return lines[i].text, i
    footer_dates = sorted(i for i in date_idx if i in footer_zone)
    if not footer_dates or first_body > HEADER_LINES:
        return None, None
    i = footer_dates[0] - 1
    block: list[int] = []
    while i in footer_zone and i not in date_idx and _headline(lines[i].text) and len(block) < 3:
        block.insert(0, i)
        i -= 1
    return (lines[block[0]].text, block[0]) if block else (None, None)


def _headline(s: str) -> bool:
    """Headline shape: 3-25 words, not prose, no final full stop, not a byline or a label intro."""
    n = len(words(s))
    return (3 <= n <= 25 and len(s) <= 250 and not is_body(s) and not ends_with_period(s)
            and not has_byline_cue(s) and not _slash_byline(s) and not s.endswith((":", "："))
            and not _SOURCE.match(s))


def _slash_byline(s: str) -> str | None:
    """«بغداد/ تميم الحسن»: a dateline city, a slash, and the reporter's name."""
    m = _CITY_SLASH_NAME.match(s)
    return m.group("name").strip() if m and _name_like(m.group("name")) else None


def _pick_author(lines: list[Line], header_zone: list[int], footer_zone: list[int], title_idx: int | None,
                 hints: Hints, spans: list[int]) -> str | None:
    """Declared author, else a byline: «بقلم/كتب/By X», «City/ Name», or a bare name under the title."""
    if hints.author:
        hit = next((i for i in header_zone + footer_zone if hints.author in lines[i].text
                    and len(words(lines[i].text)) <= len(words(hints.author)) + 3), None)
        if hit is not None:
            spans.append(hit)
        return hints.author
    for i in header_zone + footer_zone:
        s = lines[i].text
        m = _BYLINE.match(s)
        if m and _byline_name(m.group("name")):
            spans.append(i)
            return m.group("name").strip()
        name = _slash_byline(s)
        if i in header_zone and name:
            spans.append(i)
            return name
    if title_idx is not None and title_idx + 1 in header_zone and _name_like(lines[title_idx + 1].text):
        spans.append(title_idx + 1)
        return lines[title_idx + 1].text
    return None


def _byline_name(name: str) -> bool:
    """After an explicit cue the name may be one to five words, but not a sentence."""
    return 1 <= len(words(name)) <= 5 and not is_body(name) and all(is_label(w) for w in words(name))


def _name_like(s: str) -> bool:
    """Two to four name words: letters only, no function words, no section labels, no «ال» first.

    Personal names do not start with the definite article; headings and labels usually do.
    """
    w = words(s)
    if not 2 <= len(w) <= 4 or not all(is_label(t) for t in w):
        return False
    if any(t.lower() in _NOT_NAME_RAW for t in w) or any(fold(t) in _SECTION_WORDS for t in w):
        return False
    first = fold(w[0])
    if first.startswith("ال"):
        return False
    latin = [t for t in w if t[0].isascii()]
    return all(t[0].isupper() for t in latin)


def _source_line(lines: list[Line], zone: list[int], spans: list[int]) -> str | None:
    """Outlet only when the text says so: «المصدر: X» / "Source: X" on its own short line."""
    for i in zone:
        m = _SOURCE.match(lines[i].text)
        if m and len(words(m.group("name"))) <= 6 and not is_body(lines[i].text):
            spans.append(i)
            return m.group("name").strip()
    return None
