"""The Summaries tab: one article's extractive summary highlighted in its full text, and all of them.

The summary opens at the default length (rag/summarize.py's rule: at most 5 sentences and a
quarter of the article's words); "Shorter" and "Longer" step from the summary on screen. API
endpoints ``/summarize`` and ``/summaries``. Does not choose sentences; see rag/summarize.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import gradio as gr

from index.errors import SanadError
from rag.pipeline import Pipeline
from rag.render import title_label
from rag.types import Summary
from ui.markup import Highlight, esc, meta_line, placeholder, text_direction
from ui.viewer import article_html, doc_choices

PICK = "Pick an article to see its summary. · اختر مقالاً لعرض ملخصه."

# A length the reader asked for: (at most this many sentences, at most this many words or None).
# None is the default rule.
Length = tuple[int, int | None] | None


@dataclass
class SummariesTab:
    picker: gr.Dropdown
    one: gr.HTML
    every: gr.HTML
    refresh_all: Callable[..., str]


def summary_words(summary: Summary) -> int:
    return sum(len(s.text.split()) for s in summary.sentences)


def step(summary: Summary, longer: bool) -> Length:
    """The length one step from ``summary``: a sentence more, or a sentence fewer and no more words.

    Shorter keeps the word cap of the summary on screen, so it never grows in words; at one
    sentence it stays (a single sentence is the shortest extract that is still a quote of one).
    """
    n = len(summary.sentences)
    if longer:
        return (n + 1, None)
    return (max(1, n - 1), summary_words(summary))


def length_label(summary: Summary, length: Length) -> str:
    """What the reader sees: how long the summary on screen is, and whether it is the default."""
    n, words = len(summary.sentences), summary_words(summary)
    which = "default length · الطول الافتراضي" if length is None else "your length · الطول الذي اخترته"
    return f"{n} sentences · {words} words ({which}) — {n} جمل · {words} كلمة"


def summary_list_html(summary: Summary) -> str:
    """The summary sentences as a list, in the article's order."""
    items = "".join(f'<li class="sanad-summary-sentence" dir="auto">{esc(s.text)}</li>' for s in summary.sentences)
    return f'<ol class="sanad-summary-list" dir="{text_direction(summary.summary)}">{items}</ol>'


def summary_page_html(pipeline: Pipeline, summary: Summary) -> str:
    """Summary on top, then the whole article with the summary sentences highlighted."""
    marks = [Highlight(s.start, s.end, focus=False, label="summary") for s in summary.sentences]
    return (
        '<div class="sanad-summary">'
        f'<h3 dir="auto">{esc("Summary · الملخص")}</h3>{summary_list_html(summary)}'
        f"{article_html(pipeline, summary.doc_id, marks)}</div>"
    )


def summary_page(pipeline: Pipeline, doc_id: str | None, sentences: int | None = None,
                 words: int | None = None) -> str:
    """The page for ``doc_id`` at a length (None, None: the default), or a placeholder that says why not."""
    if not doc_id:
        return placeholder(PICK)
    try:
        return summary_page_html(pipeline, pipeline.summarize(doc_id, sentences=sentences, words=words))
    except SanadError as exc:
        return placeholder(str(exc))


def all_summaries_html(summaries: Sequence[Summary]) -> str:
    """Every article's summary, one block each."""
    if not summaries:
        return placeholder("No articles are indexed yet. · لا توجد مقالات مفهرسة بعد.")
    blocks = [
        '<div class="sanad-summary-block"><div class="sanad-viewer-title" dir="auto">'
        f'{esc(title_label(s.title, s.title_derived, s.doc_id))}</div>'
        f'<div class="sanad-viewer-meta">{meta_line(s.date, s.doc_id)}</div>{summary_list_html(s)}</div>'
        for s in summaries
    ]
    return "".join(blocks)


def build_summaries_tab(pipeline: Pipeline) -> SummariesTab:
    """Lay out the Summaries tab inside the current ``gr.Tab`` and wire its events."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=360):
            picker = gr.Dropdown(choices=doc_choices(pipeline), value=None, allow_custom_value=True,
                                 label="Article · المقال", elem_id="sanad-summary-pick")
            with gr.Row():
                shorter = gr.Button("Shorter · أقصر", size="sm", elem_id="sanad-summary-shorter")
                longer = gr.Button("Longer · أطول", size="sm", elem_id="sanad-summary-longer")
                reset = gr.Button("Default · الافتراضي", size="sm", elem_id="sanad-summary-default")
            label = gr.Markdown("", elem_id="sanad-summary-length")
            one = gr.HTML(placeholder(PICK), max_height=720, elem_id="sanad-summary")
        with gr.Column(scale=2, min_width=320):
            gr.Markdown("### All articles · كل المقالات")
            every = gr.HTML(placeholder("…"), max_height=760, elem_id="sanad-all-summaries")
    length = gr.State(None)  # this session's Length

    def at(doc_id: str, wanted: Length) -> Summary:
        sentences, words = wanted or (None, None)
        return pipeline.summarize(doc_id, sentences, words=words)

    def show(doc_id: str | None, wanted: Length) -> tuple[str, str, Length]:
        if not doc_id:
            return placeholder(PICK), "", None
        try:
            summary = at(doc_id, wanted)
        except SanadError as exc:
            return placeholder(str(exc)), "", wanted
        return summary_page_html(pipeline, summary), esc(length_label(summary, wanted)), wanted

    def stepped(doc_id: str | None, wanted: Length, longer: bool) -> tuple[str, str, Length]:
        """One step from the summary on screen (recomputed: another session may have changed the index)."""
        if not doc_id:
            return show(doc_id, wanted)
        try:
            current = at(doc_id, wanted)
        except SanadError as exc:
            return placeholder(str(exc)), "", wanted
        return show(doc_id, step(current, longer))

    def summarize(doc_id: str | None, sentences: int | None = None, words: int | None = None) -> str:
        """One article's summary (at most ``sentences`` sentences and ``words`` words; neither: the
        default length), highlighted inside its full text."""
        return summary_page(pipeline, doc_id, sentences, words)

    def summaries(sentences: int | None = None, words: int | None = None) -> str:
        """The summaries of every indexed article (neither limit: the default length)."""
        if not pipeline.has_index():
            return all_summaries_html([])
        return all_summaries_html(pipeline.summaries(sentences, words=words))

    outputs = [one, label, length]
    picker.change(lambda d: show(d, None), [picker], outputs, api_name="pick_summary", api_visibility="private")
    shorter.click(lambda d, w: stepped(d, w, False), [picker, length], outputs, api_name="shorter",
                  api_visibility="private")
    longer.click(lambda d, w: stepped(d, w, True), [picker, length], outputs, api_name="longer",
                 api_visibility="private")
    reset.click(lambda d: show(d, None), [picker], outputs, api_name="default_length", api_visibility="private")
    gr.api(summarize, api_name="summarize")
    gr.api(summaries, api_name="summaries")
    return SummariesTab(picker, one, every, summaries)
