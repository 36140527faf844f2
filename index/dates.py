"""Find calendar dates in Arabic and English text, with exact character spans and ISO values.

Gregorian dates only (Levantine, Egyptian/Gulf, Maghreb and English month names, numeric forms).
Does not decide which date is the publication date; see index/metadata.py.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Precision = Literal["day", "month", "year"]

_D = "[0-9٠-٩۰-۹]"
_NOT_D_BEFORE = r"(?<![0-9٠-٩۰-۹])"
_NOT_D_AFTER = r"(?![0-9٠-٩۰-۹])"
_MARKS = "[\u064b-\u0652\u0640]*"  # tashkeel and tatweel may sit after any Arabic letter

# Month names as folded spellings (alef/ya/taa-marbuta variants are expanded by _arabic_regex).
_ARABIC_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("كانون الثاني", "كانون ثاني", "يناير", "جانفي"),
    2: ("شباط", "فبراير", "فيفري"),
    3: ("اذار", "مارس"),
    4: ("نيسان", "ابريل", "افريل"),
    5: ("ايار", "مايو", "ماي"),
    6: ("حزيران", "يونيو", "يونيه", "جوان"),
    7: ("تموز", "يوليو", "يوليه", "جويليه", "يوليوز"),
    8: ("اب", "اغسطس", "اوت", "غشت"),
    9: ("ايلول", "سبتمبر", "شتنبر"),
    10: ("تشرين الاول", "تشرين اول", "اكتوبر"),
    11: ("تشرين الثاني", "تشرين ثاني", "نوفمبر", "نونبر"),
    12: ("كانون الاول", "كانون اول", "ديسمبر", "دجنبر"),
}
_ENGLISH_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan"), 2: ("february", "feb"), 3: ("march", "mar"), 4: ("april", "apr"),
    5: ("may",), 6: ("june", "jun"), 7: ("july", "jul"), 8: ("august", "aug"),
    9: ("september", "sept", "sep"), 10: ("october", "oct"), 11: ("november", "nov"),
    12: ("december", "dec"),
}
_WEEKDAYS_AR = ("الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه", "السبت")
_WEEKDAYS_EN = ("monday", "mon", "tuesday", "tues", "tue", "wednesday", "wed", "thursday", "thurs",
                "thu", "friday", "fri", "saturday", "sat", "sunday", "sun")
_LETTER_CLASS = {"ا": "[اأإآ]", "ي": "[يى]", "ه": "[هة]"}


def _arabic_regex(folded: str) -> str:
    """Regex for a folded Arabic word that accepts hamza/ya/taa-marbuta variants and tashkeel."""
    parts = []
    for ch in folded:
        parts.append(r"\s+" if ch == " " else _LETTER_CLASS.get(ch, re.escape(ch)) + _MARKS)
    return "".join(parts)


def _build_month_lookup() -> tuple[str, list[tuple[re.Pattern[str], int]]]:
    alternatives: list[tuple[str, int]] = []
    for month, names in _ARABIC_MONTHS.items():
        alternatives += [(_arabic_regex(n), month) for n in names]
    for month, names in _ENGLISH_MONTHS.items():
        alternatives += [(n + (r"\.?" if len(n) <= 4 and n != "may" else ""), month) for n in names]
    alternatives.sort(key=lambda a: -len(a[0]))  # longest first: «كانون الثاني» before «كانون»
    pattern = "(?:" + "|".join(a for a, _ in alternatives) + ")"
    lookup = [(re.compile(a + r"\Z", re.IGNORECASE), m) for a, m in alternatives]
    return pattern, lookup


_MONTH, _MONTH_LOOKUP = _build_month_lookup()
# «تشرين الأول/ أكتوبر», «كانون الثاني (يناير)»: the second name restates the first.
_MONTHX = rf"(?<!\w)(?P<mon>{_MONTH})(?!\w)(?:\s*[/(\-–]\s*{_MONTH}(?!\w)\s*\)?)?"
_WEEKDAY = ("(?:(?<!\\w)(?:يوم\\s+)?(?:" + "|".join(_arabic_regex(w) for w in _WEEKDAYS_AR) + "|"
            + "|".join(_WEEKDAYS_EN) + r")(?!\w)\.?\s*[,،]?\s*(?:[-–]\s*)?)")
# Looked for just before a day-precision match rather than inside the patterns: an optional
# leading group would be tried at every position of the text.
_WEEKDAY_BEFORE = re.compile(_WEEKDAY + r"\Z", re.IGNORECASE)
_YEAR = rf"{_NOT_D_BEFORE}(?P<y>{_D}{{4}}){_NOT_D_AFTER}(?!\s*(?:هـ|ه(?!\w)|AH\b))"
_DAY = rf"{_NOT_D_BEFORE}(?P<d>{_D}{{1,2}})(?:st|nd|rd|th)?{_NOT_D_AFTER}"
_YEAR_LINK = r"\s*[,،]?\s*(?:(?:من\s+)?(?:عام|العام|سنة|سنه)\s+)?"

_FLAGS = re.IGNORECASE
_DAY_MONTH_YEAR = re.compile(
    rf"{_DAY}\s*(?:of\s+|من\s+(?:شهر\s+)?|[-/.]\s*)?{_MONTHX}{_YEAR_LINK}(?:[-/]\s*)?{_YEAR}",
    _FLAGS)
_MONTH_DAY_YEAR = re.compile(rf"{_MONTHX}\s+{_DAY}\s*[,،]?\s+{_YEAR}", _FLAGS)
_ISO = re.compile(rf"{_NOT_D_BEFORE}(?P<y>{_D}{{4}})(?P<sep>[-/.])(?P<m>{_D}{{1,2}})"
                  rf"(?P=sep)(?P<d>{_D}{{1,2}}){_NOT_D_AFTER}", _FLAGS)
_NUMERIC_DMY = re.compile(rf"{_NOT_D_BEFORE}(?P<a>{_D}{{1,2}})(?P<sep>[-/.])"
                          rf"(?P<b>{_D}{{1,2}})(?P=sep)(?P<y>{_D}{{4}}){_NOT_D_AFTER}", _FLAGS)
_MONTH_YEAR = re.compile(rf"{_MONTHX}{_YEAR_LINK}{_YEAR}", _FLAGS)
# A bare four-digit number is a year only after a cue word, or as one end of «2010/2011».
_STRONG_CUE = r"(?<!\w)(?:[وبلف]?(?:ال)?(?:عام|سنة|سنه)|years?)"
_WEAK_CUE = r"(?<!\w)(?:و?منذ|و?خلال|و?في|in|since|during|until|by)"
_CUE_YEAR = re.compile(rf"(?:(?P<strong>{_STRONG_CUE})|{_WEAK_CUE})\s+(?:of\s+)?{_YEAR}", _FLAGS)
_YEAR_PAIR = re.compile(rf"{_NOT_D_BEFORE}(?P<y1>{_D}{{4}})\s*[/\-–]\s*(?P<y2>{_D}{{4}}){_NOT_D_AFTER}")

_TIME = re.compile(rf"{_D}{{1,2}}:{_D}{{2}}(?::{_D}{{2}})?(?:\.\d+)?|(?<=\d)T|Z\b|[+-]\d{{2}}:?\d{{2}}\b"
                   r"|\b(?:am|pm|gmt|utc)\b|(?<!\w)[صم](?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date as written at ``text[start:end]``; ``iso`` is YYYY-MM-DD, YYYY-MM or YYYY."""

    start: int
    end: int
    iso: str
    precision: Precision


