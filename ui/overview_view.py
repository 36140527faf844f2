"""The collection overview as escaped HTML (briefing, themes, differences) and a table for the timeline.

Dates arrive as ISO strings of varying precision (YYYY, YYYY-MM, YYYY-MM-DD); the chart places
each at its first day so they share one time axis. Does not compute the overview; see rag/overview.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from rag.overview import NO_DIFFERENCES
from rag.render import briefing_text, source_label, title_label
from rag.types import Language, Overview, Point
from ui.answers import card_html
from ui.markup import esc, placeholder

HEADINGS: dict[Language, dict[str, str]] = {
    "en": {"briefing": "Briefing", "themes": "Themes",
           "differences": "Where the sources differ", "none": "Nothing to show yet.",
           "agree": NO_DIFFERENCES["en"]},
    "ar": {"briefing": "الموجز", "themes": "المحاور",
           "differences": "أين تختلف المصادر", "none": "لا شيء لعرضه بعد.",
           "agree": NO_DIFFERENCES["ar"]},
}
TIMELINE_COLUMNS = ["date", "kind", "source", "excerpt", "doc_id", "start", "end"]
EXCERPT_CHARS = 220


def _points_html(points: Sequence[Point], heading: str, empty: str, css: str) -> str:
    if not points:
        return f'<section class="{css}"><h3 dir="auto">{esc(heading)}</h3>{placeholder(empty)}</section>'
    items = []
    for i, point in enumerate(points, start=1):
        cards = "".join(card_html(c) for c in point.citations)
        sources = ""
        if point.sources:
            names = " · ".join(esc(source_label(s)) for s in point.sources)
            sources = f'<div class="sanad-point-outlets" dir="auto">{len(point.sources)}: {names}</div>'
        items.append(
            f'<div class="sanad-point"><div class="sanad-point-summary" dir="auto">'
            f'<span class="sanad-point-n">{i}.</span> {esc(point.summary)}</div>{sources}'
            f'<div class="sanad-sources">{cards}</div></div>'
        )
    return f'<section class="{css}"><h3 dir="auto">{esc(heading)}</h3>{"".join(items)}</section>'


def briefing_html(overview: Overview, heading: str) -> str:
    """The lead paragraph, each sentence marked [n], with a clickable card per sentence."""
    if not overview.briefing:
        return ""
    cards = "".join(card_html(c) for c in overview.briefing)
    return (
        f'<section class="sanad-briefing"><h3 dir="auto">{esc(heading)}</h3>'
        f'<p class="sanad-briefing-text" dir="auto">{esc(briefing_text(overview))}</p>'
        f'<div class="sanad-sources">{cards}</div></section>'
    )


def overview_html(overview: Overview, language: Language = "en") -> str:
    """The briefing, themes, then differences, each with clickable cards for the sentences behind it."""
    h = HEADINGS[language]
    direction = "rtl" if language == "ar" else "ltr"
    return (
        f'<div class="sanad-overview" dir="{direction}">'
        + briefing_html(overview, h["briefing"])
        + _points_html(overview.themes, h["themes"], h["none"], "sanad-themes")
        + _points_html(overview.differences, h["differences"], h["agree" if overview.themes else "none"],
                       "sanad-differences")
        + "</div>"
    )


def iso_start(value: str) -> date | None:
    """The first day an ISO date of any precision covers (``2024-07`` -> 2024-07-01); None if unreadable."""
    parts = value.strip().split("-")
    try:
        numbers = [int(p) for p in parts[:3]]
        return date(numbers[0], *(numbers[1:] + [1] * (3 - len(numbers))))
    except (ValueError, IndexError, TypeError):
        return None


def timeline_frame(overview: Overview) -> pd.DataFrame:
    """One row per dated event, in time order: the table the Overview tab shows."""
    rows = []
    for entry in overview.timeline:
        c = entry.citation
        text = entry.text if len(entry.text) <= EXCERPT_CHARS else entry.text[: EXCERPT_CHARS - 1] + "…"
        source = title_label(c.title, c.title_derived, c.doc_id)
        others = len({a.doc_id for a in entry.also} - {c.doc_id})
        source += f" (+{others})" if others else ""
        rows.append([entry.date, entry.kind, source, text, c.doc_id, int(c.start), int(c.end)])
    return pd.DataFrame(rows, columns=TIMELINE_COLUMNS)


def timeline_chart_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The timeline for the chart: a real datetime ``when`` column, rows with unreadable dates left out."""
    when = [iso_start(d) for d in frame["date"]] if len(frame) else []
    chart = frame.assign(when=pd.to_datetime(pd.Series(when, index=frame.index, dtype="object")))
    return chart[chart["when"].notna()].reset_index(drop=True)
