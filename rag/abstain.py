"""When to say "the articles do not say": a logistic model over the best sentence's evidence.

The weights and the threshold are fitted on data by ``eval/calibrate_abstention.py`` (XQuAD
questions asked with and without their gold paragraph) and stored in ``rag/abstention.json``, one
model per embedder: the evidence includes raw similarities, whose scale is the embedder's own.
Nothing here is set by hand.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("abstention.json")


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
    def load(cls, embedder: str, path: Path = MODEL_FILE) -> AbstentionModel | None:
        """The model fitted for ``embedder``, or None when none was."""
        for raw in _read(path):
            if raw["embedder"] == embedder:
                for key in ("features", "mean", "scale", "weights"):
                    raw[key] = tuple(raw[key])
                return cls(**raw)
        return None

    def save(self, path: Path = MODEL_FILE) -> None:
        """Write this model into ``path``, replacing an older one for the same embedder."""
        models = [m for m in _read(path) if m["embedder"] != self.embedder] + [asdict(self)]
        path.write_text(json.dumps({"models": models}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _read(path: Path) -> list[dict]:  # type: ignore[type-arg]
    if not path.exists():
        return []
    return list(json.loads(path.read_text(encoding="utf-8"))["models"])
