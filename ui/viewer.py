"""The article viewer and the clickable source panels that open it, shared by every tab.

A card click sends ``{doc_id, start, end}``; the viewer shows the full cleaned text with exactly
``text[start:end]`` marked and scrolled into view. Does not choose what to cite.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import gradio as gr

from index.errors import SanadError
from rag.pipeline import Pipeline
from rag.render import title_label
from ui.markup import Highlight, article_body, esc, meta_line, placeholder
from ui.style import SOURCES_JS, VIEWER_JS

EMPTY_VIEWER = "Click a source to read the article with the cited passage highlighted. · اضغط على مصدر لقراءة المقال."


def article_html(pipeline: Pipeline, doc_id: str, highlights: Iterable[Highlight] = ()) -> str:
    """A whole article (title, metadata, text) with ``highlights`` marked; errors become a note."""
    try:
        article = pipeline.article(doc_id)
    except SanadError as exc:
        return placeholder(str(exc))
    info = pipeline.documents_by_id().get(doc_id)  # None only if the article was removed meanwhile
    name = title_label(info.title, info.title_derived, doc_id) if info else doc_id
    head = (
        '<div class="sanad-viewer-head">'
        f'<div class="sanad-viewer-title" dir="auto">{esc(name)}</div>'
        f'<div class="sanad-viewer-meta" dir="auto">'
        f"{meta_line(article.date, article.author, article.outlet, article.doc_id)}</div></div>"
    )
    body = article_body(article.text, highlights)
    return f'<article class="sanad-viewer" data-doc="{esc(doc_id)}">{head}{body}</article>'


def cited_article_html(pipeline: Pipeline, doc_id: str, start: int, end: int) -> str:
    """The article with the one cited span ``[start, end)`` marked as the focus."""
    return article_html(pipeline, doc_id, [Highlight(int(start), int(end), focus=True)])


def sources_panel(value: str = "", **kwargs: Any) -> gr.HTML:
    """A panel of source cards whose clicks fire its ``click`` event with the card's span."""
    return gr.HTML(value, js_on_load=SOURCES_JS, **kwargs)


def viewer_panel(**kwargs: Any) -> gr.HTML:
    """The article viewer; it scrolls its marked span into view whenever its value changes."""
    kwargs.setdefault("max_height", 640)
    return gr.HTML(placeholder(EMPTY_VIEWER), js_on_load=VIEWER_JS, **kwargs)


def open_from_event(pipeline: Pipeline, evt: gr.EventData) -> str:
    """Render the article a card click asked for (the event data comes from the page: check it)."""
    data = getattr(evt, "_data", None) or {}
    try:
        doc_id, start, end = str(data["doc_id"]), int(data["start"]), int(data["end"])
    except (KeyError, TypeError, ValueError):
        return placeholder("That source could not be opened.")
    return cited_article_html(pipeline, doc_id, start, end)


def doc_choices(pipeline: Pipeline) -> list[tuple[str, str]]:
    """(label, doc_id) pairs for article pickers: the title (or doc_id) with its date."""
    if not pipeline.has_index():
        return []
    out = []
    for d in sorted(pipeline.documents(), key=lambda d: (d.title or d.doc_id).casefold()):
        label = title_label(d.title, d.title_derived, d.doc_id)
        out.append((f"{label} · {d.date}" if d.date else label, d.doc_id))
    return out
