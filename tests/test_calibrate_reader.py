"""rag/reading/training/calibrate.py's fit on made-up runs: what it records is what the reader reads back.

The runs are synthetic (a real collection takes ~12 minutes to read); the fitting, the metadata
file and the reader's parsing of it are the real code.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from rag.reading.shipped import WEIGHTS, Meta
from rag.reading.training.calibrate import Run, fit, write_calibration


def _runs(seed: int = 0) -> list[Run]:
    """Half the questions answerable (the answer at a random place, read higher), half not; most pools
    of 12 sentences, some of 5 (a scope with few sentences)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(240):
        n = 5 if i % 10 == 0 else 12
        answerable = i % 2 == 0
        labels = np.zeros(n)
        logits = rng.normal(-3.0, 1.0, n)
        if answerable:
            at = int(rng.integers(n))
            labels[at] = 1.0
            logits[at] += 4.0
        out.append(Run(f"q{i // 2}-{i % 2}", answerable, logits, labels, labels * 0.9,
                       rng.uniform(0, 1, n), np.sort(rng.uniform(0, 1, n))[::-1]))
    return out


def test_the_fit_records_the_pool_it_was_fitted_on_and_the_reader_reads_it_back(tmp_path: Path) -> None:
    fitted = fit(_runs(), "e5-small")
    assert fitted.pool == 12
    assert fitted.slope > 0  # higher logits hold the answer more often
    assert fitted.figures["runs"] == 240.0
    folder = tmp_path / "reader"
    shutil.copytree(WEIGHTS, folder, ignore=shutil.ignore_patterns("*.safetensors"))
    write_calibration(folder, fitted)
    meta = Meta.read(folder)
    assert meta.calibrated_pool == 12
    assert (meta.slope, meta.intercept) == (fitted.slope, fitted.intercept)
    assert meta.abstention is not None and meta.abstention.embedder == "e5-small"
    assert json.loads((folder / "reader.json").read_text(encoding="utf-8"))["calibration"]["pool"] == 12


def test_a_smaller_pool_is_recorded_as_such(tmp_path: Path) -> None:
    runs = [Run(r.question, r.answerable, r.logits[:6], r.labels[:6], r.phrase_f1[:6], r.span_probability[:6],
                r.first_stage[:6]) for r in _runs(1)]
    assert fit(runs, "e5-small").pool == 6
