"""The options of ``sanad bench`` / ``python -m eval.bench.run``.

Kept free of heavy imports: ui/cli.py builds its parser from them, and ``sanad --help`` stays instant.
"""

from __future__ import annotations

import argparse
from pathlib import Path

SECTIONS = ("ask", "langchain", "serve", "scale")  # indexing always runs: the others use its index
DEFAULT_SCALE = "10000,100000,1000000"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="report folder (default eval/reports/bench-<date>-<commit>)")
    parser.add_argument("--corpus", type=Path, default=SEEDS, help="folder to index (default seeds/)")
    parser.add_argument("--scale", default=DEFAULT_SCALE, help=f"chunk counts (default {DEFAULT_SCALE})")
    parser.add_argument("--xquad-questions", type=int, default=300, help="XQuAD-ar questions asked (default 300)")
    parser.add_argument("--skip", action="append", default=[], choices=SECTIONS, help="leave out a section")
    parser.add_argument("--workdir", type=Path, default=None, help="where temporary indexes go (default: a temp dir)")
