"""Concurrent users through gradio_client against the real ``sanad serve``, while another uploads and removes.

Every question answered (cited, or abstaining with the closest passages), no error, latency and server
memory recorded. CI runs a few users for a few seconds; ``python -m eval.reliability`` runs 20 for 60 s.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eval.reliability.load import run_load
from eval.reliability.results import Results
from eval.reliability.scale import Scale
from eval.reliability.server import serving

pytestmark = [pytest.mark.slow, pytest.mark.reliability("load")]

RSS_TOLERANCE_PCT = 10.0


def test_concurrent_users_are_all_answered_while_the_library_changes(
    tmp_path: Path, seed_index: Path, scale: Scale, reliability: Results
) -> None:
    index_dir, corpus = tmp_path / "index", tmp_path / "corpus"
    shutil.copytree(seed_index, index_dir)
    corpus.mkdir()
    with serving(index_dir, corpus) as server:
        figures = run_load(server.url, server.pid, scale.users, scale.seconds, scale.max_requests_per_user,
                           tmp_path / "uploads-to-send")
    reliability.record("load", f"{scale.users} users × {scale.seconds:g} s", figures)
    assert figures["errors"] == 0, figures["error samples"]
    assert not figures["library errors"] and figures["uploads"] >= 1 and figures["removals"] == figures["uploads"]
    assert figures["answered"] >= scale.users
    # Stable means no growth: a drop (the allocator handing back what the first answers used, after
    # the first library change trims it) is not a leak and is reported as it is.
    assert figures["rss_change_pct"] <= RSS_TOLERANCE_PCT, figures
