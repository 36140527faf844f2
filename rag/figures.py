"""Figures and dates a sentence states, each with the words it is attached to.

Two sources differ on a figure only when they give different values for the same thing: "2500
soldiers" against "3000 soldiers", not "seized in 2014" against "defeated in 2017". The words next
to a figure (the counted noun after a number, the event words around a date) say what it is about.
Pure functions over text; the overview decides which sentences to compare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.dates import find_dates
from index.normalize import normalize, search_tokens

_NUMBER = re.compile(
    r"(?<![0-9٠-٩.,٫٬A-Za-z_])(?P<n>[0-9٠-٩][0-9٠-٩.,٫٬]*)"  # Arabic prefixes may touch it: «بـ734,000»
    r"(?:\s+(?P<scale>ألف|الف|آلاف|الاف|مليون|ملايين|مليار|thousand|million|billion)(?!\w))?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩٫٬", "0123456789.,")
# Content words looked at on each side: a number's counted noun follows it in Arabic and English
# ("2500 عسكري", "2,500 troops"); a date's event is usually told just before it ("defeated in 2017").
_NUMBER_WINDOW = (0, 1)
_DATE_WINDOW = (3, 1)
# Words that place a date in time rather than say what happened then: never what a date is about.
_TIME_WORDS = frozenset(search_tokens(
    "عام العام سنة السنة شهر الشهر يوم اليوم أواخر أوائل مطلع بداية نهاية منتصف منذ خلال قبل بعد حتى الماضي المقبل"
    " الحالي year month day late early mid end beginning since during before after until last next this"
))


@dataclass(frozen=True)
class Figure:
    """A number or a date as stated: ``value`` is the number or the ISO date, ``about`` the stems near it."""

    kind: Literal["number", "date"]
    value: str
    text: str
    start: int
    about: frozenset[str]


def figures(text: str) -> list[Figure]:
    """The numbers and dates of ``text``, left to right; a number inside a date is part of the date."""
    dates = find_dates(text)
    spans = [(d.start, d.end) for d in dates]
    found = [
        Figure("date", d.iso, text[d.start : d.end], d.start, _about(text, d.start, d.end, _DATE_WINDOW))
        for d in dates
    ]
    for m in _NUMBER.finditer(text):
        if any(s <= m.start() < e for s, e in spans):
            continue
        value = m.group("n").translate(_DIGITS).rstrip(".,").replace(",", "")
        scale = m.group("scale")
        if scale:  # "120 ألف حاوية" is 120 thousand containers: the noun after the scale word counts
            value = f"{value} {normalize(scale)}"
        written = m.group(0).rstrip(".,،")
        found.append(Figure("number", value, written, m.start(), _about(text, m.start(), m.end(), _NUMBER_WINDOW)))
    return sorted(found, key=lambda f: f.start)


def conflicts(a: list[Figure], b: list[Figure]) -> list[tuple[Figure, Figure]]:
    """Pairs of figures of the same kind, about a shared word, with values that cannot both hold.

    Dates are compared at the coarser precision: "2017" and "2017-12" agree. A date's words must
    share two stems when both have two ("the Amsterdam treaty, 1997" is not "the Nice treaty, 2001").
    """
    out = []
    for x in a:
        for y in b:
            need = 2 if x.kind == "date" and min(len(x.about), len(y.about)) >= 2 else 1
            if x.kind != y.kind or len(x.about & y.about) < need:
                continue
            if x.kind == "date":
                n = min(len(x.value), len(y.value))
                differ = x.value[:n] != y.value[:n]
            else:
                differ = x.value != y.value
            if differ:
                out.append((x, y))
    return out


def _about(text: str, start: int, end: int, window: tuple[int, int]) -> frozenset[str]:
    before, after = window
    def words(part: str) -> list[str]:
        return [t for w in _WORD.findall(part) for t in search_tokens(w) if t not in _TIME_WORDS]

    left = words(text[:start])[-before:] if before else []
    right = words(text[end:])[:after] if after else []
    return frozenset(left + right)