def find_dates(text: str) -> list[DateMention]:
    """All dates in ``text``, left to right, non-overlapping, most precise reading first.

    A weekday before a date is part of the span; a time after it is not.

    Example:
        >>> [m.iso for m in find_dates("نشر في: 28 يوليو, 2024: 12:21 ص")]
        ['2024-07-28']
    """
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for start, end, iso, precision in _candidates(text):
        if precision == "day":
            start = _with_weekday(text, start)
        if any(start < e and s < end for s, e in taken):
            continue
        # An impossible day («29 شباط 2023») still claims its span: the text states no valid
        # date there, so no vaguer reading of the same words is offered instead.
        if iso is not None or precision == "day":
            taken.append((start, end))
        if iso is not None:
            found.append(DateMention(start, end, iso, precision))
    return sorted(found, key=lambda d: d.start)


_Candidate = tuple[int, int, str | None, Precision]


def _with_weekday(text: str, start: int) -> int:
    """Extend a day date back over a weekday name right before it («الخميس 09 ...», "Sun, 28 Jul")."""
    window = max(0, start - 24)
    m = _WEEKDAY_BEFORE.search(text, window, start)
    return m.start() if m else start


def _candidates(text: str) -> Iterator[_Candidate]:
    """Every reading of every pattern, most precise patterns first (the caller drops overlaps)."""
    for m in _DAY_MONTH_YEAR.finditer(text):
        yield m.start(), m.end(), _ymd(m["y"], _month(m["mon"]), m["d"]), "day"
    for m in _MONTH_DAY_YEAR.finditer(text):
        yield m.start(), m.end(), _ymd(m["y"], _month(m["mon"]), m["d"]), "day"
    for m in _ISO.finditer(text):
        yield m.start(), m.end(), _ymd(m["y"], m["m"], m["d"]), "day"
    for m in _NUMERIC_DMY.finditer(text):
        yield m.start(), m.end(), _numeric_dmy(m["a"], m["b"], m["y"]), "day"
    for m in _MONTH_YEAR.finditer(text):
        year = _year(m["y"])
        yield m.start(), m.end(), f"{year:04d}-{_month(m['mon']):02d}" if year else None, "month"
    for m in _YEAR_PAIR.finditer(text):
        y1, y2 = _year(m["y1"], 1800), _year(m["y2"], 1800)
        if y1 and y2 and y1 < y2 <= y1 + 20:
            yield m.start("y1"), m.end("y1"), f"{y1:04d}", "year"
            yield m.start("y2"), m.end("y2"), f"{y2:04d}", "year"
    for m in _CUE_YEAR.finditer(text):
        year = _year(m["y"], 1000 if m["strong"] else 1800, 2199 if m["strong"] else 2100)
        yield m.start("y"), m.end("y"), f"{year:04d}" if year else None, "year"


