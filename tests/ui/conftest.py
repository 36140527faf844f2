"""Fixtures for the web chat tests: a real index copy, a real launched server, sample uploads.

The seeds index (real e5 vectors) is built once per session by tests/conftest.py; each UI server
gets its own copy, because the UI tests upload and remove articles.
"""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from index.embed import Embedder
from rag.pipeline import Pipeline

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

XSS_TXT = """تقرير اختبار <img src=x onerror="window.__xss=2"> عن القواعد
بغداد - قال مسؤولون إن قاعدة الاختبار التجريبية تعرضت لهجوم بثلاث طائرات مسيرة يوم الاثنين.
وأضاف المسؤولون أن النص التالي يجب أن يظهر كما هو <script>window.__xss=1</script> دون تنفيذ.
وأكد المتحدث أن الطائرات المسيرة أسقطت قبل وصولها إلى القاعدة.
"""

XSS_HTML = """<!doctype html>
<html><head><title>Drone report</title><script>window.__xss=1</script></head>
<body>
<h1>Drone report &lt;b&gt;bold&lt;/b&gt; &lt;img src=x onerror="window.__xss=4"&gt;</h1>
<p>Officials said the zebra test base was attacked by five drones on Monday. <img src=x onerror="window.__xss=2"></p>
<p>The following text must appear literally: &lt;script&gt;window.__xss=3&lt;/script&gt; and nothing may run.</p>
<p>A spokesman said the drones were shot down before reaching the zebra base.</p>
</body></html>
"""


@dataclass
class UiServer:
    """A launched web chat: its URL and the folders it writes to."""

    url: str
    pipeline: Pipeline
    corpus: Path
    feedback: Path

    @property
    def uploads(self) -> Path:
        return self.corpus / "uploads"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    root: Path, seed_index: Path, embedder: Embedder, auth: tuple[str, str] | None = None, root_path: str = ""
) -> tuple[UiServer, object]:
    """Launch ``build_app`` over a private copy of ``seed_index`` on a free port, warmed up as ``sanad serve`` does."""
    from ui.app import build_app, launch
    from ui.serve import warm_up

    index_dir = root / "index"
    shutil.copytree(seed_index, index_dir)
    corpus = root / "corpus"
    corpus.mkdir()
    pipeline = Pipeline(index_dir, embedder)
    warm_up(pipeline)
    feedback = root / "feedback.jsonl"
    demo = build_app(pipeline, corpus_dir=corpus, feedback_path=feedback)
    _, url, _ = launch(demo, "127.0.0.1", free_port(), auth, prevent_thread_lock=True, quiet=True, root_path=root_path)
    return UiServer(url, pipeline, corpus, feedback), demo


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory, seed_index: Path, e5: Embedder) -> Iterator[UiServer]:
    server, demo = start_server(tmp_path_factory.mktemp("ui-api"), seed_index, e5)
    yield server
    demo.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def browser_server(tmp_path_factory: pytest.TempPathFactory, seed_index: Path, e5: Embedder) -> Iterator[UiServer]:
    """A separate server for the browser test, so API tests' uploads do not show in its screenshots."""
    server, demo = start_server(tmp_path_factory.mktemp("ui-browser"), seed_index, e5)
    yield server
    demo.close()  # type: ignore[attr-defined]


@pytest.fixture
def samples(tmp_path: Path) -> dict[str, Path]:
    """Upload candidates: two good articles, the XSS pair, and one of each kind of bad file."""
    files = {
        "good.txt": "Zebra Base Report\nOfficials said the zebra base received seven new radar units in March.\n"
        "The radar units were delivered by a convoy from Basra.\n",
        "notes.md": "# Quartz Camp\n\nThe quartz camp hosts forty engineers who repair bridges.\n\n"
        "Engineers at the quartz camp finished the northern bridge in May.\n",
        "xss-report.txt": XSS_TXT,
        "xss-page.html": XSS_HTML,
        "empty.txt": "",
        "report.pdf": "%PDF-1.4 not really",
    }
    out = {}
    for name, text in files.items():
        out[name] = tmp_path / name
        out[name].write_text(text, encoding="utf-8")
    out["binary.txt"] = tmp_path / "binary.txt"
    out["binary.txt"].write_bytes(bytes(range(256)) * 8)
    return out


def write_timing(name: str, seconds: float) -> None:
    """Merge one timing into tests/artifacts/timings.json (read by whoever writes the release note)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "timings.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[name] = round(seconds, 3)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def artifacts() -> Path:
    """tests/artifacts/ (gitignored): screenshots and timings.json."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def record_timing() -> Callable[[str, float], None]:
    return write_timing


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: run `bash scripts/test.sh`, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
