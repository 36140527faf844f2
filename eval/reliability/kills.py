"""SIGKILL ``sanad index`` at random points of an update, then check, resume and compare with an uninterrupted run.

Each trial copies the same starting index, starts the real command line on the same changed corpus,
kills it after a random delay, and then demands: the index opens and passes ``check_index``; it is
either the old index or exactly the new one; and the next ``sanad index`` completes with the same
content as an uninterrupted run (``content_differences`` empty). Half the delays are drawn from the
whole run, half from its last stretch (after embedding: writing and publishing), where a kill does
the most harm. Does not judge the server; see the web-chat kill test.
"""

from __future__ import annotations

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
from index.store import STAGING_PREFIX, VERSIONS, current_version

_PROGRESS = re.compile(r"(\d+)/(\d+) \[")


@dataclass(frozen=True)
class Run:
    """An uninterrupted update: how long it took and when its embedding finished (seconds from start)."""

    seconds: float
    embedded_at: float
    output: str


def timed_update(index_dir: Path, corpus: Path) -> Run:
    """Run ``sanad index corpus`` to the end, noting when the last embedding batch was reported."""
    started = time.monotonic()
    process = sanad("index", str(corpus), "--index-dir", str(index_dir), stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, bufsize=0)
    embedded_at: list[float] = []

    def watch() -> None:
        assert process.stderr is not None
        fd = process.stderr.fileno()
        while chunk := os.read(fd, 4096):  # whatever has arrived, so the time is when it was printed
            text = chunk.decode("utf-8", "replace")
            if any(done == total for done, total in _PROGRESS.findall(text)):
                embedded_at.append(time.monotonic() - started)

    reader = threading.Thread(target=watch, daemon=True)
    reader.start()
    assert process.stdout is not None
    out = process.stdout.read()
    process.wait(timeout=900)
    seconds = time.monotonic() - started
    reader.join(timeout=10)
    if process.returncode != 0:
        raise RuntimeError(f"the uninterrupted `sanad index` failed (exit {process.returncode}): {out}")
    return Run(seconds, embedded_at[-1] if embedded_at else seconds * 0.8, out)


@dataclass
class Trial:
    """One kill: when, what the index looked like after it, and whether everything recovered."""

    delay: float
    window: str  # "whole run" or "writing" (after embedding)
    killed: bool  # False when the update had already finished
    state: str = ""  # "old", "new" or "broken"
    problems: list[str] = field(default_factory=list)

    @property
    def recovered(self) -> bool:
        return not self.problems


def kill_trial(start: Path, corpus: Path, trial_dir: Path, delay: float, window: str,
               expected: dict[str, Any]) -> Trial:
    """Kill an update of a copy of ``start`` after ``delay`` s; check, resume, compare with ``expected``."""
    shutil.copytree(start, trial_dir)
    before = current_version(trial_dir)
    process = sanad("index", str(corpus), "--index-dir", str(trial_dir),
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    killed = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    trial = Trial(round(delay, 3), window, killed)

    report = check_index(trial_dir)
    if not report.ok:
        trial.state = "broken"
        trial.problems.append(f"after the kill: {report.problems}")
    elif report.version == before:
        trial.state = "old"
    elif content_differences(index_content(trial_dir), expected):
        trial.state = "broken"
        trial.problems.append("after the kill the live index is neither the old one nor the new one")
    else:
        trial.state = "new"

    resume = sanad("index", str(corpus), "--index-dir", str(trial_dir), stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    _, err = resume.communicate(timeout=900)
    if resume.returncode != 0:
        trial.problems.append(f"the next `sanad index` failed (exit {resume.returncode}): {err.strip()[-300:]}")
    report = check_index(trial_dir)
    differences = content_differences(index_content(trial_dir), expected) if report.ok else ["unreadable"]
    if not report.ok or differences:
        trial.problems.append(f"after the next `sanad index`: check {report.problems}, differs in {differences}")
    if list((trial_dir / VERSIONS).glob(f"{STAGING_PREFIX}*")):
        trial.problems.append("unfinished build folders survived the next update")
    return trial


def kill_delays(run: Run, n: int, seed: int) -> list[tuple[float, str]]:
    """``n`` kill delays: alternately anywhere in the run and in its writing stretch (after embedding)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if i % 2:
            out.append((rng.uniform(run.embedded_at, run.seconds), "writing"))
        else:
            out.append((rng.uniform(0.0, run.seconds), "whole run"))
    return out


def kill_campaign(start: Path, corpus: Path, work: Path, n: int, seed: int = 13) -> dict[str, Any]:
    """Time an uninterrupted update, then run ``n`` kill trials; returns the report's figures."""
    reference = work / "reference"
    shutil.copytree(start, reference)
    run = timed_update(reference, corpus)
    expected = index_content(reference)
    trials = [kill_trial(start, corpus, work / f"trial-{i:02d}", delay, window, expected)
              for i, (delay, window) in enumerate(kill_delays(run, n, seed))]
    for i in range(n):
        shutil.rmtree(work / f"trial-{i:02d}", ignore_errors=True)
    return {
        "kills": n,
        "recovered": sum(t.recovered for t in trials),
        "killed mid-run": sum(t.killed for t in trials),
        "old_kept": sum(t.state == "old" for t in trials),
        "new_published": sum(t.state == "new" for t in trials),
        "broken": sum(t.state == "broken" for t in trials),
        "uninterrupted run s": round(run.seconds, 2),
        "embedding done at s": round(run.embedded_at, 2),
        "seed": seed,
        "trials": [asdict(t) | {"recovered": t.recovered} for t in trials],
    }
