"""The abstention model file: one fitted model per embedder, and what happens without one."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from index.embed import Embedder
from rag.abstain import MODEL_FILE, AbstentionModel
from rag.pipeline import Pipeline


def test_the_shipped_file_has_a_model_for_the_default_embedder() -> None:
    model = AbstentionModel.load("e5-small")
    assert model is not None and model.embedder == "e5-small"
    assert 0 < model.threshold < 1 and len(model.features) == len(model.weights) == len(model.mean)
    assert AbstentionModel.load("st:some/other-model") is None


def test_save_replaces_the_same_embedders_model_and_keeps_the_others(tmp_path: Path) -> None:
    shipped = AbstentionModel.load("e5-small", MODEL_FILE)
    assert shipped is not None
    path = tmp_path / "abstention.json"
    shipped.save(path)
    replace(shipped, embedder="minilm", threshold=0.5).save(path)
    replace(shipped, threshold=0.4).save(path)
    assert AbstentionModel.load("e5-small", path) == replace(shipped, threshold=0.4)
    assert AbstentionModel.load("minilm", path) == replace(shipped, embedder="minilm", threshold=0.5)


def test_an_embedder_without_a_model_answers_and_says_how_to_fit_one(
    tmp_path: Path, minilm: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "alpha.txt").write_text("Alpha Base\nThe alpha base has twelve hangars.\n", encoding="utf-8")
    pipeline = Pipeline(tmp_path / "index", minilm)
    pipeline.index([corpus])
    with caplog.at_level(logging.WARNING, logger="rag.stages.abstention"):
        answers = [pipeline.ask(q) for q in ("How many hangars does the alpha base have?", "Who won the cup?")]
    assert not any(a.abstained for a in answers)
    assert answers[0].citations[0].text == "The alpha base has twelve hangars."
    warnings = [r.getMessage() for r in caplog.records if "abstention" in r.getMessage()]
    assert len(warnings) == 1 and "calibrate_abstention --embedder minilm" in warnings[0]
