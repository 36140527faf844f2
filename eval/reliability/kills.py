"""SIGKILL ``sanad index`` at random points of an update, then check, resume and compare with an uninterrupted run.

Each trial copies the same starting index, starts the real command line on the same changed corpus,
kills it after a random delay, and then demands: the index opens and passes ``check_index``; it is
either the old index or exactly the new one; and the next ``sanad index`` completes with the same
content as an uninterrupted run (``content_differences`` empty). Half the delays are drawn from the
whole run, half from its last stretch (after embedding: writing and publishing), where a kill does
the most harm. Does not judge the server; see the web-chat kill test.
"""

from __future__ import annotations

import math
import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eval.reliability.proc import sanad
from index.check import check_index, content_differences, index_content
from index.errors import SanadError
from index.milvus import MilvusStore
from index.store import STAGING_PREFIX, VERSIONS
from index.stores import IndexStore, parse_store

_PROGRESS = re.compile(r"(\d+)/(\d+) \[")


@dataclass(frozen=True)
class Run:
    """An uninterrupted update: how long it took and when its embedding finished (seconds from start)."""

    seconds: float
    embedded_at: float
    output: str


class Target:
    """Where the index under test lives inside a trial folder: index folders, or a Milvus Lite file."""

    def __init__(self, milvus: bool = False) -> None:
        self.milvus = milvus

    def args(self, folder: Path) -> list[str]:
        return ["--store", f"milvus:{folder / MILVUS_FILE}"] if self.milvus else ["--index-dir", str(folder)]

    def _store(self, folder: Path) -> IndexStore:
        return parse_store(self.args(folder)[1])

    def version(self, folder: Path) -> str | None:
        store = self._store(folder)
        try:
            return store.current_version()
        finally:
            _release(store)

    def problems(self, folder: Path) -> list[str]:
        """Why the live version is unusable (empty: it opens and, for folders, passes ``check_index``)."""
        if not self.milvus:
            return check_index(folder).problems
        store = self._store(folder)
        try:
            store.open()
            return []
        except SanadError as exc:
            return [str(exc)]
        finally:
            _release(store)

    def content(self, folder: Path) -> dict[str, Any]:
        store = self._store(folder)
        try:
            return index_content(store)
        finally:
            _release(store)

    def leftovers(self, folder: Path) -> list[str]:
        """Unfinished builds the next update should have removed."""
        if not self.milvus:
            return [p.name for p in (folder / VERSIONS).glob(f"{STAGING_PREFIX}*")]
        store = self._store(folder)
        try:
            assert isinstance(store, MilvusStore)
            staged = [p.name for p in store.home.glob(".staging-*")]
            return staged + [v for v in store.versions() if v not in store.kept()]
        finally:
            _release(store)


MILVUS_FILE = "index.db"


def _release(store: IndexStore) -> None:
    if isinstance(store, MilvusStore):
        store.close()  # Milvus Lite: one process per file, and the next `sanad index` is another process


class Update:
    """A running ``sanad index``; ``embedded`` is set when it reports its last embedding batch."""

    def __init__(self, location: list[str], corpus: Path) -> None:
        self.started = time.monotonic()
        self.process = sanad("index", str(corpus), *location, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, bufsize=0)
        self.embedded = threading.Event()
        self.embedded_at = 0.0
        self._reader = threading.Thread(target=self._watch, daemon=True)
        self._reader.start()

    def _watch(self) -> None:
        assert self.process.stderr is not None
        fd = self.process.stderr.fileno()
        while chunk := os.read(fd, 4096):  # whatever has arrived, so the time is when it was printed
            if any(done == total for done, total in _PROGRESS.findall(chunk.decode("utf-8", "replace"))):
                self.embedded_at = time.monotonic() - self.started
                self.embedded.set()

    def finish(self, timeout: float = 900) -> str:
        assert self.process.stdout is not None
        out = self.process.stdout.read()
        self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return str(out)


def timed_update(location: list[str], corpus: Path) -> Run:
    """Run ``sanad index corpus`` to the end, noting when the last embedding batch was reported."""
    update = Update(location, corpus)
    out = update.finish()
    seconds = time.monotonic() - update.started
    if update.process.returncode != 0:
        raise RuntimeError(f"the uninterrupted `sanad index` failed (exit {update.process.returncode}): {out}")
    return Run(seconds, update.embedded_at if update.embedded.is_set() else seconds * 0.8, out)


@dataclass
class Trial:
    """One kill: when, what the index looked like after it, and whether everything recovered."""

    delay: float  # seconds from the start ("whole run") or from the end of embedding ("writing")
    window: str  # "whole run" or "writing" (after embedding)
    killed: bool  # False only if every attempt came after the update had finished
    attempts: int = 1
    state: str = ""  # "old", "new" or "broken"
    problems: list[str] = field(default_factory=list)

    @property
    def recovered(self) -> bool:
        return not self.problems


