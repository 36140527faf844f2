"""The Summaries tab: one article's extractive summary highlighted in its full text, and all of them.

API endpoints ``/summarize`` and ``/summaries``. Does not choose sentences; see rag/summarize.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import gradio as gr

from index.errors import SanadError
from rag.pipeline import Pipeline
from rag.types import Summary
from ui.markup import Highlight, esc, meta_line, placeholder, text_direction
from ui.viewer import article_html, doc_choices

MAX_SENTENCES = 10
PICK = "Pick an article to see its summary. · اختر مقالاً لعرض ملخصه."


@dataclass
class SummariesTab:
    picker: gr.Dropdown
    sentences: gr.Slider
    one: gr.HTML
    every: gr.HTML
    refresh_all: Callable[[float | None], str]


def summary_list_html(summary: Summary) -> str:
    """The summary sentences as a list, in the article's order."""
    items = "".join(f'<li class="sanad-summary-sentence" dir="auto">{esc(s.text)}</li>' for s in summary.sentences)
    return f'<ol class="sanad-summary-list" dir="{text_direction(summary.summary)}">{items}</ol>'


def summary_page(pipeline: Pipeline, doc_id: str | None, sentences: float | None = None) -> str:
    """Summary on top, then the whole article with the summary sentences highlighted."""
    if not doc_id:
        return placeholder(PICK)
    try:
        summary = pipeline.summarize(doc_id, sentences=int(sentences) if sentences else None)
    except SanadError as exc:
        return placeholder(str(exc))
    marks = [Highlight(s.start, s.end, focus=False, label="summary") for s in summary.sentences]
    return (
        '<div class="sanad-summary">'
        f'<h3 dir="auto">{esc("Summary · الملخص")}</h3>{summary_list_html(summary)}'
        f"{article_html(pipeline, doc_id, marks)}</div>"
    )


def all_summaries_html(summaries: Sequence[Summary]) -> str:
    """Every article's summary, one block each."""
    if not summaries:
        return placeholder("No articles are indexed yet. · لا توجد مقالات مفهرسة بعد.")
    blocks = [
        f'<div class="sanad-summary-block"><div class="sanad-viewer-title" dir="auto">{esc(s.title or s.doc_id)}</div>'
        f'<div class="sanad-viewer-meta">{meta_line(s.date, s.doc_id)}</div>{summary_list_html(s)}</div>'
        for s in summaries
    ]
    return "".join(blocks)


def build_summaries_tab(pipeline: Pipeline) -> SummariesTab:
    """Lay out the Summaries tab inside the current ``gr.Tab`` and wire its events."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=360):
            with gr.Row():
                picker = gr.Dropdown(choices=doc_choices(pipeline), value=None, allow_custom_value=True,
                                     label="Article · المقال", scale=3, elem_id="sanad-summary-pick")
                sentences = gr.Slider(1, MAX_SENTENCES, value=3, step=1, label="Sentences · عدد الجمل", scale=2)
            one = gr.HTML(placeholder(PICK), max_height=720, elem_id="sanad-summary")
        with gr.Column(scale=2, min_width=320):
            gr.Markdown("### All articles · كل المقالات")
            every = gr.HTML(placeholder("…"), max_height=760, elem_id="sanad-all-summaries")

    def summarize(doc_id: str | None, n: float | None) -> str:
        """One article's summary (``n`` sentences), highlighted inside its full text."""
        return summary_page(pipeline, doc_id, n)

    def summaries(n: float | None) -> str:
        """The summaries of every indexed article."""
        if not pipeline.has_index():
            return all_summaries_html([])
        return all_summaries_html(pipeline.summaries(int(n) if n else None))

    picker.change(summarize, [picker, sentences], one, api_name="summarize")
    sentences.release(summarize, [picker, sentences], one, api_name="resummarize", api_visibility="private")
    sentences.release(summaries, [sentences], every, api_name="resummarize_all", api_visibility="private")
    gr.api(summaries, api_name="summaries")
    return SummariesTab(picker, sentences, one, every, summaries)
