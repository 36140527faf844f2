"""The reliability report as Markdown: the headline figures first, then every section's records and tests.

Reads only the dictionary ``Results.write`` produces, so an old results.json can be re-rendered
(``python -m eval.reliability --render-only``).
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
MAX_ROWS = 60


def render(data: dict[str, Any]) -> str:
    scale = data["scale"]
    machine = data.get("machine") or {}
    lines = [
        "# Sanad reliability report",
        "",
        f"Written by `python -m eval.reliability{'' if scale['name'] == 'full' else ' --scale ' + scale['name']}` "
        f"(the `reliability` tests at scale **{scale['name']}**: {_scale_text(scale)}), commit "
        f"`{data.get('commit') or '?'}`, started {data['started']}.",
    ]
    if machine:
        lines.append(f"Machine: {machine.get('cpus', '?')} CPUs, load average {machine.get('load at start', '?')} at "
                     f"the start and {machine.get('load at end', '?')} at the end (timings are from a shared, "
                     "loaded machine).")
    lines += ["", "## Headline", "", *[f"- {line}" for line in headline(data)], ""]
    sections, outcomes = data["sections"], data["outcomes"]
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
            f"{scale['serve_kills']} server kills, {scale['fuzz_examples']:,} examples per property, "
            f"{scale['disk_levels']} free-space levels")


def _figures(figures: dict[str, Any]) -> list[str]:
    """Scalars in one table; lists of records and records of records as their own tables after it."""
    rows = ["| figure | value |", "|---|---|"]
    after: list[str] = []
    for key, value in figures.items():
        if key == "problems":
            after += ["", "Problems: " + ("none." if not value else ""), *[f"- {_cell(p)}" for p in value]]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            after += ["", f"{key}:", "", *_table(value)]
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            after += ["", f"{key}:", "", *_table([{"": k, **v} for k, v in value.items()])]
        elif isinstance(value, dict) and len(value) > 4:
            after += ["", f"{key}:", "", *[f"- {k}: {_cell(v)}" for k, v in value.items()]]
        else:
            rows.append(f"| {key} | {_cell(value)} |")
    return (rows if len(rows) > 2 else []) + after


def _table(records: list[dict[str, Any]]) -> list[str]:
    columns = list(dict.fromkeys(k for r in records for k in r))
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in records[:MAX_ROWS]:
        out.append("| " + " | ".join(_cell(r.get(c, "")) for c in columns) + " |")
    if len(records) > MAX_ROWS:
        out.append(f"| … {len(records) - MAX_ROWS} more | " + " | " * (len(columns) - 1))
    return out


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value) or "—"
    return str(value).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def headline(data: dict[str, Any]) -> list[str]:
    """One line per section with its decisive figures, then what was lost."""
    out = []
    for key, line in HEADLINES.items():
        records = data["sections"].get(key)
        tests = data["outcomes"].get(key, [])
        if records is None and not tests:
            continue
        failed = [t for t in tests if t["outcome"] == "failed"]
        skipped = [t for t in tests if t["outcome"] == "skipped"]
        text = line(records) if records else "no figures recorded"
        state = f"{len(tests) - len(failed) - len(skipped)}/{len(tests)} tests passed"
        if skipped:
            state += f", {len(skipped)} skipped ({skipped[0]['detail']})"
        out.append(f"**{key}**: {text} ({state})")
    out.append(f"**lost**: {_lost(data)}")
    return out


def _lost(data: dict[str, Any]) -> str:
    kills = data["sections"].get("kills", {})
    disk = data["sections"].get("disk", {})
    broken = sum(int(x.get("kills", 0)) - int(x.get("recovered", 0)) for x in kills.values())
    disk_failures = sum(int(x.get("failures", 0)) for x in disk.values())
    if not kills and not disk:
        return "not measured in this run"
    if broken or disk_failures:
        return f"**{broken} unrecovered kills and {disk_failures} disk problems** (see below)"
    return ("nothing: every kill left a loadable, consistent index and the next update gave the uninterrupted "
            "result; every disk failure kept the previous index; interrupted uploads were set aside, not lost")


def _load(r: dict[str, Any]) -> str:
    x = next(iter(r.values()))
    return (f"{x['users']} users × {x['seconds']:g} s: {x['answered']} questions answered, **{x['errors']} errors**, "
            f"p50 {x['p50_s']:.2f} s, p95 {x['p95_s']:.2f} s; {x['uploads']} uploads and {x['removals']} removals "
            f"meanwhile; server RSS {x['rss_warm_mb']:.0f} MB after warm-up → {x['rss_end_mb']:.0f} MB at the end "
            f"({x['rss_change_pct']:+.1f}%)")


def _kills(r: dict[str, Any]) -> str:
    parts = []
    if "sanad index" in r:
        x = r["sanad index"]
        parts.append(f"**{x['recovered']}/{x['kills']}** kills of `sanad index` recovered (check passed, next index "
                     f"equal to an uninterrupted run; {x['old_kept']} left the old index, "
                     f"{x['new_published']} the new one, {x['broken']} broken)")
    if "sanad serve" in r:
        x = r["sanad serve"]
        parts.append(f"**{x['recovered']}/{x['kills']}** kills of `sanad serve` during an upload recovered")
    return "; ".join(parts)


def _count(r: dict[str, Any], key: str) -> int:
    return sum(int(x.get(key, 0)) for x in r.values())


def _generic(kind: str) -> Callable[[dict[str, Any]], str]:
    def line(r: dict[str, Any]) -> str:
        return f"{_count(r, 'cases'):,} {kind}, **{_count(r, 'failures')} failures**"
    return line


HEADLINES: dict[str, Callable[[dict[str, Any]], str]] = {
    "load": _load,
    "kills": _kills,
    "disk": _generic("full-disk, read-only and concurrent-writer cases"),
    "fuzz": _generic("generated inputs checked"),
    "uploads": _generic("hostile uploads"),
    "questions": _generic("hostile questions"),
    "rendering": _generic("payload renderings checked (payload × view, plus one inertness check per view)"),
    "auth": _generic("route × credential probes"),
}
