"""A title for an article that states none: its opening words, shown as derived, never stored as its title.

News leads say what the story is about, so the first sentence's first clause is the usual stand-in
for a missing headline (as feed readers and archives do). Derived where the records are read
(``RecordReader.documents``), so every view names an article alike. Does not look for a stated
headline; see index/metadata.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.documents import Span

MAX_WORDS = 12  # a headline's length; longer openings are cut at a clause, else at a word
MIN_CLAUSE_WORDS = 4  # a shorter first clause ("Baghdad,") says too little on its own
_SENTENCE_END = re.compile(r"[.!?؟…]+(?=\s|$)|\n")
_CLAUSE_END = re.compile(r"[,،;؛:–—]")
_EDGE = " \t\"'«»“”()[]-–—،,;؛:.!?؟…"


def derived_title(text: str, header: Sequence[Span] = ()) -> str | None:
    """The opening of ``text`` after its leading ``header`` lines (byline, dateline) as a short title: its
    first sentence if at most ``MAX_WORDS`` words, else its first clause of ``MIN_CLAUSE_WORDS``–``MAX_WORDS``
    words, else its first words and "…". ``None`` for a text without words."""
    start = 0
    for span in sorted(header, key=lambda s: s.start):
        if text[start : span.start].strip():
            break
        start = max(start, span.end)
    body = text[start:].lstrip()
    end = _SENTENCE_END.search(body)
    sentence = (body[: end.start()] if end else body).strip(_EDGE)
    words = sentence.split()
    if not words:
        return None
    if len(words) <= MAX_WORDS:
        return " ".join(words)
    clause = _CLAUSE_END.split(sentence, maxsplit=1)[0].strip(_EDGE).split()
    if MIN_CLAUSE_WORDS <= len(clause) <= MAX_WORDS:
        return " ".join(clause)
    return " ".join(words[:MAX_WORDS]).rstrip(_EDGE) + "…"

