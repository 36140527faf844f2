"""The reliability report as Markdown: the headline figures first, then every section's records and tests.

Reads only the dictionary ``Results.write`` produces, so an old results.json can be re-rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SECTIONS: dict[str, str] = {
    "load": "Load: concurrent users through gradio_client while another uploads and removes",
    "kills": "Kills: SIGKILL of `sanad index` during an update and of `sanad serve` during an upload",
    "disk": "Full disk, read-only index folder, two indexers at once",
    "fuzz": "Property-based tests of decoding, cleaning, HTML, splitting, normalisation and chunking",
    "uploads": "Hostile uploads",
    "questions": "Hostile questions",
    "rendering": "Rendering in headless Chromium: every payload shown as text, nothing executed",
    "auth": "`--auth` on every route",
}


def render(data: dict[str, Any]) -> str:
    scale = data["scale"]
    lines = [
        "# Sanad reliability report",
        "",
        f"Scale **{scale['name']}** ({_scale_text(scale)}), commit `{data.get('commit') or '?'}`, "
        f"started {data['started']}.",
        "",
        "## Headline",
        "",
        *[f"- {line}" for line in headline(data)],
        "",
    ]
    sections = data["sections"]
    outcomes = data["outcomes"]
    for key in [*SECTIONS, *sorted((set(sections) | set(outcomes)) - set(SECTIONS))]:
        if key not in sections and key not in outcomes:
            continue
        lines += [f"## {SECTIONS.get(key, key)}", ""]
        for name, figures in sections.get(key, {}).items():
            lines += [f"### {name}", "", *_figures(figures), ""]
        tests = outcomes.get(key, [])
        if tests:
            passed = sum(t["outcome"] == "passed" for t in tests)
            lines += [f"Tests: {passed}/{len(tests)} passed.", ""]
            lines += [f"- `{t['test']}`: **{t['outcome']}**{' — ' + t['detail'] if t['detail'] else ''}"
                      for t in tests if t["outcome"] != "passed"]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _scale_text(scale: dict[str, Any]) -> str:
    return (f"{scale['users']} users for {scale['seconds']:g} s, {scale['kills']} index kills, "
            f"{scale['serve_kills']} server kills, {scale['fuzz_examples']} examples per property, "
            f"{scale['disk_levels']} free-space levels")


def _figures(figures: dict[str, Any]) -> list[str]:
    rows = ["| figure | value |", "|---|---|"]
    for key, value in figures.items():
        rows.append(f"| {key} | {_cell(value)} |")
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value) or "—"
    return str(value).replace("|", "\\|").replace("\n", " ")


def headline(data: dict[str, Any]) -> list[str]:
    """One line per section with its decisive figures (each section's records say how they were got)."""
    out = []
    for key, line in HEADLINES.items():
        records = data["sections"].get(key)
        tests = data["outcomes"].get(key, [])
        if records is None and not tests:
            continue
        failed = [t for t in tests if t["outcome"] == "failed"]
        skipped = [t for t in tests if t["outcome"] == "skipped"]
        text = line(records or {}) if records else SECTIONS[key]
        state = f"{len(tests) - len(failed) - len(skipped)}/{len(tests)} tests passed"
        if skipped:
            state += f", {len(skipped)} skipped"
        out.append(f"**{key}**: {text} ({state})")
    return out


def _load(r: dict[str, Any]) -> str:
    x = next(iter(r.values()))
    return (f"{x['users']} users × {x['seconds']:.0f} s: {x['answered']} questions answered, {x['errors']} errors, "
            f"p50 {x['p50_s']:.2f} s, p95 {x['p95_s']:.2f} s; {x['uploads']} uploads and {x['removals']} removals "
            f"meanwhile; RSS {x['rss_warm_mb']:.0f} → {x['rss_end_mb']:.0f} MB ({x['rss_change_pct']:+.1f}%)")


def _kills(r: dict[str, Any]) -> str:
    parts = []
    if "sanad index" in r:
        x = r["sanad index"]
        parts.append(f"{x['recovered']}/{x['kills']} kills of `sanad index` recovered (check passed, next index "
                     f"equal to an uninterrupted run); {x['old_kept']} left the old index, "
                     f"{x['new_published']} the new")
    if "sanad serve" in r:
        x = r["sanad serve"]
        parts.append(f"{x['recovered']}/{x['kills']} kills of `sanad serve` mid-upload recovered")
    return "; ".join(parts)


def _count(r: dict[str, Any], key: str) -> int:
    return sum(int(x.get(key, 0)) for x in r.values())


def _generic(kind: str) -> Callable[[dict[str, Any]], str]:
    def line(r: dict[str, Any]) -> str:
        return f"{_count(r, 'cases')} {kind} tried, {_count(r, 'failures')} failures"
    return line


HEADLINES: dict[str, Callable[[dict[str, Any]], str]] = {
    "load": _load,
    "kills": _kills,
    "disk": _generic("full-disk, read-only and concurrent-writer cases"),
    "fuzz": _generic("generated inputs"),
    "uploads": _generic("hostile uploads"),
    "questions": _generic("hostile questions"),
    "rendering": _generic("payload renderings"),
    "auth": _generic("route × credential probes"),
}
