"""Shared fixtures: the real embedding models and a real index over the seeds, built once per session."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from index.embed import Embedder, get_embedder
from rag.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def pytest_configure(config: pytest.Config) -> None:
    """Let the Ctrl-C tests deliver Ctrl-C even when pytest itself runs in the background.

    A shell starts background jobs (``nohup … &``, some CI runners) with SIGINT ignored, and child
    processes inherit that, so a server these tests interrupt would never see the signal. A user's
    terminal delivers it; restoring Python's default handler here makes the children do the same
    (a handled signal is reset to its default in a child process, an ignored one is not).
    """
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def e5() -> Embedder:
    return get_embedder("e5-small")


@pytest.fixture(scope="session")
def minilm() -> Embedder:
    return get_embedder("minilm")


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, e5: Embedder) -> Path:
    """A real index (FAISS + SQLite + BM25, real e5 vectors) over a copy of the seeds."""
    corpus = tmp_path_factory.mktemp("seed-corpus")
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    index_dir = tmp_path_factory.mktemp("seed-index")
    report = Pipeline(index_dir, e5).index([corpus])
    assert len(report.added) == 5 and not report.skipped
    return index_dir


@pytest.fixture(scope="session")
def pipeline(seed_index: Path, e5: Embedder) -> Pipeline:
    """The pipeline the CLI and the web chat use, over the seeds index."""
    return Pipeline(seed_index, e5)
