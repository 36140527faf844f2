"""Chat bubbles and source cards for one answer: escaped, direction per message, [n] markers styled.

The answer text is the pipeline's own (``Answer.answer``), shown line by line; streaming shows a
growing prefix of it. Does not retrieve or compose answers; see rag/ask.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from rag.render import searched_line, title_label
from rag.types import Answer, Citation, Language
from ui.markup import esc, esc_md, text_direction

_MARKER = re.compile(r"\[(\d{1,3})\]")
_WORDS = re.compile(r"\S+\s*")

NOT_SAID: dict[Language, str] = {"en": "The articles don't say", "ar": "المقالات لا تذكر ذلك"}
SOURCES: dict[Language, str] = {"en": "Sources", "ar": "المصادر"}
CLOSEST: dict[Language, str] = {
    "en": "Closest passages (they do not answer the question)",
    "ar": "أقرب المقاطع (لا تجيب عن السؤال)",
}


def _line(text: str, known: set[int], phrases: dict[int, tuple[str, int, int]]) -> str:
    """One escaped line with its [n] markers wrapped (only numbers that are real citations) and the
    answer phrase marked inside its quoted excerpt (``phrases``: n -> excerpt, phrase start, end)."""
    excerpt = text.startswith("- ")
    if excerpt:
        text = text[2:]
    out: list[str] = []
    pos = 0
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n not in known:
            continue
        out.append(_with_phrase(text[pos : m.start()], phrases.get(n)))
        out.append(f'<span class="sanad-ref" data-n="{n}">&#91;{n}&#93;</span>')
        pos = m.end()
    out.append(esc_md(text[pos:]))
    kind = "sanad-excerpt" if excerpt else "sanad-lead"
    return f'<div class="{kind}" dir="auto">{"".join(out)}</div>'


def _with_phrase(text: str, phrase: tuple[str, int, int] | None) -> str:
    """Escaped ``text``, with the phrase marked where its excerpt is quoted whole («excerpt»)."""
    if phrase is None:
        return esc_md(text)
    excerpt, start, end = phrase
    at = text.rfind(f"«{excerpt}»")
    if at < 0:
        return esc_md(text)
    a, b = at + 1 + start, at + 1 + end
    return (f"{esc_md(text[:a])}<mark class=\"sanad-phrase\">{esc_md(text[a:b])}</mark>{esc_md(text[b:])}")


def _phrases(citations: Sequence[Citation]) -> dict[int, tuple[str, int, int]]:
    return {c.n: (c.text, c.answer_span[0] - c.start, c.answer_span[1] - c.start)
            for c in citations if c.answer_span is not None}


def answer_html(answer: Answer, text: str | None = None, pending: bool = False) -> str:
    """The assistant bubble; ``text`` (a prefix of the answer while streaming) defaults to all of it."""
    shown = answer.answer if text is None else text
    known = {c.n for c in answer.citations}
    classes = "sanad-answer sanad-abstained" if answer.abstained else "sanad-answer"
    parts = [f'<div class="{classes}" dir="{text_direction(answer.answer)}" lang="{answer.language}">']
    if answer.abstained:
        parts.append(f'<div class="sanad-badge" dir="auto">{esc_md(NOT_SAID[answer.language])}</div>')
    if answer.notice:
        parts.append(f'<div class="sanad-notice" dir="auto">{esc_md(answer.notice)}</div>')
    searched = searched_line(answer)
    if searched:
        parts.append(f'<div class="sanad-notice sanad-searched" dir="auto">{esc_md(searched)}</div>')
    phrases = _phrases(answer.citations)
    parts.extend(_line(line, known, phrases) for line in shown.split("\n"))
    if pending:
        parts.append('<span class="sanad-cursor">▍</span>')
    parts.append("</div>")
    return "".join(parts)


def stream_prefixes(text: str, words_per_step: int = 3) -> Iterator[str]:
    """Growing prefixes of ``text``, a few words at a time, ending with the whole text."""
    ends = [m.end() for m in _WORDS.finditer(text)]
    for i in range(words_per_step - 1, len(ends), words_per_step):
        if ends[i] < len(text):
            yield text[: ends[i]]
    yield text


def user_html(text: str) -> str:
    """The user's own message, escaped, in its own direction."""
    return f'<div class="sanad-user" dir="{text_direction(text)}">{esc_md(text)}</div>'


def error_html(message: str, language: Language = "en") -> str:
    """A readable chat message for a problem the user can act on (never a traceback)."""
    lead = "تعذّرت الإجابة" if language == "ar" else "Could not answer"
    return f'<div class="sanad-error" dir="auto"><strong>{esc_md(lead)}:</strong> {esc_md(message)}</div>'


def card_html(c: Citation) -> str:
    """One clickable source card; the data attributes say which span to open."""
    title = title_label(c.title, c.title_derived, c.doc_id)
    date = f'<span class="sanad-card-date">{esc(c.date)}</span>' if c.date else ""
    return (
        f'<button type="button" class="sanad-card" data-doc="{esc(c.doc_id)}" data-start="{int(c.start)}" '
        f'data-end="{int(c.end)}" data-n="{int(c.n)}">'
        f'<span class="sanad-card-head"><span class="sanad-ref">&#91;{int(c.n)}&#93;</span> '
        f'<span class="sanad-card-title" dir="auto">{esc(title)}</span>{date}</span>'
        f'<span class="sanad-card-excerpt" dir="auto">{_card_excerpt(c)}</span>'
        f'<span class="sanad-card-id">{esc(c.doc_id)} [{int(c.start)}:{int(c.end)}]</span>'
        "</button>"
    )


def _card_excerpt(c: Citation) -> str:
    if c.answer_span is None:
        return esc(c.text)
    a, b = c.answer_span[0] - c.start, c.answer_span[1] - c.start
    return f'{esc(c.text[:a])}<mark class="sanad-phrase">{esc(c.text[a:b])}</mark>{esc(c.text[b:])}'


def sources_html(citations: Sequence[Citation], language: Language = "en", abstained: bool = False) -> str:
    """The sources panel: a heading and one card per citation (closest passages when abstained)."""
    heading = CLOSEST[language] if abstained else SOURCES[language]
    classes = "sanad-sources sanad-sources-closest" if abstained else "sanad-sources"
    if not citations:
        return f'<div class="{classes}"><div class="sanad-empty" dir="auto">{esc(NOT_SAID[language])}.</div></div>'
    cards = "".join(card_html(c) for c in citations)
    return (
        f'<div class="{classes}" dir="{"rtl" if language == "ar" else "ltr"}">'
        f'<div class="sanad-sources-head">{esc(heading)}</div>{cards}</div>'
    )
