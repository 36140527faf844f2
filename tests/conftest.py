"""Shared fixtures: the real embedding models and a real index over the seeds, built once per session."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from eval.reliability.results import Results
from eval.reliability.scale import SCALES, Scale
from index.embed import Embedder, get_embedder
from rag.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
RESULTS = pytest.StashKey[Results]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sanad reliability")
    group.addoption("--reliability", choices=sorted(SCALES), default="ci",
                    help="scale of the reliability tests: ci (short, default) or full (what the report quotes)")
    group.addoption("--reliability-out", type=Path, default=ROOT / "tests" / "artifacts" / "reliability",
                    help="where the reliability tests write results.json and report.md")


def pytest_configure(config: pytest.Config) -> None:
    """Let the Ctrl-C tests deliver Ctrl-C even when pytest itself runs in the background.

    A shell starts background jobs (``nohup … &``, some CI runners) with SIGINT ignored, and child
    processes inherit that, so a server these tests interrupt would never see the signal. A user's
    terminal delivers it; restoring Python's default handler here makes the children do the same
    (a handled signal is reset to its default in a child process, an ignored one is not).
    """
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    config.stash[RESULTS] = Results(SCALES[config.getoption("--reliability")])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Note the outcome of every ``reliability``-marked test in its report section."""
    report = yield
    marker = item.get_closest_marker("reliability")
    if marker is not None and (report.when == "call" or report.outcome != "passed"):
        detail = ""
        if report.skipped and isinstance(report.longrepr, tuple):
            detail = str(report.longrepr[2])
        elif report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            detail = str(getattr(crash, "message", report.longrepr)).strip().splitlines()[0][:300]
        item.config.stash[RESULTS].outcome(marker.args[0], item.nodeid, report.outcome, detail)
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the reliability report when reliability tests ran."""
    results = session.config.stash.get(RESULTS, None)
    if results is None or results.empty():
        return
    from eval.quality.run import git_commit

    commit, dirty = git_commit(ROOT)
    results.write(session.config.getoption("--reliability-out"), commit + ("+changes" if dirty else ""))


@pytest.fixture(scope="session")
def reliability(request: pytest.FixtureRequest) -> Results:
    """Where reliability tests record their figures for the report."""
    return request.config.stash[RESULTS]


@pytest.fixture(scope="session")
def scale(reliability: Results) -> Scale:
    """How hard the reliability tests push (``--reliability ci|full``)."""
    return reliability.scale


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
