"""The Overview tab: themes with their sources, differences between sources, and the timeline.

API endpoint ``/overview``. Does not build the overview; see rag/overview.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd

from rag.pipeline import Pipeline
from rag.types import Language, Overview
from ui.markup import isolate, placeholder
from ui.overview_view import TIMELINE_COLUMNS, overview_html, timeline_chart_frame, timeline_frame
from ui.viewer import cited_article_html, open_from_event, sources_panel, viewer_panel

LANGUAGES = [("English", "en"), ("العربية", "ar")]
SOURCE_LABEL_CHARS = 40


def _chart(frame: pd.DataFrame) -> pd.DataFrame:
    chart = timeline_chart_frame(frame)
    short = chart["source"].map(lambda s: s if len(s) <= SOURCE_LABEL_CHARS else s[: SOURCE_LABEL_CHARS - 1] + "…")
    return chart.assign(source=short)


def overview_outputs(pipeline: Pipeline, language: Language) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """The themes/differences HTML, the timeline table and the chart data."""
    overview = pipeline.overview(language) if pipeline.has_index() else Overview()
    frame = timeline_frame(overview)
    table = frame.assign(source=frame["source"].map(isolate), excerpt=frame["excerpt"].map(isolate))
    return overview_html(overview, language), table, _chart(frame)


@dataclass
class OverviewTab:
    """What the app needs to refresh the tab when it is opened."""

    refresh: Callable[[str], Any]
    inputs: list[Any]
    outputs: list[Any]


def build_overview_tab(pipeline: Pipeline) -> OverviewTab:
    """Lay out the Overview tab inside the current ``gr.Tab`` and wire its events."""
    with gr.Row():
        language = gr.Radio(LANGUAGES, value="en", label="Language of the framing · لغة العرض", scale=1)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=360):
            points = sources_panel(placeholder("…"), elem_id="sanad-overview")
        with gr.Column(scale=2, min_width=320):
            viewer = viewer_panel(elem_id="sanad-overview-viewer")
    gr.Markdown("### Timeline · الخط الزمني")
    chart = gr.ScatterPlot(
        None,  # an empty frame would fix the axis types before the real data arrives
        x="when",
        y="source",
        color="kind",
        tooltip=["date", "source", "excerpt"],
        x_title="date",
        y_title="article",
        height=320,
        elem_id="sanad-timeline-chart",
    )
    table = gr.Dataframe(
        pd.DataFrame(columns=TIMELINE_COLUMNS),
        interactive=False,
        wrap=True,
        elem_id="sanad-timeline",
        column_widths=["9%", "8%", "20%", "41%", "14%", "4%", "4%"],
        max_height=420,
    )

    def overview(lang: str) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        """Themes and differences (HTML), the timeline table and the timeline chart data."""
        return overview_outputs(pipeline, "ar" if lang == "ar" else "en")

    outputs = [points, table, chart]
    language.change(overview, [language], outputs, api_name="overview")

    def card_clicked(evt: gr.EventData) -> str:
        return open_from_event(pipeline, evt)

    points.click(card_clicked, None, viewer, api_name="overview_card", api_visibility="private", concurrency_limit=None)

    def open_row(frame: pd.DataFrame, evt: gr.SelectData) -> str:
        """Clicking a timeline row opens its sentence in the article viewer."""
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        try:
            record = frame.iloc[int(row)]
            return cited_article_html(pipeline, str(record["doc_id"]), int(record["start"]), int(record["end"]))
        except (IndexError, KeyError, TypeError, ValueError):
            return placeholder("That row could not be opened.")

    table.select(open_row, [table], viewer, api_name="timeline_row", api_visibility="private")
    return OverviewTab(overview, [language], outputs)
