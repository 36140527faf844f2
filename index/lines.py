"""Line-shape tests shared by furniture removal and metadata extraction (pure functions).

Only looks at one line at a time; never edits text. ``fold`` is for matching markers only, and is
deliberately not index/normalize.py: search normalisation is versioned for BM25 and may change
without changing what counts as furniture.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_EDGE_PUNCT = " \t\xa0:：-–—|•·»«›‹<>*#=_,،.;؛!?؟…()[]{}\"'“”‘’"
# Sentence-final punctuation, possibly followed by closing quotes or brackets.
_SENTENCE_END = re.compile(r"""[.!?؟۔][\s"'”’»)\]]*$""")
_PERIOD_END = re.compile(r"""[.۔][\s"'”’»)\]]*$""")
_ELLIPSIS_END = re.compile(r"""(?:…|\.\.\.)[\s"'”’»)\]]*$""")
_PUNCT_OR_DIGIT = re.compile(r"[\d\W_]", re.UNICODE)
_WORD = re.compile(r"\S+")
MIN_WRAP_WIDTH = 40  # hard-wrapped prose is set 60-80 characters wide
_BYLINE_CUE = re.compile(
    r"^\s*(?:بقلم|كتب|كتبت|كتبه|إعداد|اعداد|تقرير|written by|words by|by)(?:\s*[:：\-–—]|\s)\s*\S",
    re.IGNORECASE,
)


def fold(s: str) -> str:
    """Lower-case, strip edge punctuation and fold Arabic hamza/alef/ya/taa-marbuta and tashkeel.

    Matching furniture markers must ignore «أيضاً» vs «ايضا»; the result is never stored.
    """
    s = _DIACRITICS.sub("", s).translate(_FOLD_MAP).casefold()
    return " ".join(s.split()).strip(_EDGE_PUNCT)


def words(s: str) -> list[str]:
    """Whitespace-separated tokens (NBSP counts as whitespace)."""
    return _WORD.findall(s)


def ends_sentence(s: str) -> bool:
    """True when the line ends with . ! ? ؟ (quotes/brackets after it allowed), not an ellipsis."""
    s = s.rstrip()
    return bool(_SENTENCE_END.search(s)) and not _ELLIPSIS_END.search(s)


def ends_with_period(s: str) -> bool:
    """True for a full stop (not ! or ?, which headlines use, and not an ellipsis)."""
    s = s.rstrip()
    return bool(_PERIOD_END.search(s)) and not _ELLIPSIS_END.search(s)


def ends_with_ellipsis(s: str) -> bool:
    """Teasers are cut off with an ellipsis."""
    return bool(_ELLIPSIS_END.search(s.rstrip()))


def is_body(s: str) -> bool:
    """A body paragraph: a full sentence of some length, or simply long.

    Headlines end with ! or ? as often as prose does, so those need more words to count.
    """
    n = len(words(s))
    if ends_with_ellipsis(s):
        return False
    if ends_with_period(s) and n >= 6:
        return True
    if ends_sentence(s) and n >= 20:
        return True
    return n >= 30


def has_byline_cue(s: str) -> bool:
    """«بقلم: X», «كتب: X», "By X": a line that introduces the author."""
    return bool(_BYLINE_CUE.match(s))


def is_label(s: str) -> bool:
    """A short UI-like label: 1-3 words of letters only (no digits, no punctuation at all)."""
    w = words(s)
    if not 1 <= len(w) <= 3 or len(s.strip()) > 40:
        return False
    return not any(_PUNCT_OR_DIGIT.search(_DIACRITICS.sub("", t)) for t in w)


def wraps(rows: Sequence[str]) -> list[bool]:
    """Per row of ``text.split("\\n")``: is its line break a hard wrap inside a sentence?

    Text copied from print or e-mail is often wrapped at a fixed width, so one sentence runs over
    several lines. A break is a wrap when the row does not end a sentence, the next row follows
    without a blank line, and either the next row starts with a lower-case Latin letter or the
    next row's first word would not have fitted on this row: the width being the longest row of
    the block of adjacent rows (the test text reflowing tools use). A headline above a paragraph
    is shorter than the paragraph's width, so its break is not a wrap. Blocks narrower than
    ``MIN_WRAP_WIDTH`` characters (lists of labels, short verse) are never wrapped prose.

    Example:
        >>> wraps(["A short title", "Body text that runs all the way to the end of the", "line and on."])
        [False, True, False]
    """
    stripped = [r.strip() for r in rows]
    out = [False] * len(rows)
    start = 0
    while start < len(rows):
        if not stripped[start]:
            start += 1
            continue
        end = start
        while end + 1 < len(rows) and stripped[end + 1]:
            end += 1
        width = max(len(r) for r in stripped[start : end + 1])
        for i in range(start, end if width >= MIN_WRAP_WIDTH else start):
            row, following = stripped[i], stripped[i + 1]
            first = following.split()[0]
            out[i] = not ends_sentence(row) and not row.endswith((":", "：")) and (
                (first[0].isascii() and first[0].islower()) or len(row) + 1 + len(first) > width
            )
        start = end + 1
    return out


@dataclass(frozen=True, slots=True)
class Line:
    """A non-blank line of a text: its stripped content, where that content sits, and whether the
    line's sentence goes on to the next line (a hard wrap, see ``wraps``)."""

    start: int
    end: int
    text: str
    wrapped: bool = False


def split_lines(text: str) -> list[Line]:
    """Non-blank lines with offsets of their stripped content, so spans skip edge whitespace."""
    rows = text.split("\n")
    out: list[Line] = []
    pos = 0
    for raw, wrapped in zip(rows, wraps(rows), strict=True):
        stripped = raw.strip()
        if stripped:
            start = pos + (len(raw) - len(raw.lstrip()))
            out.append(Line(start, start + len(stripped), stripped, wrapped))
        pos += len(raw) + 1
    return out


def paragraphs(lines: Sequence[Line]) -> list[list[int]]:
    """Positions in ``lines`` grouped into logical lines: a wrapped line and the lines it runs on to."""
    out: list[list[int]] = []
    for i in range(len(lines)):
        if out and lines[out[-1][-1]].wrapped:
            out[-1].append(i)
        else:
            out.append([i])
    return out
