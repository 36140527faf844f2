"""``sanad eval``: evaluate, write report.md, results.json, questions.jsonl and the plots, check floors.

The subcommand's body: ui/cli.py parses the flags and calls ``run(args)``. Reports go to
``eval/reports/<date>-<commit>/`` unless ``--out`` is given; indexes to the cache (rag/index_cache.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from eval.quality import datasets, easc, floors
from eval.quality.easc_eval import evaluate_easc
from eval.quality.evaluate import evaluate
from index.embed import get_embedder
from index.errors import SanadError
from index.milvus import MilvusStore
from rag.index_cache import cache_root

log = logging.getLogger(__name__)

REPORTS = datasets.EVAL / "reports"
SCHEMA = 1


def git_commit(repo: Path = datasets.EVAL.parent) -> tuple[str, bool]:
    """(short commit, uncommitted changes to tracked files), or ("nogit", False) outside a checkout."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return "nogit", False
        # --no-optional-locks: a read-only status that never refreshes .git/index.
        status = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],
                                cwd=repo, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "nogit", False
    return head.stdout.strip() or "nogit", bool(status.stdout.strip())


def _rounded(value: Any) -> Any:
    """Floats to 4 decimals, recursively: the JSON stays readable and diffable."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def run(args: argparse.Namespace, *, floors_path: Path = floors.FLOORS) -> int:
    """Evaluate ``args.dataset``; exit code 1 when ``--check-floors`` finds a figure below its floor."""
    started = time.perf_counter()
    if args.limit is not None and args.limit < 1:
        raise SanadError("--limit must be at least 1")
    sample = datasets.ANSWER_SAMPLE if args.answer_sample is None else args.answer_sample
    if sample is not None and sample < 1:
        raise SanadError("--answer-sample must be at least 1")
    qa = [] if args.dataset == easc.NAME else datasets.names(args.dataset)
    loaded = [datasets.load(name, limit=args.limit, answer_sample=sample) for name in qa]
    embedder = get_embedder(args.embedder)
    commit, dirty = git_commit()
    today = date.today().isoformat()
    out: Path = args.out or REPORTS / f"{today}-{commit}"
    readers = {"sanad": args.reader, "scorer": "none"}
    if args.st_reader:
        readers["st"] = args.st_reader if args.st_reader.startswith("st:") else f"st:{args.st_reader}"
    store = args.index_dir if getattr(args, "store", None) else None  # the CLI parsed --store
    if store is not None and not isinstance(store, MilvusStore):
        raise SanadError("eval --store takes a Milvus store (milvus:PATH.db or a server URI)")
    evaluation = evaluate(loaded, embedder, cache_root(args.cache_dir), readers, store)
    benchmarks: dict[str, Any] = {}
    if args.dataset == easc.NAME or (args.dataset == "all" and easc.available()):
        benchmarks[easc.NAME] = evaluate_easc(embedder, cache_root(args.cache_dir))
    elif args.dataset == "all":
        print(f"sanad eval: {easc.NAME} skipped: no file at {easc.location()} (it is read from ../shared/)",
              file=sys.stderr)
    command = f"sanad eval --dataset {args.dataset}" + (f" --limit {args.limit}" if args.limit else "")
    command += f" --answer-sample {args.answer_sample}" if args.answer_sample is not None else ""
    command += f" --reader {args.reader}" if args.reader != "sanad" else ""
    command += f" --st-reader {args.st_reader}" if args.st_reader else ""
    command += f" --store {store}" if store is not None else ""
    results = _rounded({
        "schema": SCHEMA,
        "run": {"date": today, "commit": commit, "dirty": dirty, "command": command, "limit": args.limit,
                "seconds": time.perf_counter() - started, "python": platform.python_version(),
                "machine": platform.machine()},
        "settings": {"embedder": embedder.name, "model_id": embedder.model_id, "dim": embedder.dim,
                     "answer_sample": sample, "nogold_sample": datasets.NOGOLD_SAMPLE,
                     "sample_seed": datasets.SAMPLE_SEED,
                     **evaluation.settings},
        "datasets": evaluation.datasets,
        "indexes": evaluation.indexes,
        "figures": evaluation.figures,
        "curves": evaluation.curves,
        "summaries_per_doc": evaluation.summaries_per_doc,
        "summary_benchmarks": benchmarks,
    })
    write(out, results, evaluation.rows)
    print(f"report written to {out / 'report.md'} ({results['run']['seconds']:.0f} s)")
    if not args.check_floors:
        return 0
    wanted = floors.read(floors_path)
    shortfalls = floors.check(results["figures"], wanted)
    for shortfall in shortfalls:
        print(f"sanad eval: below floor: {shortfall}", file=sys.stderr)
    checked = sum(k.split(":", 1)[0] in results["figures"] for k in wanted)
    if shortfalls:
        print(f"sanad eval: {len(shortfalls)} of {checked} floors not met (see {floors_path})", file=sys.stderr)
        return 1
    print(f"all {checked} floors met ({floors_path})")
    return 0


def write(out: Path, results: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """results.json, questions.jsonl, the three PNGs and report.md into ``out``."""
    try:
        from eval.quality import plots
    except ImportError as exc:
        raise SanadError(f"plots need matplotlib ({exc}); pip install -e '.[eval]'") from exc
    from eval.quality.report import render

    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    lines = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in rows)
    (out / "questions.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    plots.recall_curves(results["curves"], out / "recall_at_k.png")
    plots.language_bars(results["figures"], out / "by_language.png")
    plots.latency(rows, out / "latency.png")
    plots.reliability(rows, out / "reliability.png")
    (out / "report.md").write_text(render(results), encoding="utf-8")
