"""The sentences a summary is made of: the splitter's sentences re-joined across hard line wraps,
without header lines, subheadings or fragments.

Every line break ends a sentence for the splitter (index/segment.py), which is right for
headlines and paragraphs but cuts a sentence of print-style text, wrapped at a fixed width, into
line-long pieces; people summarising such text pick the whole sentence. Does not score or choose
sentences; see rag/summarize.py.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.documents import Article, Span
from index.lines import ends_sentence, is_body, wraps

MIN_WORDS = 5  # shorter sentences are labels, captions or fragments, not summary material


@dataclass(frozen=True)
class Unit:
    """A candidate summary sentence: its span, and which splitter sentences it is made of."""

    start: int
    end: int
    parts: tuple[int, ...]  # positions in the sentence list it was built from
    paragraph_start: bool  # first sentence of a paragraph (a line that does not continue the one before)


def summary_units(article: Article, sentences: Sequence[Span]) -> list[Unit]:
    """Candidate summary sentences of ``article``, in text order.

    Sentences joined by a hard wrap (``index.lines.wraps``) become one unit; units that overlap
    the article's header lines (title, byline, dateline), that are shorter than ``MIN_WORDS``
    words, or that are a subheading (a line of their own that is not a sentence) are left out.
    An article made only of such lines keeps all of them, so it still has a summary.

    Example:
        >>> from index.segment import split_sentences
        >>> text = "The talks that began on Monday in Baghdad will\\ncontinue next week, officials said."
        >>> [text[u.start:u.end] for u in summary_units(Article("a", text, "a"), split_sentences(text))]
        ['The talks that began on Monday in Baghdad will\\ncontinue next week, officials said.']
    """
    units = _joined(article.text, sentences)
    kept = [u for u in units if _candidate(article, u)]
    return kept or units


def unit_vectors(units: Sequence[Unit], vectors: np.ndarray) -> np.ndarray:
    """One unit vector per unit: the normalised mean of its sentences' vectors (no re-embedding)."""
    if not units:
        return np.zeros((0, vectors.shape[1]), dtype=np.float32)
    out = np.stack([vectors[list(u.parts)].mean(axis=0) for u in units])
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


def _joined(text: str, sentences: Sequence[Span]) -> list[Unit]:
    rows = text.split("\n")
    starts = [0]
    for line in rows[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    wrapped = wraps(rows)
    units: list[Unit] = []
    for i, s in enumerate(sentences):
        row = bisect_right(starts, s.start) - 1
        line_start = not text[starts[row] : s.start].strip()
        continues = line_start and row > 0 and wrapped[row - 1] and bool(units)
        if continues and units[-1].end <= starts[row] and not text[units[-1].end : starts[row]].strip():
            last = units[-1]
            units[-1] = Unit(last.start, s.end, (*last.parts, i), last.paragraph_start)
        else:
            first_on_line = line_start and not (row > 0 and wrapped[row - 1])
            units.append(Unit(s.start, s.end, (i,), first_on_line))
    return units


def _candidate(article: Article, unit: Unit) -> bool:
    if any(h.start < unit.end and unit.start < h.end for h in article.header):
        return False
    text = article.text[unit.start : unit.end]
    if len(text.split()) < MIN_WORDS:
        return False
    return not (_whole_line(article.text, unit) and not ends_sentence(text) and not is_body(text))


def _whole_line(text: str, unit: Unit) -> bool:
    before = text.rfind("\n", 0, unit.start)
    after = text.find("\n", unit.end)
    return not text[before + 1 : unit.start].strip() and not text[unit.end : after if after >= 0 else None].strip()