MAX_ATTEMPTS = 6  # an update that finished before its kill is run again with an earlier kill


def kill_trial(start: Path, corpus: Path, trial_dir: Path, run: Run, window: str, rng: random.Random,
               expected: dict[str, Any], target: Target) -> Trial:
    """SIGKILL an update of a copy of ``start`` at a random moment of ``window``; check, resume, compare.

    "whole run": a delay drawn uniformly over the uninterrupted run's duration, from the start.
    "writing": a delay drawn log-uniformly from 1 ms to the length of its writing stretch, counted from
    when this update reports its embedding done.
    A draw that comes after the update ended is not a kill: the copy is reset and a new draw made
    (``attempts`` counts them), so every trial interrupts a running ``sanad index``.
    """
    limit = run.seconds if window == "whole run" else max(run.seconds - run.embedded_at, 0.05)
    attempts = 0
    while attempts < MAX_ATTEMPTS:
        attempts += 1
        shutil.rmtree(trial_dir, ignore_errors=True)
        shutil.copytree(start, trial_dir)
        before = target.version(trial_dir)
        # The writing stretch is short and its first moments (files half written, the rename) matter
        # most: draw those delays log-uniformly from 1 ms, the whole run's uniformly.
        delay = rng.uniform(0.0, limit) if window == "whole run" else math.exp(rng.uniform(math.log(1e-3),
                                                                                           math.log(limit)))
        update = Update(target.args(trial_dir), corpus)
        if window == "writing" and not update.embedded.wait(timeout=900):
            raise RuntimeError("the update never reported its embedding")
        time.sleep(delay)
        killed = update.process.poll() is None
        update.process.send_signal(signal.SIGKILL)
        update.finish(timeout=60)
        if killed:
            break
        limit = max(0.002, delay * 0.9)  # it ended before `delay`: draw again below that
    trial = Trial(round(delay, 3), window, killed, attempts=attempts)

    problems = target.problems(trial_dir)
    if problems:
        trial.state = "broken"
        trial.problems.append(f"after the kill: {problems}")
    elif target.version(trial_dir) == before:
        trial.state = "old"
    elif content_differences(target.content(trial_dir), expected):
        trial.state = "broken"
        trial.problems.append("after the kill the live index is neither the old one nor the new one")
    else:
        trial.state = "new"

    resume = sanad("index", str(corpus), *target.args(trial_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = resume.communicate(timeout=900)
    if resume.returncode != 0:
        trial.problems.append(f"the next `sanad index` failed (exit {resume.returncode}): {err.strip()[-300:]}")
    problems = target.problems(trial_dir)
    differences = content_differences(target.content(trial_dir), expected) if not problems else ["unreadable"]
    if problems or differences:
        trial.problems.append(f"after the next `sanad index`: check {problems}, differs in {differences}")
    if target.leftovers(trial_dir):
        trial.problems.append(f"unfinished builds survived the next update: {target.leftovers(trial_dir)}")
    return trial


def kill_campaign(start: Path, corpus: Path, work: Path, n: int, seed: int = 13,
                  target: Target | None = None) -> dict[str, Any]:
    """Time an uninterrupted update, then run ``n`` kill trials; returns the report's figures.

    ``start`` is a trial folder as ``target`` lays it out (an index folder, or a Milvus Lite file in it).
    """
    target = target or Target()
    reference = work / "reference"
    shutil.copytree(start, reference)
    run = timed_update(target.args(reference), corpus)
    expected = target.content(reference)
    rng = random.Random(seed)
    trials = [kill_trial(start, corpus, work / f"trial-{i:02d}", run, "writing" if i % 2 else "whole run", rng,
                         expected, target) for i in range(n)]
    for i in range(n):
        shutil.rmtree(work / f"trial-{i:02d}", ignore_errors=True)
    return {
        "kills": n,
        "recovered": sum(t.recovered for t in trials),
        "killed mid-run": sum(t.killed for t in trials),
        "draws that came after the update ended (redrawn)": sum(t.attempts - 1 for t in trials),
        "old_kept": sum(t.state == "old" for t in trials),
        "new_published": sum(t.state == "new" for t in trials),
        "broken": sum(t.state == "broken" for t in trials),
        "uninterrupted run s": round(run.seconds, 2),
        "embedding done at s": round(run.embedded_at, 2),
        "kills in the writing stretch (after embedding)": sum(t.window == "writing" for t in trials),
        "seed": seed,
        "trials": [asdict(t) | {"recovered": t.recovered} for t in trials],
    }
