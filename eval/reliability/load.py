"""Drive a running web chat with concurrent simulated users through gradio_client, while one more
user uploads and removes articles, and measure what they get: answers, errors, latency, server memory.

Bounded in time and in requests per user, loopback only. Each user asks mixed Arabic and English
questions (the seeds evaluation set) and starts a new conversation every few questions, as a reader
would. Memory is the server's resident set size, sampled throughout; "after warm-up" is the sample
taken once the users together have asked every question once and the uploader has done two rounds
(every code path and cache has been exercised then; growth after that would be a leak). Latency
counts only the measured window. Does not start the server; see eval/reliability/server.py.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from gradio_client import Client, handle_file

from eval.reliability.server import rss_bytes

QUESTIONS_FILE = Path(__file__).resolve().parents[1] / "data" / "seeds_questions.jsonl"
TURNS_PER_CONVERSATION = 5
WARM_UP_CYCLES = 2  # uploads and removals before the measured window
MB = 2**20


def mixed_questions(path: Path = QUESTIONS_FILE) -> list[str]:
    """The seeds questions, Arabic and English interleaved."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ar = [r["question"] for r in rows if r["language"] == "ar"]
    en = [r["question"] for r in rows if r["language"] == "en"]
    out = []
    for i in range(max(len(ar), len(en))):
        out += [q[i] for q in (ar, en) if i < len(q)]
    return out


@dataclass
class Tally:
    """What every simulated user saw; shared between threads under a lock."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    uploads: int = 0
    removals: int = 0
    library_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)

    def failed(self, what: str) -> None:
        with self.lock:
            self.errors.append(what[:300])


def _reply_error(chat: Any, sources: str) -> str | None:
    """A problem with one /ask result, or None when it is an answer (cited or abstaining)."""
    if not chat:
        return "no reply"
    reply = chat[-1].get("content")
    text = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
    if "sanad-error" in text or "sanad-answer" not in text:
        return f"error reply: {text[:200]}"
    if "sanad-card" not in sources:
        return "an answer without a sources panel"
    return None


@dataclass
class Window:
    """The measured stretch: it opens when every user has had one answer (the warm-up), for ``seconds``."""

    seconds: float
    until: float = math.inf

    def open(self) -> None:
        self.until = time.monotonic() + self.seconds

    def over(self) -> bool:
        return time.monotonic() >= self.until


def _ask(client: Client, question: str, tally: Tally, measured: bool) -> None:
    started = time.monotonic()
    try:
        chat, _, sources = client.predict(question, api_name="/ask")
    except Exception as exc:  # gradio_client raises its own error types
        tally.failed(f"{type(exc).__name__}: {exc}")
        return
    problem = _reply_error(chat, sources)
    if problem:
        tally.failed(problem)
    elif measured:
        tally.answered(time.monotonic() - started)


def _user(url: str, questions: Sequence[str], offset: int, users: int, window: Window, max_requests: int,
          tally: Tally, warmed: threading.Barrier) -> None:
    """Warm-up: this user's share of the questions (together the users ask each once); then the window."""
    client = Client(url, verbose=False)
    for question in questions[offset::users]:
        _ask(client, question, tally, measured=False)
    client.predict(api_name="/new_conversation")
    warmed.wait(timeout=1800)
    for i in range(max_requests):
        if window.over():
            break
        if i and i % TURNS_PER_CONVERSATION == 0:
            client.predict(api_name="/new_conversation")
        _ask(client, questions[(offset * 7 + i) % len(questions)], tally, measured=True)


def _librarian(url: str, folder: Path, window: Window, max_requests: int, tally: Tally,
               warmed: threading.Barrier) -> None:
    """Upload a fresh article, check it, remove it; again and again."""
    client = Client(url, verbose=False)
    for i in range(max_requests):
        if i == WARM_UP_CYCLES:
            warmed.wait(timeout=1800)
        if i > WARM_UP_CYCLES and window.over():
            break
        path = folder / f"load-{i:04d}.txt"
        path.write_text(f"Load report {i}\nThe load test depot number {i} keeps {i + 3} blue trucks.\n"
                        f"Drivers at depot {i} work in two shifts.\n", encoding="utf-8")
        try:
            status, *_ = client.predict([handle_file(str(path))], api_name="/upload")
            if "✓" not in status:
                tally.library_errors.append(f"upload {i}: {status[:200]}")
                continue
            measured = i >= WARM_UP_CYCLES
            tally.uploads += measured
            status, *_ = client.predict(path.stem, api_name="/remove")
            if "removed" not in status:
                tally.library_errors.append(f"remove {i}: {status[:200]}")
                continue
            tally.removals += measured
        except Exception as exc:
            tally.library_errors.append(f"{type(exc).__name__}: {exc}"[:300])


def run_load(url: str, pid: int, users: int, seconds: float, max_requests: int, work: Path) -> dict[str, Any]:
    """Run ``users`` askers and one librarian for ``seconds`` after warm-up; returns the report's figures."""
    questions = mixed_questions()
    tally = Tally()
    window = Window(seconds)
    warmed = threading.Barrier(users + 2, action=window.open)
    samples: list[tuple[float, int]] = []
    stop = threading.Event()
    start = time.monotonic()

    def sample() -> None:
        while not stop.wait(0.5):
            samples.append((time.monotonic() - start, rss_bytes(pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    work.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(users + 1) as pool:
        futures = [pool.submit(_user, url, questions, u, users, window, max_requests, tally, warmed)
                   for u in range(users)]
        futures.append(pool.submit(_librarian, url, work, window, max_requests, tally, warmed))
        warmed.wait(timeout=1800)
        warm_rss, opened = rss_bytes(pid), time.monotonic() - start
        for f in futures:
            f.result()
    measured = time.monotonic() - start - opened
    stop.set()
    sampler.join()
    end_rss = rss_bytes(pid)
    lat = np.array(tally.latencies) if tally.latencies else np.zeros(1)
    during = [r for t, r in samples if t >= opened]
    return {
        "users": users, "seconds": seconds, "measured window s": round(measured, 1),
        "answered": len(tally.latencies), "errors": len(tally.errors), "error samples": tally.errors[:5],
        "p50_s": float(np.percentile(lat, 50)), "p95_s": float(np.percentile(lat, 95)), "max_s": float(lat.max()),
        "questions per s": round(len(tally.latencies) / max(measured, 1e-9), 2),
        "uploads": tally.uploads, "removals": tally.removals, "library errors": tally.library_errors[:5],
        "rss_warm_mb": warm_rss / MB, "rss_end_mb": end_rss / MB,
        "rss_peak_mb": max(during, default=end_rss) / MB,
        "rss_change_pct": 100.0 * (end_rss - warm_rss) / max(warm_rss, 1),
        "rss_mb_every_5s": [round(r / MB) for t, r in samples if t >= opened][::10],
    }
