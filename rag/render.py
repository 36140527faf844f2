"""Plain-text renderings of answers, summaries and the overview for the terminal.

Does not decide content; the JSON forms come from ``to_dict()`` on the result types.
"""

from __future__ import annotations

from rag.overview import NO_DIFFERENCES
from rag.types import Answer, Citation, Language, Overview, Source, Summary

DERIVED_MARK = "(derived title · عنوان مستخلص)"


def title_label(title: str | None, derived: bool, doc_id: str) -> str:
    """How an article is named to a reader: its title, a derived one marked as such, else its id."""
    if not title:
        return doc_id
    return f"{title} {DERIVED_MARK}" if derived else title


def _source(c: Citation) -> str:
    title = title_label(c.title, c.title_derived, c.doc_id)
    date = f", {c.date}" if c.date else ""
    return f"[{c.n}] {title}{date} — {c.doc_id} [{c.start}:{c.end}]"


def source_label(source: Source) -> str:
    """«Outlet or title (date)»: how a supporting article is named in the overview."""
    name = source.outlet or title_label(source.title, source.title_derived, source.doc_id)
    return f"{name} ({source.date})" if source.date else name


SEARCHED: dict[Language, str] = {"en": "Searched for: {}", "ar": "بحثتُ عن: {}"}


def searched_line(answer: Answer) -> str | None:
    """One quiet line naming what was searched, when the question was rewritten (dialect, Arabizi)."""
    return SEARCHED[answer.language].format(answer.searched) if answer.searched else None


def answer_text(answer: Answer) -> str:
    searched = searched_line(answer)
    lines = [searched, answer.answer] if searched else [answer.answer]
    if answer.citations:
        lines += ["", "Sources:" if answer.language == "en" else "المصادر:"]
        lines += [_source(c) for c in answer.citations]
    return "\n".join(lines)


def summary_text(summary: Summary) -> str:
    title = title_label(summary.title, summary.title_derived, "(no title)")
    head = f"{title} — {summary.doc_id}" + (f", {summary.date}" if summary.date else "")
    return "\n".join([head, *(f"- {s.text} [{s.start}:{s.end}]" for s in summary.sentences)])


def briefing_text(overview: Overview) -> str:
    """The briefing as one paragraph, each sentence followed by its citation mark."""
    return " ".join(f"{c.text} [{c.n}]" for c in overview.briefing)


def overview_text(overview: Overview, language: Language = "en") -> str:
    lines = []
    if overview.briefing:
        lines += ["BRIEFING", briefing_text(overview), *(_source(c) for c in overview.briefing), ""]
    lines.append("THEMES")
    for i, theme in enumerate(overview.themes, start=1):
        lines.append(f"{i}. {theme.summary}")
        if theme.sources:
            label = "In" if language == "en" else "في"
            lines.append(f"   {label} {len(theme.sources)}: " + "; ".join(source_label(s) for s in theme.sources))
        lines += [f"   {_source(c)}" for c in theme.citations]
    lines += ["", "DIFFERENCES"]
    if not overview.differences:
        lines.append(NO_DIFFERENCES[language])
    for point in overview.differences:
        lines.append(f"- {point.summary}")
        lines += [f"   {_source(c)}: {c.text}" for c in point.citations]
    lines += ["", "TIMELINE"]
    for entry in overview.timeline:
        docs = ", ".join(dict.fromkeys(c.doc_id for c in (entry.citation, *entry.also)))
        lines.append(f"{entry.date}  {entry.text[:160]}  [{docs}]")
    return "\n".join(lines)
