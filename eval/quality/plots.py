"""The report's PNG plots: Recall@k curves per system, per-language bars, latency distributions.

Matplotlib with the Agg backend (no display needed); imported only when a report is written.
Draws from the figures already computed; computes nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after use("Agg"): the backend must be chosen first

from eval.quality.scoring import dataset_groups, language_groups
from eval.quality.systems import LABELS, RETRIEVAL_SYSTEMS, SYSTEMS

COLORS = dict(zip(SYSTEMS, ["#8c8c8c", "#1f77b4", "#9467bd", "#2ca02c", "#ff7f0e", "#d62728", "#bcbd22", "#e6a0c4",
                           "#17becf"],
                  strict=True))
DPI = 90


def recall_curves(curves: Mapping[str, Mapping[str, Sequence[float]]], path: Path) -> None:
    groups = [g for g in dataset_groups(curves) if curves[g]]
    fig, axes = plt.subplots(1, max(len(groups), 1), figsize=(4.2 * max(len(groups), 1), 3.6), squeeze=False)
    for ax, group in zip(axes[0], groups, strict=False):
        for system, values in curves[group].items():
            ax.plot(range(1, len(values) + 1), values, marker="o", ms=3, label=_label(system), color=COLORS[system])
        ax.set(title=group, xlabel="k (chunks)", ylabel="Recall@k", ylim=(0, 1.02), xticks=range(1, 11))
        ax.grid(alpha=0.3)
    if groups:
        axes[0][0].legend(fontsize=8, loc="lower right")
    _save(fig, path)


def language_bars(figures: Mapping[str, Mapping[str, Mapping[str, float | None]]], path: Path) -> None:
    groups = language_groups(figures)
    panels = [("recall@5", "Recall@5 (gold article in top 5 chunks)", RETRIEVAL_SYSTEMS),
              ("answer_in_first", "gold answer in the first excerpt", SYSTEMS)]
    fig, axes = plt.subplots(1, 2, figsize=(13, 3.8))
    for ax, (metric, title, systems) in zip(axes, panels, strict=True):
        width = 0.8 / len(systems)
        for i, system in enumerate(systems):
            values = [figures[g].get(system, {}).get(metric) or 0.0 for g in groups]
            xs = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(groups))]
            ax.bar(xs, values, width, label=_label(system), color=COLORS[system])
        ax.set(title=title, ylim=(0, 1.05), xticks=range(len(groups)))
        ax.set_xticklabels(groups)
        ax.grid(axis="y", alpha=0.3)
    axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: bars stay visible
    _save(fig, path)


def latency(rows: Sequence[Mapping[str, Any]], path: Path) -> None:
    """Per-question time of each system, one panel per dataset (log scale: ask vs a FAISS lookup)."""
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    fig, axes = plt.subplots(1, max(len(datasets), 1), figsize=(5.2 * max(len(datasets), 1), 3.6), squeeze=False)
    for ax, dataset in zip(axes[0], datasets, strict=False):
        systems = [s for s in SYSTEMS if any(s in r["ms"] for r in rows if r["dataset"] == dataset)]
        data = [[r["ms"][s] for r in rows if r["dataset"] == dataset and s in r["ms"]] for s in systems]
        box = ax.boxplot(data, orientation="horizontal", showfliers=False, patch_artist=True)
        for patch, system in zip(box["boxes"], systems, strict=True):
            patch.set_facecolor(COLORS[system])
        ax.set_yticks(range(1, len(systems) + 1), [_label(s) for s in systems], fontsize=8)
        ax.set(title=dataset, xlabel="ms per question (in-process)", xscale="log")
        ax.grid(axis="x", alpha=0.3)
    _save(fig, path)


def reliability(rows: Sequence[Mapping[str, Any]], path: Path, bins: int = 10) -> None:
    """Reliability of each reader's probability for its first excerpt: per probability bin, how often
    that excerpt holds a gold answer (unanswerable questions count as never), one line per dataset."""
    systems = sorted({s for r in rows for s in r.get("confidence", {})})
    fig, axes = plt.subplots(1, max(len(systems), 1), figsize=(4.6 * max(len(systems), 1), 4.0), squeeze=False)
    edges = [i / bins for i in range(bins + 1)]
    for ax, system in zip(axes[0], systems, strict=False):
        for dataset in dict.fromkeys(r["dataset"] for r in rows):
            pairs = [(r["confidence"][system], bool(r["answerable"] and r["answer_in_first"].get(system)))
                     for r in rows if r["dataset"] == dataset and system in r.get("confidence", {})]
            xs, ys = [], []
            for lo, hi in pairwise(edges):
                inside = [hit for p, hit in pairs if lo <= p < hi or (hi == 1.0 and p == 1.0)]
                if inside:
                    xs.append((lo + hi) / 2)
                    ys.append(sum(inside) / len(inside))
            if xs:
                ax.plot(xs, ys, marker="o", ms=3, label=f"{dataset} ({len(pairs)})")
        ax.plot([0, 1], [0, 1], color="#8c8c8c", lw=0.8, ls="--")
        ax.set(title=f"{system}: probability vs answer in first excerpt", xlabel="reader probability (bin centre)",
               ylabel="observed share", xlim=(0, 1), ylim=(0, 1.02))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    _save(fig, path)


def _label(system: str) -> str:
    return LABELS[system].replace("`", "")


def _save(fig: Any, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
