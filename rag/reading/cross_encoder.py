"""Any sentence-transformers ``CrossEncoder`` as a reader (``--reader st:NAME``), e.g. a
multilingual reranker the user has locally (bge-reranker-v2-m3).

Its scores go through the model's own activation (a sigmoid for one-label rerankers), which
ranks but is not calibrated for this task: unless a calibration was fitted for it
(``python -m rag.reading.training.calibrate --reader st:NAME``), ``ask`` keeps the first-stage abstention.
Gives no answer phrase.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from index.errors import ReaderError
from rag.reading.base import Passage, Reading
from rag.reading.calibrations import fitted


class CrossEncoderReader:
    def __init__(self, model: str) -> None:
        self.name = f"st:{model}"
        try:
            from sentence_transformers import CrossEncoder
        except ImportError as exc:
            raise ReaderError(f"sentence-transformers is not installed ({exc})") from exc
        try:
            self._model = CrossEncoder(model, device="cpu")
        except Exception as exc:  # hub, file-system and config errors all arrive here
            raise ReaderError(
                f"could not load cross-encoder {model!r}: {exc}. Give a local model folder or a Hugging Face "
                "model name reachable from this machine."
            ) from exc
        self.calibration = fitted(self.name)
        self.abstention = self.calibration.abstention if self.calibration else None
        self.first_stage_weight = self.calibration.first_stage_weight if self.calibration else 0.0
        self.calibrated_pool = self.calibration.pool if self.calibration else None
        self._lock = threading.Lock()

    def read(self, question: str, passages: Sequence[Passage]) -> list[Reading]:
        if not passages:
            return []
        if self.calibration is None:
            return [Reading(float(s)) for s in self._scores(question, passages)]
        return [Reading(self.calibration.probability(float(x))) for x in self.raw_logits(question, passages)]

    def raw_logits(self, question: str, passages: Sequence[Passage]) -> np.ndarray:
        """The model's scores as logits, before any calibration (what calibration is fitted on)."""
        p = np.clip(self._scores(question, passages), 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))

    def _scores(self, question: str, passages: Sequence[Passage]) -> np.ndarray:
        """The model's own scores (after its activation), one per passage."""
        with self._lock:
            scores = np.asarray(self._model.predict([(question, p.sentence) for p in passages], batch_size=32,
                                                    show_progress_bar=False), dtype=float)
        return scores[:, -1] if scores.ndim > 1 else scores  # several labels: the last is "relevant"
