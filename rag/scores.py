"""Score normalisations shared by retrieval, answers and summaries."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def standardise(x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """z-scores of ``x``, with mean and spread taken over ``mask`` (all entries when None or empty)."""
    ref = x[mask] if mask is not None and mask.any() else x
    return (x - ref.mean()) / (float(ref.std()) or 1.0)


def rescale(x: np.ndarray, flat: float = 0.0) -> np.ndarray:
    """Min-max to 0..1 (embedding cosines crowd into a narrow band); a constant ``x`` maps to ``flat``."""
    lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
    return (x - lo) / (hi - lo) if hi > lo else np.full_like(x, flat, dtype=float)


def fused(probabilities: npt.ArrayLike, first_stage: npt.ArrayLike, weight: float) -> np.ndarray:
    """The reader's log-odds plus ``weight`` times the first-stage scores standardised within the
    pool, as probabilities: the order ``ask`` cites in (see rag.reading.base.Reader.first_stage_weight)."""
    p = np.clip(np.asarray(probabilities, dtype=float), 1e-9, 1 - 1e-9)
    z = standardise(np.asarray(first_stage, dtype=float)) if weight else 0.0
    return 1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) + weight * z)))
