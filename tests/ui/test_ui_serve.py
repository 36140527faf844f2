"""``sanad serve`` as a user starts it: first-run index build, the URL line, the login, the bind address."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gradio_client import Client

from index.errors import SanadError
from ui.cli import main
from ui.serve import parse_auth

ROOT = Path(__file__).resolve().parents[2]


def test_auth_is_user_colon_password() -> None:
    assert parse_auth("reader:s3:cret") == ("reader", "s3:cret")
    assert parse_auth(None) is None
    for bad in ("reader", ":pw", "reader:"):
        with pytest.raises(SanadError, match="USER:PASS"):
            parse_auth(bad)


def test_bad_auth_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--auth", "nopassword", "--index-dir", str(tmp_path / "ix")]) == 1
    assert "USER:PASS" in capsys.readouterr().err


def test_missing_corpus_says_how_to_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["serve", "--index-dir", str(tmp_path / "ix"), "--corpus", str(tmp_path / "nowhere"), "--embedder", "minilm"]
    assert main(argv) == 1
    assert "--corpus" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_url(process: subprocess.Popen[str], seconds: float) -> tuple[str, str]:
    """Read the server's stderr until it prints its address; returns (url, everything read)."""
    assert process.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        found = re.search(r"Sanad web chat: (http://\S+)", line)
        if found:
            return found.group(1), "".join(seen)
    raise AssertionError("sanad serve printed no URL:\n" + "".join(seen))


@pytest.mark.slow
def test_first_run_builds_the_index_then_serves_behind_a_login(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "alpha.txt").write_text("Alpha Base\nThe alpha base has twelve hangars.\n", encoding="utf-8")
    argv = [
        sys.executable, "-m", "ui.cli", "serve", "--port", str(free_port()), "--auth", "reader:s3:cret",
        "--index-dir", str(tmp_path / "index"), "--corpus", str(corpus), "--embedder", "minilm",
    ]
    process = subprocess.Popen(argv, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        url, log = wait_for_url(process, 300)
        assert "No index at" in log and "embedding" in log and "Index ready: 1 articles" in log
        assert url.startswith("http://127.0.0.1:")
        with pytest.raises(Exception):  # noqa: B017  (gradio_client raises its own error types)
            Client(url, verbose=False)
        docs = Client(url, auth=("reader", "s3:cret"), verbose=False).predict(api_name="/documents")
        assert [d["doc_id"] for d in docs] == ["alpha"]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert code == 0
