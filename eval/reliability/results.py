"""Figures the reliability tests record, and each test's outcome, gathered into one results.json.

Does not format anything; see eval/reliability/report.py for the Markdown.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.reliability.scale import Scale

RESULTS_FILE = "results.json"
REPORT_FILE = "report.md"


def _load() -> str:
    """The 1, 5 and 15 minute load averages: how busy the machine was while timings were taken."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


@dataclass
class Outcome:
    """How one test ended: passed, failed (with the first line of why) or skipped (with the reason)."""

    test: str
    outcome: str
    detail: str = ""


@dataclass
class Results:
    """Sections of named figures (``record``) plus per-section test outcomes (``outcome``)."""

    scale: Scale
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    machine: dict[str, Any] = field(default_factory=lambda: {"cpus": os.cpu_count(), "load at start": _load()})
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, section: str, name: str, figures: dict[str, Any]) -> None:
        """Keep ``figures`` under ``section``/``name`` (a later record of the same name replaces it)."""
        with self._lock:
            self.sections.setdefault(section, {})[name] = figures

    def outcome(self, section: str, test: str, outcome: str, detail: str = "") -> None:
        with self._lock:
            self.outcomes.setdefault(section, []).append(Outcome(test, outcome, detail))

    def empty(self) -> bool:
        return not self.sections and not self.outcomes

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": asdict(self.scale),
            "started": self.started,
            "machine": {**self.machine, "load at end": _load()},
            "sections": self.sections,
            "outcomes": {s: [asdict(o) for o in items] for s, items in self.outcomes.items()},
        }

    def write(self, out_dir: Path, commit: str = "") -> Path:
        """Write results.json and report.md into ``out_dir``; returns the report's path."""
        from eval.reliability.report import render

        out_dir.mkdir(parents=True, exist_ok=True)
        data = {**self.to_dict(), "commit": commit}
        (out_dir / RESULTS_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        report = out_dir / REPORT_FILE
        report.write_text(render(data), encoding="utf-8")
        return report
