"""The clause of a long sentence that carries its facts, as an exact span of the article.

A news sentence of 60 words or more is a run-on: the fact, then attribution, background
and asides joined by commas («، مشيراً إلى أن …», "…, adding that …"). A summary sentence that
long is hard to read, so a summary shows the run of consecutive clauses, at most ``KEEP_WORDS``
words, that holds the most of the article's recurring terms and figures. Splits only at clause
punctuation (, ، ; ؛ : and dashes), never inside a clause, so the result is still a verbatim quote.
Does not choose which sentences make a summary; see rag/summarize.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from index.documents import Span
from index.normalize import search_tokens

# Plain-language guides (e.g. the GOV.UK and Plain English Campaign ones) put readable sentences
# at 15-20 words and 40 as the most a reader follows; a sentence of 60 words or more (a run-on)
# is cut to key clauses of at most 40. People keep such sentences whole: on easc-dev (5-fold CV)
# cutting every 40+ word sentence costs ROUGE-1 F 0.532 -> 0.516 at the references' length, cutting
# 60+ ones to 40 costs 0.004 (0.528; the earliest clause run instead of this score: 0.529), and at
# the default word budget it changes nothing (0.452). So rag/summarize.py cuts only under a budget.
LONG_WORDS = 60
KEEP_WORDS = 40
MIN_CLAUSE_WORDS = 5  # a shorter window is a fragment, not a statement (rag/summary_units.MIN_WORDS)

_BREAK = re.compile(r"\s*(?:[,،;؛:]|\s[-–—]\s)\s*")
_FIGURE = re.compile(r"[\d\u0660-\u0669\u06f0-\u06f9]+")


def topic_terms(texts: Iterable[str]) -> Counter[str]:
    """How many of an article's sentences use each search term: the terms it keeps returning to."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(search_tokens(text)))
    return counts


def key_clause(text: str, span: Span, topic: Counter[str], longest: int = LONG_WORDS, keep: int = KEEP_WORDS
               ) -> Span:
    """``span`` of ``text`` itself when it has fewer than ``longest`` words, else its best clause run.

    A run scores one point per distinct term the article uses in another sentence too and one per
    figure (a run of digits); the highest-scoring run of at most ``keep`` words wins, the earliest on
    a tie (news puts the main clause first). A sentence with no clause break of use stays whole.

    Example:
        >>> text = "The talks resumed in Baghdad on Monday, officials said, adding that " + "more " * 60
        >>> key_clause(text, Span(0, len(text)), Counter({"talk": 2, "baghdad": 2}))
        Span(start=0, end=38)
    """
    sentence = text[span.start : span.end]
    if len(sentence.split()) < longest:
        return span
    clauses = _clauses(sentence)
    best: tuple[int, int] | None = None
    best_score = -1
    for i in range(len(clauses)):
        for j in range(i, len(clauses)):
            start, end = clauses[i][0], clauses[j][1]
            words = len(sentence[start:end].split())
            if words > keep:
                break
            if words < MIN_CLAUSE_WORDS:
                continue
            score = _score(sentence[start:end], topic)
            if score > best_score:
                best, best_score = (start, end), score
    if best is None:
        return span
    return Span(span.start + best[0], span.start + best[1])


def _clauses(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each clause, without the punctuation and spaces that separate them."""
    out, start = [], 0
    for m in _BREAK.finditer(sentence):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(sentence.rstrip()):
        out.append((start, len(sentence.rstrip())))
    return out


def _score(clause: str, topic: Counter[str]) -> int:
    recurring = {t for t in search_tokens(clause) if topic[t] >= 2}
    return len(recurring) + len(_FIGURE.findall(clause))
