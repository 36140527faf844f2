"""SIGKILL of the real ``sanad index`` at random points of an update: the index always opens, passes
``sanad check`` (a Milvus Lite store: opens whole), and the next ``sanad index`` gives exactly what an
uninterrupted run gives.

CI runs a few kills (``--reliability ci``); ``python -m eval.reliability`` runs fifty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eval.reliability.kills import Target, kill_campaign
from eval.reliability.results import Results
from eval.reliability.scale import Scale
from index.embed import Embedder
from index.milvus import MilvusStore
from index.stores import parse_store
from rag.pipeline import Pipeline

pytestmark = [pytest.mark.slow, pytest.mark.reliability("kills")]

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))


def excerpt(source: Path, lines: int, extra: str = "") -> str:
    return "\n".join(source.read_text(encoding="utf-8").splitlines()[:lines]) + "\n" + extra


def campaign(tmp_path: Path, e5: Embedder, scale: Scale, target: Target) -> dict[str, Any]:
    """Index three excerpts into ``target``'s start folder, change the corpus, then kill its updates."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEEDS[:3]:
        (corpus / path.name).write_text(excerpt(path, 5), encoding="utf-8")
    start = tmp_path / "start"
    store = parse_store(target.args(start)[1])
    Pipeline(store, e5).index([corpus])
    if isinstance(store, MilvusStore):
        store.close()  # Milvus Lite: the trials' `sanad index` processes open the file
    # The update: one article edited, one deleted, one added (every kind of change at once).
    (corpus / SEEDS[0].name).write_text(excerpt(SEEDS[0], 5, "سطر إضافي للتحديث.\n"), encoding="utf-8")
    (corpus / SEEDS[1].name).unlink()
    (corpus / SEEDS[3].name).write_text(excerpt(SEEDS[3], 12), encoding="utf-8")
    figures = kill_campaign(start, corpus, tmp_path / "work", scale.kills, target=target)
    broken = [t for t in figures["trials"] if not t["recovered"]]
    assert not broken, broken
    assert figures["killed mid-run"] == figures["kills"], "some kills came after the update had finished"
    return figures


def test_sigkill_during_an_update_always_recovers(
    tmp_path: Path, e5: Embedder, scale: Scale, reliability: Results
) -> None:
    reliability.record("kills", "sanad index", campaign(tmp_path, e5, scale, Target()))


def test_sigkill_during_a_milvus_lite_update_always_recovers(
    tmp_path: Path, e5: Embedder, scale: Scale, reliability: Results
) -> None:
    """The same with ``--store milvus:...``: the alias names the old version or the whole new one."""
    reliability.record("kills", "sanad index --store milvus:", campaign(tmp_path, e5, scale, Target(milvus=True)))
