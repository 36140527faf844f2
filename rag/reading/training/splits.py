"""Which parts of XQuAD and ARCD train the reader and which measure it: whole articles, fixed seed.

The reader's training (data.py) and the evaluation (eval/quality/datasets.py) both read the split
from here, so a question the reader was trained on is never counted as held out.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "eval" / "data"  # the files stay with the evaluation
XQUAD_DIR = DATA / "xquad"
ARCD_FILE = DATA / "arcd" / "arcd-train.json"
SPLIT_SEED = 7
XQUAD_VALIDATION_SHARE = 0.25  # of the 48 topics (Wikipedia articles)
ARCD_FOLDS = 5
ARCD_HELD_OUT = 0  # the fold the shipped reader never sees


@cache
def xquad_validation_topics(folder: Path = XQUAD_DIR) -> frozenset[str]:
    """The XQuAD topics held out for validation."""
    raw = json.loads((folder / "xquad.ar.json").read_text(encoding="utf-8"))
    topics = [a["title"] for a in raw["data"]]
    return frozenset(random.Random(SPLIT_SEED).sample(topics, round(len(topics) * XQUAD_VALIDATION_SHARE)))


def arcd_fold(title: str, titles: Sequence[str]) -> int:
    """The cross-validation fold of an ARCD article among ``titles`` (all the file's articles)."""
    order = sorted(titles)
    random.Random(SPLIT_SEED).shuffle(order)
    return order.index(title) % ARCD_FOLDS