def parse_date(s: str) -> tuple[str, Precision] | None:
    """Parse a string that is mostly a date (a dateline, a meta tag value); None otherwise.

    "Mostly" means what is left besides the date is a time, punctuation or at most three words
    (a cue such as «نشر في» or a city name).
    """
    mentions = find_dates(s)
    if not mentions:
        return None
    rank = {"day": 0, "month": 1, "year": 2}
    best = min(mentions, key=lambda d: (rank[d.precision], d.start))
    if not is_mostly_date(s, best):
        return None
    return best.iso, best.precision


def is_mostly_date(s: str, mention: DateMention) -> bool:
    """True when ``s`` minus ``mention``, times and punctuation leaves at most three words."""
    rest = _TIME.sub(" ", s[: mention.start] + " " + s[mention.end :])
    return len(re.findall(r"[^\W\d_]{2,}", rest)) <= 3


def _month(name: str) -> int:
    for pattern, month in _MONTH_LOOKUP:
        if pattern.match(name):
            return month
    raise ValueError(f"unknown month name {name!r}")  # unreachable: the same alternatives matched


def _year(digits: str, low: int = 1000, high: int = 2199) -> int | None:
    year = int(digits)
    return year if low <= year <= high else None


def _ymd(y: str, month: int | str, d: str) -> str | None:
    """ISO day string, or None when the day does not exist (31 April, 29 February 2023)."""
    year, mon, day = _year(y), int(month), int(d)
    if year is None or not 1 <= mon <= 12 or not 1 <= day <= calendar.monthrange(year, mon)[1]:
        return None
    return f"{year:04d}-{mon:02d}-{day:02d}"


def _numeric_dmy(a: str, b: str, y: str) -> str | None:
    """Day-first, as in Arabic and most of the world; month-first only when day-first is impossible."""
    return _ymd(y, b, a) or _ymd(y, a, b)


def day_number(date: str | None, fill: str) -> int:
    """``2024-05`` -> 20240500 (``fill`` "0") or 20240599 ("9"): the first or last day of its period; 0 if none.

    Integers compare as dates, so a date filter is an integer range in any store (FAISS masks, Milvus expressions).
    """
    if not date:
        return 0
    digits = date.replace("-", "")
    return int(digits + fill * (8 - len(digits))) if digits.isdigit() and len(digits) <= 8 else 0
