"""How much a sentence belongs in its article's summary, and how long a summary people make.

Both are small models fitted on human extractive summaries (EASC, development half; see
``python -m eval.quality.fit_summary``) and stored in ``rag/summary_model.json``: a linear score over a
sentence's position, paragraph start, length and centrality, and a power law from the number of
candidate sentences to the number people pick. Does not choose sentences; see rag/summarize.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.errors import SanadError
from rag.scores import standardise

MODEL_FILE = Path(__file__).with_name("summary_model.json")

FEATURES = ("lead", "position", "first", "paragraph_start", "length", "centrality")


@dataclass(frozen=True)
class LengthModel:
    """Sentences people pick for an article of ``n`` candidate sentences: ``scale * n ** power``.

    ``n`` is clamped to the sizes the model was fitted on, so a very long article does not get a
    summary longer than any seen.
    """

    scale: float = 0.52
    power: float = 0.81
    n_min: int = 1
    n_max: int = 45

    def __call__(self, n: int) -> int:
        if n <= 0:
            return 0
        size = min(max(n, self.n_min), self.n_max)
        return max(1, min(n, round(self.scale * size**self.power)))


@dataclass(frozen=True)
class SentenceModel:
    """A linear score over ``FEATURES`` (see ``features``), and the redundancy penalty of selection."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(FEATURES, 0.0) | {"lead": 1.0})
    bias: float = 0.0
    redundancy: float = 0.2  # MMR trade-off against the sentences already chosen

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown summary features {sorted(unknown)}; known: {list(FEATURES)}")
        if not 0 <= self.redundancy < 1:
            raise ValueError("redundancy must be in [0, 1)")

    def score(self, x: np.ndarray) -> np.ndarray:
        w = np.array([self.weights.get(f, 0.0) for f in FEATURES])
        return np.asarray(x @ w + self.bias, dtype=float)


def features(texts: Sequence[str], paragraph_start: Sequence[bool], vectors: np.ndarray) -> np.ndarray:
    """One row of ``FEATURES`` per candidate sentence, in text order.

    lead = 1 / (1 + rank), position = rank / (n - 1), first = the first candidate: the news lead
    and its decay. paragraph_start: the sentence opens a paragraph. length: log word count,
    standardised within the article. centrality: mean cosine to the article's other candidates,
    standardised within the article (so any embedder's similarity scale works).
    """
    n = len(texts)
    if n == 0:
        return np.zeros((0, len(FEATURES)))
    rank = np.arange(n, dtype=float)
    sims = vectors @ vectors.T
    centrality = (sims.sum(axis=1) - np.diag(sims)) / max(n - 1, 1)
    length = np.log([max(len(t.split()), 1) for t in texts])
    return np.column_stack([
        1.0 / (1.0 + rank),
        rank / max(n - 1, 1),
        (rank == 0).astype(float),
        np.asarray(paragraph_start, dtype=float),
        standardise(length),
        standardise(centrality),
    ])


@dataclass(frozen=True)
class SummaryModel:
    """What ``rag/summary_model.json`` holds: the sentence score and the default length."""

    sentence: SentenceModel = field(default_factory=SentenceModel)
    length: LengthModel = field(default_factory=LengthModel)

    def to_dict(self) -> dict[str, object]:
        return {
            "sentence": {"weights": dict(self.sentence.weights), "bias": self.sentence.bias,
                         "redundancy": self.sentence.redundancy},
            "length": {"scale": self.length.scale, "power": self.length.power, "n_min": self.length.n_min,
                       "n_max": self.length.n_max},
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> SummaryModel:
        s, ln = raw["sentence"], raw["length"]
        assert isinstance(s, Mapping) and isinstance(ln, Mapping)
        return cls(
            SentenceModel(dict(s["weights"]), float(s["bias"]), float(s["redundancy"])),
            LengthModel(float(ln["scale"]), float(ln["power"]), int(ln["n_min"]), int(ln["n_max"])),
        )


def load_model(path: Path = MODEL_FILE) -> SummaryModel:
    """The fitted model that ships in ``rag/summary_model.json``."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return SummaryModel.from_dict(raw["model"])
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise SanadError(f"cannot read the summary model {path} ({exc}); refit it with "
                         "`python -m eval.quality.fit_summary`") from exc
