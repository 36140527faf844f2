"""Escaped HTML for everything the web chat shows: article text, excerpts, titles, user messages.

Every string that comes from an article, an upload or a user passes through ``esc`` (or ``esc_md``
inside chat bubbles) before it meets markup, so a ``<script>`` in an article is shown, never run.
Does not decide content: answers, summaries and spans come from the pipeline unchanged.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Characters that Markdown, KaTeX or Gradio's chat renderer could interpret; as numeric entities
# they are shown literally whichever renderer reads them.
_MD_TABLE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
    | {ch: f"&#{ord(ch)};" for ch in "\\`*_{}[]()#+-.!|~$=:"}
)
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[A-Za-z]")


def esc(text: object) -> str:
    """HTML-escape ``text`` (quotes included, so it is safe inside attributes too)."""
    return html.escape("" if text is None else str(text), quote=True)


def esc_md(text: object) -> str:
    """Escape for a chat bubble: HTML-escaped, and Markdown/LaTeX syntax turned into literal entities.

    Newlines become ``<br>`` so the bubble stays one HTML block (Markdown never re-reads it).
    """
    escaped = ("" if text is None else str(text)).translate(_MD_TABLE)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def isolate(text: str | None) -> str:
    """Wrap plain text in FIRST STRONG ISOLATE … POP so it keeps its own direction where no ``dir``
    attribute can be set (table cells): an Arabic title's final ``!`` stays at its left end."""
    return f"\u2068{text}\u2069" if text else ""


def text_direction(text: str) -> str:
    """``rtl`` when the first strong letter is Arabic, else ``ltr`` (what ``dir="auto"`` computes)."""
    arabic, latin = _ARABIC.search(text), _LATIN.search(text)
    if arabic and (not latin or arabic.start() < latin.start()):
        return "rtl"
    return "ltr"


@dataclass(frozen=True)
class Highlight:
    """A span ``[start, end)`` of an article to mark; ``focus`` is the one scrolled into view."""

    start: int
    end: int
    focus: bool = False
    label: str = ""


def _clip(highlights: Iterable[Highlight], length: int) -> list[Highlight]:
    """Sorted, in-bounds, non-overlapping highlights (a later overlapping one is cut to fit)."""
    out: list[Highlight] = []
    for h in sorted(highlights, key=lambda h: (h.start, -h.end)):
        start, end = max(0, h.start), min(length, h.end)
        if out and start < out[-1].end:
            start = out[-1].end
        if start < end:
            out.append(Highlight(start, end, h.focus, h.label))
    return out


def _line_html(text: str, line_start: int, highlights: Sequence[Highlight]) -> str:
    """One line of the article with the highlights that fall in it marked (exact offsets)."""
    line_end = line_start + len(text)
    pieces: list[str] = []
    pos = line_start
    for h in highlights:
        start, end = max(h.start, line_start), min(h.end, line_end)
        if start >= end:
            continue
        pieces.append(esc(text[pos - line_start : start - line_start]))
        classes = "sanad-hit" if h.focus else "sanad-mark"
        title = f' title="{esc(h.label)}"' if h.label else ""
        pieces.append(
            f'<mark class="{classes}" data-start="{start}" data-end="{end}"{title}>'
            f"{esc(text[start - line_start : end - line_start])}</mark>"
        )
        pos = end
    pieces.append(esc(text[pos - line_start :]))
    return "".join(pieces)


def article_body(text: str, highlights: Iterable[Highlight] = ()) -> str:
    """The full cleaned text, one ``<p dir="auto">`` per line, with ``text[start:end]`` inside ``<mark>``.

    A highlight that crosses a line break is split into one mark per line; each mark carries its
    own ``data-start``/``data-end`` so the offsets stay checkable in the page.
    """
    marks = _clip(highlights, len(text))
    lines: list[str] = []
    offset = 0
    for line in text.split("\n"):
        inside = [h for h in marks if h.start < offset + len(line) and h.end > offset]
        if line.strip():
            lines.append(f'<p dir="auto" class="sanad-line">{_line_html(line, offset, inside)}</p>')
        else:
            lines.append(f'<p class="sanad-blank">{esc(line)}</p>')
        offset += len(line) + 1
    return "".join(lines)


def meta_line(*parts: str | None) -> str:
    """Metadata joined with separators, missing parts left out; escaped, each part isolated (bidi)."""
    return " · ".join(f"<bdi>{esc(p)}</bdi>" for p in parts if p)


def placeholder(text: str) -> str:
    """A muted note for an empty panel."""
    return f'<div class="sanad-empty" dir="auto">{esc(text)}</div>'
