"""When to say "the articles do not say": a logistic model over the best sentence's evidence.

Two kinds share it: the first-stage model (over the scorer's features of its best sentence, one
per embedder, below) and the reader's (over ``reader_evidence``, stored with the reader's
calibration by ``rag/reading/training/calibrate.py``).

The weights and the threshold are fitted on data (``fit_model``, offline only) by
``eval/quality/calibrate_abstention.py`` (XQuAD questions asked with and without their gold
paragraph) and stored in ``rag/abstention.json``, one model per embedder: the evidence includes
raw similarities, whose scale is the embedder's own.
Nothing here is set by hand.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MODEL_FILE = Path(__file__).with_name("abstention.json")
READER_EVIDENCE = ("best", "gap", "first", "first_lead")


@dataclass(frozen=True)
class AbstentionModel:
    """p(answerable) = sigmoid(w · standardised features + b); abstain below ``threshold``."""

    embedder: str  # registry name of the embedder whose similarities it was fitted on
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    fitted_on: str = ""

    def probability(self, evidence: Mapping[str, float]) -> float:
        """p(answerable) from the evidence, of which the model uses the ``features`` it was fitted on."""
        x = [(evidence[f] - m) / s for f, m, s in zip(self.features, self.mean, self.scale, strict=True)]
        t = self.bias + sum(w * xi for w, xi in zip(self.weights, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(t, 50.0), -50.0)))

    def abstain(self, evidence: Mapping[str, float]) -> bool:
        return self.probability(evidence) < self.threshold

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> AbstentionModel:
        """From its JSON form (lists for tuples; keys beyond the fields, such as notes, ignored)."""
        names = {f.name for f in fields(cls)}
        data: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in names}
        return cls(**data)

    @classmethod
    def load(cls, embedder: str, path: Path = MODEL_FILE) -> AbstentionModel | None:
        """The model fitted for ``embedder``, or None when none was."""
        return next((cls.from_dict(raw) for raw in _read(path) if raw["embedder"] == embedder), None)

    def save(self, path: Path = MODEL_FILE) -> None:
        """Write this model into ``path``, replacing an older one for the same embedder."""
        models = [m for m in _read(path) if m["embedder"] != self.embedder] + [asdict(self)]
        path.write_text(json.dumps({"models": models}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 4000) -> tuple[np.ndarray, float]:
    """Plain gradient descent on the log loss (no scikit-learn dependency for ~1,000 rows)."""
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= 0.5 * (x.T @ (p - y) / len(y) + l2 * w)
        b -= 0.5 * float((p - y).mean())
    return w, b


def fit_model(x: np.ndarray, answerable: np.ndarray, features: tuple[str, ...], embedder: str, fitted_on: str,
              false_abstention: float) -> AbstentionModel:
    """A logistic model of answerability over the standardised ``features`` (columns of ``x``), its
    threshold set so that ``false_abstention`` of the answerable rows abstain; values rounded to 6
    places for the JSON it is stored in."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    w, b = fit_logistic((x - mean) / scale, answerable.astype(float))
    p = 1 / (1 + np.exp(-(((x - mean) / scale) @ w + b)))
    threshold = float(np.quantile(p[answerable], false_abstention))

    def rounded(v: np.ndarray) -> tuple[float, ...]:
        return tuple(round(float(t), 6) for t in v)

    return AbstentionModel(embedder, features, rounded(mean), rounded(scale), rounded(w), round(float(b), 6),
                           round(threshold, 6), fitted_on)


def reader_evidence(probabilities: npt.ArrayLike, first_stage: npt.ArrayLike) -> dict[str, float]:
    """What the reader's abstention model may use, from the pool the reader read (``first_stage``:
    the pool's first-stage scores, best first): the reader's best log-odds and its lead over the
    second, and the first-stage best score and its lead over the pool's median. A question the
    articles do not answer tends to get many middling candidates rather than one clear one."""
    p = np.clip(np.sort(np.asarray(probabilities, dtype=float))[::-1], 1e-9, 1 - 1e-9)
    odds = np.log(p / (1 - p))
    first = np.asarray(first_stage, dtype=float)
    return {"best": float(odds[0]), "gap": float(odds[0] - odds[1]) if len(odds) > 1 else 0.0,
            "first": float(first[0]), "first_lead": float(first[0] - np.median(first))}


def _read(path: Path) -> list[dict]:  # type: ignore[type-arg]
    if not path.exists():
        return []
    return list(json.loads(path.read_text(encoding="utf-8"))["models"])
