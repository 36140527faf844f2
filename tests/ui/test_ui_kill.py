"""SIGKILL of the real ``sanad serve`` during an upload: the index passes ``sanad check``, and after a
restart the uploads folder agrees with the index (an interrupted upload is set aside, not lost) and
the same upload succeeds.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client, handle_file

from eval.reliability.results import Results
from eval.reliability.scale import Scale
from eval.reliability.server import start_server
from index.check import check_index
from index.embed import Embedder
from index.store import open_index
from rag.pipeline import Pipeline
from ui.library import INTERRUPTED, PARTIAL_PREFIX

pytestmark = [pytest.mark.slow, pytest.mark.reliability("kills")]

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
UPLOAD_NAME = "long-report.txt"


@pytest.fixture(scope="module")
def start_index(tmp_path_factory: pytest.TempPathFactory, e5: Embedder) -> Path:
    root = tmp_path_factory.mktemp("serve-kill")
    corpus = root / "corpus"
    corpus.mkdir()
    for path in SEEDS[:2]:
        lines = path.read_text(encoding="utf-8").splitlines()[:5]
        (corpus / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    Pipeline(root / "index", e5).index([corpus])
    return root / "index"


def indexed_uploads(index_dir: Path, uploads: Path) -> set[str]:
    snapshot = open_index(index_dir)
    try:
        return {Path(d.source).name for d in snapshot.records.documents() if Path(d.source).parent == uploads}
    finally:
        snapshot.close()


def stored_uploads(uploads: Path) -> set[str]:
    return {p.name for p in uploads.iterdir() if p.is_file()} if uploads.is_dir() else set()


def upload(url: str, path: Path) -> str:
    status, *_ = Client(url, verbose=False).predict([handle_file(str(path))], api_name="/upload")
    return str(status)


def trial(work: Path, start: Path, article: Path, delay: float, after_stored: bool) -> dict[str, Any]:
    """One kill at ``delay`` s (after the file reached the uploads folder, or after the request)."""
    index_dir, corpus = work / "index", work / "corpus"
    shutil.copytree(start, index_dir)
    corpus.mkdir()
    uploads = corpus / "uploads"
    problems: list[str] = []
    server = start_server(index_dir, corpus)
    try:
        Client(server.url, verbose=False).submit([handle_file(str(article))], api_name="/upload")
        deadline = time.monotonic() + 120
        while after_stored and not (uploads / UPLOAD_NAME).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(delay)
    finally:
        server.kill()
    report = check_index(index_dir)
    if not report.ok:
        problems.append(f"after the kill: {report.problems}")
    indexed = UPLOAD_NAME in indexed_uploads(index_dir, uploads)
    stored = UPLOAD_NAME in stored_uploads(uploads)
    state = "indexed" if indexed else ("stored, not indexed" if stored else "not stored")

    server = start_server(index_dir, corpus)  # the restart reconciles the uploads folder
    try:
        if stored_uploads(uploads) != indexed_uploads(index_dir, uploads):
            problems.append(f"after the restart the uploads folder {stored_uploads(uploads)} disagrees with the "
                            f"index {indexed_uploads(index_dir, uploads)}")
        if list(uploads.glob(f"{PARTIAL_PREFIX}*")) if uploads.is_dir() else []:
            problems.append("a partial copy survived the restart")
        kept_aside = list((uploads / INTERRUPTED).glob(f"*{UPLOAD_NAME}")) if uploads.is_dir() else []
        if state == "stored, not indexed" and len(kept_aside) != 1:
            problems.append("the interrupted upload was not kept aside")
        status = upload(server.url, article)
        expected = "same text as the indexed article" if indexed else "✓"
        if expected not in status:
            problems.append(f"uploading again said {status!r}")
    finally:
        server.stop()
    if indexed_uploads(index_dir, uploads) != {UPLOAD_NAME} or stored_uploads(uploads) != {UPLOAD_NAME}:
        problems.append("after uploading again the article is not in the library exactly once")
    if not check_index(index_dir).ok:
        problems.append("the index fails its check at the end")
    return {"delay": round(delay, 2), "after stored": after_stored, "state after kill": state,
            "recovered": not problems, "problems": problems}


def test_sigkill_of_the_server_during_an_upload_recovers(
    tmp_path: Path, start_index: Path, scale: Scale, reliability: Results
) -> None:
    article = tmp_path / UPLOAD_NAME
    shutil.copy(SEEDS[3], article)  # a whole article: indexing it takes a few seconds
    rng = random.Random(13)
    trials = []
    for i in range(scale.serve_kills):
        after_stored = i % 2 == 0
        delay = rng.uniform(0, 12.0) if after_stored else rng.uniform(0, 0.8)  # up to past the indexing
        trials.append(trial(tmp_path / f"trial-{i}", start_index, article, delay, after_stored))
    states = [t["state after kill"] for t in trials]
    reliability.record("kills", "sanad serve", {
        "kills": len(trials), "recovered": sum(t["recovered"] for t in trials),
        "states": {s: states.count(s) for s in sorted(set(states))}, "trials": trials,
    })
    assert all(t["recovered"] for t in trials), trials
