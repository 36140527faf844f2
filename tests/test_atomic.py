"""Writes are atomic: a killed, interrupted or failing build leaves the previous index loadable and intact."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from index import store
from index.embed import Embedder
from index.segment import ChunkerConfig
from index.store import VERSIONS, open_index
from index.sync import index_paths

pytestmark = pytest.mark.slow

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

BUILD_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from index.embed import get_embedder
    from index.segment import ChunkerConfig
    from index.sync import index_paths
    print("started", flush=True)
    index_paths(Path(sys.argv[1]), [Path(sys.argv[2])], get_embedder("e5-small"), ChunkerConfig())
    print("finished", flush=True)
    """
)


def _state(index_dir: Path) -> tuple[str, list[str], list[int]]:
    snapshot = open_index(index_dir)
    try:
        return snapshot.version, snapshot.records.doc_ids(), sorted(c.id for c in snapshot.records.chunks())
    finally:
        snapshot.close()


def _write_excerpt(source: Path, dest: Path, lines: int, extra: str = "") -> None:
    """A short real article (the first lines of a seed) so each build takes about a second."""
    text = "\n".join(source.read_text(encoding="utf-8").splitlines()[:lines])
    dest.write_text(text + extra, encoding="utf-8")


@pytest.fixture()
def small_index(tmp_path: Path, e5: Embedder) -> tuple[Path, Path]:
    """An index over two short articles, and a corpus changed so the next build must embed again."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for path in seeds[1:3]:
        _write_excerpt(path, corpus / path.name, 4)
    index_dir = tmp_path / "index"
    index_paths(index_dir, [corpus], e5, ChunkerConfig())
    _write_excerpt(seeds[3], corpus / seeds[3].name, 4)
    for path in seeds[1:3]:
        _write_excerpt(path, corpus / path.name, 4, "\nسطر إضافي للتحديث.\n")
    return index_dir, corpus


def _run_build(index_dir: Path, corpus: Path, kill_after: float | None) -> str:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen(
        [sys.executable, "-c", BUILD_SCRIPT, str(index_dir), str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    if kill_after is not None:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=300)
    return out


def test_sigkill_at_any_point_leaves_a_complete_index(tmp_path: Path, small_index: tuple[Path, Path]) -> None:
    index_dir, corpus = small_index
    before = _state(index_dir)
    # Time one full build on a copy, then kill real builds at points spread over that time.
    probe = tmp_path / "probe"
    shutil.copytree(index_dir, probe)
    started = time.monotonic()
    assert "finished" in _run_build(probe, corpus, None)
    duration = time.monotonic() - started
    complete = _state(probe)[1:]
    outcomes = set()
    for fraction in (0.05, 0.2, 0.4, 0.6, 0.75, 0.85, 0.9, 0.95, 0.98):
        trial = tmp_path / f"trial-{fraction}"
        shutil.copytree(index_dir, trial)
        _run_build(trial, corpus, kill_after=duration * fraction)
        state = _state(trial)  # must load, whatever the moment of the kill
        assert state == before or state[1:] == complete, f"partial index after a kill at {fraction:.0%}"
        outcomes.add("old" if state == before else "new")
    assert "old" in outcomes  # the kills did land mid-build
    # A later build completes normally and removes the abandoned staging folders.
    index_paths(trial, [corpus], open_index_embedder(), ChunkerConfig())
    assert _state(trial)[1:] == complete
    assert not [p for p in (trial / VERSIONS).iterdir() if p.name.startswith(".")]


def open_index_embedder() -> Embedder:
    from index.embed import get_embedder

    return get_embedder("e5-small")


def test_ctrl_c_leaves_previous_index_intact(small_index: tuple[Path, Path]) -> None:
    index_dir, corpus = small_index
    for path in sorted(SEEDS.glob("*.txt")):  # whole articles: the interrupt lands mid-embedding
        shutil.copy(path, corpus / f"full-{path.name}")
    before = _state(index_dir)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen(
        [sys.executable, "-c", BUILD_SCRIPT, str(index_dir), str(corpus)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    if "finished" in out:  # on a loaded machine the signal can land after the publish
        assert _state(index_dir)[1] == sorted(p.stem for p in corpus.glob("*.txt"))
    else:
        assert "KeyboardInterrupt" in err
        assert _state(index_dir) == before
    assert not [p for p in (index_dir / VERSIONS).iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("failing", ["rename", "replace", "fsync"])
def test_failure_while_publishing_leaves_previous_index_intact(
    small_index: tuple[Path, Path], e5: Embedder, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    index_dir, corpus = small_index
    before = _state(index_dir)

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(f"simulated {failing} failure")

    if failing == "fsync":
        monkeypatch.setattr(store, "_fsync", boom)
    else:
        monkeypatch.setattr(store.os, failing, boom)
    with pytest.raises(OSError, match="simulated"):
        index_paths(index_dir, [corpus], e5, ChunkerConfig())
    monkeypatch.undo()
    assert _state(index_dir) == before
