"""Committed minimums for the evaluation figures (eval/quality/floors.json) and the check CI runs against them.

A floor is a measured value minus a margin, rounded down, so never above what was measured. Only
figures where higher is better get one (latency depends on the machine), only for the project's
own systems, and only for whole datasets (a per-language group of ~35 questions moves 0.03 per
question; ``/answered`` repeats its dataset on fewer questions). After a deliberate change, regenerate from a full run:
``python -m eval.quality.floors eval/reports/<run>/results.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import SanadError

FLOORS = Path(__file__).with_name("floors.json")
MARGIN = 0.03
GATED_SYSTEMS = frozenset({"hybrid", "sanad"})
HIGHER_IS_BETTER = frozenset({
    "recall@1", "recall@5", "recall@10", "mrr", "ndcg@10",
    "answer_in_first", "answer_in_top3", "token_f1", "citation_exact", "citation_support",
    "abstain_precision", "abstain_recall", "abstain_f1",
    "keyfact_coverage", "rouge1", "rouge2", "rougeL",
})
SUBGROUPS = ("/ar", "/en", "/answered")  # per-language and sample subgroups: too small or duplicated

FigureTable = Mapping[str, Mapping[str, Mapping[str, float | None]]]  # group -> system -> metric


def name(group: str, system: str, metric: str) -> str:
    return f"{group}:{system}:{metric}"


def flatten(figures: FigureTable) -> dict[str, float | None]:
    return {name(g, s, m): v for g, systems in figures.items() for s, ms in systems.items() for m, v in ms.items()}


@dataclass(frozen=True)
class Shortfall:
    """A figure below its floor, or missing from a group that was evaluated."""

    figure: str
    value: float | None
    floor: float

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.figure} was not measured (floor {self.floor:.3f})"
        return f"{self.figure} = {self.value:.3f} is below its floor {self.floor:.3f}"


def check(figures: FigureTable, floors: Mapping[str, float]) -> list[Shortfall]:
    """Every floor of an evaluated group whose figure is lower or missing; other groups are skipped."""
    flat = flatten(figures)
    out = []
    for figure, floor in sorted(floors.items()):
        if figure.split(":", 1)[0] not in figures:
            continue  # that dataset was not part of this run
        value = flat.get(figure)
        if value is None or value < floor - 1e-9:
            out.append(Shortfall(figure, value, floor))
    return out


def derive(figures: FigureTable, margin: float = MARGIN) -> dict[str, float]:
    """Floors for the gated figures: value - margin, rounded down to 3 decimals, at least 0."""
    out = {}
    for group, systems in figures.items():
        if group.endswith(SUBGROUPS):
            continue
        for system, values in systems.items():
            if system not in GATED_SYSTEMS:
                continue
            for metric, value in values.items():
                if metric in HIGHER_IS_BETTER and value is not None:
                    out[name(group, system, metric)] = max(0.0, math.floor((value - margin) * 1000) / 1000)
    return dict(sorted(out.items()))


def read(path: Path = FLOORS) -> dict[str, float]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SanadError(f"cannot read floors {path}: {exc}; "
                         "write them with `python -m eval.quality.floors RESULTS`") from exc
    return {k: float(v) for k, v in raw["floors"].items()}


def write(path: Path, floors: Mapping[str, float], source: str, margin: float) -> None:
    doc: dict[str, Any] = {
        "about": "Minimums checked by `sanad eval --check-floors`: measured values minus the margin. "
                 "Regenerate with `python -m eval.quality.floors eval/reports/<run>/results.json`.",
        "margin": margin,
        "measured_in": source,
        "floors": dict(sorted(floors.items())),
    }
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m eval.quality.floors RESULTS.json``: update the floors of the groups that run measured."""
    parser = argparse.ArgumentParser(prog="python -m eval.quality.floors", description=main.__doc__)
    parser.add_argument("results", type=Path, help="results.json of an evaluation run")
    parser.add_argument("--margin", type=float, default=MARGIN, help="subtracted from each value (%(default)s)")
    parser.add_argument("--out", type=Path, default=FLOORS, help="floors file (default %(default)s)")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    if results["run"].get("limit") is not None:
        print(f"refusing: {args.results} is a --limit run; floors come from full datasets", file=sys.stderr)
        return 1
    figures = results["figures"]
    kept = {k: v for k, v in (read(args.out) if args.out.exists() else {}).items()
            if k.split(":", 1)[0] not in figures}
    floors = {**kept, **derive(figures, args.margin)}
    write(args.out, floors, str(args.results.parent.name), args.margin)
    print(f"{len(floors) - len(kept)} floors from {args.results}, {len(kept)} kept -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
