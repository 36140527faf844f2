"""``python -m eval.reliability``: run the reliability tests at full scale and write the report.

Runs every test marked ``reliability`` (load, kills, full disk, fuzzing, hostile uploads and
questions, rendering in Chromium, auth) with ``--reliability full``: 20 users for 60 s, 50 kills of
``sanad index``, 5 of ``sanad serve``, 2,000 examples per property. Writes report.md and
results.json to eval/reports/reliability/ (the committed, latest report) unless ``--out`` says
otherwise. Needs the test extras (``scripts/setup.sh test,eval``) and Debian's chromium; the
full-disk tests need root to mount a small tmpfs and are skipped, with the reason, without it.
Takes about half an hour on two CPUs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from eval.reliability.report import render
from eval.reliability.results import REPORT_FILE, RESULTS_FILE
from eval.reliability.scale import SCALES

ROOT = Path(__file__).resolve().parents[2]
REPORT_DIR = ROOT / "eval" / "reports" / "reliability"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.reliability", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full", help="full (default) or ci")
    parser.add_argument("--out", type=Path, default=REPORT_DIR, help="report folder (default %(default)s)")
    parser.add_argument("--render-only", action="store_true", help="rewrite report.md from the folder's results.json")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments, e.g. -k kills")
    args = parser.parse_args(argv)
    if args.render_only:
        data = json.loads((args.out / RESULTS_FILE).read_text(encoding="utf-8"))
        (args.out / REPORT_FILE).write_text(render(data), encoding="utf-8")
        return 0
    command = [
        sys.executable, "-m", "pytest", "-m", "reliability", "-q",
        f"--reliability={args.scale}", f"--reliability-out={args.out}", *args.pytest_args,
    ]
    code = subprocess.call(command, cwd=ROOT)
    print(f"report: {args.out / 'report.md'}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
