"""The reader/first-stage fusion that orders ``ask``'s pool."""

from __future__ import annotations

import numpy as np

from rag.scores import fused


def test_zero_weight_keeps_the_readers_probabilities() -> None:
    p = [0.9, 0.2, 0.5]
    assert np.allclose(fused(p, [3.0, 9.0, 1.0], 0.0), p)


def test_the_first_stage_decides_between_equal_readings_and_yields_to_a_clear_one() -> None:
    assert np.argmax(fused([0.3, 0.3, 0.3], [1.0, 5.0, 2.0], 0.5)) == 1
    assert np.argmax(fused([0.95, 0.05, 0.3], [1.0, 5.0, 2.0], 0.5)) == 0


def test_a_flat_first_stage_changes_nothing_and_extremes_stay_finite() -> None:
    out = fused([1.0, 0.0, 0.4], [2.0, 2.0, 2.0], 3.0)
    assert np.all(np.isfinite(out)) and np.argmax(out) == 0 and np.isclose(out[2], 0.4)
