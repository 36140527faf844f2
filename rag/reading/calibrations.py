"""Calibrations fitted for readers other than the shipped one (e.g. ``st:`` cross-encoders), by name.

``python -m rag.reading.training.calibrate --reader st:NAME`` writes them into
``rag/reading/calibrations.json``: Platt scaling of the model's score, the weight of the
first-stage ranking beside it and the abstention model. A reader without one keeps its own
scores and the first-stage abstention model.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from rag.abstain import AbstentionModel

CALIBRATIONS = Path(__file__).with_name("calibrations.json")


@dataclass(frozen=True)
class Calibration:
    slope: float
    intercept: float
    first_stage_weight: float  # see rag.reading.base.Reader.first_stage_weight
    abstention: AbstentionModel
    pool: int | None = None  # see rag.reading.base.Reader.calibrated_pool; None in files written before it was recorded

    def probability(self, logit: float) -> float:
        return 1.0 / (1.0 + math.exp(-max(min(self.slope * logit + self.intercept, 50.0), -50.0)))


def fitted(reader: str, path: Path = CALIBRATIONS) -> Calibration | None:
    if not path.exists():
        return None
    raw = json.loads(path.read_text(encoding="utf-8")).get(reader)
    if not raw:
        return None
    return Calibration(raw["slope"], raw["intercept"], raw["first_stage_weight"],
                       AbstentionModel.from_dict(raw["abstention"]), raw.get("pool"))


def save(reader: str, calibration: Calibration, path: Path = CALIBRATIONS) -> None:
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[reader] = asdict(calibration)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
